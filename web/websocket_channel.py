"""The upgraded connection's I/O layer: :class:`Channel` is the server's upgrade sink for a websocket.

It feeds received bytes to the sans-IO codec (:class:`server.websocket.WebSocketConnection`), queues the messages
for the handler, writes what the codec answers on its own (pongs, close replies), ends the TCP connection when the
close handshake is over, pauses reading while the handler lags behind, and runs the close timeout and the
heartbeat. :class:`web.websocket.WebSocketResponse` is the handler's side of it.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Any

from server.websocket import CLOSED, OPEN, Message, WebSocketConnection, WSCloseCode, WSMsgType

from .eager import COMPLETED, EagerCoroutine
from .helpers import DONE

__all__ = ["Channel"]

_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_PING = WSMsgType.PING
_PONG = WSMsgType.PONG
_CLOSE = WSMsgType.CLOSE
_ERROR = WSMsgType.ERROR
# Each queued message counts this much beyond its payload, so a flood of empty messages is bounded too.
_MESSAGE_COST = 64


class Channel:
    """The upgraded connection's sink and the websocket's I/O layer (see the module docstring)."""

    __slots__ = (
        "_heartbeat_handle",
        "_rx",
        "_rx_at_ping",
        "autoclose",
        "autoping",
        "buffered",
        "close_timeout",
        "conn",
        "deferred",
        "ended",
        "exception",
        "exchange",
        "finished",
        "flush_handle",
        "gone",
        "heartbeat",
        "high_water",
        "loop",
        "low_water",
        "out",
        "over",
        "over_waiters",
        "paused",
        "queue",
        "timer",
        "transport",
        "waiter",
    )

    def __init__(
        self,
        conn: WebSocketConnection,
        exchange: Any,
        *,
        autoping: bool,
        heartbeat: float | None,
        timeout: float,
        autoclose: bool = True,
    ) -> None:
        self.conn = conn
        self.exchange = exchange
        self.transport = exchange.transport
        self.loop: asyncio.AbstractEventLoop = exchange.loop
        self.autoping = autoping
        #: Answer the peer's close frame once the handler has read what came before it; without it, the answer
        #: waits for the handler's close() (or the handler's end, or the close timeout), as aiohttp's autoclose.
        self.autoclose = autoclose
        self.close_timeout = timeout
        self.queue: collections.deque[Message] = collections.deque()
        self.out: list[bytes] = []
        self.flush_handle: asyncio.Handle | None = None
        self.waiter: asyncio.Future[None] | None = None
        #: The TCP connection is gone.
        self.gone = False
        #: The close handshake is over (or the connection is gone).
        self.over = False
        #: What ``wait_over()`` handed out: one future per waiter, so a cancelled waiter cancels only itself.
        self.over_waiters: list[asyncio.Future[None]] = []
        #: No message will be queued any more (close frame, failure, or the connection ended).
        self.finished = False
        #: The codec reached CLOSED and the TCP close is under way.
        self.ended = False
        #: A close frame (reply or failure) waits for the handler to read the messages queued before it.
        self.deferred = False
        self.exception: BaseException | None = None
        settings = exchange.settings
        self.high_water = settings.read_high_water
        self.low_water = settings.read_low_water
        self.buffered = 0
        self.paused = False
        self.timer: asyncio.TimerHandle | None = None
        self.heartbeat = heartbeat
        self._heartbeat_handle: asyncio.TimerHandle | None = None
        self._rx = 0
        self._rx_at_ping = -1
        if heartbeat:
            self._heartbeat_handle = self.loop.call_later(heartbeat, self._heartbeat_tick)

    # -- the sink interface (called by the server's protocol) ------------------------------------------------

    def data_received(self, data: bytes) -> None:
        self._rx += 1
        conn = self.conn
        events = conn.receive_data(data)
        queue = self.queue
        for msg in events:
            tp = msg[0]
            if tp is _TEXT or tp is _BINARY:
                # After our close frame, data is dropped: the handler asked to stop (the aiohttp 0.14 API's
                # receive skips it).
                if conn.close_sent is None:
                    queue.append(msg)
                    self.buffered += len(msg[1]) + _MESSAGE_COST
            elif tp is _PING:
                if self.autoping:
                    if conn.close_sent is None:
                        self.write(conn.send_pong(msg[1]))
                else:
                    queue.append(msg)
                    self.buffered += len(msg[1]) + _MESSAGE_COST
            elif tp is _PONG:
                if not self.autoping:
                    queue.append(msg)
                    self.buffered += len(msg[1]) + _MESSAGE_COST
            else:  # CLOSE or ERROR: the last message
                if tp is _ERROR:
                    self.exception = msg[1]
                if queue or (tp is _CLOSE and not self.autoclose):
                    # The handler has not read what came before: let it answer those first, the close frame then
                    # follows them (the peer may expect the echo: Autobahn 3.2, 5.15); at most until the timeout.
                    self.deferred = True
                    self._arm_timer(self._on_defer_timeout)
                queue.append(msg)
                self.finished = True
        if conn.state == CLOSED and not self.ended and not self.deferred:
            self._end()
        waiter = self.waiter
        if waiter is not None and queue and not waiter.done():
            waiter.set_result(None)
        if self.buffered > self.high_water and not self.paused:
            self.paused = True
            self.exchange.pause_reading()

    def eof_received(self) -> None:
        self.conn.receive_eof()
        if not self.ended:
            self.deferred = False
            self._end()
        self._finish()
        self.transport.close()

    def connection_lost(self, exc: BaseException | None) -> None:
        self.out.clear()
        if self.flush_handle is not None:
            self.flush_handle.cancel()
            self.flush_handle = None
        if self.conn.state != CLOSED:
            self.conn.receive_eof()
        self._finish()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self._heartbeat_handle is not None:
            self._heartbeat_handle.cancel()
            self._heartbeat_handle = None
        self.gone = True
        self._set_over()

    def shutdown(self) -> None:
        """The server is draining: close with 1001 (going away); the handler sees the close and finishes."""
        self.close(WSCloseCode.GOING_AWAY, b"server shutdown")

    # -- used by WebSocketResponse ---------------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        """Has the websocket stopped being writable? (Not while a deferred close waits for the handler.)"""
        conn = self.conn
        return conn.close_sent is not None or self.gone or (conn.state == CLOSED and not self.deferred)

    def write(self, frame: bytes) -> None:
        """Write a frame. While the handler still has queued messages to answer, its frames are gathered and go
        out in one write when it runs out of them (or on the next loop iteration): one system call for a
        pipelined batch instead of one per message."""
        out = self.out
        if self.queue:
            out.append(frame)
            if self.flush_handle is None:
                self.flush_handle = self.loop.call_soon(self.flush)
        elif out:
            out.append(frame)
            self.flush()
        else:
            self.transport.write(frame)

    def flush(self) -> None:
        """Write the gathered frames now."""
        if self.flush_handle is not None:
            self.flush_handle.cancel()
            self.flush_handle = None
        out = self.out
        if out:
            data = b"".join(out)
            out.clear()
            if not self.transport.is_closing():
                self.transport.write(data)

    def pop(self) -> Message:
        msg = self.queue.popleft()
        data = msg[1]
        if type(data) is str or type(data) is bytes:
            self.buffered -= len(data) + _MESSAGE_COST
            if self.paused and self.buffered <= self.low_water:
                self.paused = False
                self.exchange.resume_reading()
        elif self.deferred and not self.queue and (self.autoclose or msg[0] is not _CLOSE):
            self.deferred = False
            self._end()
        return msg

    def close(self, code: int, reason: str | bytes) -> bool:
        """Send our close frame and wait for the peer's. True when this call sent a close frame: ours, or the
        answer to the peer's that waited for the handler; False when one was already sent."""
        conn = self.conn
        self.flush()
        if self.deferred:
            self.deferred = False
            self._end()
            return True
        if conn.state != OPEN or self.gone:
            return False
        self.transport.write(conn.send_close(code, reason))
        # Queued messages are dropped (the aiohttp 0.14 API's receive skips them while closing) and reading
        # resumes, so the peer's close frame is seen even if the handler never reads again.
        self.queue.clear()
        self.buffered = 0
        if self.paused:
            self.paused = False
            self.exchange.resume_reading()
        self._arm_timer(self._on_close_timeout)
        return True

    def sent(self) -> EagerCoroutine:
        """What a send returns: a coroutine waiting for the write buffer to drain, when it holds anything."""
        return EagerCoroutine(self.exchange.drain) if self.transport.get_write_buffer_size() else COMPLETED

    def wait_over(self) -> Awaitable[None]:
        """Something to await until the close handshake is over (or the connection is gone)."""
        if self.over:
            return DONE
        waiter: asyncio.Future[None] = self.loop.create_future()
        self.over_waiters.append(waiter)
        return waiter

    # -- internals -------------------------------------------------------------------------------------------

    def _end(self) -> None:
        """The codec reached CLOSED: the server closes the TCP connection first (RFC 6455 §7.1.1)."""
        self.ended = True
        self._finish()
        self.flush()
        transport = self.transport
        out = self.conn.data_to_send()
        if out and not transport.is_closing():
            transport.write(out)
        if self.conn.failure is not None and transport.can_write_eof() and not transport.is_closing():
            # §7.1.7: after failing, read no more; half-close so the peer sees our close frame rather than a reset
            # from unread data, and drop the connection when it closes or the close timeout passes.
            transport.write_eof()
        # Otherwise the server's protocol closes the TCP connection when the handler returns (as aiohttp does):
        # the handler gets to finish before a draining server counts the connection as gone. The close timeout
        # bounds both waits.
        self._set_over()
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self._arm_timer(self._on_close_timeout)

    def _set_over(self) -> None:
        if self.over:
            return
        self.over = True
        waiters, self.over_waiters = self.over_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _arm_timer(self, callback: Callable[[], None]) -> None:
        if self.timer is None and not self.gone:
            self.timer = self.loop.call_later(self.close_timeout, callback)

    def _on_defer_timeout(self) -> None:
        self.timer = None
        if self.deferred:
            self.deferred = False
            self._end()

    def _on_close_timeout(self) -> None:
        self.timer = None
        if not self.gone:
            if self.conn.close_code is None:
                self.conn.close_code = WSCloseCode.ABNORMAL_CLOSURE
                self.exception = TimeoutError("close handshake timed out")
            # The waiters of close() wake before connection_lost runs (abort schedules it after them), so close()
            # returns, as aiohttp's does, even when the server cancels the handler on a lost connection.
            self.ended = True
            self._finish()
            self._set_over()
            self.transport.abort()

    def _heartbeat_tick(self) -> None:
        self._heartbeat_handle = None
        heartbeat = self.heartbeat
        if self.gone or self.conn.state != OPEN or heartbeat is None:
            return
        self._rx_at_ping = self._rx
        self.write(self.conn.send_ping(b""))
        self._heartbeat_handle = self.loop.call_later(heartbeat / 2, self._pong_check)

    def _pong_check(self) -> None:
        self._heartbeat_handle = None
        if self.gone or self.heartbeat is None:
            return
        if self._rx == self._rx_at_ping:
            # Nothing came back, not even the pong: the peer is gone. No close handshake is possible with a dead
            # peer, so the connection ends with 1006 semantics (aiohttp's behaviour).
            self.conn.close_code = WSCloseCode.ABNORMAL_CLOSURE
            self.exception = TimeoutError(f"No PONG received after {self.heartbeat / 2} seconds")
            self.conn.receive_eof()
            self.ended = True
            self._finish()
            self._set_over()
            self.transport.abort()
            return
        self._heartbeat_handle = self.loop.call_later(self.heartbeat / 2, self._heartbeat_tick)

"""The websocket's I/O layer: :class:`WebSocketChannel` takes a connection over after ``101 Switching Protocols``.

It is the connection's upgrade sink (:class:`server.exchange.UpgradeSink`): it feeds received bytes to the sans-IO
codec (:class:`server.websocket.WebSocketConnection`), queues the messages for the application, writes what the
codec answers on its own (pongs, close replies), ends the TCP connection when the close handshake is over, pauses
reading while the application lags behind, and runs the close timeout and the heartbeat. Every transport call of a
websocket is made here; the application layer (``web.websocket.WebSocketResponse``) talks to the channel only.

Call contract, for the application layer:

- ``channel = take_over(exchange, conn, ...)`` after the 101 head is written: the channel owns the connection.
- Receive: ``channel.pop()`` hands out a queued message, or None; ``await channel.next_message(timeout)`` pops
  one or waits for one, and is None once ``finished`` and the queue is empty (it raises TimeoutError after
  ``timeout``, leaving the connection as it was). ``await channel.wait_message(timeout)`` only waits until a
  message is queued (or ``finished``), for callers that pop themselves.
- Send: ``channel.write(conn.send_text(...))`` (any frame the codec made), while ``channel.closing`` is False;
  then, if ``channel.drain_waiter()`` is not None, await what it returns to let the write buffer drain.
- Close: ``channel.close(code, reason)``; ``await channel.wait_over()`` waits for the close handshake to end.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable
from typing import Any

from .exchange import Exchange
from .websocket import CLOSED, OPEN, Message, WebSocketConnection, WSCloseCode, WSMsgType

__all__ = ["WebSocketChannel", "peer_gone", "take_over"]

_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_PING = WSMsgType.PING
_PONG = WSMsgType.PONG
_CLOSE = WSMsgType.CLOSE
_CLOSED = WSMsgType.CLOSED
_ERROR = WSMsgType.ERROR
# Each queued message counts this much beyond its payload, so a flood of empty messages is bounded too.
_MESSAGE_COST = 64


def peer_gone(exchange: Exchange) -> bool:
    """Has the client's connection gone (or started closing) while the handler worked before the upgrade?"""
    closing: bool = exchange.transport.is_closing()
    return closing


def take_over(
    exchange: Exchange,
    conn: WebSocketConnection,
    *,
    autoping: bool,
    heartbeat: float | None,
    timeout: float,
    autoclose: bool = True,
) -> WebSocketChannel:
    """Hand the connection of ``exchange`` (whose 101 head is written) to a new channel around ``conn``, and feed
    it the bytes that followed the upgrade request. See :class:`WebSocketChannel` for the options."""
    channel = WebSocketChannel(
        conn, exchange, autoping=autoping, heartbeat=heartbeat, timeout=timeout, autoclose=autoclose
    )
    tail = exchange.upgrade_to(channel)
    if tail:
        channel.data_received(tail)
    return channel


class WebSocketChannel:
    """The upgraded connection's sink and the websocket's I/O layer (see the module docstring).

    ``autoping``: answer pings and swallow pongs (else both are queued). ``heartbeat``: ping after so many seconds
    and drop a peer that sends nothing back within half of it. ``timeout``: seconds to wait for the peer's close
    frame (and for the application to read what came before the peer's). ``autoclose``: answer the peer's close
    frame once the application has read the messages before it; when False the answer waits for :meth:`close`.
    """

    __slots__ = (
        "_autoclose",
        "_autoping",
        "_close_timeout",
        "_deferred",
        "_exchange",
        "_flush_handle",
        "_heartbeat",
        "_heartbeat_handle",
        "_high_water",
        "_loop",
        "_low_water",
        "_out",
        "_over_waiters",
        "_queue",
        "_rx",
        "_rx_at_ping",
        "_timer",
        "_transport",
        "_waiter",
        "buffered",
        "conn",
        "ended",
        "exception",
        "finished",
        "gone",
        "over",
        "paused",
    )

    def __init__(
        self,
        conn: WebSocketConnection,
        exchange: Exchange,
        *,
        autoping: bool,
        heartbeat: float | None,
        timeout: float,
        autoclose: bool = True,
    ) -> None:
        #: The sans-IO codec: it makes the frames to write and keeps the close codes.
        self.conn = conn
        self._exchange = exchange
        self._transport = exchange.transport
        self._loop: asyncio.AbstractEventLoop = exchange.loop
        self._autoping = autoping
        self._autoclose = autoclose
        self._close_timeout = timeout
        self._queue: collections.deque[Message] = collections.deque()
        self._out: list[bytes] = []
        self._flush_handle: asyncio.Handle | None = None
        self._waiter: asyncio.Future[None] | None = None
        #: The TCP connection is gone.
        self.gone = False
        #: The close handshake is over (or the connection is gone).
        self.over = False
        #: What ``wait_over()`` waits on: one future per waiter, so a cancelled waiter cancels only itself.
        self._over_waiters: list[asyncio.Future[None]] = []
        #: No message will be queued any more (close frame, failure, or the connection ended).
        self.finished = False
        #: The codec reached CLOSED and the TCP close is under way.
        self.ended = False
        #: A close frame (reply or failure) waits for the application to read the messages queued before it.
        self._deferred = False
        #: The error that ended the connection (the peer's protocol error, a timeout), if any.
        self.exception: BaseException | None = None
        settings = exchange.settings
        self._high_water = settings.read_high_water
        self._low_water = settings.read_low_water
        #: Bytes of queued messages (payloads plus a per-message cost), against the read water marks.
        self.buffered = 0
        #: Reading is paused because ``buffered`` passed the high-water mark.
        self.paused = False
        self._timer: asyncio.TimerHandle | None = None
        self._heartbeat = heartbeat
        self._heartbeat_handle: asyncio.TimerHandle | None = None
        self._rx = 0
        self._rx_at_ping = -1
        if heartbeat:
            self._heartbeat_handle = self._loop.call_later(heartbeat, self._heartbeat_tick)

    # -- the sink interface (called by the server's protocol) ------------------------------------------------

    def data_received(self, data: bytes) -> None:
        """Bytes from the peer: decode them and queue the messages (answering pings under ``autoping``)."""
        self._rx += 1
        conn = self.conn
        msg = conn.receive_frame(data)
        if msg is None:
            self._received(conn.receive_general(data))
            return
        # One whole data message, nothing else: the request/response case. Its state effects are those of the
        # general path below for a single TEXT or BINARY event (no close, no ping, the codec stays OPEN).
        if conn.close_sent is not None:
            return  # dropped after our close frame, as below
        self._queue.append(msg)
        self.buffered += len(msg[1]) + _MESSAGE_COST
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self.buffered > self._high_water and not self.paused:
            self.paused = True
            self._exchange.pause_reading()

    def _received(self, events: list[Message]) -> None:
        """Queue what ``receive_general`` decoded, answer pings, and end the connection when the codec closed."""
        conn = self.conn
        queue = self._queue
        for msg in events:
            tp = msg[0]
            if tp is _TEXT or tp is _BINARY:
                # After our close frame, data is dropped: the application asked to stop (the aiohttp 0.14 API's
                # receive skips it).
                if conn.close_sent is None:
                    queue.append(msg)
                    self.buffered += len(msg[1]) + _MESSAGE_COST
            elif tp is _PING:
                if self._autoping:
                    if conn.close_sent is None:
                        self.write(conn.send_pong(msg[1]))
                else:
                    queue.append(msg)
                    self.buffered += len(msg[1]) + _MESSAGE_COST
            elif tp is _PONG:
                if not self._autoping:
                    queue.append(msg)
                    self.buffered += len(msg[1]) + _MESSAGE_COST
            else:  # CLOSE or ERROR: the last message
                if tp is _ERROR:
                    self.exception = msg[1]
                if queue or (tp is _CLOSE and not self._autoclose):
                    # The application has not read what came before: let it answer those first, the close frame
                    # then follows them (the peer may expect the echo: Autobahn 3.2, 5.15); at most until the
                    # timeout.
                    self._deferred = True
                    self._arm_timer(self._on_defer_timeout)
                queue.append(msg)
                self.finished = True
        if conn.state == CLOSED and not self.ended and not self._deferred:
            self._end()
        waiter = self._waiter
        if waiter is not None and queue and not waiter.done():
            waiter.set_result(None)
        if self.buffered > self._high_water and not self.paused:
            self.paused = True
            self._exchange.pause_reading()

    def eof_received(self) -> None:
        """The peer's half of the connection ended: the websocket is over (1006 without a close frame)."""
        self.conn.receive_eof()
        if not self.ended:
            self._deferred = False
            self._end()
        self._finish()
        self._transport.close()

    def connection_lost(self, exc: BaseException | None) -> None:
        """The TCP connection is gone: wake every waiter and stop the timers."""
        self._out.clear()
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self.conn.state != CLOSED:
            self.conn.receive_eof()
        self._finish()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._heartbeat_handle is not None:
            self._heartbeat_handle.cancel()
            self._heartbeat_handle = None
        self.gone = True
        self._set_over()

    def shutdown(self) -> None:
        """The server is draining: close with 1001 (going away); the application sees the close and finishes."""
        self.close(WSCloseCode.GOING_AWAY, b"server shutdown")

    # -- the application's side ------------------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        """Has the websocket stopped being writable? (Not while a deferred close waits for the application.)"""
        conn = self.conn
        return conn.close_sent is not None or self.gone or (conn.state == CLOSED and not self._deferred)

    @property
    def closed(self) -> bool:
        """Is the close handshake over (or the connection gone)?"""
        return self.ended or self.gone

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info (``peername``, ``sslcontext``...)."""
        return self._transport.get_extra_info(name, default)

    def write(self, frame: bytes) -> None:
        """Write a frame. While the application still has queued messages to answer, its frames are gathered and
        go out in one write when it runs out of them (or on the next loop iteration): one system call for a
        pipelined batch instead of one per message."""
        out = self._out
        if self._queue:
            out.append(frame)
            if self._flush_handle is None:
                self._flush_handle = self._loop.call_soon(self.flush)
        elif out:
            out.append(frame)
            self.flush()
        else:
            self._transport.write(frame)

    def flush(self) -> None:
        """Write the gathered frames now."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        out = self._out
        if out:
            data = b"".join(out)
            out.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def send(self, frame: bytes) -> Callable[[], Awaitable[None]] | None:
        """:meth:`write` then :meth:`drain_waiter` in one call, for the application's sends."""
        if self._queue or self._out:
            self.write(frame)
        else:
            self._transport.write(frame)
        return self._exchange.drain if self._transport.get_write_buffer_size() else None

    def drain_waiter(self) -> Callable[[], Awaitable[None]] | None:
        """After a write: None when the write buffer is empty, else a coroutine function that waits for it to
        drain below the low-water mark."""
        return self._exchange.drain if self._transport.get_write_buffer_size() else None

    def pop(self) -> Message | None:
        """The next queued message, or None when none is queued."""
        queue = self._queue
        if not queue:
            return None
        msg = queue.popleft()
        data = msg[1]
        if type(data) is str or type(data) is bytes:
            self.buffered -= len(data) + _MESSAGE_COST
            if self.paused and self.buffered <= self._low_water:
                self.paused = False
                self._exchange.resume_reading()
        elif self._deferred and not queue and (self._autoclose or msg[0] is not _CLOSE):
            self._deferred = False
            self._end()
        return msg

    async def next_message(
        self, timeout: float | None = None, stop: bool = False, closed: bool = False
    ) -> Message | None:
        """The next message, waiting for one if none is queued; None once ``finished`` and the queue is empty.
        Raises TimeoutError after ``timeout`` seconds (None or 0: no limit; the connection stays as it was),
        RuntimeError if another task is waiting already. ``stop`` (for ``async for``): raise StopAsyncIteration
        instead of returning the CLOSE message or None. ``closed`` (for aiohttp 3's ``receive()``): return a
        CLOSED message carrying the close code (the peer's, else ours) instead of None. ``pop()`` and
        ``wait_message()`` in one coroutine."""
        if not (self._queue or self.finished):
            # Awaited here, not through wait_message(): one coroutine less per message on the fast path. Without
            # a timeout or another waiter, _new_waiter() is this line.
            if timeout or self._waiter is not None:
                waiter = self._new_waiter(timeout)
            else:
                waiter = self._waiter = self._loop.create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        queue = self._queue
        if queue:
            data = queue[0][1]
            if type(data) is str or type(data) is bytes:
                # pop()'s common case, without the call.
                self.buffered -= len(data) + _MESSAGE_COST
                if self.paused and self.buffered <= self._low_water:
                    self.paused = False
                    self._exchange.resume_reading()
                return queue.popleft()
        msg = self.pop()
        if stop and (msg is None or msg[0] is _CLOSE):
            raise StopAsyncIteration
        if msg is None and closed:
            conn = self.conn
            code = conn.close_code if conn.close_code is not None else conn.close_sent
            return Message(_CLOSED, code, None)
        return msg

    async def wait_message(self, timeout: float | None = None) -> None:
        """Wait until a message is queued or none will come (``finished``). Raises TimeoutError after ``timeout``
        seconds (None or 0: no limit), RuntimeError if another task is waiting already."""
        if self._waiter is None and (self._queue or self.finished):
            return
        # With another task waiting, _new_waiter() raises even when a message is queued (it may be that task's).
        waiter = self._new_waiter(timeout)
        try:
            await waiter
        finally:
            self._waiter = None

    def _new_waiter(self, timeout: float | None) -> asyncio.Future[None]:
        """The future a receiving task awaits, set as ``_waiter`` for data_received() and _finish() to wake; the
        awaiting task resets ``_waiter`` to None when it wakes. Raises RuntimeError if another task is waiting."""
        if self._waiter is not None:
            raise RuntimeError("Concurrent call to receive() is not allowed")
        waiter = self._waiter = self._loop.create_future()
        if timeout:
            # A timer on the waiter rather than asyncio.timeout(): it needs no enclosing task, and a timeout leaves
            # the connection as it was (the next wait gets the next message). The waiter's end, however it comes
            # (a message, the timer, a cancellation), cancels the timer before the awaiting task resumes.
            timer = self._loop.call_later(timeout, _time_out, waiter)
            waiter.add_done_callback(lambda _: timer.cancel())
        return waiter

    def close(self, code: int, reason: str | bytes) -> bool:
        """Send our close frame and wait for the peer's. True when this call sent a close frame: ours, or the
        answer to the peer's that waited for the application; False when one was already sent."""
        conn = self.conn
        self.flush()
        if self._deferred:
            self._deferred = False
            self._end()
            return True
        if conn.state != OPEN or self.gone:
            return False
        self._transport.write(conn.send_close(code, reason))
        # Queued messages are dropped (the aiohttp 0.14 API's receive skips them while closing) and reading
        # resumes, so the peer's close frame is seen even if the application never reads again.
        self._queue.clear()
        self.buffered = 0
        if self.paused:
            self.paused = False
            self._exchange.resume_reading()
        self._arm_timer(self._on_close_timeout)
        return True

    async def wait_over(self) -> None:
        """Wait until the close handshake is over (or the connection is gone)."""
        if self.over:
            return
        waiter: asyncio.Future[None] = self._loop.create_future()
        self._over_waiters.append(waiter)
        await waiter

    # -- internals -------------------------------------------------------------------------------------------

    def _end(self) -> None:
        """The codec reached CLOSED: the server closes the TCP connection first (RFC 6455 §7.1.1)."""
        self.ended = True
        self._finish()
        self.flush()
        transport = self._transport
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
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._arm_timer(self._on_close_timeout)

    def _set_over(self) -> None:
        if self.over:
            return
        self.over = True
        waiters, self._over_waiters = self._over_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _finish(self) -> None:
        self.finished = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _arm_timer(self, callback: Callable[[], None]) -> None:
        if self._timer is None and not self.gone:
            self._timer = self._loop.call_later(self._close_timeout, callback)

    def _on_defer_timeout(self) -> None:
        self._timer = None
        if self._deferred:
            self._deferred = False
            self._end()

    def _on_close_timeout(self) -> None:
        self._timer = None
        if not self.gone:
            if self.conn.close_code is None:
                self.conn.close_code = WSCloseCode.ABNORMAL_CLOSURE
                self.exception = TimeoutError("close handshake timed out")
            # The waiters of close() wake before connection_lost runs (abort schedules it after them), so close()
            # returns, as aiohttp's does, even when the server cancels the handler on a lost connection.
            self.ended = True
            self._finish()
            self._set_over()
            self._transport.abort()

    def _heartbeat_tick(self) -> None:
        self._heartbeat_handle = None
        heartbeat = self._heartbeat
        if self.gone or self.conn.state != OPEN or heartbeat is None:
            return
        self._rx_at_ping = self._rx
        self.write(self.conn.send_ping(b""))
        self._heartbeat_handle = self._loop.call_later(heartbeat / 2, self._pong_check)

    def _pong_check(self) -> None:
        self._heartbeat_handle = None
        heartbeat = self._heartbeat
        if self.gone or heartbeat is None:
            return
        if self._rx == self._rx_at_ping:
            # Nothing came back, not even the pong: the peer is gone. No close handshake is possible with a dead
            # peer, so the connection ends with 1006 semantics (aiohttp's behaviour).
            self.conn.close_code = WSCloseCode.ABNORMAL_CLOSURE
            self.exception = TimeoutError(f"No PONG received after {heartbeat / 2} seconds")
            self.conn.receive_eof()
            self.ended = True
            self._finish()
            self._set_over()
            self._transport.abort()
            return
        self._heartbeat_handle = self._loop.call_later(heartbeat / 2, self._heartbeat_tick)


def _time_out(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())

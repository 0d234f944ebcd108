"""Server-side websockets: the seed's ``WebSocketResponse`` (with aiohttp 3's conveniences) on the sans-IO
codec in :mod:`server.websocket`.

The response answers the handshake with ``101 Switching Protocols`` and takes the connection over as its
upgrade sink (:class:`_Channel`). The channel is the whole I/O layer: it feeds received bytes to the codec,
queues the messages for the handler, writes what the codec answers on its own (pongs, close replies), closes the
TCP connection when the close handshake ends, and pauses reading while the handler lags behind.

The seed's methods (``start``, ``send_str``, ``send_bytes``, ``ping``, ``pong``, ``close``) were plain methods
and are coroutines in modern aiohttp. Here each does its work at once and returns an awaitable (not a coroutine,
so ignoring it warns about nothing): awaiting a send waits for the write buffer to drain, awaiting ``close()``
waits for the close handshake to finish.
"""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, NamedTuple

from server.websocket import (
    CLOSED,
    OPEN,
    DeflateOptions,
    HandshakeError,
    Message,
    WebSocketConnection,
    WSCloseCode,
    WSMsgType,
    accept_key,
    check_request,
    choose_protocol,
    negotiate_deflate,
)

from .exceptions import HTTPBadRequest, HTTPException, HTTPUpgradeRequired
from .helpers import DONE, DrainAwaitable
from .response import StreamResponse

if TYPE_CHECKING:
    from .request import Request

__all__ = [
    "MSG_BINARY",
    "MSG_CLOSE",
    "MSG_CLOSED",
    "MSG_ERROR",
    "MSG_PING",
    "MSG_PONG",
    "MSG_TEXT",
    "Message",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketDisconnectedError",
    "WebSocketReady",
    "WebSocketResponse",
]

MSG_TEXT = WSMsgType.TEXT
MSG_BINARY = WSMsgType.BINARY
MSG_PING = WSMsgType.PING
MSG_PONG = WSMsgType.PONG
MSG_CLOSE = WSMsgType.CLOSE
MSG_CLOSED = WSMsgType.CLOSED
MSG_ERROR = WSMsgType.ERROR
WSMessage = Message  # aiohttp 3's name

_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_PING = WSMsgType.PING
_PONG = WSMsgType.PONG
_CLOSE = WSMsgType.CLOSE
_CLOSED = WSMsgType.CLOSED
_ERROR = WSMsgType.ERROR
_STOP = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED})
# Each queued message counts this much beyond its payload, so a flood of empty messages is bounded too.
_MESSAGE_COST = 64


class WebSocketDisconnectedError(Exception):
    """The websocket is closed: ``code`` and ``message`` are the close code and reason."""

    def __init__(self, code: int | None = None, message: str | None = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


class WebSocketReady(NamedTuple):
    """What ``can_prepare()`` answers; unpacks as the seed's ``(ok, protocol)`` pair."""

    ok: bool
    protocol: str | None

    def __bool__(self) -> bool:
        return self.ok


class _Channel:
    """The upgraded connection's sink and the websocket's I/O layer (see the module docstring)."""

    __slots__ = (
        "_heartbeat_handle",
        "_rx",
        "_rx_at_ping",
        "autoping",
        "buffered",
        "close_timeout",
        "conn",
        "deferred",
        "done",
        "ended",
        "exception",
        "exchange",
        "finished",
        "flush_handle",
        "heartbeat",
        "high_water",
        "loop",
        "lost",
        "low_water",
        "out",
        "paused",
        "queue",
        "timer",
        "transport",
        "waiter",
    )

    def __init__(
        self, conn: WebSocketConnection, exchange: Any, *, autoping: bool, heartbeat: float | None, timeout: float
    ) -> None:
        self.conn = conn
        self.exchange = exchange
        self.transport = exchange.transport
        self.loop: asyncio.AbstractEventLoop = exchange.loop
        self.autoping = autoping
        self.close_timeout = timeout
        self.queue: collections.deque[Message] = collections.deque()
        self.out: list[bytes] = []
        self.flush_handle: asyncio.Handle | None = None
        self.waiter: asyncio.Future[None] | None = None
        #: Resolved when the TCP connection is gone.
        self.lost: asyncio.Future[None] = self.loop.create_future()
        #: Resolved when the close handshake is over (or the connection is gone).
        self.done: asyncio.Future[None] = self.loop.create_future()
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
                # After our close frame, data is dropped: the handler asked to stop (the seed's receive skips it).
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
                if queue:
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
        if not self.lost.done():
            self.lost.set_result(None)
        if not self.done.done():
            self.done.set_result(None)

    def shutdown(self) -> None:
        """The server is draining: close with 1001 (going away); the handler sees the close and finishes."""
        self.close(WSCloseCode.GOING_AWAY, b"server shutdown")

    # -- used by WebSocketResponse ---------------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        """Has the websocket stopped being writable? (Not while a deferred close waits for the handler.)"""
        conn = self.conn
        return conn.close_sent is not None or self.lost.done() or (conn.state == CLOSED and not self.deferred)

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
        elif self.deferred and not self.queue:
            self.deferred = False
            self._end()
        return msg

    def close(self, code: int, reason: str | bytes) -> bool:
        """Send our close frame and wait for the peer's; False when a close frame was already sent or received."""
        conn = self.conn
        self.flush()
        if self.deferred:
            self.deferred = False
            self._end()
        if conn.state != OPEN or self.lost.done():
            return False
        self.transport.write(conn.send_close(code, reason))
        # Queued messages are dropped (the seed's receive skips them while closing) and reading resumes, so the
        # peer's close frame is seen even if the handler never reads again.
        self.queue.clear()
        self.buffered = 0
        if self.paused:
            self.paused = False
            self.exchange.resume_reading()
        self._arm_timer(self._on_close_timeout)
        return True

    def drain(self) -> DrainAwaitable:
        return DrainAwaitable(self.exchange.drain) if self.transport.get_write_buffer_size() else DONE

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
        if not self.done.done():
            self.done.set_result(None)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self._arm_timer(self._on_close_timeout)

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _arm_timer(self, callback: Callable[[], None]) -> None:
        if self.timer is None and not self.lost.done():
            self.timer = self.loop.call_later(self.close_timeout, callback)

    def _on_defer_timeout(self) -> None:
        self.timer = None
        if self.deferred:
            self.deferred = False
            self._end()

    def _on_close_timeout(self) -> None:
        self.timer = None
        if not self.lost.done():
            if self.conn.close_code is None:
                self.conn.close_code = WSCloseCode.ABNORMAL_CLOSURE
                self.exception = TimeoutError("close handshake timed out")
            self.transport.abort()

    def _heartbeat_tick(self) -> None:
        self._heartbeat_handle = None
        heartbeat = self.heartbeat
        if self.lost.done() or self.conn.state != OPEN or heartbeat is None:
            return
        self._rx_at_ping = self._rx
        self.write(self.conn.send_ping(b""))
        self._heartbeat_handle = self.loop.call_later(heartbeat / 2, self._pong_check)

    def _pong_check(self) -> None:
        self._heartbeat_handle = None
        if self.lost.done() or self.heartbeat is None:
            return
        if self._rx == self._rx_at_ping:
            # Nothing came back, not even the pong: the peer is gone. No close handshake is possible with a dead
            # peer, so the connection ends with 1006 semantics (aiohttp's behaviour).
            self.conn.close_code = WSCloseCode.ABNORMAL_CLOSURE
            self.exception = TimeoutError("no pong received within the heartbeat")
            self.conn.receive_eof()
            self._finish()
            self.transport.abort()
            return
        self._heartbeat_handle = self.loop.call_later(self.heartbeat / 2, self._heartbeat_tick)


class _Closing:
    """What ``close()`` returns: awaiting it waits for the close handshake to finish."""

    __slots__ = ("_channel", "_result")

    def __init__(self, channel: _Channel, result: bool) -> None:
        self._channel = channel
        self._result = result

    def __await__(self) -> Generator[Any, None, bool]:
        done = self._channel.done
        if not done.done():
            yield from asyncio.shield(done).__await__()
        return self._result


class WebSocketResponse(StreamResponse):
    """Class for handling server-side websockets.

    After starting (by ``start()``/``prepare()``) the response cannot ``write()``: talk to the client with
    ``send_str()``, ``receive_msg()`` and the other websocket methods.

    ``protocols``: subprotocols the server speaks, in preference order. ``timeout``: seconds to wait for the
    peer's close frame before dropping the connection. ``receive_timeout``: default timeout of ``receive()``.
    ``autoping``: answer pings (and swallow pongs) automatically. ``heartbeat``: send a ping every so many
    seconds of silence and drop a peer that does not answer within half of it. ``compress``: accept
    permessage-deflate (True, False, a maximum window size in bits, or a ``DeflateOptions``). ``max_msg_size``:
    largest message accepted, after decompression (0: no limit); larger ones close the connection with 1009.
    ``autoclose`` is accepted for aiohttp compatibility: a peer's close frame is always answered at once.
    """

    def __init__(
        self,
        protocols: tuple[str, ...] | list[str] = (),
        *,
        timeout: float = 10.0,
        receive_timeout: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        compress: bool | int | DeflateOptions = True,
        max_msg_size: int = 4 * 1024 * 1024,
    ) -> None:
        super().__init__(status=101)
        self._protocols = tuple(protocols)
        self._protocol: str | None = None
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        if compress is True:
            compress = DeflateOptions()
        elif isinstance(compress, int) and not isinstance(compress, bool) and compress:
            compress = DeflateOptions(server_max_window_bits=compress)
        self._compress: DeflateOptions | None = compress or None
        self._max_msg_size = max_msg_size
        self._channel: _Channel | None = None
        self._receiving = False

    # -- the handshake ---------------------------------------------------------------------------------------

    def _handshake(self, request: Request) -> tuple[str, str | None]:
        exchange = request._exchange
        headers = request.headers
        key = check_request(exchange.method, exchange.version, headers)
        return key, choose_protocol(headers, self._protocols)

    def can_start(self, request: Request) -> tuple[bool, str | None]:
        """Can the websocket be started on ``request``? Returns ``(ok, protocol)``: ``protocol`` is the chosen
        subprotocol (None if the client's and the server's do not overlap). Never raises."""
        try:
            _, protocol = self._handshake(request)
        except HandshakeError:
            return False, None
        except Exception:
            return False, None
        return True, protocol

    def can_prepare(self, request: Request) -> WebSocketReady:
        """``can_start()`` under its aiohttp 3 name, answering a ``WebSocketReady(ok, protocol)``."""
        return WebSocketReady(*self.can_start(request))

    def start(self, request: Request) -> DrainAwaitable:
        """Start the websocket: answer 101 and take the connection over. Raises ``HTTPBadRequest`` (400) when the
        handshake is invalid, ``HTTPUpgradeRequired`` (426, naming version 13) for another protocol version."""
        if self._channel is not None:
            if self._request is not request:
                raise RuntimeError("WebSocketResponse has been started with a different request")
            return DONE
        exchange = request._exchange
        try:
            key, protocol = self._handshake(request)
            if not exchange.upgrade:
                raise HandshakeError("the connection is not being upgraded")
        except HandshakeError as exc:
            raise _http_error(exc) from None
        deflate = None
        offers = request.headers.getall("Sec-WebSocket-Extensions", ())
        if offers and self._compress is not None:
            deflate = negotiate_deflate(offers, self._compress)
        headers = self._headers
        headers["Upgrade"] = "websocket"
        headers["Connection"] = "upgrade"
        headers["Sec-WebSocket-Accept"] = accept_key(key)
        if protocol is not None:
            headers["Sec-WebSocket-Protocol"] = protocol
        if deflate is not None:
            headers["Sec-WebSocket-Extensions"] = deflate.response
        self._protocol = protocol
        self.set_status(101)
        super().start(request)
        conn = WebSocketConnection(max_msg_size=self._max_msg_size, deflate=deflate)
        channel = _Channel(conn, exchange, autoping=self._autoping, heartbeat=self._heartbeat, timeout=self._timeout)
        self._channel = channel
        tail = exchange.upgrade_to(channel)
        if tail:
            channel.data_received(tail)
        return DONE

    async def prepare(self, request: Request) -> None:
        """Coroutine form of :meth:`start` (aiohttp 3)."""
        self.start(request)

    # -- state -----------------------------------------------------------------------------------------------

    @property
    def closing(self) -> bool:
        """True once ``close()`` was called or a close frame (or the end of the connection) was received."""
        channel = self._channel
        return channel is not None and channel.closing

    @property
    def closed(self) -> bool:
        """True once the close handshake is over or the connection is gone (aiohttp 3)."""
        channel = self._channel
        return channel is not None and (channel.ended or channel.lost.done())

    @property
    def protocol(self) -> str | None:
        """The subprotocol chosen by ``start()``; None if the client's and the server's do not overlap."""
        return self._protocol

    ws_protocol = protocol

    @property
    def close_code(self) -> int | None:
        """The code the connection closed with: the peer's, else ours; None while open."""
        channel = self._channel
        if channel is None:
            return None
        conn = channel.conn
        if conn.close_code is not None:
            return conn.close_code
        return conn.close_sent

    @property
    def compress(self) -> bool:
        """Was permessage-deflate negotiated?"""
        return self._channel is not None and self._channel.conn.deflate is not None

    def exception(self) -> BaseException | None:
        """The error that ended the connection (a protocol error of the peer, a timeout), if any."""
        return self._channel.exception if self._channel is not None else None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info (``peername``, ``sslcontext``...)."""
        if self._channel is None:
            return default
        return self._channel.transport.get_extra_info(name, default)

    # -- sending ---------------------------------------------------------------------------------------------

    def _open_channel(self) -> _Channel:
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        if channel.closing:
            raise RuntimeError("websocket connection is closing")
        return channel

    def send_str(self, data: str, compress: bool | None = None) -> DrainAwaitable:
        """Send ``data`` to the peer as a MSG_TEXT message. Raises TypeError if ``data`` is not a str,
        RuntimeError if the websocket is not started or closing. Awaiting the result waits for the drain."""
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        channel = self._open_channel()
        channel.write(channel.conn.send_text(data, compress is not False))
        return channel.drain()

    def send_bytes(self, data: bytes | bytearray | memoryview, compress: bool | None = None) -> DrainAwaitable:
        """Send ``data`` to the peer as a MSG_BINARY message. Raises TypeError if ``data`` is not bytes-like,
        RuntimeError if the websocket is not started or closing. Awaiting the result waits for the drain."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        channel = self._open_channel()
        channel.write(channel.conn.send_binary(bytes(data), compress=compress is not False))
        return channel.drain()

    def send_json(self, data: Any, compress: bool | None = None, *, dumps: Callable[[Any], str] = json.dumps) -> Any:
        """Send ``data`` serialised by ``dumps`` as a MSG_TEXT message."""
        return self.send_str(dumps(data), compress)

    def ping(self, message: str | bytes = b"") -> DrainAwaitable:
        """Send MSG_PING to the peer; ``message`` is str (sent as UTF-8) or bytes, at most 125 bytes.
        Raises RuntimeError if the websocket is not started or closing."""
        channel = self._open_channel()
        channel.write(channel.conn.send_ping(_payload(message)))
        return channel.drain()

    def pong(self, message: str | bytes = b"") -> DrainAwaitable:
        """Send an unsolicited MSG_PONG to the peer; ``message`` as for :meth:`ping`."""
        channel = self._open_channel()
        channel.write(channel.conn.send_pong(_payload(message)))
        return channel.drain()

    def close(self, *, code: int = WSCloseCode.OK, message: str | bytes = b"") -> _Closing:
        """Start the closing handshake by sending MSG_CLOSE. Awaiting the result waits for the handshake to finish
        and gives True if this call started it; otherwise the handshake completes on its own
        as the peer answers (the TCP connection closes when the handler returns, or at the close timeout).
        Raises RuntimeError if the websocket is not started. Unlike the seed, closing an
        already closing websocket is not an error (aiohttp 3 code calls ``close()`` after the peer's close)."""
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        return _Closing(channel, channel.close(code, message))

    async def wait_closed(self) -> None:
        """Wait for the closing handshake to finish, then raise WebSocketDisconnectedError with the close code
        and reason. For write-only tasks; readers see the close through ``receive_msg()``."""
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        if not channel.done.done():
            await asyncio.shield(channel.done)
        raise WebSocketDisconnectedError(self.close_code, channel.conn.close_reason)

    def write(self, data: Any) -> DrainAwaitable:
        raise RuntimeError("Cannot call .write() for websocket")

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the websocket: close it if the handler did not, and wait for the handshake."""
        if self._eof_sent:
            return
        if self._channel is not None:
            await self.close()
        self._eof_sent = True

    def _send(self, request: Request) -> None:
        # The handler machinery finishes the response when the handler returns: a websocket still open then is
        # closed with 1000 before the server drops the connection.
        channel = self._channel
        if channel is not None:
            channel.close(WSCloseCode.OK, b"")
        super()._send(request)

    # -- receiving -------------------------------------------------------------------------------------------

    async def receive(self, timeout: float | None = None) -> Message:
        """The next message (aiohttp 3): TEXT or BINARY (PING/PONG too without ``autoping``), then CLOSE with
        the peer's code and reason, or ERROR with the peer's protocol error; CLOSED once it is all over."""
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        if channel.queue:
            return channel.pop()
        if channel.finished:
            return Message(_CLOSED, self.close_code, None)
        if self._receiving:
            raise RuntimeError("Concurrent call to receive() is not allowed")
        if timeout is None:
            timeout = self._receive_timeout
        self._receiving = True
        waiter = channel.waiter = channel.loop.create_future()
        try:
            if timeout is None:
                await waiter
            else:
                async with asyncio.timeout(timeout):
                    await waiter
        finally:
            channel.waiter = None
            self._receiving = False
        if channel.queue:
            return channel.pop()
        return Message(_CLOSED, self.close_code, None)

    async def receive_msg(self, timeout: float | None = None) -> Message:
        """A coroutine that waits for the next data message from the peer and returns it. MSG_PING, MSG_PONG and
        MSG_CLOSE are handled internally (ping and pong are returned when ``autoping`` is off). After the
        websocket closes it raises WebSocketDisconnectedError with the close code and reason."""
        msg = await self.receive(timeout)
        tp = msg[0]
        if tp is _TEXT or tp is _BINARY or tp is _PING or tp is _PONG:
            return msg
        channel = self._channel
        if tp is _ERROR:
            raise WebSocketDisconnectedError(msg[1].close_code, msg[1].message)
        if tp is _CLOSE:
            raise WebSocketDisconnectedError(msg[1], msg[2])
        reason = channel.conn.close_reason if channel is not None else None
        raise WebSocketDisconnectedError(self.close_code, reason)

    async def receive_str(self, *, timeout: float | None = None) -> str:
        """The next message, which must be MSG_TEXT (TypeError otherwise)."""
        msg = await self.receive_msg(timeout)
        if msg[0] is not _TEXT:
            raise TypeError(f"Received message {msg[0]}:{msg[1]!r} is not str")
        return msg[1]  # type: ignore[no-any-return]

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        """The next message, which must be MSG_BINARY (TypeError otherwise)."""
        msg = await self.receive_msg(timeout)
        if msg[0] is not _BINARY:
            raise TypeError(f"Received message {msg[0]}:{msg[1]!r} is not bytes")
        return msg[1]  # type: ignore[no-any-return]

    async def receive_json(self, *, loads: Callable[[Any], Any] = json.loads, timeout: float | None = None) -> Any:
        """The next MSG_TEXT message parsed by ``loads``."""
        return loads(await self.receive_str(timeout=timeout))

    def __aiter__(self) -> WebSocketResponse:
        return self

    async def __anext__(self) -> Message:
        msg = await self.receive()
        if msg[0] in _STOP:
            raise StopAsyncIteration
        return msg

    def __repr__(self) -> str:
        state = "not started" if self._channel is None else ("closed" if self.closed else "open")
        return f"<WebSocketResponse {state}>"


def _payload(message: str | bytes) -> bytes:
    if isinstance(message, str):
        return message.encode("utf-8")
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    raise TypeError(f"message must be str or bytes ({type(message)!r})")


def _http_error(exc: HandshakeError) -> HTTPException:
    if exc.status == 426:
        return HTTPUpgradeRequired(headers=dict(exc.headers), text=exc.message)
    return HTTPBadRequest(text=exc.message)

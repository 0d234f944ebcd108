"""Server-side websockets: the aiohttp 0.14 API's ``WebSocketResponse`` (with aiohttp 3's surface) on the
sans-IO codec in :mod:`server.websocket`.

The response answers the handshake with ``101 Switching Protocols`` and hands the connection to a
:class:`~server.websocket_channel.WebSocketChannel`, the server's I/O layer between the codec and the transport;
this module holds no transport and makes no I/O call of its own.

The aiohttp 0.14 API's ``send_str``, ``send_bytes``, ``ping``, ``pong`` and ``close`` are plain methods, and
aiohttp 3's are coroutines. Here they are both (see :mod:`web.eager`): each does its work when called and returns
a coroutine, which asyncio runs as any other; awaiting a send waits for the write buffer to drain, awaiting
``close()`` waits for the close handshake to finish. ``start()`` stays the aiohttp 0.14 API's plain method, and
``prepare()`` is its coroutine form.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from server.websocket import (
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
    offered_protocols,
)
from server.websocket_channel import WebSocketChannel, peer_gone, take_over

from .eager import COMPLETED, EagerCoroutine, coroutine_function, eager_coroutine
from .exceptions import HTTPBadRequest, HTTPException
from .helpers import DONE, DrainAwaitable, web_logger
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
# aiohttp's warning, word for word (a log filter may match it).
_NO_OVERLAP = "%s: Client protocols %r don’t overlap server-known ones %r"  # noqa: RUF001 - its apostrophe
_STOP = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED})
#: ``WebSocketResponse[bool]``: True (the default) when TEXT messages arrive as str, False when as bytes.
_DecodeText = TypeVar("_DecodeText", bound=bool, covariant=True)


class WebSocketDisconnectedError(Exception):
    """The websocket is closed: ``code`` and ``message`` are the close code and reason."""

    def __init__(self, code: int | None = None, message: str | None = None) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


class WebSocketReady(NamedTuple):
    """What ``can_prepare()`` answers; unpacks as the aiohttp 0.14 API's ``(ok, protocol)`` pair."""

    ok: bool
    protocol: str | None

    def __bool__(self) -> bool:
        return self.ok


class WebSocketResponse(StreamResponse, Generic[_DecodeText]):
    """Class for handling server-side websockets.

    After starting (by ``start()``/``prepare()``) the response cannot ``write()``: talk to the client with
    ``send_str()``, ``receive_msg()`` and the other websocket methods.

    ``protocols``: subprotocols the server speaks (the first of the client's offer among them is chosen, as in
    aiohttp). ``timeout``: seconds to wait for the peer's close frame before dropping the connection.
    ``receive_timeout``: default timeout of ``receive()``.
    ``autoping``: answer pings (and swallow pongs) automatically. ``heartbeat``: send a ping every so many
    seconds of silence and drop a peer that does not answer within half of it. ``compress``: accept
    permessage-deflate (True, False, a maximum window size in bits, or a ``DeflateOptions``). ``max_msg_size``:
    largest message accepted, after decompression (0: no limit); larger ones close the connection with 1009.
    ``decode_text``: TEXT messages arrive as str (True) or as their UTF-8 bytes (False); the type parameter of
    ``WebSocketResponse[Literal[False]]`` says the same to a type checker. ``autoclose``: answer the peer's close
    frame as soon as the handler has read the messages before it; when False the answer waits for the handler's
    ``close()`` (or its return, or ``timeout``), and the handler may still send until then. ``writer_limit`` is
    accepted for aiohttp 3 compatibility: sends wait for the connection's write buffer to drain below the
    server's high-water mark.
    """

    #: A subclass overrides receive(): ``async for`` then goes through it rather than the inlined copy.
    _custom_receive = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._custom_receive = cls.receive is not WebSocketResponse.receive

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
        writer_limit: int = 256 * 1024,
        decode_text: bool = True,
    ) -> None:
        super().__init__(status=101)
        self._protocols = tuple(protocols)
        self._protocol: str | None = None
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._compress_arg = compress
        if compress is True:
            compress = DeflateOptions()
        elif isinstance(compress, int) and not isinstance(compress, bool) and compress:
            compress = DeflateOptions(server_max_window_bits=compress)
        self._compress: DeflateOptions | None = compress or None
        self._max_msg_size = max_msg_size
        self._writer_limit = writer_limit
        self._decode_text = decode_text
        self._channel: WebSocketChannel | None = None

    # -- the handshake ---------------------------------------------------------------------------------------

    def _handshake(self, request: Request) -> tuple[str, str | None]:
        exchange = request._exchange
        headers = request.headers
        key = check_request(exchange.method, exchange.version, headers)
        protocol = choose_protocol(headers, self._protocols)
        if protocol is None and "Sec-WebSocket-Protocol" in headers:
            # The handshake goes on without a subprotocol (RFC 6455 §4.2.2 item 5.4), which the client may then
            # refuse: aiohttp's warning, in its words, says why.
            web_logger.warning(_NO_OVERLAP, request.remote, offered_protocols(headers), self._protocols)
        return key, protocol

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
        """``can_start()`` under its aiohttp 3 name, answering a ``WebSocketReady(ok, protocol)``. Raises
        RuntimeError once the websocket is started, as aiohttp 3 does."""
        if self._channel is not None:
            raise RuntimeError("Already started")
        return WebSocketReady(*self.can_start(request))

    def start(self, request: Request) -> DrainAwaitable:
        """Start the websocket: answer 101 and take the connection over. Raises ``HTTPBadRequest`` (400) when the
        handshake is invalid; for a protocol version other than 13 (or the drafts' 8 and 7) its
        ``Sec-WebSocket-Version`` field names those (RFC 6455 §4.4)."""
        if self._channel is not None:
            if self._request is not request:
                raise RuntimeError("WebSocketResponse has been started with a different request")
            return DONE
        exchange = request._exchange
        if peer_gone(exchange):
            # aiohttp 3's error and words: the client left while the handler worked before preparing.
            raise ConnectionResetError("Connection lost")
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
        conn = WebSocketConnection(max_msg_size=self._max_msg_size, deflate=deflate, decode_text=self._decode_text)
        self._channel = take_over(
            exchange,
            conn,
            autoping=self._autoping,
            heartbeat=self._heartbeat,
            timeout=self._timeout,
            autoclose=self._autoclose,
        )
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
        return channel is not None and channel.closed

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
    def compress(self) -> bool | int | DeflateOptions:
        """Before the start, the ``compress`` argument; after it, the window size in bits that permessage-deflate
        was negotiated with (the server's, 8-15; 15 unless the client or ``compress`` limited it), or 0 when the
        extension is off, as in aiohttp 3."""
        channel = self._channel
        if channel is None:
            return self._compress_arg
        deflate = channel.conn.deflate
        return 0 if deflate is None else deflate.server_max_window_bits

    def exception(self) -> BaseException | None:
        """The error that ended the connection (a protocol error of the peer, a timeout), if any."""
        return self._channel.exception if self._channel is not None else None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's extra info (``peername``, ``sslcontext``...)."""
        if self._channel is None:
            return default
        return self._channel.get_extra_info(name, default)

    # -- sending: each method does its work when called; the coroutine it returns waits for the drain ----------

    def _open_channel(self) -> WebSocketChannel:
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        if channel.closing:
            raise RuntimeError("websocket connection is closing")
        return channel

    @eager_coroutine
    def send_str(self, data: str, compress: bool | int | None = None) -> EagerCoroutine:
        """Send ``data`` to the peer as a MSG_TEXT message. Raises TypeError if ``data`` is not a str,
        RuntimeError if the websocket is not started or closing. Awaiting the result waits for the drain."""
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        channel = self._channel
        if channel is None or (channel.conn.state != OPEN and channel.closing):  # OPEN: writable, no question
            self._open_channel()  # raises the error that says which
        wait = channel.send(channel.conn.send_text(data, compress is None or bool(compress)))  # type: ignore[union-attr]
        return COMPLETED if wait is None else EagerCoroutine(wait)

    @eager_coroutine
    def send_bytes(self, data: bytes | bytearray | memoryview, compress: bool | int | None = None) -> EagerCoroutine:
        """Send ``data`` to the peer as a MSG_BINARY message. Raises TypeError if ``data`` is not bytes-like,
        RuntimeError if the websocket is not started or closing. Awaiting the result waits for the drain."""
        if type(data) is not bytes:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
            data = bytes(data)
        channel = self._channel
        if channel is None or (channel.conn.state != OPEN and channel.closing):  # OPEN: writable, no question
            self._open_channel()  # raises the error that says which
        frame = channel.conn.send_binary(data, compress is None or bool(compress))  # type: ignore[union-attr]
        wait = channel.send(frame)  # type: ignore[union-attr]
        return COMPLETED if wait is None else EagerCoroutine(wait)

    @eager_coroutine
    def send_json(
        self, data: Any, compress: bool | int | None = None, *, dumps: Callable[[Any], str] = json.dumps
    ) -> EagerCoroutine:
        """Send ``data`` serialised by ``dumps`` as a MSG_TEXT message (aiohttp 3)."""
        return self.send_str(dumps(data), compress)  # type: ignore[no-any-return]

    @eager_coroutine
    def send_json_bytes(
        self, data: Any, compress: bool | int | None = None, *, dumps: Callable[[Any], bytes]
    ) -> EagerCoroutine:
        """Send ``data`` serialised by ``dumps``, an encoder returning bytes (orjson's), as a MSG_BINARY message
        (aiohttp 3)."""
        return self.send_bytes(dumps(data), compress)  # type: ignore[no-any-return]

    @eager_coroutine
    def send_frame(self, message: bytes, opcode: WSMsgType | int, compress: bool | int | None = None) -> EagerCoroutine:
        """Send one frame of ``opcode`` (aiohttp 3): TEXT (``message`` is UTF-8 already) or BINARY as a whole
        message, PING or PONG, or CLOSE, whose ``message`` is a close payload (code and reason) and which starts
        the closing handshake as :meth:`close` does. Raises ValueError for other opcodes."""
        if opcode == _CLOSE:
            code = int.from_bytes(message[:2], "big") if len(message) >= 2 else None
            return self.close(code=code, message=bytes(message[2:]))  # type: ignore[no-any-return]
        channel = self._open_channel()
        conn = channel.conn
        if opcode in (_TEXT, _BINARY):
            frame = conn.send_data(opcode, bytes(message), compress is None or bool(compress))
        elif opcode == _PING:
            frame = conn.send_ping(bytes(message))
        elif opcode == _PONG:
            frame = conn.send_pong(bytes(message))
        else:
            raise ValueError(f"cannot send a frame of opcode {opcode!r}")
        channel.write(frame)
        return _sent(channel)

    @eager_coroutine
    def ping(self, message: str | bytes = b"") -> EagerCoroutine:
        """Send MSG_PING to the peer; ``message`` is str (sent as UTF-8) or bytes, at most 125 bytes.
        Raises RuntimeError if the websocket is not started or closing."""
        channel = self._open_channel()
        channel.write(channel.conn.send_ping(_payload(message)))
        return _sent(channel)

    @eager_coroutine
    def pong(self, message: str | bytes = b"") -> EagerCoroutine:
        """Send an unsolicited MSG_PONG to the peer; ``message`` as for :meth:`ping`."""
        channel = self._open_channel()
        channel.write(channel.conn.send_pong(_payload(message)))
        return _sent(channel)

    @eager_coroutine
    def close(
        self, *, code: int | None = WSCloseCode.OK, message: str | bytes = b"", drain: bool = True
    ) -> EagerCoroutine:
        """Start the closing handshake by sending MSG_CLOSE. Awaiting the result waits for the handshake to finish
        and gives True if this call started it; otherwise the handshake completes on its own as the peer answers
        (the TCP connection closes when the handler returns). A peer that does not answer within ``timeout``
        is dropped: the close code is then 1006 and ``exception()`` a TimeoutError. Raises RuntimeError if the
        websocket is not started. Unlike the aiohttp 0.14 API, closing an already closing websocket is not an
        error (aiohttp 3 code calls ``close()`` after the peer's close). ``drain`` is aiohttp 3's: the close
        frame is written at once either way."""
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        started = channel.close(code, message)
        return EagerCoroutine(None if channel.over else channel.wait_over, started)

    async def wait_closed(self) -> None:
        """Wait for the closing handshake to finish, then raise WebSocketDisconnectedError with the close code
        and reason. For write-only tasks; readers see the close through ``receive_msg()``."""
        channel = self._channel
        if channel is None:
            raise RuntimeError("Call .start() first")
        await channel.wait_over()
        raise WebSocketDisconnectedError(self.close_code, channel.conn.close_reason)

    def write(self, data: Any) -> DrainAwaitable:
        raise RuntimeError("Cannot call .write() for websocket")

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the websocket: close it if the handler did not, and wait for the handshake. Raises
        RuntimeError before the websocket is started (aiohttp 3)."""
        if self._eof_sent:
            return
        if self._channel is None:
            raise RuntimeError("Response has not been started")
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

    @coroutine_function
    def receive(self, timeout: float | None = None) -> Coroutine[Any, Any, Message]:
        """The next message (aiohttp 3): TEXT or BINARY (PING/PONG too without ``autoping``), then CLOSE with
        the peer's code and reason, or ERROR with the peer's protocol error; CLOSED once it is all over."""
        channel = self._channel
        if channel is None:
            return _not_started()
        # The channel's coroutine, not one of ours awaiting it: one coroutine less per message. A timeout leaves
        # the connection as it was: the next receive() gets the next message.
        return channel.next_message(timeout or self._receive_timeout, closed=True)  # type: ignore[return-value]

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
        """The next message, which must be MSG_TEXT (TypeError otherwise): a str, or bytes when the response was
        made with ``decode_text=False``."""
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

    def __aiter__(self) -> WebSocketResponse[_DecodeText]:
        return self

    def __anext__(self) -> Awaitable[Message]:
        channel = self._channel
        if channel is None or self._custom_receive:
            return self._receive_next()
        # receive() without a coroutine of its own: ``async for msg in ws`` awaits the channel's directly, which
        # ends the iteration on the messages _STOP names (the channel hands out CLOSE, or None once finished;
        # never CLOSING or CLOSED).
        return channel.next_message(self._receive_timeout, True)  # type: ignore[return-value]

    async def _receive_next(self) -> Message:
        msg = await self.receive()
        if msg[0] in _STOP:
            raise StopAsyncIteration
        return msg

    def __repr__(self) -> str:
        state = "not started" if self._channel is None else ("closed" if self.closed else "open")
        return f"<WebSocketResponse {state}>"


async def _not_started() -> Message:
    raise RuntimeError("Call .start() first")


def _sent(channel: WebSocketChannel) -> EagerCoroutine:
    """What a send returns: a coroutine waiting for the write buffer to drain, when it holds anything."""
    wait = channel.drain_waiter()
    return COMPLETED if wait is None else EagerCoroutine(wait)


def _payload(message: str | bytes) -> bytes:
    if isinstance(message, str):
        return message.encode("utf-8")
    if isinstance(message, (bytes, bytearray, memoryview)):
        return bytes(message)
    raise TypeError(f"message must be str or bytes ({type(message)!r})")


def _http_error(exc: HandshakeError) -> HTTPException:
    return HTTPBadRequest(headers=dict(exc.headers) or None, text=exc.message)

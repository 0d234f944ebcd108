"""An exchange on a connection with no peer: what ``web.testing.make_mocked_request`` builds a request on.

:func:`detached_exchange` makes a real :class:`~.protocol.HttpProtocol` on a :class:`RecordingTransport`, which
keeps what is written to it instead of sending it, and one :class:`~.exchange.Exchange` on it with the given head and
body. A response answered through the exchange lands in ``transport.written``: a unit test of a handler can prepare
responses and read what would have been sent, without a socket.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .exchange import Exchange, HttpVersion, HttpVersion11
from .protocol import HttpProtocol
from .registry import ConnectionRegistry
from .settings import ServerSettings
from .streams import FlowControlStreamReader

__all__ = ["RecordingTransport", "detached_exchange"]


class RecordingTransport(asyncio.Transport):
    """A transport that sends nothing: what is written collects in :attr:`written`.

    ``get_extra_info`` answers from ``extra`` (``sslcontext`` set when the request is made with one), else
    ``None``, as aiohttp's mocked transport does. :attr:`writes` counts the calls to ``write``, so a test can check
    that a response went out in one (a ``writelines`` call is one write, as a socket's ``writev`` is), and
    :attr:`aborted` tells ``abort`` from ``close``. With ``keep=False`` the bytes are dropped and only counted, for
    a benchmark that pushes millions of requests through a connection.
    """

    def __init__(self, extra: Mapping[str, Any] | None = None, *, keep: bool = True) -> None:
        super().__init__(dict(extra or {}))
        #: Every byte written, in order (nothing with ``keep=False``).
        self.written = bytearray()
        #: How many times ``write`` or ``writelines`` was called.
        self.writes = 0
        #: Whether ``abort`` was called (``close`` is the graceful end; both make :meth:`is_closing` true).
        self.aborted = False
        self._keep = keep
        self._closing = False
        self._protocol: asyncio.BaseProtocol | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes += 1
        if self._keep:
            self.written += data

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        """One write of the buffers in order, without joining them first (asyncio's default joins, a copy)."""
        self.writes += 1
        if self._keep:
            written = self.written
            for data in list_of_data:
                written += data

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def abort(self) -> None:
        self._closing = self.aborted = True

    def can_write_eof(self) -> bool:
        """No peer, no write half to shut: a websocket that fails closes the transport instead."""
        return False

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        """Nothing is buffered: writing never pauses."""

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        """Nothing is read."""

    def resume_reading(self) -> None:
        """Nothing is read."""

    def is_reading(self) -> bool:
        return False

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol  # type: ignore[return-value]


class _NoTimer:
    """A timer set outside any loop, where nothing will run to fire it (the registry's deadline ticker)."""

    def cancel(self) -> None:
        pass

    def cancelled(self) -> bool:
        return True


class _RunningLoop(asyncio.AbstractEventLoop):
    """The event loop that runs when it is used, for an exchange made outside any loop: a synchronous test builds
    the request, then runs its handler with ``asyncio.run`` (aiohttp's ``make_mocked_request`` gives a mock loop
    then). Every method of the loop API is the running loop's at the time of the call (the connection binds
    ``create_task`` when it is made, the stream ``create_future``); outside a loop, ``time()`` is the monotonic clock
    both asyncio's and uvloop's loops read, and a timer set there never fires. A subclass of ``AbstractEventLoop``,
    so that it passes where the compiled build checks the connection's ``loop`` type."""

    def time(self) -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return time.monotonic()

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return _NoTimer()
        return loop.call_later(delay, callback, *args, **kwargs)


def _forward(name: str) -> Callable[..., Any]:
    def method(self: _RunningLoop, *args: Any, **kwargs: Any) -> Any:
        return getattr(asyncio.get_running_loop(), name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


for _name, _value in vars(asyncio.AbstractEventLoop).items():
    if callable(_value) and not _name.startswith("__") and _name not in vars(_RunningLoop):
        setattr(_RunningLoop, _name, _forward(_name))


async def _no_handler(exchange: Exchange) -> None:
    """The mocked connection reads no requests, so it never runs a handler."""


def detached_exchange(
    method: str,
    target: str,
    headers: list[tuple[str, str]],
    *,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    body: bytes | FlowControlStreamReader | Any = b"",
    too_large: Callable[[int, int], BaseException],
    protocol: HttpProtocol | None = None,
    transport: asyncio.Transport | None = None,
    sslcontext: Any = None,
    client_max_size: int | None = 1024**2,
    loop: asyncio.AbstractEventLoop | None,
) -> Exchange:
    """One exchange for ``method`` ``target`` with ``headers`` on ``protocol`` (by default a new connection on
    ``transport``, by default a :class:`RecordingTransport`, https with ``sslcontext``). ``body`` is the whole body,
    or a stream the caller feeds (ours, or any object with its read API, such as aiohttp's ``StreamReader``); a body
    over ``client_max_size``, the server-wide cap of a new connection's settings (None: none), or else over the cap
    of ``protocol``'s, makes the stream raise ``too_large(limit, size)`` (the
    server answers such a body with 413 before any handler runs). ``loop`` None: whichever loop runs when the
    exchange is used (it is made outside any)."""
    if loop is None:
        loop = _RunningLoop()
    made = protocol is None
    if protocol is None:
        settings = ServerSettings(client_max_size=client_max_size or 0)
        protocol = HttpProtocol(_no_handler, settings, ConnectionRegistry(settings), loop)
        protocol.holds = False  # what is answered is in transport.written at once (there is no loop to wait for)
        if transport is None:
            transport = RecordingTransport({"sslcontext": sslcontext} if sslcontext is not None else None)
            transport.set_protocol(protocol)
        protocol.connection_made(transport)
    if not isinstance(body, (bytes, bytearray, memoryview)):
        stream = body  # a stream the caller feeds: ours, or any with its read API (aiohttp's StreamReader)
    else:
        limit = protocol.settings.client_max_size
        stream = FlowControlStreamReader(protocol, loop, limit=limit)
        data = bytes(body)
        if len(data) > limit:
            stream.set_exception(too_large(limit, len(data)))
        else:
            if data:
                stream.feed_data(data)
            stream.feed_eof()
    keep_alive = not closing and version >= HttpVersion11
    upgrade = any(name.lower() == "upgrade" for name, _ in headers) and any(
        name.lower() == "connection" and "upgrade" in value.lower() for name, value in headers
    )
    exchange = Exchange(protocol, method, target, version, headers, keep_alive, upgrade, stream, loop.time())
    if upgrade and made:
        # A websocket's start() takes the connection over as the server's would after parsing this request.
        protocol.stand_in_upgrade(exchange)
    return exchange

"""``make_mocked_request``: aiohttp's ``test_utils.make_mocked_request``, a :class:`~web.Request` without a server.

The request stands on the real connection machinery (an ``HttpProtocol`` and its ``Exchange``), connected to a
:class:`MockedTransport` that keeps what is written to it instead of sending it: a response prepared for the
request writes its head and body there, so a unit test of a handler or a middleware can prepare responses and read
what would have been sent. Useful where serving the application with ``TestServer`` is more than a test needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDict

from server.exchange import Exchange, HttpVersion, HttpVersion11
from server.protocol import HttpProtocol
from server.registry import ConnectionRegistry
from server.settings import ServerSettings
from server.streams import FlowControlStreamReader

from .app import Application
from .exceptions import HTTPRequestEntityTooLarge
from .request import Request
from .router import UrlMappingMatchInfo

__all__ = ["MockedTransport", "make_mocked_request"]


class MockedTransport(asyncio.Transport):
    """A transport that sends nothing: what is written collects in :attr:`written`.

    ``get_extra_info`` answers from ``extra`` (``sslcontext`` set when the request is made with one), else
    ``None``, as aiohttp's mocked transport does.
    """

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(dict(extra or {}))
        #: Every byte written, in order.
        self.written = bytearray()
        self._closing = False
        self._protocol: asyncio.BaseProtocol | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def abort(self) -> None:
        self._closing = True

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


async def _no_handler(exchange: Exchange) -> None:
    """The mocked connection reads no requests, so it never runs a handler."""


def make_mocked_request(
    method: str,
    path: str,
    headers: Any = None,
    *,
    match_info: Mapping[str, str] | None = None,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    app: Application | None = None,
    protocol: HttpProtocol | None = None,
    transport: asyncio.Transport | None = None,
    payload: bytes | FlowControlStreamReader | None = None,
    sslcontext: Any = None,
    client_max_size: int = 1024**2,
    loop: asyncio.AbstractEventLoop | None = None,
    task: asyncio.Task[Any] | None = None,
) -> Request:
    """A :class:`~web.Request` for ``method`` and ``path`` (the request target, with its query) with no server,
    as aiohttp's ``make_mocked_request``.

    ``headers`` is a mapping or pairs; ``match_info`` the matched path parts; ``app`` the application (a new
    ``Application`` by default). ``payload`` is the body: bytes, or a stream the caller feeds. ``transport`` is where
    a response's bytes go (a :class:`MockedTransport` by default; ``sslcontext`` makes the request https);
    ``protocol`` the connection (``request.protocol``), made on ``transport`` by default. ``closing`` (and HTTP/1.0)
    asks for the connection to close after the answer. ``client_max_size`` bounds the body, as the server's
    setting does. ``loop`` defaults to the running loop, which must then exist (aiohttp falls back to a mock).
    ``task`` is ``request.task`` (``None`` by default; aiohttp puts a mock there).

    Unlike aiohttp there is no ``writer`` argument: a response writes through the connection to ``transport``.
    """
    if loop is None:
        loop = asyncio.get_running_loop()
    pairs = list(CIMultiDict(headers or ()).items())
    if protocol is None:
        settings = ServerSettings(client_max_size=client_max_size)
        protocol = HttpProtocol(_no_handler, settings, ConnectionRegistry(settings), loop)
        if transport is None:
            transport = MockedTransport({"sslcontext": sslcontext} if sslcontext is not None else None)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
    if isinstance(payload, FlowControlStreamReader):
        body = payload
    else:
        body = FlowControlStreamReader(protocol, loop, limit=protocol.settings.client_max_size)
        data = bytes(payload or b"")
        limit = protocol.settings.client_max_size
        if len(data) > limit:
            # The server answers such a body with 413 before any handler runs; here the handler reads that error,
            # as aiohttp's request.read() raises it.
            body.set_exception(HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(data)))
        else:
            if data:
                body.feed_data(data)
            body.feed_eof()
    keep_alive = not closing and version >= HttpVersion11
    upgrade = any(name.lower() == "upgrade" for name, _ in pairs) and any(
        name.lower() == "connection" and "upgrade" in value.lower() for name, value in pairs
    )
    exchange = Exchange(protocol, method.upper(), path, version, pairs, keep_alive, upgrade, body, loop.time())
    if app is None:
        app = Application()
    info = UrlMappingMatchInfo(dict(match_info or {}), None)  # type: ignore[arg-type]
    info.add_app(app)
    return Request(exchange, app, info, task=task)

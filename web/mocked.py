"""``make_mocked_request``: aiohttp's ``test_utils.make_mocked_request``, a :class:`~web.Request` without a server.

The request stands on the real connection machinery (see :mod:`server.detached`): an ``HttpProtocol`` and its
``Exchange`` on a transport that keeps what is written to it instead of sending it. A response prepared for the
request writes its head and body there (``request.transport.written``), so a unit test of a handler or a
middleware can prepare responses and read what would have been sent, where serving the application with
``TestServer`` is more than the test needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDict

from server.detached import RecordingTransport, detached_exchange
from server.exchange import HttpVersion, HttpVersion11
from server.protocol import HttpProtocol
from server.streams import FlowControlStreamReader

from .app import Application
from .request import Request, _too_large
from .router import UrlMappingMatchInfo

__all__ = ["RecordingTransport", "make_mocked_request"]


def make_mocked_request(
    method: str,
    path: str,
    headers: Any = None,
    *,
    match_info: Mapping[str, str] | None = None,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    app: Application | None = None,
    protocol: Any = None,
    transport: asyncio.Transport | None = None,
    payload: bytes | FlowControlStreamReader | None = None,
    sslcontext: Any = None,
    client_max_size: int = 1024**2,
    client_max_fields: int | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    task: asyncio.Task[Any] | None = None,
) -> Request:
    """A :class:`~web.Request` for ``method`` and ``path`` (the request target, with its query) with no server,
    as aiohttp's ``make_mocked_request``.

    ``headers`` is a mapping or pairs; ``match_info`` the matched path parts (the route, a ``mock.Mock()`` as
    in aiohttp); ``app`` the application (a new ``Application`` by default). ``payload`` is the body: bytes, or
    a stream the caller feeds (ours, or one with its read API, such as aiohttp's ``StreamReader``, which
    ``request.content`` then is). ``transport`` is where a
    response's bytes go (a ``RecordingTransport`` by default; ``sslcontext`` makes the request https);
    ``protocol`` the connection (``request.protocol``), made on ``transport`` by default; any other object (a
    ``mock.Mock()``, as aiohttp's tests give) is what ``request.protocol`` answers, and its ``transport`` is
    ``request.transport``, while the request stands on a connection of its own. ``closing`` (and HTTP/1.0)
    asks for the connection to close after the answer. ``client_max_size`` bounds what ``request.read()``,
    ``text()``, ``json()`` and ``post()`` collect (413 above it), as in aiohttp; the body stream is not bounded.
    ``client_max_fields`` bounds the fields ``post()`` accepts (by default the application's, else 1000, as in
    aiohttp; 0 or less: none).
    ``loop`` defaults to the running loop; made outside any, the request runs on the loop that later runs its
    handler (a synchronous test's ``asyncio.run``), where aiohttp gives a mock loop. ``task`` is
    ``request.task`` (``None`` by default; aiohttp puts a mock there).

    Unlike aiohttp there is no ``writer`` argument: a response writes through the connection to ``transport``.
    """
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None  # the exchange takes the loop running when it is used
    exchange = detached_exchange(
        method.upper(),
        path,
        list(CIMultiDict(headers or ()).items()),
        version=version,
        closing=closing,
        body=b"" if payload is None else payload,
        too_large=_too_large,  # only a given protocol with a server-wide cap bounds the stream
        protocol=protocol if isinstance(protocol, HttpProtocol) else None,
        transport=transport,
        sslcontext=sslcontext,
        client_max_size=None,
        loop=loop,
    )
    if app is None:
        app = Application()
    # The route matched is a stand-in, as aiohttp's (a mock.Mock(), each attribute another): a middleware under
    # test reads request.match_info.route.resource (aiozipkin's, its canonical) without a router having matched.
    from unittest import mock  # only for mocked requests: `import web` stays without it

    info = UrlMappingMatchInfo(dict(match_info or {}), mock.Mock())
    info.add_app(app)
    if protocol is None or isinstance(protocol, HttpProtocol):
        request = Request(exchange, app, info, task=task, client_max_size=client_max_size)
    else:
        request = _StandInProtocolRequest(exchange, app, info, task=task, client_max_size=client_max_size)
        request._given_protocol = protocol
    if client_max_fields is not None:
        request._cache["client_max_fields"] = client_max_fields  # what request.client_max_fields reads first
    return request


class _StandInProtocolRequest(Request):
    """A mocked request given a stand-in for its connection: ``protocol`` and ``transport`` are the stand-in's,
    as in aiohttp; a response still writes through the request's own connection. A subclass, so that served
    requests carry no slot for it."""

    __slots__ = ("_given_protocol",)

    @property
    def protocol(self) -> Any:
        """The object given as ``protocol``."""
        return self._given_protocol

    @property
    def transport(self) -> Any:
        """The given protocol's ``transport``."""
        return self._given_protocol.transport

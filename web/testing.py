"""Test an application through the real server core: :class:`TestClient`, aiohttp's ``TestClient`` for prefork.

The server is a :class:`TestServer` (an ephemeral port on 127.0.0.1, the same protocol, parser and handler
machinery as production); the client is an ``aiohttp.ClientSession`` whose URLs are relative to it::

    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/items", params={"page": "2"})
        assert resp.status == 200
        assert await resp.json() == [...]

Nothing here needs pytest: any asyncio code can use it. Under pytest, prefork's fixtures (``make_client``,
``aiohttp_client``, ``make_server``... in :mod:`web.pytest_fixtures`) do the setup and the teardown.
Every response and websocket the client opened is released at :meth:`TestClient.close`, so a test that forgets
to read a body leaves no unclosed connection behind (the suite runs with warnings as errors).
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Coroutine, Generator
from typing import Any
from unittest import IsolatedAsyncioTestCase

import aiohttp
import yarl

from ._testserver import RawTestServer as RawTestServer
from ._testserver import TestServer as TestServer
from ._testserver import unused_port as unused_port
from .mocked import make_mocked_request as make_mocked_request

__all__ = ["AioHTTPTestCase", "RawTestServer", "TestClient", "TestServer", "make_mocked_request", "unused_port"]


class _RequestContext(Coroutine[Any, Any, Any]):
    """What :meth:`TestClient.request` returns: await it for the response, or use it with ``async with``.

    ``async with`` releases the response at the end of the block, like aiohttp's own request context manager.
    It is a coroutine too, as aiohttp's is, so ``asyncio.create_task(client.get(...))`` works.
    """

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Any) -> None:
        self._coro = coro
        self._resp: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()

    def send(self, value: Any) -> Any:
        return self._coro.send(value)

    def throw(self, *args: Any) -> Any:
        return self._coro.throw(*args)

    def close(self) -> None:
        self._coro.close()

    async def __aenter__(self) -> Any:
        self._resp = await self._coro
        return self._resp

    async def __aexit__(self, *exc: object) -> None:
        resp, self._resp = self._resp, None
        if resp is None:
            return
        if isinstance(resp, aiohttp.ClientWebSocketResponse):
            await resp.close()
        else:
            resp.release()
            await resp.wait_for_close()


class TestClient:
    """A client for one test server: ``get``, ``post``, ..., ``ws_connect`` take paths, not URLs.

    ``server`` is a :class:`TestServer` (started here if it is not yet) or an Application (served on a new
    TestServer); anything else raises aiohttp's TypeError. ``loop`` (aiohttp's deprecated keyword) is ignored.
    ``cookie_jar`` defaults to an ``aiohttp.CookieJar(unsafe=True)``, because the server's address is
    an IP and the default jar ignores cookies set by IPs. Other keyword arguments go to ``aiohttp.ClientSession``.
    Start it with ``await client.start_server()`` or ``async with``; :meth:`close` closes everything, the
    server included.
    """

    __test__ = False  # not a test class, for pytest's collector

    # aiohttp's TestClient is Generic[Request, Application]: annotations such as TestClient[web.Request,
    # web.Application] (aiohttp-apigami's conftest) must evaluate.
    __class_getitem__ = classmethod(types.GenericAlias)

    def __init__(
        self,
        server: Any,
        *,
        cookie_jar: aiohttp.abc.AbstractCookieJar | None = None,
        loop: Any = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(server, TestServer):
            if not callable(getattr(server, "make_handler", None)):
                raise TypeError(f"server must be TestServer instance, found type: {type(server)!r}")  # aiohttp's
            server = TestServer(server)
        self._server = server
        self._cookie_jar = cookie_jar
        self._session_kwargs = kwargs
        self._session: aiohttp.ClientSession | None = None
        self._responses: list[aiohttp.ClientResponse] = []
        self._websockets: list[aiohttp.ClientWebSocketResponse] = []
        self._closed = False

    # -- life cycle ----------------------------------------------------------------------------------------------

    async def start_server(self) -> None:
        """Start the server (unless it runs already) and open the client session."""
        if self._closed:
            raise RuntimeError("this TestClient is closed; create a new one")
        if not self._server.started:
            await self._server.start()
        if self._session is None:
            jar = self._cookie_jar if self._cookie_jar is not None else aiohttp.CookieJar(unsafe=True)
            self._session = aiohttp.ClientSession(cookie_jar=jar, **self._session_kwargs)

    async def close(self) -> None:
        """Release every response, close every websocket, the session and the server; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for resp in self._responses:
            resp.release()
        for ws in self._websockets:
            await ws.close()
        self._responses.clear()
        self._websockets.clear()
        if self._session is not None:
            await self._session.close()
        await self._server.close()

    def __enter__(self) -> None:
        raise TypeError("Use async with instead")

    def __exit__(self, *exc: object) -> None:
        """Never called: :meth:`__enter__` raises (defined with it, as the protocol pairs them)."""

    async def __aenter__(self) -> TestClient:
        await self.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- what tests read -------------------------------------------------------------------------------------------

    @property
    def server(self) -> Any:
        """The :class:`TestServer` this client talks to."""
        return self._server

    @property
    def app(self) -> Any:
        """The application under test."""
        return self._server.app

    @property
    def host(self) -> str:
        """The server's host (127.0.0.1 unless the TestServer was given another)."""
        return self._server.host

    @property
    def port(self) -> int | None:
        """The server's port: None until started and after :meth:`close`, as in aiohttp."""
        return self._server.port

    @property
    def session(self) -> aiohttp.ClientSession:
        """The underlying ``aiohttp.ClientSession`` (for what the helpers here do not cover)."""
        if self._session is None:
            raise RuntimeError("the TestClient is not started: await client.start_server() or use async with")
        return self._session

    @property
    def scheme(self) -> str:
        """The server's scheme (``"http"``)."""
        return self._server.scheme

    def make_url(self, path: str | yarl.URL) -> yarl.URL:
        """The absolute URL of ``path`` (a path, which may carry a query, or a relative URL) on the test server."""
        return self._server.make_url(path)

    # -- requests --------------------------------------------------------------------------------------------------

    def request(self, method: str, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """Send ``method path``; keyword arguments are ``aiohttp.ClientSession.request``'s (``json``, ``data``,
        ``params``, ``headers``, ``allow_redirects``...). Await the result, or use it with ``async with``."""
        return _RequestContext(self._request(method, path, **kwargs))

    async def _request(self, method: str, path: str | yarl.URL, **kwargs: Any) -> aiohttp.ClientResponse:
        resp = await self.session.request(method, self.make_url(path), **kwargs)
        self._responses.append(resp)
        return resp

    def get(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``GET path`` (see :meth:`request`)."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``POST path`` (see :meth:`request`)."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``PUT path`` (see :meth:`request`)."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``PATCH path`` (see :meth:`request`)."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``DELETE path`` (see :meth:`request`)."""
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``HEAD path`` (see :meth:`request`)."""
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """``OPTIONS path`` (see :meth:`request`)."""
        return self.request("OPTIONS", path, **kwargs)

    def ws_connect(self, path: str | yarl.URL, **kwargs: Any) -> _RequestContext:
        """Open a websocket to ``path``; keyword arguments are ``aiohttp.ClientSession.ws_connect``'s.
        Await the result (an ``aiohttp.ClientWebSocketResponse``), or use it with ``async with``."""
        return _RequestContext(self._ws_connect(path, **kwargs))

    async def _ws_connect(self, path: str | yarl.URL, **kwargs: Any) -> aiohttp.ClientWebSocketResponse:
        ws = await self.session.ws_connect(self.make_url(path), **kwargs)
        self._websockets.append(ws)
        return ws

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._session is not None else "not started"
        return f"<TestClient {self._server.url('')} {state}>"


class AioHTTPTestCase(IsolatedAsyncioTestCase):
    """aiohttp's unittest base class: each test method gets ``self.app``, ``self.server`` and a started
    ``self.client`` (a :class:`TestClient`), and ``self.loop``, the loop it runs in.

    Override ``async def get_application(self)`` to return the application under test (the obsolete ``get_app()``
    is called if it is not); ``get_server(app)`` and ``get_client(server)`` make the server and the client, and
    ``setUpAsync``/``tearDownAsync`` run after and before aiohttp's own set-up and tear-down, as there.
    """

    async def get_application(self) -> Any:
        """The application to test; override it (the default calls :meth:`get_app`)."""
        return self.get_app()

    def get_app(self) -> Any:
        """Obsolete (aiohttp's), the synchronous :meth:`get_application`."""
        raise RuntimeError("Did you forget to define get_application()?")

    async def asyncSetUp(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.setUpAsync()

    async def setUpAsync(self) -> None:
        self.app = await self.get_application()
        self.server = await self.get_server(self.app)
        self.client = await self.get_client(self.server)
        await self.client.start_server()

    async def asyncTearDown(self) -> None:
        await self.tearDownAsync()

    async def tearDownAsync(self) -> None:
        await self.client.close()

    async def get_server(self, app: Any) -> TestServer:
        """The :class:`TestServer` serving ``app``."""
        return TestServer(app)

    async def get_client(self, server: TestServer) -> TestClient:
        """The :class:`TestClient` of ``server``."""
        return TestClient(server)

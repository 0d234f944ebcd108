"""The test servers of :mod:`web.testing`: an application (or a bare handler) on a real socket of this machine.

This module needs neither pytest nor aiohttp: prefork's ``make_server`` fixture serves apps with it in projects
that have no aiohttp client installed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import yarl

from .abc import AbstractMatchInfo, AbstractRouter
from .app import LowLevelApplication

__all__ = ["RawTestServer", "TestServer", "unused_port"]


def unused_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_socket(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
    """A TCP socket of ``family`` bound to ``host``:``port``, as aiohttp's ``get_port_socket`` makes it: the default
    ``socket_factory`` of :class:`TestServer`."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    # aiohttp's option: a port a previous run left in TIME_WAIT can be bound again at once.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class _NotOnTheTestServer(ValueError, AssertionError):
    """An absolute URL given to ``make_url``: a ValueError, and the AssertionError aiohttp's ``assert`` raises."""


class TestServer:
    """An application served on a real socket of this machine by the real server core.

    ``host`` defaults to 127.0.0.1 and ``port`` to one the kernel picks (0 or None); once started, both are the
    bound socket's (``"localhost"`` reads ``"127.0.0.1"``), and ``port`` is None again after :meth:`close`, as in
    aiohttp. ``socket_factory(host, port, family)`` makes the listening socket (aiohttp's keyword; the default binds
    with ``SO_REUSEADDR``, as aiohttp's ``get_port_socket``). ``skip_url_asserts`` (aiohttp's
    keyword) makes :meth:`make_url` append what it is given to the server's root, unchecked. ``loop`` (aiohttp's
    deprecated keyword) is ignored: the server runs in the running loop. Other keyword arguments
    are ``RequestHandlerFactory`` settings (``keepalive_timeout``, ``access_log``...), except
    ``ssl``, an ``ssl.SSLContext`` to serve HTTPS with (aiohttp's ``start_server(ssl=...)``).
    Start it with ``await server.start()`` (aiohttp's name, ``start_server()``, works too) or ``async with``;
    :meth:`close` closes the connections gracefully and runs the app's shutdown, finish and cleanup callbacks.
    """

    __test__ = False  # not a test class, for pytest's collector

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        skip_url_asserts: bool = False,
        socket_factory: Callable[[str, int, socket.AddressFamily], socket.socket] = port_socket,
        loop: Any = None,
        **factory_kwargs: Any,
    ) -> None:
        self._app = app
        self.host = host
        self.port = port
        self.socket_factory = socket_factory
        self.skip_url_asserts = skip_url_asserts
        self.factory_kwargs = factory_kwargs
        self.factory: Any = None
        self.server: asyncio.AbstractServer | None = None
        self._ssl: Any = None
        self._closed = False

    @property
    def app(self) -> Any:
        """The application under test."""
        return self._app

    @property
    def handler(self) -> Any:
        """The ``RequestHandlerFactory`` serving the app (None until started), as aiohttp's ``handler``."""
        return self.factory

    @property
    def scheme(self) -> str:
        """``"https"`` when started with an ``ssl`` context, else ``"http"``."""
        return "https" if self._ssl is not None else "http"

    @property
    def started(self) -> bool:
        """Whether the server is listening."""
        return self.server is not None

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        return self._closed

    async def start(self, **factory_kwargs: Any) -> TestServer:
        """Run the app's ``on_startup`` callbacks and listen; ``factory_kwargs`` add to the constructor's."""
        if self.server is not None:
            return self
        self.factory_kwargs.update(factory_kwargs)
        self._ssl = self.factory_kwargs.pop("ssl", None)
        loop = asyncio.get_running_loop()
        await self._app.startup()
        self.factory = self._app.make_handler(**self.factory_kwargs)
        try:
            version = ipaddress.ip_address(self.host).version
        except ValueError:  # a name: aiohttp binds it as IPv4
            version = 4
        family = socket.AF_INET6 if version == 6 else socket.AF_INET
        sock = self.socket_factory(self.host, self.port or 0, family)
        self.host, self.port = sock.getsockname()[:2]
        self.server = await loop.create_server(self.factory, sock=sock, ssl=self._ssl)
        self._closed = False
        return self

    async def start_server(self, **factory_kwargs: Any) -> None:
        """aiohttp's name for :meth:`start`."""
        await self.start(**factory_kwargs)

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` (which starts with ``/``) as a string."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{path}"

    def make_url(self, path: str | yarl.URL) -> yarl.URL:
        """The absolute URL of ``path``, a path or a relative URL (``"/items?page=2"``); an absolute one is an error.

        A path starting with ``/`` is kept as written (no dot-segment removal), so a test can send any target. With
        ``skip_url_asserts``, ``path`` is appended to the server's root as it is, as aiohttp's ``make_url`` does.
        """
        if self.skip_url_asserts:
            return yarl.URL(self.url("") + str(path))
        url = path if isinstance(path, yarl.URL) else yarl.URL(path)
        if url.absolute:
            raise _NotOnTheTestServer(f"make_url takes a path or a relative URL on the test server, got {str(path)!r}")
        if isinstance(path, str) and path.startswith("/"):
            return yarl.URL(self.url(path))
        return yarl.URL(self.url("")).join(url)

    async def close(self, *, timeout: float = 5.0, grace: float = 0.0) -> None:
        """Stop listening, close the connections (answering what is in flight within ``timeout``) and run the
        app's ``on_shutdown``, ``finish()`` and ``on_cleanup`` callbacks; safe to call twice."""
        if self.server is None:
            self._closed = True
            return
        server, self.server = self.server, None
        self._closed = True
        self.port = None
        server.close()
        await self.factory.shutdown(timeout=timeout, grace=grace)
        await server.wait_closed()
        await self._app.shutdown()
        await self._app.finish()
        await self._app.cleanup()

    def __enter__(self) -> None:
        raise TypeError("Use async with instead")

    def __exit__(self, *exc: object) -> None:
        """Never called: :meth:`__enter__` raises (defined with it, as the protocol pairs them)."""

    async def __aenter__(self) -> TestServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "listening" if self.started else "closed" if self._closed else "not started"
        return f"<{type(self).__name__} {self.url('')} {state}>"


RawHandler = Callable[[Any], Awaitable[Any]]


class _EveryRequest(dict, AbstractMatchInfo):  # type: ignore[type-arg]
    """The match of :class:`_OneHandlerRouter`: every request goes to the one handler, with no path parts."""

    __slots__ = ("_handler",)

    def __init__(self, handler: RawHandler) -> None:
        super().__init__()
        self._handler = handler

    @property
    def handler(self) -> RawHandler:
        return self._handler

    @property
    def route(self) -> None:
        return None


class _OneHandlerRouter(AbstractRouter):
    """A router sending every method and target to one handler: aiohttp's low-level ``web.Server(handler)``."""

    def __init__(self, handler: RawHandler) -> None:
        self._match = _EveryRequest(handler)

    async def resolve(self, request: Any) -> AbstractMatchInfo:
        return self._match


class RawTestServer(TestServer):
    """A bare request handler (``async def handler(request) -> response``, no routing) on a real socket.

    aiohttp's ``RawTestServer``: every request, whatever its method and target, goes to ``handler``; ``app`` is
    None. Keyword arguments are :class:`TestServer`'s; ``debug`` defaults to True, as there.
    """

    def __init__(self, handler: RawHandler, **kwargs: Any) -> None:
        # aiohttp's RawTestServer serves in debug mode: a 500's page carries the traceback.
        kwargs.setdefault("debug", True)
        app = LowLevelApplication()
        # Set, not passed: Application(router=...) is deprecated (aiohttp 3), and this router is no user's.
        app._router = _OneHandlerRouter(handler)
        super().__init__(app, **kwargs)

    @property
    def app(self) -> None:
        """None: a raw server has a handler, not an application (as in aiohttp)."""
        return None

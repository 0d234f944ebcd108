"""The prefork-mode fixtures: aiohttp's ``aiohttp_client``/``aiohttp_server``/``aiohttp_raw_server`` contract,
serving OUR application (or handler).

Registered as a plugin by the compat conftest in prefork mode only, after aiohttp's pytest plugin, so these
definitions take the place of aiohttp's. The client side stays aiohttp's real ``TestClient``/``ClientSession``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import BaseTestServer, TestClient
from yarl import URL


class OurRunner:
    """The life cycle aiohttp's ``AppRunner`` gives an application, with our ``app.make_handler()`` as the server."""

    def __init__(self, app: Any, **handler_kwargs: Any) -> None:
        self.app = app
        self.handler_kwargs = handler_kwargs
        self.server: Any = None
        self._listeners: list[asyncio.AbstractServer] = []

    async def setup(self) -> None:
        await self.app.startup()
        self.server = self.app.make_handler(**self.handler_kwargs)

    async def listen(self, sock: socket.socket, ssl_context: Any) -> asyncio.AbstractServer:
        loop = asyncio.get_running_loop()
        listener = await loop.create_server(self.server, sock=sock, ssl=ssl_context)
        self._listeners.append(listener)
        return listener

    async def cleanup(self) -> None:
        # aiohttp's order (BaseRunner.cleanup): stop listening, on_shutdown, close the connections, on_cleanup.
        for listener in self._listeners:
            listener.close()
        await asyncio.sleep(0)
        await self.app.shutdown()
        await self.server.shutdown(timeout=60.0, grace=0.0)
        for listener in self._listeners:
            await listener.wait_closed()
        await self.app.finish()
        await self.app.cleanup()


class OurRawRunner(OurRunner):
    """The life cycle aiohttp's ``ServerRunner`` gives a low-level server: our ``web.Server(handler)``, no app."""

    def __init__(self, handler: Any, **handler_kwargs: Any) -> None:
        super().__init__(None, **handler_kwargs)
        self.handler = handler

    async def setup(self) -> None:
        import web

        self.server = web.Server(self.handler, **self.handler_kwargs)

    async def cleanup(self) -> None:
        for listener in self._listeners:
            listener.close()
        await self.server.shutdown(timeout=60.0, grace=0.0)
        for listener in self._listeners:
            await listener.wait_closed()


class OurTestServer(BaseTestServer):  # type: ignore[misc]
    """aiohttp's ``TestServer``, serving our application through :class:`OurRunner`."""

    def __init__(self, app: Any, *, scheme: str = "", host: str = "127.0.0.1", port: Any = None, **kw: Any) -> None:
        self.app = app
        super().__init__(scheme=scheme, host=host, port=port, **kw)

    async def _make_runner(self, **kwargs: Any) -> OurRunner:
        return OurRunner(self.app, **kwargs)

    async def start_server(self, loop: Any = None, **kwargs: Any) -> None:
        # BaseTestServer.start_server, with our listener in place of aiohttp's SockSite.
        if self.runner:
            return
        self._loop = loop
        self._ssl = kwargs.pop("ssl", None)
        self.runner = await self._make_runner(handler_cancellation=True, **kwargs)
        await self.runner.setup()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = self.socket_factory(self.host, self.port or 0, family)
        self.host, self.port = sock.getsockname()[:2]
        listener = await self.runner.listen(sock, self._ssl)
        self.port = listener.sockets[0].getsockname()[1]
        if not self.scheme:
            self.scheme = "https" if self._ssl else "http"
        host = f"[{self.host}]" if family == socket.AF_INET6 else self.host
        self._root = URL(f"{self.scheme}://{host}:{self.port}")


class OurRawTestServer(OurTestServer):
    """aiohttp's ``RawTestServer``, serving a bare handler with our ``web.Server``."""

    def __init__(self, handler: Any, **kw: Any) -> None:
        super().__init__(None, **kw)
        self.handler_func = handler

    async def _make_runner(self, debug: bool = True, **kwargs: Any) -> OurRawRunner:
        # aiohttp's RawTestServer serves in debug mode unless told otherwise.
        return OurRawRunner(self.handler_func, debug=debug, **kwargs)


class PreforkFixtures:
    """The fixtures, as a plugin object."""

    @pytest.fixture
    def aiohttp_server(self, loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
        """aiohttp's ``aiohttp_server(app, **kwargs)``, serving our application."""
        servers: list[OurTestServer] = []

        async def go(app: Any, *, host: str = "127.0.0.1", port: Any = None, **kwargs: Any) -> OurTestServer:
            server = OurTestServer(app, host=host, port=port)
            await server.start_server(loop=loop, **kwargs)
            servers.append(server)
            return server

        yield go

        async def finalize() -> None:
            while servers:
                await servers.pop().close()

        loop.run_until_complete(finalize())

    @pytest.fixture
    def aiohttp_raw_server(self, loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
        """aiohttp's ``aiohttp_raw_server(handler, *, port=None, **kwargs)``, serving with our ``web.Server``."""
        servers: list[OurRawTestServer] = []

        async def go(handler: Any, *, port: Any = None, **kwargs: Any) -> OurRawTestServer:
            server = OurRawTestServer(handler, port=port)
            await server.start_server(loop=loop, **kwargs)
            servers.append(server)
            return server

        yield go

        async def finalize() -> None:
            while servers:
                await servers.pop().close()

        loop.run_until_complete(finalize())

    @pytest.fixture
    def aiohttp_client(self, loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
        """aiohttp's ``aiohttp_client(app_or_server, server_kwargs=..., **client_kwargs)``, serving our app."""
        clients: list[TestClient] = []

        async def go(param: Any, *args: Any, server_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> Any:
            assert not args, "args should be empty"
            if isinstance(param, BaseTestServer):
                client = TestClient(param, loop=loop, **kwargs)
            else:
                server = OurTestServer(param, loop=loop, **(server_kwargs or {}))
                client = TestClient(server, loop=loop, **kwargs)
            await client.start_server()
            clients.append(client)
            return client

        yield go

        async def finalize() -> None:
            while clients:
                await clients.pop().close()

        loop.run_until_complete(finalize())

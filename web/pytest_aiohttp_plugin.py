"""aiohttp's own pytest plugin (``aiohttp.pytest_plugin``) serving ``web`` apps: ``aiohttp_client``,
``aiohttp_server`` and ``aiohttp_raw_server`` with that plugin's contract.

aiohttp's plugin runs the tests: its ``loop`` fixture (``--aiohttp-loop``), coroutine tests and fixtures run on it.
Its server fixtures serve aiohttp's ``Application`` only, so a project that keeps ``pytest_plugins =
"aiohttp.pytest_plugin"`` in its conftest and switches to ``import web`` would see ``ValueError: Unknown argument
type``. ``web.pytest_plugin`` registers this module right after aiohttp's plugin, and these take their place:

* ``aiohttp_client(app_or_server_or_factory, *args, server_kwargs=None, **client_kwargs)``: a ``web`` app is served
  on ``web.testing.TestServer(app, **server_kwargs)``, with a started ``web.testing.TestClient``; a factory (any
  other callable) is called as ``factory(loop, *args, **client_kwargs)`` first, as aiohttp does;
* ``aiohttp_server(app, *, host="127.0.0.1", port=None, **factory_kwargs)``: a started ``TestServer``;
* ``aiohttp_raw_server(handler, *, port=None, **factory_kwargs)``: a started ``RawTestServer``.

aiohttp's own applications (and servers) are handed to aiohttp's fixtures, as before. Everything is closed when
the test ends, on the test's loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ._testserver import RawTestServer, TestServer
from .app import Application

__all__ = ["aiohttp_client", "aiohttp_raw_server", "aiohttp_server"]


def _closing(loop: asyncio.AbstractEventLoop, opened: list[Any]) -> None:
    async def close_all() -> None:
        while opened:
            await opened.pop().close()

    loop.run_until_complete(close_all())


@pytest.fixture
def aiohttp_server(aiohttp_server: Callable[..., Any], loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """``await aiohttp_server(app, *, host="127.0.0.1", port=None, **factory_kwargs)`` -> a started server."""
    theirs = aiohttp_server  # the fixture of that name before this one: aiohttp's
    servers: list[TestServer] = []

    async def go(app: Any, *, host: str = "127.0.0.1", port: int | None = None, **kwargs: Any) -> Any:
        if not isinstance(app, Application):
            return await theirs(app, host=host, port=port, **kwargs)
        server = TestServer(app, host=host, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield go
    _closing(loop, servers)


@pytest.fixture
def aiohttp_raw_server(loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """``await aiohttp_raw_server(handler, *, port=None, **factory_kwargs)`` -> a started ``RawTestServer``."""
    servers: list[RawTestServer] = []

    async def go(handler: Any, *, port: int | None = None, **kwargs: Any) -> RawTestServer:
        server = RawTestServer(handler, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield go
    _closing(loop, servers)


@pytest.fixture
def aiohttp_client(aiohttp_client: Callable[..., Any], loop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """``await aiohttp_client(app_or_server_or_factory, *args, server_kwargs=None, **client_kwargs)`` -> a started
    client (see the module's docstring)."""
    from .testing import TestClient

    theirs = aiohttp_client  # the fixture of that name before this one: aiohttp's
    clients: list[Any] = []

    async def go(param: Any, *args: Any, server_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if type(param).__module__.partition(".")[0] == "aiohttp":  # aiohttp's own Application or test server
            return await theirs(param, *args, server_kwargs=server_kwargs, **kwargs)
        if callable(param) and not isinstance(param, Application | TestServer):
            param = param(loop, *args, **kwargs)  # aiohttp's app factory, given the loop
            args, kwargs = (), {}
        assert not args, "args should be empty"  # aiohttp's words
        if isinstance(param, Application):
            client = TestClient(TestServer(param, **(server_kwargs or {})), **kwargs)
        elif isinstance(param, TestServer):
            client = TestClient(param, **kwargs)
        else:
            return await theirs(param, server_kwargs=server_kwargs, **kwargs)
        clients.append(client)
        await client.start_server()
        return client

    yield go
    _closing(loop, clients)

"""pytest-aiohttp's fixtures for prefork's ``web``: tests written for pytest-aiohttp run with only the import changed.

* ``aiohttp_client(app_or_server, *, server_kwargs=None, **client_kwargs)`` -> a started
  :class:`web.testing.TestClient` (``get``, ``post``, ..., ``ws_connect``, ``server``, ``app``, ``make_url``);
* ``aiohttp_server(app, *, host="127.0.0.1", port=None, **factory_kwargs)`` -> a started ``TestServer``;
* ``aiohttp_raw_server(handler, *, port=None, **factory_kwargs)`` -> a started ``RawTestServer``;
* ``aiohttp_unused_port()`` -> a free TCP port on 127.0.0.1;
* ``aiohttp_client_cls`` -> the class ``aiohttp_client`` instantiates (override it for a custom client).

``web.pytest_plugin`` registers this module unless pytest-aiohttp itself is loaded: the names are then
pytest-aiohttp's, for aiohttp's own apps, and prefork's apps use ``make_client``. A project can also list it in
``pytest_plugins``. The async fixtures are pytest-asyncio fixtures, like pytest-aiohttp's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest

from ._testserver import unused_port
from .pytest_fixtures import LoopGuard, async_fixture, client_classes

__all__ = ["aiohttp_client", "aiohttp_client_cls", "aiohttp_raw_server", "aiohttp_server", "aiohttp_unused_port"]


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1."""
    return unused_port


@pytest.fixture
def aiohttp_client_cls() -> type[Any]:
    """The class ``aiohttp_client`` instantiates: :class:`web.testing.TestClient`, or a subclass a test
    module's own ``aiohttp_client_cls`` fixture returns."""
    return client_classes().TestClient


@async_fixture
async def aiohttp_server() -> AsyncIterator[Callable[..., Any]]:
    """``await aiohttp_server(app, *, host="127.0.0.1", port=None, **factory_kwargs)`` -> a started
    ``web.testing.TestServer``; ``factory_kwargs`` are ``RequestHandlerFactory`` settings. Closed after the test."""
    testing = client_classes()
    guard = LoopGuard("aiohttp_server")
    servers: list[Any] = []

    async def factory(app: Any, *, host: str = "127.0.0.1", port: int | None = None, **kwargs: Any) -> Any:
        guard.check()
        server = testing.TestServer(app, host=host, port=port)
        servers.append(server)
        await server.start_server(**kwargs)
        return server

    yield factory
    for server in reversed(servers):
        await server.close()


@async_fixture
async def aiohttp_raw_server() -> AsyncIterator[Callable[..., Any]]:
    """``await aiohttp_raw_server(handler, *, port=None, **factory_kwargs)`` -> a started
    ``web.testing.RawTestServer``: every request goes to ``handler(request)``. Closed after the test."""
    testing = client_classes()
    guard = LoopGuard("aiohttp_raw_server")
    servers: list[Any] = []

    async def factory(handler: Any, *, port: int | None = None, **kwargs: Any) -> Any:
        guard.check()
        server = testing.RawTestServer(handler, port=port)
        servers.append(server)
        await server.start_server(**kwargs)
        return server

    yield factory
    for server in reversed(servers):
        await server.close()


@async_fixture
async def aiohttp_client(aiohttp_client_cls: type[Any]) -> AsyncIterator[Callable[..., Any]]:
    """``await aiohttp_client(app_or_server, *, server_kwargs=None, **client_kwargs)`` -> a started client.

    ``app_or_server`` is an Application (served on a new ``TestServer(app, **server_kwargs)``) or a
    ``TestServer``/``RawTestServer``; ``client_kwargs`` go to the client and its ``aiohttp.ClientSession``.
    Every client is closed after the test, its server and the app's callbacks included.
    """
    testing = client_classes()
    guard = LoopGuard("aiohttp_client")
    clients: list[Any] = []

    async def factory(
        app_or_server: Any, /, *, server_kwargs: Mapping[str, Any] | None = None, **client_kwargs: Any
    ) -> Any:
        guard.check()
        if isinstance(app_or_server, testing.TestServer):
            server = app_or_server
        elif callable(getattr(app_or_server, "make_handler", None)):
            server = testing.TestServer(app_or_server, **(server_kwargs or {}))
        else:
            raise ValueError(f"Unknown argument type: {type(app_or_server)!r}")  # pytest-aiohttp's words
        client = aiohttp_client_cls(server, **client_kwargs)
        clients.append(client)
        await client.start_server()
        return client

    yield factory
    for client in reversed(clients):
        await client.close()

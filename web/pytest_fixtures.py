"""The test-client fixture of prefork's pytest plugin: ``client = await make_client(app)``.

``web.pytest_plugin`` imports :func:`make_client` from here, so every project with prefork installed gets it
(a plugin module cannot use ``pytest_plugins``). Async fixtures run on the test's own uvloop loop, as the plugin
arranges for every async fixture.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

# The module, not its names: web.testing imports web.pytest_plugin, which imports this module at its end, so
# either may be the one still initialising; the names are looked up when a fixture runs.
from . import testing

__all__ = ["make_client"]


async def _application(app: Any) -> Any:
    """An Application as given, or from a factory (sync or async) or an awaitable, as ``prefork APP`` accepts."""
    if callable(getattr(app, "make_handler", None)) or isinstance(app, testing.TestServer):
        return app
    if callable(app):
        app = app()
    if inspect.isawaitable(app):
        app = await app
    if not callable(getattr(app, "make_handler", None)):
        raise TypeError(f"make_client needs an Application, a TestServer or a factory of one, got {app!r}")
    return app


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., Any]]:
    """``await make_client(app, *, server_kwargs=None, **client_kwargs)`` -> a started ``web.testing.TestClient``.

    ``app`` is an Application, a factory returning one (sync or async, like ``create_app``), or a
    ``TestServer``. ``server_kwargs`` go to the TestServer (``host``, and RequestHandlerFactory settings such
    as ``client_max_size`` or ``keepalive_timeout``); ``client_kwargs`` go to the TestClient and its
    ``aiohttp.ClientSession``. Every client is closed after the test, its server and the app's ``on_shutdown``,
    ``finish()`` and ``on_cleanup`` callbacks included.
    """
    clients: list[testing.TestClient] = []

    async def factory(
        app: Any, *, server_kwargs: dict[str, Any] | None = None, **client_kwargs: Any
    ) -> testing.TestClient:
        app = await _application(app)
        server = app if isinstance(app, testing.TestServer) else testing.TestServer(app, **(server_kwargs or {}))
        client = testing.TestClient(server, **client_kwargs)
        clients.append(client)  # before starting: a half-started client is still closed at teardown
        await client.start_server()
        return client

    yield factory
    for client in reversed(clients):
        await client.close()

"""prefork's pytest fixtures: serve an app on a real socket and talk to it with aiohttp's client.

* ``make_server(app, **factory_kwargs)`` -> a started :class:`web.testing.TestServer` on 127.0.0.1;
* ``make_client(app, *, server_kwargs=None, **client_kwargs)`` -> a started :class:`web.testing.TestClient`;
* ``unused_port()`` -> a free TCP port on 127.0.0.1.

Everything a fixture started is closed at the test's teardown. ``web.pytest_plugin`` (the ``pytest11`` entry
point) hands these to every project that installs prefork; :mod:`web.pytest_aiohttp` adds pytest-aiohttp's names.

These are fixtures only. The async ones are pytest-asyncio fixtures (``@pytest_asyncio.fixture``), so they run
on the loop pytest-asyncio gives async fixtures (``asyncio_default_fixture_loop_scope``) in strict and auto mode
alike, and the test that uses them must run on that same loop, as it does by default. Without pytest-asyncio
installed they fail the test that asks for them with one line naming the missing package; the rest of the
project's tests are untouched.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ._testserver import TestServer
from ._testserver import unused_port as _unused_port

try:
    import pytest_asyncio
except ImportError:  # prefork installed without its [pytest] extra
    pytest_asyncio = None

__all__ = ["make_client", "make_server", "unused_port"]

_INSTALL = "pip install 'prefork[pytest]'"


def async_fixture(func: Callable[..., Any]) -> Any:
    """``@pytest_asyncio.fixture``; without pytest-asyncio, a fixture that fails its test with one clear line."""
    if pytest_asyncio is not None:
        return pytest_asyncio.fixture(func)
    name = func.__name__

    def missing() -> None:
        pytest.fail(f"prefork's {name} fixture needs pytest-asyncio: {_INSTALL}", pytrace=False)

    missing.__doc__ = func.__doc__
    return pytest.fixture(name=name)(missing)


def client_classes() -> Any:
    """``web.testing`` (aiohttp's client); a missing aiohttp fails the test with one clear line."""
    try:
        from . import testing
    except ImportError as exc:
        missing = str(exc)
    else:
        return testing
    pytest.fail(f"prefork's test client needs aiohttp ({missing}): {_INSTALL}", pytrace=False)


class LoopGuard:
    """Remembers the loop a fixture was set up on, and refuses calls from a test running on another one.

    A server started on one loop and a client on another would hang or fail deep inside asyncio; this names
    the cause instead: the fixture's loop scope and the test's loop scope differ.
    """

    __slots__ = ("loop", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.loop = asyncio.get_running_loop()

    def check(self) -> None:
        if asyncio.get_running_loop() is not self.loop:
            raise RuntimeError(
                f"{self.name} was set up on another event loop than the one this test runs on: give async "
                "fixtures and tests the same loop scope (asyncio_default_fixture_loop_scope, "
                "asyncio_default_test_loop_scope, or @pytest.mark.asyncio(loop_scope=...))"
            )


async def application(app: Any, testing: Any, name: str) -> Any:
    """An Application or a TestServer as given, or the Application from a factory (sync or async) or an
    awaitable, as ``prefork APP`` accepts."""
    if callable(getattr(app, "make_handler", None)) or isinstance(app, testing.TestServer):
        return app
    if callable(app):
        app = app()
    if inspect.isawaitable(app):
        app = await app
    if not callable(getattr(app, "make_handler", None)):
        raise TypeError(f"{name} needs an Application, a TestServer or a factory of one, got {app!r}")
    return app


@pytest.fixture
def unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1."""
    return _unused_port


@async_fixture
async def make_server() -> AsyncIterator[Callable[..., Any]]:
    """``await make_server(app, **factory_kwargs)`` serves ``app`` on 127.0.0.1 -> a started ``TestServer``.

    ``factory_kwargs`` are the TestServer's (``host``, ``port``) and ``RequestHandlerFactory`` settings. Every
    server is closed after the test, the app's shutdown, finish and cleanup callbacks included.
    """
    guard = LoopGuard("make_server")
    servers: list[TestServer] = []

    async def factory(app: Any, **kwargs: Any) -> TestServer:
        guard.check()
        server = TestServer(app, **kwargs)
        servers.append(server)  # before starting: a half-started server is still closed at teardown
        await server.start()
        return server

    yield factory
    for server in reversed(servers):
        await server.close()


@async_fixture
async def make_client() -> AsyncIterator[Callable[..., Any]]:
    """``await make_client(app, *, server_kwargs=None, **client_kwargs)`` -> a started ``web.testing.TestClient``.

    ``app`` is an Application, a factory returning one (sync or async, like ``create_app``), or a
    ``TestServer``. ``server_kwargs`` go to the TestServer (``host``, and RequestHandlerFactory settings such
    as ``keepalive_timeout``); ``client_kwargs`` go to the TestClient and its
    ``aiohttp.ClientSession``. Every client is closed after the test, its server and the app's ``on_shutdown``,
    ``finish()`` and ``on_cleanup`` callbacks included.
    """
    testing = client_classes()
    guard = LoopGuard("make_client")
    clients: list[Any] = []

    async def factory(app: Any, *, server_kwargs: dict[str, Any] | None = None, **client_kwargs: Any) -> Any:
        guard.check()
        app = await application(app, testing, "make_client")
        server = app if isinstance(app, testing.TestServer) else testing.TestServer(app, **(server_kwargs or {}))
        client = testing.TestClient(server, **client_kwargs)
        clients.append(client)  # before starting: a half-started client is still closed at teardown
        await client.start_server()
        return client

    yield factory
    for client in reversed(clients):
        await client.close()

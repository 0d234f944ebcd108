"""prefork's pytest plugin: runs ``async def`` tests on a fresh uvloop loop and serves apps on real sockets.

Registered through the ``pytest11`` entry point, so an installed prefork gives every project these fixtures:

* ``unused_port()`` -> a free TCP port on 127.0.0.1;
* ``make_server(app, **factory_kwargs)`` -> a running :class:`TestServer` on 127.0.0.1 (closed at teardown).

An ``async def`` test runs in its own uvloop event loop (unless pytest-asyncio or another plugin claims it).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import uvloop

__all__ = ["TestServer"]


class TestServer:
    """An application served on a real socket of this machine by the real server core."""

    __test__ = False  # not a test class, for pytest's collector

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, **factory_kwargs: Any) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.factory_kwargs = factory_kwargs
        self.factory: Any = None
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> TestServer:
        loop = asyncio.get_running_loop()
        await self.app.startup()
        self.factory = self.app.make_handler(**self.factory_kwargs)
        self.server = await loop.create_server(self.factory, self.host, self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    async def close(self, *, timeout: float = 5.0, grace: float = 0.0) -> None:
        if self.server is None:
            return
        server, self.server = self.server, None
        server.close()
        await self.factory.shutdown(timeout=timeout, grace=grace)
        await server.wait_closed()
        await self.app.shutdown()
        await self.app.finish()
        await self.app.cleanup()

    async def __aenter__(self) -> TestServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1."""
    return _free_port


@pytest.fixture
async def make_server() -> AsyncIterator[Callable[..., Any]]:
    """``await make_server(app, **factory_kwargs)`` serves ``app`` on 127.0.0.1; closed after the test."""
    servers: list[TestServer] = []

    async def factory(app: Any, **kwargs: Any) -> TestServer:
        server = TestServer(app, **kwargs)
        await server.start()
        servers.append(server)
        return server

    yield factory
    for server in reversed(servers):
        await server.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "prefork_loop: run this async test on prefork's uvloop runner")


def _uses_other_async_plugin(pyfuncitem: pytest.Function) -> bool:
    return pyfuncitem.get_closest_marker("asyncio") is not None or pyfuncitem.get_closest_marker("anyio") is not None


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a coroutine test function, and its async fixtures, on a new uvloop loop."""
    func = pyfuncitem.obj
    if not inspect.iscoroutinefunction(func) or _uses_other_async_plugin(pyfuncitem):
        return None
    kwargs = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    _runner_for(pyfuncitem).run(func(**kwargs))
    return True


# Async fixtures (async generator / coroutine fixtures) run on the same loop as the test that uses them.
_RUNNERS: dict[int, asyncio.Runner] = {}


def _runner_for(item: Any) -> asyncio.Runner:
    key = id(item)
    runner = _RUNNERS.get(key)
    if runner is None:
        runner = _RUNNERS[key] = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    return runner


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    _CURRENT.append(item)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Any:
    yield
    _CURRENT[:] = [i for i in _CURRENT if i is not item]
    runner = _RUNNERS.pop(id(item), None)
    if runner is not None:
        runner.close()


_CURRENT: list[Any] = []


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> None:
    """Wrap async fixtures once so that they run on the loop of the test being set up."""
    func = fixturedef.func
    if getattr(func, "_prefork_wrapped", False):
        return
    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        def sync_gen(*args: Any, **kwargs: Any) -> Any:
            runner = _current_runner(fixturedef.argname)
            agen = func(*args, **kwargs)
            value = runner.run(agen.__anext__())
            yield value
            with contextlib.suppress(StopAsyncIteration):
                runner.run(agen.__anext__())

        wrapped: Any = sync_gen
    elif inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        def sync_call(*args: Any, **kwargs: Any) -> Any:
            return _current_runner(fixturedef.argname).run(func(*args, **kwargs))

        wrapped = sync_call
    else:
        return
    wrapped._prefork_wrapped = True
    fixturedef.func = wrapped


def _current_runner(argname: str) -> asyncio.Runner:
    if not _CURRENT:
        raise RuntimeError(f"async fixture {argname!r} must be function-scoped")
    return _runner_for(_CURRENT[-1])


# ``make_client`` needs the aiohttp client (prefork's [test] extra); without it the plugin still gives
# ``make_server`` and async tests instead of breaking every pytest run of a project that installed prefork.
try:
    from .pytest_fixtures import make_client as make_client
except ImportError:  # pragma: no cover - aiohttp not installed
    pass

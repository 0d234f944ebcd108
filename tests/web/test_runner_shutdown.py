"""web.run_app in this process, as aiohttp 3 runs it: the loop it is given, the banner, and the graceful stop.

The stop follows aiohttp's ``AppRunner.cleanup``: the listeners close, ``on_shutdown`` runs, then the connections
drain within ``shutdown_timeout`` (a handler still running is waited for, and cancelled at the timeout), then
``on_cleanup``. Each test's client runs inside the served loop, from a ``cleanup_ctx``, and stops the run with
SIGINT, which run_app's own handler turns into the graceful stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

import web


def serve(
    app: web.Application, client: Callable[[int], Awaitable[None]], **kwargs: Any
) -> tuple[list[str], asyncio.AbstractEventLoop]:
    """Run ``app`` on a free port with run_app until ``client(port)`` sends SIGINT; return the banner's calls."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    ready = asyncio.Event()
    banner: list[str] = []
    outcome: list[asyncio.Task[None]] = []

    async def run_client(app: web.Application) -> AsyncIterator[None]:
        async def go() -> None:
            await ready.wait()
            await client(port)

        outcome.append(asyncio.create_task(go()))
        yield
        await outcome[0]

    def printer(text: str) -> None:
        banner.append(text)
        ready.set()

    app.cleanup_ctx.append(run_client)
    loop = asyncio.new_event_loop()
    with sock:
        web.run_app(app, sock=sock, print=printer, loop=loop, access_log=None, **kwargs)
    assert outcome[0].exception() is None
    return banner, loop


def stop_soon() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_the_loop_given_is_used_and_closed_and_the_banner_is_one_call():
    async def client(port: int) -> None:
        stop_soon()

    app = web.Application()
    banner, loop = serve(app, client)
    assert loop.is_closed()
    assert len(banner) == 1
    assert banner[0].startswith("======== Running on http://127.0.0.1:")
    assert banner[0].endswith(" ========\n(Press CTRL+C to quit)")


def test_on_shutdown_runs_before_the_handlers_are_waited_for():
    events: list[str] = []
    started = asyncio.Event()
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        started.set()
        await release.wait()  # set by on_shutdown: the drain must not come first
        await asyncio.sleep(0.2)
        events.append("handler done")
        return web.Response(text="late")

    async def on_shutdown(app: web.Application) -> None:
        events.append("shutdown")
        release.set()

    async def client(port: int) -> None:
        async with aiohttp.ClientSession() as session:
            pending = asyncio.create_task(session.get(f"http://127.0.0.1:{port}/"))
            await started.wait()
            stop_soon()
            async with await pending as resp:
                assert await resp.text() == "late"
                assert resp.headers["Connection"] == "close"

    app = web.Application()
    app.router.add_get("/", handler)
    app.on_shutdown.append(on_shutdown)
    serve(app, client, shutdown_timeout=5)
    assert events == ["shutdown", "handler done"]


def test_a_handler_still_running_at_the_timeout_is_cancelled():
    started = asyncio.Event()
    cancelled: list[bool] = []

    async def handler(request: web.Request) -> web.Response:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return web.Response()  # pragma: no cover

    async def client(port: int) -> None:
        async with aiohttp.ClientSession() as session:
            pending = asyncio.create_task(session.get(f"http://127.0.0.1:{port}/"))
            await started.wait()
            stop_soon()
            with contextlib.suppress(aiohttp.ClientError):
                await pending

    app = web.Application()
    app.router.add_get("/", handler)
    start = time.monotonic()
    serve(app, client, shutdown_timeout=0.3)
    assert cancelled == [True]
    assert time.monotonic() - start < 5


def test_new_connections_are_refused_during_the_shutdown():
    started = asyncio.Event()
    refused: list[bool] = []
    ports: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(0.3)
        return web.Response()

    async def on_shutdown(app: web.Application) -> None:
        port = ports[0]
        with pytest.raises(aiohttp.ClientConnectorError):
            async with aiohttp.ClientSession() as session:
                await session.get(f"http://127.0.0.1:{port}/")
        refused.append(True)

    async def client(port: int) -> None:
        ports.append(port)
        async with aiohttp.ClientSession() as session:
            pending = asyncio.create_task(session.get(f"http://127.0.0.1:{port}/"))
            await started.wait()
            stop_soon()
            async with await pending as resp:
                assert resp.status == 200

    app = web.Application()
    app.router.add_get("/", handler)
    app.on_shutdown.append(on_shutdown)
    serve(app, client, shutdown_timeout=5)
    assert refused == [True]


def test_with_handler_cancellation_a_client_going_away_cancels_and_the_shutdown_waits_for_the_handler():
    # aiohttp's handler_cancellation: the client's timeout closes its connection, which cancels the handler; one
    # that goes on after its cancellation is still waited for by the graceful stop, within shutdown_timeout.
    actions: list[str] = []
    suppressed = asyncio.Event()
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            actions.append("cancelled")
            suppressed.set()
            await release.wait()
            await asyncio.sleep(0.2)
            actions.append("done")
        return web.Response()

    async def on_shutdown(app: web.Application) -> None:
        release.set()

    async def client(port: int) -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.get(f"http://127.0.0.1:{port}/", timeout=aiohttp.ClientTimeout(total=0.2))
        await asyncio.wait_for(suppressed.wait(), 5)
        stop_soon()

    app = web.Application()
    app.router.add_get("/", handler)
    app.on_shutdown.append(on_shutdown)
    serve(app, client, shutdown_timeout=5, handler_cancellation=True)
    assert actions == ["cancelled", "done"]

"""Every handler, middleware and websocket handler runs inside a real ``asyncio.Task`` from its first line.

Libraries key on the current task (``asyncio.timeout``, ``TaskGroup``, ``wait_for``, aiohttp's client), so a handler
must never run outside one, not even before its first suspension. Each request starts in a copy of the connection's
context, as a task created for it would. Checked on both loops the server runs on, on real sockets.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import socket
import struct
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import pytest
import uvloop

from server.detached import RecordingTransport
from web import Application, Response, WebSocketResponse, middleware
from web.pytest_plugin import TestServer

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}

request_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_var", default="unset")


@pytest.fixture(params=sorted(LOOPS))
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """``run(coro)`` runs ``coro`` to completion on a fresh loop of the parametrized kind."""

    def runner(coro: Coroutine[Any, Any, Any]) -> Any:
        with asyncio.Runner(loop_factory=LOOPS[request.param]) as r:
            return r.run(asyncio.wait_for(coro, 10))

    return runner


def _app() -> tuple[Application, dict[str, Any]]:
    seen: dict[str, Any] = {}

    @middleware
    async def remember(request, handler):
        seen.setdefault("middleware_task", asyncio.current_task())
        seen.setdefault("inherited", []).append(request_var.get())
        request_var.set(request.path)
        return await handler(request)

    async def first_line(request):
        seen["handler_task"] = asyncio.current_task()
        return Response(text="task" if asyncio.current_task() is not None else "none")

    async def timeout(request):
        async with asyncio.timeout(1):
            await asyncio.sleep(0)
        return Response(text="timeout")

    async def task_group(request):
        async with asyncio.TaskGroup() as tg:
            child = tg.create_task(asyncio.sleep(0, "child"))
        return Response(text=f"taskgroup {child.result()}")

    async def wait_for(request):
        value = await asyncio.wait_for(asyncio.sleep(0, "waited"), 1)
        return Response(text=value)

    async def shield(request):
        value = await asyncio.shield(asyncio.sleep(0, "shielded"))
        return Response(text=value)

    async def var(request):
        # After a suspension: a handler continued on the loop still sees its own request's context.
        await asyncio.sleep(0)
        return Response(text=request_var.get())

    async def sync(request):
        return Response(text=f"sync {request.query.get('id', '')}")

    async def client(request):
        # An aiohttp client call as the first await: it runs timeouts of its own on the current task.
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{seen['port']}/") as r:
            return Response(text=f"client {await r.text()}")

    async def websocket(request):
        seen["ws_task"] = asyncio.current_task()
        ws = WebSocketResponse(receive_timeout=5)
        await ws.prepare(request)
        msg = await ws.receive()
        await ws.send_str(f"{msg.data} {asyncio.current_task() is seen['ws_task']}")
        await ws.close()
        return ws

    app = Application(middlewares=[remember])
    app.router.add_get("/", first_line)
    for path, handler in [
        ("/timeout", timeout),
        ("/taskgroup", task_group),
        ("/wait_for", wait_for),
        ("/shield", shield),
        ("/var", var),
        ("/sync", sync),
        ("/client", client),
        ("/ws", websocket),
    ]:
        app.router.add_get(path, handler)
    return app, seen


async def _get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}{path}") as resp:
        return resp.status, await resp.text()


def test_handler_and_middleware_run_in_a_task_from_their_first_line(run):
    async def main() -> None:
        app, seen = _app()
        async with TestServer(app) as server:
            assert await _get(server.port, "/") == (200, "task")
        assert seen["middleware_task"] is not None
        assert seen["handler_task"] is seen["middleware_task"]

    run(main())


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/timeout", "timeout"),
        ("/taskgroup", "taskgroup child"),
        ("/wait_for", "waited"),
        ("/shield", "shielded"),
        ("/client", "client task"),
    ],
)
def test_task_bound_helpers_work_as_the_first_statement(run, path, text):
    async def main() -> None:
        app, seen = _app()
        async with TestServer(app) as server:
            seen["port"] = server.port  # not app["port"]: a started application is not to change (aiohttp warns)
            assert await _get(server.port, path) == (200, text)

    run(main())


def test_websocket_handler_runs_in_a_task_from_its_first_line(run):
    async def main() -> None:
        app, seen = _app()
        async with (
            TestServer(app) as server,
            aiohttp.ClientSession() as session,
            session.ws_connect(f"http://127.0.0.1:{server.port}/ws") as ws,
        ):
            await ws.send_str("hi")
            assert (await ws.receive(timeout=5)).data == "hi True"
        assert seen["ws_task"] is not None

    run(main())


async def _pipeline(port: int, paths: list[str]) -> list[bytes]:
    """Send GETs for ``paths`` in one write on one connection; return each response's body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"".join(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % p.encode() for p in paths))
        bodies = []
        for _ in paths:
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            bodies.append(await reader.readexactly(length))
        return bodies
    finally:
        writer.close()


def test_a_middleware_contextvar_reaches_the_handler_and_not_the_next_request(run):
    async def main() -> None:
        app, seen = _app()
        async with TestServer(app) as server:
            assert await _pipeline(server.port, ["/var", "/var", "/sync", "/var"]) == [
                b"/var",
                b"/var",
                b"sync ",
                b"/var",
            ]
        # Every request on the keep-alive connection started from the connection's context, not the last one's.
        assert seen["inherited"] == ["unset"] * 4

    run(main())


def test_handlers_that_never_wait_answer_pipelined_requests_in_order(run):
    async def main() -> None:
        app, _ = _app()
        paths = [f"/sync?id={i}" for i in range(20)]
        paths[7] = "/var"  # one that waits, among those that never do
        async with TestServer(app) as server:
            bodies = await _pipeline(server.port, paths)
        assert bodies == [b"/var" if p == "/var" else f"sync {p[9:]}".encode() for p in paths]

    run(main())


@pytest.mark.parametrize("cancellation", [True, False])
def test_handler_cancellation_cancels_the_handler_task_when_the_client_goes(run, cancellation):
    async def main() -> None:
        started, outcome = asyncio.Event(), asyncio.get_running_loop().create_future()

        async def wait(request):
            started.set()
            try:
                await asyncio.sleep(1)  # the point: a handler still running when its client goes
            except asyncio.CancelledError:
                outcome.set_result("cancelled")
                raise
            outcome.set_result("finished")
            return Response(text="late")

        app = Application()
        app.router.add_get("/wait", wait)
        async with TestServer(app, handler_cancellation=cancellation) as server:
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
            await started.wait()
            # A reset, not a FIN: a half-closed client may still read its answer (RFC 9112 §9.6).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            assert await outcome == ("cancelled" if cancellation else "finished")

    run(main())


def test_a_handler_runs_in_the_loops_next_turn_not_inside_data_received(run):
    # As aiohttp's handlers run (from their connection's task): data_received only parses and schedules, so a loop
    # turn reads every ready connection before any handler runs (server/tasks.py has the measurements).
    async def main() -> None:
        app, _ = _app()
        protocol = app.make_handler()()
        transport = RecordingTransport({"peername": ("127.0.0.1", 1)})
        protocol.connection_made(transport)
        protocol.data_received(b"GET /sync?id=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        assert transport.written == b""
        await protocol._task
        assert transport.written.endswith(b"sync 1")
        protocol.connection_lost(None)

    run(main())


# The task of a request settles it at its end (server/answer.py), not in a done callback: how the task ends, and
# what the loop hears of it, is as the handler ended.

_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"


def _raw_protocol(handler: Callable[[Any], Coroutine[Any, Any, None]], **settings: Any) -> Any:
    from server.protocol import HttpProtocol
    from server.registry import ConnectionRegistry
    from server.settings import ServerSettings

    server_settings = ServerSettings.from_kwargs(**settings)
    protocol = HttpProtocol(handler, server_settings, ConnectionRegistry(server_settings))
    transport = RecordingTransport({"peername": ("127.0.0.1", 1)})
    protocol.connection_made(transport)
    return protocol, transport


@pytest.mark.parametrize("raised", [RuntimeError("boom"), ConnectionResetError("gone")])
def test_a_handler_error_is_settled_and_its_task_ends_quietly(run, raised):
    async def main() -> None:
        loop = asyncio.get_running_loop()
        heard: list[dict[str, Any]] = []
        loop.set_exception_handler(lambda _loop, context: heard.append(context))

        async def handler(exchange):
            raise raised

        protocol, transport = _raw_protocol(handler)
        started: list[asyncio.Task[None]] = []
        start = protocol._start_task
        protocol._start_task = lambda coro, context: started.append(start(coro, context=context)) or started[-1]
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
        [task] = started
        await asyncio.gather(task, return_exceptions=True)
        # Settled by the task itself (server/answer.py), which ends quietly: the error was answered.
        assert task.done() and not task.cancelled() and task.exception() is None
        if isinstance(raised, ConnectionResetError):
            assert transport.written == b""  # the client is gone: aborted, nothing sent
        else:
            assert transport.written.startswith(b"HTTP/1.1 500 ") and b"Connection: close" in transport.written
        assert transport.is_closing() and protocol._task is None and not heard  # no "exception was never retrieved"

    run(main())


def test_a_cancelled_handler_leaves_its_task_cancelled(run):
    async def main() -> None:
        started = asyncio.Event()

        async def handler(exchange):
            started.set()
            await asyncio.sleep(10)

        protocol, _transport = _raw_protocol(handler, handler_cancellation=True)
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        task = protocol._task
        await started.wait()
        protocol.connection_lost(None)
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled() and protocol._task is None

    run(main())


@pytest.mark.parametrize(
    ("requests", "answers"),
    [
        (b"GET /1 HTTP/1.1\r\nHost: t\r\n\r\n" * 3, 3),
        # The answer that announces the close is the last one, even with requests queued behind it.
        (b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" * 2, 2),
    ],
)
def test_each_task_starts_the_next_queued_request_in_order(run, requests, answers):
    # No done callback follows a handler: the task of each request starts the next one at its end (server/answer.py).
    async def main() -> None:
        seen: list[str] = []

        async def handler(exchange):
            seen.append(exchange.target)
            exchange.send(200, _HEAD, b"ok", keep_alive=exchange.keep_alive)

        protocol, transport = _raw_protocol(handler)
        protocol.data_received(requests)
        while (task := protocol._task) is not None:
            await task
        assert transport.written.count(b"HTTP/1.1 200 OK") == answers == len(seen)
        assert not protocol.queue or transport.is_closing()

    run(main())


def _eager_task(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
    # asyncio.eager_task_factory's task, on asyncio's loop and uvloop's alike.
    kwargs.pop("eager_start", None)
    return asyncio.Task(coro, loop=loop, eager_start=True, **kwargs)  # type: ignore[call-arg]


@pytest.mark.skipif(sys.version_info < (3, 12), reason="an eager start (eager_start=True) is Python 3.12's")
def test_a_loop_whose_tasks_start_eagerly_answers_every_request_of_a_connection(run):
    # An application may set asyncio.eager_task_factory: a handler that never waits has then ended when its task is
    # returned. The connection went on with no request after the first (its finished task was kept as running).
    async def main() -> None:
        asyncio.get_running_loop().set_task_factory(_eager_task)
        app, seen = _app()
        paths = [f"/sync?id={i}" for i in range(20)]
        paths[7] = "/var"  # one that waits, among those that never do
        async with TestServer(app) as server:
            seen["port"] = server.port
            bodies = await _pipeline(server.port, paths)
            async with aiohttp.ClientSession() as session:
                for i in range(3):  # one keep-alive connection, one request after another
                    async with session.get(f"http://127.0.0.1:{server.port}/sync?id={i}") as resp:
                        assert await resp.text() == f"sync {i}"
            assert await _get(server.port, "/client") == (200, "client task")
        assert bodies == [b"/var" if p == "/var" else f"sync {p[9:]}".encode() for p in paths]

    run(main())


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the transports the closed loop leaves, collected with it
@pytest.mark.parametrize("loop_kind", sorted(LOOPS))
def test_a_pending_handler_collected_with_its_closed_loop_settles_nothing(loop_kind, monkeypatch):
    # A harness that closes its loop without cancelling the tasks left on it: the pending handler's task, the
    # connection and the registry are collected together, and Python closes the task's coroutine (GeneratorExit).
    # The request task settled the exchange from inside that finalizer, and on asyncio's loop its abort() raised
    # "Event loop is closed" into sys.unraisablehook.
    unraisable: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unraisable.append(u.exc_value))
    errors: list[str] = []

    class Errors(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.ERROR and not record.getMessage().startswith("Task was destroyed"):
                errors.append(record.getMessage())  # (that one is asyncio's own, for any pending task collected)

    catch = Errors()
    logging.getLogger().addHandler(catch)
    try:
        _leave_a_handler_pending_on_a_closed_loop(LOOPS[loop_kind]())
        gc.collect()
    finally:
        logging.getLogger().removeHandler(catch)
    assert [e for e in unraisable if not isinstance(e, ResourceWarning)] == []
    assert errors == []


def _leave_a_handler_pending_on_a_closed_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Serve one request whose handler waits for ever, close ``loop`` with it pending, and drop every reference."""
    started = asyncio.Event()

    async def pending(request):
        started.set()
        await asyncio.Event().wait()

    async def main() -> socket.socket:
        app = Application()
        app.router.add_get("/", pending)
        server = await asyncio.get_running_loop().create_server(app.make_handler(), "127.0.0.1", 0)
        client = socket.create_connection(server.sockets[0].getsockname()[:2])
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await started.wait()
        return client

    loop.run_until_complete(main()).close()
    loop.close()

"""Answers held for the end of the loop's pass (``HttpProtocol.hold``) reach the wire as answers written at once.

A whole answer on a kept-alive connection is written after the other handlers of its pass, with their answers.
Whatever else is written to the connection in between, or closes it, sends the held answer first: each case below
runs with answers held and with every answer written at once (``protocol.holds = False``), and the bytes, their
order and how the connection ends must be the same. Each case acts while the answer is held, which it checks.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from collections.abc import Callable
from typing import Any

import pytest

import web
from server.detached import RecordingTransport
from server.registry import release_all_held

GET = b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n"


def _app() -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=f"answer {request.path}")

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(b"streamed")
        return response

    async def upload(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_get("/a", answer)
    app.router.add_get("/b", answer)
    app.router.add_get("/stream", stream)
    app.router.add_post("/upload", upload)
    return app


def _broken(protocol: Any) -> None:
    protocol.data_received(b"GET /b HTTP/1.1\r\nHost: t\r\nno colon\r\n\r\n")


def _upload_with_continue(protocol: Any) -> bytes:
    protocol.data_received(b"POST /upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
    return b"body"  # sent once the handler waits for it (after its 100 Continue)


# What happens while the first answer is held; a case may return bytes to send once the handlers wait.
CASES: dict[str, Callable[[Any], bytes | None]] = {
    "a broken request follows": _broken,
    "the connection closes (an idle deadline, a drain)": lambda protocol: protocol.close(),
    "the connection is aborted": lambda protocol: protocol.abort(),
    "force_close()": lambda protocol: protocol.force_close(),
    "a pipelined request follows": lambda protocol: protocol.data_received(b"GET /b HTTP/1.1\r\nHost: t\r\n\r\n"),
    "a streamed answer follows": lambda protocol: protocol.data_received(b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"),
    "an upload with 100-continue follows": _upload_with_continue,
    "a worker's abort writes what is held": lambda protocol: release_all_held(),
}


def _eager_task(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
    kwargs.pop("eager_start", None)
    return asyncio.Task(coro, loop=loop, eager_start=True, **kwargs)  # type: ignore[call-arg]


async def _wire(act: Callable[[Any], bytes | None], holds: bool, eager: bool) -> tuple[bytes, bool, bool]:
    if eager:
        # A loop whose tasks start eagerly (Python 3.12+, as an application may set): the next request's handler
        # runs at once when the last one's task ends, before the pass's end, so its writes release what is held.
        asyncio.get_running_loop().set_task_factory(_eager_task)
    protocol = _app().make_handler()()
    protocol.holds = holds
    protocol.registry.handling += 1  # another handler in flight, whose answer this one's is held to go with
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    protocol.data_received(GET)
    if not eager:
        await asyncio.sleep(0)  # the handler's task answers; a callback after it writes the answer
    assert (protocol.held is not None) is holds
    then = act(protocol)
    for _ in range(5):
        await asyncio.sleep(0)
    if then is not None and not transport.is_closing():
        protocol.data_received(then)
    for _ in range(5):
        await asyncio.sleep(0)
    while protocol.held is not None:
        await asyncio.sleep(0)
    closing, aborted = transport.is_closing(), transport.aborted
    protocol.connection_lost(None)
    return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written)), closing, aborted


@pytest.mark.parametrize(
    "eager",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(sys.version_info < (3, 12), reason="an eager start (eager_start=True) is 3.12's"),
        ),
    ],
    ids=["scheduled", "eager"],
)
@pytest.mark.parametrize("case", list(CASES))
async def test_a_held_answer_goes_out_as_one_written_at_once(case, eager) -> None:
    held = await _wire(CASES[case], holds=True, eager=eager)
    at_once = await _wire(CASES[case], holds=False, eager=eager)
    assert held == at_once
    assert held[0].startswith(b"HTTP/1.1 200 OK\r\n") and b"answer /a" in held[0]


async def test_the_answers_of_a_pass_are_written_together_after_its_handlers() -> None:
    factory = _app().make_handler()
    connections = []
    for port in (40001, 40002, 40003):
        protocol = factory()
        transport = RecordingTransport({"peername": ("127.0.0.1", port)})
        protocol.connection_made(transport)
        protocol.data_received(GET)
        connections.append((protocol, transport))
    # The three handlers run in this pass: the first two answers are held while another handler is in flight; the
    # last one's, alone in flight, is written at once, and the held ones after it.
    await asyncio.sleep(0)
    assert [transport.writes for _, transport in connections] == [0, 0, 1]
    assert [protocol.held is not None for protocol, _ in connections] == [True, True, False]
    await asyncio.sleep(0)
    assert [transport.writes for _, transport in connections] == [1, 1, 1]
    assert all(b"answer /a" in transport.written for _, transport in connections)
    for protocol, _ in connections:
        protocol.connection_lost(None)


async def test_a_lone_answer_is_written_at_once() -> None:
    # One client asking one request after another: no answer to write with, so none waits for a loop pass.
    protocol = _app().make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    for i in range(3):
        protocol.data_received(GET)
        await asyncio.sleep(0)
        assert protocol.held is None and transport.writes == i + 1
    assert protocol.registry.handling == 0
    protocol.connection_lost(None)


async def test_handlers_in_flight_are_counted_until_their_tasks_end(aiohttp_client) -> None:
    # Answered, failed, cancelled before their first step or while waiting, pipelined: none stays counted.
    started = asyncio.Event()

    async def wait(request: web.Request) -> web.Response:
        started.set()
        await asyncio.sleep(10)
        return web.Response(text="late")

    async def fail(request: web.Request) -> web.Response:
        raise RuntimeError("boom")

    app = _app()
    app.router.add_get("/wait", wait)
    app.router.add_get("/fail", fail)
    factory = app.make_handler(handler_cancellation=True)
    protocol = factory()
    registry = protocol.registry
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    protocol.data_received(GET + b"GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
    while protocol._task is not None or protocol.queue:
        await asyncio.sleep(0)
    assert registry.handling == 0
    protocol.connection_lost(None)

    waiting = factory()
    waiting.connection_made(RecordingTransport({"peername": ("127.0.0.1", 40001)}))
    waiting.data_received(b"GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
    await started.wait()
    task = waiting._task
    waiting.connection_lost(None)  # handler_cancellation: the waiting handler is cancelled
    await asyncio.gather(task, return_exceptions=True)
    assert registry.handling == 0

    never = factory()
    never.connection_made(RecordingTransport({"peername": ("127.0.0.1", 40002)}))
    never.data_received(b"GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
    task = never._task
    never.connection_lost(None)  # cancelled before its first step: answer() never runs
    await asyncio.gather(task, return_exceptions=True)
    assert task.cancelled() and registry.handling == 0


async def test_a_lost_connection_drops_what_it_held() -> None:
    protocol = _app().make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    protocol.registry.handling += 1  # another handler in flight
    protocol.data_received(GET)
    await asyncio.sleep(0)
    assert protocol.held is not None
    protocol.connection_lost(ConnectionResetError())
    assert protocol.held is None
    await asyncio.sleep(0)  # the pass's write finds nothing to send, and no transport
    assert transport.written == b""


async def test_answers_reach_clients_over_sockets_in_order(aiohttp_client) -> None:
    # Many clients at once, pipelined requests on raw sockets among them: every answer arrives, in its order.
    client = await aiohttp_client(_app())
    port = client.server.port

    def pipelined() -> bytes:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                GET + b"GET /b HTTP/1.1\r\nHost: t\r\n\r\n" + b"GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            )
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    async def one(i: int) -> str:
        response = await client.get("/a" if i % 2 else "/b")
        return await response.text()

    answers, wires = await asyncio.gather(
        asyncio.gather(*(one(i) for i in range(64))),
        asyncio.gather(*(asyncio.to_thread(pipelined) for _ in range(4))),
    )
    assert answers == ["answer /a" if i % 2 else "answer /b" for i in range(64)]
    for wire in wires:
        assert re.findall(rb"answer /[ab]", wire) == [b"answer /a", b"answer /b", b"answer /a"]

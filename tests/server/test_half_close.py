"""A client that sends its requests and then EOF (a half-close, RFC 9112 §9.6) gets its answers, and then the
connection closes: nothing more can arrive on it, so it must not wait out the keep-alive timeout holding one of
the worker's ``worker_connections``."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import psutil
import pytest
from prefork_process import PreforkProcess
from waiting import until

from web import Application, Response, StreamResponse

APPS = Path(__file__).parent.parent / "supervisor" / "apps"


def _app() -> Application:
    async def slow(request):
        await asyncio.sleep(float(request.query.get("t", "0.05")))
        return Response(text="slow")

    async def hello(request):
        return Response(text="hello")

    app = Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/", hello)
    return app


async def _half_closed_exchange(port: int, payload: bytes) -> tuple[bytes, float]:
    """Send ``payload``, then EOF; read until the server closes. Returns what came back and how long it took."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        writer.write_eof()
        started = time.monotonic()
        data = await asyncio.wait_for(reader.read(), 5)
        return data, time.monotonic() - started
    finally:
        writer.close()


@pytest.mark.parametrize(
    "paths",
    [["/slow?t=0.1"], ["/"], ["/slow?t=0.05", "/", "/slow?t=0.05"]],
    ids=["waiting-handler", "immediate-handler", "pipelined"],
)
async def test_half_closed_client_gets_its_answers_then_the_connection_closes(make_server, paths):
    srv = await make_server(_app(), keepalive_timeout=30.0)
    payload = b"".join(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % p.encode() for p in paths)
    data, took = await _half_closed_exchange(srv.port, payload)
    assert data.count(b"HTTP/1.1 200 OK") == len(paths)
    assert took < 5  # closed after the answers, not after keepalive_timeout
    for _ in range(100):  # connection_lost follows the close within a loop turn or two
        if not len(srv.factory.connections):
            break
        await asyncio.sleep(0.01)
    assert len(srv.factory.connections) == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _answered(port: int, timeout: float) -> bool:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        return (await asyncio.wait_for(reader.read(), timeout)).startswith(b"HTTP/1.1 200")
    except TimeoutError:
        return False
    finally:
        writer.close()


def _client_connections(process: psutil.Process, port: int) -> list:
    """The process's TCP connections with clients on ``port`` (not its listening socket)."""
    return [c for c in process.net_connections("tcp") if c.laddr and c.laddr.port == port and c.status != "LISTEN"]


async def _leave_mid_request(port: int) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /slow?t=0.05 HTTP/1.1\r\nHost: t\r\n\r\n")
    await writer.drain()
    writer.close()  # at once, before the answer


async def test_clients_leaving_mid_request_do_not_fill_worker_connections(tmp_path):
    port = _free_port()
    master = PreforkProcess(tmp_path, log_path=tmp_path / "prefork.log", output=tmp_path / "output.txt")
    argv = ["-w", "1", "--worker-connections", "20", "-b", f"127.0.0.1:{port}", "--chdir", str(APPS)]
    master.launch([*argv, "demo:create_app"], cwd=tmp_path, env=master.base_env())
    try:
        await asyncio.to_thread(master.wait_log, r"ready: 1 worker", 1, 15)
        assert await _answered(port, 5)
        await asyncio.gather(*(_leave_mid_request(port) for _ in range(25)))
        # Their answers are written and the worker has closed every one of their connections.
        (worker,) = (psutil.Process(pid) for pid in master.workers())
        await until(lambda: not _client_connections(worker, port), what="the worker to close the clients' connections")
        assert await _answered(port, 5), "a new client waits behind connections whose clients are gone"
    finally:
        master.stop()


async def test_eof_while_a_response_streams_closes_the_connection(make_server):
    # An event stream's client that leaves sends FIN and reads nothing more; the handler, waiting without writing,
    # learns it from the transport going (aiohttp-sse's test_abort_when_transport_already_gone), as on aiohttp.
    saw_transport_go = asyncio.Event()

    async def events(request):
        response = StreamResponse()
        response.content_type = "text/event-stream"
        await response.prepare(request)
        await response.write(b"data: 1\n\n")
        async with asyncio.timeout(5):
            while request.protocol.transport is not None:
                await asyncio.sleep(0.01)
        saw_transport_go.set()
        return response

    app = Application()
    app.router.add_get("/events", events)
    srv = await make_server(app, handler_cancellation=False)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    try:
        writer.write(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n")
        await reader.readuntil(b"data: 1\n\n")
        writer.write_eof()
        async with asyncio.timeout(5):
            await saw_transport_go.wait()
            assert await reader.read() == b"\r\n"  # the chunk's end, then the server closed its side too
    finally:
        writer.close()

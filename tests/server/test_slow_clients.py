"""Slow and greedy clients: slowloris connections are cut by the header timeout while normal clients are still
answered, a slow reader of a large response holds bounded memory and is dropped after ``write_timeout``, and idle
keep-alive connections cost little. The per-worker connection limit (``worker_connections``) is test_acceptor's.

CI-sized: 100 slowloris connections. ``PREFORK_BENCH=1`` adds the 1,000-connection variant. Times are printed, not
asserted (a loaded machine moves them): what is asserted is that every slow connection is cut with a 408 and every
normal request during the attack is answered."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import psutil
import pytest
from waiting import until

from server.settings import ServerSettings
from web import Application, StreamResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
from hostile import echo_app
from http_client import RawConnection

GET_CLOSE = b"GET /normal HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
SLOW_HEAD = b"GET /slow HTTP/1.1\r\nHost: example.com\r\nX-Slow: " + b"s" * 4096
BENCH = os.environ.get("PREFORK_BENCH") == "1"


async def _one_request(port: int) -> float:
    """Latency of one request on a fresh connection, connect to answer (perf_counter: uvloop's clock has 1 ms
    steps)."""
    start = time.perf_counter()
    conn = await RawConnection.open(port)
    try:
        conn.write(GET_CLOSE)
        responses = await conn.responses(1, timeout=5.0)
        assert responses and responses[0].status == 200
        return time.perf_counter() - start
    finally:
        conn.close()


async def _latencies(port: int, count: int) -> list[float]:
    return [await _one_request(port) for _ in range(count)]


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


class SlowClient:
    """Sends a request head one byte every ``interval`` seconds; records when and how the server ended it."""

    def __init__(self, port: int, interval: float) -> None:
        self.port = port
        self.interval = interval
        self.first_byte_at = 0.0
        self.closed_after: float | None = None
        self.status: int | None = None

    async def run(self, stop_at: float, delay: float = 0.0) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(delay)
        conn = await RawConnection.open(self.port)
        try:
            self.first_byte_at = loop.time()
            for byte in SLOW_HEAD:
                if conn.closed or loop.time() > stop_at:
                    break
                conn.write(bytes([byte]))
                await asyncio.sleep(self.interval)
            # Stopped sending (the test's time is up): the header timeout still runs from the first byte.
            if conn.closed or await conn.wait_closed(2.0):
                self.closed_after = loop.time() - self.first_byte_at
                responses = await conn.responses(1, timeout=0)
                self.status = responses[0].status if responses else None
        finally:
            conn.close()


class _Server:
    """The echo app on a listening socket with the worker's backlog (2048; the test server has asyncio's 100)."""

    def __init__(self, header_timeout: float) -> None:
        self.header_timeout = header_timeout

    async def __aenter__(self) -> _Server:
        loop = asyncio.get_running_loop()
        self.factory = echo_app().make_handler(header_timeout=self.header_timeout)
        self.server = await loop.create_server(self.factory, "127.0.0.1", 0, backlog=2048)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        await self.factory.shutdown(timeout=2.0, grace=0.0)
        await self.server.wait_closed()


async def _slowloris(count: int, interval: float, header_timeout: float) -> None:
    async with _Server(header_timeout) as server:
        await _attack(server.port, count, interval, header_timeout)


async def _attack(port: int, count: int, interval: float, header_timeout: float) -> None:
    baseline = await _latencies(port, 60)
    loop = asyncio.get_running_loop()
    clients = [SlowClient(port, interval) for _ in range(count)]
    stop_at = loop.time() + header_timeout + 3.0
    # Connect in waves of 50: a burst over the listen backlog makes the kernel lose the first byte of some
    # connections (seen with uvloop and asyncio alike at asyncio's default backlog of 100), which is not the point.
    attack = [asyncio.create_task(c.run(stop_at, delay=i // 50 * 0.02)) for i, c in enumerate(clients)]
    # The attack is under way: every slow client has connected and sent its first byte.
    await until(lambda: all(c.first_byte_at for c in clients), what="every slow client's first byte")
    during = await _latencies(port, 60)
    await asyncio.gather(*attack)
    # Every slow connection was cut before its client gave up (header_timeout + 3 s), each with a 408; every normal
    # request before and during the attack was answered (_one_request asserts its 200).
    cut = [c for c in clients if c.closed_after is not None]
    assert len(cut) == count, f"{count - len(cut)} slow connections were never cut"
    assert {c.status for c in cut} == {408}
    slowest = max(c.closed_after for c in cut)
    base, under = p99(baseline), p99(during)
    print(f"slowloris x{count}: cut after {slowest:.2f} s at most (header timeout {header_timeout} s); p99 latency")
    print(f"  of a normal request {base * 1e3:.2f} ms before the attack, {under * 1e3:.2f} ms during it")


async def test_slowloris_is_cut_by_the_header_timeout_and_normal_clients_keep_their_latency():
    # One byte per 50 ms: 20 times the classic rate, so a short header timeout is reached after a few bytes.
    await _slowloris(100, interval=0.05, header_timeout=0.5)


@pytest.mark.slow
@pytest.mark.skipif(not BENCH, reason="bench variant: PREFORK_BENCH=1")
async def test_slowloris_1000_connections():
    # The figure: 1,000 connections sending one header byte per second.
    await _slowloris(1000, interval=1.0, header_timeout=2.0)


def _over_high_water(transport: asyncio.WriteTransport | None) -> bool:
    """The transport holds more than the server's high-water mark (uvloop has no get_write_limits())."""
    return transport is not None and transport.get_write_buffer_size() > ServerSettings().write_high_water


def _streaming_app(total: int, chunk: int, record: dict) -> Application:
    async def big(request):
        response = StreamResponse()
        response.content_length = total
        await response.prepare(request)
        transport = record["transport"] = request.transport
        block = b"x" * chunk
        try:
            for _ in range(total // chunk):
                response.write(block)
                await response.drain()
                record["sent"] = record.get("sent", 0) + chunk
                record["max_buffer"] = max(record.get("max_buffer", 0), transport.get_write_buffer_size())
            await response.write_eof()
        except ConnectionResetError as exc:
            record["error"] = exc
        return response

    app = Application()
    app.router.add_route("GET", "/big", big)
    return app


async def test_slow_reader_of_a_large_response_holds_bounded_memory(make_server):
    record: dict = {}
    total, chunk = 256 * 1024 * 1024, 64 * 1024
    server = await make_server(_streaming_app(total, chunk, record))
    conn = await RawConnection.open(server.port)
    try:
        conn.transport.pause_reading()  # a client that reads nothing
        conn.write(b"GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n")
        # The handler runs into the stall: the kernel's buffers fill, then the transport's passes its high-water
        # mark, and the handler waits in drain() for a client that never reads.
        await until(lambda: _over_high_water(record.get("transport")), what="the transport's buffer to fill")
        sent_while_stalled = record.get("sent", 0)
        # The handler stops at the write buffer's high-water mark plus what the kernel's socket buffers hold.
        assert sent_while_stalled < 64 * 1024 * 1024, sent_while_stalled
        assert record["max_buffer"] <= 64 * 1024 + chunk, record["max_buffer"]
        await asyncio.sleep(0.3)  # the point: no progress meanwhile (an absence has no event to wait for)
        assert record.get("sent", 0) == sent_while_stalled, "the handler kept writing to a client that reads nothing"
    finally:
        conn.close()


async def test_slow_reader_is_dropped_after_the_write_timeout(make_server):
    record: dict = {}
    server = await make_server(_streaming_app(256 * 1024 * 1024, 64 * 1024, record), write_timeout=0.5)
    conn = await RawConnection.open(server.port)
    try:
        conn.transport.pause_reading()
        conn.write(b"GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n")
        for _ in range(300):  # bounded wait (3 s) for the drop; a client that does not read cannot see it
            if "error" in record:
                break
            await asyncio.sleep(0.01)
        assert isinstance(record.get("error"), ConnectionResetError), "the server kept a client that reads nothing"
        await asyncio.sleep(0.05)
        assert len(server.factory.connections) == 0
        conn.transport.resume_reading()
        assert await conn.wait_closed(2.0)
    finally:
        conn.close()


@pytest.mark.parametrize("write_timeout", [None, 0])
async def test_write_timeout_none_or_zero_keeps_a_stalled_reader(make_server, write_timeout):
    record: dict = {}
    server = await make_server(_streaming_app(256 * 1024 * 1024, 64 * 1024, record), write_timeout=write_timeout)
    conn = await RawConnection.open(server.port)
    try:
        conn.transport.pause_reading()
        conn.write(b"GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n")
        await asyncio.sleep(0.8)  # the point: longer than a write timeout would allow, and nothing is cut
        assert "error" not in record and not conn.closed
    finally:
        conn.close()


async def test_slow_but_reading_client_is_not_dropped_by_the_write_timeout(make_server):
    """The timeout runs between two drains of the buffer: a client that stalls for less than it, again and
    again, gets the whole response however long that takes in all."""
    total, chunk, timeout, stall = 8 * 1024 * 1024, 64 * 1024, 1.0, 0.25
    record: dict = {"waits": []}

    async def big(request):
        response = StreamResponse()
        response.content_length = total
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        try:
            for _ in range(total // chunk):
                response.write(b"x" * chunk)
                start = loop.time()
                await response.drain()
                record["waits"].append(loop.time() - start)
            await response.write_eof()
        except ConnectionResetError as exc:
            record["error"] = exc
        return response

    app = Application()
    app.router.add_route("GET", "/big", big)
    server = await make_server(app, write_timeout=timeout)
    conn = await RawConnection.open(server.port)
    try:
        conn.write(b"GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n")
        for _ in range(200):  # bounded: 8 MiB arrive long before
            conn.transport.pause_reading()
            await asyncio.sleep(stall)
            conn.transport.resume_reading()
            await asyncio.sleep(0.01)
            if len(conn.data) >= total or conn.closed:
                break
        assert "error" not in record and not conn.closed
        assert len(conn.data) >= total
        # The handler did wait on the stalled client, each time for less than the timeout.
        assert max(record["waits"]) >= stall / 2, max(record["waits"])
    finally:
        conn.close()


_IDLE_CODE = """
import asyncio, sys, uvloop
sys.path.insert(0, {corpus!r})
from hostile import echo_app
async def main():
    app = echo_app()
    await app.startup()
    server = await asyncio.get_running_loop().create_server(app.make_handler(keepalive_timeout=60.0), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(120)  # serves until the test terminates it
uvloop.run(main())
""".format(corpus=str(Path(__file__).resolve().parents[1] / "corpus"))


async def _idle_connections(port: int, count: int) -> list[RawConnection]:
    conns = list(await asyncio.gather(*(RawConnection.open(port) for _ in range(count))))
    for conn in conns:
        conn.write(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
    for conn in conns:
        assert len(await conn.responses(1)) == 1
    return conns


async def test_idle_keep_alive_connections_cost_little_memory():
    """RSS of a server process per idle keep-alive connection that has served one request."""
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", _IDLE_CODE, stdout=asyncio.subprocess.PIPE)
    conns: list[RawConnection] = []
    try:
        assert proc.stdout is not None
        port = int(await asyncio.wait_for(proc.stdout.readline(), 10))
        server = psutil.Process(proc.pid)
        conns += await _idle_connections(port, 50)  # warm up: allocator arenas, caches
        # The server finishes the turn after its last write, freeing each request's objects, before RSS is read:
        # no event marks that end, and RSS is a figure here, not an event.
        await asyncio.sleep(0.1)
        before = server.memory_info().rss
        count = 500
        conns += await _idle_connections(port, count)
        await asyncio.sleep(0.1)  # as above
        per_connection = (server.memory_info().rss - before) / count
        print(f"RSS per idle keep-alive connection: {per_connection / 1024:.1f} KiB")
        assert per_connection < 64 * 1024
        assert proc.returncode is None
    finally:
        for conn in conns:
            conn.close()
        proc.terminate()
        await proc.wait()

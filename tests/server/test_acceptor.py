"""server.acceptor over real sockets: at ``worker_connections`` it stops accepting (the backlog holds the rest, none
is refused or answered 503) and resumes below it; out of descriptors it logs, backs off and serves the waiting
connections later instead of dropping them; ``close()`` stops accepting."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.acceptor import Acceptor, start_server
from server.protocol import Phase

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
from hostile import echo_app
from http_client import RawConnection

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

GET = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
GET_CLOSE = b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"


class Served:
    def __init__(self, factory: Any, acceptor: Acceptor) -> None:
        self.factory = factory
        self.acceptor = acceptor
        self.port = acceptor.sockets[0].getsockname()[1]


@contextlib.asynccontextmanager
async def serve(**settings: Any) -> AsyncIterator[Served]:
    app = echo_app()
    await app.startup()
    factory = app.make_handler(**settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    acceptor = await start_server(factory, sock, factory.connections)
    try:
        yield Served(factory, acceptor)
    finally:
        acceptor.close()
        await factory.shutdown(timeout=2.0, grace=0.0)


async def _held(port: int, count: int) -> list[RawConnection]:
    conns = [await RawConnection.open(port) for _ in range(count)]
    for conn in conns:
        conn.write(GET)
    for conn in conns:
        assert [r.status for r in await conn.responses(1, timeout=2.0)] == [200]
    return conns


async def test_below_worker_connections_a_new_connection_is_served_at_once():
    async with serve(worker_connections=10) as server:
        held = await _held(server.port, 9)
        try:
            (last,) = await _held(server.port, 1)  # answered within _held's 2 s, not left waiting
            last.close()
        finally:
            for conn in held:
                conn.close()


async def _busy(port: int, count: int) -> list[RawConnection]:
    """Connections each with a request in progress: a body promised and not sent."""
    conns = [await RawConnection.open(port) for _ in range(count)]
    for conn in conns:
        conn.write(b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nab")
    return conns


async def test_at_worker_connections_it_stops_accepting_instead_of_answering_503():
    limit = 10
    async with serve(worker_connections=limit) as server:
        held = await _busy(server.port, limit)
        extra = await RawConnection.open(server.port)  # the kernel completes the handshake; we do not accept it
        try:
            extra.write(b"GET /waiting HTTP/1.1\r\nHost: example.com\r\n\r\n")
            assert await extra.responses(1, timeout=0.5) == [], "served over the limit"
            assert not extra.closed, "over the limit the connection waits in the backlog, it is not refused"
            assert len(server.factory.connections) == limit
            assert server.acceptor.reused_count == 0, "a connection with a request in progress was closed"
            assert not any(conn.closed for conn in held)
            held[0].write(b"cde")  # that request completes; its connection is idle now: room for the waiting one
            assert [r.status for r in await held[0].responses(1, timeout=2.0)] == [200]
            responses = await extra.responses(1, timeout=2.0)
            assert [r.status for r in responses] == [200]
            assert len(server.factory.connections) <= limit
            assert server.acceptor.paused_count >= 1
        finally:
            extra.close()
            for conn in held:
                conn.close()


async def test_at_worker_connections_the_longest_idle_keep_alive_connection_makes_room():
    """As nginx reuses connections: idle keep-alives do not keep a waiting client out for keepalive_timeout."""
    limit = 10
    async with serve(worker_connections=limit, keepalive_timeout=75.0) as server:
        held = []
        for _ in range(limit):  # answered once each, one after another: now idle, the first the longest
            held += await _held(server.port, 1)
        extra = await RawConnection.open(server.port)
        try:
            extra.write(GET)
            responses = await extra.responses(1, timeout=1.0)
            assert [r.status for r in responses] == [200]
            assert await held[0].wait_closed(timeout=1.0)  # the longest idle went
            assert not any(conn.closed for conn in held[1:])  # the others did not
            assert server.acceptor.reused_count == 1
            assert len(server.factory.connections) == limit
        finally:
            extra.close()
            for conn in held:
                conn.close()


class _Conn:
    def __init__(self, phase: Phase, deadline: float | None, closed: bool = False) -> None:
        self.phase, self.deadline, self.closed = phase, deadline, closed

    def close(self) -> None:
        self.closed = True


def test_reusable_picks_the_longest_idle_never_one_in_progress():
    from server.registry import reusable

    busy, head = _Conn(Phase.ANSWERING, None), _Conn(Phase.AWAITING_HEAD, 1.0)
    fresh = _Conn(Phase.AWAITING_HEAD, 2.0)
    idle = [_Conn(Phase.IDLE, 100.0 + i) for i in range(20)]
    gone = _Conn(Phase.IDLE, 50.0, closed=True)
    assert reusable([busy, head, fresh, gone]) == []
    assert reusable([busy, idle[3], head, idle[1]]) == [idle[1]]  # at least one
    assert reusable([*reversed(idle), busy]) == idle[:2]  # an eighth of the idle ones, longest idle first
    assert len(reusable([_Conn(Phase.IDLE, float(i)) for i in range(1000)])) == 32  # and at most 32, as nginx
    same_ms = [_Conn(Phase.IDLE, 7.0) for _ in range(8)]
    assert reusable(same_ms) == same_ms[:1]  # a tie goes to the first in the registry's (accept) order


async def test_a_burst_over_the_limit_is_served_in_turn_never_over_it():
    limit, count = 4, 40
    peak = 0
    async with serve(worker_connections=limit) as server:
        registry = server.factory.connections
        add = registry.add

        def counting_add(protocol: Any) -> None:
            nonlocal peak
            add(protocol)
            peak = max(peak, len(registry))

        registry.add = counting_add  # type: ignore[method-assign]

        async def one() -> int:
            conn = await RawConnection.open(server.port)
            try:
                conn.write(GET_CLOSE)
                responses = await conn.responses(1, timeout=5.0)
                return responses[0].status if responses else 0
            finally:
                conn.close()

        statuses = await asyncio.gather(*(one() for _ in range(count)))
    assert statuses == [200] * count
    assert 1 <= peak <= limit, peak


async def test_close_stops_accepting_and_closes_the_socket():
    async with serve() as server:
        port = server.port
        (conn,) = await _held(port, 1)
        server.acceptor.close()
        assert server.acceptor.sockets == ()
        with pytest.raises(OSError):
            await RawConnection.open(port)
        # The connection already accepted is not touched.
        conn.write(GET)
        assert len(await conn.responses(2, timeout=2.0)) == 2
        conn.close()


async def test_close_first_accepts_what_is_queued_so_the_last_copy_resets_nothing():
    """The kernel resets what is still queued when the socket's last copy closes: close() accepts it first, and a
    registry already shutting down answers it with Connection: close."""
    async with serve(worker_connections=1) as server:
        (held,) = await _busy(server.port, 1)
        queued = [await RawConnection.open(server.port) for _ in range(3)]  # the limit leaves them in the queue
        for conn in queued:
            conn.write(GET)
        assert await queued[0].responses(1, timeout=0.2) == []
        server.factory.connections.begin_shutdown(grace=1.0)
        server.acceptor.close()
        await server.acceptor.wait_closed()  # they are in the registry (or already answered and gone)
        for conn in queued:
            (response,) = await conn.responses(1, timeout=2.0)
            assert (response.status, response.header("connection")) == (200, "close")
            assert await conn.wait_closed()
        held.close()


async def test_close_without_accepting_the_queue_leaves_it_to_the_sockets_other_holder():
    async with serve(worker_connections=1) as server:
        (held,) = await _busy(server.port, 1)
        other_copy = server.acceptor.sockets[0].dup()  # a service manager's copy (socket activation)
        try:
            queued = await RawConnection.open(server.port)
            queued.write(GET)
            server.acceptor.close(accept_queued=False)
            await server.acceptor.wait_closed()
            assert len(server.factory.connections) == 1
            conn, _ = other_copy.accept()  # still queued, intact, for whoever serves the socket next
            conn.settimeout(2.0)
            assert conn.recv(100) == GET
            conn.close()
        finally:
            other_copy.close()
            held.close()


async def test_unix_socket(tmp_path):
    app = echo_app()
    await app.startup()
    factory = app.make_handler()
    path = str(tmp_path / "s")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    acceptor = await start_server(factory, sock, factory.connections)
    try:
        reader, writer = await asyncio.open_unix_connection(path)
        writer.write(GET_CLOSE)
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert data.startswith(b"HTTP/1.1 200 ")
    finally:
        acceptor.close()
        await factory.shutdown(timeout=2.0, grace=0.0)


# -- out of descriptors ---------------------------------------------------------------------------------------

NOFILE = 64
_EMFILE_SERVER = f"""
import asyncio, logging, resource, socket, sys, uvloop
sys.path.insert(0, {str(CORPUS)!r})
from hostile import echo_app
from server.acceptor import start_server
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
resource.setrlimit(resource.RLIMIT_NOFILE, ({NOFILE}, {NOFILE}))
async def main():
    app = echo_app()
    await app.startup()
    factory = app.make_handler(keepalive_timeout=30.0)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    acceptor = await start_server(factory, sock, factory.connections)
    print(sock.getsockname()[1], flush=True)
    await asyncio.sleep(60)  # serves until the test terminates it
uvloop.run(main())
"""


async def _request(port: int, hold: asyncio.Event) -> str:
    """One request on a connection held until ``hold`` is set: 'ok' when answered, else what went wrong."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 3)
    except (OSError, TimeoutError) as exc:
        return f"connect: {type(exc).__name__}"
    try:
        writer.write(GET)
        data = await asyncio.wait_for(reader.read(200), 10)
        await hold.wait()
        return "ok" if data.startswith(b"HTTP/1.1 200") else ("dropped" if not data else f"got {data[:12]!r}")
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_out_of_descriptors_it_logs_backs_off_and_serves_the_waiting_connections_later():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _EMFILE_SERVER, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        port = int(await asyncio.wait_for(proc.stdout.readline(), 10))
        hold = asyncio.Event()
        tasks = [asyncio.create_task(_request(port, hold)) for _ in range(2 * NOFILE)]
        # The server runs out of descriptors (it says so on stderr); the rest wait in the backlog.
        log = await asyncio.wait_for(proc.stderr.readuntil(b"Too many open files"), 10)
        hold.set()  # the answered ones go, and free their descriptors
        outcomes = collections.Counter(await asyncio.gather(*tasks))
        assert proc.returncode is None, "the server died"
    finally:
        proc.terminate()
        await proc.wait()
    log += await proc.stderr.read()
    print(dict(outcomes), log[-600:].decode(errors="replace"))
    assert b"Too many open files" in log, log[-2000:]
    assert log.count(b"Too many open files") <= 3, "logged on every retry"
    assert outcomes == {"ok": 2 * NOFILE}, outcomes


async def test_tls_a_silent_client_is_closed_at_the_handshake_timeout_and_a_failed_handshake_logs_no_error(caplog):
    import ssl

    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    app = echo_app()
    await app.startup()
    factory = app.make_handler()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    acceptor = await start_server(factory, sock, factory.connections, ssl=server_context, ssl_handshake_timeout=0.3)
    port = sock.getsockname()[1]
    try:
        silent_reader, silent_writer = await asyncio.open_connection("127.0.0.1", port)
        plain_reader, plain_writer = await asyncio.open_connection("127.0.0.1", port)
        plain_writer.write(GET)  # plain HTTP to the TLS port: not a ClientHello
        async with asyncio.timeout(5):
            assert not (await plain_reader.read()).startswith(b"HTTP")
            assert await silent_reader.read() == b""  # closed by the handshake timeout, not by us
        silent_writer.close()
        plain_writer.close()
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", port, ssl=client_context, server_hostname="127.0.0.1"
        )
        writer.write(GET_CLOSE)
        async with asyncio.timeout(5):
            assert (await reader.read()).startswith(b"HTTP/1.1 200 ")
        writer.close()
        assert not [r for r in caplog.records if r.levelno >= 30], caplog.records
    finally:
        acceptor.close()
        await factory.shutdown(timeout=2.0, grace=0.0)

"""A stop refuses new connections at once and serves what the kernel already took (issue 15, item 1).

The listen queue belongs to the socket, which the master and every worker hold a copy of: it keeps completing
handshakes while any copy is open, and resets what is queued when the last one closes. So on a stop the master
closes its copy at once, and each worker accepts what is queued before it closes its own.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import socket
import time

from http_client import read_response
from load import close_writer
from waiting import wait_until

ECHO = "GET /echo?id={} HTTP/1.1\r\nHost: t\r\n\r\n"


class EchoLoad:
    """``concurrency`` keep-alive clients, each request carrying an id that the app echoes.

    Every request written on a connection the kernel accepted ends as exactly one of ``ok`` (answered, with its own
    id), ``reset``, ``eof`` (closed with no answer), ``hang`` (no answer within ``answer_timeout``) or ``wrong``
    (another id or status). A client stops at its first refused connect after :meth:`stopping`; bounded in
    requests and seconds.
    """

    def __init__(self, port: int, concurrency: int, *, max_requests: int = 200_000, max_seconds: float = 20.0):
        self.port, self.concurrency = port, concurrency
        self.max_requests, self.max_seconds = max_requests, max_seconds
        self.outcome: dict[int, str] = {}
        self.refused = 0
        self.closes = 0  # answers that carried Connection: close
        self.next_id = 0
        self.answer_timeout = 5.0
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    def counts(self) -> collections.Counter[str]:
        return collections.Counter(self.outcome.values())

    def start(self) -> EchoLoad:
        self._tasks = [asyncio.create_task(self._client()) for _ in range(self.concurrency)]
        return self

    def stopping(self) -> None:
        """The server is being stopped: the next refused connect ends a client."""
        self._stopping = True

    async def until(self, ok: int, timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while self.counts()["ok"] < ok:
                await asyncio.sleep(0.01)

    async def done(self, timeout: float = 30.0) -> None:
        async with asyncio.timeout(timeout):
            await asyncio.gather(*self._tasks)

    async def _client(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while len(self.outcome) < self.max_requests and time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except ConnectionRefusedError:
                self.refused += 1
                if self._stopping:
                    return
                await asyncio.sleep(0.01)
                continue
            try:
                await self._requests(reader, writer, deadline)
            finally:
                await close_writer(writer)

    async def _requests(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, deadline: float) -> None:
        while len(self.outcome) < self.max_requests and time.monotonic() < deadline:
            rid = self.next_id
            self.next_id += 1
            self.outcome[rid] = "sent"
            try:
                writer.write(ECHO.format(rid).encode())
                async with asyncio.timeout(self.answer_timeout):
                    status, headers, body = await read_response(reader)
            except ConnectionResetError:
                self.outcome[rid] = "reset"
                return
            except (asyncio.IncompleteReadError, BrokenPipeError):
                self.outcome[rid] = "eof"
                return
            except TimeoutError:
                self.outcome[rid] = "hang"
                return
            self.outcome[rid] = "ok" if (status, body) == (200, str(rid).encode()) else "wrong"
            if headers.get("connection", "").lower() == "close":
                self.closes += 1
                return


async def test_term_under_load_answers_every_request_sent_and_then_refuses(prefork):
    master = prefork.start("-w", "2", wait=2)
    load = EchoLoad(master.port, 64).start()
    try:
        await load.until(2000)
        load.stopping()
        master.signal(signal.SIGTERM)
        await load.done()
    finally:
        load.stopping()
    assert await asyncio.to_thread(master.wait, 15) == 0
    counts = load.counts()
    print(f"\n{len(load.outcome)} requests: {dict(counts)}; {load.refused} refused connects, {load.closes} closes")
    assert counts["ok"] == len(load.outcome), (dict(counts), master.log()[-2000:])
    assert load.refused >= 1  # the clients went on until the stop refused them
    assert load.closes >= 1  # in-flight answers announced the close


async def test_a_client_connecting_after_the_stop_began_is_refused_at_once(prefork):
    master = prefork.start("-w", "2", "--graceful-timeout", "10", wait=2)
    reader, writer = await asyncio.open_connection("127.0.0.1", master.port)
    try:
        writer.write(b"GET /slow?t=3 HTTP/1.1\r\nHost: t\r\n\r\n")  # keeps one worker, and the master, draining
        await master.wait_slow()
        master.signal(signal.SIGTERM)
        await asyncio.to_thread(master.wait_log, r"graceful stop, draining", 2)
        # A worker logs that line just before it closes its copy: a connect may still land in the queue in that
        # instant, and must then be answered; every later one is refused.
        began = time.monotonic()
        answered = 0
        while True:
            try:
                r2, w2 = await asyncio.open_connection("127.0.0.1", master.port)
            except ConnectionRefusedError:
                break
            w2.write(b"GET /echo?id=late HTTP/1.1\r\nHost: t\r\n\r\n")
            async with asyncio.timeout(2):
                assert (await read_response(r2))[::2] == (200, b"late")
            answered += 1
            w2.close()
            assert time.monotonic() - began < 0.1, f"still accepting {time.monotonic() - began:.2f}s into the stop"
        refused_after = time.monotonic() - began
        assert refused_after < 0.1, refused_after
        async with asyncio.timeout(10):
            status, headers, body = await read_response(reader)
        assert status == 200 and body.startswith(b"slow done") and headers["connection"] == "close"
    finally:
        writer.close()
    assert await asyncio.to_thread(master.wait, 15) == 0


async def test_connections_queued_when_the_last_worker_closes_are_answered_not_reset(prefork):
    # One worker at its worker_connections limit: the next clients wait in the listen queue, then the stop comes.
    master = prefork.start("-w", "1", "--worker-connections", "1", "--graceful-timeout", "10", wait=1)
    busy_r, busy_w = await asyncio.open_connection("127.0.0.1", master.port)
    queued = []
    try:
        busy_w.write(b"GET /slow?t=0.5 HTTP/1.1\r\nHost: t\r\n\r\n")
        await master.wait_slow()
        for i in range(5):
            r, w = await asyncio.open_connection("127.0.0.1", master.port)  # the kernel takes it; no one accepts
            w.write(ECHO.format(i).encode())
            await w.drain()
            queued.append((r, w))
        master.signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            status, _, body = await read_response(busy_r)
            assert status == 200 and body.startswith(b"slow done")
            for i, (r, _) in enumerate(queued):
                status, headers, body = await read_response(r)
                assert (status, body, headers["connection"]) == (200, str(i).encode(), "close")
    finally:
        busy_w.close()
        for _, w in queued:
            w.close()
    assert await asyncio.to_thread(master.wait, 15) == 0
    assert "accepted 5 queued connection(s)" in master.log()


def test_unix_socket_file_goes_when_the_stop_begins(prefork, tmp_path):
    path = tmp_path / "s.sock"
    master = prefork.start("-w", "1", "-b", f"unix:{path}", "--graceful-timeout", "10", wait=1)
    assert path.exists()
    client = socket.socket(socket.AF_UNIX)
    client.connect(str(path))
    try:
        client.sendall(b"GET /slow?t=2 HTTP/1.1\r\nHost: t\r\n\r\n")
        wait_until(lambda: master.slow_begun(), what="the /slow request in a handler")
        os.kill(master.pid, signal.SIGTERM)
        wait_until(
            lambda: not path.exists(), timeout=0.5, what="the socket file gone"
        )  # new clients find nothing to connect to at once
        assert master.proc is not None and master.proc.poll() is None  # while the request is still answered
        client.settimeout(5)
        assert client.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        client.close()
    assert master.wait(15) == 0

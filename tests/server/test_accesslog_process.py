"""The access log of a real ``prefork`` master, whose worker writes its lines directly (server/accesslog.py) and
flushes them once per loop iteration: every answered request has its line after a stop, quick or graceful, or after
the heartbeat timeout aborts a worker whose loop is blocked, and a USR1 reopen splits the lines between the moved file
and the new one without losing or repeating any.

The requests are pipelined on several keep-alive connections, so that many lines are buffered in one iteration.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import psutil
import pytest
from http_client import close_writer, read_response
from prefork_process import PreforkProcess
from waiting import until

APPS = Path(__file__).resolve().parent.parent / "supervisor" / "apps"
CONNECTIONS = 8
PIPELINED = 40


class Master(PreforkProcess):
    def __init__(self, tmp_path: Path, port: int) -> None:
        super().__init__(tmp_path, log_path=tmp_path / "error.log", output=tmp_path / "output.txt")
        self.port = port
        self.access = tmp_path / "access.log"

    def start(self, *extra: str) -> None:
        args = ["--chdir", str(APPS), "-b", f"127.0.0.1:{self.port}", "-w", "1", *extra]
        args += ["--access-logfile", str(self.access), "demo:create_app"]
        self.launch(args, cwd=self.tmp_path, env=self.base_env())
        self.wait_log(r"ready: \d+ worker", timeout=15)
        self.wait_workers(1)


@pytest.fixture
def master(tmp_path, unused_port):
    made = Master(tmp_path, unused_port())
    yield made
    made.stop()


async def _pipelined(port: int, tag: str, count: int, sent: asyncio.Event | None = None) -> int:
    """``count`` pipelined requests on one connection; how many were answered 200 before it closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answered = 0
    try:
        writer.write(b"".join(f"GET /echo?id={tag}-{i} HTTP/1.1\r\nHost: t\r\n\r\n".encode() for i in range(count)))
        await writer.drain()
        if sent is not None:
            sent.set()
        async with asyncio.timeout(20):
            for _ in range(count):
                try:
                    status, _, _ = await read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                assert status == 200
                answered += 1
    finally:
        await close_writer(writer)
    return answered


async def _load(port: int, tag: str) -> int:
    return sum(await asyncio.gather(*(_pipelined(port, f"{tag}{c}", PIPELINED) for c in range(CONNECTIONS))))


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["graceful", "quick"])
async def test_every_answered_request_has_its_line_after_a_stop(master, stop):
    master.start()
    answered = await _load(master.port, "a")
    assert answered == CONNECTIONS * PIPELINED
    # Requests in flight as the stop arrives: those answered during the drain are logged too.
    sent = [asyncio.Event() for _ in range(CONNECTIONS)]
    inflight = [asyncio.ensure_future(_pipelined(master.port, f"b{c}", PIPELINED, sent[c])) for c in range(CONNECTIONS)]
    for event in sent:
        await event.wait()
    master.signal(stop)
    answered += sum(await asyncio.gather(*inflight))
    assert await asyncio.to_thread(master.wait, 15) == 0, master.log()[-2000:]
    lines = _lines(master.access)
    assert len(lines) == answered, (len(lines), answered)
    requests = [line.split('"')[1] for line in lines]
    assert len(set(requests)) == len(requests)  # each once
    assert {f"GET /echo?id=a{c}-{i} HTTP/1.1" for c in range(CONNECTIONS) for i in range(PIPELINED)} <= set(requests)


async def test_usr1_splits_the_lines_between_the_moved_file_and_the_new_one(master):
    master.start()
    (worker,) = master.workers()
    before = await _load(master.port, "before")
    moved = Path(str(master.access) + ".1")
    os.rename(master.access, moved)
    master.signal(signal.SIGUSR1)
    await asyncio.to_thread(master.wait_log, r"USR1: reopened log files")
    # The worker reopens on its loop: done once it holds a file at the old name again.
    await until(
        lambda: str(master.access) in {f.path for f in psutil.Process(worker).open_files()},
        what="the worker's reopen",
    )
    after = await _load(master.port, "after")
    master.signal(signal.SIGTERM)
    assert await asyncio.to_thread(master.wait, 15) == 0
    old, new = _lines(moved), _lines(master.access)
    assert (len(old), len(new)) == (before, after)
    assert all("id=before" in line for line in old) and all("id=after" in line for line in new)


async def test_the_lines_of_a_blocked_loop_iteration_are_written_when_the_heartbeat_aborts_the_worker(master):
    # /answer-then-block's answer goes out and its line is gathered, then a callback blocks the same loop iteration
    # until the master's SIGABRT, whose handler exits the worker without returning to the loop that would flush.
    master.start("-t", "1")
    (worker,) = master.workers()
    reader, writer = await asyncio.open_connection("127.0.0.1", master.port)
    try:
        writer.write(b"GET /answer-then-block?id=before-the-block&t=30 HTTP/1.1\r\nHost: t\r\n\r\n")
        await writer.drain()
        status, _, body = await read_response(reader)
        assert (status, body) == (200, b"before-the-block")
        await asyncio.to_thread(master.wait_log, rf"worker {worker} was stuck and has been stopped \(code 1\)", 1, 20)
    finally:
        await close_writer(writer)
    requests = [line.split('"')[1] for line in _lines(master.access)]
    assert requests == ["GET /answer-then-block?id=before-the-block&t=30 HTTP/1.1"]

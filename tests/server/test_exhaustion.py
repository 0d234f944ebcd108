"""Resource exhaustion: a worker that runs out of file descriptors (a low RLIMIT_NOFILE) keeps running, does not
spin, and serves again once descriptors free up. It should also say so in its log and leave the connections it
cannot take yet in the listen backlog instead of dropping them: the worker serves through server.acceptor
(test_acceptor), which does.

A handler that leaks memory is the master's memory ceiling (``--max-worker-memory``, issue 3), tested there."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import resource
import signal
import sys
from pathlib import Path

import psutil
from waiting import until

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
NOFILE = 64
GET = b"GET /held HTTP/1.1\r\nHost: example.com\r\n\r\n"


def _low_nofile() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


class Prefork:
    """``prefork -w 1`` serving the echo app under a low descriptor limit."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: asyncio.subprocess.Process | None = None
        self.log = b""

    async def __aenter__(self) -> Prefork:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "supervisor", "-w", "1", "-b", f"127.0.0.1:{self.port}", "--keep-alive", "30",
            "hostile:echo_app",
            cwd=str(CORPUS), stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
            preexec_fn=_low_nofile,
        )  # fmt: skip
        loop = asyncio.get_running_loop()
        end = loop.time() + 10
        while loop.time() < end:
            if await _request(self.port) == "ok":
                return self
            await asyncio.sleep(0.05)
        raise AssertionError("prefork did not start")

    def worker(self) -> psutil.Process:
        assert self.proc is not None
        children = psutil.Process(self.proc.pid).children()
        assert len(children) == 1, children
        return children[0]

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        assert self.proc.stderr is not None
        self.log = await asyncio.wait_for(self.proc.stderr.read(), 10)
        await self.proc.wait()


async def _request(port: int, hold: asyncio.Event | None = None) -> str:
    """One request; 'ok' when answered, else what went wrong. With ``hold``, keep the connection until it is set."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 3)
    except (OSError, TimeoutError) as exc:
        return f"connect: {type(exc).__name__}"
    try:
        writer.write(GET)
        data = await asyncio.wait_for(reader.read(200), 10 if hold else 3)
        outcome = "ok" if data.startswith(b"HTTP/1.1 200") else ("dropped" if not data else f"got {data[:12]!r}")
        if hold is not None:
            await hold.wait()
        return outcome
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def _exhaust(server: Prefork, count: int, release_after: float) -> tuple[collections.Counter, float, int]:
    """``count`` connections at once, held for ``release_after`` seconds; returns their outcomes, the worker's
    CPU while exhausted, and its pid."""
    worker = server.worker()
    worker.cpu_percent()
    hold = asyncio.Event()
    tasks = [asyncio.create_task(_request(server.port, hold)) for _ in range(count)]
    await asyncio.sleep(release_after)  # the point: the window in which the worker's CPU is measured, exhausted
    cpu = worker.cpu_percent()
    hold.set()
    outcomes = collections.Counter(await asyncio.gather(*tasks))
    return outcomes, cpu, worker.pid


async def test_out_of_file_descriptors_the_worker_lives_does_not_spin_and_recovers(unused_port):
    async with Prefork(unused_port()) as server:
        pid = server.worker().pid
        outcomes, cpu, _ = await _exhaust(server, 3 * NOFILE, release_after=1.5)
        print(f"{3 * NOFILE} connections under RLIMIT_NOFILE={NOFILE}: {dict(outcomes)}, worker CPU {cpu:.0f}%")
        assert outcomes["ok"] >= NOFILE // 2, outcomes  # it served as many as it had descriptors for
        assert cpu < 50, f"the worker spun at {cpu}% while out of descriptors"
        assert server.worker().pid == pid, "the worker died and was replaced"
        # The held connections' descriptors are closed: room for new ones.
        await until(lambda: server.worker().num_fds() < NOFILE - 8, what="the worker's descriptors freed")
        assert [await _request(server.port) for _ in range(5)] == ["ok"] * 5  # recovered


async def test_out_of_file_descriptors_is_logged_and_waiting_connections_are_served_later(unused_port):
    async with Prefork(unused_port()) as server:
        outcomes, _, _ = await _exhaust(server, 2 * NOFILE, release_after=1.5)
    print(dict(outcomes), server.log[-2000:].decode(errors="replace"))
    assert b"Too many open files" in server.log or b"EMFILE" in server.log, "nothing logged"
    # Backing off leaves the connections it cannot take in the kernel's backlog: they are served once the held
    # ones go, instead of being accepted and dropped.
    assert outcomes["dropped"] == 0, outcomes

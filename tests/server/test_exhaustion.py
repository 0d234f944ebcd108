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
from pathlib import Path

import psutil
from prefork_process import PreforkProcess
from waiting import until

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
NOFILE = 64
GET = b"GET /held HTTP/1.1\r\nHost: example.com\r\n\r\n"


def _low_nofile() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


class Prefork(PreforkProcess):
    """``prefork -w 1`` serving the echo app under a low descriptor limit."""

    def __init__(self, tmp_path: Path, port: int) -> None:
        super().__init__(tmp_path, log_path=tmp_path / "error.log", output=tmp_path / "output.txt")
        self.port = port

    async def __aenter__(self) -> Prefork:
        argv = ["-w", "1", "-b", f"127.0.0.1:{self.port}", "--keep-alive", "30", "hostile:echo_app"]
        self.launch(argv, cwd=CORPUS, env=self.base_env(), preexec_fn=_low_nofile)
        await asyncio.to_thread(self.wait_log, r"ready: 1 worker", 1, 10)
        return self

    def worker(self) -> psutil.Process:
        children = psutil.Process(self.pid).children()
        assert len(children) == 1, children
        return children[0]

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)


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


async def test_out_of_file_descriptors_the_worker_lives_does_not_spin_and_recovers(tmp_path, unused_port):
    async with Prefork(tmp_path, unused_port()) as server:
        pid = server.worker().pid
        outcomes, cpu, _ = await _exhaust(server, 3 * NOFILE, release_after=1.5)
        print(f"{3 * NOFILE} connections under RLIMIT_NOFILE={NOFILE}: {dict(outcomes)}, worker CPU {cpu:.0f}%")
        assert outcomes["ok"] >= NOFILE // 2, outcomes  # it served as many as it had descriptors for
        assert cpu < 50, f"the worker spun at {cpu}% while out of descriptors"
        assert server.worker().pid == pid, "the worker died and was replaced"
        # The held connections' descriptors are closed: room for new ones.
        await until(lambda: server.worker().num_fds() < NOFILE - 8, what="the worker's descriptors freed")
        assert [await _request(server.port) for _ in range(5)] == ["ok"] * 5  # recovered


async def test_out_of_file_descriptors_is_logged_and_waiting_connections_are_served_later(tmp_path, unused_port):
    async with Prefork(tmp_path, unused_port()) as server:
        outcomes, _, _ = await _exhaust(server, 2 * NOFILE, release_after=1.5)
    log = server.log()
    print(dict(outcomes), log[-2000:])
    assert "Too many open files" in log or "EMFILE" in log, "nothing logged"
    # Backing off leaves the connections it cannot take in the kernel's backlog: they are served once the held
    # ones go, instead of being accepted and dropped.
    assert outcomes["dropped"] == 0, outcomes

"""Chaos soak: ``prefork -w 2`` under mixed load while the signals an operator sends arrive at random times.

    python bench/chaos.py --duration 3600 --seed 7       # an hour; exits 1 if a pass condition failed
    python bench/chaos.py --duration 30 --json out.json  # what tests/supervisor/test_chaos.py runs

The load (``--http`` keep-alive connections and ``--ws`` websockets, all on 127.0.0.1) mixes ``GET /hello``, a
4 KiB ``POST /echo``, a slow handler (``GET /slow``, up to 1 s), a 256 KiB response (``GET /big``) and websocket
echoes (app: tests/supervisor/apps/chaos_app.py). bench/chaos_load.py's clients count every request once, by the
id its answer echoes; the requests on the connections a SIGKILLed worker held are counted apart, as ``excused``.

Events, at seeded random times at least ``MIN_GAP`` s apart, in rounds of the seven below in a seeded order:
HUP, TTIN, TTOU, USR2, USR1, a ``--max-requests`` recycle (one worker is pushed over its limit with pipelined
requests) and a SIGKILL of a worker. Signals go to the pid in the pid file, as an operator's would: after USR2
that is the new master. Then the clients stop, the workers must close every connection, and a new load starts
for the final TERM. The run passes (:func:`problems`) with no failed request, no websocket message lost without a
close frame, every master exiting 0, no process left, no connection left open and worker RSS growth under 20 MB.

The driver makes itself a child subreaper (Linux ``prctl``), so a master started by USR2 becomes its child once
the old master leaves, and its exit code can be read with ``waitpid``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

# bench/ as a package, and the process-test tools, which the soaks share
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "supervisor"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # http_client, the shared test kit
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from masters import Prefork, in_thread, read_response

from bench.chaos_load import (
    REQUEST_TIMEOUT,
    ROOT,
    Connection,
    Load,
    Run,
    Tally,
    answer_problem,
    build_request,
)

EVENTS = ("hup", "ttin", "ttou", "usr2", "usr1", "recycle", "kill")
MIN_GAP = 3.0
EXIT_TIMEOUT = 120.0  # for a master to leave (after USR2 or TERM) or appear: minutes on a busy machine, not ms
RSS_GROWTH_LIMIT = 20 * 1024 * 1024
PR_SET_CHILD_SUBREAPER = 36


# -- the chaos -----------------------------------------------------------------------------------------------------


def schedule(rng: random.Random, start: float, end: float) -> list[tuple[float, str]]:
    """Event times in ``[start, end]``, at least ``MIN_GAP`` apart (also from ``end``), about one per 6 s but at
    least one round of :data:`EVENTS`; names in rounds of all seven, each round in a seeded order."""
    span = end - start
    count = max(len(EVENTS), int(span / (2 * MIN_GAP)))
    slack = span - MIN_GAP * count
    if slack < 0:
        raise ValueError(f"{span:.0f}s is too short for {count} events {MIN_GAP:g}s apart")
    cuts = sorted(rng.uniform(0, slack) for _ in range(count))
    names: list[str] = []
    while len(names) < count:
        names += rng.sample(EVENTS, len(EVENTS))
    return [(start + cut + MIN_GAP * i, names[i]) for i, cut in enumerate(cuts)]


@dataclass
class Report:
    """What a run measured; :func:`problems` turns it into a verdict."""

    seed: int
    duration: float
    requests: int = 0
    ok: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    excused: dict[str, int] = field(default_factory=dict)
    idle_closed: int = 0
    server_closed: int = 0
    refused_after_stop: int = 0
    ws_sessions: int = 0
    ws_sent: int = 0
    ws_echoed: int = 0
    ws_lost_with_close: int = 0
    ws_lost: dict[str, int] = field(default_factory=dict)
    ws_close_codes: dict[str, int] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    master_exits: dict[str, int | None] = field(default_factory=dict)  # pid -> exit code
    worker_rss_start: list[int] = field(default_factory=list)
    worker_rss_end: list[int] = field(default_factory=list)
    master_rss_start: int = 0
    master_rss_end: int = 0
    connections_left: list[str] = field(default_factory=list)  # open after the clients were gone
    processes_left: list[int] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def absorb(self, tally: Tally) -> None:
        self.requests = tally.requests()
        for name in ("ok", "failed", "excused", "ws_lost", "ws_close_codes"):
            setattr(self, name, dict(sorted(getattr(tally, name).items())))
        for name in ("idle_closed", "server_closed", "refused_after_stop", "ws_sessions", "ws_sent", "ws_echoed"):
            setattr(self, name, getattr(tally, name))
        self.ws_lost_with_close = tally.ws_lost_with_close

    def summary(self) -> str:
        mb = 1024 * 1024
        start, end = self.worker_rss_start, self.worker_rss_end
        lines = [
            f"seed {self.seed}, {self.duration:.0f}s, {len(self.events)} events",
            f"requests: {self.requests} ({', '.join(f'{k} {v}' for k, v in self.ok.items())} ok)",
            f"failed: {self.failed or 'none'}",
            f"excused (SIGKILLed worker's connections): {self.excused or 'none'}",
            f"keep-alive connections closed while idle, reopened: {self.idle_closed}; answers with Connection: close:"
            f" {self.server_closed}; connections refused after TERM: {self.refused_after_stop}",
            f"websockets: {self.ws_sessions} sessions, {self.ws_sent} sent, {self.ws_echoed} echoed,"
            f" {self.ws_lost_with_close} lost after a close frame, lost without one: {self.ws_lost or 'none'};"
            f" close codes {self.ws_close_codes}",
            f"worker RSS MB: start {[round(r / mb, 1) for r in start]}, end {[round(r / mb, 1) for r in end]};"
            f" master RSS MB: start {self.master_rss_start / mb:.1f}, end {self.master_rss_end / mb:.1f}",
            f"master exit codes: {self.master_exits}",
            *(["first failures:", *self.samples] if self.samples else []),
            f"left behind: processes {self.processes_left or 'none'}, connections {self.connections_left or 'none'}",
        ]
        return "\n".join(lines)


def problems(report: Report) -> list[str]:
    """Every pass condition the run broke (empty: it passed)."""
    found = []
    if report.failed:
        found.append(f"failed requests: {report.failed}")
    if report.ws_lost:
        found.append(f"websocket messages lost without a close frame: {report.ws_lost}")
    bad_exits = {pid: code for pid, code in report.master_exits.items() if code != 0}
    if bad_exits or not report.master_exits:
        found.append(f"masters that did not exit 0: {bad_exits or 'none seen'}")
    if report.processes_left:
        found.append(f"processes left: {report.processes_left}")
    if report.connections_left:
        found.append(f"connections left open: {report.connections_left}")
    if report.worker_rss_start and report.worker_rss_end:
        growth = max(report.worker_rss_end) - max(report.worker_rss_start)
        if growth >= RSS_GROWTH_LIMIT:
            found.append(f"worker RSS grew {growth / 1048576:.1f} MB")
    return found


def _subreaper(on: bool) -> bool:
    """Make this process the child subreaper (Linux): orphaned descendants, such as a master started by USR2
    once the old master exits, become our children, so their exit codes can be read."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _wait_exit(pid: int, timeout: float) -> int | None:
    """The exit code of ``pid``, our child or soon to be (a master started by USR2 is reparented to us when the
    old master leaves); None: still running after ``timeout``, or gone without our seeing its status."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            if not _alive(pid):
                return None
            done, status = 0, 0  # not ours yet: its parent, the old master, is still there
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def _rss(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            out.append(psutil.Process(pid).memory_info().rss)
    return sorted(out)


def _server_connections(port: int, pids: list[int]) -> list[str]:
    """The TCP connections on ``port`` (not the listening socket) that ``pids`` hold."""
    found = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            for c in psutil.Process(pid).net_connections(kind="tcp"):
                if c.laddr and c.laddr.port == port and c.status != psutil.CONN_LISTEN:
                    found.append(f"pid {pid} {c.status} {c.raddr.port if c.raddr else '-'}")
    return found


class Chaos:
    """One run against ``prefork`` (a :class:`masters.Prefork`, not started yet)."""

    def __init__(
        self, prefork: Prefork, *, seed: int, duration: float, http: int = 8, ws: int = 4, max_requests: int = 10000
    ) -> None:
        self.prefork = prefork
        self.seed, self.duration = seed, duration
        self.http, self.ws, self.max_requests = http, ws, max_requests
        self.run = Run(prefork.port, seed)
        self.rng = random.Random(seed)  # the events' own: the clients' draws depend on timing
        self.report = Report(seed, duration)
        self.pidfile = prefork.tmp_path / "prefork.pid"
        self.masters: list[int] = []  # every master seen, oldest first
        self.followers: list[asyncio.Task[None]] = []
        self.t0 = 0.0
        self.verbose = False

    def say(self, text: str) -> None:
        line = f"[{time.monotonic() - self.t0:7.1f}s] {text}"
        self.report.events.append(line)
        if self.verbose:
            print(line, flush=True)

    def master(self) -> int:
        """The pid an operator would signal: the pid file's (during a USR2 it is missing until the new master
        has started, which takes seconds on a busy machine)."""
        deadline = time.monotonic() + EXIT_TIMEOUT
        while True:
            try:
                return int(self.pidfile.read_text())
            except (FileNotFoundError, ValueError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    async def execute(self) -> Report:
        """Start the master, run the load and the events, stop, check; always leaves nothing running."""
        reaper = _subreaper(True)
        try:
            await self._execute()
        finally:
            self.report.absorb(self.run.tally)
            self.report.samples = self.run.samples
            await self._cleanup()
            if reaper:
                _subreaper(False)
        return self.report

    async def _execute(self) -> None:
        args = ["-w", "2", "-p", str(self.pidfile), "--max-requests", str(self.max_requests)]
        args += ["--drain-grace", "1", "--graceful-timeout", "10", "--timeout", "10"]
        env = {"PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
        await in_thread(self.prefork.start, *args, app="chaos_app:create_app", env=env, wait=2)
        self.masters.append(self.prefork.pid)
        load = await Load(self.run, self.http, self.ws).start()
        await load.until(200)  # warmed up: the RSS at the start is that of workers that have served
        self.t0 = self.run.t0 = time.monotonic()
        self.report.worker_rss_start = _rss(self.prefork.workers(self.master()))
        self.report.master_rss_start = sum(_rss([self.master()]))
        events = schedule(self.rng, MIN_GAP, self.duration - MIN_GAP)
        last_beat = last_end = time.monotonic()
        for at, name in events:
            # an event that took long (a recycle burst) pushes the next one back: they stay MIN_GAP apart
            while time.monotonic() - self.t0 < at or time.monotonic() - last_end < MIN_GAP:
                await asyncio.sleep(0.05)
                if self.verbose and time.monotonic() - last_beat >= 60:
                    last_beat = time.monotonic()
                    t = self.run.tally
                    print(f"  ... {t.requests()} requests, failed {dict(t.failed)}, ws {t.ws_echoed}", flush=True)
            await getattr(self, f"event_{name}")()
            last_end = time.monotonic()
        while time.monotonic() - self.t0 < self.duration - 1.0 or time.monotonic() - last_end < MIN_GAP:
            await asyncio.sleep(0.05)
        await load.stop()
        await asyncio.gather(*self.followers)
        await self._quiet_point()
        await self._stop_under_load()

    # -- events ----------------------------------------------------------------------------------------------------

    async def _send(self, sig: signal.Signals) -> int:
        pid = self.master()
        os.kill(pid, sig)
        self.say(f"{sig.name} -> master {pid}")
        return pid

    async def event_hup(self) -> None:
        await self._send(signal.SIGHUP)

    async def event_ttin(self) -> None:
        await self._send(signal.SIGTTIN)

    async def event_ttou(self) -> None:
        await self._send(signal.SIGTTOU)

    async def event_usr1(self) -> None:
        await self._send(signal.SIGUSR1)

    async def event_usr2(self) -> None:
        # as an operator does: the previous upgrade first completes (its old master has left)
        await asyncio.gather(*self.followers)
        old = await self._send(signal.SIGUSR2)
        self.followers.append(asyncio.create_task(self._follow(old)))

    def _wait_first(self, timeout: float) -> int | None:
        """The exit code of the master we started (None: still running after ``timeout``)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.prefork.wait(timeout)
        return None

    async def _follow(self, old: int) -> None:
        """USR2: the old master must hand over and exit 0; the pid file then names the new one."""
        if old == self.prefork.pid:
            code = await in_thread(self._wait_first, EXIT_TIMEOUT)
        else:
            code = await in_thread(_wait_exit, old, EXIT_TIMEOUT)
        self.report.master_exits[str(old)] = code
        new = self.master()
        if new not in self.masters:
            self.masters.append(new)
        self.say(f"master {old} exited ({code}); master {new} serves")

    async def event_kill(self) -> None:
        """SIGKILL one serving worker. A booting one is spared: when it is the first worker of a master started by
        USR2, its death rightly makes that master give up (exit 3) and the old one carry on; not this event's aim."""
        deadline = time.monotonic() + EXIT_TIMEOUT
        while True:
            workers = await in_thread(self.prefork.workers, self.master())
            log = self.prefork.log()
            ready = [pid for pid in workers if f"worker {pid} ready" in log]
            if ready or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        if not ready:
            self.say("kill: no serving worker to kill")
            return
        victim = self.rng.choice(ready)
        # stopped first, so that the connections it holds at the kill are exactly those listed
        os.kill(victim, signal.SIGSTOP)
        try:
            held = await in_thread(_held_ports, victim, self.run.port)
        finally:
            os.kill(victim, signal.SIGKILL)
        for port in held:
            if port in self.run.peers:
                self.run.peers[port].killed = True
        self.say(f"SIGKILL -> worker {victim} (held {len(held)} connection(s))")

    async def event_recycle(self) -> None:
        """Push one worker over ``--max-requests`` with pipelined requests on one connection."""
        for _ in range(5):
            pid = await self._push_over_limit()
            if pid:
                self.say(f"recycle: worker {pid} reached --max-requests {self.max_requests}")
                return
        self.say("recycle: no worker could be pushed over its limit")

    async def _push_over_limit(self) -> int:
        """Pipelined hellos on one connection until its worker is due for recycling; its pid, or 0 if the
        connection closed first (the worker was already leaving)."""
        run, tally = self.run, self.run.tally
        conn = await Connection.open(run)
        pid, served = 0, 0
        try:
            for _ in range(self.max_requests // 500 + 50):
                batch = min(1000, self.max_requests - served + 5) if pid else 1
                if batch <= 0:
                    if await in_thread(self._due, pid):
                        return pid
                    batch = 100  # the server also counts what the app does not see: a few more
                ids = [run.new_id() for _ in range(batch)]
                conn.writer.write(b"".join(build_request("hello", rid, run.rng)[0] for rid in ids))
                for rid in ids:
                    try:
                        async with asyncio.timeout(REQUEST_TIMEOUT):
                            status, headers, body = await read_response(conn.reader)
                    except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                        run.fail("burst", "timeout" if isinstance(exc, TimeoutError) else "no answer", conn)
                        return 0
                    problem = answer_problem("hello", rid, f"id={rid}".encode(), status, headers, body)
                    if problem:
                        run.fail("burst", problem, conn)
                    else:
                        tally.ok["burst"] += 1
                    pid, served = int(headers.get("x-pid", 0)), int(headers.get("x-served", 0))
                    if headers.get("connection", "").lower() == "close":
                        tally.server_closed += 1
                        return 0
            return 0
        finally:
            await conn.close()

    def _due(self, pid: int) -> bool:
        """Whether the master logs ``pid`` as due for recycling within 1 s (its count arrives within 50 ms)."""
        deadline = time.monotonic() + 1.0
        pattern = re.compile(rf"worker {pid} is due for recycling \(max_requests")
        while not pattern.search(self.prefork.log()):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    # -- the end ---------------------------------------------------------------------------------------------------

    def _family(self) -> list[int]:
        pids = []
        for master in self.masters:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc = psutil.Process(master)
                pids += [master, *(c.pid for c in proc.children(recursive=True))]
        return pids

    async def _quiet_point(self) -> None:
        """The clients are gone: every worker must let go of its connections; then the RSS at the end."""
        deadline = time.monotonic() + 10
        while True:
            left = await in_thread(_server_connections, self.run.port, self._family())
            if not left or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
        self.report.connections_left += [f"after the load: {c}" for c in left]
        master = self.master()
        self.report.worker_rss_end = _rss(await in_thread(self.prefork.workers, master))
        self.report.master_rss_end = sum(_rss([master]))
        self.say(f"quiet point: {len(left)} connection(s) still open on the server side")

    async def _stop_under_load(self) -> None:
        load = await Load(self.run, self.http, self.ws).start()
        await load.until(100)
        master = self.master()
        family = self._family()
        self.run.stopping = True
        await self._send(signal.SIGTERM)
        if master == self.prefork.pid:
            code = await in_thread(self._wait_first, EXIT_TIMEOUT)
        else:
            code = await in_thread(_wait_exit, master, EXIT_TIMEOUT)
        self.report.master_exits[str(master)] = code
        self.say(f"master {master} exited ({code})")
        await load.stop()
        pids = set(family) | {int(p) for p in re.findall(r"worker (\d+) ready", self.prefork.log())}
        self.report.processes_left = sorted(p for p in pids if _alive(p))
        self.report.connections_left += [
            f"{c.status} {c.laddr.port}->{c.raddr.port if c.raddr else '-'}"
            for c in psutil.net_connections(kind="tcp")
            if c.status not in (psutil.CONN_TIME_WAIT, psutil.CONN_NONE)
            and (c.laddr.port == self.run.port or (c.raddr and c.raddr.port == self.run.port))
        ]

    async def _cleanup(self) -> None:
        """Whatever the outcome: kill every process of the run that is still there, and reap it."""
        await asyncio.gather(*self.followers, return_exceptions=True)
        leftovers = [p for p in set(self._family()) | set(self.masters) if _alive(p)]
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in leftovers:
            with contextlib.suppress(ChildProcessError):
                _wait_exit(pid, 5)
        self.prefork.stop()


def _held_ports(pid: int, port: int) -> set[int]:
    """Client ports of the connections ``pid`` holds on ``port``."""
    return {
        c.raddr.port
        for c in psutil.Process(pid).net_connections(kind="tcp")
        if c.laddr and c.laddr.port == port and c.raddr
    }


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load and events before TERM")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--http", type=int, default=8, help="keep-alive HTTP connections")
    parser.add_argument("--ws", type=int, default=4, help="websocket clients")
    parser.add_argument("--max-requests", type=int, default=10000, help="the master's --max-requests")
    parser.add_argument("--json", help="also write the report here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from bench.common import free_port

    tmp = tempfile.mkdtemp(prefix="chaos-")  # removed only after a pass: the error log explains a failure
    chaos = Chaos(
        Prefork(Path(tmp), free_port()),
        seed=args.seed,
        duration=args.duration,
        http=args.http,
        ws=args.ws,
        max_requests=args.max_requests,
    )
    chaos.verbose = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the finally blocks still clean up
    try:
        asyncio.run(chaos.execute())
        found = problems(chaos.report)
    except Exception:
        traceback.print_exc()
        found = ["the run itself failed (traceback above)"]
    report = chaos.report
    print(report.summary())
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(report), indent=1))
    for problem in found:
        print(f"FAIL: {problem}")
    if found:
        tail = chaos.prefork.log()[-4000:]
        print(f"--- end of the error log (all of it, and the pid files, are kept in {tmp}) ---\n{tail}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS" if not found else "FAIL")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared helpers for the bench/ scripts: pinned servers, pinned wrk, parsed results, a ratio table, paired rounds.

The whole API is these names (keep it small and stable; other bench scripts import it):

    ROOT                                  the repository root (servers run with it as cwd and on PYTHONPATH)
    free_port() -> int                    a free TCP port on 127.0.0.1
    ServerSpec(name, argv, port, ...)     how to start one server under test
    running_server(spec) -> Popen         context manager: start pinned, wait until it answers, always stop it
    start_server(spec) / stop_server(p)   the same in two calls, for callers that need them apart
    server_cpu_seconds(proc) -> float     user+system CPU the server's process tree has used so far
    WrkResult                             requests/s, latency p50/p99 (ms), errors, raw output
    run_wrk(url, ...) -> WrkResult        wrk pinned to a CPU, optional method/body/headers via a Lua script
    parse_wrk(text) -> WrkResult          parse `wrk --latency` output (what run_wrk uses)
    median_result(results) -> WrkResult   the run with the median requests/s (its latencies come with it)
    spread(results) -> float              (max - min) / median of requests/s, to judge the noise
    format_table(headers, rows) -> str    a plain aligned text table
    ratio(a, b) -> str                    "1.83x", or "-" when either side is missing
    paired_rounds(off, on, rounds, batch) two in-process variants timed in alternating rounds: CPU us per request
    paired_report(what, off, on, batch)   paired_rounds' figures as text: mins, medians, the on/off ratio
    run_profiled(main, path)              uvloop.run(main), under cProfile writing its pstats to path when given
    ServerFailed, WrkOutputError          what start_server and run_wrk raise

Servers run in their own session (process group) pinned with ``taskset -c CPU``, so a server's workers inherit the
pin and ``stop_server`` can kill the whole group: no server outlives the script, even on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

__all__ = [
    "ROOT",
    "ServerFailed",
    "ServerSpec",
    "WrkOutputError",
    "WrkResult",
    "format_table",
    "free_port",
    "median_result",
    "paired_report",
    "paired_rounds",
    "parse_wrk",
    "ratio",
    "run_profiled",
    "run_wrk",
    "running_server",
    "server_cpu_seconds",
    "spread",
    "start_server",
    "stop_server",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the kernel's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServerSpec:
    """One server under test: the command, where it listens, which CPU it gets.

    ``ready_path`` is requested until it answers with any HTTP status; that is "up" (a bare TCP connect is not
    enough: gunicorn's master binds before its worker has imported the app).
    """

    name: str
    argv: Sequence[str]
    port: int
    host: str = "127.0.0.1"
    cpu: int | None = 0
    env: Mapping[str, str] | None = None
    ready_path: str = "/"
    ready_timeout: float = 15.0
    log_path: str | None = None  # server stdout+stderr; a temp file when None


class ServerFailed(RuntimeError):
    """The server exited or never answered; the message carries the tail of its log."""


def _taskset(cpu: int | None, argv: Sequence[str]) -> list[str]:
    if cpu is None:
        return list(argv)
    if shutil.which("taskset") is None:
        raise RuntimeError("taskset not found (util-linux); pass cpu=None to run unpinned")
    return ["taskset", "-c", str(cpu), *argv]


def _log_tail(path: str, lines: int = 30) -> str:
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def _answers(host: str, port: int, path: str) -> bool:
    """True when one GET gets an HTTP status line back."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
            return sock.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


def start_server(spec: ServerSpec) -> subprocess.Popen[bytes]:
    """Start ``spec`` pinned to its CPU in a new session; return once ``ready_path`` answers.

    Raises ServerFailed (after killing the group) if the process exits or does not answer in ``ready_timeout``.
    The Popen carries ``bench_log`` (the log file's path).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    if spec.env:
        env.update(spec.env)
    log_path = spec.log_path or tempfile.mkstemp(prefix=f"bench-{spec.name}-", suffix=".log")[1]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            _taskset(spec.cpu, spec.argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc.bench_log = log_path  # type: ignore[attr-defined]
    deadline = time.monotonic() + spec.ready_timeout
    while True:
        if proc.poll() is not None:
            stop_server(proc)
            raise ServerFailed(f"{spec.name} exited with {proc.returncode}:\n{_log_tail(log_path)}")
        if _answers(spec.host, spec.port, spec.ready_path):
            return proc
        if time.monotonic() > deadline:
            stop_server(proc)
            raise ServerFailed(f"{spec.name} did not answer in {spec.ready_timeout}s:\n{_log_tail(log_path)}")
        time.sleep(0.05)


def stop_server(proc: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """SIGTERM the server's whole process group, SIGKILL it after ``timeout``; safe to call twice."""
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    if pgid is not None:
        # Workers may outlive a master that already exited: kill whatever is left of the group.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)


def server_cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """User + system CPU seconds used so far by the server and every live descendant (master and workers).

    Sampled around a wrk run, ``delta / requests`` is the server's CPU cost per request: unlike requests/s it
    hardly moves when other work shares the machine, so it is the steadier figure on a busy box.
    """
    import psutil  # imported here: only callers that measure CPU need it

    try:
        root = psutil.Process(proc.pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
    return total


@contextlib.contextmanager
def running_server(spec: ServerSpec) -> Iterator[subprocess.Popen[bytes]]:
    """``with running_server(spec) as proc:`` the server answers inside, and its group is gone after."""
    proc = start_server(spec)
    try:
        yield proc
    finally:
        stop_server(proc)


@dataclass
class WrkResult:
    """One wrk run. Latencies in milliseconds; ``errors`` = socket errors + non-2xx/3xx responses."""

    requests_per_sec: float
    requests: int = 0
    latency_avg_ms: float = 0.0
    latency_p50_ms: float = 0.0
    latency_p99_ms: float = 0.0
    socket_errors: dict[str, int] = field(default_factory=dict)  # connect, read, write, timeout
    non_2xx_3xx: int = 0
    output: str = ""
    # Filled by callers that sample server_cpu_seconds() around the run: CPU per request, and the share of the
    # run's wall time the server was on a CPU (well below 1.0: the client or other load set the pace, not it).
    server_cpu_us_per_request: float | None = None
    server_busy: float | None = None
    # Filled the same way from the whole machine's CPU times: the CPUs' worth of time other processes than the
    # server and wrk ran during the run, and the time the hypervisor gave this VM's CPUs to others (steal).
    others_busy: float | None = None
    steal: float | None = None

    @property
    def errors(self) -> int:
        return sum(self.socket_errors.values()) + self.non_2xx_3xx

    def as_dict(self) -> dict[str, object]:
        return {
            "requests_per_sec": self.requests_per_sec,
            "requests": self.requests,
            "latency_avg_ms": self.latency_avg_ms,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p99_ms": self.latency_p99_ms,
            "socket_errors": dict(self.socket_errors),
            "non_2xx_3xx": self.non_2xx_3xx,
            "errors": self.errors,
            "server_cpu_us_per_request": self.server_cpu_us_per_request,
            "others_busy": self.others_busy,
            "steal": self.steal,
            "server_busy": self.server_busy,
        }


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


class WrkOutputError(ValueError):
    """wrk's output lacked the Requests/sec line (wrk failed, or its format changed)."""


def parse_wrk(text: str) -> WrkResult:
    """Parse the text of ``wrk --latency``; percentiles need ``--latency`` (else they stay 0.0)."""
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if m is None:
        raise WrkOutputError(f"no Requests/sec in wrk output:\n{text}")
    result = WrkResult(requests_per_sec=float(m.group(1)), output=text)
    if m := re.search(r"^\s*(\d+) requests in", text, re.M):
        result.requests = int(m.group(1))
    if m := re.search(rf"^\s*Latency\s+{_DURATION}", text, re.M):
        result.latency_avg_ms = _ms(m.group(1), m.group(2))
    for pct, attr in (("50", "latency_p50_ms"), ("99", "latency_p99_ms")):
        if m := re.search(rf"^\s*{pct}(?:\.0+)?%\s+{_DURATION}", text, re.M):
            setattr(result, attr, _ms(m.group(1), m.group(2)))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        result.socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        result.non_2xx_3xx = int(m.group(1))
    return result


def _lua_literal(s: str) -> str:
    """A Lua long-bracket string: no escapes to get wrong (fails loudly on the one text it cannot hold)."""
    if "]==]" in s:
        raise ValueError(f"cannot quote {s!r} for Lua")
    return "[==[" + s + "]==]"


def run_wrk(
    url: str,
    *,
    duration: float = 10.0,
    connections: int = 64,
    threads: int = 1,
    cpu: int | None = 1,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 2.0,
) -> WrkResult:
    """Run ``taskset -c CPU wrk --latency`` against ``url`` and parse it.

    ``duration`` is rounded up to whole seconds (wrk's unit). ``method``/``body``/``headers`` go through a
    generated Lua script (wrk's own ``-H`` would not set a body). Raises WrkOutputError if wrk fails.
    """
    seconds = max(1, math.ceil(duration))  # wrk takes whole seconds only
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s:g}s", "--latency"]
    script = None
    if method != "GET" or body is not None or headers:
        lines = [f"wrk.method = {_lua_literal(method)}"]
        if body is not None:
            lines.append(f"wrk.body = {_lua_literal(body)}")
        for name, value in (headers or {}).items():
            # The spaces matter: "[[" would open a Lua long string.
            lines.append(f"wrk.headers[ {_lua_literal(name)} ] = {_lua_literal(value)}")
        fd, script = tempfile.mkstemp(prefix="bench-wrk-", suffix=".lua")
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        argv += ["-s", script]
    try:
        proc = subprocess.run(
            _taskset(cpu, [*argv, url]), capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    finally:
        if script:
            os.unlink(script)
    if proc.returncode != 0:
        raise WrkOutputError(f"wrk exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return parse_wrk(proc.stdout)


def median_result(results: Sequence[WrkResult]) -> WrkResult:
    """The run whose requests/s is the median (lower middle for an even count), so its latencies are real."""
    if not results:
        raise ValueError("no results")
    ordered = sorted(results, key=lambda r: r.requests_per_sec)
    return ordered[(len(ordered) - 1) // 2]


def spread(results: Sequence[WrkResult]) -> float:
    """Relative spread of requests/s, (max - min) / median; 0.0 for one run."""
    values = [r.requests_per_sec for r in results]
    med = statistics.median(values)
    return (max(values) - min(values)) / med if med else 0.0


def ratio(a: float | None, b: float | None) -> str:
    """``a / b`` as "1.83x"; "-" when either is missing or b is zero."""
    if not a or not b:
        return "-"
    return f"{a / b:.2f}x"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Left-align the first column, right-align the rest; a dashed line under the headers."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells[1:]]
    return "\n".join(out)


async def paired_rounds(
    off: Callable[[], Awaitable[object]],
    on: Callable[[], Awaitable[object]],
    rounds: int,
    batch: int,
    *,
    between: Callable[[], object] | None = None,
) -> tuple[list[float], list[float]]:
    """Time ``off()`` and ``on()``, each one batch of ``batch`` requests, in ``rounds`` rounds after a warm-up
    round; each round runs both, in the other order than the round before, so a busy machine's drift hits both
    alike. ``between()`` runs after each batch, outside the timing. Returns each side's CPU us per request, one
    figure a round (``off[i]`` and ``on[i]`` are a pair)."""
    results: tuple[list[float], list[float]] = ([], [])
    sides = ((off, results[0]), (on, results[1]))
    for round_no in range(rounds + 1):
        for call, figures in sides if round_no % 2 else sides[::-1]:
            t0 = time.process_time()
            await call()
            cost = (time.process_time() - t0) / batch * 1e6
            if round_no:  # round 0 warms both up
                figures.append(cost)
            if between is not None:
                between()
    return results


def paired_report(
    what: str, off: Sequence[float], on: Sequence[float], batch: int, *, scenario: str = "hello", on_note: str = ""
) -> str:
    """:func:`paired_rounds`' figures for ``what`` (e.g. "metrics") off and on: each side's min and median, and
    on/off as the ratio of the mins and the median of the paired rounds' ratios."""
    ratios = [b / a for a, b in zip(off, on, strict=True)]
    on_label = f"{what} on ({on_note}):" if on_note else f"{what} on: "
    return "\n".join(
        (
            f"{scenario}, {len(off)} interleaved rounds of {batch:,} requests each way"
            " (CPU us/request, Python path only)",
            f"  {what} off: min {min(off):.2f}  median {statistics.median(off):.2f}",
            f"  {on_label} min {min(on):.2f}  median {statistics.median(on):.2f}",
            f"  on/off: {min(on) / min(off):.3f} (mins), {statistics.median(ratios):.3f} (median of the paired rounds)",
        )
    )


def run_profiled(main: Coroutine[Any, Any, object], path: str | None) -> None:
    """``uvloop.run(main)``; with ``path``, under cProfile, its pstats written to ``path`` when ``main`` ends (for
    a server: SystemExit from a signal handler ends it too), to read with ``python -m pstats``."""
    import uvloop

    if not path:
        uvloop.run(main)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        uvloop.run(main)
    finally:
        profiler.disable()
        profiler.dump_stats(path)

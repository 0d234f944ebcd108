"""Worker memory: prefork's worker against aiohttp's (gunicorn's uvloop worker), at start and after N requests.

    python bench/rss.py                       # 1,000,000 requests per server (a few minutes each)
    python bench/rss.py --requests 200000 --servers prefork

Both serve bench/apps' hello app with the realistic routes (bench/apps/realistic.py), one worker each
(``prefork -w 1`` and ``gunicorn -w 1 -k aiohttp.GunicornUVLoopWebWorker``), the server pinned to CPU 0 and wrk to
CPU 1. The worker is the master's one child. Its memory is read with psutil: RSS, and USS (the pages only it holds,
so not the ones shared with its master after the fork), once after one request of every scenario ("start"), then
after every wrk round, until N requests are answered. wrk sends the realistic mix in turn (hello, /user, /items,
/mw/chain, /cookies, /big, /form), with the user id, the query and the session cookie changing on every request,
so a cache keyed by any of them shows as growth. Every loop is bounded: rounds of ``--round`` seconds, at most
``--max-seconds`` per server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import psutil

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.realistic import FORM_BODY, ITEMS_BODY, TOKEN
from bench.common import (
    ROOT,
    ServerSpec,
    WrkOutputError,
    _lua_literal,
    format_table,
    free_port,
    parse_wrk,
    start_server,
    stop_server,
)
from bench.hello import SCENARIOS, check_answer, server_argv

SERVERS = {"prefork": "prefork-cli", "aiohttp": "aiohttp"}

# The mix, one request of each in turn; "%d" is replaced by a counter that changes on every request.
MIX = (
    ("GET", "/", {}, None),
    ("GET", "/user/%d?fields=name,email%d", {"User-Agent": "bench/1.0"}, None),
    ("POST", "/items", {"Content-Type": "application/json"}, ITEMS_BODY),
    ("GET", "/mw/chain", {"Authorization": TOKEN, "X-Request-Id": "r-%d"}, None),
    ("GET", "/cookies", {"Cookie": "session=s%d; theme=dark"}, None),
    ("GET", "/big", {}, None),
    ("POST", "/form", {"Content-Type": "application/x-www-form-urlencoded"}, FORM_BODY),
)


def mix_script() -> str:
    """A wrk Lua script sending MIX in turn, its "%d" filled with a per-thread counter."""
    lines = ["local n = 0", "local mix = {}"]
    for i, (method, path, headers, body) in enumerate(MIX, 1):
        hdrs = ", ".join(f"[ {_lua_literal(k)} ] = {_lua_literal(v)}" for k, v in headers.items())
        lines.append(
            f"mix[{i}] = {{ {_lua_literal(method)}, {_lua_literal(path)}, {{ {hdrs} }}, "
            f"{_lua_literal(body) if body is not None else 'nil'} }}"
        )
    lines += [
        "request = function()",
        "  n = n + 1",
        "  local m = mix[(n % #mix) + 1]",
        "  local headers = {}",
        "  for k, v in pairs(m[3]) do headers[k] = string.gsub(v, '%%d', tostring(n)) end",
        "  local path = string.gsub(m[2], '%%d', tostring(n % 100000))",
        "  return wrk.format(m[1], path, headers, m[4])",
        "end",
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Sample:
    requests: int
    rss: int
    uss: int


@dataclass
class Run:
    server: str
    samples: list[Sample] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0


def worker_of(master: psutil.Process, timeout: float = 15.0) -> psutil.Process:
    """The master's one child (the worker), waiting for it to appear."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = master.children(recursive=False)
        if len(children) == 1:
            return children[0]
        time.sleep(0.1)
    raise RuntimeError(f"expected one worker under pid {master.pid}, found {master.children()}")


def memory(worker: psutil.Process, requests: int) -> Sample:
    info = worker.memory_full_info()
    return Sample(requests, info.rss, info.uss)


def run_wrk_mix(url: str, script: str, seconds: int, connections: int) -> tuple[int, int]:
    """One wrk round of the mix: (requests answered, errors)."""
    argv = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout=5s", "-s", script]
    proc = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    if proc.returncode != 0:
        raise WrkOutputError(f"wrk exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    result = parse_wrk(proc.stdout)
    return result.requests, result.errors


def measure(server: str, requests: int, round_seconds: int, max_seconds: float, connections: int) -> Run:
    port = free_port()
    spec = ServerSpec(server, server_argv(SERVERS[server], port), port, cpu=0, env={"PYTHONPATH": ROOT})
    fd, script = tempfile.mkstemp(prefix="bench-rss-", suffix=".lua")
    with os.fdopen(fd, "w") as f:
        f.write(mix_script())
    proc = start_server(spec)
    run = Run(server)
    try:
        worker = worker_of(psutil.Process(proc.pid))
        for name in ("hello", "user", "items", "mw", "cookies", "big", "form"):
            check_answer(port, SCENARIOS[name])
        run.samples.append(memory(worker, 0))
        started = time.monotonic()
        done = 0
        while done < requests and time.monotonic() - started < max_seconds:
            answered, errors = run_wrk_mix(f"http://127.0.0.1:{port}", script, round_seconds, connections)
            done += answered
            run.errors += errors
            run.samples.append(memory(worker, done))
            print(f"  {server}: {done:,} requests, RSS {run.samples[-1].rss / 2**20:.1f} MiB", file=sys.stderr)
        run.seconds = time.monotonic() - started
    finally:
        stop_server(proc)
        os.unlink(script)
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests per server (default 1,000,000)")
    parser.add_argument("--servers", default="prefork,aiohttp", help="comma-separated: prefork, aiohttp")
    parser.add_argument("--round", type=int, default=10, help="seconds per wrk round (a memory sample after each)")
    parser.add_argument("--max-seconds", type=float, default=900, help="give up on N after this long, per server")
    parser.add_argument("-c", "--connections", type=int, default=64)
    parser.add_argument("--json", help="also write the samples to this file")
    args = parser.parse_args(argv)
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    for server in servers:
        if server not in SERVERS:
            parser.error(f"unknown server {server!r}; choose from {', '.join(SERVERS)}")

    runs = [measure(s, args.requests, args.round, args.max_seconds, args.connections) for s in servers]
    mib = 2**20
    rows = []
    for run in runs:
        start, end = run.samples[0], run.samples[-1]
        peak = max(s.rss for s in run.samples)
        rows.append(
            [
                run.server,
                f"{end.requests:,}",
                f"{start.rss / mib:.1f}",
                f"{end.rss / mib:.1f}",
                f"{peak / mib:.1f}",
                f"{start.uss / mib:.1f}",
                f"{end.uss / mib:.1f}",
                str(run.errors),
                f"{run.seconds:.0f}",
            ]
        )
    headers = ["server", "requests", "RSS start MiB", "RSS end MiB", "RSS peak", "USS start", "USS end", "errors", "s"]
    print(format_table(headers, rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({run.server: [s.__dict__ for s in run.samples] for run in runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

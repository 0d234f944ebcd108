"""Hello-world throughput: prefork against aiohttp (gunicorn's uvloop worker) and uvicorn (httptools, raw ASGI).

    python bench/hello.py                                   # hello scenario, all servers, 3 x 10 s each
    python bench/hello.py --scenarios all --json out.json   # hello + json + echo, figures saved as JSON
    python bench/hello.py --servers prefork,aiohttp -d 5 -r 5 -c 128
    python bench/hello.py --servers prefork --baseline-tree /work/main --scenarios all   # this tree against main

Every server runs one process pinned to CPU 0 (``taskset -c 0``), wrk runs pinned to CPU 1
(``wrk -t1 -c64 -d10s --latency``) against one server at a time, on 127.0.0.1 with keep-alive. Access logs are off
for all but with ``--access-log``: then each server writes its access log to a file in a temp dir (see
access_log_argv).
Servers take turns: each round starts every server (idle ones cost nothing), then for each scenario warms up and
measures each server in turn, the order flipped from one round to the next, and stops them all; then round 2 ...
so a drift of a shared machine's speed hits every server alike. The figure per scenario is the median
requests/s over the rounds (p50/p99 come from that same run); ratios divide medians. "per round vs X" divides the
two servers' CPU per request within each round, measured seconds apart, and gives the median of those ratios with
their range: a drift of the machine's speed between rounds cancels out of it. At the end the script says how much
CPU other processes ran during the runs (the machine's CPU times less the server's and wrk's) and the steal time
(the hypervisor giving this VM's CPUs to others), and warns when either was more than a trace.

Servers (``--servers``):
    prefork      web.Application on server/ in one process: bench/apps/prefork_hello.py's own runner
                 (uvloop + loop.create_server(app.make_handler())), no supervisor
    prefork-cli  the same app under ``prefork -w 1`` (master + one worker)
    prefork-metrics  prefork-cli with ``--metrics-bind`` (unix socket): what counting the requests costs
    prefork-base the ``prefork`` runner from another tree (``--baseline-tree DIR``, e.g. an unchanged checkout of
                 main): added to the servers by that option, so two versions are measured in one run, rounds
                 alternated
    aiohttp      gunicorn -w 1 -k aiohttp.GunicornUVLoopWebWorker (plus gunicorn's arbiter); the reference
    uvicorn      uvicorn --http httptools --loop uvloop --workers 1, raw ASGI app (bench/apps/asgi_hello.py)
    granian      granian --interface asgi --loop uvloop --http 1 --workers 1, the same raw ASGI app (Rust HTTP)
    floor        uvloop + httptools answering a constant hello, no objects (bench/apps/floor.py): hello only

Scenarios (``--scenarios``, ``all``, or ``realistic`` for all but hello, json and echo):
    hello   GET /, 13-byte text            json  GET /json, json.dumps per request
    echo    POST /echo, 64 bytes echoed     user  GET /user/42?fields=name: JSON from a path and a query
                                                  parameter and the User-Agent header
    items   POST /items, ~4 KiB JSON parsed and summarised
    mw      GET /mw/chain through three middlewares (request id, auth, user lookup) of a sub-application
    cookies GET /cookies: a cookie read, one set
    big     GET /big: a 64 KiB body        form  POST /form: an urlencoded form parsed, answered as JSON
    browser GET / with the 14 fields a desktop Chrome sends on a navigation (hello's answer): what parsing a
            browser's head costs
The framework apps share these routes' code (bench/apps/realistic.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import parse_qsl

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.realistic import BIG, BROWSER_FIELDS, FORM_BODY, ITEMS, ITEMS_BODY, TOKEN, summarise, user_doc
from bench.common import (
    ServerSpec,
    WrkResult,
    format_table,
    free_port,
    median_result,
    ratio,
    run_wrk,
    server_cpu_seconds,
    spread,
    start_server,
    stop_server,
)

ECHO_BODY = "0123456789abcdef" * 4


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    expect: bytes  # the exact body every server must answer with (checked before measuring)
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


SCENARIOS = {
    "hello": Scenario("hello", "GET", "/", b"Hello, World!"),
    "json": Scenario("json", "GET", "/json", b'{"message": "Hello, World!"}'),
    "echo": Scenario(
        "echo",
        "POST",
        "/echo",
        ECHO_BODY.encode(),
        body=ECHO_BODY,
        headers=(("Content-Type", "application/octet-stream"),),
    ),
    "user": Scenario(
        "user",
        "GET",
        "/user/42?fields=name",
        json.dumps(user_doc(42, "name", "bench/1.0")).encode(),
        headers=(("User-Agent", "bench/1.0"),),
    ),
    "items": Scenario(
        "items",
        "POST",
        "/items",
        json.dumps(summarise(ITEMS)).encode(),
        body=ITEMS_BODY,
        headers=(("Content-Type", "application/json"),),
    ),
    "mw": Scenario(
        "mw", "GET", "/mw/chain", b"hello alice", headers=(("Authorization", TOKEN), ("X-Request-Id", "r-1"))
    ),
    "cookies": Scenario(
        "cookies", "GET", "/cookies", b"session=abc123", headers=(("Cookie", "session=abc123; theme=dark"),)
    ),
    "big": Scenario("big", "GET", "/big", BIG),
    "form": Scenario(
        "form",
        "POST",
        "/form",
        json.dumps(dict(parse_qsl(FORM_BODY))).encode(),
        body=FORM_BODY,
        headers=(("Content-Type", "application/x-www-form-urlencoded"),),
    ),
    "browser": Scenario("browser", "GET", "/", b"Hello, World!", headers=BROWSER_FIELDS),
}
REALISTIC = ("user", "items", "mw", "cookies", "big", "form", "browser")

SERVERS = ("prefork", "prefork-cli", "prefork-metrics", "prefork-base", "aiohttp", "uvicorn", "granian", "floor")
BASELINES = ("aiohttp", "uvicorn", "granian", "floor", "prefork-base")
# Servers that answer only some scenarios (the floor has one constant response).
ONLY = {"floor": ("hello", "browser")}


def serves(server: str, scenario: str) -> bool:
    """Whether ``server`` answers ``scenario`` (every server answers every scenario but those in ONLY)."""
    return scenario in ONLY.get(server, (scenario,))


# gunicorn's default access_log_format, which prefork and aiohttp's gunicorn worker both default to.
GUNICORN_ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
# Servers --access-log runs, and how: prefork's own runner has no access-log option (the supervisor wires it), so
# prefork-cli (and prefork-base, from the baseline tree's supervisor) carry the prefork figures with the log on.
ACCESS_LOG_SERVERS = ("prefork-cli", "prefork-metrics", "prefork-base", "aiohttp", "uvicorn")


def access_log_argv(name: str, log_file: str) -> list[str]:
    """The options that make ``name`` write its access log to ``log_file``, in gunicorn's default format where
    the server speaks it (uvicorn has its own line, written through a logging config with a FileHandler)."""
    if name in ("prefork-cli", "prefork-metrics", "prefork-base", "aiohttp"):
        # aiohttp's GunicornWebWorker turns gunicorn's default format into its own atoms (_get_valid_log_format).
        return ["--access-logfile", log_file, "--access-logformat", GUNICORN_ACCESS_FORMAT]
    if name == "uvicorn":
        config = {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "access": {
                    "()": "uvicorn.logging.AccessFormatter",
                    "fmt": '%(client_addr)s - "%(request_line)s" %(status_code)s',
                    "use_colors": False,
                }
            },
            "handlers": {"access": {"class": "logging.FileHandler", "filename": log_file, "formatter": "access"}},
            "loggers": {
                "uvicorn.error": {"level": "WARNING"},
                "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            },
        }
        config_path = log_file + ".logging.json"
        with open(config_path, "w") as f:
            json.dump(config, f)
        return ["--log-config", config_path]
    raise ValueError(f"{name} has no access log in this bench")


def server_argv(name: str, port: int, access_log: str | None = None) -> list[str]:
    """The command that serves the bench app for ``name`` on 127.0.0.1:port, one process, with its access log
    written to the file ``access_log`` when given (see :func:`access_log_argv`), else none."""
    argv = _server_argv(name, port, access_log is not None)
    if access_log is not None:
        if name == "uvicorn":
            # --log-level would set uvicorn.access to WARNING (silencing it) and --no-access-log would drop its
            # handlers: the logging config sets the levels instead.
            i = argv.index("--log-level")
            argv = [a for a in argv[:i] + argv[i + 2 :] if a != "--no-access-log"]
        argv[-1:-1] = access_log_argv(name, access_log)
    return argv


def _server_argv(name: str, port: int, access_log: bool) -> list[str]:
    if access_log and name not in ACCESS_LOG_SERVERS:
        raise ValueError(f"{name} has no access log in this bench")
    py = sys.executable
    if name == "prefork-base" and access_log:
        # the baseline tree's supervisor, as prefork-cli runs this tree's
        return [
            py, "-P", "-m", "supervisor", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
            "bench.apps.prefork_hello:app",
        ]  # fmt: skip
    if name == "prefork":
        return [py, "-m", "bench.apps.prefork_hello", "--port", str(port)]
    if name == "prefork-base":
        # -P: the working directory (this tree) is not put first on sys.path; PYTHONPATH names the other tree.
        return [py, "-P", "-m", "bench.apps.prefork_hello", "--port", str(port)]
    if name in ("prefork-cli", "prefork-metrics"):
        metrics = []
        if name == "prefork-metrics":
            metrics = ["--metrics-bind", f"unix:/tmp/prefork-bench-metrics-{port}.sock"]
        return [
            py, "-m", "supervisor", "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning", *metrics,
            "bench.apps.prefork_hello:app",
        ]  # fmt: skip
    if name == "aiohttp":
        return [
            py, "-m", "gunicorn", "-w", "1", "-k", "aiohttp.GunicornUVLoopWebWorker", "-b", f"127.0.0.1:{port}",
            "--log-level", "warning", "bench.apps.aiohttp_hello:app",
        ]  # fmt: skip
    if name == "uvicorn":
        return [
            py, "-m", "uvicorn", "--http", "httptools", "--loop", "uvloop", "--workers", "1", "--no-access-log",
            "--log-level", "warning", "--host", "127.0.0.1", "--port", str(port), "bench.apps.asgi_hello:app",
        ]  # fmt: skip
    if name == "granian":
        return [
            py, "-m", "granian", "--interface", "asgi", "--loop", "uvloop", "--http", "1", "--no-ws", "--workers", "1",
            "--log-level", "warning", "--host", "127.0.0.1", "--port", str(port), "bench.apps.asgi_hello:app",
        ]  # fmt: skip
    if name == "floor":
        return [py, "-m", "bench.apps.floor", "--port", str(port)]
    raise ValueError(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")


def prefork_available() -> str | None:
    """None if prefork's web package and CLI work here, else why not (the prefork rows are then skipped)."""
    probe = subprocess.run(
        [sys.executable, "-c", "from web import Application, Response"],
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        check=False,
    )
    if probe.returncode != 0:
        return "web is not importable: " + (probe.stderr.strip().splitlines() or ["?"])[-1]
    return None


def prefork_cli_available() -> str | None:
    probe = subprocess.run(
        [sys.executable, "-m", "supervisor", "--version"],
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        check=False,
    )
    return None if probe.returncode == 0 else "prefork --version fails"


def check_answer(port: int, scenario: Scenario) -> None:
    """One request through urllib: the server must answer 200 with exactly the expected body."""
    data = scenario.body.encode() if scenario.body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{scenario.path}", data=data, method=scenario.method, headers=dict(scenario.headers)
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        body = resp.read()
        if resp.status != 200 or body != scenario.expect:
            raise RuntimeError(f"{scenario.name}: got {resp.status} {body!r}, want 200 {scenario.expect!r}")


def machine() -> dict[str, object]:
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    versions = {}
    for mod in ("aiohttp", "uvloop", "httptools", "gunicorn", "uvicorn", "granian"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:
            versions[mod] = "?"
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": (wrk.stdout + wrk.stderr).split("[", 1)[0].replace("wrk", "").strip(),
        **versions,
    }


def measure(
    args: argparse.Namespace, proc: subprocess.Popen[bytes], scenario: Scenario, port: int, duration: int
) -> WrkResult:
    machine0, children0 = psutil.cpu_times(), _children_cpu()
    before, t0 = server_cpu_seconds(proc), time.monotonic()
    result = run_wrk(
        f"http://127.0.0.1:{port}{scenario.path}",
        duration=duration,
        connections=args.connections,
        threads=args.threads,
        cpu=args.client_cpu,
        method=scenario.method,
        body=scenario.body,
        headers=dict(scenario.headers),
    )
    used, elapsed = server_cpu_seconds(proc) - before, time.monotonic() - t0
    if result.requests:
        result.server_cpu_us_per_request = used / result.requests * 1e6
    # wrk's own start-up is inside ``elapsed``: busy reads a little low, never high.
    result.server_busy = used / elapsed if elapsed > 0 else None
    machine1, wrk = psutil.cpu_times(), _children_cpu() - children0
    if elapsed > 0:
        # The time this VM's CPUs ran anything: all but idle, iowait and steal (the hypervisor ran others then),
        # guest and guest_nice counted once (Linux counts them inside user and nice as well). Less the server's and
        # wrk's (the only child that ended meanwhile), it is what other processes ran.
        delta = [after - before for before, after in zip(machine0, machine1, strict=True)]
        times = dict(zip(machine0._fields, delta, strict=True))
        excluded = times["idle"] + times["iowait"] + times["steal"] + times["guest"] + times["guest_nice"]
        result.others_busy = max(0.0, sum(delta) - excluded - used - wrk) / elapsed
        result.steal = times["steal"] / elapsed
    return result


def _children_cpu() -> float:
    """CPU seconds of this process's children that have ended (wrk, once it has)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _count_lines(path: str) -> int:
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except FileNotFoundError:
        return 0


def _median_cpu(results: list[WrkResult]) -> float | None:
    values = [r.server_cpu_us_per_request for r in results if r.server_cpu_us_per_request]
    return statistics.median(values) if values else None


def paired_cpu_ratios(base: list[WrkResult], this: list[WrkResult]) -> list[float]:
    """``base``'s CPU per request over ``this`` one's, round by round: the two runs of one round are seconds apart,
    so a drift of the machine's speed between rounds cancels out of each ratio (their median is the steadier figure;
    the ratio of the medians can pair one server's quick round with the other's slow one)."""
    return [
        b.server_cpu_us_per_request / t.server_cpu_us_per_request
        for b, t in zip(base, this, strict=False)
        if b.server_cpu_us_per_request and t.server_cpu_us_per_request
    ]


def paired(ratios: list[float]) -> str:
    """The median of per-round ratios with their range, as "2.08x (1.95-2.20)"; "-" without any."""
    if not ratios:
        return "-"
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def _median_busy(results: list[WrkResult]) -> float | None:
    values = [r.server_busy for r in results if r.server_busy is not None]
    return statistics.median(values) if values else None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--duration", type=int, default=10.0, help="seconds per measured run (10)")
    parser.add_argument("-c", "--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("-t", "--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("-r", "--repeats", type=int, default=3, help="measured rounds; the median is reported (3)")
    parser.add_argument("-w", "--warmup", type=int, default=2.0, help="warm-up seconds per scenario per start (2)")
    parser.add_argument(
        "--servers",
        default=None,
        help=f"comma-separated, from {', '.join(SERVERS)} (prefork,prefork-cli,aiohttp,uvicorn; with --access-log "
        "prefork-cli,aiohttp,uvicorn)",
    )
    parser.add_argument(
        "--scenarios", default="hello", help=f"comma-separated from {', '.join(SCENARIOS)}, or all, or realistic"
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="CPU the server is pinned to (0; -1: unpinned)")
    parser.add_argument("--client-cpu", type=int, default=1, help="CPU wrk is pinned to (1; -1: unpinned)")
    parser.add_argument(
        "--baseline-tree",
        metavar="DIR",
        help="also run prefork-base: the prefork runner with DIR's server/, web/ and bench app (e.g. main)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures and every run as JSON")
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="every server with its access log on, written to a file in a temp dir (gunicorn's default format for "
        "prefork and aiohttp); a server without one in this bench (prefork's own runner, granian, floor) runs "
        "without it, as a reference, when named in --servers",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print each run as it finishes")
    args = parser.parse_args(argv)
    if args.servers is None:
        args.servers = "prefork-cli,aiohttp,uvicorn" if args.access_log else "prefork,prefork-cli,aiohttp,uvicorn"
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in args.servers:
        if s not in SERVERS:
            parser.error(f"unknown server {s!r}; choose from {', '.join(SERVERS)}")
    if args.baseline_tree:
        args.baseline_tree = os.path.abspath(args.baseline_tree)
        if not os.path.isfile(os.path.join(args.baseline_tree, "bench", "apps", "prefork_hello.py")):
            parser.error(f"--baseline-tree {args.baseline_tree}: no bench/apps/prefork_hello.py there")
        if "prefork-base" not in args.servers:
            args.servers.append("prefork-base")
    elif "prefork-base" in args.servers:
        parser.error("prefork-base needs --baseline-tree DIR")
    if args.scenarios == "all":
        names = list(SCENARIOS)
    elif args.scenarios == "realistic":
        names = list(REALISTIC)
    else:
        names = [s.strip() for s in args.scenarios.split(",")]
    for s in names:
        if s not in SCENARIOS:
            parser.error(f"unknown scenario {s!r}; choose from {', '.join(SCENARIOS)} or all")
    args.scenarios = [SCENARIOS[s] for s in names]
    args.server_cpu = None if args.server_cpu < 0 else args.server_cpu
    args.client_cpu = None if args.client_cpu < 0 else args.client_cpu
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM/SIGHUP unwind like Ctrl-C does, so the finally blocks stop the server under test.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    if (os.cpu_count() or 1) < 2 and args.server_cpu is not None and args.server_cpu == args.client_cpu:
        print("warning: server and wrk share one CPU; the figures measure both", file=sys.stderr)
    servers = list(args.servers)
    skipped: dict[str, str] = {}
    probes = (("prefork", prefork_available), ("prefork-cli", prefork_cli_available))
    for name, probe in (*probes, ("prefork-metrics", prefork_cli_available)):
        if name in servers and (why := prefork_available() or probe()):
            skipped[name] = why
            servers.remove(name)
    unlogged = [s for s in servers if s not in ACCESS_LOG_SERVERS] if args.access_log else []
    for name in unlogged:
        print(f"{name} runs without an access log (none in this bench; prefork-cli is prefork with one)")
    for name, why in skipped.items():
        print(f"skipping {name}: {why}", file=sys.stderr)
    if not servers:
        print("no server to run", file=sys.stderr)
        return 2

    info = machine()
    load_start = os.getloadavg()[0]
    started = datetime.datetime.now(datetime.UTC)
    print(
        f"{started:%Y-%m-%d %H:%M} UTC  {info['cpu']} x{info['cpus']}  Linux {info['kernel']}  Python {info['python']}"
    )
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s on CPU {args.client_cpu}, servers on CPU "
        f"{args.server_cpu}; {args.repeats} rounds, {args.warmup:g} s warm-up per scenario"
    )
    log_dir = tempfile.mkdtemp(prefix="bench-access-") if args.access_log else None
    access_lines: dict[str, int] = {}
    runs: dict[str, dict[str, list[WrkResult]]] = {
        sc.name: {s: [] for s in servers if serves(s, sc.name)} for sc in args.scenarios
    }
    for round_no in range(1, args.repeats + 1):
        # Every server is started for the round and they take turns scenario by scenario, so the runs compared in a
        # round are seconds apart; the turn order flips each round, so no server always runs first.
        order = servers if round_no % 2 else servers[::-1]
        procs: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        log_files: dict[str, str] = {}
        try:
            for server in order:
                port = free_port()
                env = {"PYTHONPATH": args.baseline_tree} if server == "prefork-base" else None
                if log_dir and server not in unlogged:
                    log_files[server] = os.path.join(log_dir, f"{server}-{round_no}.log")
                argv = server_argv(server, port, log_files.get(server))
                procs[server] = (start_server(ServerSpec(server, argv, port, cpu=args.server_cpu, env=env)), port)
            for scenario in args.scenarios:
                for server in order:
                    if not serves(server, scenario.name):
                        continue
                    proc, port = procs[server]
                    check_answer(port, scenario)
                    if args.warmup > 0:
                        measure(args, proc, scenario, port, args.warmup)
                    result = measure(args, proc, scenario, port, args.duration)
                    runs[scenario.name][server].append(result)
                    if args.verbose:
                        print(
                            f"  round {round_no} {scenario.name:<5} {server:<11}"
                            f" {result.requests_per_sec:>10,.0f} req/s  p99 {result.latency_p99_ms:.2f} ms"
                            f"  cpu {result.server_cpu_us_per_request or 0:.1f} us/req  errors {result.errors}",
                            flush=True,
                        )
        finally:
            for proc, _ in procs.values():
                stop_server(proc)
        for server, log_file in log_files.items():
            access_lines[server] = access_lines.get(server, 0) + _count_lines(log_file)
        if not args.verbose:
            print(f"  round {round_no}/{args.repeats} done", flush=True)

    report: dict[str, object] = {
        "date": started.isoformat(timespec="seconds"),
        "machine": info,
        "settings": {
            "duration_s": args.duration,
            "connections": args.connections,
            "threads": args.threads,
            "repeats": args.repeats,
            "warmup_s": args.warmup,
            "server_cpu": args.server_cpu,
            "client_cpu": args.client_cpu,
            "baseline_tree": args.baseline_tree,
            "access_log": args.access_log,
        },
        "skipped": skipped,
        "scenarios": {},
    }
    for scenario in args.scenarios:
        rs_by = runs[scenario.name]
        present = list(rs_by)
        baselines = [b for b in BASELINES if b in present]
        medians = {s: median_result(rs_by[s]) for s in present}
        cpu = {s: _median_cpu(rs_by[s]) for s in present}
        busy = {s: _median_busy(rs_by[s]) for s in present}
        # The first baseline's CPU over each server's, round by round (see paired_cpu_ratios).
        pairs = {s: paired_cpu_ratios(rs_by[baselines[0]], rs_by[s]) for s in present} if baselines else {}
        rows = []
        for s in present:
            m = medians[s]
            lo, hi = min(r.requests_per_sec for r in rs_by[s]), max(r.requests_per_sec for r in rs_by[s])
            rows.append(
                [
                    s,
                    f"{m.requests_per_sec:,.0f}",
                    f"{lo:,.0f}-{hi:,.0f}",
                    f"{m.latency_p50_ms:.2f}",
                    f"{m.latency_p99_ms:.2f}",
                    str(sum(r.errors for r in rs_by[s])),
                    *(ratio(m.requests_per_sec, medians[b].requests_per_sec) for b in baselines[:1]),
                    f"{busy[s]:.0%}" if busy[s] is not None else "-",
                    f"{cpu[s]:.1f}" if cpu[s] else "-",
                    *(ratio(cpu[b], cpu[s]) for b in baselines),
                    *(paired(pairs[s]) for _ in baselines[:1]),
                ]
            )
        print()
        print(f"{scenario.name}: {scenario.method} {scenario.path}")
        headers = [
            "server", "req/s", "range", "p50 ms", "p99 ms", "errors", *(f"vs {b}" for b in baselines[:1]),
            "busy", "cpu us/req", *(f"cpu vs {b}" for b in baselines),
            *(f"per round vs {b}" for b in baselines[:1]),
        ]  # fmt: skip
        print(format_table(headers, rows))
        report["scenarios"][scenario.name] = {  # type: ignore[index]
            s: {
                "median": medians[s].as_dict(),
                "spread": spread(rs_by[s]),
                "cpu_us_per_request": cpu[s],
                "server_busy": busy[s],
                "runs": [r.as_dict() for r in rs_by[s]],
                "ratios": {b: medians[s].requests_per_sec / medians[b].requests_per_sec for b in baselines},
                "cpu_ratios": {b: cpu[b] / cpu[s] for b in baselines if cpu[s] and cpu[b]},
                "cpu_ratios_per_round": {baselines[0]: pairs[s]} if baselines else {},
            }
            for s in present
        }
    print(
        "\nreq/s: median of the rounds (range: min-max); p50/p99 from the median run; errors: all rounds."
        "\nbusy: the server's CPU time / wall time during the runs (below ~90%: wrk or other load set the pace, so"
        " req/s understates the server);"
        "\ncpu us/req: the server's own CPU time per request (median); 'cpu vs X' = X's cost / this one's;"
        "\n'per round vs X': X's cost / this one's in each round (measured seconds apart): median (min-max)."
    )
    if log_dir is not None:
        # every request answered (warm-ups and checks included) should have its line: a server that logs less
        # than it served is measured doing less work
        served = {s: sum(r.requests for sc in runs.values() for r in sc.get(s, [])) for s in servers}
        report["access_log_lines"] = access_lines
        print("\naccess log lines written (requests measured, warm-ups and checks not counted):")
        for s in servers:
            lines = "no access log" if s in unlogged else f"{access_lines.get(s, 0):,}"
            print(f"  {s:<15} {lines:>13} ({served[s]:,})")
        shutil.rmtree(log_dir, ignore_errors=True)
    load_end = os.getloadavg()[0]
    report["loadavg_1min"] = [load_start, load_end]
    print(f"load average (1 min) at start {load_start:.2f}, at end {load_end:.2f} on {info['cpus']} CPUs")
    # The load average counts the bench's own two busy processes; what others ran is measured instead.
    every = [r for sc in runs.values() for rs in sc.values() for r in rs]
    others = [r.others_busy for r in every if r.others_busy is not None]
    steal = [r.steal for r in every if r.steal is not None]
    if others:
        report["others_busy"] = {"median": statistics.median(others), "max": max(others)}
        report["steal"] = {"median": statistics.median(steal), "max": max(steal)}
        print(
            f"other processes ran {statistics.median(others):.2f} CPUs' worth during a median run (max"
            f" {max(others):.2f}); steal {statistics.median(steal):.1%} of a CPU (max {max(steal):.1%})"
        )
        if statistics.median(others) > 0.05 or max(steal) > 0.02:
            print("warning: other work shared this machine; req/s is noisy, cpu us/req and its ratios are steadier")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Websocket echo: prefork's WebSocketResponse vs aiohttp's, by messages/s and by the server's CPU per message.

    python bench/ws_echo.py --window 1 --connections 8        # request/response: one message in flight per conn
    python bench/ws_echo.py                                   # pipelined: 64 B (window 100) and 64 KiB (window 8)
    python bench/ws_echo.py --rounds 5 --seconds 5 --json out.json
    python bench/ws_echo.py --mask                            # the masking micro-benchmark of websocket_frames

Each server runs the same echo handler (bench/ws_echo_app.py: ``async for msg in ws: await ws.send_str(...)``)
as one process on uvloop, without a supervisor: prefork as ``loop.create_server(app.make_handler())``, aiohttp
with its own ``AppRunner`` + ``TCPSite``. The server is pinned to CPU 0 (``taskset -c 0``) and the client, a
raw-socket epoll loop in its own process (bench/ws_client.py), to CPU 1, so the client never takes the server's
CPU. The servers take turns in rounds, each started fresh per round.

The figure to quote is ``cpu us/msg``: the server process's user + system CPU time (psutil, as bench/hello.py
reads it) over the timed window, divided by the messages echoed in it. The client quiesces before and after the
window, so the two CPU samples bracket exactly the messages counted. ``busy`` is that CPU time over the wall time:
near 100% the server is the bottleneck and msg/s is its throughput; well below, the client or the machine's other
load set the pace and msg/s understates the server, while CPU per message hardly moves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.common import ServerSpec, format_table, free_port, running_server, server_cpu_seconds  # noqa: E402

SERVERS = ("prefork", "aiohttp")


def server_spec(name: str, port: int, baseline: Path | None = None) -> ServerSpec:
    """The echo server ``name`` on ``port``, pinned to CPU 0; ``prefork-base`` is prefork from ``baseline``."""
    app = (baseline if name == "prefork-base" and baseline else HERE.parent) / "bench" / "ws_echo_app.py"
    argv = [sys.executable, str(app), "--port", str(port)]
    if name in ("aiohttp", "floor"):
        argv.append("--" + name)
    return ServerSpec(name=name, argv=argv, port=port, cpu=0)


def _system_seconds(proc: subprocess.Popen[bytes]) -> float:
    """The kernel's share of ``server_cpu_seconds`` (system time of the server process, which has no children)."""
    import psutil

    return float(psutil.Process(proc.pid).cpu_times().system)


def measure(proc: subprocess.Popen[bytes], port: int, size: int, window: int, args: argparse.Namespace) -> dict:
    """One timed window of the client against the running server ``proc``: messages/s and server CPU/message."""
    argv = [
        sys.executable,
        str(HERE / "ws_client.py"),
        "--port",
        str(port),
        "--size",
        str(size),
        "--window",
        str(window),
        "--connections",
        str(args.connections),
        "--seconds",
        str(args.seconds),
        "--warmup",
        str(args.warmup),
    ]
    if args.binary:
        argv.append("--binary")
    client = subprocess.Popen(
        ["taskset", "-c", "1", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE.parent
    )
    try:
        line = client.stdout.readline()  # type: ignore[union-attr]
        if line.strip() != "ready":
            raise RuntimeError(f"client failed before the run: {line!r}")
        cpu0, sys0 = server_cpu_seconds(proc), _system_seconds(proc)
        client.stdin.write("go\n")  # type: ignore[union-attr]
        client.stdin.flush()  # type: ignore[union-attr]
        line = client.stdout.readline()  # type: ignore[union-attr]
        cpu1, sys1 = server_cpu_seconds(proc), _system_seconds(proc)
        result = json.loads(line)
    finally:
        if client.poll() is None:
            client.stdin.close()  # type: ignore[union-attr]
            try:
                client.wait(10)
            except subprocess.TimeoutExpired:
                client.kill()
                client.wait()
    messages, elapsed = result["messages"], result["elapsed"]
    return {
        "msg_per_sec": messages / elapsed,
        "messages": messages,
        "elapsed": elapsed,
        "cpu_us_per_msg": (cpu1 - cpu0) / messages * 1e6,
        "system_share": (sys1 - sys0) / (cpu1 - cpu0),
        "busy": (cpu1 - cpu0) / elapsed,
        "client_cpu_us_per_msg": result["client_cpu"] / messages * 1e6,
    }


def mask_bench() -> None:
    from server.websocket_frames import _apply_mask_int, _load_mask

    _apply_mask_c = _load_mask() if _load_mask() is not _apply_mask_int else None

    mask = os.urandom(4)
    print(f"{'size':>8}  {'int.from_bytes':>15}  {'websockets C':>13}")
    for size in (64, 1024, 65536, 1 << 20):
        data = os.urandom(size)
        number = 20000 if size < 100_000 else 200
        t_int = timeit.timeit(lambda data=data: _apply_mask_int(data, mask), number=number) / number
        t_c = timeit.timeit(lambda data=data: _apply_mask_c(data, mask), number=number) / number if _apply_mask_c else 0
        print(f"{size:>8}  {t_int * 1e6:>12.2f} us  {t_c * 1e6:>10.2f} us")


def _range(values: list[float], fmt: str) -> str:
    return f"{format(min(values), fmt)}-{format(max(values), fmt)}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="timed window per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="untimed echo before each run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the servers take turns in each")
    parser.add_argument("--window", type=int, default=0, help="frames per batch (default 100 for 64 B, 8 for 64 KiB)")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--binary", action="store_true", help="binary messages instead of text")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 65536])
    parser.add_argument(
        "--servers", default=",".join(SERVERS), help="comma-separated: prefork,aiohttp,floor,prefork-base"
    )
    parser.add_argument("--json", metavar="PATH", help="save every run as JSON")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        metavar="DIR",
        help="another checkout, served as 'prefork-base' (its bench/ws_echo_app.py imports its own server/ and web/)",
    )
    parser.add_argument("--mask", action="store_true", help="run the masking micro-benchmark only")
    args = parser.parse_args(argv)
    if args.mask:
        mask_bench()
        return
    servers = [s for s in args.servers.split(",") if s]
    if "prefork-base" in servers and args.baseline_tree is None:
        parser.error("prefork-base needs --baseline-tree")
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    runs: dict[tuple[str, int], list[dict]] = {(name, size): [] for name in servers for size in args.sizes}
    for rnd in range(args.rounds):
        # Alternate the order too, so neither server always runs right after the other.
        order = servers if rnd % 2 == 0 else servers[::-1]
        for name in order:
            port = free_port()
            with running_server(server_spec(name, port, args.baseline_tree)) as proc:
                for size in args.sizes:
                    window = args.window or (100 if size <= 1024 else 8)
                    r = measure(proc, port, size, window, args)
                    r["window"] = window
                    runs[name, size].append(r)
                    print(
                        f"round {rnd + 1} {name:8} {size:>6} B  window {window:>3} x {args.connections} conn: "
                        f"{r['msg_per_sec']:>9,.0f} msg/s  {r['cpu_us_per_msg']:6.1f} us/msg  busy {r['busy']:4.0%}",
                        flush=True,
                    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}\n")
    rows = []
    for size in args.sizes:
        base = runs.get(("aiohttp", size))
        base_rate = statistics.median(r["msg_per_sec"] for r in base) if base else None
        base_cpu = statistics.median(r["cpu_us_per_msg"] for r in base) if base else None
        for name in servers:
            rs = runs[name, size]
            rate = [r["msg_per_sec"] for r in rs]
            cpu = [r["cpu_us_per_msg"] for r in rs]
            rows.append(
                [
                    f"{name} {size} B",
                    f"{statistics.median(rate):,.0f}",
                    _range(rate, ",.0f"),
                    f"{statistics.median(cpu):.1f}",
                    _range(cpu, ".1f"),
                    f"{statistics.median(r['busy'] for r in rs):.0%}",
                    f"{statistics.median(r['system_share'] for r in rs):.0%}",
                    f"{statistics.median(r['client_cpu_us_per_msg'] for r in rs):.1f}",
                    f"{statistics.median(rate) / base_rate:.2f}x" if base_rate else "-",
                    f"{base_cpu / statistics.median(cpu):.2f}x" if base_cpu else "-",
                ]
            )
    headers = [
        "server",
        "msg/s",
        "range",
        "cpu us/msg",
        "range",
        "busy",
        "kernel",
        "client us/msg",
        "msg/s vs aio",
        "cpu vs aio",
    ]
    print(format_table(headers, rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{n} {s}": v for (n, s), v in runs.items()}, f, indent=1)


if __name__ == "__main__":
    main()

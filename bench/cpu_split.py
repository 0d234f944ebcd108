"""Where a server's CPU per request goes: user time against the kernel's, for one scenario of bench/hello.py.

    python bench/cpu_split.py --scenario items --servers prefork,aiohttp,floor
    python bench/cpu_split.py --scenario hello --connections 1       # one client, one request after another

Each server runs alone on CPU 0, wrk on CPU 1 (as bench/hello.py runs them); after a warm-up, wrk runs for
``--duration`` seconds and the server's process tree's user and system CPU times, sampled around it, are divided
by the requests answered. bench/hello.py's figure is their sum; the split tells work the server does itself
(parsing, the handler, objects) from work the kernel does for it (the socket calls, and the wake-ups of a waiting
client that those calls perform). The floor answers any request with its constant hello, so against it the kernel's
share of a scenario's request (its body received, an answer sent) shows alone. Rounds alternate the servers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import ServerSpec, free_port, run_wrk, running_server
from bench.hello import SCENARIOS, SERVERS, server_argv


def cpu_times(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of ``pid`` and its live descendants."""
    import psutil

    root = psutil.Process(pid)
    user = system = 0.0
    for proc in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            user += times.user
            system += times.system
    return user, system


def measure(server: str, scenario: str, duration: float, connections: int) -> tuple[float, float, float]:
    """(user µs, system µs, requests/s) per request of one run of ``server`` on ``scenario``."""
    spec = SCENARIOS[scenario]
    port = free_port()
    wrk = {"method": spec.method, "body": spec.body, "headers": dict(spec.headers), "connections": connections}
    url = f"http://127.0.0.1:{port}{spec.path}"
    with running_server(ServerSpec(server, server_argv(server, port, None), port, cpu=0)) as proc:
        run_wrk(url, duration=1, **wrk)  # warm-up
        user0, system0 = cpu_times(proc.pid)
        result = run_wrk(url, duration=duration, **wrk)
        user1, system1 = cpu_times(proc.pid)
    requests = result.requests or 1
    return (user1 - user0) / requests * 1e6, (system1 - system0) / requests * 1e6, result.requests_per_sec


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="items")
    parser.add_argument("--servers", default="prefork,aiohttp", help=f"comma-separated, of {', '.join(SERVERS)}")
    parser.add_argument("-d", "--duration", type=float, default=3.0)
    parser.add_argument("-r", "--rounds", type=int, default=3)
    parser.add_argument("-c", "--connections", type=int, default=64)
    args = parser.parse_args()
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    runs: dict[str, list[tuple[float, float, float]]] = {server: [] for server in servers}
    for round_no in range(args.rounds):
        for server in servers if round_no % 2 == 0 else servers[::-1]:
            runs[server].append(measure(server, args.scenario, args.duration, args.connections))
    print(f"{args.scenario}: wrk -c{args.connections}, {args.rounds} rounds of {args.duration:g} s; medians")
    print(f"{'server':<10} {'req/s':>9} {'user us/req':>12} {'system us/req':>14} {'total':>7}")
    for server, results in runs.items():
        user = statistics.median(r[0] for r in results)
        system = statistics.median(r[1] for r in results)
        rate = statistics.median(r[2] for r in results)
        print(f"{server:<10} {rate:>9,.0f} {user:>12.1f} {system:>14.1f} {user + system:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

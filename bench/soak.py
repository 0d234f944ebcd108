"""Memory soak: does one worker's memory stay flat over millions of requests?

    python bench/soak.py                                  # 10 million hello + 1 million mixed requests
    python bench/soak.py --hello 2000000 --mixed 200000   # smaller
    python bench/soak.py --tracemalloc 8 ...              # also tracemalloc's top growths (8 frames a trace)

``prefork -w 1`` serves tests/supervisor/apps/chaos_app.py. After a warm-up (wrk for a few seconds, then 5,000
mixed requests), the worker's RSS is the baseline. Then ``--hello`` requests of ``GET /`` by wrk (``-c64``, in
chunks of at most a minute, each chunk's duration chosen from the rate measured so far, until the count is
reached), then ``--mixed`` requests from bench/chaos_load.py's clients (hello, 4 KiB POST echo, 256 KiB answers, a slow
handler, and websocket echoes alongside), each answer checked against its request. The worker's RSS is sampled
after every chunk; the same worker must serve the whole run (no recycling is configured).

With ``--tracemalloc N`` the worker runs tracemalloc from its start (``CHAOS_TRACEMALLOC``); the baseline snapshot
is taken after the warm-up and the top 25 growths since then are printed at the end. tracemalloc slows the worker
(about 2x), so the RSS figures of such a run are not those of a plain one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

# bench/ as a package, and the process-test tools, which the soaks share
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "supervisor"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # http_client, the shared test kit
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from masters import Prefork, in_thread

from bench.chaos_load import ROOT, Load, Run, problems_of_tally
from bench.common import free_port, run_wrk

MB = 1024 * 1024


def _mb(rss: int) -> str:
    return f"{rss / MB:.1f}"


async def mixed(port: int, count: int, http: int, ws: int, seed: int) -> Run:
    """``count`` mixed HTTP requests (websocket echoes alongside) from bench/chaos_load.py's clients."""
    run = Run(port, seed)
    load = await Load(run, http, ws).start()
    try:
        while run.tally.requests() < count:
            await asyncio.sleep(0.05)
    finally:
        await load.stop()
    return run


def fetch(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
        return answer.read().decode()


class Soak:
    """One soak run; ``samples`` holds (label, requests so far, worker RSS)."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.prefork = Prefork(tmp, free_port())
        self.samples: list[tuple[str, int, int]] = []
        self.served = 0
        self.worker = 0
        self.notes: list[str] = []

    def sample(self, label: str) -> int:
        rss = psutil.Process(self.worker).memory_info().rss
        self.samples.append((label, self.served, rss))
        print(f"  {label:<24} {self.served:>10} requests  worker RSS {_mb(rss)} MB", flush=True)
        return rss

    def hello(self, target: int, rate: float) -> float:
        """wrk ``GET /`` until ``target`` requests are done; returns the last rate."""
        done = 0
        url = f"http://127.0.0.1:{self.prefork.port}/"
        for _ in range(10_000):
            if done >= target:
                break
            seconds = max(2.0, min(60.0, (target - done) / max(rate, 1.0)))
            result = run_wrk(url, duration=seconds, connections=64, cpu=None)
            if result.errors:
                self.notes.append(f"wrk errors: {result.socket_errors}, non-2xx {result.non_2xx_3xx}")
            done += result.requests
            self.served += result.requests
            rate = result.requests_per_sec
            self.sample(f"hello ({rate:.0f}/s)")
        return rate

    async def mixed(self, count: int, label: str) -> None:
        run = await mixed(self.prefork.port, count, self.args.http, self.args.ws, self.args.seed)
        self.served += run.tally.requests()
        found = problems_of_tally(run.tally)
        if found:
            self.notes.append(f"{label}: {found}; first: {run.samples[:5]}")
        self.sample(f"{label} (ws {run.tally.ws_echoed})")

    async def execute(self) -> dict[str, object]:
        args = self.args
        env = {"PYTHONPATH": str(ROOT), "CHAOS_TRACEMALLOC": str(args.tracemalloc)}
        await in_thread(self.prefork.start, "-w", "1", app="chaos_app:create_app", env=env, wait=1)
        try:
            (self.worker,) = self.prefork.workers()
            start = time.monotonic()
            rate = await in_thread(self.hello, 1, 20000.0)  # warm-up: 2 s of wrk
            await self.mixed(5000, "mixed warm-up")
            tracing = await in_thread(fetch, self.prefork.port, "/_tracemalloc") if args.tracemalloc else ""
            base = self.sample("baseline")
            hello_at = self.served
            await in_thread(self.hello, args.hello, rate)
            hello_done = self.served - hello_at
            chunk = max(10_000, args.mixed // 10)
            mixed_at = self.served
            while self.served - mixed_at < args.mixed:
                await self.mixed(min(chunk, args.mixed - (self.served - mixed_at)), "mixed")
            end = self.sample("end")
            growth = await in_thread(fetch, self.prefork.port, "/_tracemalloc") if args.tracemalloc else ""
            if self.prefork.workers() != [self.worker]:
                self.notes.append(f"the worker changed: {self.worker} -> {self.prefork.workers()}")
            return {
                "hello": hello_done,
                "mixed": self.served - mixed_at,
                "seconds": round(time.monotonic() - start),
                "rss_baseline_mb": round(base / MB, 1),
                "rss_end_mb": round(end / MB, 1),
                "rss_peak_mb": round(max(s[2] for s in self.samples) / MB, 1),
                "growth_mb": round((end - base) / MB, 1),
                "samples": [(label, n, round(rss / MB, 1)) for label, n, rss in self.samples],
                "tracemalloc_baseline": tracing.strip(),
                "tracemalloc_growth": growth.strip(),
                "notes": self.notes,
            }
        finally:
            self.prefork.stop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hello", type=int, default=10_000_000, help="GET / requests by wrk")
    parser.add_argument("--mixed", type=int, default=1_000_000, help="mixed requests by the Python clients")
    parser.add_argument("--http", type=int, default=8, help="mixed: keep-alive HTTP connections")
    parser.add_argument("--ws", type=int, default=2, help="mixed: websocket clients alongside")
    parser.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES", help="trace allocations (0: off)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        result = asyncio.run(Soak(args, Path(tmp)).execute())
    print(
        f"{result['hello']} hello + {result['mixed']} mixed requests in {result['seconds']}s on one worker: RSS"
        f" {result['rss_baseline_mb']} MB after the warm-up, {result['rss_end_mb']} MB at the end"
        f" (growth {result['growth_mb']} MB, peak {result['rss_peak_mb']} MB)"
    )
    if result["tracemalloc_growth"]:
        print(result["tracemalloc_growth"])
    for note in result["notes"]:
        print(f"NOTE: {note}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 1 if result["notes"] else 0


if __name__ == "__main__":
    sys.exit(main())

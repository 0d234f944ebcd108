"""What ``--metrics-bind`` costs per request: hello through the server's protocol object (no sockets), counted and
not counted, in one process, batches interleaved so that a busy machine's drift hits both alike.

    python bench/metrics_cost.py                      # 24 rounds of 20,000 requests each way
    python bench/metrics_cost.py --rounds 40 --batch 50000

"on" installs supervisor/metrics.py's Recorder in the registry's access-log seam as a ``prefork`` worker does, and
takes a heartbeat's snapshot after each batch. The figures are CPU time per request of the Python request path
alone; over sockets the kernel roughly triples a hello's CPU time (bench/README.md), so the share of the whole is
about a third of the share printed here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import uvloop

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.prefork_hello import INPROC_REQUESTS, app, null_transport
from supervisor.metrics import Recorder


async def run(rounds: int, batch: int) -> None:
    data = INPROC_REQUESTS["hello"]
    sides = {}
    for name in ("off", "on"):
        handler = app.make_handler()
        recorder = None
        if name == "on":
            recorder = handler.connections.access_logger = Recorder(handler.connections.access_logger)
        protocol = handler()
        protocol.connection_made(null_transport())
        sides[name] = (handler, protocol, recorder)
    results: dict[str, list[float]] = {"off": [], "on": []}
    for round_no in range(rounds + 1):
        for name in ("off", "on") if round_no % 2 else ("on", "off"):
            handler, protocol, recorder = sides[name]
            t0 = time.process_time()
            for _ in range(batch):
                protocol.data_received(data)
                if protocol._task is not None:
                    await protocol._task
            if recorder is not None:
                recorder.snapshot(handler.connections)
            if round_no:  # round 0 warms both up
                results[name].append((time.process_time() - t0) / batch * 1e6)
    off, on = results["off"], results["on"]
    ratios = [b / a for a, b in zip(off, on, strict=True)]
    print(f"hello, {rounds} interleaved rounds of {batch:,} requests each way (CPU us/request, Python path only)")
    print(f"  metrics off: min {min(off):.2f}  median {statistics.median(off):.2f}")
    print(f"  metrics on:  min {min(on):.2f}  median {statistics.median(on):.2f}")
    print(f"  on/off: {min(on) / min(off):.3f} (mins), {statistics.median(ratios):.3f} (median of the paired rounds)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--batch", type=int, default=20_000)
    args = parser.parse_args(argv)
    uvloop.run(run(args.rounds, args.batch))
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import sys
from collections.abc import Awaitable, Callable

import uvloop

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.prefork_hello import INPROC_REQUESTS, app, feed, null_transport
from bench.common import paired_report, paired_rounds
from supervisor.metrics import Recorder


async def run(rounds: int, batch: int) -> None:
    data = INPROC_REQUESTS["hello"]

    def side(recorded: bool) -> Callable[[], Awaitable[None]]:
        handler = app.make_handler()
        recorder = None
        if recorded:
            recorder = handler.connections.access_logger = Recorder(handler.connections.access_logger)
        protocol = handler()
        protocol.connection_made(null_transport())

        async def one_batch() -> None:
            await feed(protocol, data, batch)
            if recorder is not None:
                recorder.snapshot(handler.connections)

        return one_batch

    off, on = await paired_rounds(side(False), side(True), rounds, batch)
    print(paired_report("metrics", off, on, batch))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--batch", type=int, default=20_000)
    args = parser.parse_args(argv)
    uvloop.run(run(args.rounds, args.batch))
    return 0


if __name__ == "__main__":
    sys.exit(main())

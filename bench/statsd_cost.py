"""What ``--statsd-host`` costs per request: hello through the server's protocol object (no sockets for HTTP),
with and without StatsD, in one process, batches interleaved so that a busy machine's drift hits both alike.

    python bench/statsd_cost.py                       # 24 rounds of 20,000 requests each way
    python bench/statsd_cost.py --rounds 40 --batch 5000

"on" installs supervisor/statsd.py's StatsdRecorder in the registry's access-log seam as a ``prefork`` worker does
(its Statsd sending to a UDP socket on 127.0.0.1 that this script binds and drains), and flushes after each batch
as the worker's heartbeat would: the recording per request plus the flush (counters, up to MAX_SAMPLES timer
samples, the datagrams) amortised over the batch. ``--batch`` is the requests per heartbeat: 20,000 is a worker
at 20,000 requests a second; a smaller batch weighs the flush more. ``--per-request`` prices gunicorn's way
instead: three datagrams sent from each request.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Awaitable, Callable

import uvloop

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.prefork_hello import INPROC_REQUESTS, app, feed, null_transport
from bench.common import paired_report, paired_rounds
from supervisor.statsd import Statsd, StatsdRecorder


class _PerRequest:
    """gunicorn's instrument/statsd.py: a timer and two counters, each its own datagram, from every request."""

    __slots__ = ("access", "statsd")

    def __init__(self, statsd: Statsd, access: object = None) -> None:
        self.statsd, self.access = statsd, access

    def log(self, exchange, duration: float) -> None:
        statsd = self.statsd
        statsd.send((statsd.line("gunicorn.request.duration", f"{duration * 1000:.3f}", "ms"),))
        statsd.send((statsd.line("gunicorn.requests", 1, "c"),))
        statsd.send((statsd.line(f"gunicorn.request.status.{exchange.status}", 1, "c"),))


async def run(rounds: int, batch: int, per_request: bool) -> None:
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.setblocking(False)
    statsd = Statsd(f"127.0.0.1:{sink.getsockname()[1]}", "app.")
    data = INPROC_REQUESTS["hello"]

    def side(recorded: bool) -> Callable[[], Awaitable[None]]:
        handler = app.make_handler()
        recorder = None
        if recorded:
            kind = _PerRequest if per_request else StatsdRecorder
            recorder = handler.connections.access_logger = kind(statsd, handler.connections.access_logger)
        protocol = handler()
        protocol.connection_made(null_transport())

        async def one_batch() -> None:
            await feed(protocol, data, batch)
            if isinstance(recorder, StatsdRecorder):
                recorder.flush()

        return one_batch

    def drain() -> None:
        """The StatsD server's side, outside the timing."""
        try:
            while sink.recv(65536):
                pass
        except BlockingIOError:
            pass

    off, on = await paired_rounds(side(False), side(True), rounds, batch, between=drain)
    way = "three datagrams per request (gunicorn's way)" if per_request else f"a flush per {batch:,} requests"
    print(paired_report("statsd", off, on, batch, on_note=way))
    print(f"  datagrams dropped: {statsd.dropped}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--per-request", action="store_true", help="price gunicorn's datagram-per-event way")
    args = parser.parse_args(argv)
    uvloop.run(run(args.rounds, args.batch, args.per_request))
    return 0


if __name__ == "__main__":
    sys.exit(main())

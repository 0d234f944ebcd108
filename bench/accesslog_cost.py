"""What the access log costs per request, in one process, no sockets: prefork's against aiohttp's.

    python bench/accesslog_cost.py                       # 20 interleaved rounds of 20,000, batches of 64 and of 1
    python bench/accesslog_cost.py --rounds 40 --batch 50000 --per-iteration 16

Both write gunicorn's default format (``%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"``) to a file
in a temp dir, set up as each server sets it up: prefork's through supervisor/logs.py (what ``prefork
--access-logfile`` does), aiohttp's ``AccessLogger`` on gunicorn's own access logger (``gunicorn.glogging.Logger``
with ``accesslog`` set) with the format aiohttp's ``GunicornWebWorker`` turns gunicorn's default into.

* ``log call``: the logger's ``log()`` alone, called on one finished ``/user/42?fields=name`` request (prefork: a
  real exchange from the protocol; aiohttp: ``make_mocked_request`` and a ``Response``); the event loop turns every
  ``--per-iteration`` calls, as it does between the requests that arrive together (wrk's 64 connections: up to 64
  per iteration; one request at a time: 1).
* ``request path``: whole requests through prefork's protocol objects (``--inproc``'s way, no sockets), one on each
  of ``--per-iteration`` keep-alive connections, then the loop runs their handlers, with the access log off and on;
  the difference is the log's share of a request.

Rounds alternate the order of the sides, so a busy machine's drift hits both alike; the figures are CPU time.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import uvloop

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.prefork_hello import INPROC_REQUESTS, make_app, null_transport

GUNICORN_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def prefork_logger(path: str) -> logging.Logger:
    from supervisor.logs import Logs

    logs = Logs()
    logs.setup(None, "warning", path)
    assert logs.access_log is not None
    return logs.access_log


def aiohttp_logger(path: str) -> Callable[[], None]:
    """aiohttp's AccessLogger on gunicorn's access logger, and a call that logs one request with it."""
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request
    from aiohttp.web_log import AccessLogger
    from aiohttp.worker import GunicornWebWorker
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    cfg.set("accesslog", path)
    glog = Logger(cfg)
    log_format = GunicornWebWorker._get_valid_log_format(GunicornWebWorker, GUNICORN_FORMAT)  # type: ignore[arg-type]
    access = AccessLogger(glog.access_log, log_format)

    class Transport:
        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return ("127.0.0.1", 40000) if name == "peername" else default

    request = make_mocked_request(
        "GET", "/user/42?fields=name", headers={"User-Agent": "bench/1.0"}, transport=Transport()
    )
    response = web.Response(text="x" * 70)

    def call() -> None:
        if access.enabled:  # as aiohttp's RequestHandler asks before each log
            access.log(request, response, 0.0001)

    return call


async def prefork_call(logger: logging.Logger) -> Callable[[], None]:
    """prefork's AccessLogger, as the registry makes it, and a call that logs one finished request with it."""
    handler = make_app().make_handler(access_log=logger, access_log_format=GUNICORN_FORMAT)
    access = handler.connections.access_logger
    caught: list[Any] = []

    class Catch:
        remote = None

        def log(self, exchange: Any, duration: float) -> None:
            caught.append(exchange)

    handler.connections.access_logger = Catch()  # type: ignore[assignment]
    protocol = handler()
    protocol.connection_made(null_transport())  # type: ignore[arg-type]
    protocol.data_received(INPROC_REQUESTS["user"])
    if protocol._task is not None:
        await protocol._task
    (exchange,) = caught

    def call() -> None:
        access.log(exchange, 0.0001)

    return call


def request_path(logger: logging.Logger | None, scenario: str, connections: int) -> Callable[[], Any]:
    """One request on each of ``connections`` keep-alive connections, then the loop runs their handlers: the
    requests one loop iteration brings in together, as wrk's connections do."""
    handler = make_app().make_handler(access_log=logger, access_log_format=GUNICORN_FORMAT)
    protocols = []
    for _ in range(connections):
        protocol = handler()
        protocol.connection_made(null_transport())  # type: ignore[arg-type]
        protocols.append(protocol)
    data = INPROC_REQUESTS[scenario]

    async def call() -> None:
        tasks = []
        for protocol in protocols:
            protocol.data_received(data)
            if protocol._task is not None:
                tasks.append(protocol._task)
        for task in tasks:
            await task

    return call


async def timed(call: Callable[[], Any], batch: int, per_call: int) -> float:
    t0 = time.process_time()
    for _ in range(batch // per_call):
        await call()
    await asyncio.sleep(0)
    return (time.process_time() - t0) / (batch // per_call * per_call) * 1e6


def batched(call: Callable[[], None], per_iteration: int) -> Callable[[], Any]:
    """``per_iteration`` log calls, then a turn of the loop (which flushes the lines)."""

    async def calls() -> None:
        for _ in range(per_iteration):
            call()
        await asyncio.sleep(0)

    return calls


async def compare(title: str, sides: dict[str, Callable[[], Any]], rounds: int, batch: int, per: int) -> None:
    results: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for round_no in range(rounds + 1):
        for name in names if round_no % 2 else reversed(names):
            cost = await timed(sides[name], batch, per)
            if round_no:  # round 0 warms up
                results[name].append(cost)
    print(f"{title} ({per} per loop iteration; CPU us per request: median [min-max] of {rounds} rounds)")
    for name, values in results.items():
        print(f"  {name:<28} {statistics.median(values):7.2f}  [{min(values):.2f}-{max(values):.2f}]")
    if len(names) == 2:
        a, b = (results[n] for n in names)
        print(f"  {names[1]} / {names[0]}: {statistics.median(b) / statistics.median(a):.2f}x")


def _lines(path: str) -> list[bytes]:
    with open(path, "rb") as f:
        return f.read().splitlines()


async def run(args: argparse.Namespace) -> None:
    tmp = tempfile.mkdtemp(prefix="accesslog-cost-")
    try:
        ours = prefork_logger(os.path.join(tmp, "prefork.log"))
        theirs = aiohttp_logger(os.path.join(tmp, "aiohttp.log"))
        for per in args.per_iteration:
            await compare(
                "log call, gunicorn's default format",
                {
                    "prefork AccessLogger": batched(await prefork_call(ours), per),
                    "aiohttp AccessLogger": batched(theirs, per),
                },
                args.rounds,
                args.batch,
                per,
            )
            for scenario in args.scenarios:
                await compare(
                    f"request path, {scenario}",
                    {
                        "access log off": request_path(None, scenario, per),
                        "access log on": request_path(ours, scenario, per),
                    },
                    args.rounds,
                    args.batch,
                    per,
                )
        logging.shutdown()
        for name in ("prefork.log", "aiohttp.log"):
            lines = _lines(os.path.join(tmp, name))
            print(f"{name}: {len(lines):,} lines, e.g. {lines[-1].decode()!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--per-iteration", type=int, nargs="+", default=[64, 1], help="log calls per loop turn")
    parser.add_argument("--scenarios", nargs="+", default=["hello", "user"], choices=list(INPROC_REQUESTS))
    args = parser.parse_args(argv)
    uvloop.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Instructions per request of the in-process hello app, counted by valgrind's callgrind: a figure a busy machine
does not move (repeated runs agree to 0.2%), where CPU time on a shared VM swings by ±20%.

    PYTHONPATH=$TREE valgrind --tool=callgrind --cache-sim=no --instr-atstart=no --callgrind-out-file=/dev/null \\
        /path/to/python3.11 bench/inproc_instructions.py hello 2000

(``python`` must be the interpreter itself, not a shim script, for valgrind to follow it; ``PYTHONPATH`` picks the
tree measured, so one copy of this script measures any tree.) It warms up with 2,000 requests uninstrumented, asks
callgrind to count (``callgrind_control -i on``), pushes N requests through the server's protocol object as
``bench.apps.prefork_hello --inproc`` does, and stops counting; divide valgrind's ``Collected`` line by N.
``--access-log FILE`` measures with the access log on, written to FILE as ``prefork --access-logfile`` writes it
(one request per loop iteration here: each line is written and flushed on its own, the log's dearest case).
``--first hello`` answers 200 hello requests before the warm-up, as a worker whose first requests were those.
``--prepare-hook`` adds an ``on_response_prepare`` callback that sets one header (``X-Frame-Options: DENY``), as
security-header and CORS libraries do. ``--floor`` measures bench/apps/floor.py's protocol instead (httptools and
one constant write, the ``hello`` request only): what the stack below any framework costs in the same units.
Instructions are not time (cache misses and branch mispredictions are not in them), but a change that removes work
from the request path shows in them exactly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from typing import Any

import uvloop

# Appended, not prepended: the tree on PYTHONPATH is the one measured; this one only when none is given.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def instrument(switch: str) -> None:
    """Turn callgrind's counting ``on`` or ``off`` for this process (it blocks the loop, which is idle here)."""
    subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], check=True, capture_output=True)


GUNICORN = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def access_logger(path: str) -> object:
    """The access logger ``prefork --access-logfile PATH`` sets up (supervisor/logs.py), in gunicorn's format."""
    from supervisor.logs import Logs

    logs = Logs()
    logs.setup(None, "warning", path)
    return logs.access_log


async def _frame_options(request: Any, response: Any) -> None:
    response.headers["X-Frame-Options"] = "DENY"


async def count(
    scenario: str,
    requests: int,
    access_log: str | None = None,
    floor: bool = False,
    first: str | None = None,
    prepare_hook: bool = False,
) -> None:
    from bench.apps import prefork_hello

    if prepare_hook:
        prefork_hello.app.on_response_prepare.append(_frame_options)

    # null_transport(): the RecordingTransport prefork_hello's --inproc uses (_NullTransport in older trees).
    transport = getattr(prefork_hello, "null_transport", None) or prefork_hello._NullTransport  # type: ignore[attr-defined]
    if floor:
        from bench.apps.floor import FloorProtocol

        protocol: Any = FloorProtocol()
    else:
        # gunicorn's format, which prefork --access-logfile passes (the factory's own default is aiohttp's)
        settings = {}
        if access_log is not None:
            settings = {"access_log": access_logger(access_log), "access_log_format": GUNICORN}
        protocol = prefork_hello.app.make_handler(**settings)()
    protocol.connection_made(transport())

    async def run(count: int, data: bytes) -> None:
        for _ in range(count):
            protocol.data_received(data)
            if getattr(protocol, "_task", None) is not None:
                await protocol._task

    if first is not None:
        # A worker whose first requests were another scenario's, as bench/hello.py sends hello first.
        await run(200, prefork_hello.INPROC_REQUESTS[first])
    data = prefork_hello.INPROC_REQUESTS[scenario]
    await run(2000, data)
    await asyncio.sleep(0)
    instrument("on")
    await run(requests, data)
    instrument("off")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", help="one of bench.apps.prefork_hello's --inproc scenarios (hello, user, json...)")
    parser.add_argument("requests", type=int, help="how many requests to count")
    parser.add_argument(
        "--access-log", metavar="FILE", help="log each request to FILE as prefork --access-logfile FILE does"
    )
    parser.add_argument(
        "--floor", action="store_true", help="measure bench/apps/floor.py's protocol (hello only), not prefork's"
    )
    parser.add_argument(
        "--first",
        metavar="SCENARIO",
        help="answer 200 requests of SCENARIO first, as a worker whose first requests were those (CPython's shared "
        "attribute names are learned from a class's first instances)",
    )
    parser.add_argument(
        "--prepare-hook", action="store_true", help="add an on_response_prepare callback that sets one header"
    )
    args = parser.parse_args()
    if args.floor and (args.scenario != "hello" or args.access_log or args.prepare_hook):
        parser.error("--floor answers the hello scenario only, without an access log or a callback")
    uvloop.run(count(args.scenario, args.requests, args.access_log, args.floor, args.first, args.prepare_hook))


if __name__ == "__main__":
    main()

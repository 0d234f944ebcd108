"""The mw scenario taken apart: what each piece of a middleware chain costs in process, in CPU time and instructions.

    taskset -c 0 python bench/mw_parts.py                      # every step, 3 rounds x 40,000 requests, µs/request
    PYTHONHASHSEED=0 valgrind --tool=callgrind --cache-sim=no --instr-atstart=no --callgrind-out-file=/dev/null \\
        /path/to/python3.11 bench/mw_parts.py --step headers-read --requests 2000 --count   # Collected / 2000

Each step adds one piece to the one before, up to bench/apps/realistic.py's mw route (GET /mw/chain through a
sub-application whose three middlewares add a request id header to the response, check a bearer token and set
``request["user"]``). Requests go through the server's protocol object with a null transport, one per
``data_received``, as ``bench.apps.prefork_hello --inproc`` pushes them; each step runs in a process of its own.
``--count`` turns callgrind's counting on around the measured requests only (see bench/inproc_instructions.py).

The point of the table (bench/README.md, seventh round): what a request does once, it does with cold caches, so a
piece's CPU time is not its instruction count times hello's rate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from typing import Any

sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.apps.realistic import TOKEN  # after the tree's own directory is on sys.path

FULL = f"GET /mw/chain HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: {TOKEN}\r\nX-Request-Id: r-1\r\n\r\n"
BARE = "GET /mw/chain HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

# (name, what it adds), in order: each step is every piece up to it.
STEPS = [
    ("bare", "GET /mw/chain with Host only, no middleware, a constant Response(text=...): hello's path"),
    ("fields", "+ the request's Authorization and X-Request-Id fields (parsed, not read)"),
    ("subapp", "+ the route in a sub-application"),
    ("middlewares", '+ three middlewares (auth reads request.headers, load_user sets request["user"]), read back'),
    ("headers-read", "+ request_id reads response.headers (a fast-path response builds its CIMultiDict)"),
    ("header-set", "+ and sets X-Request-Id (a constant)"),
    ("mw", "the mw scenario: the value read from the request's X-Request-Id"),
]
NAMES = [name for name, _ in STEPS]


def make_app(step: str) -> Any:
    import web
    from bench.apps.realistic import user_middlewares

    level = NAMES.index(step)

    @web.middleware
    async def request_id(request: Any, handler: Any) -> Any:
        response = await handler(request)
        if step == "mw":
            response.headers["X-Request-Id"] = request.headers.get("X-Request-Id", "none")
        elif step == "header-set":
            response.headers["X-Request-Id"] = "r-1"
        elif step == "headers-read":
            response.headers  # noqa: B018 - the read is the piece measured
        return response

    auth, load_user = user_middlewares(web)

    async def chain(request: Any) -> Any:
        if level < NAMES.index("middlewares"):
            return web.Response(text="Hello, World!")
        return web.Response(text=f"hello {request['user']}")

    middlewares = [request_id, auth, load_user] if level >= NAMES.index("middlewares") else []
    app = web.Application()
    if level >= NAMES.index("subapp"):
        sub = web.Application(middlewares=middlewares)
        sub.router.add_route("GET", "/chain", chain)
        app.add_subapp("/mw", sub)
    else:
        app.router.add_route("GET", "/mw/chain", chain)
    return app


def instrument(switch: str) -> None:
    subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], check=True, capture_output=True)


async def run_step(step: str, requests: int, count: bool) -> float:
    """CPU µs per request of ``requests`` requests through ``step``'s app, after 2,000 of warm-up."""
    from bench.apps.prefork_hello import null_transport

    data = (BARE if step == "bare" else FULL).encode()
    protocol = make_app(step).make_handler()()
    transport = null_transport()
    protocol.connection_made(transport)

    async def feed(n: int) -> None:
        for _ in range(n):
            protocol.data_received(data)
            if protocol._task is not None:
                await protocol._task

    await feed(2000)
    if count:
        instrument("on")
    started = time.process_time()
    await feed(requests)
    elapsed = time.process_time() - started
    if count:
        instrument("off")
    if transport.writes < requests:
        raise SystemExit(f"{step}: {transport.writes} answers to {requests} requests")
    protocol.connection_lost(None)
    return elapsed / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--step", choices=NAMES, help="measure this step only, in this process")
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=3, help="without --step: rounds of every step (3)")
    parser.add_argument("--count", action="store_true", help="with --step: count instructions under callgrind")
    args = parser.parse_args()
    import uvloop

    if args.step:
        print(f"{uvloop.run(run_step(args.step, args.requests, args.count)):.2f}")
        return
    figures: dict[str, list[float]] = {name: [] for name in NAMES}
    for _ in range(args.rounds):
        for name in NAMES:
            out = subprocess.run(
                [sys.executable, __file__, "--step", name, "--requests", str(args.requests)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            figures[name].append(float(out))
    print(f"{'step':<14} {'µs/request (median)':>20}  runs  what it adds")
    for name, what in STEPS:
        runs = " ".join(f"{v:.1f}" for v in figures[name])
        print(f"{name:<14} {statistics.median(figures[name]):>20.1f}  {runs}  {what}")


if __name__ == "__main__":
    main()

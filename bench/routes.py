"""Route-table benchmark: resolve time per request over 1,000 mixed routes, prefork vs aiohttp's router.

Both routers get the same table (plain, dynamic and regex routes under shared prefixes, a few catch-alls) and
the same request mix (hits spread over the table, 10% misses); each resolves it in one coroutine, in the same
process and run. Usage: ``python bench/routes.py [--requests N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from aiohttp import web as aioweb
from aiohttp.test_utils import make_mocked_request

from bench.common import format_table, ratio
from web.router import UrlDispatcher


async def handler(request):  # pragma: no cover - never called
    return None


def table(n: int = 1000) -> list[tuple[str, str]]:
    """(method, path) pairs: 55% plain, 35% dynamic, 10% regex; 10 API versions x resources."""
    rnd = random.Random(1)
    routes = []
    for i in range(n):
        version = f"v{i % 10}"
        kind = rnd.random()
        method = rnd.choice(["GET", "GET", "POST", "PUT", "DELETE"])
        if kind < 0.55:
            routes.append((method, f"/api/{version}/res{i}"))
        elif kind < 0.90:
            routes.append((method, f"/api/{version}/res{i}/{{id}}"))
        else:
            routes.append((method, f"/api/{version}/res{i}/{{id:\\d+}}/items"))
    routes.append(("GET", "/{a}/{b}/{c}/{d}/{e}/{f}"))
    return routes


def requests(routes: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
    rnd = random.Random(2)
    out = []
    for _ in range(count):
        if rnd.random() < 0.1:
            out.append(("GET", f"/api/v{rnd.randrange(10)}/missing{rnd.randrange(1000)}"))
            continue
        method, path = rnd.choice(routes[:-1])
        path = path.replace("{id:\\d+}", "42").replace("{id}", "abc")
        out.append((method, path))
    return out


class FakeRequest:
    __slots__ = ("method", "path", "raw_path")

    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path = self.raw_path = path


async def time_ours(router, fakes) -> float:
    resolve = router.resolve
    t0 = time.perf_counter()
    for r in fakes:
        await resolve(r)
    return (time.perf_counter() - t0) / len(fakes)


async def time_aiohttp(app, mocked) -> float:
    resolve = app.router.resolve
    t0 = time.perf_counter()
    for r in mocked:
        await resolve(r)
    return (time.perf_counter() - t0) / len(mocked)


async def check_same_answers(routes, reqs) -> None:
    """Both routers must pick the same route (by path and method) for every request."""
    ours = UrlDispatcher()
    app = aioweb.Application()
    for method, path in routes:
        ours.add_route(method, path, handler)
        app.router.add_route(method, path, handler)
    for method, path in reqs[:1000]:
        a = ours.match(method, path)
        b = await app.router.resolve(make_mocked_request(method, path, app=app))
        a_status = a.http_exception.status if a.http_exception else 200
        b_status = b.http_exception.status if b.http_exception else 200
        assert a_status == b_status, (method, path, a_status, b_status)
        if a_status == 200:
            assert dict(a) == dict(b), (method, path, dict(a), dict(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    routes = table()
    reqs = requests(routes, args.requests)
    asyncio.run(check_same_answers(routes, reqs))
    router = UrlDispatcher()
    app = aioweb.Application()
    for method, path in routes:
        router.add_route(method, path, handler)
        app.router.add_route(method, path, handler)
    router.freeze()
    app.router.freeze()
    # Built once, outside the timing: aiohttp's mocked requests are slow to make (its parsed URL is cached on
    # the request after the first round, as it is per request in a real server).
    fakes = [FakeRequest(m, p) for m, p in reqs]
    mocked = [make_mocked_request(m, p, app=app) for m, p in reqs]
    ours, theirs = [], []
    for _ in range(args.rounds):
        ours.append(asyncio.run(time_ours(router, fakes)))
        theirs.append(asyncio.run(time_aiohttp(app, mocked)))
    o, t = statistics.median(ours) * 1e6, statistics.median(theirs) * 1e6
    print(f"{len(routes)} routes, {len(reqs)} requests (10% misses), median of {args.rounds} rounds")
    print(
        format_table(
            ["router", "µs / resolve", "speed vs aiohttp"],
            [["prefork UrlDispatcher", f"{o:.2f}", ratio(t, o)], ["aiohttp UrlDispatcher", f"{t:.2f}", "1.00x"]],
        )
    )


if __name__ == "__main__":
    main()

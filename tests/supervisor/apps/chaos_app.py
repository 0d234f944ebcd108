"""The app the chaos soak (bench/chaos.py, tests/supervisor/test_chaos.py) and the memory soak (bench/soak.py) serve.

Every HTTP answer carries ``X-Id`` (the ``id`` query parameter the client sent, so the client checks each answer
against its own request), ``X-Pid`` (the worker that answered) and ``X-Served`` (requests this worker's app has
answered so far, which lets the chaos driver push one chosen worker over ``--max-requests``).

* ``GET /``: ``Hello, World!`` (what wrk loads in the memory soak);
* ``GET /hello?id=N``: ``id=N``;
* ``POST /echo?id=N``: the body back;
* ``GET /slow?id=N&t=S``: ``id=N`` after ``S`` seconds (at most 5);
* ``GET /big?id=N``: 256 KiB, starting with ``id=N\\n``;
* ``GET /ws``: a websocket echo of text messages;
* ``GET /_tracemalloc``: with ``CHAOS_TRACEMALLOC=N`` set, tracemalloc runs in the worker from its start (``N``
  frames per trace); the first call takes the baseline snapshot, each later call answers the top 25 growths
  since the baseline, as text.
"""

from __future__ import annotations

import asyncio
import gc
import os
import tracemalloc

from web import Application, Response, WebSocketResponse, WSMsgType

BIG = 256 * 1024
_PAD = b"." * BIG
_served = 0
_baseline: tracemalloc.Snapshot | None = None


def _answer(request, body: bytes) -> Response:
    global _served
    _served += 1
    headers = {"X-Id": request.query.get("id", ""), "X-Pid": str(os.getpid()), "X-Served": str(_served)}
    return Response(body=body, headers=headers, content_type="application/octet-stream")


async def root(request):
    return _answer(request, b"Hello, World!")


async def hello(request):
    return _answer(request, f"id={request.query.get('id', '')}".encode())


async def echo(request):
    return _answer(request, await request.read())


async def slow(request):
    await asyncio.sleep(min(5.0, float(request.query.get("t", "0.5"))))
    return _answer(request, f"id={request.query.get('id', '')}".encode())


async def big(request):
    head = f"id={request.query.get('id', '')}\n".encode()
    return _answer(request, head + _PAD[len(head) :])


async def ws_echo(request):
    global _served
    _served += 1
    ws = WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(msg.data)
    return ws


async def snapshot(request):
    global _baseline
    if not tracemalloc.is_tracing():
        return Response(status=404, text="tracemalloc is off: start the server with CHAOS_TRACEMALLOC=N\n")
    gc.collect()
    snap = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen importlib._bootstrap*")]
    )
    if _baseline is None:
        _baseline = snap
        current, peak = tracemalloc.get_traced_memory()
        return Response(text=f"baseline taken: {current} bytes traced (peak {peak})\n")
    lines = [
        f"{stat.size_diff:+} B, {stat.count_diff:+} blocks: " + " <- ".join(str(f) for f in reversed(stat.traceback))
        for stat in snap.compare_to(_baseline, "traceback")[:25]
    ]
    total = sum(stat.size_diff for stat in snap.compare_to(_baseline, "filename"))
    return Response(text=f"total growth {total} bytes since the baseline\n" + "\n".join(lines) + "\n")


async def _start_tracing(app):
    frames = int(os.environ.get("CHAOS_TRACEMALLOC", "0") or 0)
    if frames > 0 and not tracemalloc.is_tracing():
        tracemalloc.start(frames)


def create_app() -> Application:
    """The factory ``chaos_app:create_app``, called in each worker after the fork."""
    app = Application()
    app.router.add_route("GET", "/", root)
    app.router.add_route("GET", "/hello", hello)
    app.router.add_route("POST", "/echo", echo)
    app.router.add_route("GET", "/slow", slow)
    app.router.add_route("GET", "/big", big)
    app.router.add_route("GET", "/ws", ws_echo)
    app.router.add_route("GET", "/_tracemalloc", snapshot)
    app.on_startup.append(_start_tracing)
    return app

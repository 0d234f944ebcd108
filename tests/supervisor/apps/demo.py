"""The demo app the supervisor's process tests run under real ``prefork`` masters.

Environment knobs (set by the tests before starting the master; workers inherit them):

* ``DEMO_MARKERS``: a directory; each worker's ``finish()`` appends a line to ``finish-<pid>`` there, and its
  ``on_startup`` touches ``started-<pid>``, and ``/slow`` appends to ``slow-<pid>`` as it begins. A file with two
  lines would mean ``finish()`` ran twice.
* ``DEMO_FAIL_STARTUP=1``: ``on_startup`` raises (the worker cannot boot).
* ``DEMO_CRASH_AFTER``: seconds after boot at which every worker exits with code 7 (a crash loop).
* ``DEMO_VERSION``: echoed by ``/version``, to see which code a reloaded worker runs.
"""

from __future__ import annotations

import asyncio
import os
import time

from web import Application, Response

_hog: list[bytes] = []


async def hello(request):
    return Response(text=f"hello from {os.getpid()}")


async def slow(request):
    _mark("slow")  # the request reached a worker: a test can wait for this instead of sleeping
    await asyncio.sleep(float(request.query.get("t", "1")))
    return Response(text=f"slow done by {os.getpid()}")


async def block(request):
    time.sleep(float(request.query.get("t", "60")))  # noqa: ASYNC251 - blocks the whole loop, on purpose
    return Response(text="unblocked")


async def answer_then_block(request):
    # The answer goes out and its access line is gathered; then the loop blocks within the same iteration, in a
    # callback queued ahead of the access log's flush at the iteration's end.
    asyncio.get_running_loop().call_soon(time.sleep, float(request.query.get("t", "60")))
    return Response(text=request.query.get("id", ""))


async def grow(request):
    _hog.append(b"\x01" * (int(request.query.get("mb", "50")) * 1024 * 1024))  # written, so resident
    return Response(text=f"{os.getpid()} holds {len(_hog)} chunk(s)")


async def whois(request):
    return Response(text=f"{request.remote} {request.scheme} {request.host}")


async def echo(request):
    return Response(text=request.query.get("id", ""))


async def version(request):
    return Response(text=os.environ.get("DEMO_VERSION", "0"))


def _mark(name: str) -> None:
    markers = os.environ.get("DEMO_MARKERS")
    if markers:
        with open(os.path.join(markers, f"{name}-{os.getpid()}"), "a") as f:
            f.write(f"{time.time()}\n")


async def _on_startup(app):
    if os.environ.get("DEMO_FAIL_STARTUP"):
        raise RuntimeError("on_startup refused to start (DEMO_FAIL_STARTUP)")
    crash_after = os.environ.get("DEMO_CRASH_AFTER")
    if crash_after:
        asyncio.get_running_loop().call_later(float(crash_after), os._exit, 7)
    _mark("started")


def create_app() -> Application:
    """The factory ``tests.supervisor.apps.demo:create_app``, called in each worker after the fork."""
    app = Application()
    app.router.add_route("GET", "/", hello)
    app.router.add_route("GET", "/slow", slow)
    app.router.add_route("GET", "/block", block)
    app.router.add_route("GET", "/answer-then-block", answer_then_block)
    app.router.add_route("GET", "/grow", grow)
    app.router.add_route("GET", "/version", version)
    app.router.add_route("GET", "/echo", echo)
    app.router.add_route("GET", "/whois", whois)
    app.on_startup.append(_on_startup)
    app.register_on_finish(_mark, "finish")
    return app


async def create_app_async() -> Application:
    """The same app from an async factory."""
    await asyncio.sleep(0)
    return create_app()


app = create_app()  # a ready-made Application, for ``demo:app``

"""prefork's hello app (``bench.apps.prefork_hello:app``) and a one-process runner without the supervisor.

    python -m bench.apps.prefork_hello --port 8080     # uvloop + loop.create_server(app.make_handler(), ...)
    prefork -w 1 -b 127.0.0.1:8080 bench.apps.prefork_hello:app

The runner is the aiohttp 0.14 API's plain recipe, so the figure measures the HTTP core and web/, not the supervisor.
``--inproc N`` pushes N keep-alive requests through the server's protocol object with a fake transport (no
sockets, no kernel): the pure-Python cost per request of server/ + web/, steady even on a busy machine.
``--profile FILE`` runs either mode under cProfile and writes the pstats to FILE at SIGINT/SIGTERM (then e.g.
``python -m pstats FILE``; bench/README.md shows how the per-request costs were read).
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import web
from bench.apps.realistic import BROWSER_FIELDS, FORM_BODY, ITEMS_BODY, TOKEN, install
from bench.common import run_profiled
from server.detached import RecordingTransport
from server.protocol import HttpProtocol

HELLO = "Hello, World!"


async def hello(request: web.Request) -> web.Response:
    return web.Response(text=HELLO)


async def hello_json(request: web.Request) -> web.Response:
    return web.json_response({"message": HELLO})


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read(), content_type="application/octet-stream")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_route("GET", "/", hello)
    app.router.add_route("GET", "/json", hello_json)
    app.router.add_route("POST", "/echo", echo)
    install(app, web)
    return app


app = make_app()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    handler = app.make_handler()
    server = await loop.create_server(handler, host, port, backlog=1024)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await handler.shutdown(timeout=1.0, grace=0.0)
    await server.wait_closed()


def null_transport() -> RecordingTransport:
    """A transport for HttpProtocol with no socket behind it: writes are counted (``.writes``) and dropped."""
    return RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)}, keep=False)


INPROC_REQUESTS = {
    "hello": b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "json": b"GET /json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "echo": b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Length: 64\r\n\r\n" + b"0123456789abcdef" * 4,
    "user": b"GET /user/42?fields=name HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bench/1.0\r\n\r\n",
    "items": b"POST /items HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\n\r\n%b" % (len(ITEMS_BODY), ITEMS_BODY.encode()),
    "mw": b"GET /mw/chain HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: "
    + TOKEN.encode()
    + b"\r\nX-Request-Id: r-1\r\n\r\n",
    "cookies": b"GET /cookies HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nCookie: session=abc123; theme=dark\r\n\r\n",
    "big": b"GET /big HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "form": b"POST /form HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: %d\r\n\r\n%b" % (len(FORM_BODY), FORM_BODY.encode()),
    "browser": b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
    + b"".join(b"%s: %s\r\n" % (name.encode(), value.encode()) for name, value in BROWSER_FIELDS)
    + b"\r\n",
}


async def feed(protocol: HttpProtocol, data: bytes, count: int) -> None:
    """Feed ``data`` (one request) ``count`` times, one per data_received as a wrk connection sends them; a handler
    that waited (e.g. a body read; before Python 3.12 every handler's task) finishes on the loop before the next."""
    for _ in range(count):
        protocol.data_received(data)
        if protocol._task is not None:
            await protocol._task


async def inproc(requests: int, scenario: str, metrics: bool = False) -> None:
    """Feed ``requests`` requests, one per data_received (as a wrk connection sends them), and time them.

    ``metrics``: count them as a ``prefork --metrics-bind`` worker does (supervisor/metrics.py's Recorder in the
    registry's access-log seam), with a heartbeat's snapshot every 30,000 requests (a second of hello on one core).
    """
    import time

    handler = app.make_handler()
    recorder = None
    if metrics:
        from supervisor.metrics import Recorder

        recorder = handler.connections.access_logger = Recorder(handler.connections.access_logger)
    protocol = handler()
    transport = null_transport()
    protocol.connection_made(transport)
    data = INPROC_REQUESTS[scenario]
    await feed(protocol, data, 1000)  # warm-up
    await asyncio.sleep(0)
    before, t0 = transport.writes, time.process_time()  # CPU time: steady when others share the CPU
    for n in range(requests):
        protocol.data_received(data)
        if protocol._task is not None:  # a handler that waited (e.g. a body read) finishes on the loop
            await protocol._task
        if recorder is not None and n % 30_000 == 0:
            recorder.snapshot(handler.connections)
    elapsed = time.process_time() - t0
    answered = transport.writes - before
    protocol.connection_lost(None)
    label = f"{scenario}{' with metrics' if metrics else ''}"
    print(f"{label}: {answered} responses, {elapsed / requests * 1e6:.2f} us CPU/request in Python (no sockets)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--profile", metavar="FILE", help="run under cProfile, write pstats to FILE on exit")
    parser.add_argument("--inproc", type=int, metavar="N", help="time N requests without sockets, then exit")
    parser.add_argument("--scenario", choices=sorted(INPROC_REQUESTS), default="hello", help="for --inproc")
    parser.add_argument("--metrics", action="store_true", help="for --inproc: count requests as --metrics-bind does")
    args = parser.parse_args()
    run = inproc(args.inproc, args.scenario, args.metrics) if args.inproc else serve(args.host, args.port)
    run_profiled(run, args.profile)


if __name__ == "__main__":
    main()

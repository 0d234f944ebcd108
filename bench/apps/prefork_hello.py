"""prefork's hello app (``bench.apps.prefork_hello:app``) and a one-process runner without the supervisor.

    python -m bench.apps.prefork_hello --port 8080     # uvloop + loop.create_server(app.make_handler(), ...)
    prefork -w 1 -b 127.0.0.1:8080 bench.apps.prefork_hello:app

The runner is the plain seed recipe, so the figure measures the HTTP core and web/, not the supervisor.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

import uvloop

import web

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    uvloop.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()

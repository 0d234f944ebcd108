"""aiohttp's hello app, for gunicorn's aiohttp worker.

gunicorn -w 1 -k aiohttp.GunicornUVLoopWebWorker -b 127.0.0.1:8080 bench.apps.aiohttp_hello:app
"""

from __future__ import annotations

from aiohttp import web

from bench.apps.realistic import install

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

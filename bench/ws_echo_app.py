"""A websocket echo app: what bench/autobahn.py and bench/ws_echo.py serve.

Run it on its own with ``python bench/ws_echo_app.py [--port 9001] [--aiohttp]``: ``--aiohttp`` serves the same
echo with aiohttp's ``WebSocketResponse``, for comparisons in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_app(max_msg_size: int = 16 * 1024 * 1024):
    """prefork's echo: every text and binary message comes back unchanged."""
    import web
    from web.websocket import MSG_BINARY, MSG_TEXT, WebSocketResponse

    async def echo(request):
        ws = WebSocketResponse(max_msg_size=max_msg_size)
        await ws.prepare(request)
        async for msg in ws:
            if msg.tp is MSG_TEXT:
                ws.send_str(msg.data)
            elif msg.tp is MSG_BINARY:
                ws.send_bytes(msg.data)
            else:
                break
        return ws

    app = web.Application()
    app.router.add_route("GET", "/", echo)
    return app


def make_aiohttp_app(max_msg_size: int = 16 * 1024 * 1024):
    """The same echo on aiohttp, for the benchmark's baseline."""
    from aiohttp import WSMsgType, web

    async def echo(request):
        ws = web.WebSocketResponse(max_msg_size=max_msg_size)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            else:
                break
        return ws

    app = web.Application()
    app.router.add_get("/", echo)
    return app


async def serve(port: int, use_aiohttp: bool, ready: asyncio.Event | None = None) -> None:
    if use_aiohttp:
        from aiohttp import web as aioweb

        runner = aioweb.AppRunner(make_aiohttp_app(), access_log=None)
        await runner.setup()
        site = aioweb.TCPSite(runner, "127.0.0.1", port)
        await site.start()
    else:
        loop = asyncio.get_running_loop()
        await loop.create_server(make_app().make_handler(), "127.0.0.1", port)
    print(f"serving on 127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--aiohttp", action="store_true", help="serve with aiohttp instead of prefork")
    args = parser.parse_args()
    import uvloop

    uvloop.run(serve(args.port, args.aiohttp))


if __name__ == "__main__":
    main()

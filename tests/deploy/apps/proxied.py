"""The app the deploy tests serve behind a real nginx.

* ``GET /``: ``hello from <pid>``;
* ``POST /echo``: the body back, with ``X-Worker: <pid>``;
* ``GET /whoami``: JSON with what the app sees: the TCP peer, ``request.remote/scheme/host``, the raw proxy headers,
  and what :func:`web.forwarded.resolve_forwarded` makes of them with ``$PROXIED_TRUSTED`` (the same list prefork
  is given as ``--forwarded-allow-ips``);
* ``GET /ws``: a websocket echo.
"""

from __future__ import annotations

import os

from web import Application, Response, WebSocketResponse, WSMsgType, json_response
from web.forwarded import Trusted, resolve_forwarded

TRUSTED = Trusted(os.environ.get("PROXIED_TRUSTED", "127.0.0.1,::1"))


async def hello(request):
    return Response(text=f"hello from {os.getpid()}")


async def echo(request):
    body = await request.read()
    return Response(body=body, headers={"X-Worker": str(os.getpid())}, content_type="application/octet-stream")


async def whoami(request):
    peer = request.transport.get_extra_info("peername") if request.transport is not None else None
    peer_ip = peer[0] if isinstance(peer, (tuple, list)) else (peer or None)
    resolved = resolve_forwarded(peer_ip, request.headers, TRUSTED)
    names = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "Host", "Connection")
    return json_response(
        {
            "peer": peer_ip,
            "peer_port": peer[1] if isinstance(peer, (tuple, list)) else None,
            "remote": request.remote,
            "scheme": request.scheme,
            "host": request.host,
            "headers": {name: request.headers.get(name) for name in names},
            "resolved": resolved._asdict(),
        }
    )


async def ws_echo(request):
    ws = WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(f"echo: {msg.data}")
    return ws


def create_app() -> Application:
    app = Application()
    app.router.add_route("GET", "/", hello)
    app.router.add_route("POST", "/echo", echo)
    app.router.add_route("GET", "/whoami", whoami)
    app.router.add_route("GET", "/ws", ws_echo)
    return app

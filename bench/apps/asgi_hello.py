"""A raw ASGI hello app (no framework), for uvicorn.

    uvicorn --http httptools --loop uvloop --workers 1 --no-access-log --port 8080 bench.apps.asgi_hello:app

Headers match what aiohttp and prefork send for the same routes (uvicorn adds Date and Server itself).
"""

from __future__ import annotations

import json
from typing import Any

HELLO = b"Hello, World!"
_TEXT = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(HELLO)).encode())]
_JSON_CT = (b"content-type", b"application/json; charset=utf-8")
_BINARY_CT = (b"content-type", b"application/octet-stream")
_NOT_FOUND = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"14")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path, method = scope["path"], scope["method"]
    if path == "/" and method == "GET":
        status, headers, body = 200, _TEXT, HELLO
    elif path == "/json" and method == "GET":
        # Encoded per request, as the other two apps do.
        body = json.dumps({"message": HELLO.decode()}).encode()
        status, headers = 200, [_JSON_CT, (b"content-length", str(len(body)).encode())]
    elif path == "/echo" and method == "POST":
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        status, headers = 200, [_BINARY_CT, (b"content-length", str(len(body)).encode())]
    else:
        status, headers, body = 404, _NOT_FOUND, b"404: Not Found"
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

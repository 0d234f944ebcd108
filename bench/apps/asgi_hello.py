"""A raw ASGI hello app (no framework), for uvicorn and granian.

    uvicorn --http httptools --loop uvloop --workers 1 --no-access-log --port 8080 bench.apps.asgi_hello:app
    granian --interface asgi --loop uvloop --http 1 --no-ws --workers 1 --port 8080 bench.apps.asgi_hello:app

Headers match what aiohttp and prefork send for the same routes (the servers add Date and Server themselves). The
realistic routes (bench/apps/realistic.py) do by hand what a framework would: parse the query, look up headers,
parse cookies, decode JSON and forms, with the standard library.
"""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from bench.apps.realistic import BIG, TOKEN, summarise, user_doc

HELLO = b"Hello, World!"
_TEXT = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(HELLO)).encode())]
_JSON_CT = (b"content-type", b"application/json; charset=utf-8")
_BINARY_CT = (b"content-type", b"application/octet-stream")
_BIG = [_BINARY_CT, (b"content-length", str(len(BIG)).encode())]
_NOT_FOUND = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"14")]


_TEXT_CT = (b"content-type", b"text/plain; charset=utf-8")
_SEEN = (b"set-cookie", b"seen=1; Path=/")


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


async def _read_body(receive: Any) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


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
        body = await _read_body(receive)
        status, headers = 200, [_BINARY_CT, (b"content-length", str(len(body)).encode())]
    elif path.startswith("/user/") and method == "GET":
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        agent = _header(scope, b"user-agent")
        body = json.dumps(user_doc(int(path[6:]), query.get("fields", ""), agent)).encode()
        status, headers = 200, [_JSON_CT, (b"content-length", str(len(body)).encode())]
    elif path == "/items" and method == "POST":
        body = json.dumps(summarise(json.loads(await _read_body(receive)))).encode()
        status, headers = 200, [_JSON_CT, (b"content-length", str(len(body)).encode())]
    elif path == "/mw/chain" and method == "GET":
        # The three middlewares of the framework apps, as plain steps: auth, user lookup, then a request id header.
        if _header(scope, b"authorization") != TOKEN:
            status, headers, body = 401, [_TEXT_CT, (b"content-length", b"17")], b"401: Unauthorized"
        else:
            scope["user"] = "alice"
            body = f"hello {scope['user']}".encode()
            status, headers = 200, [_TEXT_CT, (b"content-length", str(len(body)).encode())]
            headers.append((b"x-request-id", (_header(scope, b"x-request-id") or "none").encode()))
    elif path == "/cookies" and method == "GET":
        jar = SimpleCookie(_header(scope, b"cookie"))
        session = jar["session"].value if "session" in jar else ""
        body = f"session={session}".encode()
        status, headers = 200, [_TEXT_CT, (b"content-length", str(len(body)).encode()), _SEEN]
    elif path == "/big" and method == "GET":
        status, headers, body = 200, _BIG, BIG
    elif path == "/form" and method == "POST":
        form = parse_qsl((await _read_body(receive)).decode(), keep_blank_values=True)
        body = json.dumps(dict(form)).encode()
        status, headers = 200, [_JSON_CT, (b"content-length", str(len(body)).encode())]
    else:
        status, headers, body = 404, _NOT_FOUND, b"404: Not Found"
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

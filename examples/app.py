"""A small, realistic prefork application: a JSON API, a form with a file upload, a websocket chat, static files.

Run it::

    python -m examples.app                          # web.run_app on http://127.0.0.1:8080 (one process)
    prefork --bind 127.0.0.1:8000 examples.app:app               # the pre-fork master (or examples.app:create_app)
    python -m supervisor.reload -- prefork --bind 127.0.0.1:8000 examples.app:create_app   # restart on edits

State lives in memory, per process: under ``prefork --workers 4`` each worker has its own items and its own chat
room. A real application keeps them in a database or a message broker, created in ``on_startup``.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path
from typing import Any

import web

HERE = Path(__file__).resolve().parent
MAX_UPLOAD = 8 * 1024 * 1024  # client_max_size: the largest request body the app accepts


# -- the JSON API: /api/items --------------------------------------------------------------------------------------


class ItemStore:
    """Items by id, in memory: ``{"id": int, "name": str, "price": float}``."""

    def __init__(self) -> None:
        self.items: dict[int, dict[str, Any]] = {}
        self.next_id = 1

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Store a new item and return it with its id."""
        item = {"id": self.next_id, **fields}
        self.items[self.next_id] = item
        self.next_id += 1
        return item

    def get(self, item_id: str) -> dict[str, Any]:
        """The item, or a 404 (``item_id`` comes from the URL, so it may not even be a number)."""
        try:
            return self.items[int(item_id)]
        except (ValueError, KeyError):
            raise web.HTTPNotFound(reason="No such item") from None


def _validate(data: Any, *, partial: bool = False) -> dict[str, Any]:
    """The item fields of a request body, or a 400 naming what is wrong."""
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(reason="Expected a JSON object")
    fields: dict[str, Any] = {}
    if "name" in data or not partial:
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise web.HTTPBadRequest(reason="name must be a non-empty string")
        fields["name"] = name.strip()
    if "price" in data or not partial:
        price = data.get("price")
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            raise web.HTTPBadRequest(reason="price must be a non-negative number")
        fields["price"] = price
    unknown = set(data) - {"name", "price", "id"}
    if unknown:
        raise web.HTTPBadRequest(reason=f"unknown field(s): {', '.join(sorted(unknown))}")
    return fields


async def list_items(request: web.Request) -> web.Response:
    """``GET /api/items``: every item, in id order; ``?q=`` filters by name."""
    query = request.GET.get("q", "").lower()
    items = [item for item in request.app["items"].items.values() if query in item["name"].lower()]
    return web.json_response(items)


async def create_item(request: web.Request) -> web.Response:
    """``POST /api/items``: 201 with the new item and its Location."""
    fields = _validate(await request.json())
    item = request.app["items"].create(fields)
    location = request.app.router["item"].url(parts={"item_id": item["id"]})
    return web.json_response(item, status=201, headers={"Location": location})


async def get_item(request: web.Request) -> web.Response:
    """``GET /api/items/{item_id}``."""
    return web.json_response(request.app["items"].get(request.match_info["item_id"]))


async def update_item(request: web.Request) -> web.Response:
    """``PUT`` replaces an item, ``PATCH`` changes the fields given."""
    item = request.app["items"].get(request.match_info["item_id"])
    item.update(_validate(await request.json(), partial=request.method == "PATCH"))
    return web.json_response(item)


async def delete_item(request: web.Request) -> web.Response:
    """``DELETE /api/items/{item_id}``: 204."""
    item = request.app["items"].get(request.match_info["item_id"])
    del request.app["items"].items[item["id"]]
    return web.Response(status=204)


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Under ``/api/``, HTTP errors are JSON ``{"error": reason, "status": code}`` instead of text pages."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.status < 400:
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return web.json_response({"error": exc.reason, "status": exc.status}, status=exc.status, headers=headers)
    except web.InvalidJSONBody as exc:
        return web.json_response({"error": f"invalid JSON: {exc.msg}", "status": 400}, status=400)


# -- HTML pages and the upload form --------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{css}"></head>
<body><h1>{title}</h1>
{body}
</body></html>
"""


def page(request: web.Request, title: str, body: str, *, status: int = 200) -> web.Response:
    """An HTML page in the site's layout (``body`` is trusted HTML: escape what comes from users)."""
    css = request.app.router["static"].url(filename="style.css")
    text = PAGE.format(title=html.escape(title), css=css, body=body)
    return web.Response(text=text, content_type="text/html", status=status)


async def index(request: web.Request) -> web.Response:
    """``GET /``: the upload form, the chat, and links to the API."""
    uploads = "".join(
        f"<li>{html.escape(u['filename'])}: {u['size']} bytes, sha256 {u['sha256'][:12]}…</li>"
        for u in request.app["uploads"]
    )
    body = f"""
<h2>Upload a file</h2>
<form action="/upload" method="post" enctype="multipart/form-data">
  <input type="file" name="file" required> <input type="text" name="description" placeholder="description">
  <button type="submit">Upload</button>
</form>
<ul id="uploads">{uploads}</ul>
<h2>Chat</h2>
<div id="log"></div>
<form id="chat"><input id="message" autocomplete="off"> <button type="submit">Send</button></form>
<h2>API</h2>
<p><a href="/api/items">/api/items</a> (GET, POST) and /api/items/{{id}} (GET, PUT, PATCH, DELETE)</p>
<script src="{request.app.router["static"].url(filename="chat.js")}"></script>
"""
    return page(request, "prefork example", body)


async def upload(request: web.Request) -> web.Response:
    """``POST /upload``: the form's file (a ``web.FileField``) is hashed and described, not kept."""
    form = await request.post()
    field = form.get("file")
    if not isinstance(field, web.FileField) or not field.filename:
        return page(request, "Upload failed", "<p>Choose a file first.</p><p><a href='/'>Back</a></p>", status=400)
    digest, size = hashlib.sha256(), 0
    while chunk := field.file.read(64 * 1024):
        digest.update(chunk)
        size += len(chunk)
    record = {
        "filename": field.filename,
        "content_type": field.content_type,
        "size": size,
        "sha256": digest.hexdigest(),
        "description": str(form.get("description", "")),
    }
    request.app["uploads"].append(record)
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response(record, status=201)
    rows = "".join(f"<dt>{key}</dt><dd>{html.escape(str(value))}</dd>" for key, value in record.items())
    return page(request, "Uploaded", f"<dl>{rows}</dl><p><a href='/'>Back</a></p>", status=201)


# -- the websocket chat: /ws ---------------------------------------------------------------------------------------


async def chat(request: web.Request) -> web.StreamResponse:
    """``GET /ws``: every text message is sent to everyone in the room as ``{"from": ..., "text": ...}``.

    A peer is named by ``?name=`` (default ``anonymous``). When the server stops, its websockets are closed with
    1001 (going away) by the server's graceful shutdown, and this handler ends normally.
    """
    ws = web.WebSocketResponse()
    ok, _ = ws.can_start(request)
    if not ok:
        return page(request, "Chat", "<p>This is a websocket endpoint: open <a href='/'>the page</a>.</p>")
    await ws.prepare(request)
    room: set[Any] = request.app["chat"]
    name = request.GET.get("name", "anonymous")[:32]
    room.add(ws)
    try:
        await _broadcast(room, {"from": "server", "text": f"{name} joined"})
        while True:
            text = await ws.receive_str()
            await _broadcast(room, {"from": name, "text": text})
    except web.WebSocketDisconnectedError:
        pass
    finally:
        room.discard(ws)
    await _broadcast(room, {"from": "server", "text": f"{name} left"})
    return ws


async def _broadcast(room: set[Any], message: dict[str, str]) -> None:
    data = json.dumps(message)
    for peer in list(room):
        if not peer.closing:
            await peer.send_str(data)


# -- the application -----------------------------------------------------------------------------------------------


def create_app() -> web.Application:
    """The application: a new one, with empty state, each call (each test, each worker)."""
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_UPLOAD)
    app["items"] = ItemStore()
    app["uploads"] = []
    app["chat"] = set()
    router = app.router
    router.add_route("GET", "/", index, name="index")
    router.add_route("POST", "/upload", upload, name="upload")
    router.add_route("GET", "/api/items", list_items, name="items")
    router.add_route("POST", "/api/items", create_item)
    router.add_route("GET", "/api/items/{item_id}", get_item, name="item")
    router.add_route("PUT", "/api/items/{item_id}", update_item)
    router.add_route("PATCH", "/api/items/{item_id}", update_item)
    router.add_route("DELETE", "/api/items/{item_id}", delete_item)
    router.add_route("GET", "/ws", chat, name="chat")
    router.add_static("/static", HERE / "static", name="static")
    return app


# ``prefork examples.app:app`` imports this module in each worker after the fork, so each has its own app too.
app = create_app()

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=8080)

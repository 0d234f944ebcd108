"""The realistic routes of bench/hello.py, written once against the aiohttp.web API and installed in both the
aiohttp and the prefork app (``install(app, web)`` with each one's ``web`` module), so both run the same code.

GET  /user/{id}?fields=name   JSON from a path parameter, a query parameter and the User-Agent header
POST /items                   a ~4 KiB JSON document parsed (``request.json()``) and summarised as JSON
GET  /mw/chain                through a sub-application with three middlewares (request id, auth, user lookup)
GET  /cookies                 reads the ``session`` cookie, sets ``seen=1``
GET  /big                     64 KiB of bytes
POST /form                    an urlencoded form (``request.post()``) answered as JSON

bench/apps/asgi_hello.py answers the same routes with the same bodies in raw ASGI (no framework).
"""

from __future__ import annotations

import json
from typing import Any

BIG = bytes(range(256)) * 256  # 64 KiB
ITEMS = {"items": [{"id": i, "name": f"item-{i:04d}", "price": i * 1.25, "tags": ["a", "b"]} for i in range(60)]}
ITEMS_BODY = json.dumps(ITEMS)  # about 4 KiB
FORM_BODY = "name=Alice+Smith&email=alice%40example.com&age=30&city=Paris&comment=hello+world%21&agree=on"
TOKEN = "Bearer bench-token"
# What Chrome 131 on Linux sends besides Host when it navigates to a page (wrk adds Host itself).
BROWSER_FIELDS = (
    ("Connection", "keep-alive"),
    ("Sec-Ch-Ua", '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"'),
    ("Sec-Ch-Ua-Mobile", "?0"),
    ("Sec-Ch-Ua-Platform", '"Linux"'),
    ("Upgrade-Insecure-Requests", "1"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
    (
        "Accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
        "application/signed-exchange;v=b3;q=0.7",
    ),
    ("Sec-Fetch-Site", "none"),
    ("Sec-Fetch-Mode", "navigate"),
    ("Sec-Fetch-User", "?1"),
    ("Sec-Fetch-Dest", "document"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Cookie", "_ga=GA1.1.1234567890.1733200000; session=abc123"),
)


def summarise(doc: dict[str, Any]) -> dict[str, Any]:
    """The answer to POST /items (shared with the ASGI app)."""
    items = doc["items"]
    return {"count": len(items), "total": sum(item["price"] for item in items), "first": items[0]["name"]}


def user_doc(user_id: int, fields: str, agent: str) -> dict[str, Any]:
    """The answer to GET /user/{id} (shared with the ASGI app)."""
    return {"id": user_id, "name": f"user{user_id}", "fields": fields.split(","), "agent": agent}


def user_middlewares(web: Any) -> tuple[Any, Any]:
    """The mw chain's inner two middlewares (``web`` is ``aiohttp.web`` or prefork's ``web``): a bearer token
    checked, then ``request["user"]`` set (shared with bench/mw_parts.py)."""

    @web.middleware
    async def auth(request: Any, handler: Any) -> Any:
        if request.headers.get("Authorization") != TOKEN:
            raise web.HTTPUnauthorized()
        return await handler(request)

    @web.middleware
    async def load_user(request: Any, handler: Any) -> Any:
        request["user"] = "alice"
        return await handler(request)

    return auth, load_user


def install(app: Any, web: Any) -> None:
    """Add the realistic routes to ``app``; ``web`` is ``aiohttp.web`` or prefork's ``web``."""

    async def user(request: Any) -> Any:
        user_id = int(request.match_info["id"])
        fields = request.query.get("fields", "")
        agent = request.headers.get("User-Agent", "")
        return web.json_response(user_doc(user_id, fields, agent))

    async def items(request: Any) -> Any:
        return web.json_response(summarise(await request.json()))

    async def cookies(request: Any) -> Any:
        response = web.Response(text=f"session={request.cookies.get('session', '')}")
        response.set_cookie("seen", "1")
        return response

    async def big(request: Any) -> Any:
        return web.Response(body=BIG, content_type="application/octet-stream")

    async def form(request: Any) -> Any:
        data = await request.post()
        return web.json_response({key: data[key] for key in data})

    @web.middleware
    async def request_id(request: Any, handler: Any) -> Any:
        response = await handler(request)
        response.headers["X-Request-Id"] = request.headers.get("X-Request-Id", "none")
        return response

    auth, load_user = user_middlewares(web)

    async def chain(request: Any) -> Any:
        return web.Response(text=f"hello {request['user']}")

    app.router.add_route("GET", "/user/{id}", user)
    app.router.add_route("POST", "/items", items)
    app.router.add_route("GET", "/cookies", cookies)
    app.router.add_route("GET", "/big", big)
    app.router.add_route("POST", "/form", form)
    mw = web.Application(middlewares=[request_id, auth, load_user])
    mw.router.add_route("GET", "/chain", chain)
    app.add_subapp("/mw", mw)

"""The middleware chain of a route is built once and reused (as aiohttp 3 caches it), and reuse changes nothing a
middleware or handler can see: middlewares added later run, old-style factories are still called per request, the
handler's attributes show through every layer, and a miss builds its chain afresh."""

from __future__ import annotations

import asyncio

import web
from server.detached import RecordingTransport


def _transport() -> RecordingTransport:
    return RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})


async def _bodies(app: web.Application, *paths: str) -> list[bytes]:
    protocol = app.make_handler()()
    transport = _transport()
    protocol.connection_made(transport)
    bodies = []
    for path in paths:
        transport.written.clear()
        protocol.data_received(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        for _ in range(5):
            await asyncio.sleep(0)
        bodies.append(bytes(transport.written).partition(b"\r\n\r\n")[2])
    protocol.connection_lost(None)
    return bodies


def _tagging(tag: str):
    @web.middleware
    async def middleware(request, handler):
        seen = getattr(handler, "label", "-")  # the handler's attributes show through update_wrapper
        response = await handler(request)
        response.text = f"{tag}[{seen}]" + response.text
        return response

    return middleware


async def _handler(request: web.Request) -> web.Response:
    return web.Response(text=f"app={request.app['name']}")


_handler.label = "h"  # type: ignore[attr-defined]


async def test_a_middleware_added_after_a_request_runs_on_the_next() -> None:
    app = web.Application(middlewares=[_tagging("a")])
    app["name"] = "root"
    app.router.add_route("GET", "/", _handler)
    first, again = await _bodies(app, "/", "/")
    app.middlewares.append(_tagging("b"))
    (later,) = await _bodies(app, "/")
    assert first == again == b"a[h]app=root"
    assert later == b"a[h]b[h]app=root"


async def test_an_old_style_factory_is_called_for_every_request() -> None:
    calls: list[str] = []

    async def factory(app, handler):
        calls.append(app["name"])
        return handler

    app = web.Application(middlewares=[factory, _tagging("a")])
    app["name"] = "root"
    app.router.add_route("GET", "/", _handler)
    assert await _bodies(app, "/", "/", "/") == [b"a[h]app=root"] * 3
    assert calls == ["root"] * 3


async def test_a_sub_application_chain_sets_request_app_at_each_level_every_time() -> None:
    app = web.Application(middlewares=[_tagging("outer")])
    app["name"] = "root"
    sub = web.Application(middlewares=[_tagging("inner")])
    sub["name"] = "sub"
    sub.router.add_route("GET", "/x", _handler)
    app.add_subapp("/s", sub)
    assert await _bodies(app, "/s/x", "/s/x") == [b"outer[h]inner[h]app=sub"] * 2


async def test_a_miss_goes_through_the_middlewares_each_time() -> None:
    app = web.Application(middlewares=[_tagging("a")])
    app["name"] = "root"
    app.router.add_route("GET", "/", _handler)
    bodies = await _bodies(app, "/nope", "/nope")
    assert bodies == [b"404: Not Found"] * 2  # the 404 is raised through the middleware, not returned

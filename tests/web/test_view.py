"""Class-based views."""

from __future__ import annotations

import aiohttp

import web


class Item(web.View):
    async def get(self):
        return web.Response(text=f"item {self.request.match_info['id']}")

    async def post(self):
        return web.Response(text="posted")


async def test_a_view_class_is_its_route_s_handler_and_serves(make_server):
    # As in aiohttp 3, where aiohttp-cors tells a view's route by issubclass(route.handler, web.View).
    app = web.Application()
    route = app.router.add_route("*", "/items/{id}", Item)
    assert route.handler is Item and list(route.resource) == [route]
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/items/4")) as r:
        assert await r.text() == "item 4"


async def test_view_dispatches_by_method_and_answers_405_with_allow(make_server):
    app = web.Application()
    app.router.add_view("/items/{id}", Item)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/items/3")) as r:
            assert await r.text() == "item 3"
        async with s.post(server.url("/items/3")) as r:
            assert await r.text() == "posted"
        async with s.delete(server.url("/items/3")) as r:
            assert r.status == 405
            assert set(r.headers["Allow"].split(",")) == {"GET", "POST"}

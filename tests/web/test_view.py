"""Class-based views."""

from __future__ import annotations

import aiohttp

import web


class Item(web.View):
    async def get(self):
        return web.Response(text=f"item {self.request.match_info['id']}")

    async def post(self):
        return web.Response(text="posted")


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

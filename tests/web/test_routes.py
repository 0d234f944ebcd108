"""web.routes: aiohttp 3's members of a route that a handler or a library calls, on a real server where they
concern serving: handle_expect_header, and what a match info gives for it (expect_handler)."""

from __future__ import annotations

import tempfile

import aiohttp
import pytest

import web
from web.router import SystemRoute
from web.routes import default_expect_handler
from web.testing import make_mocked_request


async def _ok(request):
    return web.Response(text="ok")


async def test_handle_expect_header_awaits_the_route_s_expect_handler_or_the_default():
    async def refuse(request):
        return web.Response(status=417, text="refused")

    app = web.Application()
    own = app.router.add_post("/own", _ok, expect_handler=refuse)
    default = app.router.add_post("/default", _ok)
    dynamic = app.router.add_post("/d/{x}", _ok)
    static = app.router.add_static("/static", tempfile.gettempdir())
    expecting = make_mocked_request("POST", "/own", headers={"Expect": "100-continue"})
    answer = await own.handle_expect_header(expecting)
    assert answer.status == 417 and answer.text == "refused"
    for route in (default, dynamic, static, SystemRoute(web.HTTPNotFound())):
        # aiohttp's default: the 100 Continue (ours goes out on the handler's first read of the body), no answer.
        assert await route.handle_expect_header(expecting) is None
        # Another expectation on HTTP/1.1: 417, aiohttp's text (the server answers such a request itself first).
        other = make_mocked_request("POST", "/default", headers={"Expect": "something-else"})
        with pytest.raises(web.HTTPExpectationFailed) as raised:
            await route.handle_expect_header(other)
        assert raised.value.text == "Unknown Expect: something-else"
    # HTTP/1.0 has no 100 Continue: the default does nothing, whatever the field says.
    old = make_mocked_request("POST", "/default", headers={"Expect": "x"}, version=web.HttpVersion10)
    assert await default.handle_expect_header(old) is None
    assert await default_expect_handler(old) is None


async def test_a_match_info_s_expect_handler_is_its_route_s_handle_expect_header(make_server):
    # aiohttp 3: UrlMappingMatchInfo.expect_handler is route.handle_expect_header, what the application awaits for
    # an Expect request; a middleware or a handler of the application's own answering Expect itself calls it too.
    seen = []

    async def check(request):
        seen.append(request.headers.get("X-Token"))
        if request.headers.get("X-Token") != "yes":
            raise web.HTTPForbidden(text="no token")
        return None

    async def echo(request):
        return web.Response(body=await request.read())

    @web.middleware
    async def record(request, handler):
        info = request.match_info
        expect_handler = info.expect_handler
        assert expect_handler.__name__ == "handle_expect_header"
        if info.http_exception is None:
            assert expect_handler == info.route.handle_expect_header
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_post("/checked", echo, expect_handler=check)
    app.router.add_post("/plain", echo)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.post(server.url("/checked"), data=b"body", expect100=True) as resp:
            assert resp.status == 403 and await resp.text() == "no token"
        headers = {"X-Token": "yes"}
        async with session.post(server.url("/checked"), data=b"body", expect100=True, headers=headers) as resp:
            assert resp.status == 200 and await resp.read() == b"body"
        async with session.post(server.url("/plain"), data=b"body", expect100=True) as resp:
            assert resp.status == 200 and await resp.read() == b"body"
        # A miss: its SystemRoute's default, then the 404.
        async with session.post(server.url("/missing"), data=b"body", expect100=True) as resp:
            assert resp.status == 404
    assert seen == [None, "yes"]


async def test_a_miss_s_expect_handler_and_apps_are_aiohttp_s(make_server):
    seen = {}

    @web.middleware
    async def record(request, handler):
        info = request.match_info
        seen[request.method] = (type(info.route).__name__, info.apps, info.expect_handler.__name__)
        return await handler(request)

    app = web.Application(middlewares=[record])
    app.router.add_get("/only-get", _ok)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url("/only-get")) as resp:
            assert resp.status == 200
        async with session.post(server.url("/only-get")) as resp:
            assert resp.status == 405
    assert seen == {
        "GET": ("PlainRoute", (app,), "handle_expect_header"),
        "POST": ("SystemRoute", (app,), "handle_expect_header"),
    }


def test_the_router_freezes_the_resources_of_the_application_s_own_with_itself():
    frozen = []

    class Own(web.AbstractResource):
        canonical = "/own"

        def __iter__(self):
            return iter(())

        def __len__(self):
            return 0

        async def resolve(self, request):
            return None, set()

        def add_prefix(self, prefix):
            self.canonical = prefix + self.canonical

        def freeze(self):
            frozen.append(self)

    app = web.Application()
    resource = Own()
    app.router.register_resource(resource)
    sub = web.Application()
    sub_resource = Own()
    sub.router.register_resource(sub_resource)
    app.add_subapp("/sub", sub)  # freezes the sub-application's router
    assert frozen == [sub_resource]
    app.freeze()
    app.freeze()
    assert frozen == [sub_resource, resource]
    # Every resource answers freeze(), as aiohttp's AbstractResource does.
    for each in app.router.resources():
        each.freeze()

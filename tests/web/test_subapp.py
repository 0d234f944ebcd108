"""Sub-applications over a real server: prefix and domain routing, middlewares, request.app, config_dict, URLs,
signals, on_response_prepare, cleanup_ctx."""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

import web
from web.router import UrlDispatcher, UrlMappingMatchInfo


async def _never(request):
    raise AssertionError("not called")


async def test_subapp_serves_its_routes_under_the_prefix_with_its_middlewares_and_app(make_server):
    calls = []

    def tag(name):
        @web.middleware
        async def mw(request, handler):
            calls.append((name, request.app["name"]))
            return await handler(request)

        return mw

    async def handler(request):
        return web.Response(text=f"{request.app['name']} {request.config_dict['root_only']}")

    sub = web.Application(middlewares=[tag("sub")])
    sub["name"] = "sub"
    sub.router.add_get("/x/{id}", handler, name="x")
    app = web.Application(middlewares=[tag("root")])
    app["name"] = "root"
    app["root_only"] = "from-root"
    app.add_subapp("/sub/", sub)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/sub/x/1")) as r:
            assert r.status == 200 and await r.text() == "sub from-root"
        async with s.get(server.url("/sub/nope")) as r:
            assert r.status == 404
    assert calls == [("root", "root"), ("sub", "sub"), ("root", "root"), ("sub", "sub")]
    assert str(sub.router["x"].url_for(id="7")) == "/sub/x/7"
    assert sub.router["x"].url(parts={"id": "7"}) == "/sub/x/7"


async def test_own_route_before_the_subapp_wins_and_domain_subapps_match_the_host(make_server):
    async def own(request):
        return web.Response(text="own")

    async def sub_handler(request):
        return web.Response(text="sub")

    sub = web.Application()
    sub.router.add_get("/a", sub_handler)
    domain = web.Application()
    domain.router.add_get("/", sub_handler)
    app = web.Application()
    app.router.add_get("/p/a", own)
    app.add_subapp("/p", sub)
    app.add_domain("*.example.com", domain)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/p/a")) as r:
            assert await r.text() == "own"
        async with s.get(server.url("/"), headers={"Host": "api.example.com"}) as r:
            assert await r.text() == "sub"
        async with s.get(server.url("/")) as r:
            assert r.status == 404


async def test_a_later_route_serves_what_no_route_of_an_earlier_subapp_matches(make_server):
    # The first matching route (the aiohttp 0.14 rule) serves: a route of the parent added after
    # add_subapp('/api', ...), or a later sub-application with a longer prefix, when no route of the first matches;
    # aiohttp, which asks the longest path prefix first, serves the same. A path nothing matches gets the 404 of
    # the longest prefix claiming it, through that sub-application's middlewares, as in aiohttp.
    seen = []

    @web.middleware
    async def mw(request, handler):
        seen.append(request.path)
        return await handler(request)

    def text(body):
        async def handler(request):
            return web.Response(text=body)

        return handler

    api = web.Application()
    api.router.add_get("/users", text("api users"))
    api.router.add_post("/special", text("api post special"))
    deeper = web.Application(middlewares=[mw])
    deeper.router.add_get("/c", text("deeper c"))
    app = web.Application()
    app.add_subapp("/api", api)
    app.router.add_get("/api/special", text("parent special"))
    app.add_subapp("/api/v2", deeper)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        for path, status, body in [
            ("/api/special", 200, "parent special"),
            ("/api/users", 200, "api users"),
            ("/api/v2/c", 200, "deeper c"),
            ("/api/other", 404, None),
        ]:
            async with s.get(server.url(path)) as r:
                assert r.status == status, path
                assert body is None or await r.text() == body, path
        async with s.post(server.url("/api/special")) as r:
            assert await r.text() == "api post special"
        async with s.get(server.url("/api/v2/nope")) as r:
            assert r.status == 404
    assert seen == ["/api/v2/c", "/api/v2/nope"]


async def test_signals_cleanup_ctx_and_on_response_prepare_run_for_subapps(make_server):
    events = []

    async def ctx(app):
        events.append(f"enter {app['name']}")
        yield
        events.append(f"exit {app['name']}")

    async def prepare(request, response):
        response.headers["X-Prepared"] = request.app["name"]

    async def handler(request):
        return web.Response(text="ok")

    sub = web.Application()
    sub["name"] = "sub"
    sub.cleanup_ctx.append(ctx)
    sub.on_response_prepare.append(prepare)
    sub.router.add_get("/", handler)
    app = web.Application()
    app["name"] = "root"
    app.cleanup_ctx.append(ctx)
    app.add_subapp("/sub", sub)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/sub/")) as r:
        assert r.headers["X-Prepared"] == "sub"
    await server.close()
    assert events == ["enter root", "enter sub", "exit root", "exit sub"]


async def test_match_info_refuses_add_app_once_routed(make_server):
    # The match info a handler sees is frozen, as in aiohttp: its apps stack is what routing found, the application
    # itself for its own routes (aiohttp's _handle adds it), whichever table answered.
    seen = {}

    async def handler(request):
        info = request.match_info
        seen["apps"] = info.apps
        try:
            info.add_app(request.app)
        except RuntimeError as error:
            seen["error"] = str(error)
        return web.Response(text="ok")

    sub = web.Application()
    sub.router.add_get("/to", handler)
    app = web.Application()
    app.router.add_get("/own", handler)
    app.add_subapp("/path", sub)
    # Without sub-applications the router answers a plain path from its direct table, a pattern by a scan.
    flat = web.Application()
    flat.router.add_get("/plain", handler)
    flat.router.add_get("/{name}/x", handler)
    nested_server, flat_server = await make_server(app), await make_server(flat)
    cases = [
        (nested_server, "/path/to", (app, sub)),
        (nested_server, "/own", (app,)),
        (flat_server, "/plain", (flat,)),
        (flat_server, "/a/x", (flat,)),
    ]
    async with aiohttp.ClientSession() as s:
        for server, path, apps in cases:
            seen.clear()
            async with s.get(server.url(path)) as r:
                assert r.status == 200
            assert seen == {"apps": apps, "error": "Cannot change apps stack after .freeze() call"}, path


@pytest.mark.parametrize(
    ("path", "expected", "middlewares"),
    [
        # aiohttp's test_subapp_middleware_context: A and C are the root's and the sub-application's middlewares, B
        # and D their handlers; each names the application it sees.
        ("/sub/", ["A: root", "C: sub", "D: sub"], "AC"),
        ("/", ["A: root", "B: root"], "AC"),
        ("/sub/", ["A: root", "D: sub"], "A"),
        ("/", ["A: root", "B: root"], "A"),
        ("/sub/", ["C: sub", "D: sub"], "C"),
        ("/", ["B: root"], "C"),
        ("/sub/", ["D: sub"], ""),
        ("/", ["B: root"], ""),
        # A miss: the middlewares of the applications that claim the path see it.
        ("/sub/nope", ["A: root", "C: sub"], "AC"),
        ("/nope", ["A: root"], "AC"),
    ],
)
async def test_match_info_current_app_is_the_application_whose_middlewares_run(
    make_server, path, expected, middlewares
):
    # aiohttp 3's match_info.current_app, which its request.app reads: each application's middlewares run with it set
    # to that application, the handler with the innermost one, and it is restored once they return.
    seen = []
    restored = []

    def name_of(request):
        current = request.match_info.current_app
        assert current is request.app
        return current["name"]

    def show(label):
        @web.middleware
        async def middleware(request, handler):
            mine = name_of(request)
            seen.append(f"{label}: {mine}")
            try:
                return await handler(request)
            finally:
                restored.append(name_of(request) == mine)

        return middleware

    def make_handler(label):
        async def handler(request):
            seen.append(f"{label}: {name_of(request)}")
            return web.Response(text="Ok")

        return handler

    app = web.Application(middlewares=[show("A")] if "A" in middlewares else [])
    app["name"] = "root"
    app.router.add_get("/", make_handler("B"))
    sub = web.Application(middlewares=[show("C")] if "C" in middlewares else [])
    sub["name"] = "sub"
    sub.router.add_get("/", make_handler("D"))
    app.add_subapp("/sub", sub)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url(path)) as r:
        assert r.status == (404 if "nope" in path else 200)
    assert seen == expected
    assert restored == [True] * len(middlewares if "sub" in path else middlewares.replace("C", ""))


async def test_match_info_current_app_in_nested_sub_applications(make_server):
    # Three levels, middlewares only in the middle one: what runs inside it sees the innermost application again.
    seen = []

    @web.middleware
    async def middle_mw(request, handler):
        seen.append(("middle mw", request.match_info.current_app["name"]))
        response = await handler(request)
        seen.append(("middle mw after", request.match_info.current_app["name"]))
        return response

    async def handler(request):
        seen.append(("handler", request.match_info.current_app["name"], request.app["name"]))
        return web.Response(text="ok")

    inner = web.Application()
    inner["name"] = "inner"
    inner.router.add_get("/x", handler)
    middle = web.Application(middlewares=[middle_mw])
    middle["name"] = "middle"
    middle.router.add_get("/own", handler)
    middle.add_subapp("/inner", inner)
    app = web.Application()
    app["name"] = "root"
    app.add_subapp("/middle", middle)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        for path, inside in [("/middle/inner/x", ("inner", "inner")), ("/middle/own", ("middle", "middle"))]:
            expected = [("middle mw", "middle"), ("handler", *inside), ("middle mw after", "middle")]
            seen.clear()
            async with s.get(server.url(path)) as r:
                assert r.status == 200
            assert seen == expected, path


def test_a_match_info_being_built_takes_add_app():
    info = UrlMappingMatchInfo({}, UrlDispatcher().add_get("/", _never))
    first, second = web.Application(), web.Application()
    info.add_app(second)
    info.add_app(first)
    assert info.apps == (first, second) and not info.frozen
    # As in aiohttp, the first application added (the innermost) is the current one until one is assigned.
    assert info.current_app is second
    info.current_app = first
    assert info.current_app is first
    info.freeze()
    assert info.frozen
    with pytest.raises(RuntimeError, match="freeze"):
        info.add_app(first)


async def test_routes_lists_the_subapps_routes_whose_urls_each_answer(make_server, tmp_path):
    # aiohttp 3's router.routes() holds a sub-application's routes in place of the one handing requests to it, and
    # a static route's _resource is its StaticResource: an OpenAPI generator walks them and calls url_for() on each.
    (tmp_path / "a.txt").write_text("static")

    async def name(request):
        return web.Response(text=request.match_info.route.name)

    inner = web.Application()
    inner.router.add_get("/deep", name, name="deep")
    sub = web.Application()
    sub.router.add_get("/docs", name, name="docs")
    sub.router.add_static("/files", tmp_path)
    sub.add_subapp("/inner", inner)
    app = web.Application()
    app.router.add_get("/own", name, name="own")
    app.add_subapp("/v1", sub)
    routes = list(app.router.routes())
    assert not any(isinstance(route, web.PrefixedSubAppResource) for route in routes)
    statics = [route for route in routes if isinstance(route._resource, web.StaticResource)]
    assert len(statics) == 1 and statics[0].url_for(filename="a.txt") == URL("/v1/files/a.txt")
    others = [route for route in routes if route not in statics]
    assert sorted({str(route.url_for()) for route in others}) == ["/own", "/v1/docs", "/v1/inner/deep"]
    assert len(app.router.routes()) == len(routes) == 7  # GET and HEAD of each add_get, and the static route
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        for route in others:
            if route.method == "GET":
                async with s.get(server.url(str(route.url_for()))) as r:
                    assert r.status == 200 and await r.text() == route.name
        async with s.get(server.url(str(statics[0].url_for(filename="a.txt")))) as r:
            assert r.status == 200 and await r.text() == "static"


def test_an_application_added_into_itself_is_accepted_as_aiohttp_does_without_hanging():
    # aiohttp accepts app.add_subapp(prefix, app) (its own test_subapp_get_info does it); here the parent chain
    # became a cycle that add_subapp walked forever.
    app = web.Application()
    resource = app.add_subapp("/pre", app)
    assert resource.get_info() == {"prefix": "/pre", "app": app}
    assert resource.canonical == "/pre"


async def test_add_subapp_pre_freezes_the_sub_application_and_its_router_and_the_parent_s_start_freezes_it(
    make_server,
):
    # aiohttp 3's add_subapp(): pre_freeze(), which freezes the router, the middlewares and the signals; frozen
    # (no further sub-application) once the parent starts.
    async def page(request):
        return web.Response(text=f"sub {request.path}")

    sub = web.Application()
    sub.router.add_get("/page", page)
    app = web.Application()
    app.add_subapp("/sub", sub)
    assert sub.pre_frozen and not sub.frozen and sub.router.frozen and sub.on_startup.frozen
    with pytest.raises(RuntimeError):
        sub.router.add_get("/late", page)
    with pytest.raises(RuntimeError):
        sub.add_subapp("/inner", web.Application())
    assert not app.router.frozen  # the parent's routes are open until it starts
    app.router.add_get("/own", page)
    server = await make_server(app)
    assert sub.frozen and app.frozen and app.router.frozen
    async with aiohttp.ClientSession() as session, session.get(server.url("/sub/page")) as resp:
        assert (resp.status, await resp.text()) == (200, "sub /sub/page")

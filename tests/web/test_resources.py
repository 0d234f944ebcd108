"""aiohttp 3's resources over the FIFO route table (web.resources): add_resource, resource.add_route, route.resource,
router.resources(), and add_route's reuse of the last resource."""

from __future__ import annotations

import aiohttp
import pytest
from yarl import URL

import web
from web.app import Application
from web.resources import AbstractResource, DynamicResource, PlainResource, Resource
from web.response import Response
from web.router import UrlDispatcher
from web.routes import PlainRoute, RouteError


async def handler(request):
    return Response(text="ok")


def answer(text):
    async def handle(request):
        return Response(text=text)

    return handle


def test_add_resource_gives_a_resource_whose_routes_lead_back_to_it():
    router = UrlDispatcher()
    resource = router.add_resource("/a/b", name="ab")
    assert isinstance(resource, PlainResource) and isinstance(resource, Resource)
    assert len(resource) == 0 and list(router.resources()) == [resource]
    get = resource.add_route("GET", handler)
    post = resource.add_route("POST", handler)
    assert list(resource) == [get, post] and len(resource) == 2
    assert get.resource is resource and post.resource is resource
    assert get.name == post.name == resource.name == "ab"
    # The aiohttp 0.14 API's router[name] is a route with url(): the resource's first one.
    assert router["ab"] is get and get.url() == "/a/b"
    assert router.named_resources()["ab"] is resource
    assert resource.canonical == "/a/b" and resource.get_info() == {"path": "/a/b"}
    assert resource.url_for() == URL("/a/b")
    assert resource.raw_match("/a/b") and not resource.raw_match("/a")
    assert list(router.routes()) == [get, post]


def test_a_dynamic_resource_builds_urls_from_its_parts():
    router = UrlDispatcher()
    resource = router.add_resource(r"/user/{id:\d+}/{name}")
    assert isinstance(resource, DynamicResource)
    assert resource.canonical == "/user/{id}/{name}"
    assert resource.url_for(id=7, name="a b") == URL("/user/7/a%20b", encoded=True)
    info = resource.get_info()
    assert info["formatter"] == "/user/{id}/{name}" and info["pattern"].fullmatch("/user/7/x")
    assert resource.raw_match(r"/user/{id:\d+}/{name}")


def test_add_route_reuses_the_last_resource_of_the_same_path_and_name():
    router = UrlDispatcher()
    get = router.add_get("/a", handler, name="a")  # GET and HEAD
    post = router.add_post("/a", handler, name="a")
    assert len(router.resources()) == 1
    (resource,) = router.resources()
    assert [route.method for route in resource] == ["HEAD", "GET", "POST"]  # add_get adds HEAD first, as aiohttp
    assert get.resource is post.resource is resource and router["a"] is get
    # Another name, another path, or a resource in between: a new resource.
    router.add_post("/a", handler, name="b")
    router.add_put("/c", handler)
    router.add_patch("/c", handler)
    router.add_delete("/a", handler)
    assert [len(r) for r in router.resources()] == [3, 1, 2, 1]


def test_a_name_is_one_resource_s():
    router = UrlDispatcher()
    router.add_resource("/a", name="n")
    with pytest.raises(RouteError, match="Duplicate 'n', already handled by"):
        router.add_resource("/b", name="n")
    with pytest.raises(RouteError, match=r"Duplicate 'n', .*; GET /c \("):
        router.add_route("GET", "/c", handler, name="n")
    with pytest.raises(RouteError, match="should start with '/'"):
        router.add_resource("a")


def test_a_frozen_router_takes_no_resource_and_no_route_on_one():
    router = UrlDispatcher()
    resource = router.add_resource("/a")
    router.freeze()
    with pytest.raises(RuntimeError):
        router.add_resource("/b")
    with pytest.raises(RuntimeError):
        resource.add_route("GET", handler)


def test_static_and_sub_application_routes_are_their_own_resources(tmp_path):
    app = Application()
    static = app.router.add_static("/static", tmp_path, name="files")
    sub = Application()
    sub_route = sub.router.add_get("/x", handler)
    prefixed = app.add_subapp("/sub", sub)
    plain = app.router.add_route("GET", "/p", handler)
    assert static.resource is static and list(static) == [static] and len(static) == 1
    assert prefixed.resource is prefixed and list(prefixed) == list(sub.router.routes())
    assert isinstance(static, AbstractResource) and isinstance(prefixed, AbstractResource)
    assert isinstance(plain.resource, web.AbstractResource) and not isinstance(plain, web.AbstractResource)
    assert list(app.router.resources()) == [static, prefixed, plain.resource]
    assert app.router.named_resources()["files"] is static
    assert sub_route.resource.canonical == "/sub/x" and sub_route.resource.url_for() == URL("/sub/x")


def test_a_route_registered_by_hand_is_its_own_resource():
    router = UrlDispatcher()
    route = router.register_route(PlainRoute("GET", handler, "hand", "/h"))
    assert route.resource is route and list(router.resources()) == [route]
    with pytest.raises(RouteError, match="Duplicate 'hand', already handled by"):
        router.add_resource("/i", name="hand")


def test_resources_iterate_routes_for_every_handler(recwarn):
    # aiohttp's test_handler_metadata_persistence: every route of every resource, each handler its own.
    router = UrlDispatcher()

    def sync_handler(request):
        """Doc"""
        return Response()

    router.add_get("/sync", sync_handler)
    assert [route.handler.__doc__ for resource in router.resources() for route in resource] == ["Doc", "Doc"]


async def test_a_resource_s_routes_keep_the_table_s_fifo_order(make_server):
    # resource.add_route appends to the end of the table: a pattern route added before it still wins for its path,
    # and a method only the resource answers is served by the resource's later route.
    app = Application()
    resource = app.router.add_resource("/a")
    resource.add_route("GET", answer("resource GET"))
    app.router.add_route("*", "/{any}", answer("pattern"))
    resource.add_route("OPTIONS", answer("resource OPTIONS"))
    app.router.add_resource("/b", name="b").add_route("POST", answer("b POST"))
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/a")) as r:
            assert await r.text() == "resource GET"
        async with s.options(server.url("/a")) as r:
            assert await r.text() == "pattern"
        # The resource /b is new, but its route comes after the pattern's in the table.
        async with s.post(server.url("/b")) as r:
            assert await r.text() == "pattern"


class FixedResource(PlainResource):
    """A resource made alone with its routes, then registered, as aiohttp-openapi-ermelo's FixedResponseResource."""

    def __init__(self, path, text, *, name=None):
        super().__init__(path, name=name)
        self.add_route("GET", answer(text))


async def test_a_resource_made_alone_serves_its_routes_once_registered(make_server):
    # aiohttp's PlainResource(path, *, name=None) and DynamicResource(path, *, name=None) are made without a router;
    # router.register_resource() puts the routes given before to the end of the table, in order.
    app = Application()
    fixed = FixedResource("/fixed", "fixed GET", name="fixed")
    assert fixed.url_for() == URL("/fixed") and fixed.canonical == "/fixed" and len(fixed) == 1
    app.router.add_get("/before", answer("before"))
    app.router.register_resource(fixed)
    fixed.add_route("POST", answer("fixed POST"))  # after registration: to the table at once
    dynamic = DynamicResource("/d/{id}")
    dynamic.add_route("GET", answer("dynamic"))
    app.router.register_resource(dynamic)
    assert list(app.router.resources())[-2:] == [fixed, dynamic]
    assert app.router["fixed"].resource is fixed and app.router.named_resources()["fixed"] is fixed
    assert [route.method for route in app.router.routes()] == ["HEAD", "GET", "GET", "POST", "GET"]
    with pytest.raises(RuntimeError, match="already registered"):
        app.router.register_resource(fixed)
    sub = Application()
    sub.router.register_resource(FixedResource("/x", "sub fixed", name="x"))
    app.add_subapp("/sub", sub)
    assert sub.router["x"].resource.url_for() == URL("/sub/x")
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        for method, path, text in [
            ("GET", "/fixed", "fixed GET"),
            ("POST", "/fixed", "fixed POST"),
            ("GET", "/d/7", "dynamic"),
            ("GET", "/sub/x", "sub fixed"),
        ]:
            async with s.request(method, server.url(path)) as r:
                assert (r.status, await r.text()) == (200, text)


async def test_a_request_s_route_leads_to_its_resource(make_server):
    # aiohttp-cors finds a request's configuration through request.match_info.route.resource.
    app = Application()
    seen = []

    async def record(request):
        seen.append(request.match_info.route.resource)
        return Response(text=request.method)

    resource = app.router.add_resource("/r/{id}", name="r")
    resource.add_route("GET", record)
    resource.add_route("OPTIONS", record)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        for method in ("GET", "OPTIONS"):
            async with s.request(method, server.url("/r/1")) as r:
                assert r.status == 200 and await r.text() == method
        async with s.post(server.url("/r/1")) as r:
            assert r.status == 405 and set(r.headers["Allow"].split(",")) == {"GET", "OPTIONS"}
    assert seen == [resource, resource]


class PrefixResource(AbstractResource):
    """A resource of the application's own, as aiohttp 3's register_resource takes it (aiohttp-asgi's
    ASGIResource is one): every path under ``prefix`` goes to one handler, for every method but DELETE."""

    def __init__(self, prefix, text, *, name=None):
        super().__init__(name=name)
        self._prefix = prefix
        self._text = text

    @property
    def canonical(self):
        return self._prefix.rstrip("/") + "/{tail}"

    def add_prefix(self, prefix):
        # aiohttp's: a sub-application's prefix goes before the resource's path.
        self._prefix = prefix + self._prefix

    async def resolve(self, request):
        if not request.path.startswith(self._prefix):
            return None, set()
        if request.method == "DELETE":
            return None, {"GET", "POST"}
        return _PrefixInfo(answer(self._text)), {"GET", "POST"}

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0


class _PrefixInfo(web.AbstractMatchInfo):
    def __init__(self, handler):
        self._handler = handler
        self.apps_seen = []
        self.frozen = False

    @property
    def handler(self):
        return self._handler

    @property
    def route(self):
        return None

    @property
    def expect_handler(self):
        return None

    @property
    def apps(self):
        return tuple(self.apps_seen)

    def add_app(self, app):
        self.apps_seen.insert(0, app)

    def freeze(self):
        self.frozen = True


def test_register_resource_names_it_among_the_resources():
    router = UrlDispatcher()
    resource = PrefixResource("/asgi", "x", name="asgi")
    assert resource.name == "asgi"
    router.register_resource(resource)
    assert list(router.resources()) == [resource] and router.named_resources()["asgi"] is resource
    with pytest.raises(RouteError, match="Duplicate 'asgi', already handled by"):
        router.register_resource(PrefixResource("/other", "y", name="asgi"))
    with pytest.raises(TypeError, match="AbstractResource"):
        router.register_resource(object())
    router.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        router.register_resource(PrefixResource("/late", "z"))


async def test_a_registered_resource_answers_by_aiohttp_s_order(make_server):
    # aiohttp 3 asks its resources the most explicit first (by the longest literal prefix of their canonical
    # path), in the order registered under the same prefix; the table's route takes its route's place there.
    seen = []

    async def record(request, handler):
        seen.append((request.match_info.apps, request.match_info.frozen))
        return await handler(request)

    app = Application(middlewares=[web.middleware(record)])
    app.router.add_get("/asgi/own", answer("route before"))
    app.router.register_resource(PrefixResource("/", "root resource"))
    app.router.register_resource(PrefixResource("/asgi", "asgi resource"))
    app.router.add_get("/asgi/{tail}", answer("route after"))
    app.router.add_get("/plain", answer("plain route"))
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        for path, status, text in [
            ("/asgi/own", 200, "route before"),  # a route registered before, under the same prefix
            ("/asgi/x", 200, "asgi resource"),  # the resource registered before the route after it
            ("/plain", 200, "plain route"),  # its own prefix /plain is more explicit than the root resource's /
            ("/elsewhere", 200, "root resource"),
        ]:
            async with session.get(srv.url(path)) as resp:
                assert (path, resp.status, await resp.text()) == (path, status, text)
        async with session.delete(srv.url("/elsewhere")) as resp:
            assert resp.status == 405 and set(resp.headers["Allow"].split(",")) == {"GET", "POST"}
    # The match info of a resource records the application and is frozen before the handler, as in aiohttp.
    assert (app,) in [apps for apps, _ in seen] and all(frozen for _, frozen in seen)


async def test_a_registered_resource_and_a_sub_application_keep_their_order(make_server):
    # A sub-application's route takes the place of its prefix route in the outermost table.
    sub = Application()
    sub.router.add_get("/x", answer("sub route"))
    sub.router.add_get("/{name}", answer("sub dynamic"))  # under /api, as the resource below
    app = Application()
    app.add_subapp("/api", sub)
    app.router.register_resource(PrefixResource("/api", "resource after"))
    app.router.register_resource(PrefixResource("/other", "other resource"))
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        for method, path, status, text in [
            ("GET", "/api/x", 200, "sub route"),
            ("GET", "/api/y", 200, "sub dynamic"),  # the sub-application was added before the resource
            # Nor does the resource after it answer what the sub-application refuses: its 405 or 404 stands.
            ("POST", "/api/y", 405, "405: Method Not Allowed"),
            ("GET", "/api/a/b", 404, "404: Not Found"),
            ("GET", "/other/z", 200, "other resource"),
        ]:
            async with session.request(method, srv.url(path)) as resp:
                assert (method, path, resp.status, await resp.text()) == (method, path, status, text)


def recording(label, seen):
    """A middleware recording ``(label, request.app, match_info.apps)`` and naming itself in X-Through."""

    @web.middleware
    async def record(request, handler):
        seen.append((label, request.app, request.match_info.apps))
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # a 404 or 405 is raised through the middlewares
            exc.headers["X-Through"] = label + "," + exc.headers.get("X-Through", "")
            raise
        response.headers["X-Through"] = label + "," + response.headers.get("X-Through", "")
        return response

    return record


async def test_a_sub_application_serves_its_registered_resource_under_its_prefix(make_server):
    # aiohttp gives the sub-application's resources its prefix (add_prefix) and resolves a path under it with the
    # sub-application's router, in the same order as the outermost one's.
    seen = []
    sub = Application(middlewares=[recording("sub", seen)])
    sub.router.add_get("/asgi/own", answer("sub route before"))
    resource = PrefixResource("/asgi", "sub resource")
    sub.router.register_resource(resource)
    sub.router.add_get("/asgi/{tail}", answer("sub route after"))
    sub.router.add_get("/plain", answer("sub plain"))
    app = Application(middlewares=[recording("app", seen)])
    app.add_subapp("/api", sub)
    app.router.register_resource(PrefixResource("/other", "outer resource"))
    assert resource.canonical == "/api/asgi/{tail}" and app.router.awaits
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        for method, path, status, text in [
            ("GET", "/api/asgi/x", 200, "sub resource"),
            ("POST", "/api/asgi/x", 200, "sub resource"),
            ("GET", "/api/asgi/own", 200, "sub route before"),
            ("GET", "/api/plain", 200, "sub plain"),
            ("GET", "/api/asgi/x?q=1", 200, "sub resource"),
            ("GET", "/asgi/x", 404, "404: Not Found"),  # the resource answers under the prefix only
            ("GET", "/api/elsewhere", 404, "404: Not Found"),
            ("GET", "/other/z", 200, "outer resource"),
        ]:
            async with session.request(method, srv.url(path)) as resp:
                assert (method, path, resp.status, await resp.text()) == (method, path, status, text)
                # The sub-application's middlewares run for every path it claims, its 404 included.
                expected = "app,sub," if path.startswith("/api/") else "app,"
                assert resp.headers["X-Through"] == expected
        async with session.delete(srv.url("/api/asgi/x")) as resp:
            # The resource's methods and those of the sub-application's route after it.
            assert resp.status == 405 and set(resp.headers["Allow"].split(",")) == {"GET", "HEAD", "POST"}
    # Inside each application's middlewares request.app is that application; the resource's match info records
    # both applications, outermost first, as aiohttp's does (add_app at each level).
    assert seen[:2] == [("app", app, (app, sub)), ("sub", sub, (app, sub))]


async def test_a_nested_sub_application_serves_its_registered_resources(make_server):
    seen = []
    inner = Application(middlewares=[recording("inner", seen)])
    inner.router.register_resource(PrefixResource("/asgi", "inner resource"))
    late = PrefixResource("/late", "late resource")
    inner.router.register_resource(late)
    middle = Application(middlewares=[recording("middle", seen)])
    middle.add_subapp("/inner", inner)
    middle.router.add_get("/route", answer("middle route"))
    domain = Application(middlewares=[recording("domain", seen)])
    domain_resource = PrefixResource("/", "domain resource")
    domain.router.register_resource(domain_resource)
    domain.router.add_get("/page", answer("domain page"), name="page")
    middle.add_domain("example.com", domain)
    app = Application()
    app.add_subapp("/mid", middle)
    # Each add_subapp() gave the resources registered before it its prefix: the whole prefix now.
    assert late.canonical == "/mid/inner/late/{tail}" and domain_resource.canonical == "/mid/{tail}"
    # A domain's sub-application of a prefixed one is served under the prefix, its routes too (as in aiohttp).
    assert domain.router["page"].url_for() == URL("/mid/page")
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        for path, status, text, through in [
            ("/mid/inner/asgi/x", 200, "inner resource", "middle,inner,"),
            ("/mid/inner/late/y", 200, "late resource", "middle,inner,"),
            ("/mid/route", 200, "middle route", "middle,"),
            ("/mid/inner/other", 404, "404: Not Found", "middle,inner,"),
        ]:
            async with session.get(srv.url(path)) as resp:
                assert (path, resp.status, await resp.text()) == (path, status, text)
                assert resp.headers["X-Through"] == through
        # A domain's sub-application of a prefixed one: its resource sees the whole path too.
        async with session.get(srv.url("/mid/d"), headers={"Host": "example.com"}) as resp:
            assert (resp.status, await resp.text()) == (200, "domain resource")
            assert resp.headers["X-Through"] == "middle,domain,"
        async with session.get(srv.url("/mid/page"), headers={"Host": "example.com"}) as resp:
            assert (resp.status, await resp.text()) == (200, "domain page")
    assert ("inner", inner, (app, middle, inner)) in seen
    assert ("domain", domain, (app, middle, domain)) in seen


async def test_a_sub_application_s_404_or_405_is_the_answer_for_the_paths_it_claims(make_server):
    # aiohttp asks a sub-application that claims the path under its prefix, and its answer stands, its 404 or 405
    # too (PrefixedSubAppResource.resolve always gives a match info): the parent's less explicit resources, here
    # one under / registered before it, are not asked then. A domain's sub-application answers before them all.
    seen = []
    sub = Application(middlewares=[recording("sub", seen)])
    sub.router.add_get("/x", answer("sub x"))
    sub.router.add_get("/x/y", answer("sub x/y"))
    awaiting = Application(middlewares=[recording("awaiting", seen)])
    awaiting.router.register_resource(PrefixResource("/asgi", "awaiting resource"))
    inner = Application(middlewares=[recording("inner", seen)])
    inner.router.add_get("/x", answer("inner x"))
    middle = Application(middlewares=[recording("middle", seen)])
    middle.router.register_resource(PrefixResource("/", "middle root resource"))
    middle.add_subapp("/inner", inner)
    domain = Application(middlewares=[recording("domain", seen)])
    domain.router.add_get("/x", answer("domain x"))
    app = Application(middlewares=[recording("app", seen)])
    app.router.register_resource(PrefixResource("/", "root resource"))
    app.add_subapp("/sub", sub)
    # More explicit than the sub-application's prefix: asked before it, as in aiohttp, though registered after.
    app.router.register_resource(PrefixResource("/sub/x/", "sub/x resource"))
    app.add_subapp("/awaiting", awaiting)
    app.add_subapp("/middle", middle)
    app.add_domain("example.com", domain)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        for method, path, status, text, through in [
            ("GET", "/sub/x", 200, "sub x", "app,sub,"),
            ("GET", "/sub/nope", 404, "404: Not Found", "app,sub,"),
            ("POST", "/sub/x", 405, "405: Method Not Allowed", "app,sub,"),
            ("GET", "/sub", 404, "404: Not Found", "app,sub,"),
            ("GET", "/sub/x/y", 200, "sub/x resource", "app,"),
            ("GET", "/subway", 200, "root resource", "app,"),
            ("GET", "/awaiting/asgi/q", 200, "awaiting resource", "app,awaiting,"),
            ("GET", "/awaiting/nope", 404, "404: Not Found", "app,awaiting,"),
            ("GET", "/middle/inner/x", 200, "inner x", "app,middle,inner,"),
            ("GET", "/middle/inner/nope", 404, "404: Not Found", "app,middle,inner,"),
            ("GET", "/middle/other", 200, "middle root resource", "app,middle,"),
        ]:
            async with session.request(method, srv.url(path)) as resp:
                assert (method, path, resp.status, await resp.text()) == (method, path, status, text)
                assert (path, resp.headers["X-Through"]) == (path, through)
                if status == 405:
                    assert resp.headers["Allow"] == "GET,HEAD"
        for method, path, status, text in [
            ("GET", "/x", 200, "domain x"),
            ("GET", "/nope", 404, "404: Not Found"),
            ("POST", "/x", 405, "405: Method Not Allowed"),
        ]:
            async with session.request(method, srv.url(path), headers={"Host": "example.com"}) as resp:
                assert (method, path, resp.status, await resp.text()) == (method, path, status, text)
                assert resp.headers["X-Through"] == "app,domain,"
    # The 404's match info lists the applications it went through, as for a match.
    assert ("sub", sub, (app, sub)) in seen and ("inner", inner, (app, middle, inner)) in seen


class RefusingResource(PrefixResource):
    """aiohttp-asgi's ASGIResource refuses a prefix this way."""

    def add_prefix(self, prefix):
        raise NotImplementedError


def test_a_resource_refusing_the_prefix_makes_add_subapp_raise():
    sub = Application()
    sub.router.register_resource(RefusingResource("/asgi", "x"))
    app = Application()
    with pytest.raises(NotImplementedError):
        app.add_subapp("/api", sub)
    # As in aiohttp, the parent is left as it was.
    assert list(app.router.resources()) == [] and not app.router.awaits
    # A sub-application already added has a frozen router, as in aiohttp 3: nothing is registered there.
    attached = Application()
    app.add_subapp("/attached", attached)
    with pytest.raises(RuntimeError, match="frozen router"):
        attached.router.register_resource(RefusingResource("/asgi", "x", name="refused"))
    assert list(attached.router.resources()) == [] and "refused" not in attached.router.named_resources()
    assert not app.router.awaits


# -- resource.resolve(request): aiohttp 3's lookup of one resource ------------------------------------------------


async def test_a_resource_resolves_a_request_to_its_route_for_the_method_with_the_methods_it_answers():
    router = UrlDispatcher()
    plain = router.add_resource("/a")
    get = plain.add_route("GET", handler)
    plain.add_route("POST", handler)
    info, allowed = await plain.resolve(web.testing.make_mocked_request("GET", "/a?q=1"))
    assert info.route is get and dict(info) == {} and allowed == {"GET", "POST"}
    assert await plain.resolve(web.testing.make_mocked_request("PUT", "/a")) == (None, {"GET", "POST"})
    assert await plain.resolve(web.testing.make_mocked_request("GET", "/b")) == (None, set())
    dynamic = router.add_resource("/u/{name}")
    anything = dynamic.add_route("*", handler)
    info, allowed = await dynamic.resolve(web.testing.make_mocked_request("DELETE", "/u/a%2Fb"))
    # The '*' route answers any method; a part is percent-decoded, an encoded slash included.
    assert info.route is anything and dict(info) == {"name": "a/b"} and allowed == {"*"}
    assert await dynamic.resolve(web.testing.make_mocked_request("GET", "/u/a/b")) == (None, set())


async def test_a_sub_application_s_resource_and_route_resolve_the_whole_path():
    sub = Application()
    resource = sub.router.add_resource("/item/{id}")
    route = resource.add_route("GET", handler)
    by_hand = PlainRoute("GET", handler, None, "/plain")
    sub.router.register_route(by_hand)
    app = Application()
    prefixed = app.add_subapp("/api", sub)
    info, allowed = await resource.resolve(web.testing.make_mocked_request("GET", "/api/item/7"))
    assert info.route is route and dict(info) == {"id": "7"} and allowed == {"GET"}
    assert await resource.resolve(web.testing.make_mocked_request("GET", "/item/7")) == (None, set())
    # A route built by hand is its own resource.
    info, allowed = await by_hand.resolve(web.testing.make_mocked_request("GET", "/api/plain"))
    assert info.route is by_hand and allowed == {"GET"}
    assert await by_hand.resolve(web.testing.make_mocked_request("POST", "/api/plain")) == (None, {"GET"})
    # The sub-application's resource answers with the sub-application's match info, its 405's methods too.
    info, allowed = await prefixed.resolve(web.testing.make_mocked_request("GET", "/api/item/8"))
    assert info.route is route and info.apps[-1] is sub and allowed == set()
    info, allowed = await prefixed.resolve(web.testing.make_mocked_request("POST", "/api/item/8"))
    assert info.http_exception.status == 405 and allowed == {"GET"}
    assert await prefixed.resolve(web.testing.make_mocked_request("GET", "/other")) == (None, set())

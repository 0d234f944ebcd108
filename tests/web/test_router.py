"""The router as the aiohttp 0.14 API describes it: UrlDispatcher, routes, url(), FIFO lookup, 404/405, match info."""

from __future__ import annotations

import asyncio
import functools
import re
import types
import warnings

import aiohttp
import pytest

import web
from web.abc import AbstractMatchInfo, AbstractRouter
from web.app import Application
from web.exceptions import HTTPMethodNotAllowed, HTTPNotFound
from web.response import Response
from web.routedef import RouteTableDef, get, post, route
from web.router import MatchInfoError, SystemRoute, UrlDispatcher, UrlMappingMatchInfo
from web.routes import DynamicRoute, PlainRoute, Route, RouteError, routing_path
from web.views import View


async def handler(request):
    return Response(text="ok")


async def other(request):
    return Response(text="other")


# -- the aiohttp 0.14 API's sentences ----------------------------------------------------------------------


def test_url_dispatcher_is_an_abstract_router_and_a_mapping_of_named_routes():
    router = UrlDispatcher()
    assert isinstance(router, AbstractRouter)
    r1 = router.add_route("GET", "/a", handler, name="a")
    router.add_route("GET", "/b", handler)
    assert router["a"] is r1
    assert "a" in router and "b" not in router
    assert len(router) == 1 and list(router) == ["a"]
    with pytest.raises(KeyError):
        router["nope"]


def test_add_route_returns_plain_or_dynamic_route():
    router = UrlDispatcher()
    assert isinstance(router.add_route("GET", "/a/b/c", handler), PlainRoute)
    dyn = router.add_route("GET", "/a/{name}/{id:\\d+}", handler)
    assert isinstance(dyn, DynamicRoute) and isinstance(dyn, Route)
    assert dyn.method == "GET" and dyn.name is None


def test_regular_function_is_converted_to_coroutine():
    router = UrlDispatcher()
    r = router.add_route("GET", "/", lambda request: "value")
    assert asyncio.iscoroutinefunction(r.handler)
    assert asyncio.run(r.handler(None)) == "value"


def test_a_regular_function_warns_as_aiohttp_does_a_view_class_does_not():
    # aiohttp 3 deprecates regular-function handlers with this warning; the aiohttp 0.14 API converts them.
    router = UrlDispatcher()
    with pytest.warns(DeprecationWarning, match="^Bare functions are deprecated, use async ones$"):
        r = router.add_route("GET", "/", lambda request: "value")
    assert asyncio.run(r.handler(None)) == "value"

    class Items(View):
        async def get(self):
            return Response(text="items")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        router.add_route("*", "/items", Items)
        router.add_route("GET", "/async", handler)


def test_aiohttp_014_url_example_plain_route():
    route = UrlDispatcher().add_route("GET", "/a/b/c", handler, name="n")
    assert route.url(query={"d": 1, "e": 2}) == "/a/b/c/?d=1&e=2"
    assert route.url() == "/a/b/c"


def test_aiohttp_014_url_example_dynamic_route():
    route = UrlDispatcher().add_route("GET", "/a/{name1}/{name2}", handler)
    assert route.url(parts={"name1": "b", "name2": "c"}, query={"d": 1, "e": 2}) == "/a/b/c/?d=1&e=2"
    assert route.url(parts={"name1": "b", "name2": "c"}) == "/a/b/c"


def test_aiohttp_014_url_example_static_route(tmp_path):
    route = UrlDispatcher().add_static("/path/to/static", tmp_path, name="static")
    assert route.url(filename="img/logo.png", query={"param": 1}) == "/path/to/static/img/logo.png?param=1"


def test_url_query_as_pairs_and_dynamic_parts_are_quoted():
    route = UrlDispatcher().add_route("GET", "/u/{name}", handler)
    assert route.url(parts={"name": "a b/c?é"}) == "/u/a%20b%2Fc%3F%C3%A9"
    assert route.url(parts={"name": "x"}, query=[("a", 1), ("a", 2)]) == "/u/x/?a=1&a=2"


@pytest.mark.parametrize("path", ["a", "/a/{", "/a/}", "/a/{1x}", "/a/{x:(}", "/{x}/{x}"], ids=repr)
def test_bad_paths_are_refused(path):
    with pytest.raises(RouteError):
        UrlDispatcher().add_route("GET", path, handler)


def test_an_empty_path_is_taken_and_matches_no_request_path():
    # aiohttp 3 takes '' (in a sub-application it is the prefix itself: tests/web/test_extension_support.py).
    router = UrlDispatcher()
    route = router.add_route("GET", "", handler)
    assert route.get_info() == {"path": ""} and route.match("/") is None and route.match("") == {}


@pytest.mark.parametrize("method", ["", "G ET", "GET\r\n", None])
def test_bad_methods_are_refused(method):
    with pytest.raises(RouteError):
        UrlDispatcher().add_route(method, "/", handler)


def test_duplicate_names_are_refused():
    router = UrlDispatcher()
    router.add_route("GET", "/a", handler, name="x")
    with pytest.raises(RouteError):
        router.add_route("GET", "/b", handler, name="x")


# -- lookup ------------------------------------------------------------------------------------------------


def test_fifo_first_match_wins_between_plain_routes():
    router = UrlDispatcher()
    first = router.add_route("GET", "/a", handler)
    router.add_route("GET", "/b", handler)
    router.add_route("GET", "/a", other)
    assert router.match("GET", "/a").route is first


@pytest.mark.parametrize(("held", "added"), [("GET", "GET"), ("GET", "get"), ("*", "POST")])
def test_a_second_route_for_a_method_its_resource_answers_is_refused(held, added):
    # The second route would never be reached (the first for the path and method wins): aiohttp 3 raises, with
    # these words, whether it is added through the resource or to the same resource by router.add_route().
    router = UrlDispatcher()
    resource = router.add_resource("/a")
    resource.add_route(held, handler)
    says = f"^Added route will never be executed, method {re.escape(held)} is already registered$"
    with pytest.raises(RuntimeError, match=says):
        resource.add_route(added, other)
    with pytest.raises(RuntimeError, match="Added route will never be executed"):
        router.add_route(added, "/a", other)
    assert len(resource) == 1 and len(router.routes()) == 1


def test_dynamic_route_added_before_plain_route_wins():
    router = UrlDispatcher()
    dyn = router.add_route("GET", "/users/{name}", handler)
    router.add_route("GET", "/users/me", other)
    info = router.match("GET", "/users/me")
    assert info.route is dyn and info == {"name": "me"}


def test_plain_route_added_before_dynamic_route_wins():
    router = UrlDispatcher()
    plain = router.add_route("GET", "/users/me", other)
    router.add_route("GET", "/users/{name}", handler)
    assert router.match("GET", "/users/me").route is plain
    assert router.match("GET", "/users/bob") == {"name": "bob"}


def test_wrong_method_on_earlier_route_does_not_stop_lookup():
    router = UrlDispatcher()
    router.add_route("POST", "/x/{a}", handler)
    later = router.add_route("GET", "/x/{a}", other)
    assert router.match("GET", "/x/1").route is later


def test_star_method_matches_any_method():
    router = UrlDispatcher()
    star = router.add_route("*", "/any", handler)
    for method in ("GET", "POST", "PROPFIND", "BREW"):
        assert router.match(method, "/any").route is star


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("/a/{id:\\d+}", "/a/42", {"id": "42"}),
        ("/a/{id:\\d+}", "/a/x", None),
        ("/a/{id:\\d{2}}", "/a/42", {"id": "42"}),
        ("/a/{id:\\d{2}}", "/a/423", None),
        ("/a/{tail:.*}", "/a/b/c/d", {"tail": "b/c/d"}),
        ("/{x}.{ext}", "/file.tar", {"x": "file", "ext": "tar"}),
        ("/a/{name}", "/a/b/c", None),
        ("/a/{name}", "/a/", None),
    ],
)
def test_regex_parts(pattern, path, expected):
    router = UrlDispatcher()
    router.add_route("GET", pattern, handler)
    info = router.match("GET", path)
    if expected is None:
        assert isinstance(info, MatchInfoError) and info.route.status == 404
    else:
        assert dict(info) == expected


def test_unicode_and_percent_encoded_paths():
    router = UrlDispatcher()
    router.add_route("GET", "/привет/{name}", handler)
    router.add_route("GET", "/a b", other)
    info = router.match("GET", routing_path("/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82/%C3%A9t%C3%A9"))
    assert info == {"name": "été"}
    assert router.match("GET", routing_path("/a%20b")).route.path == "/a b"
    # An encoded slash stays inside its part instead of splitting the path.
    router.add_route("GET", "/f/{name}", handler)
    assert router.match("GET", routing_path("/f/a%2Fb")) == {"name": "a/b"}
    # %25 is decoded once only.
    assert router.match("GET", routing_path("/f/100%2525")) == {"name": "100%25"}


def test_routing_path_drops_query_and_redecodes_latin1_targets():
    assert routing_path("/a?b=1") == "/a"
    assert routing_path("/é".encode().decode("latin-1")) == "/é"


def test_404_and_405_with_allow():
    router = UrlDispatcher()
    router.add_route("GET", "/a", handler)
    router.add_route("PUT", "/a", handler)
    router.add_route("POST", "/d/{x}", handler)
    miss = router.match("GET", "/nope")
    assert isinstance(miss.route, SystemRoute) and isinstance(miss, AbstractMatchInfo)
    assert isinstance(miss.http_exception, HTTPNotFound)
    with pytest.raises(HTTPNotFound):
        asyncio.run(miss.handler(None))
    wrong = router.match("DELETE", "/a")
    exc = wrong.http_exception
    assert isinstance(exc, HTTPMethodNotAllowed) and exc.headers["Allow"] == "GET,PUT"
    assert router.match("GET", "/d/1").http_exception.headers["Allow"] == "POST"


def test_one_trailing_slash_is_ignored_on_a_miss_only():
    router = UrlDispatcher()
    bare = router.add_route("GET", "/a", handler)
    assert router.match("GET", "/a/").route is bare
    slashed = router.add_route("GET", "/b/", other)
    assert router.match("GET", "/b/").route is slashed
    assert isinstance(router.match("GET", "/b"), MatchInfoError)


def test_index_keeps_order_with_many_routes():
    router = UrlDispatcher()
    for i in range(300):
        router.add_route("GET", f"/api/v{i % 3}/r{i}/{{id}}", handler, name=f"r{i}")
        router.add_route("GET", f"/p/{i}", handler)
    catch_all = router.add_route("GET", "/{a}/{b}/{c}/{d}", other)
    assert router.match("GET", "/api/v1/r7/5").route is router["r7"]
    assert router.match("GET", "/api/v1/r8/5").route is catch_all  # r8 lives under v2
    assert router.match("GET", "/p/77").route.path == "/p/77"


def test_match_info_is_a_dict_with_handler_and_route():
    router = UrlDispatcher()
    r = router.add_route("GET", "/{x}", handler)
    info = router.match("GET", "/1")
    assert isinstance(info, UrlMappingMatchInfo) and isinstance(info, dict)
    assert info.handler is r.handler and info.route is r and info["x"] == "1"


def test_add_get_answers_head_and_route_definitions():
    router = UrlDispatcher()
    router.add_get("/g", handler, name="g")
    assert router.match("HEAD", "/g").route is not None
    router.add_get("/nohead", handler, allow_head=False)
    assert router.match("HEAD", "/nohead").route.status == 405
    routes = RouteTableDef()

    @routes.post("/t")
    async def t(request):
        return Response()

    router.add_routes([get("/x", handler), post("/y", handler), route("PATCH", "/z", handler), *routes])
    for method, path in [("GET", "/x"), ("HEAD", "/x"), ("POST", "/y"), ("PATCH", "/z"), ("POST", "/t")]:
        assert router.match(method, path).route is not None, (method, path)
    assert len(router.routes()) == 8


# -- over a real server ------------------------------------------------------------------------------------


async def test_routes_over_http(make_server):
    app = Application()

    async def show(request):
        return Response(text=f"{request.match_info.route.name}:{dict(request.match_info)}")

    app.router.add_route("GET", "/users/{name}", show, name="user")
    app.router.add_route("GET", "/users/me", show, name="me")
    app.router.add_route("POST", "/only-post", show, name="post")
    app.router.add_route("*", "/star", show, name="star")
    app.router.add_route("GET", "/sync", lambda request: Response(text="sync"))
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/users/me")) as r:
            assert await r.text() == "user:{'name': 'me'}"
        async with s.get(server.url("/users/%C3%A9t%C3%A9")) as r:
            assert await r.text() == "user:{'name': 'été'}"
        async with s.get(server.url("/nope")) as r:
            assert r.status == 404 and await r.text() == "404: Not Found"
        async with s.get(server.url("/only-post")) as r:
            assert r.status == 405 and r.headers["Allow"] == "POST"
        async with s.request("PURGE", server.url("/star")) as r:
            assert r.status == 200
        async with s.get(server.url("/sync")) as r:
            assert await r.text() == "sync"
        url = app.router["user"].url(parts={"name": "x"}, query={"q": 1})
        async with s.get(server.url(url)) as r:
            assert await r.text() == "user:{'name': 'x'}"


# -- handlers refused when added, and the ones that must still be accepted ---------------------------------------


def _place(func) -> str:
    return f"{func.__code__.co_filename}:{func.__code__.co_firstlineno}"


async def _async_gen(request):
    yield Response(text="never")


def _gen(request):
    yield Response(text="never")


async def _no_request():
    return Response(text="never")


def _sync_no_request():
    return Response(text="never")


async def _keyword_only(*, request):
    return Response(text="never")


@pytest.mark.parametrize(("bad", "says"), [(_async_gen, "is an async generator function")])
def test_a_handler_that_cannot_answer_a_request_is_refused_with_route_place_and_fix(bad, says):
    router = UrlDispatcher()
    with pytest.raises(TypeError) as info:
        router.add_route("post", "/items/{id}", bad)
    message = str(info.value)
    assert f"handler {bad.__qualname__} ({_place(bad)}) for POST /items/{{id}} {says}" in message
    assert message.endswith("make it async def handler(request) returning a web.Response")
    assert len(router.routes()) == 0


def test_a_refused_handler_in_a_route_table_is_refused_by_add_routes():
    routes = RouteTableDef()
    routes.get("/gen")(_async_gen)
    with pytest.raises(TypeError, match=r"for GET /gen is an async generator function"):
        UrlDispatcher().add_routes(routes)


async def test_a_bare_generator_handler_warns_and_is_served_as_a_generator_based_coroutine(make_server):
    # aiohttp 3 deprecates it with this warning; the aiohttp 0.14 API converts a regular function to a coroutine,
    # which made a generator function with ``yield from`` inside a generator-based coroutine: it answers.
    def bare(request):
        yield from asyncio.sleep(0)
        return Response(text=f"bare {request.match_info['id']}")

    app = Application()
    with pytest.warns(DeprecationWarning, match=r"^Bare generators are deprecated, use @coroutine wrapper$"):
        app.router.add_route("GET", "/items/{id}", bare)
    with pytest.warns(DeprecationWarning, match=r"^Bare generators are deprecated"):
        UrlDispatcher().add_routes([get("/gen", _gen)])
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/items/7")) as r:
        assert r.status == 200 and await r.text() == "bare 7"


class _CallableView:
    def __init__(self, request):
        self.request = request

    def __await__(self):
        return self._answer().__await__()

    async def _answer(self):
        return Response(text="view")


class _CallableObject:
    async def __call__(self, request):
        return Response(text="object")


async def _with_default(request, greeting="hi"):
    return Response(text=greeting)


@pytest.mark.parametrize(
    ("good", "text"),
    [
        (handler, "ok"),
        (lambda request: Response(text="sync"), "sync"),
        (lambda *args: Response(text="varargs"), "varargs"),
        (_with_default, "hi"),
        (functools.partial(_with_default, greeting="partial"), "partial"),
        (_CallableObject(), "object"),
        (_CallableView, "view"),  # a class-based view: View(request) is awaited
    ],
)
def test_handlers_that_take_a_request_are_accepted(good, text):
    route = UrlDispatcher().add_route("GET", "/", good)
    response = asyncio.run(route.handler(None))
    assert response.text == text


async def _one_pet(request, pet_id: int):
    return Response(text=f"pet {pet_id}")


async def _with_parameters(request):
    return await _one_pet(request, pet_id=int(request.match_info["pet_id"]))


async def test_a_handler_requiring_more_than_the_request_is_accepted_and_fails_only_when_called(make_server):
    # As aiohttp-swagger3 adds it: the documented GET calls it with the parsed parameters, the undocumented HEAD
    # (add_get's allow_head) gets it as is. aiohttp accepts the route, and only a HEAD request fails (500).
    app = Application()
    app.router.add_route("HEAD", "/pets/{pet_id}", _one_pet)
    app.router.add_route("GET", "/pets/{pet_id}", _with_parameters)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/pets/7")) as r:
            assert r.status == 200 and await r.text() == "pet 7"
        async with s.head(server.url("/pets/7")) as r:
            assert r.status == 500


def test_a_generator_based_coroutine_is_accepted():
    # the aiohttp 0.14 era's handlers: a generator made awaitable by (asyncio.coroutine, now) types.coroutine
    @types.coroutine
    def old_style(request):
        yield from asyncio.sleep(0).__await__()
        return Response(text="old style")

    route = UrlDispatcher().add_route("GET", "/", old_style)
    assert asyncio.run(route.handler(None)).text == "old style"


def _passing_the_body(func):
    """A decorator as aiohttp_validate's: it calls what it wraps with more than the request."""

    @functools.wraps(func)
    async def wrapper(*args):
        request = args[-1]
        return await func(*args[:-1], await request.text(), request)

    return wrapper


@_passing_the_body
async def _echo_body(body, request):
    return Response(text=f"{request.method} {body}")


class _Api:
    @_passing_the_body
    async def post(self, body, request):
        return Response(text=f"method {body}")


async def test_a_wrapper_is_judged_by_its_own_signature_not_the_wrapped_functions(make_server):
    # aiohttp calls the wrapper, whatever the function functools.wraps names takes: it is accepted, and answers.
    app = Application()
    app.router.add_post("/function", _echo_body)
    app.router.add_post("/method", _Api().post)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.post(server.url("/function"), data=b"hello") as r:
            assert r.status == 200 and await r.text() == "POST hello"
        async with s.post(server.url("/method"), data=b"hi") as r:
            assert r.status == 200 and await r.text() == "method hi"


@pytest.mark.parametrize("other_signature", [_no_request, _sync_no_request, _keyword_only])
async def test_a_handler_that_does_not_take_the_request_is_added_and_fails_only_when_called(
    make_server, other_signature
):
    # As in aiohttp, whose add_route() takes any callable: a startup hook may still replace the route's handler
    # (aiohttp-deps), and one left as it is fails when called, with the request, as a 500.
    app = Application()
    route = app.router.add_route("GET", "/", other_signature)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/")) as r:
        assert r.status == 500
    assert route.handler is other_signature or route.handler.__wrapped__ is other_signature


def test_a_partial_of_a_generator_based_coroutine_is_accepted():
    @types.coroutine
    def old_style(request, text):
        yield from asyncio.sleep(0).__await__()
        return Response(text=text)

    route = UrlDispatcher().add_route("GET", "/", functools.partial(old_style, text="partial"))
    assert asyncio.run(route.handler(None)).text == "partial"


def test_a_duplicate_name_names_both_routes_static_included(tmp_path):
    router = UrlDispatcher()
    router.add_static("/static", tmp_path, name="files")
    with pytest.raises(RouteError) as info:
        router.add_route("GET", "/files", handler, name="files")
    message = str(info.value)
    # aiohttp's words first ("Duplicate 'name', already handled by"), then both routes with their handlers' places.
    assert message.startswith("Duplicate 'files', already handled by GET /static/ (StaticRoute._handle (")
    assert f"; GET /files (handler ({_place(handler)})) asks for it too: give one of them another name" in message


@pytest.mark.parametrize("name", ["invalid name", "class", "a.if", "", "1st"])
def test_a_route_name_is_python_identifiers_joined_by_dot_colon_or_dash_as_in_aiohttp(name):
    with pytest.raises(RouteError):
        UrlDispatcher().add_get("/", handler, name=name)


def test_a_route_name_may_join_identifiers_with_dot_colon_and_dash():
    router = UrlDispatcher()
    router.add_get("/", handler, name="api.v1:user-list")
    assert "api.v1:user-list" in router


# -- subclasses of the router ------------------------------------------------------------------------------------


class _DelegatingRouter(UrlDispatcher):
    """A router front that adds to an application's router, as aiohttp-swagger3's ``SwaggerDocs`` is: it keeps
    the application in ``_app`` (a slot), set before ``super().__init__()``; aiohttp's router has no ``_app``."""

    __slots__ = ("_app", "prefix")

    def __init__(self, app, prefix):
        self._app = app
        self.prefix = prefix
        super().__init__()

    def add_route(self, method, path, handler, **kwargs):
        return self._app.router.add_route(method, self.prefix + path, handler, **kwargs)


async def test_a_router_subclass_keeps_the_app_it_set_before_the_routers_constructor(make_server):
    app = Application()
    front = _DelegatingRouter(app, "/api")
    assert front._app is app
    front.add_routes([post("/a", handler)])  # web.post() registers through add_post(), and that add_route()
    front.add_delete("/b", other)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.post(server.url("/api/a")) as r:
            assert r.status == 200 and await r.text() == "ok"
        async with s.delete(server.url("/api/b")) as r:
            assert r.status == 200 and await r.text() == "other"


async def test_a_miss_has_aiohttps_system_route_which_a_middleware_can_read(make_client):
    # aiohttp 3: match_info.route of a 404 or 405 is a SystemRoute (status, reason, name None), so a middleware
    # labelling requests by route (route.name, route.resource) runs for misses too; it was None here.
    seen = []

    @web.middleware
    async def label(request, handler):
        route = request.match_info.route
        seen.append((route.name, route.resource, route.status, route.reason, repr(request.match_info)))
        return await handler(request)

    async def handler(request):
        return web.Response(text="ok")

    app = web.Application(middlewares=[label])
    app.router.add_post("/only-post", handler)
    client = await make_client(app)
    assert (await client.get("/nope")).status == 404
    assert (await client.get("/only-post")).status == 405
    assert seen == [
        (None, None, 404, "Not Found", "<MatchInfoError 404: Not Found>"),
        (None, None, 405, "Method Not Allowed", "<MatchInfoError 405: Method Not Allowed>"),
    ]
    route = UrlDispatcher().match("GET", "/").route
    assert repr(route) == "<SystemRoute 404: Not Found>"
    assert isinstance(route.get_info()["http_exception"], HTTPNotFound)
    with pytest.raises(RuntimeError):
        route.url_for()
    created = SystemRoute(web.HTTPCreated(reason="test"))  # aiohttp's constructor: the exception it stands for
    assert (created.status, created.reason, repr(created)) == (201, "test", "<SystemRoute 201: test>")


def test_a_bad_regex_in_a_part_is_refused_with_aiohttp_s_words():
    # "Bad pattern '<the whole regex>': <re's reason>", as code written for aiohttp matches it.
    with pytest.raises(RouteError, match=r"^Bad pattern '/handler/\(\?P<to>\+\+\+\)': nothing to repeat") as info:
        UrlDispatcher().add_route("GET", "/handler/{to:+++}", handler)
    assert isinstance(info.value, ValueError) and info.value.__cause__ is None
    # A part's regex that compiles only inside the whole (its parentheses would reach out) is refused too.
    with pytest.raises(RouteError, match=r"^bad regex 'a\)\(b' for part \{x\}"):
        UrlDispatcher().add_route("GET", "/{x:a)(b}", handler)


@pytest.mark.parametrize("expect", [lambda request: None, object(), functools.partial(print)])
def test_an_expect_handler_that_is_not_a_coroutine_function_is_refused(expect):
    # aiohttp 3 asserts it is one (AssertionError); ours is also a TypeError.
    with pytest.raises(AssertionError, match=r"^Coroutine is expected, got ") as info:
        UrlDispatcher().add_route("POST", "/", handler, expect_handler=expect)
    assert isinstance(info.value, TypeError)


def test_freeze_makes_the_empty_path_of_the_outermost_router_the_root():
    router = UrlDispatcher()
    route = router.add_get("", handler)
    assert route.resource.get_info() == {"path": ""} and router.match("GET", "/").http_exception.status == 404
    router.freeze()
    assert route.resource.get_info() == {"path": "/"} and route.get_info() == {"path": "/"}
    assert router.match("GET", "/").route is route and router.match("HEAD", "/").route.method == "HEAD"

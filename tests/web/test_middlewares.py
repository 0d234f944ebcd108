"""Middlewares over a real server: order, error pages for router misses, normalize_path_middleware."""

from __future__ import annotations

import warnings

import aiohttp
import pytest

from web.app import Application
from web.exceptions import HTTPForbidden, HTTPMethodNotAllowed, HTTPNotFound
from web.middlewares import middleware, normalize_path_middleware
from web.response import Response


async def hello(request):
    return Response(text="hello")


async def test_middlewares_apply_in_order(make_server):
    calls = []

    def tagger(tag):
        @middleware
        async def mw(request, handler):
            calls.append(f"{tag}>")
            response = await handler(request)
            calls.append(f"<{tag}")
            response.headers["X-Chain"] = response.headers.get("X-Chain", "") + tag
            return response

        return mw

    app = Application(middlewares=[tagger("a"), tagger("b")])
    app.router.add_route("GET", "/", hello)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/")) as r:
        assert await r.text() == "hello" and r.headers["X-Chain"] == "ba"
    assert calls == ["a>", "b>", "<b", "<a"]


async def test_middleware_renders_its_own_error_pages(make_server):
    @middleware
    async def error_pages(request, handler):
        try:
            return await handler(request)
        except HTTPNotFound:
            return Response(status=404, text="<h1>custom 404</h1>", content_type="text/html")
        except HTTPMethodNotAllowed as exc:
            return Response(status=405, text=f"use {exc.headers['Allow']}", headers={"Allow": "GET"})

    app = Application(middlewares=[error_pages])
    app.router.add_route("GET", "/", hello)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/missing")) as r:
            assert r.status == 404 and await r.text() == "<h1>custom 404</h1>"
            assert r.headers["Content-Type"].startswith("text/html")
        async with s.post(server.url("/")) as r:
            assert r.status == 405 and await r.text() == "use GET"


async def test_middleware_can_raise_http_exceptions(make_server):
    @middleware
    async def auth(request, handler):
        if request.headers.get("X-Token") != "ok":
            raise HTTPForbidden()
        return await handler(request)

    app = Application(middlewares=[auth])
    app.router.add_route("GET", "/", hello)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/")) as r:
            assert r.status == 403
        async with s.get(server.url("/"), headers={"X-Token": "ok"}) as r:
            assert r.status == 200


@pytest.mark.parametrize(
    ("kwargs", "target", "location"),
    [
        ({}, "/a", "/a/"),
        ({}, "/a?x=1", "/a/?x=1"),
        ({}, "//a", "/a/"),
        ({}, "/b//c", "/b/c"),
        ({"append_slash": False, "remove_slash": True}, "//b//c", "/b/c"),
    ],
)
async def test_normalize_path_middleware_redirects(make_server, kwargs, target, location):
    app = Application(middlewares=[normalize_path_middleware(**kwargs)])
    app.router.add_route("GET", "/a/", hello)
    app.router.add_route("GET", "/b/c", hello)
    server = await make_server(app)
    async with (
        aiohttp.ClientSession() as s,
        s.get(server.url(target), allow_redirects=False) as r,
    ):
        assert r.status == 308 and r.headers["Location"] == location


async def test_normalize_path_middleware_leaves_real_misses_alone(make_server):
    app = Application(middlewares=[normalize_path_middleware()])
    app.router.add_route("GET", "/a/", hello)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/zzz")) as r:
        assert r.status == 404


def test_middleware_decorator_marks_new_style():
    @middleware
    async def mw(request, handler):
        return await handler(request)

    assert mw.__middleware_version__ == 1


def test_normalize_path_refuses_both_slash_rules_as_aiohttp_does():
    # aiohttp raises AssertionError (its test_cannot_remove_and_add_slash); raised, so `python -O` keeps it.
    with pytest.raises(AssertionError, match="append_slash and remove_slash"):
        normalize_path_middleware(append_slash=True, remove_slash=True)


async def test_middleware_factory_warns_as_aiohttp_does_and_still_runs(make_server):
    # The aiohttp 0.14 API's middleware factory, ``factory(app, handler) -> handler``: aiohttp 3 deprecates it with
    # this warning when the application freezes (a sub-application's too); it keeps working.
    async def factory(app, handler):
        async def mw(request):
            response = await handler(request)
            response.headers["X-Factory"] = app["name"]
            return response

        return mw

    sub = Application(middlewares=[factory])
    sub["name"] = "sub"
    sub.router.add_route("GET", "/x", hello)
    app = Application(middlewares=[factory])
    app["name"] = "root"
    app.add_subapp("/sub", sub)
    with pytest.warns(DeprecationWarning) as record:
        server = await make_server(app)
    messages = [str(w.message) for w in record if "old-style" in str(w.message)]
    assert messages == [f'old-style middleware "{factory!r}" deprecated, see #2252'] * 2
    async with aiohttp.ClientSession() as s, s.get(server.url("/sub/x")) as r:
        assert await r.text() == "hello" and r.headers["X-Factory"] == "root"


def test_make_handler_warns_about_a_middleware_factory_once():
    # The aiohttp 0.14 API serves with loop.create_server(app.make_handler()), without startup().
    async def factory(app, handler):
        return handler

    app = Application(middlewares=[factory])
    with pytest.warns(DeprecationWarning, match=r'^old-style middleware ".*factory.*" deprecated, see #2252$'):
        app.make_handler()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.make_handler()
        app.freeze()

"""The request handler's shortcuts answer exactly what its general path answers.

``RequestHandlerFactory._handle`` reads the router's own match info through its slots rather than its ``handler``
and ``apps`` properties, and skips ``request._prepare_hook`` (a coroutine) when no application on the request's
path has ``on_response_prepare`` callbacks. Each test forces the general path (by patching the shortcut's test
away) and compares the bytes on the wire, and which callbacks ran, with the shortcut's.

It also routes and calls the handler inline, without ``Application._handle`` and ``UrlDispatcher.resolve``, until a
library wraps either (as Sentry's aiohttp integration does): the path through them answers what the inline one does.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from inproc import feed_reads

import web
import web.handler
from server.detached import RecordingTransport


async def _wire(app: web.Application, data: bytes) -> tuple[bytes, bool]:
    """The bytes answered to ``data`` (Date masked), and whether the connection was closed."""
    # three loop turns: the handler's task runs on the loop (it starts eagerly only on Python 3.12+)
    return await feed_reads(app.make_handler()(), [data], turns=3, settle=0)


PATHS = ("/", "/sub", "/sub/", "/sub/early", "/sub/late", "/mw", "/sub/mw", "/x", "/nope", "/sub/nope")


def _app(hooks: str, log: list[str], sub_routes: Any = None) -> web.Application:
    """The root serves its routes and a sub-application under /sub with a middleware; ``hooks`` adds
    ``on_response_prepare`` callbacks ("root", "sub") and root middlewares ("mw", "old": an aiohttp 0.14 factory).
    ``sub_routes(sub)`` adds routes of the test's own to the sub-application before add_subapp(), which freezes its
    router as in aiohttp 3."""

    async def ok(request: web.Request) -> web.Response:
        log.append(f"handler {request.app['name']}")
        return web.Response(text=f"{request.method} {request.path} {request.match_info.get('tail', '')}")

    def hook(name: str):
        async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
            log.append(f"prepare {name}")
            response.headers[f"X-{name}"] = "1"

        return on_prepare

    @web.middleware
    async def mw(request: web.Request, handler):
        log.append(f"mw {request.app['name']}")
        response = await handler(request)
        response.headers["X-Mw"] = request.app["name"]
        return response

    async def old(app: web.Application, handler):
        async def middleware(request: web.Request) -> web.StreamResponse:
            log.append("old")
            return await handler(request)

        return middleware

    app = web.Application(middlewares=[mw] * ("mw" in hooks.split("+")) + [old] * ("old" in hooks.split("+")))
    app["name"] = "root"
    app.router.add_route("GET", "/", ok)
    app.router.add_route("GET", "/sub/early", ok)
    sub = web.Application(middlewares=[mw])
    sub["name"] = "sub"
    sub.router.add_route("GET", "/early", ok)
    sub.router.add_route("GET", "/late", ok)
    sub.router.add_route("GET", "/", ok)
    sub.router.add_route("GET", "/mw", ok)
    if sub_routes is not None:
        sub_routes(sub)
    if "sub" in hooks:
        # Before add_subapp, which freezes the sub-application's signals as in aiohttp 3.
        sub.on_response_prepare.append(hook("sub"))
    app.add_subapp("/sub", sub)
    app.router.add_route("GET", "/mw", ok)
    app.router.add_route("POST", "/x", ok)
    app.router.add_route("GET", "/{tail:.*}", ok)
    if "root" in hooks:
        app.on_response_prepare.append(hook("root"))
    return app


async def _answer(hooks: str, method: str, path: str, *, hook_always: bool = False) -> tuple[bytes, bool, list[str]]:
    log: list[str] = []
    app = _app(hooks, log)
    if hook_always:
        # A callback that changes nothing: every response then goes through request._prepare_hook.
        app.on_response_prepare.append(_no_change)
    wire, closed = await _wire(app, f"{method} {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    return wire, closed, log


async def _no_change(request: web.Request, response: web.StreamResponse) -> None:
    pass


@pytest.mark.parametrize("hooks", ["", "root", "sub", "root+sub"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", PATHS)
async def test_skipped_prepare_hook_answers_as_the_hook(hooks, method, path) -> None:
    assert await _answer(hooks, method, path, hook_always=True) == await _answer(hooks, method, path)


async def test_an_expect_handlers_answer_gets_the_prepare_hooks_of_the_routes_applications() -> None:
    # The expect handler answers before the request handler reads the route's applications.
    log: list[str] = []

    async def answer_early(request: web.Request) -> web.Response:
        raise web.HTTPForbidden(text="no")

    async def upload(request: web.Request) -> web.Response:
        return web.Response(text=await request.text())

    app = _app("sub", log, lambda sub: sub.router.add_route("POST", "/upload", upload, expect_handler=answer_early))
    head = b"POST /sub/upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    wire, _ = await _wire(app, head)
    assert wire.startswith(b"HTTP/1.1 403 ") and b"X-sub: 1" in wire and log == ["prepare sub"]


@pytest.mark.parametrize("hooks", ["", "root+sub"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", PATHS)
async def test_match_info_read_through_its_slots_answers_as_its_properties(monkeypatch, hooks, method, path) -> None:
    fast = await _answer(hooks, method, path)

    class Never:
        pass

    monkeypatch.setattr(web.handler, "UrlMappingMatchInfo", Never)
    assert await _answer(hooks, method, path) == fast


@pytest.mark.parametrize("wrapped", ["Application._handle", "UrlDispatcher.resolve", "both"])
@pytest.mark.parametrize("hooks", ["", "root+sub", "mw", "old+sub"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", PATHS)
async def test_the_path_through_a_wrapped_handle_or_resolve_answers_as_the_inline_path(
    monkeypatch, wrapped, hooks, method, path
) -> None:
    inline = await _answer(hooks, method, path)
    calls = _wrap(monkeypatch, wrapped)
    assert await _answer(hooks, method, path) == inline
    assert calls == [1] * (2 if wrapped == "both" else 1)  # each wrapper, once for the request


def _wrap(monkeypatch: pytest.MonkeyPatch, wrapped: str) -> list[int]:
    """Wrap web's methods as Sentry's aiohttp integration does (``old(self, request)`` awaited inside); the list
    returned counts their calls, one entry per method wrapped."""
    calls: list[int] = []
    for cls, name in ((web.Application, "_handle"), (web.UrlDispatcher, "resolve")):
        if wrapped not in (f"{cls.__name__}.{name}", "both"):
            continue
        calls.append(0)
        index = len(calls) - 1

        def wrapper(original, index=index):
            async def call(self, request):
                calls[index] += 1
                return await original(self, request)

            return call

        monkeypatch.setattr(cls, name, wrapper(getattr(cls, name)))
    return calls


async def test_an_expect_handlers_answer_through_a_wrapped_handle_is_the_inline_paths(monkeypatch) -> None:
    async def answer() -> tuple[bytes, list[str]]:
        log: list[str] = []

        async def answer_early(request: web.Request) -> web.Response | None:
            if request.headers.get("X-Refuse"):
                raise web.HTTPForbidden(text="no")
            return None if request.headers.get("X-Continue") else web.Response(status=417, text="not that")

        async def upload(request: web.Request) -> web.Response:
            return web.Response(text=await request.text())

        app = _app("sub", log, lambda sub: sub.router.add_route("POST", "/upload", upload, expect_handler=answer_early))
        wire = b""
        for extra in (b"X-Refuse: 1\r\n", b"", b"X-Continue: 1\r\n"):
            head = b"POST /sub/upload HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
            wire += (await _wire(app, head + extra + b"\r\nhello"))[0]
        return wire, log

    inline = await answer()
    assert re.findall(rb"HTTP/1.1 (\d+)", inline[0]) == [b"403", b"417", b"200"]
    _wrap(monkeypatch, "both")
    assert await answer() == inline


async def test_prepare_hooks_run_for_the_applications_the_request_went_through() -> None:
    # What the shortcut must not skip: the root's callbacks for every route, a sub-application's for its own.
    assert (await _answer("root+sub", "GET", "/"))[2] == ["handler root", "prepare root"]
    assert (await _answer("root+sub", "GET", "/sub/late"))[2] == [
        "mw sub",
        "handler sub",
        "prepare root",
        "prepare sub",
    ]
    assert (await _answer("sub", "GET", "/mw"))[2] == ["handler root"]
    assert (await _answer("sub", "GET", "/sub/mw"))[2] == ["mw sub", "handler sub", "prepare sub"]


async def test_the_handlers_request_is_the_one_request_init_builds() -> None:
    # The request handler stores Request.__init__'s attributes itself: every slot holds what __init__ stores.
    seen: list[web.Request] = []

    async def capture(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response()

    app = web.Application()
    app.router.add_route("GET", "/", capture)
    handler = app.make_handler(forwarded_allow_ips="127.0.0.1")
    protocol = handler()
    protocol.connection_made(RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)}))
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    for _ in range(3):
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    (request,) = seen
    built = web.Request(request._exchange, app, request._match_info, handler.trusted, request._task)
    assert request._task is not None and request._match_info is not None
    for slot in web.Request.__slots__:
        assert getattr(request, slot) == getattr(built, slot), slot

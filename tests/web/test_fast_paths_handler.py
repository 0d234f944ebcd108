"""The request handler's shortcuts answer exactly what its general path answers.

``RequestHandlerFactory._handle`` reads the router's own match info through its slots rather than its ``handler``
and ``apps`` properties, and skips ``request._prepare_hook`` (a coroutine) when no application on the request's
path has ``on_response_prepare`` callbacks. Each test forces the general path (by patching the shortcut's test
away) and compares the bytes on the wire, and which callbacks ran, with the shortcut's.
"""

from __future__ import annotations

import asyncio
import re

import pytest

import web
import web.handler
from server.detached import RecordingTransport


async def _wire(app: web.Application, data: bytes) -> tuple[bytes, bool]:
    """The bytes answered to ``data`` (Date masked), and whether the connection was closed."""
    protocol = app.make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    protocol.data_received(data)
    for _ in range(3):  # the handler's task runs on the loop (it starts eagerly only on Python 3.12+)
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written)), transport.is_closing()


PATHS = ("/", "/sub", "/sub/", "/sub/early", "/sub/late", "/mw", "/sub/mw", "/x", "/nope", "/sub/nope")


def _app(hooks: str, log: list[str]) -> web.Application:
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

    app = web.Application()
    app["name"] = "root"
    app.router.add_route("GET", "/", ok)
    app.router.add_route("GET", "/sub/early", ok)
    sub = web.Application(middlewares=[mw])
    sub["name"] = "sub"
    sub.router.add_route("GET", "/early", ok)
    sub.router.add_route("GET", "/late", ok)
    sub.router.add_route("GET", "/", ok)
    sub.router.add_route("GET", "/mw", ok)
    app.add_subapp("/sub", sub)
    app.router.add_route("GET", "/mw", ok)
    app.router.add_route("POST", "/x", ok)
    app.router.add_route("GET", "/{tail:.*}", ok)
    if "root" in hooks:
        app.on_response_prepare.append(hook("root"))
    if "sub" in hooks:
        sub.on_response_prepare.append(hook("sub"))
    return app


async def _answer(hooks: str, method: str, path: str) -> tuple[bytes, bool, list[str]]:
    log: list[str] = []
    wire, closed = await _wire(_app(hooks, log), f"{method} {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    return wire, closed, log


@pytest.mark.parametrize("hooks", ["", "root", "sub", "root+sub"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", PATHS)
async def test_skipped_prepare_hook_answers_as_the_hook(monkeypatch, hooks, method, path) -> None:
    fast = await _answer(hooks, method, path)
    monkeypatch.setattr(web.handler, "_prepare_hooked", lambda request: True)
    assert await _answer(hooks, method, path) == fast


@pytest.mark.parametrize("hooks", ["", "root+sub"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", PATHS)
async def test_match_info_read_through_its_slots_answers_as_its_properties(monkeypatch, hooks, method, path) -> None:
    fast = await _answer(hooks, method, path)

    class Never:
        pass

    monkeypatch.setattr(web.handler, "UrlMappingMatchInfo", Never)
    assert await _answer(hooks, method, path) == fast


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

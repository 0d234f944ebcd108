"""A cached sub-application chain sets request.app only where a middleware could see another value, and a prefixed
sub-application resolves a plain path through its router's direct table; the parent computes its 404/405 only
when no sub-application claims the path. Each case is answered with the shortcuts and with the general paths
(the chain built per request by _apply_nested, a UrlDispatcher subclass that the direct tables skip), and the
bytes on the wire must be the same."""

from __future__ import annotations

import asyncio
import functools
import itertools
import re
from typing import Any

import pytest

import web
import web.handler
from server.detached import RecordingTransport
from web.router import UrlDispatcher


class _General(UrlDispatcher):
    """A subclass: the sub-application's direct-table shortcut checks for UrlDispatcher itself."""


def _recorder(tag: str):
    @web.middleware
    async def middleware(request, handler):
        before = request.app["name"]
        response = await handler(request)
        response.text = f"{tag}({before},{request.app['name']})" + response.text
        return response

    return middleware


async def _handler(request: web.Request) -> web.Response:
    return web.Response(text=f"h:{request.app['name']}:{dict(request.match_info)}:{len(request.match_info.apps)}")


def _build(layout: str, general: bool) -> web.Application:
    """``layout``: per level (root, sub, subsub), 'm' when it has a middleware, '-' when not."""
    import warnings

    apps = []
    for level, flag in enumerate(layout):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            router = _General() if general and level else None
            app = web.Application(middlewares=[_recorder(f"m{level}")] if flag == "m" else [], router=router)
        app["name"] = f"a{level}"
        app.router.add_route("GET", "/x", _handler)
        app.router.add_route("GET", "/p/{id}", _handler)
        app.router.add_route("POST", "/only-post", _handler)
        apps.append(app)
    for parent, child in reversed(list(itertools.pairwise(apps))):  # innermost first: a parent freezes
        parent.add_subapp("/s", child)
    return apps[0]


FROZEN = re.escape("Cannot modify frozen list.")  # aiohttp's FrozenList message
PATHS = ["/x", "/s/x", "/s/s/x", "/s/p/7", "/s/s/p/8", "/s/only-post", "/s/missing", "/s/x/", "/s", "/nothing"]


async def _answers(app: web.Application) -> list[bytes]:
    protocol = app.make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    answers = []
    for path in PATHS * 2:  # twice: the second time from the chain cache
        transport.written.clear()
        protocol.data_received(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        for _ in range(5):
            await asyncio.sleep(0)
        head, _, body = bytes(transport.written).partition(b"\r\n\r\n")
        answers.append(b"\n".join(line for line in head.split(b"\r\n") if not line.startswith(b"Date:")) + body)
    protocol.connection_lost(None)
    return answers


@pytest.mark.parametrize("layout", ["--", "-m", "m-", "mm", "---", "--m", "-m-", "m--", "m-m", "-mm", "mmm"])
async def test_the_shortcuts_answer_as_the_general_paths(monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    web.handler._CHAINS.clear()
    fast = await _answers(_build(layout, general=False))
    web.handler._CHAINS.clear()
    monkeypatch.setattr(web.handler, "_build_chain", lambda handler, apps, nested: (None, None, None))
    general = await _answers(_build(layout, general=True))
    assert fast == general
    assert any(b"h:a" in answer for answer in fast)


async def test_the_middlewares_see_their_own_application() -> None:
    web.handler._CHAINS.clear()
    answers = await _answers(_build("m-m", general=False))
    assert answers[2].endswith(b"m0(a0,a0)m2(a2,a2)h:a2:{}:3")


@pytest.mark.parametrize("level", [0, 1, 2])
async def test_the_cached_chain_follows_a_changed_middleware_list(level: int) -> None:
    # A middleware added to an application that is not frozen (the root, served by make_handler() without
    # startup(), as the aiohttp 0.14 API serves it) runs from the next request on, as a per-request build runs it:
    # the change empties the chain cache. A sub-application's middlewares are frozen by add_subapp, as in aiohttp 3.
    web.handler._CHAINS.clear()
    root = _build("m-m", general=False)
    sub = root._subapps[0]
    apps = [root, sub, sub._subapps[0]]
    protocol = root.make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)

    async def get() -> bytes:
        transport.written.clear()
        protocol.data_received(b"GET /s/s/x HTTP/1.1\r\nHost: t\r\n\r\n")
        for _ in range(5):
            await asyncio.sleep(0)
        return bytes(transport.written).partition(b"\r\n\r\n")[2]

    assert await get() == await get() == b"m0(a0,a0)m2(a2,a2)h:a2:{}:3"
    if level:
        with pytest.raises(RuntimeError, match=FROZEN):
            apps[level].middlewares.append(_recorder("late"))
        assert await get() == b"m0(a0,a0)m2(a2,a2)h:a2:{}:3"
    else:
        apps[level].middlewares.append(_recorder("late"))
        assert await get() == b"m0(a0,a0)late(a0,a0)m2(a2,a2)h:a2:{}:3"
    protocol.connection_lost(None)


async def test_a_started_application_is_frozen_as_aiohttps() -> None:
    # aiohttp 3's AppRunner: on_startup is frozen while it runs, a startup callback may still add middlewares and
    # the other signals' callbacks, and after startup every one of those lists refuses changes.
    calls: list[str] = []

    async def on_startup(app: web.Application) -> None:
        with pytest.raises(RuntimeError, match=FROZEN):
            app.on_startup.append(on_startup)
        app.middlewares.append(_recorder("late"))
        app.on_cleanup.append(on_cleanup)
        app.on_response_prepare.append(on_prepare)

    async def on_cleanup(app: web.Application) -> None:
        calls.append("cleanup")

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        calls.append("prepare")

    web.handler._CHAINS.clear()
    app = _build("m", general=False)
    app.on_startup.append(on_startup)
    assert not app.middlewares.frozen
    await app.startup()
    assert app.frozen and app.pre_frozen
    for signal in (app.middlewares, app.on_startup, app.on_shutdown, app.on_cleanup, app.on_response_prepare):
        assert signal.frozen
        for change in (signal.append, signal.clear, signal.pop, signal.reverse):
            with pytest.raises(RuntimeError, match=FROZEN):
                change(on_cleanup) if change is signal.append else change()
    with pytest.raises(RuntimeError, match=FROZEN):
        app.cleanup_ctx.append(on_cleanup)
    with pytest.raises(RuntimeError, match=FROZEN):
        app.middlewares[0:0] = [_recorder("x")]
    assert (await _answers(app))[0].endswith(b"m0(a0,a0)late(a0,a0)h:a0:{}:1")
    assert calls == ["prepare"] * len(PATHS) * 2
    await app.cleanup()
    assert calls[-1] == "cleanup"


def test_add_subapp_freezes_the_sub_applications_lists_as_aiohttps() -> None:
    # aiohttp 3's add_subapp pre-freezes the sub-application: its middlewares and signals are final from there on.
    root, sub = web.Application(), web.Application()
    sub.on_response_prepare.append(_handler)
    root.add_subapp("/s", sub)
    assert sub.pre_frozen and not root.pre_frozen and not root.middlewares.frozen
    for signal in (sub.middlewares, sub.on_startup, sub.on_shutdown, sub.on_cleanup, sub.on_response_prepare):
        with pytest.raises(RuntimeError, match=FROZEN):
            signal.append(_handler)
    assert list(sub.on_response_prepare) == [_handler]
    root.middlewares.append(_recorder("root"))  # the parent is not frozen yet


def _unwrapping(seen: list[Any]):
    # What libraries do with the handler a middleware gets: aiohttp 3 passes partial(next_middleware, handler=...),
    # and they walk partial.keywords["handler"] down to the route's handler.
    @web.middleware
    async def middleware(request, *, handler):  # keyword-only, as partial(middleware, handler=...) calls it
        chain = []
        inner = handler
        while isinstance(inner, functools.partial):
            if inner.func is not web.handler._as_current_app:  # (the cached chain keeps only the ones it needs)
                chain.append((inner.func.__qualname__, inner.args, sorted(inner.keywords)))
            inner = inner.keywords.get("handler", inner.args[-1] if inner.args else None)
        seen.append((chain, inner.__qualname__, handler.__wrapped__.__qualname__))
        return await handler(request)

    return middleware


@pytest.mark.parametrize("layout", ["m", "mm", "-m", "m-", "m-m", "-mm"])
async def test_the_outermost_middleware_is_called_as_its_partial_calls_it(
    monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    # The cached chain calls its outermost middleware itself, middleware(request, handler=inner), not through the
    # partial aiohttp wraps it in: every middleware gets the same handler, a partial of the same shape, either way.
    def build(seen: list[Any]) -> web.Application:
        root = _build(layout, general=False)
        apps = [root]
        while apps[-1]._subapps:
            apps.append(apps[-1]._subapps[0])
        for app in apps:
            if app._middlewares:
                app._middlewares = type(app._middlewares)([_unwrapping(seen), *app._middlewares])
        return root

    web.handler._CHAINS.clear()
    fast: list[Any] = []
    fast_answers = await _answers(build(fast))
    web.handler._CHAINS.clear()
    monkeypatch.setattr(web.handler, "_build_chain", lambda handler, apps, nested: (None, None, None))
    general: list[Any] = []
    assert await _answers(build(general)) == fast_answers
    assert fast == general
    assert fast and fast[0][1] == "_handler"

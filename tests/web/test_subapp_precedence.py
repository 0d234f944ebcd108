"""Which answers a path, a route of the application or a sub-application under a prefix that claims it, held to
aiohttp 3's answers: each layout below is built once with ``web`` and once with ``aiohttp.web``, both served on
127.0.0.1, and every path gets the same status and body from both.

aiohttp asks a path's prefixes longest first, and at each the resources indexed there in the order they were added;
a sub-application's answer, its 404 or 405 included, is final. So a catch-all route of the parent (a single-page
app's ``/{path:.*}``) never takes a path under ``/api`` from ``add_subapp('/api', ...)``, whichever was added first,
and a parent route ``/api/{x}`` added after the sub-application is not reached; one added before it is, as is a
parent route with more literal segments (``/api/special``). Among the parent's own routes the first added still wins
(the aiohttp 0.14 rule), which no layout here puts in question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web as aioweb

import web


def _text(kit: Any, body: str) -> Callable[[Any], Any]:
    async def handler(request: Any) -> Any:
        return kit.Response(text=body)

    return handler


def spa_first(kit: Any) -> Any:
    api = kit.Application()
    api.router.add_get("/users", _text(kit, "api users"))
    app = kit.Application()
    app.router.add_get("/", _text(kit, "index"))
    app.router.add_get("/{path:.*}", _text(kit, "spa"))
    app.add_subapp("/api", api)
    return app


def spa_last(kit: Any) -> Any:
    api = kit.Application()
    api.router.add_get("/users", _text(kit, "api users"))
    api.router.add_post("/form", _text(kit, "api form"))
    app = kit.Application()
    app.add_subapp("/api", api)
    app.router.add_get("/{path:.*}", _text(kit, "spa"))
    return app


def same_prefix(kit: Any) -> Any:
    # /api/{x} before add_subapp('/api') is asked first; /v/{x} after add_subapp('/v') is never reached.
    api = kit.Application()
    api.router.add_get("/users", _text(kit, "api users"))
    v = kit.Application()
    v.router.add_get("/users", _text(kit, "v users"))
    app = kit.Application()
    app.router.add_get("/api/{x}", _text(kit, "parent api x"))
    app.add_subapp("/api", api)
    app.add_subapp("/v", v)
    app.router.add_get("/v/{x}", _text(kit, "parent v x"))
    app.router.add_get("/v/more/special", _text(kit, "parent v more special"))
    return app


def nested_prefixes(kit: Any) -> Any:
    # The longest prefix answers, whichever was added first; a root tail route added first does not take /s.
    short = kit.Application()
    short.router.add_get("/a", _text(kit, "short a"))
    short.router.add_get("/s/b", _text(kit, "short s b"))
    long = kit.Application()
    long.router.add_get("/b", _text(kit, "long b"))
    app = kit.Application()
    app.router.add_get("/{name}", _text(kit, "parent name"))
    app.add_subapp("/s", short)
    app.add_subapp("/s/s", long)
    return app


LAYOUTS = {
    "spa_first": (
        spa_first,
        ["/", "/home", "/api", "/api/", "/api/users", "/api/nope", "/apix/users", "/x/api/users"],
    ),
    "spa_last": (spa_last, ["/", "/home", "/api/users", "/api/nope", "/api/form", "/api", "/apiary"]),
    "same_prefix": (
        same_prefix,
        ["/api/users", "/api/other", "/v/users", "/v/other", "/v/more/special", "/v/more/other"],
    ),
    "nested_prefixes": (nested_prefixes, ["/s/a", "/s/s/b", "/s/s", "/s/b", "/s", "/t", "/s/s/c"]),
}


async def _aiohttp_port(app: Any) -> tuple[Any, int]:
    runner = aioweb.AppRunner(app, access_log=None)
    await runner.setup()
    site = aioweb.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def _answers(session: aiohttp.ClientSession, base: str, paths: list[str]) -> list[tuple[str, int, str]]:
    answers = []
    for path in paths:
        async with session.get(base + path) as response:
            body = await response.text()
            # A 404/405's body is each server's own page: the status says which answer it was.
            answers.append((path, response.status, body if response.status == 200 else ""))
    return answers


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
async def test_a_path_gets_the_answer_aiohttp_gives(layout: str, make_server: Any) -> None:
    build, paths = LAYOUTS[layout]
    server = await make_server(build(web))
    runner, port = await _aiohttp_port(build(aioweb))
    try:
        async with aiohttp.ClientSession() as session:
            ours = await _answers(session, server.url("").rstrip("/"), paths)
            theirs = await _answers(session, f"http://127.0.0.1:{port}", paths)
    finally:
        await runner.cleanup()
    assert ours == theirs


async def test_a_spa_catch_all_added_first_leaves_the_api_to_its_sub_application(make_server: Any) -> None:
    # The case that brought the rule in: before, the catch-all served /api/users (first added wins), the JSON API
    # answered with the single-page app's index.
    server = await make_server(spa_first(web))
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url("/api/users")) as response:
            assert (response.status, await response.text()) == (200, "api users")
        async with session.get(server.url("/api/nope")) as response:
            assert response.status == 404
        async with session.get(server.url("/apix/users")) as response:
            assert (response.status, await response.text()) == (200, "spa")

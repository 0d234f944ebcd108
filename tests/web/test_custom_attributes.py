"""A request, a route and a resource take attributes of the application's own, as aiohttp's do: a middleware that
says ``request.user = user`` (the pattern of many aiohttp applications written before ``request["user"]``) was
answered 500 (``AttributeError``: ``Request`` had ``__slots__`` only). aiohttp warns about it in its debug mode
only (``AIOHTTP_DEBUG``); so does nothing here. And a response has aiohttp 3's ``task``."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import aiohttp
import pytest

import web
from web.testing import make_mocked_request


async def test_a_middlewares_attribute_reaches_the_handler(make_server: Any) -> None:
    @web.middleware
    async def login(request: web.Request, handler: Any) -> web.StreamResponse:
        request.user = request.headers.get("X-User", "anonymous")
        return await handler(request)

    async def whoami(request: web.Request) -> web.Response:
        return web.Response(text=request.user)

    app = web.Application(middlewares=[login])
    app.router.add_get("/", whoami)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url("/"), headers={"X-User": "alice"}) as response:
            assert (response.status, await response.text()) == (200, "alice")
        async with session.get(server.url("/")) as response:
            assert (response.status, await response.text()) == (200, "anonymous")


def test_an_instance_attribute_shadows_a_method_and_no_warning() -> None:
    request = make_mocked_request("GET", "/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        async def replaced() -> dict[str, int]:
            return {"a": 1}

        request.json = replaced  # aiohttp-apiset's test_json does this
    assert request.json is replaced
    with pytest.raises(AttributeError):
        request.missing  # noqa: B018


def test_routes_and_resources_take_attributes() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    route = app.router.add_get("/a/{x}", handler)
    route.doc = "the a route"
    route.resource.tag = "a"
    static = app.router.add_static("/static", ".")
    static.cache = True
    assert (route.doc, route.resource.tag, static.cache) == ("the a route", "a", True)


async def test_a_prepared_responses_task_is_its_handlers(make_server: Any) -> None:
    # aiohttp 3's StreamResponse.task: None before prepare(), then the request's task (the handler's own).
    seen: dict[str, Any] = {}

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        seen["before"] = response.task
        await response.prepare(request)
        seen["after"] = response.task is request.task is asyncio.current_task()
        await response.write(b"ok")
        return response

    app = web.Application()
    app.router.add_get("/", stream)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session, session.get(server.url("/")) as response:
        assert await response.read() == b"ok"
    assert seen == {"before": None, "after": True}

"""An application written against ``web`` with the library's middleware, tested with prefork's aiohttp_client."""

import aiohttp.web
from guard import guard

import web


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def make_app() -> web.Application:
    app = web.Application(middlewares=[guard])
    app.router.add_get("/", hello)
    return app


def test_aiohttp_web_is_web() -> None:
    assert aiohttp.web.Application is web.Application


async def test_the_librarys_answer_is_served(aiohttp_client) -> None:
    client = await aiohttp_client(make_app())
    response = await client.get("/")
    assert response.status == 403
    assert await response.text() == "no token"


async def test_the_handlers_response_passes_the_librarys_check(aiohttp_client) -> None:
    client = await aiohttp_client(make_app())
    response = await client.get("/", headers={"X-Token": "secret"})
    assert response.status == 200
    assert response.headers["X-Guarded"] == "yes"
    assert await response.text() == "hello"

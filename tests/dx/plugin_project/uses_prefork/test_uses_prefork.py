"""A strict-mode project using prefork's fixtures: marked tests, pytest-asyncio's loop, real sockets."""

import pytest

import web


def hello_app():
    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_route("GET", "/", hello)
    return app


@pytest.mark.asyncio
async def test_make_client(make_client):
    client = await make_client(hello_app)
    resp = await client.get("/")
    assert (resp.status, await resp.text()) == (200, "hello")


@pytest.mark.asyncio
async def test_make_server(make_server, unused_port):
    import aiohttp

    server = await make_server(hello_app(), port=unused_port())
    async with aiohttp.ClientSession() as session, session.get(server.url("/")) as resp:
        assert await resp.text() == "hello"


@pytest.mark.asyncio
async def test_aiohttp_client(aiohttp_client):
    client = await aiohttp_client(hello_app())
    resp = await client.get("/")
    assert await resp.text() == "hello"


def test_unused_port(unused_port):
    assert 0 < unused_port() < 65536

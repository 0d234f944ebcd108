"""A test module as an aiohttp project writes it for pytest-aiohttp, run against prefork's ``web``.

Only the two imports marked below differ from the aiohttp original: tests/dx/test_plugin_project.py swaps them
back (``from aiohttp import web``, ``from aiohttp.test_utils import TestClient``) and runs this very file under
pytest-aiohttp, to show both give the same results. Keep it in pytest-aiohttp's style: its fixtures only,
aiohttp's API only.
"""

import pytest

import web  # aiohttp: from aiohttp import web
from web.testing import TestClient  # aiohttp: from aiohttp.test_utils import TestClient


async def hello(request):
    return web.Response(body=b"Hello, world")


async def create_app():
    app = web.Application()
    app.router.add_route("GET", "/", hello)
    return app


def create_stateful_app(values):
    async def previous(request):
        if request.method == "POST":
            values["value"] = (await request.post())["value"]
            return web.Response(body=b"thanks for the data")
        return web.Response(body="value: {}".format(values.get("value", "unknown")).encode())

    app = web.Application()
    app.router.add_route("*", "/", previous)
    return app


@pytest.fixture
def values():
    return {}


@pytest.fixture
async def cli(aiohttp_client, values):
    return await aiohttp_client(create_stateful_app(values))


async def test_hello(aiohttp_client):
    client = await aiohttp_client(await create_app())
    resp = await client.get("/")
    assert resp.status == 200
    assert "Hello, world" in await resp.text()


async def test_set_value(cli, values):
    resp = await cli.post("/", data={"value": "foo"})
    assert resp.status == 200
    assert await resp.text() == "thanks for the data"
    assert values["value"] == "foo"
    assert cli.app is cli.server.app


async def test_get_value(cli, values):
    resp = await cli.get("/")
    assert await resp.text() == "value: unknown"
    values["value"] = "bar"
    resp = await cli.get("/")
    assert resp.status == 200
    assert await resp.text() == "value: bar"


async def test_json_and_query(aiohttp_client):
    async def echo(request):
        return web.json_response({"q": request.query.get("q"), "body": await request.json()})

    app = web.Application()
    app.router.add_post("/echo", echo)
    client = await aiohttp_client(app)
    async with client.post("/echo", params={"q": "1"}, json={"a": [1, 2]}) as resp:
        assert resp.status == 200
        assert await resp.json() == {"q": "1", "body": {"a": [1, 2]}}


async def test_not_found_and_url(aiohttp_client):
    client = await aiohttp_client(await create_app())
    resp = await client.get("/missing")
    assert resp.status == 404
    assert client.make_url("/x?y=1") == client.server.make_url("/x?y=1")
    assert str(client.make_url("/x")) == f"http://{client.host}:{client.port}/x"


async def test_websocket(aiohttp_client):
    async def ws_handler(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                await ws.send_str(msg.data + "/answer")
        return ws

    app = web.Application()
    app.router.add_get("/ws", ws_handler)
    client = await aiohttp_client(app)
    ws = await client.ws_connect("/ws")
    await ws.send_str("ping")
    msg = await ws.receive()
    assert msg.data == "ping/answer"
    await ws.close()


async def test_failed_to_create_client(aiohttp_client):
    def make_app():
        raise RuntimeError()

    with pytest.raises(RuntimeError):
        await aiohttp_client(make_app())


async def test_custom_port_aiohttp_client(aiohttp_client, unused_tcp_port):
    port = unused_tcp_port
    client = await aiohttp_client(await create_app(), server_kwargs={"port": port})
    assert client.port == port
    resp = await client.get("/")
    assert resp.status == 200


async def test_custom_port_test_server(aiohttp_server, unused_tcp_port):
    port = unused_tcp_port
    server = await aiohttp_server(await create_app(), port=port)
    assert server.port == port
    assert server.scheme == "http"


async def test_client_of_a_started_server(aiohttp_server, aiohttp_client):
    server = await aiohttp_server(await create_app())
    client = await aiohttp_client(server)
    assert client.server is server
    resp = await client.get("/")
    assert await resp.read() == b"Hello, world"


@pytest.fixture
async def raw_server(aiohttp_raw_server):
    async def handler(request):
        return web.Response(text=f"OK {request.method} {request.path}")

    return await aiohttp_raw_server(handler)


async def test_raw_server(aiohttp_client, raw_server):
    client = await aiohttp_client(raw_server)
    assert client.app is None
    for method, path in [("GET", "/"), ("POST", "/any/path"), ("DELETE", "/x")]:
        resp = await client.request(method, path)
        assert resp.status == 200
        assert await resp.text() == f"OK {method} {path}"


class CustomClient(TestClient):
    async def hello(self):
        resp = await self.get("/")
        return await resp.text()


class TestCustomClient:
    @pytest.fixture
    def aiohttp_client_cls(self):
        return CustomClient

    async def test_custom_client_class(self, aiohttp_client):
        client = await aiohttp_client(await create_app())
        assert isinstance(client, CustomClient)
        assert await client.hello() == "Hello, world"


async def test_unknown_argument(aiohttp_client):
    with pytest.raises(ValueError, match="Unknown argument type"):
        await aiohttp_client("not an app")

"""web.pytest_fixtures.make_client: what a user's test gets from ``client = await make_client(app)``."""

from collections.abc import Iterator

import pytest

import web
from web.testing import TestClient, TestServer


def hello_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.app.get('who', 'world')}")

    app = web.Application()
    app.router.add_route("GET", "/", hello)
    return app


async def test_make_client_serves_an_application(make_client) -> None:
    client = await make_client(hello_app())
    assert isinstance(client, TestClient)
    resp = await client.get("/")
    assert (resp.status, await resp.text()) == (200, "hello world")


async def test_make_client_calls_a_factory(make_client) -> None:
    client = await make_client(hello_app)
    assert await (await client.get("/")).text() == "hello world"


async def test_make_client_awaits_an_async_factory(make_client) -> None:
    async def create_app() -> web.Application:
        app = hello_app()
        app["who"] = "async"
        return app

    client = await make_client(create_app)
    assert await (await client.get("/")).text() == "hello async"


async def test_make_client_takes_a_test_server(make_client) -> None:
    server = TestServer(hello_app())
    client = await make_client(server)
    assert client.server is server


async def test_server_kwargs_reach_the_server_core(make_client) -> None:
    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_route("POST", "/", echo)
    client = await make_client(app, server_kwargs={"client_max_size": 10})
    assert (await client.post("/", data=b"x" * 10)).status == 200
    assert (await client.post("/", data=b"x" * 11)).status == 413


async def test_client_kwargs_reach_the_session(make_client) -> None:
    async def agent(request: web.Request) -> web.Response:
        return web.Response(text=request.headers["X-Test"])

    app = web.Application()
    app.router.add_route("GET", "/", agent)
    client = await make_client(app, headers={"X-Test": "from-session"})
    assert await (await client.get("/")).text() == "from-session"


async def test_several_clients_in_one_test(make_client) -> None:
    one, two = await make_client(hello_app()), await make_client(hello_app())
    assert one.port != two.port


async def test_a_wrong_argument_is_named(make_client) -> None:
    with pytest.raises(TypeError, match="make_client needs an Application"):
        await make_client("examples.app:app")


@pytest.fixture
def torn_down_after_make_client() -> Iterator[list[str]]:
    """What the app's callbacks recorded, checked after ``make_client``'s teardown.

    A test asks for this fixture before ``make_client``: pytest sets fixtures up in that order and tears them
    down in reverse, so the check below runs once ``make_client`` has closed everything, within the same test.
    """
    ran: list[str] = []
    yield ran
    assert ran == ["shutdown", "finish", "cleanup"], "make_client's teardown did not close the app"


async def test_teardown_closes_the_client_its_server_and_the_app(torn_down_after_make_client, make_client) -> None:
    ran = torn_down_after_make_client

    async def record(app: web.Application) -> None:
        ran.append("shutdown" if not ran else "cleanup")

    app = hello_app()
    app.on_shutdown.append(record)
    app.register_on_finish(ran.append, "finish")
    app.on_cleanup.append(record)
    client = await make_client(app)
    assert (await client.get("/")).status == 200
    assert ran == []  # nothing closes before the test ends


@pytest.mark.asyncio(loop_scope="module")
async def test_a_test_on_another_loop_than_the_fixture_is_told_why(make_client) -> None:
    # make_client is set up on the function-scoped loop (asyncio_default_fixture_loop_scope); this test runs
    # on the module's: a server on one loop and a client on the other cannot work, and the error says so.
    with pytest.raises(RuntimeError, match=r"make_client was set up on another event loop .* same loop scope"):
        await make_client(hello_app())


def test_unused_port_fixtures_give_a_bindable_port(unused_port, aiohttp_unused_port) -> None:
    import socket

    for port in (unused_port(), aiohttp_unused_port()):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


async def test_make_server_serves_on_a_real_socket(make_server, raw) -> None:
    server = await make_server(hello_app(), host="127.0.0.1")
    assert server.started and server.handler is not None
    (resp,) = raw.parse(await raw(server.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert (resp.status, resp.body) == (200, b"hello world")

"""web.testing.TestClient: paths instead of URLs, every verb, websockets, cookies, and a clean close."""

import asyncio
import re
import socket

import aiohttp
import pytest
import yarl

import web
from web._testserver import port_socket
from web.testing import AioHTTPTestCase, TestClient, TestServer


def echo_app() -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response(
            {"method": request.method, "path": request.path, "query": request.query_string, "body": body.decode()}
        )

    async def set_cookie(request: web.Request) -> web.Response:
        resp = web.Response(text="set")
        resp.set_cookie("session", "abc")
        return resp

    async def read_cookie(request: web.Request) -> web.Response:
        return web.Response(text=request.cookies.get("session", "none"))

    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_route("GET", "/cookie/set", set_cookie)
    app.router.add_route("GET", "/cookie/get", read_cookie)
    return app


@pytest.mark.parametrize("verb", ["get", "post", "put", "patch", "delete", "options"])
async def test_each_verb_reaches_the_handler(verb: str) -> None:
    async with TestClient(TestServer(echo_app())) as client:
        resp = await getattr(client, verb)("/echo", params={"x": "1"})
        assert resp.status == 200
        assert await resp.json() == {"method": verb.upper(), "path": "/echo", "query": "x=1", "body": ""}


async def test_head_has_no_body() -> None:
    async with TestClient(echo_app()) as client:
        resp = await client.head("/echo")
        assert resp.status == 200
        assert await resp.read() == b""


async def test_request_with_a_body_and_async_with() -> None:
    async with TestClient(echo_app()) as client, client.request("PUT", "/echo", data=b"payload") as resp:
        assert (await resp.json())["body"] == "payload"


async def test_make_url_is_absolute_on_the_test_server() -> None:
    async with TestClient(echo_app()) as client:
        url = client.make_url("/a/b?c=d")
        assert isinstance(url, yarl.URL)
        assert (url.host, url.port, url.path, url.query_string) == ("127.0.0.1", client.port, "/a/b", "c=d")
        # aiohttp's rules: a relative URL joins the server's root, an absolute one is refused.
        assert client.make_url("a/b") == client.make_url("/a/b") == client.make_url(yarl.URL("/a/b"))
        with pytest.raises(ValueError, match=re.escape("relative URL on the test server, got 'http://example.com/'")):
            client.make_url("http://example.com/")
        with pytest.raises(ValueError, match="relative URL"):
            client.make_url("//example.com/")


async def test_make_url_skips_its_checks_with_skip_url_asserts() -> None:
    # aiohttp's TestServer keyword (Sentry's aiohttp tests pass it through aiohttp_client's server_kwargs): what
    # make_url is given is appended to the server's root, and the server's settings do not see the keyword.
    async with TestClient(TestServer(echo_app(), skip_url_asserts=True)) as client:
        assert str(client.make_url("/echo?x=1")) == f"http://127.0.0.1:{client.port}/echo?x=1"
        assert str(client.make_url("//a")) == f"http://127.0.0.1:{client.port}//a"
        resp = await client.get("/echo", params={"x": "1"})
        assert (await resp.json())["query"] == "x=1"


async def test_properties_name_the_server_and_the_app() -> None:
    app = echo_app()
    server = TestServer(app)
    async with TestClient(server) as client:
        assert client.server is server
        assert client.app is app
        assert client.host == "127.0.0.1"
        assert client.port == server.port > 0
        assert isinstance(client.session, aiohttp.ClientSession)
        assert "open" in repr(client)


async def test_cookies_set_by_the_server_come_back() -> None:
    # The server is an IP address: aiohttp's default jar would drop the cookie; the client's does not.
    async with TestClient(echo_app()) as client:
        await client.get("/cookie/set")
        resp = await client.get("/cookie/get")
        assert await resp.text() == "abc"


async def test_unread_responses_are_released_at_close() -> None:
    client = TestClient(echo_app())
    await client.start_server()
    for _ in range(3):
        await client.get("/echo")  # never read: close() must not leave the connections behind
    await client.close()
    await client.close()  # idempotent
    assert client.server.server is None
    assert "closed" in repr(client)


async def test_close_runs_the_apps_finish_callbacks() -> None:
    app = echo_app()
    ran: list[str] = []
    app.register_on_finish(lambda: ran.append("finish"))

    async def on_cleanup(app: web.Application) -> None:
        ran.append("cleanup")

    app.on_cleanup.append(on_cleanup)
    async with TestClient(app):
        pass
    assert ran == ["finish", "cleanup"]


async def test_a_closed_client_cannot_restart() -> None:
    client = TestClient(echo_app())
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        await client.start_server()


async def test_not_started_client_says_how_to_start_it() -> None:
    client = TestClient(echo_app())
    with pytest.raises(RuntimeError, match="start_server"):
        client.session  # noqa: B018
    await client.close()


def test_wrong_argument_is_named() -> None:
    # aiohttp's words (its test_client_unsupported_arg checks them); an Application is taken too, served on a new
    # TestServer.
    with pytest.raises(TypeError, match=re.escape("server must be TestServer instance, found type: <class 'str'>")):
        TestClient("examples.app:app")


async def test_ws_connect_talks_to_a_websocket_handler() -> None:
    async def ws_echo(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        try:
            while True:
                await ws.send_str((await ws.receive_str()).upper())
        except web.WebSocketDisconnectedError:
            pass
        return ws

    app = web.Application()
    app.router.add_route("GET", "/ws", ws_echo)
    async with TestClient(app) as client:
        ws = await client.ws_connect("/ws")
        await ws.send_str("hello")
        assert await ws.receive_str() == "HELLO"
        async with client.ws_connect("/ws") as ws2:
            await ws2.send_str("again")
            assert await ws2.receive_str() == "AGAIN"
        assert ws2.closed
        # ws is left open on purpose: close() closes it
    assert ws.closed


TESTING_MODULES = ["_testserver", "testing", "pytest_fixtures", "pytest_aiohttp", "pytest_plugin"]


def _web_imports(name: str) -> set[str]:
    """The modules of ``web`` that web/<name>.py imports, at load time or inside a function (relative imports)."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(web.__file__).parent / f"{name}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
    return found


def test_the_test_helpers_import_one_way() -> None:
    # _testserver <- testing; _testserver <- pytest_fixtures <- pytest_aiohttp <- pytest_plugin: no cycle.
    order = {name: i for i, name in enumerate(TESTING_MODULES)}
    for name in TESTING_MODULES:
        for imported in _web_imports(name) & set(order):
            assert order[imported] < order[name], f"web.{name} imports web.{imported}"


@pytest.mark.parametrize("module", [f"web.{name}" for name in TESTING_MODULES])
def test_each_helper_imports_first_in_a_fresh_interpreter(module: str) -> None:
    # Imported first, each module loads completely (nothing leans on a half-initialised one), and the
    # helpers usable without pytest (web._testserver, web.testing) do not import it.
    import os
    import subprocess
    import sys
    from pathlib import Path

    without_pytest = module in ("web._testserver", "web.testing")
    code = f"import sys, {module}\nassert {without_pytest} is False or 'pytest' not in sys.modules, 'imports pytest'\n"
    env = {**os.environ, "PYTHONPATH": str(Path(web.__file__).resolve().parent.parent)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=30)


def test_test_client_takes_type_arguments_as_aiohttps_does():
    # aiohttp's TestClient is Generic[Request, Application]; a conftest annotating a fixture's return type with
    # TestClient[web.Request, web.Application] (aiohttp-apigami's) evaluates it at import.
    alias = TestClient[web.Request, web.Application]
    assert alias.__origin__ is TestClient and alias.__args__ == (web.Request, web.Application)


async def test_server_address_is_the_bound_sockets_as_in_aiohttp() -> None:
    # aiohttp's TestServer: port None until started and after close, host and port those of the bound socket (a
    # name binds as IPv4), the socket made by socket_factory(host, port, family); loop= is aiohttp's deprecated
    # keyword, ignored.
    made = []

    def factory(host: str, port: int, family: socket.AddressFamily) -> socket.socket:
        made.append((host, port, family))
        return port_socket(host, port, family)

    server = TestServer(echo_app(), host="localhost", socket_factory=factory, loop=object())
    client = TestClient(server, loop=object())
    assert client.port is None
    async with client:
        assert (server.host, client.port) == ("127.0.0.1", server.port) and server.port > 0
        assert made == [("localhost", 0, socket.AF_INET)]
        resp = await client.get("/echo")
        assert resp.status == 200
    assert client.port is None


async def test_make_url_refuses_an_absolute_url_with_aiohttps_assertion() -> None:
    async with TestServer(echo_app()) as server:
        with pytest.raises(AssertionError):
            server.make_url("http://example.com/")


async def test_server_and_client_want_async_with() -> None:
    server = TestServer(echo_app())
    with pytest.raises(TypeError, match="Use async with instead"), server:
        pass
    with pytest.raises(TypeError, match="Use async with instead"), TestClient(server):
        pass


class TestAioHTTPTestCase(AioHTTPTestCase):
    """aiohttp's unittest base class, serving the application of get_application() with prefork's server."""

    async def get_application(self) -> web.Application:
        return echo_app()

    async def test_client_talks_to_the_application(self) -> None:
        assert self.loop is asyncio.get_running_loop()
        assert isinstance(self.client, TestClient) and self.client.app is self.app
        resp = await self.client.get("/echo", params={"x": "1"})
        assert (await resp.json())["query"] == "x=1"

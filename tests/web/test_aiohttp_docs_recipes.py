"""The recipes of aiohttp 3's documentation and examples, written again for ``web`` and run over a real server.

Users copy their code from aiohttp's docs (docs/web_quickstart.rst, web_advanced.rst, faq.rst...) and its
``examples/`` directory; each test here is one such recipe, in our words, checked with aiohttp's client against
what aiohttp.web answers. The comment above each test names the section or example it comes from.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import subprocess
import sys

import aiohttp
import pytest

import web

# --- examples/web_srv.py, web_srv_route_deco.py, web_srv_route_table.py --------------------------------------------


async def _stream_hello(request):
    answer = ("Hello, " + request.match_info.get("name", "Anonymous")).encode()
    response = web.StreamResponse()
    response.content_length = len(answer)
    response.content_type = "text/plain"
    await response.prepare(request)
    await response.write(answer)
    await response.write_eof()
    return response


async def _change_body(request):
    response = web.Response()
    response.body = b"Body changed"
    response.content_type = "text/plain"
    return response


async def _simple(request):
    return web.Response(text="Simple answer")


def _basic_app(style):
    app = web.Application()
    if style == "add_get":
        app.router.add_get("/simple", _simple)
        app.router.add_get("/change_body", _change_body)
        app.router.add_get("/hello/{name}", _stream_hello)
        app.router.add_get("/hello", _stream_hello)
    elif style == "table":
        app.router.add_routes(
            [
                web.get("/simple", _simple),
                web.get("/change_body", _change_body),
                web.get("/hello/{name}", _stream_hello),
                web.get("/hello", _stream_hello),
            ]
        )
    else:
        routes = web.RouteTableDef()
        routes.get("/simple")(_simple)
        routes.get("/change_body")(_change_body)
        routes.get("/hello/{name}")(_stream_hello)
        routes.get("/hello")(_stream_hello)
        app.router.add_routes(routes)
    return app


@pytest.mark.parametrize("style", ["add_get", "table", "decorators"])
async def test_basic_server_examples_answer_as_aiohttp(make_client, style):
    client = await make_client(_basic_app(style))
    expected = {
        "/simple": ("text/plain; charset=utf-8", "Simple answer"),
        "/change_body": ("text/plain", "Body changed"),
        "/hello/John": ("text/plain", "Hello, John"),
        "/hello": ("text/plain", "Hello, Anonymous"),
    }
    for path, (ctype, text) in expected.items():
        async with client.get(path) as r:
            assert (r.status, r.headers["Content-Type"], await r.text()) == (200, ctype, text)
            assert r.headers["Content-Length"] == str(len(text))
    async with client.post("/simple") as r:
        assert r.status == 405 and r.headers["Allow"] == "GET,HEAD"


# --- examples/web_classview.py ----------------------------------------------------------------------------------------


class _EchoView(web.View):
    async def get(self):
        return web.json_response(
            {"method": "get", "args": dict(self.request.query)}, dumps=functools.partial(json.dumps, indent=4)
        )

    async def post(self):
        data = await self.request.post()
        return web.json_response({"method": "post", "args": dict(self.request.query), "data": dict(data)})


async def test_class_based_view_example(make_client):
    app = web.Application()
    app.router.add_get("/get", _EchoView)
    app.router.add_post("/post", _EchoView)
    client = await make_client(app)
    async with client.get("/get?a=1&b=2") as r:
        assert await r.text() == json.dumps({"method": "get", "args": {"a": "1", "b": "2"}}, indent=4)
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    async with client.post("/post?q=1", data={"x": "1"}) as r:
        assert await r.json() == {"method": "post", "args": {"q": "1"}, "data": {"x": "1"}}
    async with client.put("/post") as r:
        assert r.status == 405


# --- examples/web_cookies.py --------------------------------------------------------------------------------------


async def _cookies_root(request):
    response = web.Response(content_type="text/html")
    response.text = "<p>" + ",".join(sorted(request.cookies)) + "</p>"
    return response


async def _login(request):
    exc = web.HTTPFound(location="/")
    exc.set_cookie("AUTH", "secret")
    raise exc


async def _logout(request):
    exc = web.HTTPFound(location="/")
    exc.del_cookie("AUTH")
    raise exc


async def test_cookies_example_logs_in_and_out(make_client):
    app = web.Application()
    app.router.add_get("/", _cookies_root)
    app.router.add_get("/login", _login)
    app.router.add_get("/logout", _logout)
    client = await make_client(app)
    async with client.get("/login", allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"] == "/"
        assert r.headers["Set-Cookie"] == "AUTH=secret; Path=/"
    async with client.get("/") as r:
        assert await r.text() == "<p>AUTH</p>"
    async with client.get("/logout") as r:
        assert await r.text() == "<p></p>"


async def test_text_assigned_to_a_typed_response_adds_charset_utf8(make_client):
    # examples/web_cookies.py: Response(content_type="text/html"), then response.text = ...; aiohttp's text setter
    # adds charset=utf-8 to a Content-Type that has none, so that a browser decodes the page as it was encoded.
    async def handler(request):
        response = web.Response(content_type="text/html")
        response.text = "caf\u00e9"
        return response

    async def keeps_charset(request):
        response = web.Response(content_type="text/html", charset="latin-1")
        response.text = "caf\u00e9"
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    app.router.add_get("/latin", keeps_charset)
    client = await make_client(app)
    async with client.get("/") as r:
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert await r.read() == "caf\u00e9".encode()
    async with client.get("/latin") as r:
        assert r.headers["Content-Type"] == "text/html; charset=latin-1"
        assert await r.read() == "caf\u00e9".encode("latin-1")


# --- examples/web_rewrite_headers_middleware.py ----------------------------------------------------------------------


async def test_middleware_rewrites_server_header_of_unprepared_response(make_client):
    @web.middleware
    async def middleware(request, handler):
        response = await handler(request)
        if not response.prepared:
            response.headers["SERVER"] = "Secured Server Software"
        return response

    app = web.Application(middlewares=[middleware])
    app.router.add_get("/", _simple)
    client = await make_client(app)
    async with client.get("/") as r:
        assert r.headers.getall("Server") == ["Secured Server Software"]
    async with client.get("/missing") as r:
        assert r.status == 404 and r.headers.getall("Server") == ["prefork"]


# --- examples/server_simple.py, web_ws.py; docs/web_quickstart.rst "WebSockets" -----------------------------------


async def _ws_echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        # The lower-case aliases are what the quickstart's and server_simple.py's loops compare with.
        if msg.type == web.WSMsgType.text:
            await ws.send_str(f"Hello, {msg.data}")
        elif msg.type == web.WSMsgType.binary:
            await ws.send_bytes(msg.data)
        elif msg.type == web.WSMsgType.close:
            break
    return ws


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("text", "TEXT"),
        ("binary", "BINARY"),
        ("ping", "PING"),
        ("pong", "PONG"),
        ("close", "CLOSE"),
        ("closing", "CLOSING"),
        ("closed", "CLOSED"),
        ("error", "ERROR"),
    ],
)
def test_wsmsgtype_has_aiohttps_lower_case_aliases(alias, name):
    assert getattr(web.WSMsgType, alias) is getattr(web.WSMsgType, name)
    assert getattr(web.WSMsgType, alias) == getattr(aiohttp.WSMsgType, alias)


async def test_server_simple_websocket_echo(make_client):
    app = web.Application()
    app.router.add_get("/echo", _ws_echo)
    client = await make_client(app)
    ws = await client.ws_connect("/echo")
    await ws.send_str("x")
    assert (await ws.receive()).data == "Hello, x"
    await ws.send_bytes(b"y")
    assert (await ws.receive()).data == b"y"
    await ws.close()
    assert ws.close_code == 1000


async def test_plain_get_of_a_websocket_route_says_why_as_aiohttp(make_client):
    app = web.Application()
    app.router.add_get("/echo", _ws_echo)
    client = await make_client(app)
    async with client.get("/echo") as r:
        assert r.status == 400
        assert await r.text() == 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".'


async def test_websocket_chat_example_broadcasts_and_falls_back_to_a_page(make_client):
    # examples/web_ws.py: can_prepare() tells a browser's page request from a websocket handshake.
    sockets = web.AppKey("sockets", list)

    async def chat(request):
        resp = web.WebSocketResponse()
        if not resp.can_prepare(request):
            return web.Response(body=b"<html></html>", content_type="text/html")
        await resp.prepare(request)
        await resp.send_str("Welcome!!!")
        try:
            for ws in request.app[sockets]:
                await ws.send_str("Someone joined")
            request.app[sockets].append(resp)
            async for msg in resp:
                if msg.type != web.WSMsgType.TEXT:
                    return resp
                for ws in request.app[sockets]:
                    if ws is not resp:
                        await ws.send_str(msg.data)
            return resp
        finally:
            request.app[sockets].remove(resp)
            for ws in request.app[sockets]:
                await ws.send_str("Someone disconnected.")

    app = web.Application()
    app[sockets] = []
    app.router.add_get("/", chat)
    client = await make_client(app)
    async with client.get("/") as r:
        assert r.headers["Content-Type"] == "text/html" and await r.read() == b"<html></html>"
    a = await client.ws_connect("/")
    assert (await a.receive()).data == "Welcome!!!"
    b = await client.ws_connect("/")
    assert (await b.receive()).data == "Welcome!!!"
    assert (await a.receive()).data == "Someone joined"
    await a.send_str("hi")
    assert (await b.receive()).data == "hi"
    await b.send_bytes(b"bye")
    assert (await b.receive()).type == aiohttp.WSMsgType.CLOSE
    assert (await a.receive()).data == "Someone disconnected."
    await a.close()


# --- docs/logging.rst "Access logs", "Error logs"; examples/logging_middleware.py ------------------------------------


async def _raw_get(port, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await reader.read()
    writer.close()
    return data


@pytest.mark.parametrize("path", ["/simple", "/hello/John", "/missing"])
async def test_access_log_b_counts_the_whole_response_headers_included(make_server, caplog, path):
    # logging.rst's format table: "%b  Size of response in bytes, including HTTP headers".
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    server = await make_server(_basic_app("add_get"), access_log_format="%s %b")
    wire = await _raw_get(server.port, path)
    (record,) = [r for r in caplog.records if r.name == "aiohttp.access"]
    status, size = record.getMessage().split()
    assert wire.startswith(f"HTTP/1.1 {status} ".encode()) and int(size) == len(wire)


async def test_unhandled_error_is_logged_on_aiohttp_server(make_client, caplog):
    # logging.rst "Error logs": errors of request handling go to the 'aiohttp.server' logger.
    async def boom(request):
        raise ValueError("boom")

    app = web.Application()
    app.router.add_get("/", boom)
    client = await make_client(app)
    async with client.get("/") as r:
        assert r.status == 500
    (record,) = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert record.levelno == logging.ERROR and record.exc_info[0] is ValueError


# --- docs/web_quickstart.rst ------------------------------------------------------------------------------------------


async def _method(request):
    return web.Response(text=request.method)


async def test_quickstart_handlers_and_wildcard_method(make_client):
    # "Handler": add_routes with get/post/put, web.route('*', ...), and allow_head=False.
    app = web.Application()
    app.add_routes([web.get("/", _method), web.post("/post", _method), web.put("/put", _method)])
    app.add_routes([web.route("*", "/path", _method)])
    app.add_routes([web.get("/nohead", _method, allow_head=False)])
    client = await make_client(app)
    for method in ("GET", "POST", "PATCH", "DELETE"):
        async with client.request(method, "/path") as r:
            assert (r.status, await r.text()) == (200, method)
    async with client.head("/") as r:
        assert r.status == 200
    async with client.head("/nohead") as r:
        assert r.status == 405
    async with client.delete("/put") as r:
        assert r.status == 405 and r.headers["Allow"] == "PUT"


async def test_quickstart_url_for_of_a_named_resource_without_routes(make_client):
    # "Reverse URL Constructing using Named Resources": router.add_resource(r'/{user}/info', name='user-info'), then
    # request.app.router['user-info'].url_for(user='john_doe').
    routes = web.RouteTableDef()

    @routes.get("/root", name="root")
    async def root(request):
        url = request.app.router["root"].url_for().with_query({"a": "b", "c": "d"})
        info = request.app.router["user-info"].url_for(user="john_doe").with_query("a=b")
        return web.Response(text=f"{url} {info}")

    app = web.Application()
    app.router.add_resource(r"/{user}/info", name="user-info")
    app.add_routes(routes)
    client = await make_client(app)
    async with client.get("/root") as r:
        assert await r.text() == "/root?a=b&c=d /john_doe/info?a=b"
    with pytest.raises(KeyError):
        app.router["no-such-name"]


async def test_quickstart_multipart_upload_read_returns_bytearray(make_client):
    # "File Uploads": field.read(decode=True) and read_chunk(); multipart_reference.rst gives read()'s type as
    # bytearray.
    async def store(request):
        reader = await request.multipart()
        field = await reader.next()
        name = await field.read(decode=True)
        field = await reader.next()
        size = 0
        while chunk := await field.read_chunk():
            size += len(chunk)
        return web.Response(text=f"{type(name).__name__} {name.decode()} {field.filename} {size}")

    app = web.Application()
    app.router.add_post("/store/mp3", store)
    client = await make_client(app)
    form = aiohttp.FormData()
    form.add_field("name", "nm")
    form.add_field("mp3", b"ID3" * 10000, filename="song.mp3", content_type="audio/mpeg")
    async with client.post("/store/mp3", data=form) as r:
        assert await r.text() == "bytearray nm song.mp3 30000"


@pytest.mark.parametrize(
    ("raise_", "status", "headers", "text"),
    [
        (lambda r: web.HTTPFound("/redirect"), 302, {"Location": "/redirect"}, "302: Found"),
        (lambda r: web.HTTPMethodNotAllowed(r.method, ["GET", "POST"]), 405, {"Allow": "GET,POST"}, None),
        (lambda r: web.HTTPNotFound(text="no such thing", headers={"X-A": "1"}), 404, {"X-A": "1"}, "no such thing"),
        (lambda r: web.HTTPForbidden(reason="Go away"), 403, {}, "403: Go away"),
        (lambda r: web.HTTPUnavailableForLegalReasons("https://example.org/b", text="x"), 451, {}, "x"),
    ],
)
async def test_quickstart_exceptions(make_client, raise_, status, headers, text):
    # "Exceptions" and "Redirects": raised HTTP exceptions with their constructor arguments.
    async def handler(request):
        raise raise_(request)

    app = web.Application()
    app.router.add_get("/", handler)
    client = await make_client(app)
    async with client.get("/", allow_redirects=False) as r:
        assert r.status == status
        for name, value in headers.items():
            assert r.headers[name] == value
        if text is not None:
            assert await r.text() == text


# --- docs/web_advanced.rst ----------------------------------------------------------------------------------------


async def _add_my_header(request, response):
    response.headers["My-Header"] = "value"


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 200), ({"Range": "bytes=0-1"}, 206), ({"Range": "bytes=99-"}, 416)]
)
async def test_signal_on_response_prepare_runs_for_static_files(make_client, tmp_path, headers, status):
    # "Signals": on_response_prepare "is called after default headers have been computed and directly before headers
    # are sent", for every response: a static file's too, which sees the file's own fields.
    (tmp_path / "style.css").write_text("body{}")
    seen = []

    async def record(request, response):
        seen.append(response.headers.get("Content-Type"))

    app = web.Application()
    app.add_routes([web.static("/prefix", tmp_path, show_index=True)])
    app.on_response_prepare.extend([_add_my_header, record])
    client = await make_client(app)
    async with client.get("/prefix/style.css", headers=headers) as r:
        assert r.status == status and r.headers["My-Header"] == "value"
    assert seen == (["text/css"] if status != 416 else [None])  # an empty 416 carries no Content-Type
    async with client.get("/prefix/style.css", headers={"If-None-Match": r.headers.get("ETag", "")}) as r:
        assert r.status in (200, 304) and r.headers["My-Header"] == "value"
    async with client.get("/prefix/") as r:  # the index page
        assert r.status == 200 and r.headers["My-Header"] == "value"


async def test_nested_application_middlewares_signals_and_url_reversing(make_client):
    # "Nested applications": the parent's middlewares first, both apps' on_response_prepare, and url_for through
    # the sub-application's router giving the prefixed URL.
    order = []

    def mark(name):
        @web.middleware
        async def middleware(request, handler):
            order.append(name)
            return await handler(request)

        return middleware

    admin_key = web.AppKey("admin_key", web.Application)

    async def resource(request):
        return web.Response(text=str(request.app.router["name"].url_for()))

    async def main_handler(request):
        return web.Response(text=str(request.app[admin_key].router["name"].url_for()))

    async def admin_header(request, response):
        response.headers["Admin-Header"] = "yes"

    app = web.Application(middlewares=[mark("app")])
    admin = web.Application(middlewares=[mark("admin")])
    admin.add_routes([web.get("/resource", resource, name="name")])
    admin.on_response_prepare.append(admin_header)
    app.on_response_prepare.append(_add_my_header)
    app.add_subapp("/admin/", admin)
    app[admin_key] = admin
    app.router.add_get("/main", main_handler)
    client = await make_client(app)
    async with client.get("/admin/resource") as r:
        assert await r.text() == "/admin/resource"
        assert (r.headers["My-Header"], r.headers["Admin-Header"]) == ("value", "yes")
    assert order == ["app", "admin"]
    async with client.get("/main") as r:
        assert await r.text() == "/admin/resource" and "Admin-Header" not in r.headers


async def test_custom_routing_criteria_accept_chooser(make_client):
    # "Custom Routing Criteria": a second layer of routing on the Accept header.
    accepts = {
        "application/json": lambda request: web.json_response({"a": 1}),
        "application/xml": lambda request: web.Response(text="<a/>", content_type="application/xml"),
    }

    async def do_route(request):
        for accept in request.headers.getall("ACCEPT", []):
            if accept in accepts:
                return accepts[accept](request)
        raise web.HTTPNotAcceptable()

    app = web.Application()
    app.add_routes([web.get("/", do_route)])
    client = await make_client(app)
    async with client.get("/", headers={"Accept": "application/xml"}) as r:
        assert r.headers["Content-Type"] == "application/xml; charset=utf-8" and await r.text() == "<a/>"
    async with client.get("/", headers={"Accept": "text/html"}) as r:
        assert r.status == 406


async def test_context_vars_example(make_client):
    # "ContextVars support": startup's changes are seen by handlers; a handler's are not seen by the next request.
    var = contextvars.ContextVar("VAR", default="default")
    log = []

    async def handler(request):
        seen = var.get()
        var.set("handler")
        return web.Response(text=seen)

    async def on_startup(app):
        var.set("on_startup")

    async def on_cleanup(app):
        log.append(var.get())

    app = web.Application()
    app.router.add_get("/", handler)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    client = await make_client(app)
    for _ in range(2):
        async with client.get("/") as r:
            assert await r.text() == "on_startup"
    await client.close()
    assert log == ["on_startup"]


async def test_custom_expect_handler(make_client):
    # "Expect Header": a route's expect_handler writes the 100 Continue itself or refuses with an HTTPException.
    async def check_auth(request):
        if request.headers.get("EXPECT") != "100-continue":
            raise web.HTTPExpectationFailed(text="Unknown Expect")
        if request.headers.get("AUTHORIZATION") is None:
            raise web.HTTPForbidden()
        request.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    async def echo(request):
        return web.Response(body=await request.read())

    app = web.Application()
    app.add_routes([web.post("/", echo, expect_handler=check_auth)])
    client = await make_client(app)
    async with client.post("/", data=b"abc", expect100=True, headers={"Authorization": "x"}) as r:
        assert (r.status, await r.read()) == (200, b"abc")
    async with client.post("/", data=b"abc", expect100=True) as r:
        assert r.status == 403


# --- docs/testing.rst, with web.as_aiohttp installed (a fresh interpreter each: the swap is process-wide) -------------

_TESTING_RECIPES = """
import asyncio, sys, unittest
import web.as_aiohttp
{before}
web.as_aiohttp.install()
from aiohttp import web
from aiohttp.test_utils import AioHTTPTestCase, TestClient, TestServer, make_mocked_request, loop_context

async def hello(request):
    return web.Response(text="Hello, world")

class MyAppTestCase(AioHTTPTestCase):  # "Unittest"
    async def get_application(self):
        app = web.Application()
        app.router.add_get("/", hello)
        return app

    async def test_example(self):
        async with self.client.request("GET", "/") as resp:
            self.assertEqual(resp.status, 200)
            self.assertIn("Hello, world", await resp.text())

async def agnostic():  # "Framework Agnostic Utilities"
    app = web.Application()
    app.router.add_get("/", hello)
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/")
        assert resp.status == 200 and "Hello, world" in await resp.text()

def handler(request):  # "Faking request object"
    assert request.headers.get("token") == "x"
    return web.Response(body=b"data")

assert handler(make_mocked_request("GET", "/", headers={{"token": "x"}})).body == b"data"
asyncio.run(agnostic())
result = unittest.TextTestRunner(stream=sys.stdout).run(unittest.defaultTestLoader.loadTestsFromTestCase(MyAppTestCase))
assert result.wasSuccessful()
assert loop_context.__module__ == "aiohttp.test_utils"  # the client-side helpers stay aiohttp's
print("recipes ok")
"""


@pytest.mark.parametrize("before", ["", "import aiohttp.test_utils"], ids=["imported-after", "imported-before"])
def test_testing_docs_recipes_run_on_web_with_aiohttp_test_utils(before):
    # testing.rst: AioHTTPTestCase, TestServer/TestClient and make_mocked_request from aiohttp.test_utils serve an
    # application of web once web.as_aiohttp is installed, whether test_utils was imported before (pytest-aiohttp
    # imports it) or after.
    done = subprocess.run(
        [sys.executable, "-c", _TESTING_RECIPES.format(before=before)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("recipes ok")


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # a method the parser refuses
        (b"POST / HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 1\r\n\r\nx", 417),  # "Expect Header"
    ],
)
@pytest.mark.parametrize("server_header", ["prefork", None])
async def test_errors_the_server_answers_itself_carry_the_server_field(make_server, head, status, server_header):
    # The server's own answers (a request it refuses before any handler) name it as every other response does, as
    # aiohttp's do: an application hiding the field configures server_header, and sees it gone from these too.
    server = await make_server(_basic_app("add_get"), server_header=server_header)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(head)
    data = await reader.read()
    writer.close()
    fields = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert fields[0].startswith(f"HTTP/1.1 {status} ".encode())
    assert [f for f in fields if f.startswith(b"Server:")] == ([b"Server: prefork"] if server_header else [])
    assert sum(f.startswith(b"Date:") for f in fields) == 1


# --- docs/faq.rst -----------------------------------------------------------------------------------------------------


async def test_faq_prefix_route_request_storage_and_work_after_sending(make_client):
    # "How do I create a route that matches urls with a given prefix?", "How can middleware store data for web
    # handlers to use?", "How do I perform operations in a request handler after sending the response?"
    request_id_key = web.RequestKey("request_id_key", str)
    pongs = []

    @web.middleware
    async def request_id_middleware(request, handler):
        request[request_id_key] = "some_request_id"
        return await handler(request)

    async def sink(request):
        return web.Response(text=f"{request.method} {request.match_info['tail']} {request[request_id_key]}")

    async def ping(request):
        response = web.json_response({"message": "PONG"})
        await response.prepare(request)
        await response.write_eof()
        pongs.append(1)
        return response

    app = web.Application(middlewares=[request_id_middleware])
    app.router.add_route("*", "/path/to/{tail:.+}", sink)
    app.router.add_get("/ping", ping)
    client = await make_client(app)
    async with client.options("/path/to/a/b") as r:
        assert await r.text() == "OPTIONS a/b some_request_id"
    async with client.get("/path/to/") as r:
        assert r.status == 404
    async with client.get("/ping") as r:
        assert await r.json() == {"message": "PONG"}
    assert pongs == [1]


async def test_faq_close_websockets_of_a_user_from_another_handler(make_client):
    # "How do I programmatically close a WebSocket server-side?"
    sockets = web.AppKey("sockets", set)

    async def echo(request):
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        request.app[sockets].add(ws)
        try:
            async for msg in ws:
                await ws.send_str(msg.data)
        finally:
            request.app[sockets].remove(ws)
        return ws

    async def logout(request):
        closers = [ws.close() for ws in request.app[sockets] if not ws.closed]
        await asyncio.gather(*closers)
        return web.Response(text="OK")

    app = web.Application()
    app[sockets] = set()
    app.router.add_get("/echo", echo)
    app.router.add_post("/logout", logout)
    client = await make_client(app)
    ws = await client.ws_connect("/echo")
    await ws.send_str("e")
    assert (await ws.receive()).data == "e"
    # The client reads while logging out: close() waits for its answer to the close frame ("Watch out, this will
    # keep us from returning the response until all are closed").
    closed = asyncio.ensure_future(ws.receive())
    async with client.post("/logout") as r:
        assert await r.text() == "OK"
    assert ((await closed).type, ws.close_code) == (aiohttp.WSMsgType.CLOSE, 1000)


# --- docs/deployment.rst ----------------------------------------------------------------------------------------------


async def test_unix_socket_site_request_remote_is_aiohttps_empty_name(tmp_path):
    # deployment.rst serves on a unix socket (run_app(app, path=...), nginx in front): request.remote is the peer's
    # name as aiohttp gives it, "" for a unix socket peer, so str methods on it keep working.
    async def whoami(request):
        return web.Response(text=repr(request.remote))

    app = web.Application()
    app.router.add_get("/", whoami)
    runner = web.AppRunner(app)
    await runner.setup()
    path = str(tmp_path / "s.sock")
    await web.UnixSite(runner, path).start()
    try:
        async with (
            aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=path)) as session,
            session.get("http://localhost/") as r,
        ):
            assert await r.text() == "''"
    finally:
        await runner.cleanup()

"""What aiohttp extension libraries rely on in aiohttp.web, kept working in ours (tests/extensions runs their suites).

Each case is the library's use reduced to a few lines, against a real server and aiohttp's client.
"""

from __future__ import annotations

import asyncio
import ssl
import weakref

import aiohttp
import pytest

import web
import web.abc
import web.views


async def _serve(make_server, handler, path="/", middlewares=()):
    app = web.Application(middlewares=list(middlewares))
    app.router.add_route("*", path, handler)
    return await make_server(app)


async def _get(srv, path="/"):
    async with aiohttp.ClientSession() as session, session.get(srv.url(path)) as resp:
        return resp.status, resp.headers.copy(), await resp.read()


async def test_enable_chunked_encoding_after_prepare_changes_nothing(make_server, raw):
    # aiohttp-sse's EventSourceResponse.prepare(): super().prepare(), then enable_chunked_encoding().
    async def handler(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        resp.enable_chunked_encoding()
        await resp.write(b"data: 1\r\n\r\n")
        await resp.write_eof()
        return resp

    srv = await _serve(make_server, handler)
    data = await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"200 OK" in head and b"Transfer-Encoding: chunked" in head
    assert body == b"b\r\ndata: 1\r\n\r\n\r\n0\r\n\r\n"


def test_enable_chunked_encoding_still_refuses_a_content_length():
    resp = web.StreamResponse(headers={"Content-Length": "3"})
    with pytest.raises(RuntimeError, match="content length"):
        resp.enable_chunked_encoding()


async def test_handler_connection_keep_alive_is_sent(make_server):
    # aiohttp-sse sets "Connection: keep-alive" on every event stream, and its tests read it back.
    async def handler(request):
        return web.Response(text="ok", headers={"Connection": "keep-alive"})

    srv = await _serve(make_server, handler)
    status, headers, body = await _get(srv)
    assert (status, body, headers.getall("Connection")) == (200, b"ok", ["keep-alive"])


async def test_prepared_response_keeps_its_request_under_aiohttp_name(make_server):
    # aiohttp-sse reads self._req (last_event_id, its transport abort).
    seen = []

    async def handler(request):
        resp = web.StreamResponse()
        seen.append(resp._req)
        await resp.prepare(request)
        seen.append(resp._req is request)
        return resp

    srv = await _serve(make_server, handler)
    assert (await _get(srv))[0] == 200
    assert seen == [None, True]


async def test_subclass_write_eof_finishes_a_returned_response(make_server):
    # aiohttp finishes a returned response with its write_eof(); aiohttp-sse restores a socket option there.
    finished = []

    class Stream(web.StreamResponse):
        async def write_eof(self, data=b""):
            await super().write_eof(data)
            finished.append(True)

    async def handler(request):
        resp = Stream()
        await resp.prepare(request)
        await resp.write(b"x")
        return resp

    srv = await _serve(make_server, handler)
    assert (await _get(srv))[:3:2] == (200, b"x")
    assert finished == [True]


async def test_handler_timeout_answers_504(make_server):
    # aiohttp 3 answers a handler's TimeoutError (aiohttp-middlewares' timeout_middleware) with 504.
    async def slow(request):
        async with asyncio.timeout(0.01):
            await asyncio.Event().wait()
        return web.Response(text="never")

    srv = await _serve(make_server, slow)
    status, _, body = await _get(srv)
    assert (status, body) == (504, b"504 Gateway Timeout")


def test_abc_abstract_view_is_the_views_base():
    # aiohttp-jinja2's @template tells a class-based view from a request with isinstance(arg, aiohttp.abc.AbstractView).
    assert issubclass(web.View, web.abc.AbstractView)
    assert web.abc.AbstractView is web.views.AbstractView


async def test_client_request_is_a_coroutine_for_create_task(make_client):
    # aiohttp's TestClient.get() returns a coroutine; aiohttp-sse's tests hand it to asyncio.create_task().
    async def handler(request):
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await make_client(app)
    resp = await asyncio.create_task(client.get("/"))
    assert (resp.status, await resp.text()) == (200, "ok")


async def test_test_server_serves_https_with_an_ssl_context():
    # aiohttp-remotes' Secure tests: aiohttp_server(app, ssl=context), then an https:// client.
    trustme = pytest.importorskip("trustme")
    from web.testing import TestServer

    ca = trustme.CA()
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)

    async def handler(request):
        return web.Response(text=request.scheme)

    app = web.Application()
    app.router.add_get("/", handler)
    srv = TestServer(app)
    await srv.start_server(ssl=server_ctx)
    try:
        assert srv.scheme == "https" and srv.url("/").startswith("https://")
        async with aiohttp.ClientSession() as session, session.get(srv.url("/"), ssl=client_ctx) as resp:
            assert (resp.status, await resp.text()) == (200, "https")
    finally:
        await srv.close()


async def test_prepare_returns_the_body_stream_an_adapter_writes_through(make_server):
    # aiohttp-asgi keeps what prepare() returns and writes the body through it: write(), then write_eof(last).
    sizes = []

    async def handler(request):
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        writer = await response.prepare(request)
        await writer.write(b"abc" * 1000)
        await writer.write(b"def")
        await writer.write_eof(b"end")
        sizes.append(writer.output_size)
        return response

    srv = await _serve(make_server, handler)
    status, headers, body = await _get(srv)
    assert (status, headers["Transfer-Encoding"], body) == (200, "chunked", b"abc" * 1000 + b"defend")
    assert sizes == [3006]


async def test_an_expect_handler_resets_the_writer_s_output_size(make_server):
    # aiohttp-asgi's expect handler writes 100 Continue through request.writer, then resets its byte counter.
    async def expect(request):
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0

    async def handler(request):
        return web.Response(body=await request.read())

    app = web.Application()
    app.router.add_post("/", handler, expect_handler=expect)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session, session.post(srv.url("/"), data=b"data", expect100=True) as resp:
        assert (resp.status, await resp.read()) == (200, b"data")


async def test_an_empty_path_in_a_sub_application_serves_its_prefix(make_client):
    # aiohttp-pydantic's oas.setup(): oas.router.add_get("", index), then app.add_subapp("/oas", oas). aiohttp takes
    # a path that is empty (or starts with '/'); an empty one matches only the prefix itself.
    # In the outermost application, whose routes no prefix comes before, aiohttp's router.freeze() makes it '/'.
    async def index(request):
        return web.Response(text=f"index {request.path} {request.app.router['index'].url_for()}")

    oas = web.Application()
    oas.router.add_get("", index, name="index")
    app = web.Application()
    root = app.router.add_get("", index, name="index")
    app.add_subapp("/oas", oas)
    with pytest.raises(web.routes.RouteError, match="path should start with '/' or be empty: 'oas'"):
        app.router.add_get("oas", index)
    assert root.resource.get_info() == {"path": ""}
    client = await make_client(app)
    assert root.resource.get_info() == {"path": "/"}
    assert [((resp := await client.get(path)).status, await resp.text()) for path in ("/oas", "/oas/", "/")] == [
        (200, "index /oas /oas"),
        (404, "404: Not Found"),
        (200, "index / /"),
    ]


async def test_route_and_resource_info_in_a_sub_application_carry_its_prefix(make_client, tmp_path):
    # aiohttp-pydantic's OpenAPI paths are get_info()'s "path" or "formatter", which aiohttp's add_subapp() prefixed.
    async def info(request):
        described = []
        for resource in request.app.router.resources():
            for route in resource:
                got = route.get_info()
                assert resource.get_info() == got
                described.append(got.get("path") or got.get("formatter") or got["prefix"])
                if "pattern" in got:
                    assert got["pattern"].fullmatch(request.path) or got["pattern"].fullmatch("/api/v1/7")
        return web.json_response(described)

    api = web.Application()
    api.router.add_route("GET", "/info", info)
    api.router.add_route("GET", "/v1/{id}", info)
    api.router.add_static("/files", tmp_path)
    app = web.Application()
    app.add_subapp("/api", api)
    client = await make_client(app)
    resp = await client.get("/api/info")
    assert (resp.status, await resp.json()) == (200, ["/api/info", "/api/v1/{id}", "/api/files"])


async def test_the_repr_of_every_route_handler_static_included(make_client, tmp_path):
    # aiohttp-debugtoolbar's routes panel prints repr(route.handler); a static route's handler is its own bound
    # method, whose repr is the route's, as aiohttp's StaticResource's is.
    async def routes(request):
        return web.json_response([repr(route.handler) for route in request.app.router.routes()])

    app = web.Application()
    app.router.add_route("GET", "/routes", routes)
    app.router.add_static("/static", tmp_path, name="files")
    client = await make_client(app)
    resp = await client.get("/routes")
    assert resp.status == 200
    shown = await resp.json()
    assert len(shown) == 2
    assert shown[0].startswith("<function test_the_repr_of_every_route_handler_static_included.<locals>.routes")
    assert shown[1] == f"<bound method StaticRoute._handle of <StaticResource 'files' /static -> {tmp_path!r}>>"


async def test_a_handler_swapped_through_route_handler_on_startup_serves(make_client):
    # aiohttp-deps' init (on_startup): for every route, route._handler = a caller that resolves the registered
    # function's dependencies (which need not take the request) and calls it. A request is served by whatever the
    # route holds then; route.handler reads it and, as aiohttp's, cannot be assigned.
    async def hello(name: str = "world"):
        return web.Response(text=f"hello {name}")

    class Item(web.View):
        async def get(self, suffix="!"):
            return web.Response(text=f"item {self.request.match_info['id']}{suffix}")

    def injected(route):
        original = route.handler
        if isinstance(original, type):

            async def view(request):
                view = original(request)
                return await view.get(suffix="?")

            return view

        async def function(request):
            return await original(name=request.query.get("name", "you"))

        return function

    async def init(app):
        for route in app.router.routes():
            route._handler = injected(route)

    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_view("/items/{id}", Item)
    app.on_startup.append(init)
    client = await make_client(app)
    answers = [((resp := await client.get(path)).status, await resp.text()) for path in ("/hello?name=x", "/items/7")]
    assert answers == [(200, "hello x"), (200, "item 7?")]
    route = app.router.routes()[0]
    assert route.handler is route._handler and route.handler.__name__ == "function"
    with pytest.raises(AttributeError):
        route.handler = hello


async def test_a_pydantic_model_takes_an_uploaded_file_field(make_client):
    # aiohttp-deps' Form() validates post() against a pydantic model with "file: web.FileField"
    # (arbitrary_types_allowed): pydantic checks isinstance, as for aiohttp's FileField (an attrs class), rather than
    # validating our namedtuple field by field, where "file: IO[bytes]" refused the spooled file.
    pydantic = pytest.importorskip("pydantic")

    class Upload(pydantic.BaseModel):
        id: int
        file: web.FileField
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)

    async def handler(request):
        try:
            upload = Upload.model_validate(dict(await request.post()))
        except pydantic.ValidationError as error:
            return web.Response(status=400, text=str(error))
        return web.Response(text=f"{upload.id} {upload.file.filename} {upload.file.file.read().decode()}")

    app = web.Application()
    app.router.add_post("/", handler)
    client = await make_client(app)
    form = aiohttp.FormData()
    form.add_field("id", "1")
    form.add_field("file", b"bytes", filename="a.bin")
    resp = await client.post("/", data=form)
    assert (resp.status, await resp.text()) == (200, "1 a.bin bytes")
    resp = await client.post("/", data={"id": "1", "file": "not a file"})
    assert resp.status == 400 and "Input should be an instance of FileField" in await resp.text()


# -- Sentry's aiohttp integration: Application._handle and UrlDispatcher.resolve wrapped, as methods of the class ----


def _wrap_handle(monkeypatch, seen):
    """Sentry's wrapper of Application._handle reduced: it holds the request weakly, awaits the original and reads the
    returned response's status, or sees the HTTPException (or error) it raises."""
    original = web.Application._handle

    async def wrapped(self, request, *args, **kwargs):
        ref = weakref.ref(request)
        try:
            response = await original(self, request)
        except Exception as exc:
            seen.append((request.method, request.path, type(exc).__name__))
            raise
        seen.append((ref().method, request.path, response.status, response.headers.get("X-Mw")))
        return response

    monkeypatch.setattr(web.Application, "_handle", wrapped)


async def test_a_wrapped_application_handle_serves_every_request(make_server, monkeypatch):
    seen = []
    _wrap_handle(monkeypatch, seen)

    async def ok(request):
        return web.Response(text=request.match_info.get("name", "root"))

    async def found(request):
        raise web.HTTPFound("/")

    async def boom(request):
        raise ZeroDivisionError

    @web.middleware
    async def mw(request, handler):
        response = await handler(request)
        response.headers["X-Mw"] = "1"
        return response

    app = web.Application(middlewares=[mw])
    app.router.add_get("/", ok)
    app.router.add_get("/found", found)
    app.router.add_get("/boom", boom)
    app.router.add_get("/hello/{name}", ok)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        answers = []
        for method, path in [("GET", "/"), ("GET", "/hello/you"), ("GET", "/found"), ("GET", "/boom")]:
            async with session.request(method, srv.url(path), allow_redirects=False) as resp:
                answers.append((resp.status, await resp.text()))
        for method, path in [("GET", "/nope"), ("POST", "/")]:
            async with session.request(method, srv.url(path)) as resp:
                answers.append((resp.status, resp.headers.get("Allow")))
    assert answers == [
        (200, "root"),
        (200, "you"),
        (302, "302: Found"),
        (500, "500 Internal Server Error\n\nServer got itself in trouble"),
        (404, None),
        (405, "GET,HEAD"),
    ]
    # What it returns is the response of the route, middlewares included; an HTTPException (the 404/405 of a miss
    # too) and an error leave it raised, as aiohttp's.
    assert seen == [
        ("GET", "/", 200, "1"),
        ("GET", "/hello/you", 200, "1"),
        ("GET", "/found", "HTTPFound"),
        ("GET", "/boom", "ZeroDivisionError"),
        ("GET", "/nope", "HTTPNotFound"),
        ("POST", "/", "HTTPMethodNotAllowed"),
    ]


async def test_a_wrapped_router_resolve_is_awaited_for_every_request(make_server, monkeypatch):
    # Sentry names the transaction from the match info it returns: the handler, or the route's path or formatter.
    seen = []
    original = web.UrlDispatcher.resolve

    async def resolve(self, request):
        info = await original(self, request)
        route = info.get_info()
        seen.append((info.handler.__name__, route.get("path") or route.get("formatter")))
        return info

    monkeypatch.setattr(web.UrlDispatcher, "resolve", resolve)

    async def item(request):
        return web.Response(text=request.match_info["id"])

    async def index(request):
        return web.Response(text="index")

    app = web.Application()
    app.router.add_get("/items/{id}", item)
    app.router.add_get("/", index)
    srv = await make_server(app)
    assert (await _get(srv, "/items/7"))[::2] == (200, b"7")
    assert (await _get(srv, "/"))[::2] == (200, b"index")
    assert (await _get(srv, "/"))[::2] == (200, b"index")
    assert seen == [("item", "/items/{id}"), ("index", "/"), ("index", "/")]


async def test_a_low_level_server_goes_through_neither(monkeypatch):
    # aiohttp's web.Server has no application: its handler is called without Application._handle or resolve().
    seen = []
    _wrap_handle(monkeypatch, seen)

    async def resolve(self, request):
        raise AssertionError("resolve() called for a low-level server")

    monkeypatch.setattr(web.UrlDispatcher, "resolve", resolve)

    async def handler(request):
        return web.Response(text=request.path)

    server = await asyncio.get_running_loop().create_server(web.Server(handler), "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/any") as resp:
            assert (resp.status, await resp.text()) == (200, "/any")
    finally:
        server.close()
        await server.wait_closed()
    assert seen == []


async def test_a_request_can_be_weakly_referred_to_and_keeps_no_body(make_server):
    # Sentry holds the request weakly for its events, and reports request._read_bytes, the body aiohttp 3's read()
    # keeps: None here, where read() keeps nothing (the aiohttp 0.14 API).
    seen = []

    async def handler(request):
        ref = weakref.ref(request)
        body = await request.read()
        seen.append((ref() is request, request._read_bytes, body, request.can_read_body))
        return web.Response()

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.post(srv.url("/"), data=b"abc") as resp:
        assert resp.status == 200
    assert seen == [(True, None, b"abc", False)]

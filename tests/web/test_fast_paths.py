"""The hot path's shortcuts answer exactly what the general path answers.

``Response(text=...)``, ``json_response`` and ``Response(body=bytes, content_type=...)`` pre-encode their two
header lines; ``Response(..., headers={})`` takes the general path with the same fields, so it is the oracle.
Requests go through ``HttpProtocol`` with a recording transport: the bytes on the wire are compared directly.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable

import pytest
from inproc import feed_reads

import web
from server.detached import RecordingTransport
from server.writer import HeaderInjectionError


def _transport() -> RecordingTransport:
    return RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})


async def _wire(app: web.Application, data: bytes, **settings: object) -> tuple[bytes, bool]:
    """The bytes answered to ``data`` (Date masked), and whether the connection was closed."""
    # three loop turns: the handler's task runs on the loop (it starts eagerly only on Python 3.12+)
    return await feed_reads(app.make_handler(**settings)(), [data], turns=3, settle=0)


def _app(make_response):
    async def handler(request: web.Request) -> web.StreamResponse:
        return make_response(request)

    app = web.Application()
    app.router.add_route("*", "/", handler)
    return app


GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
REQUESTS = {
    "1.1": GET,
    "1.1 pipelined": GET + GET,
    "1.1 close": b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    "1.0": b"GET / HTTP/1.0\r\n\r\n",
    "1.0 keep-alive": b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "HEAD": b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n",
}


def _text(**kw):
    return lambda headers: lambda request: web.Response(text="héllo", headers=headers, **kw)


def _body(**kw):
    return lambda headers: lambda request: web.Response(body=b"\x00\x01", headers=headers, **kw)


def _mutated(change):
    def make(headers):
        def response(request):
            resp = web.Response(text="hello", headers=headers)
            change(resp)
            return resp

        return response

    return make


def _set_body(resp: web.Response) -> None:
    resp.body = b"longer body"


def _add_header(resp: web.Response) -> None:
    resp.headers["X-Extra"] = "1"


def _same_length(resp: web.Response) -> None:
    resp.headers["Content-Length"] = "5"  # the same value: still a change the fast path must not miss


def _connection_close(resp: web.Response) -> None:
    resp.headers["Connection"] = "close"


def _status_204(resp: web.Response) -> None:
    resp.set_status(204)


def _cookie(resp: web.Response) -> None:
    resp.set_cookie("a", "b")


def _force_close(resp: web.Response) -> None:
    resp.force_close()


def _date(resp: web.Response) -> None:
    resp.headers["Date"] = "Thu, 01 Jan 1970 00:00:00 GMT"


def _headers_read(resp: web.Response) -> None:
    # Builds the fast path's headers multidict without changing it: the head still comes from the cached line.
    assert resp.headers["Content-Length"] == "5" and resp.content_type == "text/plain"


def _text_read(resp: web.Response) -> None:
    assert resp.text == "hello" and resp.content_length == 5 and resp.charset == "utf-8"


def _cookies(resp: web.Response) -> None:
    resp.set_cookie("a", "b")
    resp.set_cookie("s", "v w", max_age=10, httponly=True, samesite="Lax")
    resp.del_cookie("gone")


def _injected_cookie(resp: web.Response) -> None:
    resp.set_cookie("a", "b")
    resp.cookies["a"]["path"] = "/\r\nX-Evil: 1"  # a morsel's attributes are not checked when assigned


def _add(*fields: tuple[str, str]):
    def change(resp: web.Response) -> None:
        for name, value in fields:
            resp.headers.add(name, value)

    return change


def _add_then(then):
    def change(resp: web.Response) -> None:
        resp.headers["X-Request-Id"] = "r-1"
        then(resp)

    return change


def _reordered(resp: web.Response) -> None:
    del resp.headers["Content-Length"]
    resp.headers["X-Extra"] = "1"
    resp.headers["Content-Length"] = "5"


def _none_body_then_length(resp: web.Response) -> None:
    resp.body = None
    resp.headers["Content-Length"] = "0"


ADDED = {
    "two": _add(("X-A", "1"), ("X-B", "2")),
    "the same name twice": _add(("X-A", "1"), ("x-a", "2")),
    "non-ASCII value": _add(("X-Name", "héllo")),
    "Server": _add(("Server", "mine")),
    "Date": _add(("Date", "Thu, 01 Jan 1970 00:00:00 GMT")),
    "Connection: keep-alive": _add(("Connection", "keep-alive")),
    "Connection: close": _add(("Connection", "close")),
    "a second Content-Length": _add(("Content-Length", "5")),
    "a second Content-Type": _add(("Content-Type", "text/html")),
    "Transfer-Encoding": _add(("Transfer-Encoding", "chunked")),
    "a Set-Cookie field": _add(("Set-Cookie", "a=b")),
    "CR LF in a value": _add(("X-Evil", "a\r\nSet-Cookie: pwned=1")),
    "LF in a name": _add(("X-Evil\nX", "1")),
    "CR in a name": _add(("X-Evil\rX", "1")),
    "CR alone in a value": _add(("X-Evil", "a\rb")),
    "then removed": _add_then(lambda resp: resp.headers.popall("X-Request-Id")),
    "then the body set": _add_then(_set_body),
    "then a cookie": _add_then(_cookie),
    "then force_close": _add_then(_force_close),
    "then status 201": _add_then(lambda resp: resp.set_status(201)),
    "then status 299 with a reason": _add_then(lambda resp: resp.set_status(299, "Fine")),
    "then set_status(204)": _add_then(_status_204),
    "then Content-Type set again": _add_then(lambda resp: resp.headers.__setitem__("Content-Type", "text/html")),
    "then content-type set, the same value": _add_then(
        lambda resp: resp.headers.__setitem__("content-type", "text/plain; charset=utf-8")
    ),
    "then the text set": _add_then(lambda resp: setattr(resp, "text", "another")),
    "then compression": _add_then(lambda resp: resp.enable_compression(web.ContentCoding.gzip)),
    "Content-Length moved last": _reordered,
    "no body, then a Content-Length": _none_body_then_length,
}


CASES = {
    "text": _text(),
    "text 201": _text(status=201),
    "text reason": _text(status=299, reason="Fine"),
    "text html": _text(content_type="text/html"),
    "body image/png": _body(content_type="image/png"),
    "json": lambda headers: lambda request: web.json_response({"a": "b"}, headers=headers),
    "json, 10 KiB": lambda headers: lambda request: web.json_response({"a": "b" * 10240}, headers=headers),
    "body, 64 KiB": lambda headers: lambda request: web.Response(body=bytes(range(256)) * 256, headers=headers),
    "empty body": lambda headers: lambda request: web.Response(body=b"", content_type="a/b", headers=headers),
    "body set after": _mutated(_set_body),
    "header added after": _mutated(_add_header),
    "same length set after": _mutated(_same_length),
    "Connection: close after": _mutated(_connection_close),
    "set_status(204) after": _mutated(_status_204),
    "cookie after": _mutated(_cookie),
    "force_close after": _mutated(_force_close),
    "Date after": _mutated(_date),
    "cookies after": _mutated(_cookies),
    "cookie injected after": _mutated(_injected_cookie),
    "headers read, then cookies": _mutated(lambda resp: (_headers_read(resp), _cookies(resp))),
    "headers read after": _mutated(_headers_read),
    "text read after": _mutated(_text_read),
    "headers read, then one added": _mutated(lambda resp: (_headers_read(resp), _add_header(resp))),
    # Fields added after the first two (a middleware's X-Request-Id): the fast path sends them after Content-Length
    # when the general path would send them as they stand, and leaves every other case to it.
    **{f"added: {name}": _mutated(change) for name, change in ADDED.items()},
}


@pytest.mark.parametrize("request_name", REQUESTS)
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("server_header", [None, "prefork"])
async def test_fast_response_is_answered_as_the_general_path(case, request_name, server_header) -> None:
    data = REQUESTS[request_name]
    fast = await _wire(_app(CASES[case](None)), data, server_header=server_header)
    general = await _wire(_app(CASES[case]({})), data, server_header=server_header)
    assert fast == general
    # An HTTP/1.0 request gets an HTTP/1.0 status line, as aiohttp answers.
    assert fast[0].startswith(b"HTTP/1.0 " if data.split(b"\r\n", 1)[0].endswith(b"1.0") else b"HTTP/1.1 ")


async def test_bodies_of_every_length_share_one_cached_head_and_answer_as_the_general_path() -> None:
    # The caches are keyed by the Content-Type line, not the body's length: 40 JSON documents of 40 lengths are
    # answered byte for byte as the general path answers them, from one cached head.
    from web import streamresponse as response_module

    def app(headers):
        count = [0]

        def make(request):
            count[0] += 1
            return web.json_response({"n": "x" * count[0]}, headers=headers)

        return _app(make)

    async def wire(app: web.Application) -> bytes:
        protocol = app.make_handler()()
        transport = _transport()
        protocol.connection_made(transport)
        for _ in range(40):
            protocol.data_received(GET)
            for _ in range(3):
                await asyncio.sleep(0)
        protocol.connection_lost(None)
        return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written))

    response_module._HEAD_CACHE.clear()
    fast = await wire(app(None))
    assert len(response_module._HEAD_CACHE) == 1
    general = await wire(app({}))
    assert fast == general and fast.count(b"HTTP/1.1 200 OK\r\n") == 40


async def test_fast_response_headers_are_frozen_after_start() -> None:
    resp = web.Response(text="x")
    seen: list[BaseException] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        await resp.prepare(request)
        try:
            resp.headers["X-Late"] = "1"
        except RuntimeError as exc:
            seen.append(exc)
        return resp

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    wire, _ = await _wire(app, GET)
    assert len(seen) == 1 and b"X-Late" not in wire and wire.endswith(b"\r\n\r\nx")


async def test_a_header_injected_after_the_fast_init_is_refused() -> None:
    errors: list[BaseException] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.Response(text="x")
        resp.headers["X-Evil"] = "a\r\nSet-Cookie: pwned=1"
        try:
            await resp.prepare(request)
        except HeaderInjectionError as exc:
            errors.append(exc)
            raise
        return resp

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    wire, _ = await _wire(app, GET)
    assert errors and wire.startswith(b"HTTP/1.1 500 ") and b"pwned" not in wire


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "x", "content_type": "text/plain; charset=utf-8"}, ValueError),
        ({"text": "x", "content_type": "text/plain\r\nX-Evil: 1"}, ValueError),
        ({"body": b"x", "content_type": "a/b; charset=utf-8"}, ValueError),
        ({"body": b"x", "content_type": "a/b\nX-Evil: 1"}, ValueError),
        ({"text": "x", "status": 1000}, ValueError),
        ({"text": "x", "reason": "a\r\nb", "status": 200}, ValueError),
    ],
)
def test_fast_init_refuses_what_the_general_path_refuses(kwargs, error) -> None:
    with pytest.raises(error):
        web.Response(**kwargs)
    with pytest.raises(error):
        web.Response(headers={}, **kwargs)


class _Target:
    """What the router reads of a request."""

    def __init__(self, method: str, raw_path: str) -> None:
        self.method = method
        self.raw_path = raw_path
        self.path = raw_path.partition("?")[0]


async def _ok(request: web.Request) -> web.Response:
    return web.Response()


def _table() -> web.UrlDispatcher:
    router = web.UrlDispatcher()
    router.add_route("GET", "/a/{x}", _ok)  # before the plain /a/b: it wins there (FIFO)
    router.add_route("GET", "/a/b", _ok)
    router.add_route("POST", "/a/b", _ok)
    router.add_get("/", _ok)
    router.add_route("*", "/any", _ok)
    router.add_route("GET", "/s/", _ok)
    # Another resource of the same path (the one before refuses it, RuntimeError), never reached: '*' wins (FIFO).
    router.add_route("PUT", "/any", _ok)
    router.add_route("GET", "/%C3%A9", _ok)
    router.add_route("GET", "/é", _ok)
    router.add_route("GET", "/x", _ok)
    router.add_route("GET", "/{tail:.*}", _ok)  # after every plain route above
    return router


PATHS = ("/", "/a/b", "/a/c", "/any", "/s/", "/s", "/x", "/x/", "/x?q=1", "/%78", "/é", "/%C3%A9", "/nope", "//")
TARGETS = [(method, path) for method in ("GET", "HEAD", "POST", "PUT", "DELETE") for path in PATHS]


@pytest.mark.parametrize(("method", "path"), TARGETS)
def test_direct_route_table_agrees_with_the_lookup(method, path) -> None:
    router = _table()
    router.freeze()
    fast = router.resolve_now(_Target(method, path))
    slow = router.match(method, web.routes.routing_path(path))
    assert type(fast) is type(slow) and fast._route is slow._route and dict(fast) == dict(slow)
    if fast._route is None:
        assert fast.http_exception.status == slow.http_exception.status


def test_direct_route_table_follows_routes_added_before_freezing() -> None:
    router = web.UrlDispatcher()
    first = router.add_route("GET", "/p", _ok)
    assert router.resolve_now(_Target("GET", "/p")).route is first
    second = router.add_route("POST", "/p", _ok)
    assert router.resolve_now(_Target("POST", "/p")).route is second
    info = router.resolve_now(_Target("GET", "/p"))
    info["added"] = "1"  # match info is the request's own: changing it leaves the table alone
    assert dict(router.resolve_now(_Target("GET", "/p"))) == {}


async def test_request_headers_built_on_first_read_are_all_there() -> None:
    seen: list[object] = []

    async def handler(request: web.Request) -> web.Response:
        exchange = request._exchange
        seen.append(exchange.headers is exchange.headers)
        seen.append(list(request.headers.items()))
        return web.Response(text=request.headers["x-a"])

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    wire, _ = await _wire(app, b"GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\nx-a: 2 \r\n\r\n")
    assert seen == [True, [("Host", "t"), ("X-A", "1"), ("x-a", "2")]]
    assert wire.endswith(b"\r\n\r\n1")


async def test_cached_head_follows_the_date_and_server_lines(monkeypatch):
    # The head of a keep-alive 200 is cached by its Content-Type line while the Date source (renewed by each
    # registry's ticker, and when it starts ticking for a connection) keeps its generation.
    import server.dateheader as dateheader

    clock = [1_000_000_000.5]
    monkeypatch.setattr(dateheader.time, "time", lambda: clock[0])
    app = _app(lambda request: web.Response(text="cached"))

    async def head(**settings: object) -> bytes:
        protocol = app.make_handler(**settings)()
        transport = _transport()
        protocol.connection_made(transport)
        protocol.data_received(GET)
        for _ in range(3):  # the handler's task runs on the loop (it starts eagerly only on Python 3.12+)
            await asyncio.sleep(0)
        protocol.connection_lost(None)
        assert transport.writes == 1
        return bytes(transport.written)

    first = await head()
    assert b"Date: Sun, 09 Sep 2001 01:46:40 GMT\r\n" in first
    assert await head() == first
    clock[0] += 1
    later = await head()
    assert b"Date: Sun, 09 Sep 2001 01:46:41 GMT\r\n" in later and later.replace(b":41 GMT", b":40 GMT") == first
    other = await head(server_header="other")
    assert b"Server: other\r\n" in other and b"Date: Sun, 09 Sep 2001 01:46:41 GMT\r\n" in other
    assert await head() == later


def test_fast_headers_are_a_copy_of_the_cached_fields():
    first = web.Response(text="same length")
    first.headers["X-Extra"] = "1"
    first.content_type = "text/html"
    second = web.Response(text="same length")
    assert list(second.headers.items()) == [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "11"),
    ]
    assert second._fields is not None and second.headers is not first.headers


def _nested_app() -> web.Application:
    app = web.Application()
    app.router.add_route("GET", "/", _ok)
    app.router.add_route("GET", "/sub/early", _ok)  # before the sub-application that claims its prefix
    sub = web.Application()
    sub.router.add_route("GET", "/early", _ok)
    sub.router.add_route("GET", "/late", _ok)
    sub.router.add_route("GET", "/", _ok)
    app.add_subapp("/sub", sub)
    app.router.add_route("GET", "/sub/late", _ok)  # after it: the sub-application wins
    app.router.add_route("GET", "/subway", _ok)  # shares the prefix's letters, not its segment
    app.router.add_route("POST", "/x", _ok)
    app.router.add_route("GET", "/{tail:.*}", _ok)
    return app


NESTED_PATHS = ("/", "/sub", "/sub/", "/sub/early", "/sub/late", "/subway", "/x", "/nope", "/sub/nope")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
@pytest.mark.parametrize("path", NESTED_PATHS)
def test_direct_route_table_with_a_sub_application_agrees_with_match_request(method, path) -> None:
    app = _nested_app()
    app.freeze()
    router = app.router
    target = _Target(method, path)
    fast = router.resolve_target(target, path, method)
    slow = router.match_request(target, method, web.routes.routing_path(path))
    assert type(fast) is type(slow) and fast._route is slow._route and dict(fast) == dict(slow)
    assert fast.apps == slow.apps


def test_a_domain_sub_application_leaves_the_direct_table_empty() -> None:
    app = web.Application()
    app.router.add_route("GET", "/", _ok)
    app.add_domain("example.com", web.Application())
    app.freeze()
    assert app.router._build_direct() == {}


@pytest.mark.parametrize("case", ["text", "text html", "body image/png", "json", "empty body"])
def test_fast_response_headers_are_built_on_first_read_as_the_general_path_builds_them(case) -> None:
    # The fast path builds no headers multidict until one is read; the one it builds then is the general path's.
    fast, general = CASES[case](None)(None), CASES[case]({})(None)
    assert "_headers" not in vars(fast)
    assert list(fast.headers.items()) == list(general.headers.items())
    assert (fast.content_type, fast.charset, fast.content_length) == (
        general.content_type,
        general.charset,
        general.content_length,
    )


def test_a_missing_attribute_of_a_fast_response_still_raises_attribute_error() -> None:
    resp = web.Response(text="x")
    assert not hasattr(resp, "no_such_attribute") and "_headers" not in vars(resp)
    with pytest.raises(AttributeError, match="no_such_attribute"):
        resp.no_such_attribute  # noqa: B018
    assert not hasattr(web.StreamResponse(), "no_such_attribute")


async def _fast_against_general(
    mutate: Callable[[web.Response], object], request_name: str
) -> tuple[tuple[bytes, bool], tuple[bytes, bool], dict[str, list[tuple[str, str]]]]:
    """Send ``mutate``d ``Response(text="hello")`` by the fast path and by the general one (``headers={}``); return
    both wires and the headers each response reads after write_eof (``seen["fast"]``, ``seen["general"]``)."""
    seen: dict[str, list[tuple[str, str]]] = {}

    def app(headers, key):
        async def handler(request: web.Request) -> web.StreamResponse:
            resp = web.Response(text="hello", headers=headers)
            mutate(resp)
            await resp.prepare(request)
            await resp.write_eof()
            seen[key] = list(resp.headers.items())
            return resp

        app = web.Application()
        app.router.add_route("*", "/", handler)
        return app

    fast = await _wire(app(None, "fast"), REQUESTS[request_name])
    general = await _wire(app({}, "general"), REQUESTS[request_name])
    return fast, general, seen


@pytest.mark.parametrize("request_name", ["1.1", "1.0", "HEAD"])
async def test_headers_read_after_a_fast_start_with_cookies_are_the_general_paths(request_name) -> None:
    # Set-Cookie fields sent by the fast path show in the headers read afterwards, as the general path's do.
    fast, general, seen = await _fast_against_general(_cookies, request_name)
    assert fast == general and seen["fast"] == seen["general"]
    assert next(value for name, value in seen["fast"] if name == "Set-Cookie") == "a=b; Path=/"


@pytest.mark.parametrize("body", [None, io.BytesIO(b"streamed"), b"bytes"])
def test_a_body_assigned_to_a_fast_response_leaves_the_general_paths_headers(body) -> None:
    # The fast path's headers are built from the body it had, then changed as the general path's are.
    fast, general = web.Response(text="hello"), web.Response(text="hello", headers={})
    fast.body = general.body = body
    assert list(fast.headers.items()) == list(general.headers.items())


@pytest.mark.parametrize("request_name", ["1.1", "1.1 close", "1.0", "1.0 keep-alive", "HEAD"])
@pytest.mark.parametrize("case", ["two", "then the body set", "Server", "then status 201"])
async def test_headers_read_after_a_fast_start_with_added_fields_are_the_general_paths(case, request_name) -> None:
    # The headers after the start are those the general path leaves: nothing removed, nothing added.
    fast, general, seen = await _fast_against_general(ADDED[case], request_name)
    assert fast == general and seen["fast"] == seen["general"]


async def test_a_middleware_adding_a_field_keeps_the_fast_path(monkeypatch) -> None:
    # request_id in bench/apps/realistic.py: the field added after the handler costs no general path (which
    # encodes the head with encode_head), and the bytes are the general path's.
    from web import streamresponse

    @web.middleware
    async def request_id(request: web.Request, handler):
        response = await handler(request)
        response.headers["X-Request-Id"] = request.headers.get("X-Request-Id", "none")
        return response

    def app(headers):
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(text="hello", headers=headers)

        app = web.Application(middlewares=[request_id])
        app.router.add_route("GET", "/", handler)
        return app

    data = b"GET / HTTP/1.1\r\nHost: t\r\nX-Request-Id: r-1\r\n\r\n"
    general = await _wire(app({}), data)
    calls: list[object] = []
    encode_head = streamresponse.encode_head
    monkeypatch.setattr(streamresponse, "encode_head", lambda *a: calls.append(a) or encode_head(*a))
    fast = await _wire(app(None), data)
    assert fast == general and b"\r\nX-Request-Id: r-1\r\n" in fast[0] and calls == []


def _deeply_nested_app() -> web.Application:
    app = web.Application()
    app.router.add_route("GET", "/", _ok)
    app.router.add_route("GET", "/{head:deep}/shadow", _ok)  # a pattern before the sub-application at /deep
    app.router.add_route("GET", "/tail", _ok)  # answers /tail/ too (the slash ignored) before the sub-application
    sub = web.Application()
    sub.router.add_route("GET", "/early", _ok)
    sub.router.add_route("POST", "/late", _ok)
    sub.router.add_route("GET", "/", _ok)
    inner = web.Application()
    inner.router.add_route("GET", "/x", _ok)
    inner.router.add_route("GET", "/", _ok)
    inner.router.add_route("*", "/any", _ok)
    inner.router.add_route("GET", "/{y}", _ok)
    sub.add_subapp("/inner", inner)
    app.add_subapp("/sub", sub)
    other = web.Application()  # under /sub/other: /sub claims those paths first
    other.router.add_route("GET", "/o", _ok)
    app.add_subapp("/sub/other", other)
    deep = web.Application()
    deep.router.add_route("GET", "/shadow", _ok)
    deep.router.add_route("PUT", "/ok", _ok)
    deep.router.add_route("GET", "/ok", _ok)
    app.add_subapp("/deep", deep)
    tail = web.Application()
    tail.router.add_route("GET", "/", _ok)
    tail.router.add_route("GET", "/t", _ok)
    app.add_subapp("/tail", tail)
    app.router.add_route("GET", "/sub/early", _ok)  # after /sub: the sub-application wins
    return app


DEEP_PATHS = (
    "/", "/sub", "/sub/", "/sub/early", "/sub/late", "/sub/inner", "/sub/inner/", "/sub/inner/x", "/sub/inner/any",
    "/sub/inner/z", "/sub/other/o", "/deep/shadow", "/deep/ok", "/deep/ok/", "/tail", "/tail/", "/tail/t",
    "/sub/early?q=1", "/nope",
)  # fmt: skip


def _without_direct_tables(monkeypatch: pytest.MonkeyPatch, app: web.Application) -> None:
    # _resolve reads the outermost table itself (and the tail table built with it); the sub-applications' through
    # _direct_match.
    def empty(self: web.UrlDispatcher) -> dict[str, object]:
        self._tails = {}
        self._direct = {}
        return self._direct

    monkeypatch.setattr(web.UrlDispatcher, "_direct_match", lambda self, path, method, parent: None)
    monkeypatch.setattr(web.UrlDispatcher, "_build_direct", empty)
    app.router._direct = None
    app.router._tails = {}


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "HEAD"])
@pytest.mark.parametrize("path", DEEP_PATHS)
def test_direct_tables_of_nested_applications_agree_with_the_lookup(method, path, monkeypatch) -> None:
    # The outermost table holds its sub-applications' plain routes; the answer, apps included, is the lookup's.
    app = _deeply_nested_app()
    app.freeze()
    target = _Target(method, path)
    fast = app.router.resolve_target(target, path, method)
    _without_direct_tables(monkeypatch, app)
    slow = app.router.resolve_target(target, path, method)
    assert type(fast) is type(slow) and fast._route is slow._route and dict(fast) == dict(slow)
    assert fast.apps == slow.apps
    if slow._route is None:
        assert fast.http_exception.status == slow.http_exception.status


def test_the_direct_table_holds_a_nested_sub_application_s_routes_which_are_frozen() -> None:
    app = web.Application()
    sub = web.Application()
    inner = web.Application()
    inner.router.add_route("GET", "/a", _ok)
    sub.add_subapp("/inner", inner)
    app.add_subapp("/sub", sub)
    assert app.router.resolve_target(_Target("GET", "/sub/inner/a"), "/sub/inner/a", "GET").apps == (app, sub, inner)
    assert "/sub/inner/a" in app.router._direct  # the inner route is in the outermost table
    # add_subapp() froze the sub-applications' routers (aiohttp 3's pre_freeze), so the table cannot go stale.
    with pytest.raises(RuntimeError):
        inner.router.add_route("GET", "/b", _ok)
    with pytest.raises(RuntimeError):
        sub.router.add_route("GET", "/b", _ok)


@pytest.mark.parametrize("path", ["/a/x", "/a/%78", "/a/b%2Fc", "/a/%25"])
def test_a_pattern_routes_match_info_is_the_one_its_class_builds(path) -> None:
    router = _table()
    info = router.match("GET", web.routes.routing_path(path))
    built = web.UrlMappingMatchInfo(info.route.match(web.routes.routing_path(path)), info.route)
    assert type(info) is type(built) and dict(info) == dict(built) and info.route is built.route
    assert (info.apps, info.frozen, info.handler) == (built.apps, built.frozen, built.handler)
    info.add_app("outer")  # not frozen before the router answers it
    assert info.apps == ("outer",)


# What a Response may store beyond web.response._RESPONSE_ATTRIBUTES: compression and streamed bodies, left out of
# the names Response's instances share (see there) on purpose.
_RARE_ATTRIBUTES = {"_compression", "_compression_force", "_compression_strategy", "_compressor", "_compressed"}


@pytest.mark.parametrize("request_name", ["1.1", "1.0", "1.1 close"])
@pytest.mark.parametrize("case", CASES)
async def test_every_name_a_response_stores_is_one_its_class_learned_at_import(case, request_name) -> None:
    # Response's instances share one table of attribute names, which CPython stops growing after some thirty
    # instances: a name missing from it costs each response that stores it a dict of its own. The names are taught
    # at import (web.response._RESPONSE_ATTRIBUTES); a name a request path stores and the list lacks fails here.
    from web.response import _RESPONSE_ATTRIBUTES

    made: list[web.StreamResponse] = []

    def keep(request: web.Request) -> web.StreamResponse:
        made.append(CASES[case](None)(request))
        return made[-1]

    await _wire(_app(keep), REQUESTS[request_name])
    stored = set(vars(made[0]))
    assert stored - _RARE_ATTRIBUTES <= set(_RESPONSE_ATTRIBUTES), sorted(stored - set(_RESPONSE_ATTRIBUTES))

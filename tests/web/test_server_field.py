"""The Server and Date fields, and what ``on_response_prepare`` callbacks see of them, over a real server.

aiohttp sends a Server field on every response and puts Date and Server into ``response.headers`` before its
``on_response_prepare`` callbacks run, so applications remove or replace Server there (``del
response.headers["Server"]``, unguarded): with us that was a KeyError, and the response a 500.
"""

from __future__ import annotations

import re

import aiohttp
import pytest

import web


async def _hello(request):
    return web.Response(text="hello")


async def _stream(request):
    response = web.StreamResponse()
    response.content_type = "text/plain"
    await response.prepare(request)
    await response.write(b"streamed")
    return response


def _app(*callbacks):
    app = web.Application()
    app.router.add_get("/", _hello)
    app.router.add_get("/stream", _stream)
    for callback in callbacks:
        app.on_response_prepare.append(callback)
    return app


def _fields(head: bytes) -> list[str]:
    return [line.split(b":", 1)[0].decode() for line in head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]]


@pytest.mark.parametrize("path", ["/", "/stream"])
async def test_every_response_names_the_server_once(make_server, path):
    server = await make_server(_app())
    async with aiohttp.ClientSession() as s, s.get(server.url(path)) as r:
        assert r.headers.getall("Server") == ["prefork"]
        assert len(r.headers.getall("Date")) == 1


@pytest.mark.parametrize("server_header", [None, ""])
async def test_server_header_none_or_empty_sends_no_server_field(make_server, server_header):
    server = await make_server(_app(), server_header=server_header)
    async with aiohttp.ClientSession() as s, s.get(server.url("/")) as r:
        assert "Server" not in r.headers
        assert "Date" in r.headers


@pytest.mark.parametrize("path", ["/", "/stream"])
async def test_on_response_prepare_sees_date_and_server_and_may_remove_server(make_server, path):
    seen = {}

    async def strip_server(request, response):
        seen.update(response.headers)
        del response.headers["Server"]  # the usual recipe, unguarded

    server = await make_server(_app(strip_server))
    async with aiohttp.ClientSession() as s, s.get(server.url(path)) as r:
        assert r.status == 200
        assert await r.text() in ("hello", "streamed")
        assert "Server" not in r.headers
        assert r.headers["Date"] == seen["Date"]
    assert seen["Server"] == "prefork"


async def test_on_response_prepare_may_replace_the_server_field(make_server, raw):
    async def rename(request, response):
        response.headers["Server"] = "edge"

    server = await make_server(_app(rename), server_header="configured")
    head = await raw(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert head.count(b"\r\nServer: ") == 1
    assert b"\r\nServer: edge\r\n" in head


async def test_a_date_the_callbacks_remove_is_sent_all_the_same(make_server, raw):
    # RFC 9110 §6.6.1: an origin server with a clock MUST send Date in 2xx, 3xx and 4xx responses.
    async def strip(request, response):
        del response.headers["Date"]

    server = await make_server(_app(strip))
    head = await raw(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _fields(head).count("Date") == 1
    assert _fields(head).count("Server") == 1


async def test_a_handler_s_own_server_field_is_the_one_sent(make_server):
    async def handler(request):
        return web.Response(text="x", headers={"Server": "mine"})

    app = web.Application()
    app.router.add_get("/", handler)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/")) as r:
        assert r.headers.getall("Server") == ["mine"]


async def test_callbacks_that_change_nothing_send_the_head_of_the_app_without_them(make_server, raw):
    async def nothing(request, response):
        pass

    request = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    plain = await raw((await make_server(_app())).port, request)
    hooked = await raw((await make_server(_app(nothing))).port, request)
    assert _fields(hooked) == _fields(plain) == ["Content-Type", "Content-Length", "Date", "Server", "Connection"]
    assert hooked.split(b"\r\n\r\n", 1)[1] == plain.split(b"\r\n\r\n", 1)[1] == b"hello"


async def _add(request, response):
    response.headers["X-Frame-Options"] = "DENY"


async def _strip_server(request, response):
    del response.headers["Server"]


async def _strip_date(request, response):
    del response.headers["Date"]


async def _rename(request, response):
    response.headers["Server"] = "edge"


async def _close(request, response):
    response.headers["Connection"] = "close"


async def _move_date(request, response):
    # The same value again, now after every other field.
    date = response.headers.pop("Date")
    response.headers.add("Date", date)


async def _same_date(request, response):
    response.headers["Date"] = response.headers["Date"]  # the same object where it stands


async def _equal_server(request, response):
    response.headers["Server"] = "".join(["pre", "fork"])  # an equal value, another object


async def _strip_both_add_two(request, response):
    del response.headers["Date"], response.headers["Server"]
    response.headers["X-One"] = "1"
    response.headers.add("X-Two", "2")


async def _strip_request_id(request, response):
    response.headers.pop("X-Request-Id", None)  # a field before the shown ones: those move up


async def _second_date(request, response):
    response.headers.add("Date", "Thu, 01 Jan 1970 00:00:00 GMT")


@web.middleware
async def _request_id(request, handler):
    # A middleware's field, set before the callbacks run: the shown Date and Server come after it.
    response = await handler(request)
    response.headers["X-Request-Id"] = "r-1"
    return response


@pytest.mark.parametrize(
    "callback",
    [
        _add,
        _strip_server,
        _strip_date,
        _rename,
        _close,
        _move_date,
        _same_date,
        _equal_server,
        _strip_both_add_two,
        _strip_request_id,
        _second_date,
    ],
)
@pytest.mark.parametrize("request_line", [b"GET / HTTP/1.1", b"GET / HTTP/1.0", b"GET /stream HTTP/1.1"])
@pytest.mark.parametrize("middleware", [False, True])
@pytest.mark.parametrize("server_header", ["prefork", None])
async def test_a_response_after_callbacks_is_the_general_path_s_byte_for_byte(
    make_server, raw, monkeypatch, callback, request_line, middleware, server_header
):
    # The fast path keeps a Response whose callbacks left Date and Server in its headers (_added_lines); it must
    # send what the general path of _start sends for the same response.
    # Two requests: the first answered on a kept-alive connection (the cached head of a 200), the second closing.
    data = request_line + b"\r\nHost: x\r\n\r\n" + request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n"
    app = _app(callback)
    if middleware:
        app.middlewares.append(_request_id)
    server = await make_server(app, server_header=server_header)
    fast = await raw(server.port, data)
    monkeypatch.setattr(web.StreamResponse, "_added_lines", lambda self, built: None)
    general = await raw(server.port, data)
    date = re.compile(rb"\r\nDate: [^\r]*")
    assert date.sub(b"\r\nDate: -", fast) == date.sub(b"\r\nDate: -", general)
    assert _fields(fast).count("Date") == (2 if callback is _second_date else 1)


@pytest.mark.parametrize("server_header", ["prefork", None])
async def test_answers_of_the_connection_layer_name_the_server_too(make_server, raw, server_header):
    # A malformed request is answered 400 by the server before any handler: the same Server field as every answer.
    server = await make_server(_app(), server_header=server_header)
    head = await raw(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert _fields(head).count("Server") == (1 if server_header else 0)
    assert (b"\r\nServer: prefork\r\n" in head) is bool(server_header)

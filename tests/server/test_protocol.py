"""The HTTP/1.1 connection layer over real sockets: keep-alive, pipelining, bodies, limits, timeouts, errors."""

from __future__ import annotations

import asyncio
import json
import logging
import re

import pytest
from http_client import parse_responses, read_response

from web import Application, Response, StreamResponse


def _app() -> Application:
    app = Application()

    async def echo(request):
        body = await request.read()
        return Response(
            text=json.dumps(
                {
                    "method": request.method,
                    "path_qs": request.path_qs,
                    "version": list(request.version),
                    "body": body.decode("latin-1"),
                    "headers": list(request.headers.items()),
                }
            ),
            content_type="application/json",
        )

    async def hello(request):
        return Response(text="hello")

    async def slow(request):
        await asyncio.sleep(float(request.query.get("t", "0.2")))
        return Response(text=request.query.get("id", "slow"))

    async def boom(request):
        raise RuntimeError("secret detail")

    async def ignore_body(request):
        return Response(text="ignored")

    async def stream(request):
        resp = StreamResponse()
        await resp.prepare(request)
        for i in range(3):
            resp.write(b"part%d;" % i)
            await resp.drain()
        await resp.write_eof()
        return resp

    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/", hello)
    app.router.add_route("GET", "/slow", slow)
    app.router.add_route("GET", "/boom", boom)
    app.router.add_route("POST", "/ignore", ignore_body)
    app.router.add_route("GET", "/stream", stream)
    return app


GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


async def test_aiohttp_014_example_create_server_with_make_handler(unused_port):
    app = _app()
    loop = asyncio.get_running_loop()
    port = unused_port()
    server = await loop.create_server(app.make_handler(), "127.0.0.1", port)
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"hello")
    finally:
        server.close()
        await server.wait_closed()


async def test_keep_alive_is_the_default_for_http11(make_server):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    for _ in range(3):
        writer.write(GET)
        _, headers, body = await asyncio.wait_for(read_response(reader), 5)
        assert headers.get("connection") != "close"
        assert body == b"hello"
    writer.close()


@pytest.mark.parametrize(
    ("request_bytes", "closes", "connection_header"),
    [
        (b"GET / HTTP/1.0\r\n\r\n", True, None),  # HTTP/1.0 closes by default: no header, as aiohttp
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", False, "keep-alive"),
        (b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", True, "close"),
    ],
)
async def test_connection_header_is_honoured(make_server, raw, request_bytes, closes, connection_header):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(request_bytes)
    _, headers, body = await asyncio.wait_for(read_response(reader), 5)
    assert headers.get("connection") == connection_header
    assert body == b"hello"
    if closes:
        assert await asyncio.wait_for(reader.read(), 5) == b""
    else:
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), 5)).endswith(b"hello")
    writer.close()


@pytest.mark.parametrize("path", [b"/", b"/stream", b"/boom"])
async def test_an_http10_request_gets_an_http10_status_line(make_server, raw, path):
    # As aiohttp answers (RFC 9110 section 6.2 allows either): fast path, streamed and error answers alike.
    srv = await make_server(_app())
    answer = await raw(srv.port, b"GET %s HTTP/1.0\r\n\r\n" % path)
    assert answer.startswith(b"HTTP/1.0 ") and b"\r\nConnection:" not in answer
    answer = await raw(srv.port, b"GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" % path)
    assert answer.startswith(b"HTTP/1.1 ")


async def test_pipelined_requests_are_answered_in_order(make_server, raw):
    srv = await make_server(_app())
    payload = (
        b"GET /slow?t=0.2&id=first HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /slow?t=0&id=second HTTP/1.1\r\nHost: t\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nthird"
        b"GET /slow?t=0.05&id=fourth HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    responses = raw.parse(await raw(srv.port, payload))
    assert [r.status for r in responses] == [200] * 4
    assert responses[0].body == b"first" and responses[1].body == b"second"
    assert json.loads(responses[2].body)["body"] == "third"
    assert responses[3].body == b"fourth"


async def test_many_pipelined_requests_pause_reading_and_all_get_answers(make_server, raw):
    srv = await make_server(_app(), max_pipeline=4)
    n = 40
    payload = b"GET /slow?t=0.001&id=%d HTTP/1.1\r\nHost: t\r\n\r\n" * 1
    payload = b"".join(b"GET /slow?t=0.001&id=%d HTTP/1.1\r\nHost: t\r\n\r\n" % i for i in range(n))
    payload += b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    responses = raw.parse(await raw(srv.port, payload))
    assert [r.body for r in responses[:-1]] == [str(i).encode() for i in range(n)]
    assert responses[-1].body == b"hello"


async def test_requests_pipelined_behind_ignored_upgrades_are_answered(make_server, raw):
    # llhttp stops at every upgrade request, even one we ignore (RFC 9110 section 7.8): a fresh parser reads on.
    # 2,000 of them in one write: the parser is replaced in a loop, not by recursion.
    srv = await make_server(_app(), max_pipeline=4)
    n = 2000
    upgrade = b"GET /echo HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
    payload = upgrade * n + b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlast"
    responses = raw.parse(await raw(srv.port, payload, timeout=20.0))
    assert [r.status for r in responses] == [200] * (n + 1)
    assert json.loads(responses[-1].body)["body"] == "last"


WS_UPGRADE = (
    b"GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
CLOSE_GET = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


async def test_requests_pipelined_behind_declined_websocket_upgrades_are_answered_once(make_server, raw):
    # A handler that answers a websocket upgrade without taking the connection over declines it (RFC 9110
    # section 7.8): what was held behind it is parsed as HTTP/1.1, including a second upgrade, as aiohttp does.
    srv = await make_server(_app(), max_pipeline=4)
    pipelined = b"".join(b"GET /slow?t=0&id=%d HTTP/1.1\r\nHost: t\r\n\r\n" % i for i in range(10))
    responses = raw.parse(await raw(srv.port, WS_UPGRADE + WS_UPGRADE + pipelined + CLOSE_GET))
    assert [r.status for r in responses] == [200] * 13
    assert [r.body for r in responses] == [b"hello"] * 2 + [str(i).encode() for i in range(10)] + [b"hello"]
    assert "connection" not in responses[0].headers


async def test_a_request_split_behind_a_declined_websocket_upgrade_is_answered(make_server):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(WS_UPGRADE + b"GET /slow?t=0&id=second HTT")
    status, _, body = await asyncio.wait_for(read_response(reader), 5)
    assert (status, body) == (200, b"hello")
    writer.write(b"P/1.1\r\nHost: t\r\n\r\n")
    status, _, body = await asyncio.wait_for(read_response(reader), 5)
    assert (status, body) == (200, b"second")
    writer.close()


async def test_bad_bytes_behind_a_declined_websocket_upgrade_get_400_after_its_answer(make_server, raw):
    srv = await make_server(_app())
    responses = raw.parse(await raw(srv.port, WS_UPGRADE + b"\x00" * 64))
    assert [r.status for r in responses] == [200, 400]
    assert responses[0].body == b"hello"


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: 9\r\n\r\nFooBarBaz", b"Transfer-Encoding: chunked\r\n\r\n4\r\nFooB\r\n5\r\narBaz\r\n0\r\n\r\n"],
)
async def test_an_upgrade_with_a_body_is_served_with_its_body(make_server, raw, framing):
    # llhttp reads no body of an upgrade request: the body is read by a fresh parser, and the request served as
    # any other, then the requests after it.
    srv = await make_server(_app())
    head = b"POST /echo HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    first, second = raw.parse(await raw(srv.port, head + framing + CLOSE_GET))
    assert json.loads(first.body)["body"] == "FooBarBaz"
    assert second.body == b"hello"


async def test_content_length_and_chunked_bodies(make_server, raw):
    srv = await make_server(_app())
    payload = (
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world"
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    first, second = raw.parse(await raw(srv.port, payload))
    assert json.loads(first.body)["body"] == "hello world"
    assert json.loads(second.body)["body"] == "hello world"


async def test_expect_100_continue_is_sent_when_the_handler_reads(make_server):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"data")
    status, _, _ = await asyncio.wait_for(read_response(reader, "POST"), 5)
    assert status == 200
    writer.close()


async def test_expect_100_continue_is_not_sent_when_the_handler_ignores_the_body(make_server, raw):
    srv = await make_server(_app())
    data = await raw(srv.port, b"POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    (resp,) = raw.parse(data)
    assert resp.status == 200 and resp.body == b"ignored"
    assert resp.headers["connection"] == "close"  # the body never came: the connection cannot be reused
    assert b"100 Continue" not in data


async def test_unknown_expectation_is_417(make_server, raw):
    srv = await make_server(_app())
    (resp,) = raw.parse(await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n\r\n"))
    assert resp.status == 417


async def test_an_invalid_host_is_refused_after_valid_ones_on_the_same_connection(make_server, raw):
    """RFC 9112 section 3.2: 400 for a Host with an invalid value. The connection remembers the last valid Host
    to check it once; another value, valid or not, is checked again."""
    srv = await make_server(_app())
    get = b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n"
    data = await raw(srv.port, get % b"a:1" + get % b"a:1" + get % b"b" + get % b"a b" + get % b"a:1")
    assert [r.status for r in raw.parse(data)] == [200, 200, 200, 400]


async def test_a_body_broken_in_the_read_of_its_head_is_refused_before_the_handler(make_server, raw):
    """The chunked framing breaks in the read that brought the head: the request is refused with a 400 (RFC 9112
    section 6.3), not served by a handler that never reads the body, as aiohttp refuses it."""
    app = Application()
    called = []

    async def ignore(request):
        called.append(request.path)
        return Response(text="ignored")

    app.router.add_route("POST", "/", ignore)
    srv = await make_server(app)
    head = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    data = await raw(srv.port, head + b"zz\r\nhello\r\n0\r\n\r\n")
    (resp,) = raw.parse(data)
    assert resp.status == 400 and resp.headers["connection"] == "close"
    assert called == []
    # Behind a valid pipelined request, it is refused after that one's answer.
    ok = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"
    data = await raw(srv.port, ok + head + b"zz\r\n")
    assert [r.status for r in raw.parse(data)] == [200, 400]
    assert called == ["/"]


async def test_a_body_that_breaks_while_its_handler_runs_is_the_handlers_to_meet(make_server):
    """Once the handler runs, the broken body is its to meet: its read raises, and the connection closes after
    its answer, since the framing after it is unknown."""
    app = Application()
    started = asyncio.Event()
    seen = []

    async def reads(request):
        started.set()
        try:
            await request.read()
        except Exception as error:
            seen.append(getattr(error, "status", None))
        return Response(text="answered")

    app.router.add_route("POST", "/", reads)
    srv = await make_server(app)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    writer.write(b"zz\r\n")
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    (resp,) = parse_responses(data)
    assert resp.status == 200 and resp.headers["connection"] == "close"
    assert seen == [400]


async def test_head_keeps_content_length_and_sends_no_body(make_server, raw):
    srv = await make_server(_app())
    data = await raw(
        srv.port, b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    head, _, rest = data.partition(b"\r\n\r\n")
    assert b"Content-Length: 5" in head
    assert rest.startswith(b"HTTP/1.1 200 OK")  # nothing between the HEAD answer and the next response
    assert [(r.status, r.body) for r in raw.parse(data, methods=["HEAD", "GET"])] == [(200, b""), (200, b"hello")]


async def test_streamed_response_uses_chunked_encoding(make_server, raw):
    srv = await make_server(_app())
    (resp,) = raw.parse(await raw(srv.port, b"GET /stream HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert resp.headers["transfer-encoding"] == "chunked"
    assert resp.body == b"part0;part1;part2;"


async def test_streamed_response_to_http10_is_close_delimited(make_server, raw):
    srv = await make_server(_app())
    (resp,) = raw.parse(await raw(srv.port, b"GET /stream HTTP/1.0\r\n\r\n"))
    assert "transfer-encoding" not in resp.headers and "connection" not in resp.headers
    assert resp.body == b"part0;part1;part2;"


# -- limits, each on both sides ---------------------------------------------------------------------------------


def _line_of(total: int) -> bytes:
    # "GET " + target + " HTTP/1.1" is `total` bytes long.
    return b"GET /" + b"a" * (total - len("GET / HTTP/1.1")) + b" HTTP/1.1"


@pytest.mark.parametrize(("length", "status"), [(8190, 404), (8191, 414)])
async def test_request_line_limit(make_server, raw, length, status):
    srv = await make_server(_app())
    (resp,) = raw.parse(await raw(srv.port, _line_of(length) + b"\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert resp.status == status


@pytest.mark.parametrize(("length", "status"), [(8190, 404), (8191, 414)])
async def test_request_line_limit_counts_a_long_method(make_server, raw, length, status):
    # on_url reads the method only for a target near the limit: the method's length still counts there.
    srv = await make_server(_app())
    method = b"UNSUBSCRIBE"  # the longest method this llhttp build accepts on a request
    target = b"/" + b"a" * (length - len(method) - len("  HTTP/1.1") - 1)
    line = method + b" " + target + b" HTTP/1.1"
    assert len(line) == length
    (resp,) = raw.parse(await raw(srv.port, line + b"\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert resp.status == status


@pytest.mark.parametrize(("count", "status"), [(100, 200), (101, 400)])
async def test_header_count_limit(make_server, raw, count, status):
    srv = await make_server(_app())
    headers = b"Host: t\r\nConnection: close\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(count - 2))
    (resp,) = raw.parse(await raw(srv.port, b"GET / HTTP/1.1\r\n" + headers + b"\r\n"))
    assert resp.status == status


@pytest.mark.parametrize(("size", "status"), [(8190, 200), (8191, 400)])
async def test_header_field_size_limit(make_server, raw, size, status):
    srv = await make_server(_app())
    name = b"X-Big"
    value = b"v" * (size - len(name) - 4)  # name + ": " + value + CRLF: the field line, as gunicorn counts it
    payload = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + name + b": " + value + b"\r\n\r\n"
    (resp,) = raw.parse(await raw(srv.port, payload))
    assert resp.status == status


@pytest.mark.parametrize(("size", "status"), [(1024, 200), (1025, 413)])
async def test_content_length_over_client_max_size(make_server, raw, size, status):
    srv = await make_server(_app(), client_max_size=1024)
    payload = b"POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % size
    (resp,) = raw.parse(await raw(srv.port, payload + b"x" * size))
    assert resp.status == status
    assert resp.headers["connection"] == "close"


@pytest.mark.parametrize(("size", "status"), [(1024, 200), (1025, 413)])
async def test_chunked_body_over_client_max_size(make_server, raw, size, status):
    srv = await make_server(_app(), client_max_size=1024)
    body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [b"x" * 512, b"y" * (size - 512)]) + b"0\r\n\r\n"
    payload = b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    # Answered only when the body was accepted; after a refused body the connection closes.
    payload += b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    responses = raw.parse(await raw(srv.port, payload))
    assert responses[0].status == status
    if status == 200:
        assert json.loads(responses[0].body)["body"] == "x" * 512 + "y" * (size - 512)
        assert responses[1].body == b"hello"
    else:
        assert len(responses) == 1 and responses[0].headers["connection"] == "close"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"GET /\r\n\r\n", 505),  # HTTP/0.9
        (b"GET / HTTP/1.1\r\n\r\n", 400),  # no Host (RFC 9112 §3.2)
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),  # two Hosts
        (b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400),
        (b"GET / HTTP/1.1\r\nHost : t\r\n\r\n", 400),
        (b"\x00\x01garbage\r\n\r\n", 400),
    ],
)
async def test_malformed_requests_get_an_answer_and_a_close(make_server, raw, payload, status):
    srv = await make_server(_app())
    responses = raw.parse(await raw(srv.port, payload + GET))
    assert [r.status for r in responses] == [status]  # the glued GET is never parsed
    assert responses[0].headers["connection"] == "close"


async def test_error_after_valid_pipelined_requests_is_answered_after_them(make_server, raw):
    srv = await make_server(_app())
    payload = b"GET /slow?t=0.1&id=a HTTP/1.1\r\nHost: t\r\n\r\n" + GET + b"BAD\x01 / HTTP/1.1\r\n\r\n" + GET
    responses = raw.parse(await raw(srv.port, payload))
    assert [r.status for r in responses] == [200, 200, 400]
    assert responses[0].body == b"a"


# -- timeouts -----------------------------------------------------------------------------------------------------


async def test_slow_request_head_gets_408_and_a_close(make_server):
    srv = await make_server(_app(), header_timeout=0.3)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET / HTTP/1.1\r\nHo")
    data = await asyncio.wait_for(reader.read(), 5)
    assert data.startswith(b"HTTP/1.1 408 ")
    writer.close()


async def test_idle_keep_alive_connection_is_closed_after_keepalive_timeout(make_server):
    srv = await make_server(_app(), keepalive_timeout=0.3)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(GET)
    await asyncio.wait_for(reader.readuntil(b"hello"), 5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await asyncio.wait_for(reader.read(), 5) == b""
    assert 0.2 <= loop.time() - started < 3
    writer.close()


async def test_keepalive_timeout_zero_turns_keep_alive_off(make_server):
    # aiohttp's keepalive_timeout=0 and gunicorn's keepalive 0: no keep-alive. Each answer says Connection: close
    # and the connection closes after it; a request pipelined behind it gets no answer. request.keep_alive still
    # says what the client asked for.
    seen = []

    async def handler(request):
        seen.append(request.keep_alive)
        return Response(text="hello")

    app = Application()
    app.router.add_route("GET", "/", handler)
    srv = await make_server(app, keepalive_timeout=0)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(GET + GET)
    data = await asyncio.wait_for(reader.read(), 5)
    assert data.count(b"HTTP/1.1 200 ") == 1
    assert b"\r\nConnection: close\r\n" in data and data.endswith(b"hello")
    assert seen == [True]
    writer.close()


async def test_a_silent_new_connection_closes_after_a_shorter_keepalive_timeout(make_server):
    # As aiohttp: a connection that sends nothing from its start is idle, and closes after keepalive_timeout when
    # that is shorter than header_timeout.
    srv = await make_server(_app(), keepalive_timeout=0.3, header_timeout=30)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


def test_keepalive_timeout_must_not_be_negative():
    from server.settings import ServerSettings

    with pytest.raises(ValueError, match="keepalive_timeout must not be negative"):
        ServerSettings(keepalive_timeout=-1)
    assert ServerSettings(keepalive_timeout=0).keepalive_timeout == 0


async def test_connected_but_silent_client_is_cut_by_the_header_timeout(make_server):
    srv = await make_server(_app(), header_timeout=0.3)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


# -- errors and disconnects ----------------------------------------------------------------------------------------


async def test_handler_crash_is_a_500_without_traceback_and_the_server_lives_on(make_server, raw, caplog):
    srv = await make_server(_app())
    with caplog.at_level(logging.ERROR):
        responses = raw.parse(
            await raw(srv.port, b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n" + GET[:-2] + b"Connection: close\r\n\r\n")
        )
    assert [r.status for r in responses] == [500, 200]
    assert b"secret detail" not in responses[0].body and b"Traceback" not in responses[0].body
    assert "secret detail" in caplog.text  # the traceback goes to the log


async def test_client_gone_mid_body_leaks_nothing(make_server, raw):
    seen: list[BaseException] = []
    app = Application()

    async def upload(request):
        try:
            await request.read()
        except ConnectionResetError as exc:
            seen.append(exc)
            raise
        return Response(text="never")

    app.router.add_route("POST", "/upload", upload)
    app.router.add_route("GET", "/", lambda request: Response(text="alive"))
    srv = await make_server(app)
    tasks_before = len(asyncio.all_tasks())
    _reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.transport.abort()
    for _ in range(100):
        if seen and len(srv.factory.connections) == 0:
            break
        await asyncio.sleep(0.02)
    assert seen and isinstance(seen[0], ConnectionResetError)
    assert len(srv.factory.connections) == 0
    assert len(asyncio.all_tasks()) <= tasks_before
    (resp,) = raw.parse(await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert resp.body == b"alive"


async def test_date_header_is_an_imf_fixdate(make_server, raw):
    srv = await make_server(_app())
    (resp,) = raw.parse(await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", resp.headers["date"])


async def test_access_log_uses_gunicorn_atoms(make_server, raw, caplog):
    logger = logging.getLogger("test.access")
    srv = await make_server(_app(), access_log=logger, access_log_format='%(h)s "%(r)s" %(s)s %(b)s "%(a)s" %(D)s')
    with caplog.at_level(logging.INFO, logger="test.access"):
        await raw(srv.port, b"GET /?x=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: probe/1\r\nConnection: close\r\n\r\n")
    line = caplog.records[-1].getMessage()
    assert re.fullmatch(r'127\.0\.0\.1 "GET /\?x=1 HTTP/1\.1" 200 5 "probe/1" \d+', line), line


async def test_a_connection_s_repr_is_aiohttp_s_request_handler_s(make_server):
    # web.RequestHandler is HttpProtocol; aiohttp's repr says whether a transport is attached.
    seen: list[str] = []
    app = Application()

    async def show(request):
        seen.extend(repr(protocol) for protocol in srv.factory.connections)
        return Response(text="ok")

    app.router.add_get("/", show)
    srv = await make_server(app)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(GET)
    await asyncio.wait_for(read_response(reader), 5)
    (protocol,) = srv.factory.connections
    writer.close()
    for _ in range(100):
        if protocol.transport is None:
            break
        await asyncio.sleep(0.01)
    assert seen == ["<RequestHandler connected>"]
    assert repr(protocol) == "<RequestHandler disconnected>"

"""Every aiohttp 0.14 sentence about StreamResponse and Response: the state machine, what raises what, the headers."""

from __future__ import annotations

import io
import json
import warnings

import aiohttp
import pytest

import web
from web.testing import make_mocked_request


async def _serve(make_server, handler, path="/"):
    app = web.Application()
    app.router.add_route("*", path, handler)
    return await make_server(app)


async def _get(srv, path="/", method="GET", **kw):
    async with aiohttp.ClientSession() as session, session.request(method, srv.url(path), **kw) as resp:
        return resp.status, resp.headers.copy(), await resp.read()


def test_defaults():
    resp = web.StreamResponse()
    assert resp.status == 200 and resp.reason == "OK"
    assert resp.chunked is False
    assert resp.keep_alive is None  # aiohttp 3: the request decides it at prepare()
    assert resp.content_type == "application/octet-stream" and resp.charset is None
    assert resp.content_length is None and resp.started is False


def test_force_close_cannot_be_undone():
    resp = web.StreamResponse()
    resp.force_close()
    assert resp.keep_alive is False
    with pytest.raises(AttributeError):
        resp.keep_alive = True  # type: ignore[misc]


def test_charset_is_lower_cased_on_assignment():
    resp = web.StreamResponse()
    resp.content_type = "text/html"
    resp.charset = "UTF-8"
    assert resp.charset == "utf-8"
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"


def test_cookies_is_a_simple_cookie():
    from http.cookies import SimpleCookie

    resp = web.StreamResponse()
    assert isinstance(resp.cookies, SimpleCookie)


def test_response_body_recalculates_content_length():
    resp = web.Response(body=b"abc")
    assert resp.content_length == 3 and resp.headers["Content-Length"] == "3"
    resp.body = b"abcdef"
    assert resp.content_length == 6
    resp.body = None
    assert resp.content_length is None and "Content-Length" not in resp.headers


def test_response_text_recalculates_body_and_content_length():
    resp = web.Response(text="zażółć")
    assert resp.body == "zażółć".encode() and resp.content_length == len("zażółć".encode())
    assert resp.content_type == "text/plain" and resp.charset == "utf-8"
    resp.text = "ab"
    assert resp.body == b"ab" and resp.content_length == 2
    resp.text = None
    assert resp.content_length is None and "Content-Length" not in resp.headers


def test_the_aiohttp_014_example_response_with_a_positional_body():
    # "return Response("All right!")": a str body is text, UTF-8; bytes stay bytes.
    resp = web.Response("All right!")
    assert (resp.body, resp.content_length, resp.content_type, resp.charset) == (
        b"All right!",
        10,
        "text/plain",
        "utf-8",
    )
    assert web.Response(b"\x00\x01").body == b"\x00\x01"
    with pytest.raises(ValueError):
        web.Response("x", text="y")


def test_response_argument_errors():
    with pytest.raises(ValueError):
        web.Response(body=b"a", text="b")
    with pytest.raises(TypeError):
        web.Response(text=b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        web.Response(body=12)
    with pytest.raises(TypeError):
        web.Response("ok").body = "str"  # the attribute is bytes, as aiohttp 0.14 says; only the constructor takes str
    with pytest.raises(ValueError):
        web.Response(text="a", content_type="text/plain; charset=utf-8")


def test_json_response():
    resp = web.json_response({"a": 1}, status=201)
    assert json.loads(resp.body) == {"a": 1} and resp.status == 201
    assert resp.content_type == "application/json"


async def test_json_response_of_none_is_json_null(make_client):
    """aiohttp 3: ``data`` left out gives no body, ``None`` given is the JSON document ``null`` (an empty list in an
    application's storage may be None: rororo's simulations example answers ``null``, its schema allows it)."""

    async def null(request):
        return web.json_response(None)

    async def bytes_null(request):
        return web.json_bytes_response(None, dumps=lambda data: b"null")

    async def none(request):
        return web.json_response()

    app = web.Application()
    app.router.add_get("/null", null)
    app.router.add_get("/bytes-null", bytes_null)
    app.router.add_get("/none", none)
    client = await make_client(app)
    for path in ("/null", "/bytes-null"):
        async with client.get(path) as resp:
            assert (resp.status, resp.content_type, await resp.read()) == (200, "application/json", b"null")
    async with client.get("/none") as resp:
        assert (resp.status, resp.content_type, await resp.read()) == (200, "application/json", b"")
    with pytest.raises(ValueError):
        web.json_response(None, text="null")


async def test_state_machine_over_a_real_connection(make_server):
    errors: dict[str, type[BaseException]] = {}

    async def handler(request):
        resp = web.StreamResponse()
        for name, call in [
            ("write_before_start", lambda: resp.write(b"x")),
        ]:
            try:
                call()
            except Exception as exc:
                errors[name] = type(exc)
        resp.headers["X-Before"] = "1"
        resp.set_cookie("c", "v")
        await resp.prepare(request)
        for name, call in [
            ("set_status_after_start", lambda: resp.set_status(201)),
            ("set_header_after_start", lambda: resp.headers.__setitem__("X-After", "1")),
            ("del_header_after_start", lambda: resp.headers.popall("X-Before")),
            ("cookie_after_start", lambda: resp.set_cookie("d", "v")),
            ("content_type_after_start", lambda: setattr(resp, "content_type", "text/html")),
            ("write_str", lambda: resp.write("text")),  # type: ignore[arg-type]
        ]:
            try:
                call()
            except Exception as exc:
                errors[name] = type(exc)
        resp.write(b"abc")
        resp.write(bytearray(b"def"))
        await resp.write(memoryview(b"ghi"))  # modern style: awaiting write() drains
        await resp.drain()
        await resp.write_eof()
        try:
            resp.write(b"late")
        except Exception as exc:
            errors["write_after_eof"] = type(exc)
        return resp

    srv = await _serve(make_server, handler)
    status, headers, body = await _get(srv)
    assert status == 200 and body == b"abcdefghi"
    assert headers["X-Before"] == "1" and "c=v" in headers["Set-Cookie"]
    # Each error is also an AssertionError, what aiohttp 3's asserts raise, for code written against it.
    for name in ("write_before_start", "set_status_after_start", "write_str"):
        assert issubclass(errors[name], AssertionError), name
    errors = {
        name: error.__mro__[1] if error.__module__ == "web.streamresponse" else error for name, error in errors.items()
    }
    assert errors == {
        "write_before_start": RuntimeError,
        "set_status_after_start": RuntimeError,
        "set_header_after_start": RuntimeError,
        "del_header_after_start": RuntimeError,
        "cookie_after_start": RuntimeError,
        "content_type_after_start": RuntimeError,
        "write_str": TypeError,
        "write_after_eof": RuntimeError,
    }


async def test_aiohttp_014_style_sync_start_and_write(make_server):
    async def handler(request):
        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        resp.content_length = 5
        resp.start(request)
        resp.write(b"hel")
        resp.write(b"lo")
        await resp.drain()
        await resp.write_eof()
        return resp

    srv = await _serve(make_server, handler)
    status, headers, body = await _get(srv)
    assert (status, body, headers["Content-Length"]) == (200, b"hello", "5")
    assert "Transfer-Encoding" not in headers


async def test_enable_chunked_encoding_sends_each_write_as_a_chunk(make_server, raw):
    async def handler(request):
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        assert resp.chunked
        await resp.prepare(request)
        resp.write(b"one")
        resp.write(b"two")
        await resp.write_eof()
        return resp

    srv = await _serve(make_server, handler)
    data = await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert data.split(b"\r\n\r\n", 1)[1] == b"3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n"


@pytest.mark.parametrize("compress", [False, True])
async def test_a_response_with_a_body_can_be_sent_chunked(make_server, raw, compress):
    # aiohttp 3's Response(text=...).enable_chunked_encoding() (its client tests test_chunked, test_encoding_gzip):
    # the Content-Length the body set is the body's, dropped for the chunked framing, not a length of the caller's
    # that refuses it.
    async def handler(request):
        resp = web.Response(text="text")
        assert resp.content_length == 4
        resp.enable_chunked_encoding()
        assert resp.content_length is None
        if compress:
            resp.enable_compression(web.ContentCoding.gzip)
        return resp

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{srv.port}/") as resp:
        assert resp.status == 200
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in resp.headers
        assert resp.headers.get("Content-Encoding") == ("gzip" if compress else None)
        assert await resp.text() == "text"
    data = await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    if not compress:
        assert data.split(b"\r\n\r\n", 1)[1] == b"4\r\ntext\r\n0\r\n\r\n"


def test_a_length_of_the_callers_own_still_refuses_chunked_encoding():
    resp = web.Response(headers={"Content-Length": "42"})
    with pytest.raises(RuntimeError, match="content length is set"):
        resp.enable_chunked_encoding()


async def test_a_head_answer_sent_chunked_carries_no_transfer_encoding(make_server, raw):
    # As aiohttp: no body follows a HEAD answer, so it names no framing for one, even a Transfer-Encoding field the
    # handler set by hand (RFC 9112 §6.1 allows it; aiohttp's client test_head_request_with_chunked_encoding).
    async def handler(request):
        resp = web.StreamResponse()
        resp.enable_chunked_encoding()
        resp.headers["Transfer-Encoding"] = "chunked"
        await resp.prepare(request)
        await resp.write_eof()
        return resp

    srv = await _serve(make_server, handler)
    data = await raw(srv.port, b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"transfer-encoding" not in head.lower()
    assert body == b""


async def test_force_close_sends_connection_close(make_server, raw):
    async def handler(request):
        resp = web.Response(text="bye")
        resp.force_close()
        return resp

    srv = await _serve(make_server, handler)
    (resp,) = raw.parse(await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"))
    assert resp.headers["connection"] == "close" and resp.body == b"bye"


async def test_keep_alive_copies_the_request(make_server):
    seen = {}

    async def handler(request):
        resp = web.Response(text="x")
        await resp.prepare(request)
        seen["keep_alive"] = resp.keep_alive
        return resp

    srv = await _serve(make_server, handler)
    await _get(srv, headers={"Connection": "close"})
    assert seen["keep_alive"] is False


async def test_response_sends_head_and_body_with_content_length(make_server):
    async def handler(request):
        return web.Response(text="All right!")

    srv = await _serve(make_server, handler)
    status, headers, body = await _get(srv)
    assert (status, body) == (200, b"All right!")
    assert headers["Content-Length"] == "10" and headers["Content-Type"] == "text/plain; charset=utf-8"


async def test_sync_handler_returning_a_response(make_server):
    def handler(request):
        return web.Response(text="sync")

    srv = await _serve(make_server, handler)
    assert (await _get(srv))[2] == b"sync"


async def test_handler_returning_a_non_response_is_a_500_naming_the_handler(make_server, caplog):
    async def not_a_response(request):
        return {"oops": 1}

    srv = await _serve(make_server, not_a_response)
    status, _, body = await _get(srv)
    assert status == 500 and b"oops" not in body
    assert "not_a_response" in caplog.text and "web.Response" in caplog.text


async def test_http_exception_raised_or_returned(make_server):
    async def handler(request):
        if request.query.get("raise"):
            raise web.HTTPForbidden(text="no")
        return web.HTTPAccepted(text="later")

    srv = await _serve(make_server, handler)
    assert (await _get(srv, "/?raise=1"))[::2] == (403, b"no")
    assert (await _get(srv, "/"))[::2] == (202, b"later")


async def test_header_injection_is_refused_and_nothing_is_sent(make_server, raw):
    async def handler(request):
        return web.Response(text="x", headers={"X-Evil": "a\r\nSet-Cookie: pwned=1"})

    srv = await _serve(make_server, handler)
    (resp,) = raw.parse(await raw(srv.port, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
    assert resp.status == 500 and "set-cookie" not in resp.headers


async def test_no_body_statuses(make_server, raw):
    async def handler(request):
        return web.Response(status=int(request.query["s"]), text="ignored")

    srv = await _serve(make_server, handler)
    payload = b"GET /?s=204 HTTP/1.1\r\nHost: t\r\n\r\nGET /?s=304 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    responses = raw.parse(await raw(srv.port, payload))
    assert [r.status for r in responses] == [204, 304]
    assert all("content-length" not in r.headers for r in responses)


async def test_drain_warns_as_aiohttp_does_and_still_drains(make_server):
    # aiohttp 3 deprecates drain() (the aiohttp 0.14 API's way to flush) with this message; it keeps working.
    async def handler(request):
        resp = web.StreamResponse()
        await resp.prepare(request)
        resp.write(b"x" * 100_000)
        await resp.drain()
        await resp.write_eof()
        return resp

    srv = await _serve(make_server, handler)
    with pytest.warns(DeprecationWarning, match=r"^drain method is deprecated, use await resp\.write\(\)$"):
        status, _, body = await _get(srv)
    assert (status, body) == (200, b"x" * 100_000)


async def test_a_response_stores_what_the_application_keeps_on_it(make_client):
    # aiohttp 3: a response is a MutableMapping (its "response storage"), str keys or web.ResponseKey, as the request
    # and the application are; a middleware reads what the handler left there.
    timing = web.ResponseKey("timing", str)

    @web.middleware
    async def report(request, handler):
        response = await handler(request)
        response.headers["X-Timing"] = response[timing]
        response.headers["X-Keys"] = ",".join(sorted(str(key) for key in response if isinstance(key, str)))
        return response

    async def handler(request):
        response = web.Response(text="ok")
        assert response and len(response) == 0 and response.get("a") is None
        response[timing] = "fast"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", web.NotAppKeyWarning)  # str keys warn, as in aiohttp 3
            response.update(a=1, b=2)
        del response["b"]
        assert "a" in response and dict(response.items()) == {timing: "fast", "a": 1}
        return response

    app = web.Application(middlewares=[report])
    app.router.add_get("/", handler)
    client = await make_client(app)
    async with client.get("/") as resp:
        assert resp.status == 200 and await resp.text() == "ok"
        assert resp.headers["X-Timing"] == "fast" and resp.headers["X-Keys"] == "a"


def test_a_response_is_a_mutable_mapping_compared_by_identity():
    from collections.abc import MutableMapping

    empty, other = web.StreamResponse(), web.Response()
    assert isinstance(empty, MutableMapping) and isinstance(web.HTTPNotFound(), MutableMapping)
    # Always true and unequal to another empty one, as aiohttp's, though both store nothing.
    assert empty and empty != web.StreamResponse() and empty == empty and hash(other) != hash(web.Response())
    with pytest.raises(KeyError):
        other["missing"]
    with pytest.warns(web.NotAppKeyWarning, match="recommended to use web.ResponseKey"):
        assert other.setdefault("k", 1) == 1
    assert other.pop("k") == 1 and len(other) == 0


def test_a_str_key_warns_once_as_aiohttp_s():
    resp = web.StreamResponse()
    with pytest.warns(web.NotAppKeyWarning, match="recommended to use web.ResponseKey"):
        resp["test_a_str_key_warns_once"] = 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        web.Response()["test_a_str_key_warns_once"] = 2  # the same key again: no warning
        resp[web.ResponseKey("typed", int)] = 3


async def test_a_generic_response_subclass_subscripts_as_aiohttp_s(make_client):
    # aiohttp's response classes take MutableMapping's __class_getitem__: a Generic subclass subscripted is a
    # types.GenericAlias, whose union is a types.UnionType (aiohttp-apischema reads handlers' return annotations so).
    import types
    from typing import Generic, Literal, TypeVar, get_args

    T = TypeVar("T")

    class APIResponse(web.Response, Generic[T]):
        def __init__(self, body: T, *, status: int = 200) -> None:
            super().__init__(text=json.dumps(body), content_type="application/json", status=status)

    annotation = APIResponse[int] | APIResponse[None]
    assert isinstance(APIResponse[int], types.GenericAlias) and isinstance(annotation, types.UnionType)
    assert get_args(APIResponse[Literal[1]]) == (Literal[1],)

    async def handler(request):
        return APIResponse[int](42, status=201)

    app = web.Application()
    app.router.add_get("/", handler)
    client = await make_client(app)
    async with client.get("/") as resp:
        assert resp.status == 201 and await resp.json() == 42


async def test_response_takes_aiohttp_s_zlib_executor_arguments(make_client):
    # aiohttp 3's Response(zlib_executor_size=, zlib_executor=) (aiohttp-apischema's APIResponse passes both): taken,
    # and the body is compressed all the same.
    async def handler(request):
        response = web.Response(text="x" * 10000, zlib_executor_size=None, zlib_executor=None)
        response.enable_compression()
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    client = await make_client(app)
    async with client.get("/", headers={"Accept-Encoding": "gzip"}) as resp:
        assert resp.headers["Content-Encoding"] == "gzip" and await resp.text() == "x" * 10000


async def test_repr_and_keep_alive_follow_the_response_as_aiohttp_s(make_client):
    seen = {}

    async def handler(request):
        resp = web.StreamResponse(reason="Fine")
        seen["before"] = (repr(resp), resp.keep_alive)
        writer = await resp.prepare(request)
        seen["prepared"] = (repr(resp), resp.keep_alive, await resp.prepare(request) is writer)
        seen["writer"] = isinstance(writer, web.abc.AbstractStreamWriter)
        await resp.write_eof(b"x")
        seen["eof"] = repr(resp)
        return resp

    app = web.Application()
    app.router.add_get("/p", handler)
    client = await make_client(app)
    async with client.get("/p?q=1") as r:
        assert r.status == 200 and r.reason == "Fine" and await r.read() == b"x"
    assert seen["before"] == ("<StreamResponse Fine not prepared>", None)
    assert seen["prepared"] == ("<StreamResponse Fine GET /p >", True, True)
    assert seen["writer"] is True
    assert seen["eof"] == "<StreamResponse Fine eof>"


async def test_chunked_encoding_is_refused_for_an_http_1_0_request(make_server, raw):
    # As aiohttp 3: preparing a chunked response for HTTP/1.0 raises (RFC 9112 §6.1 forbids the framing there), so
    # the client gets a 500, not a body framed otherwise; chunk_size is aiohttp's deprecated, unused argument.
    seen = {}

    async def handler(request):
        resp = web.StreamResponse()
        with pytest.warns(DeprecationWarning, match="Chunk size is deprecated"):
            resp.enable_chunked_encoding(chunk_size=8192)
        try:
            await resp.prepare(request)
        except RuntimeError as exc:
            seen["error"] = str(exc)
            raise

    srv = await _serve(make_server, handler)
    data = await raw(srv.port, b"GET / HTTP/1.0\r\nHost: t\r\n\r\n")
    assert data.startswith(b"HTTP/1.0 500 ") or data.startswith(b"HTTP/1.1 500 ")
    assert seen["error"] == "Using chunked encoding is forbidden for HTTP/1.0"


@pytest.mark.parametrize(
    ("make_body", "text"),
    [
        (lambda: io.StringIO("from text"), "from text"),
        (lambda: io.BytesIO(b"from bytes"), "from bytes"),
        (lambda: io.BufferedReader(io.BytesIO(b"buffered")), "buffered"),
    ],
)
async def test_text_of_a_file_body_is_its_content_and_it_is_still_sent(make_client, make_body, text):
    # aiohttp 3 decodes its file payloads for Response.text; a seekable file is still sent whole afterwards.
    seen = {}

    async def handler(request):
        resp = web.Response(body=make_body())
        seen["text"] = resp.text
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    client = await make_client(app)
    async with client.get("/") as r:
        assert await r.text() == text
    assert seen["text"] == text


def test_text_of_a_body_read_once_as_it_is_sent_raises_type_error():
    async def chunks():
        yield b"x"

    resp = web.Response(body=chunks())
    with pytest.raises(TypeError):
        _ = resp.text


async def test_calls_out_of_order_raise_runtime_and_assertion_errors():
    # RuntimeError as the aiohttp 0.14 API names it, AssertionError as aiohttp 3's asserts raise.
    resp = web.StreamResponse()
    with pytest.raises(RuntimeError, match="not been started") as info:
        await resp.write_eof()
    assert isinstance(info.value, AssertionError)
    with pytest.raises(AssertionError, match="before start") as info:
        await resp.drain()  # checked before the deprecation warning, as aiohttp does
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(TypeError) as info:
        web.Response(text="t").text = b"123"  # type: ignore[assignment]
    assert isinstance(info.value, AssertionError)


def test_a_content_type_that_is_no_media_type_reads_as_octet_stream():
    resp = web.Response(text="test test", content_type="jpeg")
    assert resp.content_type == "application/octet-stream"
    assert resp.headers["Content-Type"] == "jpeg; charset=utf-8"


def test_a_response_length_follows_its_body_and_cannot_be_set():
    resp = web.Response(body=b"abc")
    with pytest.raises(RuntimeError, match="Content length is set automatically"):
        resp.content_length = 1
    assert resp.content_length == 3


async def test_output_length_counts_the_head_and_the_body_written_and_is_deprecated():
    streamed = web.StreamResponse()
    await streamed.prepare(make_mocked_request("GET", "/"))
    with pytest.warns(DeprecationWarning, match=r"^output_length is deprecated$"):
        head = streamed.output_length
    assert head > len("HTTP/1.1 200 OK\r\n\r\n")
    await streamed.write(b"12345")
    with pytest.warns(DeprecationWarning):
        assert streamed.output_length == head + 5
    whole = web.Response(body=b"abc")
    await whole.prepare(make_mocked_request("GET", "/"))  # its head is held back for the body
    with pytest.warns(DeprecationWarning):
        assert whole.output_length > len("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")


async def test_a_bodiless_response_has_no_length_until_it_starts(make_client):
    """aiohttp 3 sets a Response's Content-Length when it starts, from its body: a new ``Response()`` has no header
    yet, so its headers can seed a streamed answer (graphql-server's multipart subscriptions copy a sub-response's
    headers into a ``StreamResponse``, which then went out with both Content-Length: 0 and chunked coding)."""
    assert "Content-Length" not in web.Response().headers

    async def empty(request):
        return web.Response()

    async def streamed(request):
        response = web.StreamResponse(headers={**web.Response().headers, "Content-Type": "multipart/mixed"})
        await response.prepare(request)
        await response.write(b"part")
        return response

    app = web.Application()
    app.router.add_get("/empty", empty)
    app.router.add_get("/streamed", streamed)
    client = await make_client(app)
    async with client.get("/empty") as resp:
        assert (resp.status, resp.headers["Content-Length"], await resp.read()) == (200, "0", b"")
    async with client.get("/streamed") as resp:
        assert resp.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in resp.headers
        assert await resp.read() == b"part"

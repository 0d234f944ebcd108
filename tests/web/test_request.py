"""Every sentence of the aiohttp 0.14 API about Request, checked through a real server and the aiohttp client."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from http_client import read_response
from multidict import CIMultiDictProxy, MultiDictProxy

import web


async def _serve(make_server, handler, method="*", path="/{tail:.*}", **kwargs):
    app = web.Application()
    app.router.add_route(method, path, handler)
    return await make_server(app, **kwargs)


async def test_request_line_properties(make_server):
    seen = {}

    async def handler(request):
        seen.update(
            method=request.method,
            version=request.version,
            host=request.host,
            path_qs=request.path_qs,
            path=request.path,
            query_string=request.query_string,
            GET=request.GET,
            keep_alive=request.keep_alive,
            match_info=request.match_info,
            app=request.app,
            peer=request.transport.get_extra_info("peername"),
        )
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/app/bl%20og?id=10&id=11&x=")) as resp:
        assert resp.status == 200
    assert seen["method"] == "GET"
    assert seen["version"] == web.HttpVersion(1, 1) and seen["version"].major == 1
    assert seen["host"] == f"127.0.0.1:{srv.port}"
    assert seen["path_qs"] == "/app/bl%20og?id=10&id=11&x="
    assert seen["path"] == "/app/bl og"
    assert seen["query_string"] == "id=10&id=11&x="
    assert isinstance(seen["GET"], MultiDictProxy) and seen["GET"].getall("id") == ["10", "11"]
    assert seen["GET"]["x"] == ""
    assert seen["keep_alive"] is True
    assert seen["match_info"]["tail"] == "app/bl og"
    assert seen["app"] is srv.app
    assert seen["peer"][0] == "127.0.0.1"


async def test_host_is_none_without_a_host_header(make_server, raw):
    seen = {}

    async def handler(request):
        seen["host"] = request.host
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    answer = await raw(srv.port, b"GET / HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 200 OK") and seen["host"] is None
    # HTTP/1.1 must send Host: without it the server answers 400 and closes (RFC 9112 §3.2).
    answer = await raw(srv.port, b"GET / HTTP/1.1\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Connection: close\r\n" in answer


async def test_two_host_headers_are_refused(make_server, raw):
    srv = await _serve(make_server, lambda request: web.Response(text="ok"))
    answer = await raw(srv.port, b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ")


async def test_read_only_properties(make_server):
    errors = []

    async def handler(request):
        for name in (
            "method",
            "version",
            "host",
            "path_qs",
            "path",
            "GET",
            "headers",
            "keep_alive",
            "match_info",
            "app",
            "transport",
            "cookies",
            "content",
            "content_type",
            "charset",
            "content_length",
        ):
            try:
                setattr(request, name, None)
            except AttributeError:
                continue
            errors.append(name)
        try:
            request.headers["X"] = "1"  # type: ignore[index]
        except TypeError:
            pass
        else:
            errors.append("headers item")
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
        assert resp.status == 200
    assert errors == []


async def test_headers_are_a_case_insensitive_multidict_proxy(make_server):
    seen = {}

    async def handler(request):
        seen["headers"] = request.headers
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/"), headers={"X-Thing": "1"}) as resp:
        assert resp.status == 200
    assert isinstance(seen["headers"], CIMultiDictProxy)
    assert seen["headers"]["x-thing"] == "1" and seen["headers"]["X-THING"] == "1"


async def test_headers_read_without_the_exchange_property_are_its_multidict(make_server):
    # request.headers, cookies, json() and post() read the exchange's fields directly: the same one multidict as
    # Exchange.headers, whichever reads first; a clone's replaced headers are what the clone reads.
    seen = {}

    async def handler(request):
        seen["cookie"] = request.cookies.get("a")
        seen["same"] = request.headers["X-Thing"] == "1" and dict(request.headers) == dict(request._exchange.headers)
        seen["built_once"] = request._exchange.headers is request._exchange.fields
        # One read-only proxy, whoever reads it: the request, the exchange, a clone that keeps the headers.
        seen["one_proxy"] = request.headers is request.headers is request._exchange.headers is request.clone().headers
        seen["read_only"] = isinstance(request._exchange.headers, CIMultiDictProxy)
        clone = request.clone(headers={"Cookie": "a=2", "Content-Type": "application/json; charset=latin-1"})
        seen["clone"] = (clone.cookies.get("a"), clone.headers.get("X-Thing"), await clone.json())
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    headers = {"X-Thing": "1", "Cookie": "a=1", "Content-Type": "text/plain"}
    async with aiohttp.ClientSession() as session, session.post(srv.url("/"), headers=headers, data=b'"\xe9"') as resp:
        assert resp.status == 200
    assert seen == {
        "cookie": "1",
        "same": True,
        "built_once": True,
        "one_proxy": True,
        "read_only": True,
        "clone": ("2", None, "\xe9"),
    }


async def test_post_property_raises_before_post(make_server):
    seen = {}

    async def handler(request):
        with pytest.raises(RuntimeError):
            _ = request.POST
        data = await request.post()
        seen["same"] = data is await request.post() and request.POST is data
        seen["a"] = data.getall("a")
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.post(srv.url("/"), data={"a": "1"}) as resp:
        assert resp.status == 200
    assert seen == {"same": True, "a": ["1"]}


async def test_post_on_get_returns_an_empty_multidict(make_server):
    seen = {}

    async def handler(request):
        seen["post"] = await request.post()
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
        assert resp.status == 200
    assert len(seen["post"]) == 0 and isinstance(seen["post"], MultiDictProxy)


async def test_content_type_charset_and_length(make_server):
    seen = []

    async def handler(request):
        seen.append((request.content_type, request.charset, request.content_length))
        await request.read()
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session:
        async with session.post(srv.url("/"), data=b"abc", headers={"Content-Type": "text/html; charset=UTF-8"}):
            pass
        async with session.post(srv.url("/"), data=b"abcd", skip_auto_headers=["Content-Type"]):
            pass
        async with session.get(srv.url("/")):
            pass
    assert seen[0] == ("text/html", "UTF-8", 3)
    assert seen[1] == ("application/octet-stream", None, 4)  # RFC 2616 §7.2.1 default
    assert seen[2] == ("application/octet-stream", None, None)


async def test_read_text_and_json_are_not_stored(make_server):
    seen = {}

    async def handler(request):
        if request.path == "/read":
            seen["read"] = (await request.read(), await request.read())
        elif request.path == "/text":
            seen["text"] = (await request.text(), await request.text())
        else:
            seen["json"] = await request.json()
            try:
                await request.json()
            except ValueError as exc:
                seen["json2"] = type(exc)
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session:
        async with session.post(srv.url("/read"), data=b"raw"):
            pass
        async with session.post(
            srv.url("/text"),
            data="zażółć".encode("iso-8859-2"),
            headers={"Content-Type": "text/plain; charset=iso-8859-2"},
        ):
            pass
        async with session.post(srv.url("/json"), json={"a": [1, 2]}):
            pass
    assert seen["read"] == (b"raw", b"")
    assert seen["text"] == ("zażółć", "")
    assert seen["json"] == {"a": [1, 2]}
    assert issubclass(seen["json2"], json.JSONDecodeError)


async def test_json_loader_and_invalid_json(make_server):
    async def handler(request):
        if request.path == "/loader":
            data = await request.json(loader=lambda text: {"len": len(text)})
            return web.json_response(data)
        return web.json_response(await request.json())

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session:
        async with session.post(srv.url("/loader"), data=b"12345") as resp:
            assert await resp.json() == {"len": 5}
        async with session.post(srv.url("/bad"), data=b"{not json") as resp:
            assert resp.status == 400  # uncaught invalid JSON is the client's fault


async def test_json_content_type_check_is_opt_in(make_server):
    async def handler(request):
        return web.json_response(await request.json(content_type="application/json"))

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session:
        async with session.post(srv.url("/"), data=b"{}", headers={"Content-Type": "text/plain"}) as resp:
            assert resp.status == 415
        async with session.post(srv.url("/"), json={}) as resp:
            assert resp.status == 200


async def test_content_is_a_flow_control_stream_reader(make_server):
    seen = {}

    async def handler(request):
        seen["type"] = type(request.content)
        seen["payload"] = request.payload is request.content  # the aiohttp 0.14 era's name
        seen["chunks"] = [chunk async for chunk in request.content.iter_chunked(4)]
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.post(srv.url("/"), data=b"0123456789"):
        pass
    assert seen["type"] is web.FlowControlStreamReader and seen["payload"]
    assert b"".join(seen["chunks"]) == b"0123456789"


async def test_cookies(make_server):
    seen = {}

    async def handler(request):
        seen["cookies"] = dict(request.cookies)
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/"), headers={"Cookie": "a=1; b=two"}):
        pass
    assert seen["cookies"] == {"a": "1", "b": "two"}


async def test_release_eats_the_unread_body(make_server):
    seen = {}

    async def handler(request):
        await request.content.read(2)
        await request.release()
        seen["eof"] = request.content.at_eof()
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.post(srv.url("/"), data=b"x" * 100_000) as resp:
        assert resp.status == 200
    assert seen["eof"] is True


async def test_unread_body_is_drained_so_keep_alive_survives(make_server):
    async def handler(request):
        return web.Response(text="ignored the body")

    srv = await _serve(make_server, handler)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    for _ in range(2):
        writer.write(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10000\r\n\r\n" + b"x" * 10000)
        status, headers, body = await asyncio.wait_for(read_response(reader, "POST"), 5)
        assert status == 200 and headers.get("connection") != "close"
        assert body == b"ignored the body"
    writer.close()


async def test_request_is_a_mutable_mapping_for_per_request_state(make_server):
    @web.middleware
    async def mw(request, handler):
        request["user"] = "alice"
        return await handler(request)

    async def handler(request):
        return web.Response(text=request["user"])

    app = web.Application(middlewares=[mw])
    app.router.add_get("/", handler)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
        assert await resp.text() == "alice"


# -- Expect: 100-continue and the route's expect_handler (aiohttp 3) ----------------------------------------------

EXPECT_POST = b"POST / HTTP/1.1\r\nHost: t\r\nX-Key: %s\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"


async def _expect_server(make_server):
    async def handler(request):
        return web.Response(text="handler:" + (await request.text()))

    async def expect_handler(request):
        key = request.headers["X-Key"]
        if key == "cached":
            return web.Response(text="cached")  # sent instead of the handler's answer
        if key == "forbidden":
            raise web.HTTPForbidden()
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return None

    app = web.Application()
    app.router.add_route("POST", "/", handler, expect_handler=expect_handler)
    return await make_server(app)


@pytest.mark.parametrize(("key", "status", "body"), [(b"cached", 200, b"cached"), (b"forbidden", 403, None)])
async def test_an_expect_handler_may_answer_instead_of_the_handler(make_server, key, status, body):
    srv = await _expect_server(make_server)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(EXPECT_POST % key)
    got, _, text = await asyncio.wait_for(read_response(reader, "POST"), 5)
    # The answer comes first: no 100 Continue invited a body the handler never reads (RFC 9110 §10.1.1).
    assert got == status and (body is None or text == body)
    writer.close()


async def test_an_expect_handler_that_sends_100_continue_is_not_followed_by_a_second(make_server):
    srv = await _expect_server(make_server)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(EXPECT_POST % b"go")
    assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == b"HTTP/1.1 100 Continue\r\n\r\n"
    writer.write(b"data")
    status, _, text = await asyncio.wait_for(read_response(reader, "POST"), 5)
    assert (status, text) == (200, b"handler:data")
    writer.close()


@pytest.mark.parametrize("cookie", ["Cookie", "cookie", "COOKIE"])
@pytest.mark.parametrize("ctype", ["Content-Type", "content-type", "CONTENT-TYPE"])
async def test_cookie_and_content_type_are_found_in_any_spelling(cookie, ctype) -> None:
    # Request reads them with istr keys (web/request.py _COOKIE, _CONTENT_TYPE): as case-blind as a str key.
    from web.mocked import make_mocked_request

    headers = [(cookie, "a=1"), (ctype, "application/x-www-form-urlencoded; charset=utf-8")]
    request = make_mocked_request("POST", "/", headers=headers, payload=b"k=v")
    assert request.cookies == {"a": "1"}
    assert (request.content_type, request.charset) == ("application/x-www-form-urlencoded", "utf-8")
    assert dict(await request.post()) == {"k": "v"}


async def test_aiohttp3_request_surface(make_server):
    # repr, get_extra_info(), the deprecated loop, and clone()'s own storage, as in aiohttp 3.
    seen = {}

    async def handler(request):
        seen["repr"] = repr(request)
        seen["peer"] = request.get_extra_info("peername")
        seen["missing"] = request.get_extra_info("no-such-info", "default")
        with pytest.warns(DeprecationWarning, match=r"^request\.loop property is deprecated$"):
            seen["loop"] = request.loop is asyncio.get_running_loop()
        request["key"] = "val"
        clone = request.clone()
        clone["key"] = "val2"
        seen["state"] = (request["key"], clone["key"])
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/path/\U0001f415?q=1")) as resp:
        assert resp.status == 200
    # The path without the query, escaped to ASCII, and aiohttp's space before the bracket.
    assert seen["repr"] == "<Request GET /path/\\U0001f415 >"
    assert seen["peer"][0] == "127.0.0.1" and seen["missing"] == "default"
    assert seen["loop"] is True
    assert seen["state"] == ("val", "val2")


async def test_absolute_form_target_names_the_host(make_server, raw):
    # RFC 9112 §3.2.2: for an absolute-form request target the server MUST ignore Host and use the target's host;
    # the scheme stays the connection's (the target's is the peer's word), as in aiohttp 3.
    seen = {}

    async def handler(request):
        seen.update(host=request.host, url=str(request.url), path_qs=request.path_qs, scheme=request.scheme)
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    answer = await raw(
        srv.port, b"GET https://example.com/path/to?a=1 HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n"
    )
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert seen == {
        "host": "example.com",
        "url": "http://example.com/path/to?a=1",
        "path_qs": "/path/to?a=1",
        "scheme": "http",
    }


async def test_forwarded_elements_line_up_with_the_fields(make_server):
    # aiohttp 3's reading: one element per field value, even an empty or malformed one, and an unterminated quote
    # ends its element without swallowing the next.
    seen = {}

    async def handler(request):
        seen["forwarded"] = [dict(element) for element in request.forwarded]
        return web.Response(text="ok")

    srv = await _serve(make_server, handler)
    headers = [("Forwarded", 'for=_injected;by=", for=_real'), ("Forwarded", "bad value"), ("Forwarded", "for=_3")]
    async with aiohttp.ClientSession() as session, session.get(srv.url("/"), headers=headers) as resp:
        assert resp.status == 200
    assert seen["forwarded"] == [{"for": "_injected"}, {"for": "_real"}, {}, {"for": "_3"}]


async def test_post_methods_are_aiohttp_s(make_server):
    """``Request.POST_METHODS``, aiohttp 3's class attribute: the methods whose body a middleware reads as a form or
    a document (aiohttp_apiset's validation asks ``request.method in request.POST_METHODS``)."""

    async def handler(request):
        return web.Response(text=str(request.method in request.POST_METHODS))

    server = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as s:
        for method, expected in (("POST", "True"), ("DELETE", "True"), ("PATCH", "True"), ("GET", "False")):
            async with s.request(method, server.url("/")) as r:
                assert await r.text() == expected, method
    assert sorted(web.Request.POST_METHODS) == ["DELETE", "PATCH", "POST", "PUT", "TRACE"]

"""``web.testing.make_mocked_request``: aiohttp's ``make_mocked_request``, a Request with no server."""

from __future__ import annotations

import asyncio
import ssl
from unittest import mock

import pytest

import web
from web.testing import make_mocked_request


async def test_a_mocked_request_reads_as_the_request_it_describes() -> None:
    app = web.Application()
    request = make_mocked_request(
        "post",
        "/items/7?x=1",
        {"Content-Type": "text/plain", "X-A": "b"},
        match_info={"id": "7"},
        app=app,
        payload=b"hello",
    )
    assert (request.method, request.path, request.query["x"]) == ("POST", "/items/7", "1")
    assert request.headers["x-a"] == "b" and request.version == web.HttpVersion(1, 1)
    assert request.match_info == {"id": "7"} and request.match_info.apps == (app,)
    assert request.app is app and request.keep_alive is True
    assert await request.text() == "hello"
    assert request.protocol.transport is request.transport
    assert request.scheme == "http" and request.task is None


async def test_a_response_prepared_for_a_mocked_request_is_written_to_its_transport() -> None:
    request = make_mocked_request("GET", "/", closing=True)
    response = web.Response(text="hi")
    await response.prepare(request)
    await response.write_eof()
    written = bytes(request.transport.written)
    assert written.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close" in written and written.endswith(b"\r\n\r\nhi")
    assert response.prepared


async def test_sslcontext_makes_it_https_and_read_is_bounded() -> None:
    request = make_mocked_request(
        "POST", "/", sslcontext=ssl.create_default_context(), payload=b"x" * 10, client_max_size=4
    )
    assert request.scheme == "https" and request.client_max_size == 4
    try:
        await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        assert exc.status == 413 and exc.text == "Maximum request body size 4 exceeded."
    else:
        raise AssertionError("a body over client_max_size was read")


async def test_client_max_size_does_not_bound_the_stream() -> None:
    # As aiohttp's make_mocked_request: client_max_size is what read() collects, not the body stream.
    request = make_mocked_request("POST", "/", payload=b"x" * 10, client_max_size=4)
    assert await request.content.read() == b"x" * 10


def test_a_request_made_outside_a_loop_runs_on_the_loop_that_later_runs_it() -> None:
    # As aiohttp's (which gives a mock loop then): a synchronous test builds the request, then runs a middleware or
    # handler on it with asyncio.run (aiohttp-request-id-logging's suite does).
    request = make_mocked_request("POST", "/items", {"X-Request-Id": "abc"}, payload=b"hello")

    async def handle() -> bytes:
        assert await request.text() == "hello"
        response = web.Response(text=request.headers["X-Request-Id"])
        await response.prepare(request)
        await response.write_eof()
        return bytes(request.transport.written)

    written = asyncio.run(handle())
    assert written.startswith(b"HTTP/1.1 200 OK\r\n") and written.endswith(b"\r\n\r\nabc")


async def test_a_stand_in_protocol_is_what_the_request_reports_as_aiohttps() -> None:
    # aiohttp's tests pass protocol=mock.Mock(): request.protocol and request.transport are the stand-in's, and a
    # response prepared for the request is still written (to the request's own connection).
    from unittest import mock

    stand_in = mock.Mock()
    request = make_mocked_request("GET", "/", protocol=stand_in)
    assert request.protocol is stand_in and request.transport is stand_in.transport
    response = web.StreamResponse()
    writer = await response.prepare(request)
    assert await response.prepare(request) is writer  # prepare() again returns the same body stream
    await response.write(b"ok")
    await response.write_eof()
    assert response.keep_alive is True


@pytest.mark.parametrize("stand_in", [False, True])
async def test_a_websocket_starts_on_a_mocked_upgrade_request(stand_in: bool) -> None:
    # As aiohttp's make_mocked_request allows: prepare() answers 101 and the websocket's frames are written to the
    # request's own connection, with a stand-in protocol too (aiohttp's tests pass protocol=mock.Mock()).
    from unittest import mock

    headers = {
        "Host": "example.com",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    request = make_mocked_request("GET", "/", headers, protocol=mock.Mock() if stand_in else None)
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    assert ws.prepared and not ws.closed
    await ws.send_str("hi")
    written = bytes(request._exchange.protocol.transport.written)
    assert written.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in written
    assert written.endswith(b"\x81\x02hi")


async def test_a_stream_of_aiohttps_is_the_body_and_client_max_fields_bounds_post() -> None:
    # aiohttp's tests feed an aiohttp StreamReader and pass it as payload=: it is request.content, read() and post()
    # read it; client_max_fields= bounds post() as aiohttp's make_mocked_request does (0 or less: no bound).
    from unittest import mock

    from aiohttp.streams import StreamReader

    def stream(data: bytes) -> StreamReader:
        reader = StreamReader(mock.Mock(_reading_paused=False), 2**16, loop=asyncio.get_running_loop())
        reader.feed_data(data)
        reader.feed_eof()
        return reader

    payload = stream(b"a=1&b=2&c=3")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    request = make_mocked_request("POST", "/", form, payload=payload)
    assert request.content is payload and request.client_max_fields == 1000
    assert await request.read() == b"a=1&b=2&c=3"
    request = make_mocked_request("POST", "/", form, payload=stream(b"a=1&b=2&c=3"), client_max_fields=2)
    assert request.client_max_fields == 2 and request.clone().client_max_fields == 2
    with pytest.raises(web.HTTPRequestEntityTooLarge) as caught:
        await request.post()
    assert caught.value.text == "Maximum number of form fields 2 exceeded."
    request = make_mocked_request("POST", "/", form, payload=stream(b"a=1&b=2&c=3"), client_max_fields=0)
    assert len(await request.post()) == 3


def test_a_mocked_request_takes_any_stream_as_its_payload() -> None:
    # aiohttp's make_mocked_request takes any StreamReader-like object (a test's mock.Mock stands for one) and
    # request.content is that object.
    payload = mock.Mock()
    assert make_mocked_request("GET", "/", payload=payload).content is payload


async def test_its_route_is_a_stand_in_as_aiohttps() -> None:
    """aiohttp's mocked request matched a ``mock.Mock()`` route: a middleware reading the route's resource (as
    aiozipkin's reads ``request.match_info.route.resource.canonical``) finds one, where ours had no route."""
    app = web.Application()
    request = make_mocked_request("GET", "/a", app=app)
    route = request.match_info.route
    assert isinstance(route, mock.Mock) and route.resource is not None
    assert request.match_info.apps == (app,) and request.match_info.current_app is app
    assert request.match_info == {}

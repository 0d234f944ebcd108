"""``web.testing.make_mocked_request``: aiohttp's ``make_mocked_request``, a Request with no server."""

from __future__ import annotations

import asyncio
import ssl
from unittest import mock

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


def test_a_mocked_request_takes_any_stream_as_its_payload() -> None:
    # aiohttp's make_mocked_request takes any StreamReader-like object (a test's mock.Mock stands for one) and
    # request.content is that object.
    payload = mock.Mock()
    assert make_mocked_request("GET", "/", payload=payload).content is payload

"""Graceful close of every connection: in-flight and pipelined requests finish, idle ones get a grace."""

from __future__ import annotations

import asyncio

from http_client import read_response
from waiting import until

from web import Application, Response


def _app(started: asyncio.Event | None = None) -> Application:
    app = Application()

    async def slow(request):
        if started is not None:
            started.set()
        await asyncio.sleep(float(request.query.get("t", "0.3")))
        return Response(text="done")

    app.router.add_get("/slow", slow)
    app.router.add_get("/", lambda request: Response(text="hello"))
    return app


async def _read_response(reader: asyncio.StreamReader) -> tuple[dict[str, str], bytes]:
    """(lower-cased headers, body) of the next response."""
    _, headers, body = await asyncio.wait_for(read_response(reader), 5)
    return headers, body


async def test_in_flight_request_completes_with_connection_close(make_server):
    started = asyncio.Event()
    srv = await make_server(_app(started))
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    shutdown = asyncio.ensure_future(srv.factory.shutdown(timeout=5, grace=0.1))
    headers, body = await _read_response(reader)
    assert body == b"done" and headers.get("connection") == "close"
    assert await asyncio.wait_for(reader.read(), 5) == b""
    await asyncio.wait_for(shutdown, 5)
    assert len(srv.factory.connections) == 0
    writer.close()


async def test_pipelined_requests_are_all_answered_and_only_the_last_announces_the_close(make_server):
    started = asyncio.Event()
    srv = await make_server(_app(started))
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n" + b"GET / HTTP/1.1\r\nHost: t\r\n\r\n" * 2)
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0.02)  # the pipelined requests are parsed and queued
    shutdown = asyncio.ensure_future(srv.factory.shutdown(timeout=5, grace=0.1))
    answers = [await _read_response(reader) for _ in range(3)]
    assert [body for _, body in answers] == [b"done", b"hello", b"hello"]
    assert [headers.get("connection") == "close" for headers, _ in answers] == [False, False, True]
    assert await asyncio.wait_for(reader.read(), 5) == b""
    await asyncio.wait_for(shutdown, 5)
    writer.close()


async def test_idle_connection_is_served_during_the_grace_then_closed(make_server):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    headers, _ = await _read_response(reader)
    assert headers.get("connection") != "close"
    loop = asyncio.get_running_loop()
    started = loop.time()
    shutdown = asyncio.ensure_future(srv.factory.shutdown(timeout=5, grace=0.5))
    await until(lambda: srv.factory.connections.closing, what="the drain to begin")
    # A request that was already on its way when the drain began is still served, announcing the close.
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    headers, body = await _read_response(reader)
    assert body == b"hello" and headers.get("connection") == "close"
    assert await asyncio.wait_for(reader.read(), 5) == b""
    await asyncio.wait_for(shutdown, 5)
    assert loop.time() - started < 3
    writer.close()


async def test_idle_connection_closes_when_the_grace_ends(make_server):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    await _read_response(reader)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(srv.factory.shutdown(timeout=5, grace=0.3), 5)
    assert await asyncio.wait_for(reader.read(), 5) == b""
    assert 0.25 <= loop.time() - started < 3
    writer.close()


async def test_requests_past_the_deadline_are_aborted(make_server):
    started = asyncio.Event()
    srv = await make_server(_app(started))
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET /slow?t=30 HTTP/1.1\r\nHost: t\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await asyncio.wait_for(srv.factory.shutdown(timeout=0.3, grace=0.1), 5)
    assert loop.time() - t0 < 2
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


async def test_aiohttp_014_finish_connections(make_server):
    srv = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    await _read_response(reader)
    await asyncio.wait_for(srv.factory.finish_connections(1.0), 5)
    assert len(srv.factory.connections) == 0
    writer.close()


def _unread_body_app(started: asyncio.Event | None = None) -> Application:
    app = Application()

    async def answer_without_reading(request):
        if started is not None:
            started.set()
            await asyncio.sleep(0.2)
        return Response(text="answered")

    app.router.add_post("/", answer_without_reading)
    return app


_UNFINISHED_POST = b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + b"x" * 10  # 990 bytes never come


async def test_a_connection_discarding_an_answered_body_closes_when_the_drain_begins(make_server):
    # The answer is out; the server was discarding the rest of its request's body only to keep the connection for
    # another request. Once the drain begins there is none to keep it for: a lingering close within the grace,
    # not a wait of header_timeout (30 s) for body bytes the client stopped sending.
    srv = await make_server(_unread_body_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(_UNFINISHED_POST)
    headers, body = await _read_response(reader)
    assert body == b"answered" and headers.get("connection") != "close"
    await until(lambda: any(p._body_drain is not None for p in srv.factory.connections), what="the body drain")
    await asyncio.wait_for(srv.factory.shutdown(timeout=60, grace=0.1), 10)
    assert await asyncio.wait_for(reader.read(), 5) == b""
    assert len(srv.factory.connections) == 0
    writer.close()


async def test_an_answer_given_during_the_drain_does_not_wait_for_the_rest_of_its_body(make_server):
    started = asyncio.Event()
    srv = await make_server(_unread_body_app(started))
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(_UNFINISHED_POST)
    await asyncio.wait_for(started.wait(), 5)
    shutdown = asyncio.ensure_future(srv.factory.shutdown(timeout=60, grace=0.1))
    headers, body = await _read_response(reader)
    assert body == b"answered" and headers.get("connection") == "close"
    assert await asyncio.wait_for(reader.read(), 5) == b""
    await asyncio.wait_for(shutdown, 10)
    writer.close()

"""A connection that closes while its client is still sending a request body lingers: the answer, a FIN, then what
the client still sends is read and discarded until it closes (``lingering_time``, aiohttp's setting).

Closing with unread bytes makes the kernel reset the connection, and a client that writes its whole body before
reading (Python's http.client, requests, urllib) then fails its write and never reads the 401 or 413 it was sent.
Checked with that client itself, as aiohttp (which lingers too) answers it.
"""

from __future__ import annotations

import asyncio
import http.client

import pytest
from waiting import until

from web import Application, Response

BIG = 5 * 1024 * 1024  # far over max_drain (256 KiB)


def _app() -> Application:
    async def refuse(request):
        return Response(status=401, text="no")  # the upload is never read

    async def refuse_closing(request):
        response = Response(status=403, text="no")
        response.force_close()
        return response

    app = Application(client_max_size=None)  # no bound on the body: these handlers refuse it unread
    app.router.add_post("/refuse", refuse)
    app.router.add_post("/refuse-closing", refuse_closing)
    return app


def _post(port: int, path: str, size: int) -> int | str:
    """One POST of ``size`` bytes with http.client, which writes all of it before reading the answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", path, body=b"x" * size)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError as exc:
        return repr(exc)
    finally:
        connection.close()


async def test_a_client_writing_its_whole_body_reads_the_refusal(make_server):
    srv = await make_server(_app())
    for path, status in (("/refuse", 401), ("/refuse-closing", 403)):
        answers = [await asyncio.to_thread(_post, srv.port, path, BIG) for _ in range(5)]
        assert answers == [status] * 5
    await until(lambda: len(srv.factory.connections) == 0, what="every lingering connection closed by its client")


async def test_a_content_length_over_the_server_cap_is_answered_413_not_reset(make_server):
    srv = await make_server(_app(), client_max_size=64 * 1024)
    answers = [await asyncio.to_thread(_post, srv.port, "/refuse", BIG) for _ in range(5)]
    assert answers == [413] * 5


async def test_a_body_within_max_drain_keeps_the_connection(make_server):
    srv = await make_server(_app())
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        for _ in range(3):
            await asyncio.to_thread(connection.request, "POST", "/refuse", b"x" * 1000)
            response = await asyncio.to_thread(connection.getresponse)
            assert response.status == 401 and response.read() == b"no"
        assert len(srv.factory.connections) == 1  # one connection answered all three
    finally:
        connection.close()


async def test_lingering_ends_at_lingering_time_for_a_client_that_never_closes(make_server):
    srv = await make_server(_app(), lingering_time=0.2)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    try:
        writer.write(b"POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % BIG)
        writer.write(b"x" * 300_000)
        answer = await asyncio.wait_for(reader.read(), 10)  # the answer, then the FIN
        assert answer.startswith(b"HTTP/1.1 401 ") and answer.endswith(b"no")
        writer.write(b"x" * 1000)  # still read and discarded: no reset while lingering
        await writer.drain()
        # The ticker closes it once lingering_time has passed, though this client never closes.
        await until(lambda: len(srv.factory.connections) == 0, what="the lingering connection closed at its deadline")
    finally:
        writer.close()


async def test_lingering_time_zero_closes_at_once(make_server):
    srv = await make_server(_app(), lingering_time=0)
    _reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    try:
        writer.write(b"POST /refuse HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % BIG)
        writer.write(b"x" * 300_000)
        await until(lambda: len(srv.factory.connections) == 0, what="closed without lingering")
    finally:
        writer.close()


def test_lingering_time_must_not_be_negative():
    from server.settings import ServerSettings

    with pytest.raises(ValueError, match="lingering_time"):
        ServerSettings(lingering_time=-1)

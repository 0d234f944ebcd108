"""A handler's own Content-Length against the body it sends: the next answer on the connection must never be read
as part of this one's body, nor this one's excess as the next answer (response splitting on a keep-alive or
pipelined connection). A HEAD answer keeps the length the handler gives it."""

from __future__ import annotations

import asyncio

import aiohttp

import web

TWO_GETS = b"GET /a HTTP/1.1\r\nHost: t\r\n\r\nGET /a HTTP/1.1\r\nHost: t\r\n\r\n"


async def _exchange(port: int, data: bytes) -> bytes:
    """Send ``data`` and read until the server closes (bounded)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    got = b""
    try:
        while True:
            piece = await asyncio.wait_for(reader.read(65536), 5)
            if not piece:
                return got
            got += piece
    finally:
        writer.close()


async def _serve(make_server, handler, method: str = "GET"):
    app = web.Application()
    app.router.add_route(method, "/a", handler)
    return await make_server(app)


async def test_a_head_answer_keeps_the_length_the_handler_gives(make_server):
    # aiohttp's way: Response(headers={"Content-Length": ...}) without a body answers HEAD with that length (the
    # size of what GET would send), not 0.
    async def handler(request):
        return web.Response(headers={"Content-Length": "42"})

    server = await _serve(make_server, handler, "HEAD")
    async with aiohttp.ClientSession() as session, session.head(f"http://127.0.0.1:{server.port}/a") as response:
        assert response.status == 200
        assert response.headers["Content-Length"] == "42"
    assert web.Response(headers={"Content-Length": "42"}).content_length == 42


async def test_a_streamed_body_short_of_its_length_closes_the_connection(make_server):
    async def handler(request):
        response = web.StreamResponse(headers={"Content-Length": "42"})
        await response.prepare(request)
        await response.write(b"hello")
        return response

    server = await _serve(make_server, handler)
    data = await _exchange(server.port, TWO_GETS)
    # One answer, cut short, then the close: the pipelined request's answer is not sent into the missing 37 bytes.
    assert data.count(b"HTTP/1.1 200 ") == 1 and data.endswith(b"\r\n\r\nhello")


async def test_a_response_without_the_body_its_length_announces_closes_the_connection(make_server):
    async def handler(request):
        return web.Response(headers={"Content-Length": "42"})

    server = await _serve(make_server, handler)
    data = await _exchange(server.port, TWO_GETS)
    assert data.count(b"HTTP/1.1 200 ") == 1 and data.endswith(b"\r\n\r\n")


async def test_bytes_past_the_length_are_not_sent_and_the_connection_goes_on(make_server):
    async def handler(request):
        response = web.StreamResponse(headers={"Content-Length": "5"})
        await response.prepare(request)
        await response.write(b"hello, and this is not part of it")
        await response.write(b"nor this")
        return response

    server = await _serve(make_server, handler)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(TWO_GETS)
    try:
        for _ in range(2):
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200 ") and b"Content-Length: 5\r\n" in head
            assert await asyncio.wait_for(reader.readexactly(5), 5) == b"hello"
    finally:
        writer.close()


async def test_a_file_sent_whole_keeps_the_connection(make_server, tmp_path):
    # FileResponse declares its length and sends the file past write() (sendfile): it is counted, no close.
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 10000)

    async def handler(request):
        return web.FileResponse(path)

    server = await _serve(make_server, handler)
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.get(f"http://127.0.0.1:{server.port}/a") as response:
                assert await response.read() == b"x" * 10000
        assert len(session.connector._conns) == 1  # one pooled connection, reused each time

"""``Application(client_max_size=...)`` means what it means in aiohttp 3, through a real server and real clients.

It bounds what ``request.read()``, ``text()``, ``json()`` and ``post()`` collect (and a multipart part's
``read()``): over it they raise ``HTTPRequestEntityTooLarge``, 413, "Maximum request body size N exceeded.". The
body stream is not bounded by it: ``request.content`` and ``request.multipart()`` read piece by piece are the
documented way to accept uploads larger than the limit. A ``client_max_size`` given to the server (``make_handler``,
the ``prefork`` option) is the operator's cap on every body, as nginx's ``client_max_body_size``: streams too.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

import web

LIMIT = 1024
BIG = bytes(range(256)) * (5 * 1024 * 1024 // 256)  # 5 MiB, far over LIMIT
DIGEST = hashlib.sha256(BIG).hexdigest()


async def _stream_content(request: web.Request) -> web.Response:
    digest = hashlib.sha256()
    async for chunk in request.content.iter_chunked(64 * 1024):
        digest.update(chunk)
    return web.Response(text=f"{request.content.total_bytes} {digest.hexdigest()}")


async def _stream_multipart(request: web.Request) -> web.Response:
    reader = await request.multipart()
    lines = []
    async for part in reader:
        digest = hashlib.sha256()
        size = 0
        while chunk := await part.read_chunk(64 * 1024):
            size += len(chunk)
            digest.update(chunk)
        lines.append(f"{part.name} {part.filename} {size} {digest.hexdigest()}")
    return web.Response(text="\n".join(lines))


async def _read(request: web.Request) -> web.Response:
    try:
        data = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        # The fields aiohttp's exception carries; the handler lets it answer.
        assert exc.max_size == request.client_max_size == LIMIT and exc.actual_size > LIMIT
        raise
    return web.Response(text=str(len(data)))


async def _ignore(request: web.Request) -> web.Response:
    return web.Response(text="ignored")


def _app(**kwargs: Any) -> web.Application:
    app = web.Application(client_max_size=LIMIT, **kwargs)
    app.router.add_post("/content", _stream_content)
    app.router.add_post("/multipart", _stream_multipart)
    app.router.add_post("/read", _read)
    app.router.add_post("/ignore", _ignore)
    return app


async def _pieces(data: bytes, size: int = 100_000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_far_over_client_max_size_streams_through_request_content(make_server: Any, chunked: bool) -> None:
    server = await make_server(_app())
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url("/content"), data=_pieces(BIG) if chunked else io.BytesIO(BIG)) as resp,
    ):
        assert resp.status == 200
        assert await resp.text() == f"{len(BIG)} {DIGEST}"


async def test_an_upload_far_over_client_max_size_streams_through_request_multipart(make_server: Any) -> None:
    server = await make_server(_app())
    form = aiohttp.FormData()
    form.add_field("note", "hello")
    form.add_field("file", io.BytesIO(BIG), filename="big.bin", content_type="application/octet-stream")
    async with aiohttp.ClientSession() as session, session.post(server.url("/multipart"), data=form) as resp:
        assert resp.status == 200
        note, upload = (await resp.text()).split("\n")
        assert note == f"note None 5 {hashlib.sha256(b'hello').hexdigest()}"
        assert upload == f"file big.bin {len(BIG)} {DIGEST}"


@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT, LIMIT + 1, 5 * LIMIT])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_read_over_client_max_size_answers_413_as_aiohttp(make_server: Any, size: int, chunked: bool) -> None:
    server = await make_server(_app())
    body = b"r" * size
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url("/read"), data=_pieces(body, 300) if chunked else body) as resp,
    ):
        if size <= LIMIT:  # aiohttp's comparison: len(body) > client_max_size
            assert resp.status == 200 and await resp.text() == str(size)
        else:
            assert resp.status == 413
            assert await resp.text() == f"Maximum request body size {LIMIT} exceeded."
            assert resp.headers["Connection"] == "close"


async def test_read_refuses_a_content_length_over_the_limit_without_reading_the_body(make_server: Any) -> None:
    # The client announces a large body and waits for 100 Continue: read() answers 413 from the Content-Length,
    # no 100 Continue is sent, and the body is never asked for.
    server = await make_server(_app())
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(b"POST /read HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413 ") and b"Connection: close" in head
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        assert await reader.readexactly(length) == b"Maximum request body size 1024 exceeded."
        assert await reader.read() == b""  # closed
    finally:
        writer.close()


async def test_an_unread_body_over_the_limit_is_discarded_and_the_connection_kept(make_server: Any) -> None:
    # A handler that never reads the body: the server discards it (under max_drain) without buffering it, and the
    # connection serves the next request, as before.
    server = await make_server(_app())
    body = b"u" * (100 * LIMIT)
    request = b"POST /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        for _ in range(2):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200 ") and b"Connection: close" not in head
            assert await reader.readexactly(len(b"ignored")) == b"ignored"
    finally:
        writer.close()


async def test_clone_sets_the_limit_of_its_reads(make_server: Any) -> None:
    async def handler(request: web.Request) -> web.Response:
        clone = request.clone(client_max_size=10)
        assert clone.client_max_size == 10 and request.client_max_size == LIMIT
        await clone.read()
        return web.Response(text="read")

    app = _app()
    app.router.add_post("/clone", handler)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session, session.post(server.url("/clone"), data=b"c" * 11) as resp:
        assert resp.status == 413 and await resp.text() == "Maximum request body size 10 exceeded."


async def test_client_max_size_none_reads_any_body(make_server: Any) -> None:
    app = web.Application(client_max_size=None)
    app.router.add_post("/read", _read)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session, session.post(server.url("/read"), data=io.BytesIO(BIG)) as resp:
        assert resp.status == 200 and await resp.text() == str(len(BIG))


@pytest.mark.parametrize("path", ["/content", "/multipart", "/read"])
async def test_a_server_wide_cap_bounds_every_body_streams_included(make_server: Any, path: str) -> None:
    # The operator's cap (make_handler(client_max_size=...), the prefork option) is nginx's client_max_body_size:
    # a declared length over it is answered 413 before the handler runs, whatever the handler would do.
    server = await make_server(_app(), client_max_size=4096)
    async with aiohttp.ClientSession() as session, session.post(server.url(path), data=io.BytesIO(BIG)) as resp:
        assert resp.status == 413
        assert await resp.text() == "413 Maximum request body size 4096 exceeded."


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_a_compressed_body_streams_decoded_past_the_limit_and_read_stops_at_it(
    make_server: Any, coding: str
) -> None:
    server = await make_server(_app())
    data = gzip.compress(BIG) if coding == "gzip" else zlib.compress(BIG)
    headers = {"Content-Encoding": coding}
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        async with session.post(server.url("/content"), data=data, headers=headers) as resp:
            assert resp.status == 200 and await resp.text() == f"{len(BIG)} {DIGEST}"
        async with session.post(server.url("/read"), data=data, headers=headers) as resp:
            # Counted decoded, as aiohttp counts it: the compressed body is small, its content is not.
            assert resp.status == 413
            assert await resp.text() == f"Maximum request body size {LIMIT} exceeded."

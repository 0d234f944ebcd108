"""Response compression (enable_compression) and the codings of web.compression."""

from __future__ import annotations

import zlib

import aiohttp
import pytest

import web
from web.compression import ContentCoding, Decompressor, choose_coding, compress


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("gzip, deflate", ContentCoding.deflate), ("GZIP", ContentCoding.gzip), ("", ContentCoding.identity)],
)
def test_choose_coding_takes_aiohttps_order_case_insensitively(accept, expected):
    assert choose_coding(accept, None) is expected
    assert choose_coding(accept, ContentCoding.gzip) is ContentCoding.gzip


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_decompressor_reverses_compress(coding):
    data = compress(ContentCoding(coding), b"x" * 1000)
    engine = Decompressor(coding)
    assert engine.decompress(data) + engine.flush() == b"x" * 1000
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    if coding == "deflate":
        engine = Decompressor("deflate")
        assert engine.decompress(raw.compress(b"raw") + raw.flush()) == b"raw"


async def test_response_and_stream_response_are_compressed(make_server):
    async def whole(request):
        response = web.Response(text="hello " * 100)
        response.enable_compression()
        return response

    async def streamed(request):
        response = web.StreamResponse()
        response.enable_compression(web.ContentCoding.gzip)
        await response.prepare(request)
        await response.write(b"part " * 100)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/whole", whole)
    app.router.add_get("/streamed", streamed)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/whole"), headers={"Accept-Encoding": "gzip"}) as r:
            assert r.headers["Content-Encoding"] == "gzip"
            assert int(r.headers["Content-Length"]) < 600
            assert await r.text() == "hello " * 100
        async with s.get(server.url("/whole"), headers={"Accept-Encoding": "identity"}) as r:
            assert "Content-Encoding" not in r.headers and await r.text() == "hello " * 100
        async with s.get(server.url("/streamed")) as r:
            assert r.headers["Content-Encoding"] == "gzip" and await r.read() == b"part " * 100


async def test_stream_response_returned_without_write_eof_gets_its_compressed_tail(make_server):
    """The handler machinery finishes a returned response: a compressor's buffered end goes out first."""

    async def streamed(request):
        response = web.StreamResponse()
        response.enable_compression(web.ContentCoding.deflate)
        await response.prepare(request)
        await response.write(b"part " * 100)
        return response

    app = web.Application()
    app.router.add_get("/", streamed)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/"), auto_decompress=False) as r:
        assert r.headers["Content-Encoding"] == "deflate"
        assert zlib.decompress(await r.read()) == b"part " * 100

"""server/decompress.py: request bodies decoded by their Content-Encoding, no faster than they are read, bounded
after decoding; on bytes alone (each input whole, one byte at a time, and in two halves) and over a real socket."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import pytest

from server.decompress import _PIECE, DecodingStreamReader, decoder_for
from server.errors import ContentDecodingError, PayloadTooLarge
from web import Application, Response

brotli = pytest.importorskip("brotli")

DATA = b"prefork " * 5000


def _deflate(data: bytes, wbits: int) -> bytes:
    c = zlib.compressobj(wbits=wbits)
    return c.compress(data) + c.flush()


ENCODED = {
    "gzip": gzip.compress(DATA),
    "x-gzip": gzip.compress(DATA),
    "deflate": _deflate(DATA, zlib.MAX_WBITS),
    "deflate (raw)": _deflate(DATA, -zlib.MAX_WBITS),
    "br": brotli.compress(DATA),
}


def _pieces(data: bytes, how: str) -> list[bytes]:
    if how == "whole":
        return [data]
    if how == "bytes":
        return [data[i : i + 1] for i in range(len(data))]
    return [data[: len(data) // 2], data[len(data) // 2 :]]


def _stream(coding: str, limit: int = 0) -> DecodingStreamReader:
    decoder = decoder_for(coding.split(" ")[0])
    assert decoder is not None
    return DecodingStreamReader(decoder, None, asyncio.get_running_loop(), limit=limit, high_water=1 << 30)


@pytest.mark.parametrize("how", ["whole", "bytes", "halves"])
@pytest.mark.parametrize("coding", ENCODED)
async def test_a_body_is_read_decoded(coding, how):
    stream = _stream(coding)
    for piece in _pieces(ENCODED[coding], how):
        stream.feed_data(piece)
    stream.feed_eof()
    assert await stream.read() == DATA
    assert stream.raw_bytes == len(ENCODED[coding])


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
@pytest.mark.parametrize("data", [b"test", b"\x00" * 64], ids=["text", "zeros"])
async def test_a_body_that_does_not_decode_fails_the_read(coding, data):
    stream = _stream(coding)
    stream.feed_data(data)
    stream.feed_eof()
    with pytest.raises(ContentDecodingError):
        await stream.read()


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_a_truncated_body_fails_the_read(coding):
    stream = _stream(coding)
    stream.feed_data(ENCODED[coding][:-8])
    stream.feed_eof()
    with pytest.raises(ContentDecodingError):
        await stream.read()


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_a_zip_bomb_stops_at_the_limit_with_bounded_memory(coding):
    limit = 1024 * 1024
    bomb = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress}[coding](b"\0" * (64 * limit))
    stream = _stream(coding, limit=limit)
    stream.feed_data(bomb)
    # Decoding stopped one piece past the limit, not after 64 MiB.
    assert stream.total_bytes <= limit + 64 * 1024
    with pytest.raises(PayloadTooLarge):
        await stream.read()


class _Flow:
    """The connection's side of a stream: records whether reading is paused."""

    def __init__(self) -> None:
        self.paused = False

    def pause_body(self) -> None:
        self.paused = True

    def resume_body(self) -> None:
        self.paused = False

    def send_continue(self) -> None:
        pass


_COMPRESS = {"gzip": gzip.compress, "deflate": zlib.compress, "br": lambda data: brotli.compress(data)}


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_a_body_is_decoded_no_faster_than_it_is_read(coding):
    # A zip bomb fed in one piece, no limit set: the stream holds about high_water decoded bytes, not the whole
    # inflation, and keeps the connection paused until the reader has caught up; the reader gets every byte.
    size = 16 * 1024 * 1024
    high = 256 * 1024
    flow = _Flow()
    decoder = decoder_for(coding)
    assert decoder is not None
    stream = DecodingStreamReader(decoder, flow, asyncio.get_running_loop(), high_water=high, low_water=64 * 1024)
    stream.feed_data(_COMPRESS[coding](b"\0" * size))
    stream.feed_eof()
    assert stream._size <= high + _PIECE and flow.paused and not stream.is_eof()
    total = 0
    while chunk := await stream.readany():
        total += len(chunk)
        assert stream._size <= high + _PIECE
    assert total == size and stream.is_eof() and not flow.paused


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
async def test_a_body_discarded_unread_is_not_decoded(coding):
    bomb = _COMPRESS[coding](b"\0" * (16 * 1024 * 1024))
    flow = _Flow()
    decoder = decoder_for(coding)
    assert decoder is not None
    stream = DecodingStreamReader(decoder, flow, asyncio.get_running_loop())
    stream.feed_data(bomb[:1000])
    stream.discard()  # the server drains what the handler left
    assert not flow.paused and stream._size == 0
    stream.feed_data(bomb[1000:])
    stream.feed_eof()
    assert stream.is_eof() and stream._size == 0 and stream.raw_bytes == len(bomb)
    await stream.wait_eof()


async def test_a_read_past_high_water_is_decoded_on_the_readers_behalf():
    # readexactly() of more than high_water: the waiting reader makes decoding go on past the mark.
    data = bytes(range(256)) * 4096  # 1 MiB
    decoder = decoder_for("gzip")
    assert decoder is not None
    stream = DecodingStreamReader(decoder, _Flow(), asyncio.get_running_loop(), high_water=64 * 1024, low_water=0)
    stream.feed_data(gzip.compress(data))
    stream.feed_eof()
    assert await stream.readexactly(len(data) - 1) == data[:-1]
    assert await stream.read() == data[-1:]


@pytest.mark.parametrize("coding", ["identity", "compress", "zstd-unknown", "gzip, br"])
def test_other_codings_pass_through(coding):
    assert decoder_for(coding) is None


# -- over a real socket ----------------------------------------------------------------------------------------


def _app() -> Application:
    app = Application()

    async def length(request):
        return Response(text=str(len(await request.read())))

    app.router.add_post("/", length)
    return app


def _post(body: bytes, coding: str = "gzip") -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: t\r\nContent-Encoding: {coding}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize(("auto_decompress", "length"), [(True, len(DATA)), (False, len(ENCODED["gzip"]))])
async def test_auto_decompress_setting(make_server, raw, auto_decompress, length):
    srv = await make_server(_app(), auto_decompress=auto_decompress)
    (resp,) = raw.parse(await raw(srv.port, _post(ENCODED["gzip"])))
    assert (resp.status, resp.body) == (200, str(length).encode())


@pytest.mark.parametrize("cap", [None, 1024 * 1024], ids=["app", "server"])
async def test_a_zip_bomb_is_answered_413(make_server, raw, cap):
    # read() stops at the application's client_max_size (1 MiB), counting decoded bytes as aiohttp does, or the
    # server-wide cap fails the stream at it.
    srv = await make_server(_app(), client_max_size=cap)
    (resp,) = raw.parse(await raw(srv.port, _post(gzip.compress(b"\0" * (16 * 1024 * 1024)))))
    assert resp.status == 413 and resp.body.endswith(b"Maximum request body size 1048576 exceeded.")


async def test_a_body_that_does_not_decode_is_answered_400(make_server, raw):
    srv = await make_server(_app())
    (resp,) = raw.parse(await raw(srv.port, _post(b"test")))
    assert resp.status == 400

"""web/part_reader.py: aiohttp 3's BodyPartReader made alone on a stream (its data first, then the delimiter), each
stream fed whole, one byte at a time and with more parts after it; the reader's own cases are in test_multipart.py."""

from __future__ import annotations

import base64

import pytest
from byte_stream import Stream
from multidict import CIMultiDict

from web.content_disposition import BadContentDispositionParam
from web.part_reader import BadMultipart, BodyPartReader

NEXT = b"\r\n--xyz\r\nContent-Type: text/plain\r\n\r\nnext part\r\n--xyz--\r\n"
WAYS = {"whole": (b"\r\n--xyz--\r\n", 1 << 30), "byte by byte": (b"\r\n--xyz--\r\n", 1), "more parts": (NEXT, 1 << 30)}


@pytest.fixture(params=list(WAYS))
def way(request: pytest.FixtureRequest) -> tuple[bytes, int]:
    return WAYS[request.param]


def part_on(data: bytes, way: tuple[bytes, int], **headers: str) -> tuple[BodyPartReader, Stream]:
    tail, piece = way
    stream = Stream(data + tail, piece)
    return BodyPartReader(b"--xyz", CIMultiDict({k.replace("_", "-"): v for k, v in headers.items()}), stream), stream


async def test_reads_up_to_the_delimiter_and_leaves_it_in_the_stream(way: tuple[bytes, int]) -> None:
    part, stream = part_on(b"hello\r\nworld\r\n--xy", way, Content_Type="text/plain")
    assert await part.text() == "hello\r\nworld\r\n--xy" and part.at_eof()
    assert await part.read() == b"" and await part.next() is None
    assert stream.rest() == way[0][2:]  # the delimiter and what follows; the CRLF before it went with the part


async def test_read_chunk_readline_and_release(way: tuple[bytes, int]) -> None:
    part, _ = part_on(b"one\ntwo\r\nthree", way)
    assert await part.readline() == b"one\n"
    assert await part.readline() == b"two\r\n"
    part, stream = part_on(b"0123456789" * 5, way)
    chunk = await part.read_chunk(16)
    assert chunk and len(chunk) <= 16 and (b"0123456789" * 5).startswith(chunk)
    await part.release()
    assert part.at_eof() and stream.rest() == way[0][2:]


async def test_a_content_length_is_read_exactly(way: tuple[bytes, int]) -> None:
    part, stream = part_on(b"12\r\n--xyz", way, Content_Length="9")
    assert await part.read() == b"12\r\n--xyz" and stream.rest() == way[0][2:]
    part, _ = part_on(b"12345", way, Content_Length="3")
    with pytest.raises(BadMultipart, match="malformed"):
        await part.read()
    with pytest.raises(ValueError, match="Content-Length"):
        part_on(b"", way, Content_Length="\uff15")


async def test_base64_chunks_decode_on_their_own() -> None:
    data = bytes(range(256)) * 3
    part, _ = part_on(base64.encodebytes(data), WAYS["whole"], Content_Transfer_Encoding="base64")
    decoded = b""
    while not part.at_eof():
        decoded += part.decode(await part.read_chunk(30))
    assert decoded == data


def test_names_are_read_as_aiohttp_reads_them() -> None:
    part = BodyPartReader(b"--x", {"Content-Disposition": "attachment; filename*=UTF-8''%E2%82%AC.txt; name=a"}, None)
    assert (part.name, part.filename) == ("a", "\u20ac.txt")
    with pytest.warns(BadContentDispositionParam):
        bad = BodyPartReader(b"--x", {"Content-Disposition": "form-data; name=a; filename*=nope''%E9"}, None)
        assert (bad.name, bad.filename) == ("a", None)

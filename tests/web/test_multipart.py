"""web/multipart.py: aiohttp 3's MultipartReader over any stream with aiohttp StreamReader's interface, each body fed
whole, one byte at a time and with trailing data, its parts read through it; and over a real server."""

from __future__ import annotations

import asyncio
import base64
import binascii
import gzip
import json

import aiohttp
import pytest
from byte_stream import Stream

import web
from server.streams import FlowControlStreamReader
from web.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from web.multipart import (
    BadMultipart,
    BodyPartReader,
    MultipartReader,
    MultipartResponseWrapper,
    UnsupportedPartEncoding,
)

EPILOGUE = b"an epilogue, ignored (RFC 2046 s5.1.1)\r\n"


WAYS = {"whole": (b"", 1 << 30), "byte by byte": (b"", 1), "trailing data": (EPILOGUE, 1 << 30)}


@pytest.fixture(params=list(WAYS))
def way(request: pytest.FixtureRequest) -> tuple[bytes, int]:
    return WAYS[request.param]


def body(*parts: tuple[list[tuple[str, str]], bytes], boundary: str = "b0und") -> bytes:
    out = b""
    for headers, data in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode()
        out += b"--" + boundary.encode() + b"\r\n" + head + b"\r\n" + data + b"\r\n"
    return out + b"--" + boundary.encode() + b"--\r\n"


def reader(
    data: bytes, way: tuple[bytes, int] = WAYS["whole"], subtype: str = "mixed", **kw: object
) -> MultipartReader:
    tail, piece = way
    return MultipartReader({"Content-Type": f"multipart/{subtype}; boundary=b0und"}, Stream(data + tail, piece), **kw)  # type: ignore[arg-type]


def disposition(name: str, filename: str | None = None) -> tuple[str, str]:
    return ("Content-Disposition", f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else ""))


NESTED = body(
    ([disposition("a")], b"first\r\n--b0un"),
    (
        [("Content-Type", 'multipart/related; boundary="inner"')],
        body(([("Content-Type", "text/plain")], b"in one"), ([], b"in two"), boundary="inner").rstrip(b"\r\n"),
    ),
    ([disposition("f", "r\u00e9sum\u00e9.txt")], bytes(range(256))),
)


async def collect(source: MultipartReader) -> list[object]:
    got: list[object] = []
    async for part in source:
        if isinstance(part, MultipartReader):
            got.append(await collect(part))
        else:
            got.append((part.name, part.filename, await part.read()))
    return got


async def test_parts_nested_parts_and_names(way: tuple[bytes, int]) -> None:
    source = reader(NESTED, way)
    assert await collect(source) == [
        ("a", None, b"first\r\n--b0un"),
        [(None, None, b"in one"), (None, None, b"in two")],
        ("f", "r\u00e9sum\u00e9.txt", bytes(range(256))),
    ]
    assert source.at_eof() and await source.next() is None


@pytest.mark.parametrize("piece", [1 << 20, 7, 1])
async def test_a_form_over_our_body_stream(piece: int) -> None:
    # request.content: a form field is read up to its delimiter where the stream holds it, a larger part as aiohttp
    # reads it; either way the stream ends where aiohttp's reader ends it.
    data = body(([disposition("a")], b"x"), ([disposition("b")], bytes(range(256)) * 64), ([], b"")) + EPILOGUE
    stream = FlowControlStreamReader(None, asyncio.get_running_loop())
    for i in range(0, len(data), piece):
        stream.feed_data(data[i : i + piece])
    stream.feed_eof()
    source = MultipartReader({"Content-Type": "multipart/form-data; boundary=b0und"}, stream)
    assert await collect(source) == [("a", None, b"x"), ("b", None, bytes(range(256)) * 64), (None, None, b"")]
    assert source.at_eof() and stream.at_eof()  # the epilogue was read (aiohttp reads one line past the close)


async def test_read_chunk_and_skipping(way: tuple[bytes, int]) -> None:
    source = reader(NESTED, way)
    part = await source.next()
    assert isinstance(part, BodyPartReader)
    first = await part.read_chunk(10)
    assert first and len(first) <= 10 and b"first\r\n--b0un".startswith(first)
    nested = await source.next()  # the rest of the first part is skipped
    assert isinstance(nested, MultipartReader)
    last = await source.next()  # and all of the nested one
    assert isinstance(last, BodyPartReader) and last.name == "f"
    chunks = []
    while chunk := await last.read_chunk(100):
        assert len(chunk) <= 100
        chunks.append(chunk)
    assert b"".join(chunks) == bytes(range(256)) and last.at_eof()
    await source.release()
    assert source.at_eof()


async def test_text_json_form_and_readline(way: tuple[bytes, int]) -> None:
    data = body(
        ([("Content-Type", "text/plain; charset=latin-1")], "h\u00e9llo".encode("latin-1")),
        ([("Content-Type", "application/json")], b'{"a": [1, 2]}'),
        ([], b"a=1&a=2&b=%C3%A9+x"),
        ([], b"one\ntwo\r\nthree"),
    )
    source = reader(data, way)
    assert await (await source.next()).text() == "h\u00e9llo"  # type: ignore[union-attr]
    assert await (await source.next()).json() == {"a": [1, 2]}  # type: ignore[union-attr]
    assert await (await source.next()).form() == [("a", "1"), ("a", "2"), ("b", "\u00e9 x")]  # type: ignore[union-attr]
    part = await source.next()
    assert isinstance(part, BodyPartReader)
    lines = [await part.readline() for _ in range(4)]
    assert lines == [b"one\n", b"two\r\n", b"three", b""]


async def test_decoding_undoes_transfer_and_content_encodings(way: tuple[bytes, int]) -> None:
    text = "Gr\u00fc\u00dfe =x=\r\n".encode() * 100
    data = body(
        ([("Content-Transfer-Encoding", "base64")], base64.encodebytes(text)),
        ([("Content-Transfer-Encoding", "quoted-printable")], binascii.b2a_qp(text)),
        ([("Content-Encoding", "gzip")], gzip.compress(text)),
    )
    source = reader(data, way)
    assert [await part.read(decode=True) async for part in source] == [text] * 3  # type: ignore[union-attr]
    # Each chunk of a base64 part holds whole 4-character groups (of what the stream had), so it decodes alone.
    part = await reader(data).next()
    assert isinstance(part, BodyPartReader)
    decoded = b""
    while not part.at_eof():
        decoded += part.decode(await part.read_chunk(10))
    assert decoded == text


async def test_content_encoding_is_left_alone_in_form_data() -> None:
    # RFC 7578 s4.8: no Content-Encoding in multipart/form-data.
    packed = gzip.compress(b"inflated")
    form = reader(body(([disposition("z"), ("Content-Encoding", "gzip")], packed)), subtype="form-data")
    assert await (await form.next()).read(decode=True) == packed  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "header", [("Content-Transfer-Encoding", "x-secret"), ("Content-Encoding", "snappy")], ids=["cte", "ce"]
)
async def test_an_unknown_encoding_is_a_runtime_error_answered_400(header: tuple[str, str]) -> None:
    part = await reader(body(([header], b"data"))).next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(UnsupportedPartEncoding) as info:
        await part.text()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, HTTPBadRequest)
    assert info.value.status == 400 and "unknown" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"--b0und\r\nno colon here\r\n\r\ndata\r\n--b0und--\r\n",
        b"--b0und\r\n\r\nfirst\r\n--b0und-X\r\n\r\n",
        b"--b0und\r\nContent-Length: 4\r\n\r\ndataXX--b0und--\r\n",
    ],
    ids=["empty", "header line", "delimiter", "content-length"],
)
async def test_malformed_bodies_raise_a_value_error_answered_400(data: bytes) -> None:
    with pytest.raises(BadMultipart) as info:
        await collect(reader(data))
    assert isinstance(info.value, ValueError) and info.value.status == 400


def test_a_content_type_without_a_good_boundary_is_refused() -> None:
    for ctype in ["multipart/mixed", "multipart/mixed; boundary=" + "a" * 71]:
        with pytest.raises(ValueError):
            MultipartReader({"Content-Type": ctype}, Stream(b""))


async def test_a_form_s_charset_field_is_the_default_charset() -> None:
    # RFC 7578 s4.6: a first field "_charset_" names the charset of the fields without one.
    data = body(([disposition("_charset_")], b"latin-1"), ([disposition("t")], "\u00e9t\u00e9".encode("latin-1")))
    part = await reader(data, subtype="form-data").next()
    assert isinstance(part, BodyPartReader) and part.name == "t"
    assert part.get_charset("utf-8") == "latin-1" and await part.text() == "\u00e9t\u00e9"


async def test_a_part_s_content_length_is_read_exactly_outside_form_data() -> None:
    data = body(([("Content-Length", "11")], b"12\r\n--b0und"))
    assert await (await reader(data).next()).read() == b"12\r\n--b0und"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="Content-Length"):
        await reader(body(([("Content-Length", "+10")], b"x"))).next()


@pytest.mark.parametrize("decode", [False, True])
@pytest.mark.parametrize(("data", "refused"), [(b"x" * 75, False), (b"x" * 76, True)])
async def test_read_is_bounded_by_client_max_size_as_sent_and_decoded(data: bytes, refused: bool, decode: bool) -> None:
    # base64 of 76 bytes is 104 bytes: over 100 as sent, not decoded.
    sent = base64.b64encode(data)
    part = await reader(
        body(([("Content-Transfer-Encoding", "base64")], sent)),
        client_max_size=100,
        max_size_error_cls=HTTPRequestEntityTooLarge,
    ).next()
    assert isinstance(part, BodyPartReader)
    if not refused:
        assert await part.read(decode=decode) == (data if decode else sent)
        return
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await part.read(decode=decode)
    assert info.value.text == "Maximum request body size 100 exceeded."


async def test_read_chunk_is_not_bounded_by_client_max_size() -> None:
    data = bytes(range(256)) * 40
    part = await reader(body(([], data)), client_max_size=100).next()
    assert isinstance(part, BodyPartReader)
    got = b""
    while chunk := await part.read_chunk(300):
        got += chunk
    assert got == data


# -- over a real server --------------------------------------------------------------------------------------


async def test_request_multipart_reads_what_aiohttp_s_client_sends(make_server) -> None:
    async def handler(request: web.Request) -> web.Response:
        got = await collect(await request.multipart())
        return web.json_response(got, dumps=lambda value: json.dumps(value, default=lambda data: data.decode()))

    app = web.Application()
    app.router.add_post("/", handler)
    server = await make_server(app)
    with aiohttp.MultipartWriter("mixed") as outer:
        outer.append("first").set_content_disposition("form-data", name="a")
        with aiohttp.MultipartWriter("related") as inner:
            inner.append(b"in one")
            inner.append_json({"k": 1})
        outer.append(inner)
        outer.append(b"\x00\xff", {"Content-Transfer-Encoding": "base64"}).set_content_disposition(
            "attachment", name="f", filename="f.bin"
        )
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=outer) as resp:
        assert resp.status == 200
        got = await resp.json()
    assert got == [
        ["a", None, "first"],
        [[None, None, "in one"], [None, None, '{"k": 1}']],
        ["f", "f.bin", base64.b64encode(b"\x00\xff").decode()],
    ]


async def test_a_malformed_body_answers_400_and_a_large_part_413(make_server) -> None:
    async def handler(request: web.Request) -> web.Response:
        async for part in await request.multipart():
            await part.read()  # type: ignore[union-attr]
        return web.Response(text="read")

    app = web.Application(client_max_size=50)
    app.router.add_post("/", handler)
    server = await make_server(app)
    ctype = {"Content-Type": "multipart/mixed; boundary=b0und"}
    async with aiohttp.ClientSession() as session:
        async with session.post(server.url("/"), data=b"--b0und\r\nbad header\r\n\r\n", headers=ctype) as resp:
            assert resp.status == 400 and "Invalid part header line" in await resp.text()
        async with session.post(server.url("/"), data=body(([], b"x" * 51)), headers=ctype) as resp:
            assert resp.status == 413 and await resp.text() == "Maximum request body size 50 exceeded."
        async with session.post(server.url("/"), data=body(([], b"x" * 30)), headers=ctype) as resp:
            assert resp.status == 200


async def test_from_response_reads_a_multipart_answer(make_server) -> None:
    async def handler(request: web.Request) -> web.Response:
        data = body(([disposition("x")], b"one"), ([], b"two"))
        return web.Response(body=data, headers={"Content-Type": "multipart/mixed; boundary=b0und"})

    app = web.Application()
    app.router.add_get("/", handler)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session, session.get(server.url("/")) as resp:
        wrapper = MultipartReader.from_response(resp)
        assert isinstance(wrapper, MultipartResponseWrapper)
        got = [await part.read() async for part in wrapper]  # type: ignore[union-attr]
    assert got == [b"one", b"two"]


async def test_a_malformed_body_is_also_aiohttp_s_value_error(make_client) -> None:
    """aiohttp's multipart reader raises ValueError for a malformed body (an empty one: no starting boundary), which
    views catch to answer their own error (graphql-server's: 400 "Unable to parse the multipart body"); ours is
    HTTPBadRequest, answered 400 when not caught, and a ValueError too."""

    async def caught(request):
        try:
            reader = await request.multipart()
            while await reader.next() is not None:
                pass
        except ValueError as exc:
            return web.Response(status=422, text=f"unparsable: {isinstance(exc, HTTPBadRequest)}")
        return web.Response(text="parsed")

    async def uncaught(request):
        reader = await request.multipart()
        await reader.next()
        return web.Response(text="parsed")

    app = web.Application()
    app.router.add_post("/caught", caught)
    app.router.add_post("/uncaught", uncaught)
    client = await make_client(app)
    headers = {"Content-Type": "multipart/form-data; boundary=----fake"}
    async with client.post("/caught", headers=headers) as resp:
        assert (resp.status, await resp.text()) == (422, "unparsable: True")
    async with client.post("/uncaught", headers=headers) as resp:
        assert resp.status == 400

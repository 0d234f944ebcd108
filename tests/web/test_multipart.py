"""web/multipart.py: the sans-IO parser fed bytes every way, and the async part reader over a real body stream."""

from __future__ import annotations

import asyncio
import base64
import binascii
import gzip
import itertools
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from server.errors import PayloadTooLarge
from server.streams import FlowControlStreamReader
from web import helpers
from web.exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from web.helpers import parse_content_type
from web.multipart import (
    BodyPartReader,
    Done,
    MalformedMultipart,
    MultipartParser,
    MultipartReader,
    PartData,
    PartEnd,
    PartStart,
    parse_boundary,
    parse_options_header,
)

BOUNDARY = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
EVERY_BYTE = bytes(range(256))


def encode(parts: list[tuple[list[tuple[str, str]], bytes]], boundary: bytes = BOUNDARY) -> bytes:
    out = bytearray()
    for headers, data in parts:
        out += b"--" + boundary + b"\r\n"
        for name, value in headers:
            out += f"{name}: {value}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return bytes(out + b"--" + boundary + b"--\r\n")


def disposition(name: str, filename: str | None = None) -> tuple[str, str]:
    value = f'form-data; name="{name}"'
    if filename is not None:
        value += f'; filename="{filename}"'
    return ("Content-Disposition", value)


SAMPLE_PARTS = [
    ([disposition("text")], b"hello"),
    ([disposition("empty")], b""),
    ([disposition("f", "all.bin"), ("Content-Type", "application/octet-stream")], EVERY_BYTE * 4),
    # The delimiter minus its last byte, and the delimiter followed by neither CRLF nor "--", are data.
    ([disposition("tricky", "t.bin")], b"\r\n--" + BOUNDARY[:-1] + b"\r\n--" + BOUNDARY + b"x--\r\n"),
]
SAMPLE = encode(SAMPLE_PARTS)


def run(parser: MultipartParser, pieces: list[bytes]) -> list[tuple[list[tuple[str, str]], bytes]]:
    """Feed ``pieces``, check the event grammar, and return the parts as (headers, data)."""
    events = []
    for piece in pieces:
        events += parser.feed(piece)
    parser.feed_eof()
    parts = []
    current = None
    for ev in events:
        if isinstance(ev, PartStart):
            assert current is None
            current = (list(ev.headers.items()), bytearray())
        elif isinstance(ev, PartData):
            assert current is not None and ev.data
            current[1].extend(ev.data)
        elif isinstance(ev, PartEnd):
            assert current is not None
            parts.append((current[0], bytes(current[1])))
            current = None
        else:
            assert isinstance(ev, Done) and current is None and ev is events[-1]
    return parts


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(body)]
    return [body[a:b] for a, b in itertools.pairwise(points)]


# -- the parser, fed three ways ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["whole", "byte by byte", "with trailing data"])
def test_sample_parses_the_same_every_way(how: str) -> None:
    if how == "whole":
        pieces = [SAMPLE]
    elif how == "byte by byte":
        pieces = [SAMPLE[i : i + 1] for i in range(len(SAMPLE))]
    else:  # an epilogue after the closing delimiter is ignored (RFC 2046 §5.1.1)
        pieces = [SAMPLE + b"epilogue, ignored\r\n--" + BOUNDARY + b"\r\n"]
    assert run(MultipartParser(BOUNDARY), pieces) == SAMPLE_PARTS


def test_split_in_two_at_every_offset() -> None:
    for i in range(len(SAMPLE) + 1):
        assert run(MultipartParser(BOUNDARY), [SAMPLE[:i], SAMPLE[i:]]) == SAMPLE_PARTS, i


def test_data_is_streamed_not_buffered() -> None:
    parser = MultipartParser(BOUNDARY)
    head = b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n'
    events = parser.feed(head)
    assert [type(e) for e in events] == [PartStart]
    chunk = b"x" * 100_000
    for _ in range(10):
        events = parser.feed(chunk)
        # Everything but a possible delimiter prefix at the end comes out at once.
        assert sum(len(e.data) for e in events if isinstance(e, PartData)) >= len(chunk) - len(BOUNDARY) - 4


def test_empty_form() -> None:
    assert run(MultipartParser(BOUNDARY), [b"--" + BOUNDARY + b"--\r\n"]) == []


def test_part_header_values_are_utf8_with_latin1_fallback() -> None:
    body = encode(
        [
            ([("Content-Disposition", 'form-data; name="a"; filename="résumé.pdf"')], b"1"),
        ]
    ).replace("résumé".encode(), "résumé".encode(), 1)
    latin = body.replace("résumé".encode(), "résumé".encode("latin-1"))
    [(headers, _)] = run(MultipartParser(BOUNDARY), [body])
    assert 'filename="résumé.pdf"' in headers[0][1]
    [(headers, _)] = run(MultipartParser(BOUNDARY), [latin])
    assert 'filename="résumé.pdf"' in headers[0][1]


MALFORMED = {
    "empty body": b"",
    "truncated in data": SAMPLE[: len(SAMPLE) // 2],
    "truncated final delimiter": SAMPLE[:-4],
    "no final delimiter": SAMPLE[: SAMPLE.rindex(b"--" + BOUNDARY + b"--")],
    "preamble text": b"hello\r\n" + SAMPLE,
    "other boundary": SAMPLE.replace(BOUNDARY, b"x" * len(BOUNDARY)),
    "header without colon": SAMPLE.replace(b"Content-Disposition:", b"Content-Disposition", 1),
    "header name with space": SAMPLE.replace(b"Content-Disposition:", b"Content Disposition:", 1),
    "LF-only line endings": SAMPLE.replace(b"\r\n", b"\n"),
    "bare CR in header": SAMPLE.replace(b'name="text"', b'name="text"\rX: y', 1),
    "junk after boundary": SAMPLE.replace(BOUNDARY + b"\r\n", BOUNDARY + b"junk\r\n", 1),
    "header line over the limit": SAMPLE.replace(b'name="text"', b'name="' + b"a" * 9000 + b'"', 1),
    "too many headers": SAMPLE.replace(b'name="text"', b'name="text"' + b"\r\nX: y" * 20, 1),
}


@pytest.mark.parametrize("name", list(MALFORMED))
@pytest.mark.parametrize("piece", [1 << 20, 7, 1])
def test_malformed_body_is_rejected(name: str, piece: int) -> None:
    body = MALFORMED[name]
    parser = MultipartParser(BOUNDARY)
    with pytest.raises(MalformedMultipart):
        for i in range(0, len(body), piece):
            parser.feed(body[i : i + piece])
        parser.feed_eof()


@pytest.mark.parametrize(
    "boundary", [b"", b"a" * 71, b"ends with space ", b"tab\there", b"nul\x00", b"del\x7f", "é".encode()]
)
def test_invalid_boundary_is_refused(boundary: bytes) -> None:
    with pytest.raises(MalformedMultipart):
        MultipartParser(boundary)


@pytest.mark.parametrize("boundary", [b"a;b", b"semi;colon", b'quote"', b"x" * 70, b"in side", b"!#$%&*<>@[\\]^`{|}~"])
def test_any_visible_ascii_boundary_is_accepted(boundary: bytes) -> None:
    # Outside RFC 2046's bchars but matched byte for byte all the same, as aiohttp and python-multipart do.
    assert run(MultipartParser(boundary), [encode(SAMPLE_PARTS[:1], boundary)]) == SAMPLE_PARTS[:1]


# -- property: any parts, cut anywhere ---------------------------------------------------------------------

part_data = st.one_of(
    st.binary(max_size=300),
    # Data built from delimiter fragments is where parsers go wrong.
    st.lists(
        st.sampled_from([b"\r\n", b"--", BOUNDARY, BOUNDARY[:5], b"\r", b"-", b"x", EVERY_BYTE[:16]]), max_size=20
    ).map(b"".join),
)
parts_strategy = st.lists(
    st.tuples(
        st.text(st.characters(codec="utf-8", exclude_characters='"\\\r\n'), min_size=1, max_size=10),
        st.booleans(),
        part_data,
    ),
    max_size=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=parts_strategy, cuts=st.lists(st.integers(min_value=0, max_value=4000), max_size=12))
def test_any_parts_split_at_any_offsets(parts: list[tuple[str, bool, bytes]], cuts: list[int]) -> None:
    # Data must not contain "\r\n--BOUNDARY" followed by CRLF or "--": that would be a delimiter (RFC 2046).
    parts = [(n, f, d) for n, f, d in parts if b"\r\n--" + BOUNDARY not in b"\r\n" + d + b"\r\n"]
    spec = [([disposition(name, "f.bin" if is_file else None)], data) for name, is_file, data in parts]
    body = encode(spec)
    cuts = [c % (len(body) + 1) for c in cuts]
    assert run(MultipartParser(BOUNDARY), split(body, cuts)) == spec


# -- header helpers ------------------------------------------------------------------------------------------


# RFC 9110 §5.6.6 parameters, §5.6.4 quoted-strings, RFC 8187/6266 extended parameters; one row per rule.
OPTIONS_HEADERS = [
    ("text/plain", ("text/plain", {})),
    ("", ("", {})),
    ("multipart/form-data; boundary=abc", ("multipart/form-data", {"boundary": "abc"})),
    # names and the main value are case-insensitive; values keep their case
    ("Text/HTML; CharSet=UTF-8", ("text/html", {"charset": "UTF-8"})),
    # a ";" inside a quoted-string does not end the parameter
    ('multipart/form-data; boundary="a;b"', ("multipart/form-data", {"boundary": "a;b"})),
    ('Multipart/Form-Data; Boundary="a b;c"', ("multipart/form-data", {"boundary": "a b;c"})),
    (
        'text/plain; x="a;charset=latin-1"; charset=utf-8',
        ("text/plain", {"x": "a;charset=latin-1", "charset": "utf-8"}),
    ),
    # quoted-pairs: a backslash quotes the next character, itself included
    ('form-data; name="a\\"b"; filename="x.txt"', ("form-data", {"name": 'a"b', "filename": "x.txt"})),
    ('form-data; name="C:\\\\dir\\\\f"', ("form-data", {"name": "C:\\dir\\f"})),
    ('form-data; name="\\a\\;"', ("form-data", {"name": "a;"})),
    # whitespace: OWS around ";", tolerated around "=", and none is part of a value
    ("text/plain ;charset=utf-8", ("text/plain", {"charset": "utf-8"})),
    ("text/plain;\tcharset = utf-8 ;  q=1  ", ("text/plain", {"charset": "utf-8", "q": "1"})),
    ('text/plain; charset=" utf-8 "', ("text/plain", {"charset": " utf-8 "})),
    ("  text/plain  ", ("text/plain", {})),
    # empty values, empty parameters, and what is not a parameter (no "=", text after the quotes, a bad name)
    ('form-data; name=""', ("form-data", {"name": ""})),
    ("form-data; name=a; ;junk; x=", ("form-data", {"name": "a", "x": ""})),
    ("text/plain;;; charset=utf-8;", ("text/plain", {"charset": "utf-8"})),
    ('text/plain; a="x"y; b=2', ("text/plain", {"b": "2"})),
    ("text/plain; a@b=1; b=2", ("text/plain", {"b": "2"})),
    # an unterminated quoted-string runs to the end and is not a parameter
    ('multipart/form-data; boundary="abc; charset=utf-8', ("multipart/form-data", {})),
    ('text/plain; charset=utf-8; x="abc\\', ("text/plain", {"charset": "utf-8"})),
    # duplicates: the last wins, as in aiohttp; names compare case-insensitively
    ("text/plain; charset=latin-1; CHARSET=utf-8", ("text/plain", {"charset": "utf-8"})),
    # an extended parameter wins over the plain one wherever it stands (RFC 6266 §4.3)
    (
        "form-data; name=f; filename=plain.txt; filename*=UTF-8''r%C3%A9sum%C3%A9.txt",
        ("form-data", {"name": "f", "filename": "résumé.txt"}),
    ),
    ("form-data; filename*=utf-8'en'%E2%82%AC.txt; filename=plain.txt", ("form-data", {"filename": "€.txt"})),
    ("form-data; filename*=iso-8859-1''%E9.txt", ("form-data", {"filename": "é.txt"})),
    # an extended value that cannot be decoded leaves the plain one
    ("form-data; filename=plain.txt; filename*=UTF-8''%E9.txt", ("form-data", {"filename": "plain.txt"})),
    ("form-data; filename=plain.txt; filename*=nope''x.txt", ("form-data", {"filename": "plain.txt"})),
    ("form-data; filename=plain.txt; filename*=x.txt", ("form-data", {"filename": "plain.txt"})),
]


@pytest.mark.parametrize(("value", "expected"), OPTIONS_HEADERS)
def test_parse_options_header(value: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_options_header(value) == expected


@pytest.mark.parametrize(("value", "expected"), OPTIONS_HEADERS)
def test_content_type_is_parsed_by_the_same_parser(value: str, expected: tuple[str, dict[str, str]]) -> None:
    # web.helpers.parse_content_type serves Request.content_type/charset and the response's: same answers,
    # cached, and read-only because the cached result is shared.
    main, params = parse_content_type(value)
    assert (main, dict(params)) == expected
    assert parse_content_type(value) is parse_content_type(value)
    with pytest.raises(TypeError):
        params["charset"] = "x"  # type: ignore[index]


def test_one_parser_for_both_modules() -> None:
    assert parse_options_header is helpers.parse_options_header
    assert parse_content_type(None) == ("", {})


token = st.text(st.sampled_from("!#$%&'*+-.^_`|~" + string.ascii_letters + string.digits), min_size=1, max_size=8)
printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t\x80\xff"), max_size=12)


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@given(params=st.dictionaries(token.map(str.lower).filter(lambda n: not n.endswith("*")), printable, max_size=5))
def test_any_quoted_parameters_round_trip(params: dict[str, str]) -> None:
    value = "multipart/form-data" + "".join(f"; {name}={quote(val)}" for name, val in params.items())
    assert parse_options_header(value) == ("multipart/form-data", params)


LONG = 8190  # the longest header line the server accepts (limit_request_field_size)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('a/b; x="' + "a" * LONG, {}),
        ('a/b; x="' + "a" * LONG + '"b', {}),
        ('a/b; x="' + "\\a" * (LONG // 2), {}),
        ("a/b; x=" + " " * LONG + '"', {}),
        ('a/b; x="a"' + " " * LONG + "b", {}),
        ("a/b" + '; x="a;' * (LONG // 6), {}),
        ("a/b; x" + " " * LONG + "=1", {"x": "1"}),
    ],
    ids=["unterminated", "after-quote", "pairs", "spaces-then-quote", "spaces-after-quote", "nested", "spaces"],
)
def test_pathological_values_parse_in_linear_time(value: str, expected: dict[str, str]) -> None:
    # With backtracking quantifiers the first of these takes 2^n steps (n=24: seconds; here: never).
    assert parse_options_header(value) == ("a/b", expected)


@given(st.text(st.sampled_from(" \t;=\"\\abc*'%"), max_size=40))
def test_any_value_parses_to_string_parameters(value: str) -> None:
    main, params = parse_options_header("t/x" + value)
    assert isinstance(main, str) and all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())


@pytest.mark.parametrize(
    "ctype", ["multipart/form-data", "text/plain; boundary=x", "multipart/form-data; boundary=" + "a" * 71]
)
def test_parse_boundary_refuses(ctype: str) -> None:
    with pytest.raises(MalformedMultipart):
        parse_boundary(ctype)


# -- the async reader over a real body stream ----------------------------------------------------------------


def stream(pieces: list[bytes], *, limit: int = 0) -> FlowControlStreamReader:
    content = FlowControlStreamReader(None, asyncio.get_running_loop(), limit=limit)
    for piece in pieces:
        content.feed_data(piece)
    content.feed_eof()
    return content


def reader_for(body: bytes, *, piece: int = 1 << 20, **kwargs: object) -> MultipartReader:
    headers = CIMultiDict({"Content-Type": f"multipart/form-data; boundary={BOUNDARY.decode()}"})
    pieces = [body[i : i + piece] for i in range(0, len(body), piece)]
    return MultipartReader(headers, stream(pieces), **kwargs)  # type: ignore[arg-type]


async def test_reader_yields_parts_in_order() -> None:
    reader = reader_for(SAMPLE, piece=5)
    got = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        got.append((part.name, part.filename, await part.read()))
    assert got == [
        ("text", None, b"hello"),
        ("empty", None, b""),
        ("f", "all.bin", EVERY_BYTE * 4),
        ("tricky", "t.bin", SAMPLE_PARTS[3][1]),
    ]
    assert reader.at_eof()
    assert await reader.next() is None


async def test_read_chunk_respects_size_and_skipping_parts_works() -> None:
    reader = reader_for(SAMPLE, read_size=64)
    part = await reader.next()
    assert part is not None and part.headers["Content-Disposition"] == 'form-data; name="text"'
    assert await part.read_chunk(2) == b"he"
    # Leave the rest unread: next() skips it, and the second part is skipped entirely.
    await reader.next()
    part = await reader.next()
    assert part is not None and part.name == "f"
    chunks = []
    while chunk := await part.read_chunk(100):
        assert len(chunk) <= 100
        chunks.append(chunk)
    assert b"".join(chunks) == EVERY_BYTE * 4
    assert part.at_eof()
    await reader.release()
    assert reader.at_eof()


async def test_text_json_form_and_readline() -> None:
    body = encode(
        [
            ([disposition("t"), ("Content-Type", "text/plain; charset=latin-1")], "héllo".encode("latin-1")),
            ([disposition("j"), ("Content-Type", "application/json")], b'{"a": [1, 2]}'),
            ([disposition("u")], b"a=1&a=2&b=%C3%A9+x"),
            ([disposition("l")], b"one\ntwo\nthree"),
        ]
    )
    reader = reader_for(body, piece=3)
    assert await (await reader.next()).text() == "héllo"  # type: ignore[union-attr]
    assert await (await reader.next()).json() == {"a": [1, 2]}  # type: ignore[union-attr]
    assert await (await reader.next()).form() == [("a", "1"), ("a", "2"), ("b", "é x")]  # type: ignore[union-attr]
    part = await reader.next()
    assert part is not None
    assert [await part.readline(), await part.readline(), await part.readline(), await part.readline()] == [
        b"one\n",
        b"two\n",
        b"three",
        b"",
    ]


@pytest.mark.parametrize("name", ["truncated final delimiter", "header without colon", "empty body"])
async def test_reader_answers_malformed_bodies_with_400(name: str) -> None:
    reader = reader_for(MALFORMED[name], piece=9)
    with pytest.raises(HTTPBadRequest) as info:
        async for part in reader:
            await part.read()
    assert isinstance(info.value.__cause__, MalformedMultipart)


@pytest.mark.parametrize("ctype", ["multipart/form-data", "application/json", ""])
async def test_reader_refuses_a_content_type_without_boundary(ctype: str) -> None:
    with pytest.raises(HTTPBadRequest):
        MultipartReader(CIMultiDict({"Content-Type": ctype}), stream([SAMPLE]))  # type: ignore[arg-type]


async def test_reader_maps_payload_too_large_to_413() -> None:
    headers = CIMultiDict({"Content-Type": f"multipart/form-data; boundary={BOUNDARY.decode()}"})
    content = stream([SAMPLE[:100], SAMPLE[100:]], limit=150)
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        async for part in MultipartReader(headers, content):  # type: ignore[arg-type]
            await part.read()
    assert isinstance(info.value.__cause__, PayloadTooLarge)


async def test_decoded_reads_undo_the_transfer_encoding_as_aiohttp_does() -> None:
    text = "Grüße =x=\r\n".encode()
    sent = base64.b64encode(text)
    body = encode(
        [
            ([disposition("b"), ("Content-Transfer-Encoding", "base64")], sent),
            ([disposition("q"), ("Content-Transfer-Encoding", "quoted-printable")], binascii.b2a_qp(text)),
            ([disposition("q2"), ("Content-Transfer-Encoding", "quoted-printable")], binascii.b2a_qp(text)),
            ([disposition("j"), ("Content-Transfer-Encoding", "base64")], base64.b64encode(b'{"a": 1}')),
        ]
    )
    reader = reader_for(body, piece=3)
    part = await reader.next()
    assert part is not None and await part.read() == sent  # as sent, like aiohttp's read()
    assert part.decode(sent) == text
    assert [piece async for piece in part.decode_iter(sent)] == [text]
    assert await (await reader.next()).text() == text.decode()  # type: ignore[union-attr]
    assert await (await reader.next()).read(decode=True) == text  # type: ignore[union-attr]
    assert await (await reader.next()).json() == {"a": 1}  # type: ignore[union-attr]


async def test_content_encoding_is_undone_outside_form_data_only() -> None:
    compressed = gzip.compress(b"inflated")
    headers = [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")]
    body = encode([(headers, compressed)])
    mixed = MultipartReader(
        CIMultiDict({"Content-Type": f"multipart/mixed; boundary={BOUNDARY.decode()}"}),
        stream([body]),  # type: ignore[arg-type]
    )
    assert await (await mixed.next()).text() == "inflated"  # type: ignore[union-attr]
    # RFC 7578 §4.8: no Content-Encoding in multipart/form-data.
    form = reader_for(body)
    assert await (await form.next()).read(decode=True) == compressed  # type: ignore[union-attr]


async def test_an_unknown_transfer_encoding_answers_400() -> None:
    body = encode([([disposition("x"), ("Content-Transfer-Encoding", "x-secret")], b"data")])
    part = await reader_for(body).next()
    assert part is not None and await part.read() == b"data"
    with pytest.raises(HTTPBadRequest) as info:
        await part.text()
    assert isinstance(info.value.__cause__, MalformedMultipart)


@pytest.mark.parametrize("decode", [False, True])
@pytest.mark.parametrize(("data", "refused"), [(b"x" * 75, False), (b"x" * 76, True), (b"x" * 101, True)])
async def test_read_is_bounded_by_client_max_size_as_sent_and_decoded(data: bytes, refused: bool, decode: bool) -> None:
    # As aiohttp's BodyPartReader.read: the data as sent (base64 of 76 bytes is 104 bytes) and decoded, each
    # bounded by client_max_size, the error aiohttp's HTTPRequestEntityTooLarge(client_max_size).
    body = encode([([disposition("x"), ("Content-Transfer-Encoding", "base64")], base64.b64encode(data))])
    part = await reader_for(body, client_max_size=100).next()
    assert part is not None
    if not refused:
        assert await part.read(decode=decode) == (data if decode else base64.b64encode(data))
        return
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await part.read(decode=decode)
    assert info.value.text == "Maximum request body size 100 exceeded."


async def test_read_chunk_is_not_bounded_by_client_max_size() -> None:
    # Streaming a part, as aiohttp documents for large uploads: client_max_size bounds only what read() collects.
    data = bytes(range(256)) * 40
    part = await reader_for(encode([([disposition("f", "big.bin")], data)]), piece=1000, client_max_size=100).next()
    assert part is not None
    got = bytearray()
    while chunk := await part.read_chunk(300):
        got += chunk
    assert got == data


@pytest.mark.parametrize("boundary", [b"--xyz", "--xyz", b"xyz"])
async def test_a_part_made_alone_reads_its_content_up_to_the_delimiter(boundary) -> None:
    # aiohttp 3's BodyPartReader(boundary, headers, content): content starts with the part's data.
    stream = FlowControlStreamReader(None, asyncio.get_running_loop())
    stream.feed_data(b"hello\r\nworld\r\n--xyz--\r\n")
    stream.feed_eof()
    part = BodyPartReader(boundary, CIMultiDict({"Content-Type": "text/plain"}), stream)
    assert part.headers["Content-Type"] == "text/plain"
    assert await part.text() == "hello\r\nworld"
    assert part.at_eof()


async def test_a_malformed_body_is_also_aiohttp_s_value_error(make_client) -> None:
    """aiohttp's multipart reader raises ValueError for a malformed body (an empty one: no starting boundary), which
    views catch to answer their own error (graphql-server's: 400 "Unable to parse the multipart body"); ours is
    HTTPBadRequest, answered 400 when not caught, and a ValueError too."""
    import web

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

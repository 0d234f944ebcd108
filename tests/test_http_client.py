"""The suite's response reader (tests/http_client.py), on bytes: each stream is fed whole, one byte at a time
(through a StreamReader), and with the next response behind it, as h11's own tests do."""

from __future__ import annotations

import asyncio

import pytest
from http_client import parse, parse_responses, read_response

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\nx-a: 2\r\n\r\nhi"
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n3;ext=1\r\n yo\r\n0\r\nX-T: t\r\n\r\n"
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
HEAD_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"
CLOSE_DELIMITED = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end"

CASES = [
    # (stream, methods, [(status, body)])
    (OK, "GET", [(200, b"hi")]),
    (CHUNKED, "GET", [(200, b"hi yo")]),
    (CONTINUE + OK, "POST", [(200, b"hi")]),
    (HEAD_ANSWER + OK, ["HEAD", "GET"], [(200, b""), (200, b"hi")]),
    (NO_CONTENT + OK, "GET", [(204, b""), (200, b"hi")]),
    (OK + CHUNKED + CLOSE_DELIMITED, "GET", [(200, b"hi"), (200, b"hi yo"), (200, b"to the end")]),
]


@pytest.mark.parametrize(("stream", "methods", "expected"), CASES)
def test_parse_responses_whole(stream, methods, expected):
    responses = parse_responses(stream, methods=methods)
    assert [(r.status, r.body) for r in responses] == expected


def test_headers_keep_every_pair_and_map_lower_names_to_the_last():
    (response,) = parse_responses(OK)
    assert response.reason == "OK"
    assert response.header_list == [("Content-Length", "2"), ("X-A", "1"), ("x-a", "2")]
    assert response.headers == {"content-length": "2", "x-a": "2"}
    assert response.header("X-a") == "1"


@pytest.mark.parametrize(("stream", "methods", "expected"), CASES)
async def test_read_response_byte_by_byte_then_trailing_data(stream, methods, expected):
    reader = asyncio.StreamReader()
    methods = [methods] * len(expected) if isinstance(methods, str) else methods
    trailing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    closes = stream.endswith(b"to the end")

    async def feed() -> None:
        for byte in stream + (b"" if closes else trailing):
            reader.feed_data(bytes([byte]))
            await asyncio.sleep(0)
        reader.feed_eof()

    feeding = asyncio.create_task(feed())
    got = [await read_response(reader, method) for method in methods]
    assert [(status, body) for status, _, body in got] == expected
    if not closes:
        # Bytes read past a response stay in the reader for the next read.
        assert (await read_response(reader))[0] == 404
    await feeding


def test_an_incomplete_stream_keeps_what_was_complete():
    parsed = parse(OK + OK[:-1])
    assert [r.body for r in parsed.responses] == [b"hi"] and parsed.incomplete == OK[:-1] and parsed.error is None
    with pytest.raises(AssertionError, match="incomplete"):
        parse_responses(OK + OK[:-1])


def test_a_stream_still_open_does_not_end_a_close_delimited_body():
    parsed = parse(CLOSE_DELIMITED, closed=False)
    assert parsed.responses == [] and parsed.incomplete == CLOSE_DELIMITED
    assert [r.body for r in parse(CLOSE_DELIMITED).responses] == [b"to the end"]


@pytest.mark.parametrize(
    ("stream", "methods"),
    [
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi" + OK, "GET"),  # RFC 9112 §9.6
        (HEAD_ANSWER + b"hello" + OK, "HEAD"),  # a body after a HEAD answer
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi", "GET"),  # RFC 9112 §6.3
        (b"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", "GET"),  # whitespace in a field name, RFC 9110 §5.1
    ],
)
def test_a_malformed_response_is_reported_not_skipped(stream, methods):
    parsed = parse(stream, methods=methods)
    assert parsed.error is not None
    with pytest.raises(AssertionError, match="malformed"):
        parse_responses(stream, methods=methods)


async def test_read_response_raises_incomplete_read_at_an_early_end():
    reader = asyncio.StreamReader()
    reader.feed_data(OK[:-1])
    reader.feed_eof()
    with pytest.raises(asyncio.IncompleteReadError):
        await read_response(reader)

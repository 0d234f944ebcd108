"""A line of a head, or of a chunked body's framing and trailer section, that never ends is refused as it grows.

httptools keeps the bytes of a header field (or a trailer) until its line ends and only then hands the field to the
connection, whose per-field limit applied from there: until 2026-12-04 a client could send one endless header value
and the worker kept all of it (50 MB took 60 MB of memory and 2 s of CPU) until header_timeout. Now the bytes of the
unfinished line are counted from one read to the next (``HttpProtocol._bound_line``) and a line past the longest
the limits allow gets on_header's 400 and the connection closes, as aiohttp's and gunicorn's parsers refuse it.

Each case feeds the connection read by read in one process (what arrives in which read decides what is counted),
then over a real socket: what matters besides the answer is that a request the limits allow is never refused
however its bytes are cut into reads (a head byte by byte, a chunked body of one-byte chunks, a long chunk's data
without a line end in any read).
"""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from inproc import cut, feed_reads

import web

LIMIT = 1024  # max_field_size and max_request_line here: the longest line the limits allow


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(text=json.dumps({"body": body.decode(), "fields": len(request.headers)}))


def _app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/", _echo)
    return app


async def _feed(reads: list[bytes], max_field_size: int = LIMIT) -> tuple[bytes, bool]:
    """The bytes answered when ``reads`` arrive one read each (Date masked), and whether the connection closed."""
    return await feed_reads(_app().make_handler(max_field_size=max_field_size, max_request_line=LIMIT)(), reads)


REFUSED = b"HTTP/1.1 400 Bad Request\r\n"
TOO_LONG = b"Header field too long"


@pytest.mark.parametrize("piece", [1, 100, 1000])
@pytest.mark.parametrize(
    "start",
    [
        pytest.param(b"GET / HTTP/1.1\r\nHost: t\r\nX-Endless: ", id="value"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: t\r\nX-Endless", id="name"),
        pytest.param(
            b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: ", id="trailer"
        ),
    ],
)
async def test_an_endless_line_is_refused_once_it_outgrows_the_limit(start, piece):
    # Far more than the limit, in reads of `piece` bytes: refused once past it, whatever the cut.
    answer, closed = await _feed([start, *cut(b"v" * (LIMIT * 20), piece)])
    assert answer.startswith(REFUSED) and answer.endswith(TOO_LONG), answer
    assert closed


async def test_the_line_is_refused_as_it_grows_not_when_it_ends():
    # The reads stop being taken once the line is past the limit: the connection is closing by then.
    reads = [b"GET / HTTP/1.1\r\nHost: t\r\nX-Endless: ", *[b"v" * 100] * (LIMIT // 100 + 2)]
    answer, closed = await _feed(reads)
    assert answer.startswith(REFUSED) and closed


def _field_line(size: int) -> bytes:
    """A field line of ``size`` bytes with its CRLF, as gunicorn counts limit_request_field_size."""
    return b"X-Big: " + b"v" * (size - len(b"X-Big: \r\n")) + b"\r\n"


@pytest.mark.parametrize("piece", [1, 7, 100, LIMIT, 100_000])
async def test_a_head_at_the_limits_passes_however_it_is_cut(piece):
    head = b"GET /" + b"a" * (LIMIT - len(b"GET / HTTP/1.1")) + b" HTTP/1.1\r\nHost: t\r\n"
    head += _field_line(LIMIT) * 20 + b"\r\n"
    answer, closed = await _feed(cut(head, piece))
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n"), answer[:200]  # the long target is no route
    assert not closed


@pytest.mark.parametrize("piece", [1, 5, 100])
async def test_one_byte_over_the_field_limit_is_refused_however_it_is_cut(piece):
    request = b"GET / HTTP/1.1\r\nHost: t\r\n" + _field_line(LIMIT + 1) + b"\r\n"
    answer, closed = await _feed(cut(request, piece))
    assert answer.startswith(REFUSED) and closed


def _chunked(chunks: list[bytes], trailers: bytes = b"") -> bytes:
    head = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n" + trailers + b"\r\n"


@pytest.mark.parametrize(
    ("chunks", "piece"),
    [
        pytest.param([b"x" * 50_000], 1000, id="one long chunk, no line end in most reads"),
        pytest.param([b"x" * 50_000, b"y" * 3], LIMIT * 3, id="long chunk then a short one"),
        pytest.param([bytes([97 + i % 26]) for i in range(3000)], 1, id="one-byte chunks, one byte a read"),
        pytest.param([bytes([97 + i % 26]) for i in range(3000)], 4096, id="one-byte chunks, many a read"),
    ],
)
async def test_chunked_bodies_pass_however_they_are_cut(chunks, piece):
    body = b"".join(chunks)
    request = _chunked(chunks, trailers=_field_line(LIMIT)[:-2].replace(b"X-Big", b"X-Sum") + b"\r\n")
    request += b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok"  # pipelined after it
    answer, closed = await _feed(cut(request, piece))
    bodies = re.findall(rb"\r\n\r\n(\{[^}]*\})", answer)
    assert [json.loads(b)["body"] for b in bodies] == [body.decode(), "ok"], answer[:300]
    assert not closed


async def test_a_read_that_ends_a_chunk_and_begins_the_trailer_counts_from_the_next_read():
    # A read that brought body bytes starts the count again: the trailer line begun after them in that read is not
    # counted, so it is refused one read later at most, and never for the body bytes before it.
    first = _chunked([b"x" * (LIMIT * 4)])[: -len(b"0\r\n\r\n")] + b"0\r\nX-T: " + b"v" * (LIMIT - 100)
    answer, closed = await _feed([first, b"v" * 200])
    assert answer == b"" and not closed  # (the handler waits for the rest of the body)
    answer, closed = await _feed([first, b"v" * 200, b"v" * LIMIT])
    assert answer.startswith(REFUSED) and answer.endswith(TOO_LONG) and closed


async def test_over_sockets_an_endless_value_gets_its_answer_and_the_connection_closes():
    server = await asyncio.get_running_loop().create_server(
        _app().make_handler(max_field_size=LIMIT, max_request_line=LIMIT), "127.0.0.1", 0
    )
    try:
        reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
        answered = asyncio.ensure_future(reader.read())  # everything until the server closes
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nX-Endless: ")
        for _ in range(1000):  # bounded: 1000 x 512 bytes, far past the limit
            if answered.done():
                break
            try:
                writer.write(b"v" * 512)
                await writer.drain()
            except (ConnectionResetError, BrokenPipeError):
                break
        answer = await asyncio.wait_for(answered, 5)
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    assert answer.startswith(REFUSED) and answer.endswith(TOO_LONG), answer


async def test_the_limit_follows_the_longer_of_the_two_settings():
    # A request line may be longer than a field (max_request_line above max_field_size): its unfinished line is
    # bounded by the request line's limit, which on_url enforces exactly.
    line = b"GET /" + b"a" * (LIMIT - len(b"GET / HTTP/1.1")) + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    answer, _ = await _feed(cut(line, 100), max_field_size=256)
    assert answer.startswith(b"HTTP/1.1 404 Not Found\r\n")

"""The per-field limits hold however a head is cut into reads.

A head begun and ended in one read no longer than ``max_field_size`` cannot hold a field longer than that, so
on_header does not measure its fields one by one, and on_headers_complete counts them (against ``max_headers``)
once. Every other head is measured field by field: one that arrives in more than one read (from the read after the
one it begins in: ``HttpProtocol._bound_line``), one in a longer read (``HttpProtocol._feed``), a chunked body's
trailers. Each case here sends its request whole, byte by byte, and cut at every byte into two reads, and expects
the same answer every time: what a client sends is refused or served whatever its packets were.
"""

from __future__ import annotations

import json
import re

import pytest
from inproc import cut, feed_reads

import web

FIELD = 200  # max_field_size: a field line with its CRLF, as gunicorn counts limit_request_field_size
FIELDS = 5  # max_headers

REFUSED = b"HTTP/1.1 400 Bad Request\r\n"
SERVED = b"HTTP/1.1 200 OK\r\n"


async def _fields(request: web.Request) -> web.Response:
    return web.Response(text=json.dumps([len(request.headers), await request.text()]))


def _connection() -> object:
    app = web.Application()
    app.router.add_route("*", "/", _fields)
    return app.make_handler(max_field_size=FIELD, max_headers=FIELDS)()


def _every_cut(request: bytes) -> list[tuple[str, list[bytes]]]:
    """``request`` whole, byte by byte, and as two reads cut after each of its bytes."""
    cuts = [("whole", [request]), ("byte by byte", cut(request, 1))]
    return cuts + [(f"cut at {at}", [request[:at], request[at:]]) for at in range(1, len(request))]


async def _answers(request: bytes) -> list[tuple[str, bytes, bool]]:
    return [(how, *(await feed_reads(_connection(), reads))) for how, reads in _every_cut(request)]


def _field_line(size: int, name: bytes = b"X-Big") -> bytes:
    """A field line of ``size`` bytes with its ``: `` and CRLF."""
    return name + b": " + b"v" * (size - len(name) - 4) + b"\r\n"


HEAD = b"GET / HTTP/1.1\r\nHost: t\r\n"


async def test_a_field_one_byte_over_the_limit_is_refused_however_the_head_is_cut():
    for how, answer, closed in await _answers(HEAD + _field_line(FIELD + 1) + b"\r\n"):
        assert answer.startswith(REFUSED) and answer.endswith(b"Header field too long"), (how, answer)
        assert closed, how


async def test_a_field_at_the_limit_is_served_however_the_head_is_cut():
    for how, answer, closed in await _answers(HEAD + _field_line(FIELD) + b"\r\n"):
        assert answer.startswith(SERVED) and answer.endswith(b'[2, ""]'), (how, answer)
        assert not closed, how


async def test_a_head_with_a_field_too_many_is_refused_however_it_is_cut():
    # Host and five short fields: six, in a head far shorter than max_field_size.
    request = HEAD + b"".join(b"X-%d: v\r\n" % i for i in range(FIELDS)) + b"\r\n"
    assert len(request) < FIELD
    for how, answer, closed in await _answers(request):
        assert answer.startswith(REFUSED) and answer.endswith(b"Too many header fields"), (how, answer)
        assert closed, how


async def test_a_head_of_max_headers_fields_is_served_however_it_is_cut():
    request = HEAD + b"".join(b"X-%d: v\r\n" % i for i in range(FIELDS - 1)) + b"\r\n"
    for how, answer, closed in await _answers(request):
        assert answer.startswith(SERVED) and answer.endswith(b'[5, ""]'), (how, answer)
        assert not closed, how


async def test_a_long_read_of_many_short_fields_is_refused():
    # Longer than max_field_size, so measured field by field: refused at the sixth field, before the rest is parsed.
    request = HEAD + b"X: v\r\n" * 1000 + b"\r\n"
    answer, closed = await feed_reads(_connection(), [request])
    assert answer.startswith(REFUSED) and answer.endswith(b"Too many header fields"), answer
    assert closed


CHUNKED = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"  # trailers follow


@pytest.mark.parametrize("trailer", [b"Host: t", b"Authorization: x", b"Cookie: a=b"])
async def test_a_forbidden_trailer_is_refused_however_the_request_is_cut(trailer):
    # Head, chunked body and trailer section in one short read: the trailer is still checked as a trailer.
    request = CHUNKED + trailer + b"\r\n\r\n"
    assert len(request) < FIELD
    for how, answer, closed in await _answers(request):
        assert answer.startswith(REFUSED) and b"is not allowed in trailers" in answer, (how, answer)
        assert closed, how


async def test_a_trailer_is_not_a_header_field_however_the_request_is_cut():
    request = CHUNKED + b"X-T: v\r\n\r\n"
    for how, answer, closed in await _answers(request):
        assert answer.startswith(SERVED) and answer.endswith(b'[2, "ok"]'), (how, answer)
        assert not closed, how


async def test_pipelined_heads_in_one_read_are_each_counted():
    # The first is served; the second, with a field too many, is refused after it.
    first = HEAD + b"X-0: v\r\n\r\n"
    second = HEAD + b"".join(b"X-%d: v\r\n" % i for i in range(FIELDS)) + b"\r\n"
    assert len(first + second) < FIELD
    for how, answer, closed in await _answers(first + second):
        assert answer.startswith(SERVED) and answer.count(SERVED) == 1, (how, answer)
        assert answer.endswith(b"Too many header fields") and closed, (how, answer)


async def test_a_long_read_is_measured_however_large_max_field_size_is():
    # max_field_size 1 MiB: a 60 KB read of fields (the head unfinished) is still measured field by field, so the
    # 101st field is refused at once, rather than 10,000 fields kept until the head ends.
    app = web.Application()
    app.router.add_route("*", "/", _fields)
    connection = app.make_handler(max_field_size=1024 * 1024, max_headers=100)()
    answer, closed = await feed_reads(connection, [HEAD + b"X: v\r\n" * 10_000])
    assert answer.startswith(REFUSED) and answer.endswith(b"Too many header fields"), answer
    assert closed


async def test_a_head_after_a_declined_upgrade_in_the_same_read_is_measured_from_the_next_read():
    # An upgrade the server declines (h2c) ends llhttp's parse; what follows it in the read goes to a fresh parser.
    # A head begun there and ended in a later read is measured from that read on, as any other head.
    declined = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
    request = declined + HEAD + _field_line(FIELD + 1) + b"\r\n"
    for how, answer, closed in await _answers(request):
        assert answer.startswith(SERVED) and answer.count(SERVED) == 1, (how, answer)
        assert answer.endswith(b"Header field too long") and closed, (how, answer)


@pytest.mark.parametrize(
    ("request_after", "status"),
    [
        pytest.param(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999\r\n\r\n", b"413", id="body too large"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", b"400", id="invalid host"),
    ],
)
async def test_a_request_after_a_declined_upgrade_in_the_same_read_gets_its_own_answer(request_after, status, caplog):
    # The callback's error, not a generic 400 and an "error in HTTP parser callback" logged with a traceback (the
    # tail was parsed while the upgrade's exception was being handled, and Python made that one the error's context).
    declined = b"GET / HTTP/1.1\r\nHost: t\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
    answer, closed = await feed_reads(_connection(), [declined + request_after])
    assert re.findall(rb"HTTP/1.1 (\d{3}) ", answer) == [b"200", status], answer
    assert closed
    assert "error in HTTP parser callback" not in caplog.text

"""prefork's request corpus (tests/corpus) over real sockets: every case whole and split at several byte
boundaries, parsed fields checked through an echo app, every rejection answered once with ``Connection: close``
and a close, and nothing glued after a rejected request ever answered (request smuggling)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
from hostile import Case, echo_app, load_all, splits
from http_client import RawConnection

CASES = load_all()
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n"
AGAIN = b"GET /again HTTP/1.1\r\nHost: example.com\r\n\r\n"
# Short enough that a case the server wrongly waits on fails in seconds, long enough for a loaded CI machine.
HEADER_TIMEOUT = 2.0


def _params(cases: list[Case]) -> list[object]:
    out = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case.expect["xfail"])] if "xfail" in case.expect else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def test_the_corpus_is_big_enough_and_covers_both_outcomes():
    assert len(CASES) >= 150
    assert sum(c.accepted for c in CASES) >= 50
    assert sum(not c.accepted for c in CASES) >= 100


def _check_fields(case: Case, parsed: dict[str, object]) -> None:
    expect = case.expect
    for key in ("method", "target", "version", "headers", "body"):
        if key in expect:
            assert parsed[key] == expect[key], key
    if "target_length" in expect:
        assert len(parsed["target"]) == expect["target_length"]  # type: ignore[arg-type]
    if "header_count" in expect:
        assert len(parsed["headers"]) == expect["header_count"]  # type: ignore[arg-type]
    if "body_length" in expect:
        assert len(parsed["body"]) == expect["body_length"]  # type: ignore[arg-type]


async def _accepted(case: Case, port: int, pieces: list[bytes]) -> None:
    head = bool(case.expect.get("head"))
    must_close = bool(case.expect.get("close", False))
    conn = await RawConnection.open(port)
    try:
        await conn.send(pieces)
        responses = await conn.responses(1, methods="HEAD" if head else "GET")
        assert len(responses) == 1, f"no answer; got {bytes(conn.data)[:300]!r}"
        response = responses[0]
        assert response.status == 200, response
        if not head:
            _check_fields(case, json.loads(response.body))
        if must_close:
            # HTTP/1.0 closes unless keep-alive is announced (RFC 9112 §9.3): its answer says nothing, as aiohttp's.
            http10 = bytes(conn.data).startswith(b"HTTP/1.0 ")
            assert response.header("connection") == (None if http10 else "close")
            assert await conn.wait_closed(2.0), "the connection stayed open"
        else:
            # Still usable: a second request on the same connection is answered.
            assert response.header("connection") != "close"
            conn.write(AGAIN)
            again = await conn.responses(2, methods=["HEAD" if head else "GET", "GET"])
            assert len(again) == 2 and again[1].status == 200
    finally:
        conn.close()


async def _rejected(case: Case, port: int, pieces: list[bytes]) -> None:
    conn = await RawConnection.open(port)
    try:
        await conn.send(pieces)
        responses = await conn.responses(1, timeout=HEADER_TIMEOUT + 2.0)
        assert [r.status for r in responses] == [case.status], bytes(conn.data)[:300]
        assert responses[0].header("connection") == "close"
        assert await conn.wait_closed(2.0), "the server did not close"
        assert len(await conn.responses(2, timeout=0)) == 1, "something was sent after the rejection"
    finally:
        conn.close()


@pytest.mark.parametrize("case", _params(CASES))
async def test_case_whole_and_split(case: Case, make_server):
    server = await make_server(echo_app(), header_timeout=HEADER_TIMEOUT, **case.settings)
    for pieces in splits(case.raw):
        if case.accepted:
            await _accepted(case, server.port, pieces)
        else:
            await _rejected(case, server.port, pieces)


@pytest.mark.parametrize("case", _params([c for c in CASES if not c.accepted]))
async def test_nothing_glued_after_a_rejected_request_is_answered(case: Case, make_server):
    server = await make_server(echo_app(), header_timeout=HEADER_TIMEOUT, **case.settings)
    for pieces in ([case.raw + SMUGGLED], [case.raw, SMUGGLED]):
        conn = await RawConnection.open(server.port)
        try:
            await conn.send(pieces)
            responses = await conn.responses(1, timeout=HEADER_TIMEOUT + 2.0)
            assert [r.status for r in responses] == [case.status], bytes(conn.data)[:300]
            assert await conn.wait_closed(2.0), "the server did not close"
            assert b"/smuggled" not in conn.data
            assert len(await conn.responses(2, timeout=0)) == 1, "something was sent after the rejection"
        finally:
            conn.close()


@pytest.mark.parametrize(
    "glued",
    [
        # Sent whole, llhttp parses on past the close and fails ("Data after Connection: close" or a bad method):
        # that error is owed to bytes after the close and is never sent.
        pytest.param(SMUGGLED, id="request"),
        pytest.param(b"garbage\r\n\r\n", id="garbage"),
    ],
)
@pytest.mark.parametrize("case", _params([c for c in CASES if c.accepted and c.expect.get("close")]))
async def test_nothing_after_a_request_that_announced_the_close_is_answered(case: Case, glued: bytes, make_server):
    """RFC 9112 section 9.6: after a request with Connection: close (or an HTTP/1.0 one without keep-alive) the
    server answers it and closes; whatever the client sent after it is neither parsed nor answered."""
    server = await make_server(echo_app(), header_timeout=HEADER_TIMEOUT, **case.settings)
    for pieces in ([case.raw + glued], [case.raw, glued]):
        conn = await RawConnection.open(server.port)
        try:
            await conn.send(pieces)
            assert await conn.wait_closed(HEADER_TIMEOUT + 2.0), "the server did not close"
            responses = await conn.responses(1, timeout=0)
            assert [r.status for r in responses] == [200], bytes(conn.data)
        finally:
            conn.close()

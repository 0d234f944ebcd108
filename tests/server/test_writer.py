"""Response head encoding: status lines, the Date cache and the CR/LF injection check."""

from __future__ import annotations

import time

import pytest

from server import dateheader
from server.writer import HeaderInjectionError, encode_head, error_response, http_date, status_line


def test_status_lines_are_prebuilt_with_standard_reasons():
    assert status_line(200) == "HTTP/1.1 200 OK\r\n"
    assert status_line(404) is status_line(404)
    assert status_line(299) == "HTTP/1.1 299 \r\n"
    assert status_line(200, "Fine") == "HTTP/1.1 200 Fine\r\n"


def test_encode_head_joins_fields():
    head = encode_head(status_line(201), [("A", "1"), ("B", "two")])
    assert head == b"HTTP/1.1 201 Created\r\nA: 1\r\nB: two\r\n\r\n"


@pytest.mark.parametrize(
    "field",
    [("X", "a\r\nSet-Cookie: evil=1"), ("X", "a\nb"), ("X", "a\rb"), ("X\r\nY", "v"), ("X", "\r\n")],
)
def test_cr_or_lf_anywhere_is_refused(field):
    with pytest.raises(HeaderInjectionError):
        encode_head(status_line(200), [("Ok", "1"), field])


def test_reason_with_crlf_is_refused():
    with pytest.raises(HeaderInjectionError):
        status_line(200, "OK\r\nX: y")


def test_date_is_cached_within_a_second(monkeypatch):
    # A fixed clock: two real reads can straddle a second's edge (CI saw 13:45:49 then 13:45:50).
    now = [1_800_000_000.1]
    monkeypatch.setattr(time, "time", lambda: now[0])
    first = http_date()
    generation = dateheader.generation
    now[0] = 1_800_000_000.9
    assert http_date() is first and dateheader.generation == generation
    now[0] = 1_800_000_001.0
    assert http_date() == "Fri, 15 Jan 2027 08:00:01 GMT" and dateheader.generation == generation + 1


def test_error_response_closes():
    data = error_response(400, "400 Bad Request")
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"Connection: close" in data

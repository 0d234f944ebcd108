"""web/content_disposition.py: a part's Content-Disposition parsed as aiohttp 3 parses it (aiohttp's own cases run
in tests/compat: test_multipart_helpers.py), and the fast path for common values held to the general parse."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.content_disposition import (
    BadContentDispositionHeader,
    _parse,
    content_disposition_filename,
    parse_content_disposition,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('form-data; name="f"; filename="a.txt"', ("form-data", {"name": "f", "filename": "a.txt"})),
        ("Attachment; FileName=foo.html", ("attachment", {"filename": "foo.html"})),
        ('form-data; name="a" ; filename="/etc/passwd"', ("form-data", {"name": "a", "filename": "etc/passwd"})),
        ('form-data; name="r\u00e9sum\u00e9"', ("form-data", {"name": "r\u00e9sum\u00e9"})),
        ('form-data; name=""', ("form-data", {"name": ""})),
        ("inline", ("inline", {})),
    ],
)
def test_common_values(header: str, expected: tuple[str, dict[str, str]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_content_disposition(header) == expected
        assert _parse(header) == expected


def test_a_repeated_parameter_refuses_the_header_with_a_warning() -> None:
    with pytest.warns(BadContentDispositionHeader):
        assert parse_content_disposition('form-data; name="a"; name="b"') == (None, {})


def test_filename_star_and_continuations() -> None:
    assert content_disposition_filename({"filename*": "\u20ac.txt", "filename": "e.txt"}) == "\u20ac.txt"
    assert content_disposition_filename({"filename*0": "a", "filename*1": "b"}) == "ab"
    assert content_disposition_filename({"filename*0*": "utf-8''%E2%82%AC", "filename*1": ".txt"}) == "\u20ac.txt"
    assert content_disposition_filename({"name": "x"}) is None


PIECE = st.sampled_from(["form-data", "name", "a", "B", ";", " ", "\t", "=", '"', "\\", "/", "*", "'", "%", "\u00e9"])
HEADER = st.lists(PIECE, max_size=16).map("".join)


@given(HEADER)
def test_the_fast_path_gives_what_the_general_parse_gives(header: str) -> None:
    with warnings.catch_warnings(record=True) as fast_warnings:
        warnings.simplefilter("always")
        fast = parse_content_disposition(header)
    with warnings.catch_warnings(record=True) as general_warnings:
        warnings.simplefilter("always")
        general = _parse(header) if header else (None, {})
    assert fast == general
    assert [w.category for w in fast_warnings] == [w.category for w in general_warnings]

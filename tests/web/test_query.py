"""``parse_query`` (what ``Request.query`` reads) answers exactly what ``MultiDict(parse_qsl(qs,
keep_blank_values=True))`` answers, the general parser it replaces: on a corpus of ordinary and hostile queries and
on random text from an alphabet rich in the characters the parser treats specially. ``parse_text`` (also what
``post()`` reads) and its escape decoder ``_unquote`` are held against ``parse_qsl``, ``parse_fields`` (the
per-field path) and ``urllib.parse.unquote`` in the ASCII-compatible charsets a form may name."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import MultiDict, MultiDictProxy

from web.query import _unquote, parse_fields, parse_query, parse_text


def oracle(qs: str) -> list[tuple[str, str]]:
    return list(MultiDict(parse_qsl(qs, keep_blank_values=True)).items())


CORPUS = [
    "",
    "fields=name",
    "a=1&b=2&a=3",
    "x=",
    "x",
    "=",
    "=v",
    "&",
    "&&a=1&&",
    "&a",
    "a&",
    "a=b=c&=&x",
    "a=1;b=2",  # ';' is not a separator since Python 3.10 (CVE-2021-23336)
    "a==b=c",
    "q=hello+world",
    "q=hello%20world",
    "q=%2B+%2b",
    "name=J%C3%BCrgen&city=K%C3%B6ln",
    "bad=%",
    "bad=%4",
    "bad=%zz&ok=1",
    "bad=%ff%fe",  # not UTF-8: replaced by U+FFFD
    "half=%C3",
    "over=%C0%AF",  # an overlong encoding of '/'
    "nul=%00&cr=%0d%0a",
    "plus%2Bname=v",
    "+=+",
    "%3D=%26",
    "k=v#frag",
    "ünï=cödé",
    "a=1&" * 200,
    "e=" + "%41" * 300,
]


@pytest.mark.parametrize("qs", CORPUS)
def test_corpus_matches_parse_qsl(qs):
    assert list(parse_query(qs).items()) == oracle(qs)


_ALPHABET = st.sampled_from([*"ab=&+%;#?/ ", "%2", "%20", "%C3", "%A9", "%ff", "%3d", "%26", "é", "\x00"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_random_queries_match_parse_qsl(qs):
    assert list(parse_query(qs).items()) == oracle(qs)


# Without '%' and '+' parse_query splits the fields straight into the multidict (one field without a split).
_PLAIN = st.sampled_from([*"ab=&;#?/ ", "é", "\x00", "name", "=="])


@settings(max_examples=500, deadline=None)
@given(st.lists(_PLAIN, max_size=40).map("".join))
def test_queries_without_escapes_match_parse_qsl(qs):
    assert list(parse_query(qs).items()) == oracle(qs)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_matches_parse_qsl(qs):
    assert list(parse_query(qs).items()) == oracle(qs)


CHARSETS = ["utf-8", "latin-1", "cp1252", "shift_jis", "ascii", "euc-jp", "iso2022_jp"]  # the last one stateful
_ESCAPES = st.sampled_from(
    [
        *"ab=&+%;# ",
        *[
            "%2",
            "%4",
            "%20",
            "%41",
            "%c3",
            "%C3",
            "%A9",
            "%a9",
            "%ff",
            "%FF",
            "%82%a0",
            "%e2%82%ac",
            "%1b%24B",
            "%1b(B",
        ],
        *["%3d", "%3D", "%26", "%2B", "%2b", "%25", "%00", "%zz", "%g0", "%0g", "é", "€", "\x7f", "\x80", "\uff41"],
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_ESCAPES, max_size=30).map("".join), st.sampled_from(CHARSETS))
def test_unquote_is_urllibs(text, charset):
    assert _unquote(text, charset) == unquote(text, charset)


@settings(max_examples=500, deadline=None)
@given(st.lists(_ESCAPES, max_size=30).map("".join))
def test_unquote_in_utf8_is_urllibs(text):
    # UTF-8 text is decoded as text while its escapes stand for ASCII bytes, else as bytes: both as urllib does.
    assert _unquote(text, "utf-8") == unquote(text, "utf-8")


@pytest.mark.parametrize("charset", CHARSETS)
@pytest.mark.parametrize("qs", [*CORPUS, "a=%1b%24B%30&%30%30", "k%1b%24B%30=%30%30", "a=%C3&%A9=b", "%E2%82=%AC"])
def test_parse_text_corpus(qs, charset):
    # An escape sequence of a stateful charset (ISO-2022-JP's ESC $ B) would join the bytes after '&' or '=' into
    # its characters if the whole text were decoded at once: each field is decoded on its own there.
    assert parse_text(qs, charset) == parse_qsl(qs, keep_blank_values=True, encoding=charset)


@settings(max_examples=500, deadline=None)
@given(st.lists(_ESCAPES, max_size=30).map("".join), st.sampled_from(CHARSETS))
def test_parse_text_is_the_per_field_path_and_parse_qsl(text, charset):
    pairs = parse_text(text, charset)
    assert pairs == parse_fields(text.split("&"), charset)
    assert pairs == parse_qsl(text, keep_blank_values=True, encoding=charset)
    assert all(type(pair) is tuple and len(pair) == 2 for pair in pairs)


@settings(max_examples=500, deadline=None)
@given(st.lists(_ESCAPES, max_size=30).map("".join))
def test_parse_text_in_utf8_is_the_per_field_path(text):
    # UTF-8 ASCII text is decoded in parse_text's own loop until an escape of '&', '=' or a byte above 0x7F.
    assert parse_text(text) == parse_fields(text.split("&")) == parse_qsl(text, keep_blank_values=True)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.sampled_from(CHARSETS))
def test_parse_text_of_any_text_is_parse_qsl(text, charset):
    assert parse_text(text, charset) == parse_qsl(text, keep_blank_values=True, encoding=charset)


# Request.query reads one field without '&', '%' and '+' itself, and hands any other query to parse_query.
_TARGET_QUERY = st.sampled_from([*"ab=&+%;#?/ ", "%20", "%C3", "é", "\x00", "name", "=="])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TARGET_QUERY, max_size=12).map("".join))
async def test_request_query_matches_parse_qsl(qs):
    from web.mocked import make_mocked_request

    for target in (f"/p?{qs}", f"http://example.com/p?{qs}"):
        query = make_mocked_request("GET", target).query
        assert list(query.items()) == oracle(qs.partition("#")[0] if target[0] != "/" else qs)
        assert isinstance(query, MultiDictProxy)

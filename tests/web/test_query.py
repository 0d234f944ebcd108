"""``parse_query`` (what ``Request.query`` reads) answers exactly what ``MultiDict(parse_qsl(qs,
keep_blank_values=True))`` answers, the general parser it replaces: on a corpus of ordinary and hostile queries and
on random text from an alphabet rich in the characters the parser treats specially."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import MultiDict

from web.query import parse_query


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


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_matches_parse_qsl(qs):
    assert list(parse_query(qs).items()) == oracle(qs)

"""``request.cookies`` answers what aiohttp 3.14's ``BaseRequest.cookies`` answers for the same ``Cookie`` header,
and the fast path of web/cookies.py (a header of ``token=plain`` pairs) answers what the general walk answers.

aiohttp sees the header as its parser decodes it (UTF-8); ours sees it latin-1 decoded, as server/ hands it over,
so each case gives aiohttp the text and us the latin-1 reading of its UTF-8 bytes.
"""

from __future__ import annotations

import logging
from http.cookies import SimpleCookie
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request
from hypothesis import given
from hypothesis import strategies as st

from web.cookies import _SIMPLE, _parse_general, del_cookie, parse_cookies, set_cookie


@pytest.fixture(autouse=True)
def _quiet_aiohttp_cookie_log() -> Any:
    # aiohttp logs each skipped name at DEBUG; the logging of the test run is not what is compared.
    logger = logging.getLogger("aiohttp.internal")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


def aiohttp_cookies(header: str) -> list[tuple[str, str]]:
    request = make_mocked_request("GET", "/", headers={"Cookie": header})
    return list(request.cookies.items())


def ours(header: str) -> list[tuple[str, str]]:
    return list(parse_cookies(header.encode("utf-8").decode("latin-1")).items())


CORPUS = [
    "",
    "a=b",
    "a=b; c=d",
    "a=b;c=d;",
    "a=1; a=2",  # a repeated name: its first place, its last value (aiohttp's dict)
    "a=1; b=2; a=3",
    "a=",
    "a=; b=",
    "a=b=c",
    "session=abc123; theme=dark; lang=en-US",
    "$Version=1; a=b",
    "_ga=GA1.2.1234567890.1234567890; _gid=GA1.2.987654321.1234567890",
    'a="quoted value"',
    'a="x\\073y\\"z"',  # SimpleCookie's octal escape and an escaped quote
    'a="unclosed; b=2',
    'a="with; semicolon"; b=2',
    'a=""; b=2',
    'a="',
    'bad"name=1; ok=2',
    'json={"k":"v","n":[1,2]}; z=1',
    "bare; a=1",
    "a=1; bare",
    "=novalue; a=1",
    "=; a=1",
    " =x; a=1",
    ";;a=1;;",
    "  a = 1 ;  ; b=  ",
    "a=hello world; b=2",
    "sp ace=1; a=2",
    "a=b\tc; d=e",
    "a\tb=1",
    "[name]=1; {x}=2; (y)=3",
    "a,b=1; c=2",
    "a=Wed, 09 Jun 2021 10:18:14 GMT; b=2",
    "a=Wed Jun  9 10:18:14 2021; b=2",
    "a=Wednesday, 09-Jun-21 10:18:14 GMT",
    "path=/; domain=x; secure; httponly",  # attribute names are plain cookie names in a request
    "é=1; a=2",
    "a=é; b=ü",
    "a=café au lait; b=2",
    "a=\u00a0x\u00a0; b=2",
    "a=\\; b=2",
    'a=\\\\x; b=\\"',
    "a=%20%3B; b=+",
    "a=1;b=2;c=3;d=4;e=5;f=6;g=7;h=8",
    "a=" + "x" * 5000,
]


@pytest.mark.parametrize("header", CORPUS)
def test_cookies_as_aiohttp_reads_them(header: str) -> None:
    assert ours(header) == aiohttp_cookies(header)


# A plain header: token names, values of the characters SimpleCookie's pattern takes unquoted, ";" separators.
TOKEN = st.text(alphabet="!#$%&'*+-.^_`|~0123456789abcXYZ", min_size=1, max_size=8)
PLAIN = st.text(alphabet="0123456789aZ_!#%&'~`><@,:/$*+-.^|)(?}{=[]", max_size=8)
SIMPLE_HEADER = st.builds(
    lambda pairs, seps, tail: (
        "".join((seps[i % len(seps)] if i else "") + f"{k}={v}" for i, (k, v) in enumerate(pairs)) + tail
    ),
    st.lists(st.tuples(TOKEN, PLAIN), min_size=1, max_size=6),
    st.lists(st.sampled_from(["; ", ";"]), min_size=1, max_size=3),
    st.sampled_from(["", ";"]),
)


@given(SIMPLE_HEADER)
def test_simple_headers_take_the_fast_path_and_agree_with_the_general_one(header: str) -> None:
    assert _SIMPLE.fullmatch(header)
    assert dict(parse_cookies(header)) == _parse_general(header)
    assert list(parse_cookies(header).items()) == aiohttp_cookies(header)


# Anything: the characters that move the walk (quotes, escapes, separators, whitespace, '=', brackets, commas,
# non-ASCII) are drawn often.
HOSTILE = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('ab=; "\\\t,$[]{}()é\u00a0Wed GMT0123:-')),
        st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_categories=["Cs"]),
    ),
    max_size=40,
)


@given(HOSTILE)
def test_any_header_reads_as_in_aiohttp(header: str) -> None:
    assert ours(header) == aiohttp_cookies(header)


@given(HOSTILE)
def test_the_fast_path_never_disagrees_with_the_general_walk(header: str) -> None:
    if _SIMPLE.fullmatch(header):
        assert dict(parse_cookies(header)) == _parse_general(header)


def test_bytes_not_utf8_stay_latin1() -> None:
    # aiohttp would hold them as surrogate escapes; latin-1 characters can at least be encoded back.
    assert list(parse_cookies("a=\xe9; b=1").items()) == [("a", "é"), ("b", "1")]


# -- Set-Cookie: the direct Morsel build gives the lines SimpleCookie's own API gives ------------------------


def reference_set_cookie(cookies: SimpleCookie, name: str, value: str, **kw: Any) -> None:
    """What set_cookie does, through SimpleCookie's public API only (its checks have passed already)."""
    old = cookies.get(name)
    if old is not None and old.value == "":
        cookies.pop(name, None)
    cookies[name] = value
    morsel = cookies[name]
    expires = kw.get("expires")
    if expires is not None:
        morsel["expires"] = expires
    elif morsel.get("expires") == "Thu, 01 Jan 1970 00:00:00 GMT":
        del morsel["expires"]
    if kw.get("domain") is not None:
        morsel["domain"] = kw["domain"]
    if kw.get("max_age") is not None:
        morsel["max-age"] = str(int(kw["max_age"]))
    elif "max-age" in morsel:
        del morsel["max-age"]
    path = kw.get("path", "/")
    if path is not None:
        morsel["path"] = path
    for attr in ("secure", "httponly"):
        if kw.get(attr) is not None:
            morsel[attr] = kw[attr]
    if kw.get("samesite") is not None:
        morsel["samesite"] = kw["samesite"]


def reference_del_cookie(cookies: SimpleCookie, name: str, **kw: Any) -> None:
    cookies.pop(name, None)
    reference_set_cookie(cookies, name, "", max_age=0, expires="Thu, 01 Jan 1970 00:00:00 GMT", **kw)


NAME = st.sampled_from(["a", "sid", "seen", "Ab-C_1"])
VALUE = st.one_of(
    st.sampled_from(["", "1", "abc", "a b", "a;b", 'a"b', "café", "a\\b", '{"k": [1]}']),
    st.text(alphabet=st.characters(max_codepoint=255, exclude_categories=["Cc"]), max_size=12),
)
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "expires": st.sampled_from(["Wed, 21 Oct 2037 07:28:00 GMT", 3600]),
        "domain": st.sampled_from(["example.com", ".x.org"]),
        "max_age": st.sampled_from([0, 10, "20", -1]),
        "path": st.sampled_from(["/", "/app", None]),
        "secure": st.booleans(),
        "httponly": st.booleans(),
        "samesite": st.sampled_from(["Strict", "Lax", "None"]),
    },
)
CALL = st.one_of(
    st.tuples(st.just("set"), NAME, VALUE, OPTIONS),
    st.tuples(st.just("del"), NAME, st.just(""), st.fixed_dictionaries({}, optional={"domain": st.just("x.org")})),
)


@given(st.lists(CALL, min_size=1, max_size=5))
def test_set_cookie_writes_what_simplecookie_writes(calls: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    ours, theirs = SimpleCookie(), SimpleCookie()
    for kind, name, value, options in calls:
        if kind == "set":
            set_cookie(ours, name, value, **options)
            reference_set_cookie(theirs, name, value, **options)
        else:
            del_cookie(ours, name, **options)
            reference_del_cookie(theirs, name, **options)
    assert ours.output() == theirs.output()
    assert [(k, m.key, m.value, m.coded_value, dict(m)) for k, m in ours.items()] == [
        (k, m.key, m.value, m.coded_value, dict(m)) for k, m in theirs.items()
    ]

"""``request.cookies`` answers what aiohttp 3.14's ``BaseRequest.cookies`` answers for the same ``Cookie`` header,
and the fast path of web/cookies.py (a header of ``token=plain`` pairs) answers what the general walk answers.

aiohttp sees the header as its parser decodes it (UTF-8); ours sees it latin-1 decoded, as server/ hands it over,
so each case gives aiohttp the text and us the latin-1 reading of its UTF-8 bytes.
"""

from __future__ import annotations

import asyncio
import logging
import unittest.mock
from http.cookies import SimpleCookie
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st
from inproc import feed_reads

import web
from web.cookies import _SIMPLE, _parse_general, del_cookie, parse_cookies, plain_cookie, set_cookie


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
    # The header as the server holds it: decoded as aiohttp decodes it, so the same str goes to both.
    return list(parse_cookies(header).items())


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


def test_bytes_not_utf8_are_surrogate_escapes_as_in_aiohttp() -> None:
    # The server decodes b"a=\xe9" as aiohttp does: UTF-8 with surrogateescape; the cookie keeps the escape.
    header = b"a=\xe9; b=1".decode("utf-8", "surrogateescape")
    # (aiohttp's make_mocked_request cannot take such a header; tests/web/test_header_decoding.py compares the
    # same against a real aiohttp server.)
    assert list(parse_cookies(header).items()) == [("a", "\udce9"), ("b", "1")]


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


# -- Set-Cookie without a Morsel: plain cookies (name, plain value, path) written directly -----------------------

ANY_NAME = st.one_of(NAME, st.sampled_from(["path", "Max-Age", "a b", "a;b", "", "é", "a:b"]), st.text(max_size=6))
ANY_VALUE = st.one_of(
    VALUE,
    st.text(alphabet="abcXYZ019!#$%&'*+-.^_`|~:", max_size=6),  # http.cookies' legal characters
    st.text(alphabet='ab:;,= "\\()[]{}@?/', max_size=6),
)
ANY_PATH = st.one_of(
    st.sampled_from(["/", "/app", "", "/a b", "/a;b", "/a,b", "/é", "/\x7f", "/a\tb", '/"q"']),
    st.text(alphabet=st.characters(max_codepoint=0x100, exclude_categories=["Cs"]), max_size=6),
)


@settings(deadline=None)
@given(ANY_NAME, ANY_VALUE, ANY_PATH, ANY_VALUE, ANY_PATH)
def test_a_plain_cookie_is_what_set_cookie_writes(name: str, value: str, path: str, value2: str, path2: str) -> None:
    # plain_cookie(name, value, path) promises set_cookie accepts the call and writes exactly "name=value; Path=path",
    # for a new cookie and for one a plain call set before.
    if not plain_cookie(name, value, path):
        return
    cookies = SimpleCookie()
    set_cookie(cookies, name, value, path=path)
    assert cookies[name].OutputString() == f"{name}={value}; Path={path}"
    alone = dict(cookies[name])
    if plain_cookie(name, value2, path2):
        set_cookie(cookies, name, value2, path=path2)
        fresh = SimpleCookie()
        set_cookie(fresh, name, value2, path=path2)
        assert cookies[name].OutputString() == f"{name}={value2}; Path={path2}"
        assert (dict(cookies[name]), cookies[name].value, cookies[name].coded_value) == (
            dict(fresh[name]),
            fresh[name].value,
            fresh[name].coded_value,
        )
    assert list(alone) == list(dict(fresh_morsel(name, value, path)))


def fresh_morsel(name: str, value: str, path: str) -> Any:
    cookies = SimpleCookie()
    set_cookie(cookies, name, value, path=path)
    return cookies[name]


def test_plain_cookie_cases() -> None:
    assert plain_cookie("seen", "1", "/")
    assert plain_cookie("a", "x:y", "/app")
    assert not plain_cookie("a", "", "/")  # written '""' by SimpleCookie
    assert not plain_cookie("a", "a b", "/")  # quoted
    assert not plain_cookie("path", "1", "/")  # refused: an attribute's name
    assert not plain_cookie("a b", "1", "/")  # refused: not a token
    assert not plain_cookie("a", "1", "")  # no Path attribute at all
    assert not plain_cookie("a", "1", "/a;b")  # refused


# Calls on a response: set_cookie (plain or with attributes), del_cookie, and reading response.cookies.
RESPONSE_CALL = st.one_of(
    st.tuples(st.just("set"), ANY_NAME, ANY_VALUE, st.fixed_dictionaries({}, optional={"path": ANY_PATH})),
    st.tuples(st.just("set"), NAME, VALUE, OPTIONS.filter(lambda options: options.get("path", "/") is not None)),
    st.tuples(st.just("del"), NAME, st.just(""), st.just({})),
    st.tuples(st.just("read"), NAME, st.just(""), st.just({})),
)


def _apply(resp: web.StreamResponse, calls: list[tuple[str, str, str, dict[str, Any]]]) -> list[str]:
    outcomes = []
    for kind, name, value, options in calls:
        try:
            if kind == "set":
                resp.set_cookie(name, value, **options)
            elif kind == "del":
                resp.del_cookie(name, **options)
            else:
                morsel = resp.cookies.get(name)
                outcomes.append(repr(morsel and (morsel.value, dict(morsel))))
                continue
        except (ValueError, TypeError) as exc:
            outcomes.append(f"{type(exc).__name__}: {exc}")
            continue
        outcomes.append("ok")
    return outcomes


async def _exchange(calls: list[tuple[str, str, str, dict[str, Any]]], *, general: bool) -> tuple[Any, ...]:
    seen: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.Response(text="hello")
        if general:
            resp.cookies  # noqa: B018 (read first: every set_cookie then builds a Morsel)
        seen.append(_apply(resp, calls))
        await resp.prepare(request)
        seen.append(list(resp.headers.items()))
        seen.append([(k, m.key, m.value, m.coded_value, dict(m)) for k, m in resp.cookies.items()])
        return resp

    app = web.Application()
    app.router.add_route("*", "/", handler)
    written, _ = await feed_reads(app.make_handler()(), [b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"], turns=3)
    return (written, *seen)


@settings(max_examples=150, deadline=None)
@given(st.lists(RESPONSE_CALL, min_size=1, max_size=5))
def test_plain_cookies_on_a_response_are_the_general_paths(calls: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    # The same calls on a response whose cookies were read first (the general path only) give the same bytes on the
    # wire, the same outcome per call, the same headers and the same SimpleCookie.
    # An int expires is written as a date from the clock (http.cookies' _getdate reads time.time()): pin the clock
    # so that the two runs cannot fall on either side of a second.
    with unittest.mock.patch("time.time", return_value=1_800_000_000.0):
        fast = asyncio.run(_exchange(calls, general=False))
        general = asyncio.run(_exchange(calls, general=True))
    assert fast == general
    assert fast[0].startswith(b"HTTP/1.1 200 OK\r\n")


def test_a_plain_cookie_takes_the_fast_path() -> None:
    resp = web.Response(text="x")
    resp.set_cookie("seen", "1")
    resp.set_cookie("a", "2", path="/app")
    resp.set_cookie("seen", "3")
    assert resp._cookies == {"seen": ("3", "/"), "a": ("2", "/app")}
    assert [m.OutputString() for m in resp.cookies.values()] == ["seen=3; Path=/", "a=2; Path=/app"]
    assert isinstance(resp._cookies, SimpleCookie)

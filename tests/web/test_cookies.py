"""web/cookies.py: Cookie parsing as aiohttp 3 does it, Set-Cookie that cannot be used for injection, and both
through a server."""

from __future__ import annotations

import asyncio
import datetime
from http.cookies import SimpleCookie
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web import Application, Response
from web.cookies import del_cookie, parse_cookies, set_cookie

# -- parsing: what browsers send -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a=1", [("a", "1")]),
        ("a=1; b=2;c=3", [("a", "1"), ("b", "2"), ("c", "3")]),
        ("a=1; b=2; a=3", [("a", "3"), ("b", "2")]),  # a repeated name: its first place, its last value (aiohttp)
        ("  a = 1 ;  ; b=  ", [("a", "1"), ("b", "")]),
        ('a="quoted value"', [("a", "quoted value")]),
        ('a="x\\073y\\"z"', [("a", 'x;y"z')]),  # SimpleCookie's octal escapes undone
        ('json={"k":"v","n":[1,2]}; z=1', [("json", '{"k":"v","n":[1,2]}'), ("z", "1")]),
        ("bare; a=1", [("bare", ""), ("a", "1")]),  # a name without '=' (aiohttp 3)
        ("a=b=c", [("a", "b=c")]),
        ("a=hello world", [("a", "hello"), ("world", "")]),  # SimpleCookie's pattern ends a plain value at a space
        ("u=é", [("u", "é")]),  # UTF-8 bytes, decoded as the server decodes a header value (as aiohttp)
        ("u=\udcff", [("u", "\udcff")]),  # a byte that is not UTF-8: its surrogate escape, as aiohttp gives it
        ("l=\xe9", [("l", "é")]),  # not UTF-8: kept as latin-1
        ("", []),
        (";;", []),
    ],
)
def test_parse_cookies(header: str, expected: list[tuple[str, str]]) -> None:
    assert list(parse_cookies(header).items()) == expected


def test_one_bad_cookie_does_not_hide_the_others() -> None:
    # SimpleCookie gives up on the whole header at the first cookie it dislikes; browsers send such headers.
    header = 'session=abc123; bad"name=1; tracking={"a":1}; theme=dark'
    simple = SimpleCookie()
    simple.load(header)
    assert "theme" not in simple
    assert parse_cookies(header)["theme"] == "dark"
    assert parse_cookies(header)["session"] == "abc123"
    assert 'bad"name' not in parse_cookies(header)  # a name outside aiohttp's set is skipped


# -- writing: quoted or refused, never injected --------------------------------------------------------------


def output(cookies: SimpleCookie) -> list[str]:
    return [morsel.OutputString() for morsel in cookies.values()]


def test_set_cookie_with_every_attribute() -> None:
    cookies = SimpleCookie()
    set_cookie(
        cookies,
        "sid",
        "abc",
        expires="Wed, 21 Oct 2037 07:28:00 GMT",
        domain="example.com",
        max_age=3600,
        path="/app",
        secure=True,
        httponly=True,
        samesite="lax",
        version="1",
    )
    [line] = output(cookies)
    assert line.startswith("sid=abc; ")
    for attr in (
        "expires=Wed, 21 Oct 2037 07:28:00 GMT",
        "Domain=example.com",
        "Max-Age=3600",
        "Path=/app",
        "Secure",
        "HttpOnly",
        "SameSite=Lax",
        "Version=1",
    ):
        assert attr in line.split("; "), attr


def test_expires_as_datetime_is_an_english_http_date() -> None:
    cookies = SimpleCookie()
    when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    set_cookie(cookies, "a", "1", expires=when)
    assert "expires=Wed, 02 Jan 2030 03:04:05 GMT" in output(cookies)[0]
    with pytest.raises(ValueError, match="aware"):
        set_cookie(cookies, "a", "1", expires=datetime.datetime(2030, 1, 1))


@pytest.mark.parametrize("value", ["a b", "a;b", 'a"b', "a,b", "a\\b", "café", '{"json": [1]}'])
def test_special_values_are_quoted_and_round_trip(value: str) -> None:
    cookies = SimpleCookie()
    set_cookie(cookies, "c", value)
    pair = output(cookies)[0].split("; Path=")[0]
    assert pair.isascii() and "\r" not in pair and "\n" not in pair
    assert pair.count(";") == 0  # the value cannot end the pair early and add an attribute
    assert parse_cookies(pair)["c"] == value


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "a b"}, "token"),
        ({"name": "a;b"}, "token"),
        ({"name": ""}, "token"),
        ({"name": "path"}, "refused"),  # a reserved attribute name
        ({"value": "a\r\nSet-Cookie: evil=1"}, "control"),
        ({"value": "a\x00"}, "control"),
        ({"value": "€"}, "latin-1"),
        ({"path": "/; HttpOnly"}, "';'"),
        ({"path": "/\r\nX: y"}, "control"),
        ({"domain": "a.com; Secure"}, "';'"),
        ({"expires": "never; Domain=evil.com"}, "';'"),
        ({"max_age": "10; Secure"}, "integer"),
        ({"max_age": True}, "integer"),
        ({"samesite": "Lax; Secure"}, "samesite"),
        ({"samesite": "sometimes"}, "samesite"),
        ({"version": "1; Secure"}, "';'"),
    ],
)
def test_header_breaking_input_is_refused(kwargs: dict[str, Any], match: str) -> None:
    args = {"name": "c", "value": "v", **kwargs}
    cookies = SimpleCookie()
    with pytest.raises(ValueError, match=match):
        set_cookie(cookies, args.pop("name"), args.pop("value"), **args)


@given(st.text(alphabet=st.characters(max_codepoint=255, exclude_categories=["Cc"]), max_size=40))
def test_any_latin1_value_is_safe_and_round_trips(value: str) -> None:
    cookies = SimpleCookie()
    set_cookie(cookies, "c", value)
    line = output(cookies)[0]
    assert line.isascii() and line.endswith("; Path=/")
    pair = line[: -len("; Path=/")]
    assert ";" not in pair.replace("\\073", "")
    assert parse_cookies(pair)["c"] == value


def test_del_cookie_then_set_again() -> None:
    cookies = SimpleCookie()
    set_cookie(cookies, "a", "1", max_age=10, domain="x.org")
    del_cookie(cookies, "a", domain="x.org", path="/p")
    [line] = output(cookies)
    assert line.startswith('a=""; ')
    assert "Max-Age=0" in line and "expires=Thu, 01 Jan 1970 00:00:00 GMT" in line
    assert "Domain=x.org" in line and "Path=/p" in line
    # Setting it again in the same response replaces the deletion: no leftover Max-Age=0 or 1970 expiry.
    set_cookie(cookies, "a", "2")
    assert output(cookies) == ["a=2; Path=/"]


def test_del_cookie_sends_the_attributes_it_was_set_with() -> None:
    # aiohttp 3's del_cookie(secure=, httponly=, samesite=): a browser drops a SameSite=None or __Secure- cookie
    # sent without Secure, so deleting such a cookie needs them on the expired one too.
    cookies = SimpleCookie()
    del_cookie(cookies, "__Secure-sid", secure=True, httponly=True, samesite="None")
    assert output(cookies) == [
        '__Secure-sid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Max-Age=0; Path=/; SameSite=None; Secure'
    ]


def test_partitioned_adds_the_chips_flag_on_every_python() -> None:
    # http.cookies' Morsel learns "partitioned" in Python 3.14 (aiohttp's set_cookie(partitioned=) raises
    # CookieError before it); ours writes the flag where Python 3.14's Morsel writes it.
    cookies = SimpleCookie()
    set_cookie(cookies, "a", "1", secure=True, samesite="None", partitioned=True)
    set_cookie(cookies, "b", "2", path="/x")
    set_cookie(cookies, "b", "3", secure=True, partitioned=True)  # the flag added to a cookie set before
    set_cookie(cookies, "c", "4", partitioned=False)
    assert output(cookies) == [
        "a=1; Partitioned; Path=/; SameSite=None; Secure",
        "b=3; Partitioned; Path=/; Secure",
        "c=4; Path=/",
    ]
    assert cookies["a"]["partitioned"] is True
    assert cookies["a"].copy().OutputString() == "a=1; Partitioned; Path=/; SameSite=None; Secure"


# -- through the server --------------------------------------------------------------------------------------


async def raw(server: Any, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(request)
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    return response


async def test_request_cookies_and_set_cookie_through_the_server(make_server: Any) -> None:
    async def handler(request: Any) -> Response:
        response = Response(text=repr(list(request.cookies.items())))
        response.set_cookie("new", "a value; with semicolon", httponly=True, samesite="Strict")
        response.del_cookie("old")
        response.set_cookie("chips", "1", secure=True, samesite="None", partitioned=True)
        response.del_cookie("__Host-x", secure=True)
        return response

    app = Application()
    app.router.add_route("GET", "/", handler)
    server = await make_server(app)
    response = await raw(
        server,
        b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
        b'Cookie: sid=1; bad"one=2; json={"a":1}; u=\xc3\xa9\r\nCookie: second=1\r\n\r\n',
    )
    head, body = response.split(b"\r\n\r\n", 1)
    # As aiohttp: the first Cookie header only, a name outside aiohttp's set skipped.
    assert body.decode() == repr([("sid", "1"), ("json", '{"a":1}'), ("u", "é")])
    set_cookies = [line for line in head.split(b"\r\n") if line.lower().startswith(b"set-cookie:")]
    assert set_cookies == [
        b'Set-Cookie: new="a value\\073 with semicolon"; HttpOnly; Path=/; SameSite=Strict',
        b'Set-Cookie: old=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
        b"Set-Cookie: chips=1; Partitioned; Path=/; SameSite=None; Secure",
        b'Set-Cookie: __Host-x=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure',
    ]


async def test_handler_refusing_a_bad_cookie_gets_a_valueerror(make_server: Any) -> None:
    seen: list[str] = []

    async def handler(request: Any) -> Response:
        response = Response(text="ok")
        try:
            response.set_cookie("x", "1\r\nSet-Cookie: admin=1")
        except ValueError as exc:
            seen.append(str(exc))
        return response

    app = Application()
    app.router.add_route("GET", "/", handler)
    server = await make_server(app)
    response = await raw(server, b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 200") and b"admin" not in response
    assert seen and "control" in seen[0]


async def test_skipped_cookie_names_are_logged_once_at_debug(make_server: Any, caplog: Any) -> None:
    # As aiohttp: one DEBUG record naming them all, however many there are.
    async def handler(request: Any) -> Response:
        return Response(text=repr(dict(request.cookies)))

    app = Application()
    app.router.add_route("GET", "/", handler)
    server = await make_server(app)
    cookie = "; ".join(f'bad"name{i}=1' for i in range(300)) + "; good=1"
    with caplog.at_level("DEBUG", logger="prefork.web"):
        response = await raw(
            server, f"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n".encode()
        )
    assert response.split(b"\r\n\r\n", 1)[1] == b"{'good': '1'}"
    records = [r for r in caplog.records if "Cannot load cookie" in r.getMessage()]
    assert len(records) == 1 and records[0].levelname == "DEBUG" and 'bad"name299' in records[0].getMessage()

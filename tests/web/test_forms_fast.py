"""``Request.post()`` of an ``application/x-www-form-urlencoded`` body answers what aiohttp 3.14's ``post()`` answers:
web/forms.py reads the body with web/query.py's parser, and both are held against aiohttp's request here, on a
corpus and on random bodies rich in the bytes the parser treats specially.

aiohttp's request is built with ``make_mocked_request`` around a real ``aiohttp.StreamReader`` holding the body
(nothing else of aiohttp's server is needed to run its ``post()``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.base_protocol import BaseProtocol
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st

from web import Application, Response
from web.forms import MalformedForm, _charset, parse_urlencoded


def aiohttp_post(body: bytes, content_type: str) -> list[tuple[str, Any]]:
    async def run() -> list[tuple[str, Any]]:
        loop = asyncio.get_running_loop()
        payload = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
        payload.feed_data(body)
        payload.feed_eof()
        request = make_mocked_request("POST", "/", headers={"Content-Type": content_type}, payload=payload)
        return list((await request.post()).items())

    return asyncio.run(run())


def ours(body: bytes, content_type: str) -> list[tuple[str, Any]]:
    charset = content_type.partition("charset=")[2] or None
    return parse_urlencoded(body, _charset(charset))


FORM = "application/x-www-form-urlencoded"

CORPUS = [
    b"",
    b"name=Alice+Smith&email=alice%40example.com&age=30&city=Paris&comment=hello+world%21&agree=on",
    b"a=1&a=2&b=3",
    b"a+b=c+d%2B%26%3D",
    b"e=%C3%A9&f=%e2%82%ac",
    b"flag&=x&&y=",
    b"&&&",
    b"=",
    b"a==b",
    b"bad=%zz%",
    b"bad=%",
    b"half=%C3",
    b"invalid=%FF%FE",
    b"raw=\xc3\xa9",
    b"a=1;b=2",
    b"a=1\r\n",
    b"a=1 \t\r\n",
    b"  a=1",
    b"a=%20",
    b"nul=%00",
    b"k=v#frag",
    b"a=1&" * 300,
]


@pytest.mark.parametrize("body", CORPUS)
def test_form_reads_as_in_aiohttp(body: bytes) -> None:
    assert ours(body, FORM) == aiohttp_post(body, FORM)


@pytest.mark.parametrize(
    ("body", "charset"),
    [(b"e=%E9&f=caf%E9", "latin-1"), (b"e=\xe9", "latin-1"), (b"a=%82%a0", "shift_jis"), (b"x=%FF", "ascii")],
)
def test_form_in_another_charset_reads_as_in_aiohttp(body: bytes, charset: str) -> None:
    content_type = f"{FORM}; charset={charset}"
    assert ours(body, content_type) == aiohttp_post(body, content_type)


def test_raw_bytes_invalid_in_the_charset_are_a_client_error() -> None:
    # aiohttp lets the UnicodeDecodeError out of post() (a 500); the body is the client's fault: 400.
    with pytest.raises(MalformedForm):
        ours(b"a=\xff", FORM)
    with pytest.raises(UnicodeDecodeError):
        aiohttp_post(b"a=\xff", FORM)


_PIECES = st.sampled_from(
    [*b"ab=&+%;# \r\n\t".decode(), "%2", "%20", "%C3", "%A9", "%ff", "%3d", "%26", "%2B", "%00", "é"]
)


@settings(max_examples=150)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_any_form_reads_as_in_aiohttp(text: str) -> None:
    body = text.encode("utf-8")
    assert ours(body, FORM) == aiohttp_post(body, FORM)


async def test_post_through_the_server(make_server: Any) -> None:
    async def handler(request: Any) -> Response:
        form = await request.post()
        return Response(text=repr(list(form.items())))

    app = Application()
    app.router.add_route("POST", "/", handler)
    server = await make_server(app)
    body = b"a=%FF&b=c+d&a=2\r\n"
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        b"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: "
        + FORM.encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    assert response.split(b"\r\n\r\n", 1)[1].decode() == repr([("a", "\ufffd"), ("b", "c d"), ("a", "2")])

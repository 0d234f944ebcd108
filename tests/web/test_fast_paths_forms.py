"""``Request.post()``'s fast path against its general path: the same answer on the wire.

A request whose Content-Type is exactly ``application/x-www-form-urlencoded`` and whose body has arrived whole is read
by ``web.forms.read_urlencoded_arrived`` without read_form's coroutine (web/request.py). These tests send the same
requests (methods, Content-Types, bodies rich in the bytes the parser treats specially, chunked bodies, bodies over
the limits, bodies that arrive after the handler started) to an application with the fast path and without it, and
compare the bytes answered.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import web
import web.request
from server.detached import RecordingTransport
from web.forms import FormLimits

FORM = b"application/x-www-form-urlencoded"


async def _handler(request: web.Request) -> web.Response:
    form = await request.post()
    again = await request.post()
    return web.Response(text=f"{list(form.items())!r} {again is form} {request.POST is form}")


def _application(kind: str) -> web.Application:
    if kind == "few fields":
        app = web.Application(client_max_fields=2)
    elif kind == "short fields":
        app = web.Application(form_limits=FormLimits(max_field_size=4))
    elif kind == "small app":
        app = web.Application(client_max_size=64)
    else:
        app = web.Application()
    app.router.add_route("*", "/", _handler)
    return app


async def _answer(app: web.Application, pieces: list[bytes], *, fast: bool, cap: int | None = 64) -> bytes:
    """The bytes answered to ``pieces`` fed one after the other (the handler runs after the first), Date masked;
    ``cap`` is the server-wide client_max_size."""
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(web.request, "_read_urlencoded_arrived", lambda request, method, stream: None)
        protocol = app.make_handler(client_max_size=cap)()
        transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
        protocol.connection_made(transport)
        for piece in pieces:
            protocol.data_received(piece)
            await asyncio.sleep(0)  # the handler's task starts (or goes on) with what arrived so far
        if protocol._task is not None:
            await protocol._task
        while protocol.held is not None:  # the answer goes out at the end of the loop's pass
            await asyncio.sleep(0)
        protocol.connection_lost(None)
    return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written))


def _request(method: bytes, content_type: bytes | None, body: bytes, chunked: bool) -> bytes:
    head = b"%s / HTTP/1.1\r\nHost: t\r\n" % method
    if content_type is not None:
        head += b"Content-Type: %s\r\n" % content_type
    if chunked:
        return (
            head
            + b"Transfer-Encoding: chunked\r\n\r\n"
            + (b"%x\r\n%s\r\n" % (len(body), body) if body else b"")
            + (b"0\r\n\r\n")
        )
    return head + b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


_BODY = st.lists(
    st.sampled_from([b"a", b"b", b"=", b"&", b"+", b"%", b"%41", b"%26", b"%3D", b"%C3%A9", b"%FF", b"\xc3\xa9", b" "]),
    max_size=30,
).map(b"".join)


@settings(max_examples=150, deadline=None)
@given(
    body=_BODY,
    method=st.sampled_from([b"POST", b"PUT", b"PATCH", b"DELETE"]),
    content_type=st.sampled_from(
        [FORM, b"application/x-www-form-urlencoded; charset=latin-1", b"Application/X-WWW-Form-Urlencoded", None]
    ),
    chunked=st.booleans(),
    split=st.booleans(),
    kind=st.sampled_from(["default", "few fields", "short fields"]),
)
def test_post_answers_as_the_general_path(body, method, content_type, chunked, split, kind) -> None:
    data = _request(method, content_type, body, chunked)
    # Split: the body's last byte arrives after the handler started, so it is not there whole at first.
    pieces = [data[:-1], data[-1:]] if split else [data]

    async def both() -> tuple[bytes, bytes]:
        return (
            await _answer(_application(kind), pieces, fast=True),
            await _answer(_application(kind), pieces, fast=False),
        )

    fast, general = asyncio.run(both())
    assert fast == general
    assert fast.startswith(b"HTTP/1.1 ")


@pytest.mark.parametrize("size", [62, 63, 100])
@pytest.mark.parametrize("limit", ["server", "app"])
@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_over_client_max_size_is_refused_as_the_general_path_refuses_it(chunked, limit, size) -> None:
    # The server-wide cap (make_handler's) or the application's client_max_size (read by post(), as aiohttp's):
    # a body of 64 bytes passes, 65 do not.
    data = _request(b"POST", FORM, b"a=" + b"x" * size, chunked)
    kind, cap = ("default", 64) if limit == "server" else ("small app", None)
    fast = await _answer(_application(kind), [data], fast=True, cap=cap)
    general = await _answer(_application(kind), [data], fast=False, cap=cap)
    assert fast == general
    assert fast.startswith(b"HTTP/1.1 413 " if size > 62 else b"HTTP/1.1 200 ")
    if size > 62:
        assert fast.endswith(b"Maximum request body size 64 exceeded.") and b"Connection: close" in fast


async def test_the_common_form_takes_the_fast_path(monkeypatch) -> None:
    taken: list[str] = []
    real = web.request._read_urlencoded_arrived

    def spy(request: Any, method: str, stream: Any) -> Any:
        form = real(request, method, stream)
        taken.append(method if form is not None else "none")
        return form

    monkeypatch.setattr(web.request, "_read_urlencoded_arrived", spy)
    answer = await _answer(_application("default"), [_request(b"POST", FORM, b"a=1&b=%41", False)], fast=True)
    assert answer.endswith(b"[('a', '1'), ('b', 'A')] True True") and taken == ["POST"]


_CORPUS = [
    b"name=Alice+Smith&email=alice%40example.com&age=30&city=Paris&comment=hello+world%21&agree=on",
    b"a=1&b=2&c=3",  # over client_max_fields=2
    b"a=12345",  # over max_field_size=4
    b"a=%41%42%43%44%45",  # under it once decoded: the encoded length is only a first check
    b"raw=\xff",  # not UTF-8: 400
    b"e=%C3%A9&bad=%zz&half=%C3",
    b"",
    b"&&a&&",
]


@pytest.mark.parametrize("body", _CORPUS)
@pytest.mark.parametrize("kind", ["default", "few fields", "short fields"])
@pytest.mark.parametrize("method", [b"POST", b"GET"])
async def test_a_corpus_answers_as_the_general_path(body, kind, method) -> None:
    data = _request(method, FORM, body, False)
    fast = await _answer(_application(kind), [data], fast=True)
    assert fast == await _answer(_application(kind), [data], fast=False)

"""A middleware that changes the headers of a fast-path ``Response`` (built by ``Response(text=...)``, its head
cached) gets on the wire exactly what the general path (``Response(text=..., headers={})``) sends, for any sequence
of changes: fields added, overwritten and deleted in every combination, Content-Type and Content-Length among them,
the fields the server writes itself (Date, Server, Connection), CR or LF in a name or a value, a body or a status set
in between. The middleware is bench/apps/realistic.py's request_id shape (the handler awaited, then the headers
changed); the requests go through ``HttpProtocol`` with a recording transport, behind a sub-application with three
middlewares as in the ``mw`` bench scenario.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import web
from server.detached import RecordingTransport

NAMES = [
    "X-Request-Id",
    "x-request-id",
    "X-Other",
    "Content-Type",
    "content-length",
    "Content-Length",
    "Date",
    "server",
    "Connection",
    "Transfer-Encoding",
    "Set-Cookie",
    "X-Évil",
    "X-Bad\nName",
]
VALUES = st.one_of(
    st.sampled_from(["r-1", "", "5", "11", "text/plain; charset=utf-8", "close", "keep-alive", "héllo", "a\r\nX: 1"]),
    st.text(alphabet="ab \r\n\t:é", max_size=6),
)
CHANGES = st.one_of(
    st.tuples(st.sampled_from(["set", "add", "setdefault"]), st.sampled_from(NAMES), VALUES),
    st.tuples(st.sampled_from(["del", "popall"]), st.sampled_from(NAMES), st.just("")),
    st.tuples(st.sampled_from(["text", "body"]), st.just(""), st.sampled_from(["", "hello", "longer body"])),
    st.tuples(st.just("status"), st.just(""), st.sampled_from(["201", "204", "299"])),
    st.tuples(
        st.sampled_from(["read", "length", "keep", "restore", "force_close", "cookie"]), st.just(""), st.just("")
    ),
)
REQUESTS = [
    b"GET /mw/chain HTTP/1.1\r\nHost: t\r\nAuthorization: t\r\nX-Request-Id: r-1\r\n\r\n",
    b"GET /mw/chain HTTP/1.0\r\nAuthorization: t\r\nConnection: keep-alive\r\n\r\n",
    b"HEAD /mw/chain HTTP/1.1\r\nHost: t\r\nAuthorization: t\r\n\r\n",
]


def _apply(response: web.Response, kept: list[Any], kind: str, name: str, value: str) -> None:
    headers = response.headers
    if kind == "set":
        headers[name] = value
    elif kind == "add":
        headers.add(name, value)
    elif kind == "setdefault":
        headers.setdefault(name, value)
    elif kind == "del":
        del headers[name]  # KeyError when missing, on both paths
    elif kind == "popall":
        headers.popall(name, None)
    elif kind == "text":
        response.text = value
    elif kind == "body":
        response.body = value.encode()
    elif kind == "status":
        response.set_status(int(value))
    elif kind == "read":
        list(response.headers.items())
    elif kind == "length":
        # Read through _headers (the lazy descriptor), not through the headers property.
        _ = (response.content_length, response.charset)
    elif kind == "keep":
        # The Content-Length field's name and value objects, to be set back after the body changes: the very objects
        # the headers were built with, another length.
        kept[:] = [(key, field) for key, field in headers.items() if key == "Content-Length"][:1]
    elif kind == "restore":
        for key, field in kept:
            headers[key] = field
    elif kind == "force_close":
        response.force_close()
    else:
        response.set_cookie("a", "b")


def _app(general: bool, changes: list[tuple[str, str, str]], outcome: list[Any]) -> web.Application:
    @web.middleware
    async def request_id(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        kept: list[Any] = []
        try:
            for change in changes:
                _apply(response, kept, *change)
        except Exception as exc:  # the same refusal on both paths
            outcome.append((type(exc), str(exc)))
            raise
        return response

    @web.middleware
    async def auth(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.headers.get("Authorization") != "t":
            raise web.HTTPUnauthorized()
        return await handler(request)

    @web.middleware
    async def load_user(request: web.Request, handler: Any) -> web.StreamResponse:
        request["user"] = "alice"
        return await handler(request)

    async def chain(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request['user']}", headers={} if general else None)

    mw = web.Application(middlewares=[request_id, auth, load_user])
    mw.router.add_route("GET", "/chain", chain)
    app = web.Application()
    app.add_subapp("/mw", mw)
    return app


async def _wire(app: web.Application, data: bytes) -> tuple[bytes, bool]:
    protocol = app.make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    protocol.data_received(data)
    task = protocol._task
    if task is not None:
        await asyncio.wait([task])
    protocol.connection_lost(None)
    return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written)), transport.is_closing()


async def _both(changes: list[tuple[str, str, str]], data: bytes) -> None:
    fast_outcome: list[Any] = []
    general_outcome: list[Any] = []
    fast = await _wire(_app(False, changes, fast_outcome), data)
    general = await _wire(_app(True, changes, general_outcome), data)
    assert fast == general
    assert fast_outcome == general_outcome


@settings(max_examples=300, deadline=None)
@given(st.lists(CHANGES, max_size=5), st.sampled_from(REQUESTS))
def test_a_middlewares_header_changes_are_sent_as_the_general_path_sends_them(changes, data) -> None:
    asyncio.run(_both(changes, data))


def test_one_added_field_follows_the_cached_two() -> None:
    async def run() -> None:
        await _both([("set", "X-Request-Id", "r-1")], REQUESTS[0])
        await _both([("set", "X-Request-Id", "r-1"), ("add", "X-Other", "2")], REQUESTS[0])
        await _both([("set", "X-Request-Id", "a\r\nX: 1")], REQUESTS[0])
        # The Content-Length object of the build set back after a shorter body: the general path sends that value.
        restored = [("keep", "", ""), ("body", "", "hello"), ("restore", "", ""), ("add", "X-A", "1")]
        await _both(restored, REQUESTS[0])

    asyncio.run(run())

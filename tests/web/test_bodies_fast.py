"""request.read()/text()/json() take a body that has arrived whole at once (FlowControlStreamReader.read_arrived)
and otherwise await the stream. Each case here is answered twice, once with the shortcut and once with it
disabled (read_arrived answering None, so every read goes through the stream's read()), and the bytes on the wire
must be the same: bodies in one segment or many, chunked or with Content-Length, charsets, empty bodies, invalid
JSON, a custom ``loads``, and client_max_size at its boundary."""

from __future__ import annotations

import asyncio
import json

import pytest
from inproc import feed_reads

import web
from server.streams import FlowControlStreamReader


def _app(limit: int) -> web.Application:
    async def read(request: web.Request) -> web.Response:
        data = await request.read()
        again = await request.read()
        return web.Response(text=f"{data!r} {again!r}")

    async def text(request: web.Request) -> web.Response:
        return web.Response(text=repr(await request.text()))

    async def as_json(request: web.Request) -> web.Response:
        try:
            return web.Response(text=repr(await request.json()))
        except json.JSONDecodeError as exc:
            return web.Response(text=f"invalid {type(exc).__name__} {exc.msg} {exc.pos}")

    async def custom(request: web.Request) -> web.Response:
        seen = []
        result = await request.json(loads=lambda s: seen.append(type(s).__name__) or json.loads(s))
        return web.Response(text=f"{seen} {result!r}")

    app = web.Application(client_max_size=limit)
    for path, handler in (("/read", read), ("/text", text), ("/json", as_json), ("/custom", custom)):
        app.router.add_route("POST", path, handler)
    return app


async def _exchange(segments: list[bytes], limit: int) -> bytes:
    written, _ = await feed_reads(_app(limit).make_handler()(), segments, turns=3, settle=10)
    head, _, body = written.partition(b"\r\n\r\n")
    return b"\n".join(line for line in head.split(b"\r\n") if not line.startswith(b"Date:")) + b"\n\n" + body


def _request(path: str, body: bytes, content_type: str | None, chunked: bool) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: t\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\n"
    if chunked:
        framed = b"".join(b"%x\r\n%b\r\n" % (len(body[i : i + 7]), body[i : i + 7]) for i in range(0, len(body), 7))
        return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + framed + b"0\r\n\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def _split(data: bytes, pieces: int) -> list[bytes]:
    if pieces == 1:
        return [data]
    step = max(1, len(data) // pieces)
    return [data[i : i + step] for i in range(0, len(data), step)]


DOC = json.dumps({"name": "caf\u00e9", "items": list(range(40))}, ensure_ascii=False)
CASES = [
    ("/read", DOC.encode(), "application/json"),
    ("/read", b"", None),
    ("/text", "caf\u00e9 \u00fc".encode("latin-1"), "text/plain; charset=latin-1"),
    ("/text", "caf\u00e9".encode(), "text/plain; charset=utf-8"),
    ("/text", "caf\u00e9".encode(), None),
    ("/text", b"\xff\xfe", "text/plain"),  # not UTF-8: the decode error, a 500, either way
    ("/json", DOC.encode(), "application/json"),
    ("/json", DOC.encode("utf-16"), "application/json; charset=utf-16"),
    ("/json", b"", "application/json"),
    ("/json", b"{broken", "application/json"),
    ("/json", b"\xef\xbb\xbf{}", "application/json"),  # a BOM: json.loads refuses it, as it does for the str
    ("/custom", DOC.encode(), "application/json"),
]


@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("pieces", [1, 3, 50])
@pytest.mark.parametrize(("path", "body", "content_type"), CASES)
async def test_a_body_read_at_once_reads_as_through_the_stream(
    monkeypatch: pytest.MonkeyPatch, path: str, body: bytes, content_type: str | None, pieces: int, chunked: bool
) -> None:
    segments = _split(_request(path, body, content_type, chunked), pieces)
    fast = await _exchange(segments, 1 << 20)
    monkeypatch.setattr(FlowControlStreamReader, "read_arrived", lambda self: None)
    general = await _exchange(segments, 1 << 20)
    assert fast == general
    assert fast.startswith(b"HTTP/1.1 ")


@pytest.mark.parametrize("pieces", [1, 4])
@pytest.mark.parametrize("path", ["/read", "/text", "/json"])
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("size", [99, 100, 101])
async def test_client_max_size_at_its_boundary(
    monkeypatch: pytest.MonkeyPatch, size: int, chunked: bool, path: str, pieces: int
) -> None:
    # aiohttp 3 refuses a body longer than client_max_size (len(body) > limit), with its 413 and text.
    segments = _split(_request(path, b"7" * size, None, chunked), pieces)
    fast = await _exchange(segments, 100)
    monkeypatch.setattr(FlowControlStreamReader, "read_arrived", lambda self: None)
    general = await _exchange(segments, 100)
    assert fast == general
    assert (b" 413 " in fast.split(b"\n")[0]) is (size > 100)
    if size > 100:
        assert fast.endswith(b"\n\nMaximum request body size 100 exceeded.")


async def test_read_arrived_is_what_read_returns() -> None:
    loop = asyncio.get_running_loop()
    stream = FlowControlStreamReader(None, loop)
    stream.feed_data(b"ab")
    assert stream.read_arrived() is None  # more may come
    stream.feed_data(b"")
    stream.feed_data(b"cd")
    stream.feed_eof()
    assert stream.read_arrived() == b"abcd"
    assert stream.read_arrived() == b""
    assert stream.at_eof()
    failed = FlowControlStreamReader(None, loop)
    failed.set_exception(ValueError("broken"))
    with pytest.raises(ValueError, match="broken"):
        failed.read_arrived()

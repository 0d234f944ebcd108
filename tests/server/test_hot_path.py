"""The connection's hot-path shortcuts behave exactly as the general path.

``on_header`` finds the framing fields (Host, Content-Length, ...) and common names as clients usually spell them
without lowering or decoding the name; any other spelling takes the lowered lookup. ``on_headers_complete`` takes
HTTP/1.1 from llhttp's keep-alive verdict when no Connection field was sent; any other request asks the parser.
``Exchange.send`` counts a kept-alive answer without ``exchange_finished`` when nothing is logged and nothing drains.
The task of a request (server/answer.py) settles a handler that finished cleanly without ``_handler_returned`` (and
idles the connection without ``_advance`` when nothing else waits); anything else (a cancellation, an error, an
unfinished answer) goes through them.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from multidict import istr

import server
import web
from server.detached import RecordingTransport


async def _wire(app: web.Application, data: bytes) -> tuple[bytes, bool, bool]:
    """The bytes answered to ``data`` (Date masked), whether the connection closed, and whether it was aborted."""
    protocol = app.make_handler()()
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)})
    protocol.connection_made(transport)
    protocol.data_received(data)
    for _ in range(6):  # the handler's task, and a body read, run on the loop
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written)), transport.is_closing(), transport.aborted


def _echo_app() -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(text=f"{request.host} {body!r} {sorted(request.headers.items())}")

    app = web.Application()
    app.router.add_route("*", "/", echo)
    return app


def _spell(name: str, how: str) -> str:
    if how == "canonical":
        return "-".join(part.capitalize() for part in name.split("-"))
    if how == "lower":
        return name
    if how == "upper":
        return name.upper()
    if how == "irregular":  # the table's own spelling where it lists one (Sec-WebSocket-Key), else capitalized
        from server.parser_callbacks import _IRREGULAR

        listed = [spelling.decode() for spelling in _IRREGULAR if spelling.lower() == name.encode()]
        return listed[0] if listed else _spell(name, "canonical")
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(name))  # "hOsT": the lowered lookup


HEADS = {
    "host": ["host: t"],
    "two hosts": ["host: t", "host: u"],
    "content-length": ["host: t", "content-length: 3"],
    "chunked": ["host: t", "transfer-encoding: chunked"],
    "expect": ["host: t", "content-length: 3", "expect: 100-continue"],
    "bad expect": ["host: t", "expect: teapot"],
    "two content-types": ["host: t", "content-type: a/b", "content-type: c/d"],
    "content-encoding": ["host: t", "content-length: 3", "content-encoding: identity"],
}
BODIES = {"content-length": b"abc", "chunked": b"3\r\nabc\r\n0\r\n\r\n", "expect": b"abc", "content-encoding": b"abc"}


@pytest.mark.parametrize("how", ["canonical", "lower", "upper"])
@pytest.mark.parametrize("head", sorted(HEADS))
async def test_framing_fields_spelled_any_way_are_read_alike(head, how) -> None:
    def request(spelling: str) -> bytes:
        lines = [f"{_spell(line.split(':')[0], spelling)}:{line.split(':', 1)[1]}" for line in HEADS[head]]
        return ("POST / HTTP/1.1\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode() + BODIES.get(
            head, b""
        )

    # The alternating case ("hOsT") is never in the table of spellings: the general path is the oracle. The
    # answer echoes the header names as sent, so they are compared lowered.
    general = await _wire(_echo_app(), request("mixed"))
    answer = await _wire(_echo_app(), request(how))
    assert (answer[0].lower(), answer[1:]) == (general[0].lower(), general[1:])
    assert answer[0].startswith(b"HTTP/1.1 ")


@pytest.mark.parametrize("outcome", ["clean", "cancelled after the answer", "error after the answer", "unfinished"])
async def test_a_handler_that_waited_is_settled_as_the_general_path_settles_it(monkeypatch, outcome) -> None:
    from server import answer as answer_module
    from server import protocol as protocol_module

    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(0)  # a handler that waits
        if outcome == "unfinished":
            response = web.StreamResponse()
            await response.prepare(request)
            raise asyncio.CancelledError
        response = web.Response(text="answered")
        await response.prepare(request)
        await response.write_eof()
        if outcome == "cancelled after the answer":
            raise asyncio.CancelledError
        if outcome == "error after the answer":
            raise RuntimeError("after the answer")
        return response

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    data = b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n"
    fast = await _wire(app, data)
    # The general path: every settlement through _handler_returned (and _settle), in no build's shortcut.
    monkeypatch.setattr(answer_module, "_EMPTY_BODY", object())
    monkeypatch.setattr(protocol_module, "_EMPTY_BODY", object())
    general = await _wire(app, data)
    assert fast == general
    if outcome in ("clean", "error after the answer"):
        # An error raised once the answer is complete is logged; the connection goes on (protocol.py's table).
        assert fast[0].count(b"answered") == 2 and not fast[1]
    else:
        assert fast[0].count(b"HTTP/1.1 200 OK") == 1 and fast[2]


@pytest.mark.parametrize("version", ["HTTP/0.9", "HTTP/1.0", "HTTP/1.1", "HTTP/2.0", None])
@pytest.mark.parametrize(
    "field",
    [
        None,
        "Connection: keep-alive",
        "Connection: close",
        "connection: Keep-Alive, foo",
        "CONNECTION: keep-alive",
        "cOnNeCtIoN: keep-alive",
        "Proxy-Connection: keep-alive",
        "proxy-connection: close",
        "pRoXy-CoNnEcTiOn: keep-alive",
        "Connection: upgrade",
    ],
)
async def test_the_version_read_without_formatting_it_is_the_parsers(monkeypatch, version, field) -> None:
    # on_headers_complete takes HTTP/1.1 from llhttp's keep-alive verdict when no Connection field was sent; the
    # general path asks the parser for the version of every request.
    from server import parser_callbacks

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"{request.version} {request.keep_alive}")

    app = web.Application()
    app.router.add_route("GET", "/", hello)
    lines = ["GET /" + (f" {version}" if version else "")]
    if version:
        lines += ["Host: t", "Accept: u", "accept: v"] + ([field] if field else [])
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() * 2
    fast = await _wire(app, data)
    monkeypatch.setattr(parser_callbacks, "_CONNECTION", -1)  # every request with a field: the parser's version
    general = await _wire(app, data)
    assert fast == general
    answered = fast[0].split(b"\r\n", 1)[0].endswith(b" 200 OK")
    assert answered == (version in ("HTTP/1.0", "HTTP/1.1")), fast[0][:40]


class _Log:
    def __init__(self) -> None:
        self.lines: list[int | None] = []

    def log(self, exchange: object, elapsed: float) -> None:
        self.lines.append(exchange.status)  # type: ignore[attr-defined]


@pytest.mark.parametrize("draining", [False, True])
@pytest.mark.parametrize(
    "requests",
    [
        ["GET / HTTP/1.1\r\nHost: t\r\n\r\n"] * 3,
        ["GET / HTTP/1.1\r\nHost: t\r\n\r\n", "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"] * 2,
        ["GET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nHost: t\r\n\r\n"],
        ["HEAD / HTTP/1.1\r\nHost: t\r\n\r\n"] * 2,
    ],
)
async def test_a_whole_answer_is_finished_as_exchange_finished_finishes_it(requests, draining) -> None:
    # Exchange.send counts a kept-alive answer itself when there is no access log and no drain; the general path
    # (exchange_finished) runs when an access logger is set, which must change nothing but the log.
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_route("GET", "/", hello)

    async def run(logger: _Log | None) -> tuple[bytes, bool, bool, int]:
        protocol = app.make_handler()()
        protocol.registry.access_logger = logger
        transport = RecordingTransport({"peername": ("127.0.0.1", 40000)})
        protocol.connection_made(transport)
        if draining:
            protocol.begin_drain(protocol.loop.time() + 5)
        protocol.data_received("".join(requests).encode())
        for _ in range(6):
            await asyncio.sleep(0)
        count = protocol.registry.requests_count
        protocol.connection_lost(None)
        wire = re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written))
        return wire, transport.is_closing(), transport.aborted, count

    fast = await run(None)
    log = _Log()
    assert fast == await run(log)
    assert len(log.lines) == fast[3] > 0


def test_every_name_known_as_sent_is_what_the_general_path_makes_of_it() -> None:
    # on_header takes a listed name's framing bit and text from the table instead of lower() and decode().
    from server.parser_callbacks import _AS_SENT, _FRAMING, _FRAMING_LENGTHS

    for name, (bit, text) in _AS_SENT.items():
        general = _FRAMING.get(name.lower(), 0) if len(name) in _FRAMING_LENGTHS else 0
        assert (bit, text) == (general, name.decode("latin-1")), name


def _all_known_names() -> list[str]:
    from server.parser_callbacks import _COMMON, _FRAMING

    # Content-Length and Transfer-Encoding frame a body, and Upgrade starts an upgrade: the head carries each of the
    # others once, with Content-Type twice (refused) in its own test above.
    framed = {b"content-length", b"transfer-encoding", b"upgrade", b"expect", b"connection", b"proxy-connection"}
    return [name.decode() for name in (*_FRAMING, *_COMMON) if name not in framed]


@pytest.mark.parametrize("how", ["canonical", "lower", "irregular"])
async def test_known_names_give_request_headers_as_an_unknown_spelling_does(how) -> None:
    # A name in on_header's table (its text an istr made once) and the same name spelled as no table holds ("hOsT",
    # decoded and lowered by the general path) give the handler the same headers: the names as sent, each an istr
    # in items() and keys() as multidict makes any CIMultiDict key, found by any spelling, in the order sent.
    seen: dict[str, dict[str, object]] = {}

    def app(key: str) -> web.Application:
        async def handler(request: web.Request) -> web.Response:
            headers = request.headers
            seen[key] = {
                "items": [(type(name), name, type(value), value) for name, value in headers.items()],
                "iter": [(type(name), name) for name in headers],
                "keys": [(type(name), name) for name in headers.keys()],  # noqa: SIM118 - the view, not __iter__
                "getall": [headers.getall(name.upper()) for name in _all_known_names()],
                "in": [name.lower() in headers for name in _all_known_names()],
                "len": len(headers),
                "repr": repr(headers),
                "host": request.host,
                "content_type": request.content_type,
                "cookies": dict(request.cookies),
            }
            return web.Response(text=repr(seen[key]))

        application = web.Application()
        application.router.add_route("*", "/", handler)
        return application

    def request(spelling: str) -> tuple[bytes, list[str]]:
        names = [*_all_known_names(), "cookie", "accept"]
        head = "".join(f"{_spell(name, spelling)}: v-{name} \r\n" for name in names)
        return f"GET / HTTP/1.1\r\n{head}\r\n".encode(), [_spell(name, spelling) for name in names]

    general_request, general_names = request("mixed")
    known_request, known_names = request(how)
    general = await _wire(app("general"), general_request)
    answer = await _wire(app(how), known_request)
    assert answer[0].startswith(b"HTTP/1.1 200 ")
    assert (answer[0].lower(), answer[1:]) == (general[0].lower(), general[1:])

    # The names are each run's as sent; with them lowered, the two runs read the same.
    got, expected = seen[how], seen["general"]
    assert [name for _, name, _, _ in got["items"]] == known_names  # type: ignore[attr-defined]
    assert [name for _, name, _, _ in expected["items"]] == general_names  # type: ignore[attr-defined]

    def lowered(record: dict[str, object]) -> dict[str, object]:
        def lower(item: object) -> object:
            if isinstance(item, tuple):
                return tuple(lower(part) for part in item)
            return item.lower() if isinstance(item, str) else item

        return {
            key: [lower(item) for item in value] if isinstance(value, list) else lower(value)
            for key, value in record.items()
        }

    assert lowered(got) == lowered(expected)
    assert {kind for kind, _ in got["iter"]} == {kind for kind, _ in got["keys"]} == {istr}  # type: ignore[attr-defined]


@pytest.mark.skipif(server.COMPILED, reason="mypyc lays the compiled connection out as a struct of its own")
async def test_a_connection_keeps_its_attributes_in_slots():
    # More attributes than CPython's shared-key instance dict holds (30) gave each connection a dict of its own,
    # and every attribute access of the request path a dict lookup. A base class added without __slots__, or an
    # attribute set outside HttpProtocol's __slots__, would bring it back, silently or as an AttributeError.
    protocol = web.Application().make_handler()()
    assert not hasattr(protocol, "__dict__")
    protocol.connection_made(RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)}))
    protocol.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    for _ in range(3):
        await asyncio.sleep(0)
    protocol.connection_lost(None)

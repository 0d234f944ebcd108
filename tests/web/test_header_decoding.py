"""Request header decoding against a real aiohttp 3 server: the same raw request bytes sent to aiohttp.web and to
ours, and what a handler sees compared: ``request.headers``, ``request.raw_headers``, ``request.cookies`` and
``request.host``. aiohttp decodes a value UTF-8 with ``surrogateescape`` (a byte that is not UTF-8 becomes a lone
surrogate) and keeps the bytes as received in ``raw_headers``; so must we. Also ``clone()``'s raw_headers and the
access log line for a value that is not UTF-8."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import pytest
from aiohttp import web as aioweb
from http_client import close_writer

from web import Application, Response

# Each case: the header lines after the request line (the Host line included), raw bytes as a client sends them.
CASES = {
    "utf8-value": b"Host: example.com\r\nX-Name: Jos\xc3\xa9 \xe2\x98\x83\r\n",
    "non-utf8-bytes": b"Host: example.com\r\nX-Bin: a\x80\xfe\xff b\r\nX-Half: \xc3\r\n",
    "utf8-cookie": b"Host: example.com\r\nCookie: u=\xc3\xa9; sid=1; snow=\xe2\x98\x83\r\n",
    "non-utf8-cookie": b"Host: example.com\r\nCookie: b=\xff\xfe; ok=1\r\n",
    "mixed-case-names": b"hOsT: Example.COM:8080\r\nx-MiXeD-Name: v\r\nUSER-AGENT: ua/1\r\nx-dup: 1\r\nX-DUP: 2\r\n",
    "utf8-host": b"Host: b\xc3\xbccher.example\r\nReferer: http://b\xc3\xbccher.example/\r\n",
    "whitespace": b"Host: example.com\r\nX-Space:   a b \t \r\nX-Empty:\r\n",
}


def _seen(request: Any) -> str:
    """What a handler sees, as ASCII text (ascii() writes a surrogate as \\udcNN). The names of ``headers`` are
    compared lowered: aiohttp's C parser gives a name it knows in its canonical case (``hOsT`` reads ``Host``), its
    pure-Python parser and we as sent; ``raw_headers`` keeps the case sent in all three, compared exactly."""
    return ascii(
        (
            [(name.lower(), value) for name, value in request.headers.items()],
            [tuple(pair) for pair in request.raw_headers],
            list(request.cookies.items()),
            request.host,
        )
    )


async def _handler(request: Any) -> Any:
    return (aioweb.Response if isinstance(request, aioweb.BaseRequest) else Response)(text=_seen(request))


async def _exchange(host: str, port: int, head: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /h HTTP/1.1\r\n" + head + b"Connection: close\r\n\r\n")
    response = await reader.read()
    await close_writer(writer)
    return response


async def _send(host: str, port: int, head: bytes) -> bytes:
    response = await _exchange(host, port, head)
    status, _, rest = response.partition(b"\r\n")
    assert status.startswith(b"HTTP/1.1 200"), response
    return rest.partition(b"\r\n\r\n")[2]


@pytest.fixture
async def aiohttp_server_port() -> Any:
    app = aioweb.Application()
    app.router.add_get("/h", _handler)
    runner = aioweb.AppRunner(app, access_log=None)
    await runner.setup()
    site = aioweb.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_a_handler_sees_what_aiohttp_shows(case: str, aiohttp_server_port: int, make_server: Any) -> None:
    app = Application()
    app.router.add_route("GET", "/h", _handler)
    server = await make_server(app)
    ours = await _send(server.host, server.port, CASES[case])
    theirs = await _send("127.0.0.1", aiohttp_server_port, CASES[case])
    assert ours == theirs


async def test_raw_headers_are_the_bytes_received(make_server: Any) -> None:
    app = Application()
    app.router.add_route("GET", "/h", _handler)
    server = await make_server(app)
    seen = eval(await _send(server.host, server.port, CASES["non-utf8-bytes"]))  # our own ascii() output
    assert seen[1][:3] == [(b"Host", b"example.com"), (b"X-Bin", b"a\x80\xfe\xff b"), (b"X-Half", b"\xc3")]
    assert seen[0][1] == ("x-bin", "a\udc80\udcfe\udcff b")


async def test_clone_with_headers_rebuilds_raw_headers(make_server: Any) -> None:
    # aiohttp's clone(headers=...) makes raw_headers of the new headers, encoded; without headers it keeps them.
    async def handler(request: Any) -> Response:
        kept = request.clone(method="POST")
        replaced = request.clone(headers={"X-New": "é", "x-other": "1"})
        return Response(text=ascii((kept.raw_headers == request.raw_headers, replaced.raw_headers)))

    app = Application()
    app.router.add_route("GET", "/h", handler)
    server = await make_server(app)
    body = await _send(server.host, server.port, b"Host: t\r\nX-A: \xc3\xa9\r\n")
    assert eval(body) == (True, ((b"X-New", "é".encode()), (b"x-other", b"1")))


async def test_access_log_writes_bytes_that_are_not_utf8_escaped(make_server: Any) -> None:
    stream = io.StringIO()
    logger = logging.getLogger("test_header_decoding.access")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        app = Application()
        app.router.add_route("GET", "/h", _handler)
        server = await make_server(app, access_log=logger, access_log_format='"%(r)s" "%(f)s" "%(a)s" %({X-Bin}i)s')
        await _send(
            server.host,
            server.port,
            b"Host: t\r\nUser-Agent: Jos\xc3\xa9\xff\r\nReferer: http://x/\x80\r\nX-Bin: \xfe\r\n",
        )
        for _ in range(100):
            if stream.getvalue():
                break
            await asyncio.sleep(0.01)
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert line == '"GET /h HTTP/1.1" "http://x/\\x80" "José\\xff" \\xfe\n'
    line.encode("utf-8")  # a valid line for a UTF-8 log


async def test_websocket_handshake_refusal_quoting_a_byte_that_is_not_utf8(make_server: Any) -> None:
    # The refusal quotes the header; a lone surrogate in it must not turn the 400 into a 500.
    from web import WebSocketResponse

    async def handler(request: Any) -> Any:
        ws = WebSocketResponse()
        await ws.prepare(request)
        return ws

    app = Application()
    app.router.add_route("GET", "/h", handler)
    server = await make_server(app)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(b"GET /h HTTP/1.1\r\nHost: t\r\nUpgrade: x\xff\r\nConnection: Upgrade\r\n\r\n")
    response = await reader.readuntil(b"No WebSocket UPGRADE hdr: x\\xff")
    writer.close()
    await writer.wait_closed()
    assert response.startswith(b"HTTP/1.1 400 ")


def test_access_log_line_and_atoms_escape_alike() -> None:
    # The compiled line escapes its whole text once; the atoms a formatter reads (record.atoms) escape each value.
    from multidict import CIMultiDict, CIMultiDictProxy

    from server.accesslog import _Atoms, compile_format

    class Exchange:
        peername = ("127.0.0.1", 1)
        method = "GET"
        target = "/caf\xe9"  # the request-target, latin-1 decoded: left as it is
        version = (1, 1)
        status = 200
        bytes_sent = 2
        headers = CIMultiDictProxy(CIMultiDict({"User-Agent": "Jos\xe9\udcff", "X-B": "\udc80"}))

    fmt = '"%(r)s" "%(a)s" %({x-b}i)s %(s)s'
    line = compile_format(fmt, None)(Exchange(), 0.0)  # type: ignore[arg-type]
    assert line == '"GET /caf\xe9 HTTP/1.1" "Jos\xe9\\xff" \\x80 200'
    assert fmt % _Atoms(Exchange(), 0.0, None) == line  # type: ignore[arg-type]


# aiohttp's SINGLETON_HEADERS but Transfer-Encoding (a coding list may span lines, RFC 9112 §6.1) and Content-Length
# (llhttp refuses a second one itself), in the spellings clients use.
SINGLETONS = ["Content-Type", "Content-Location", "Content-Range", "ETag", "Max-Forwards", "Server", "User-Agent"]


@pytest.mark.parametrize("name", SINGLETONS)
@pytest.mark.parametrize("spelling", ["as-is", "lower", "upper"])
async def test_a_second_singleton_field_is_refused_as_aiohttp_refuses_it(
    name: str, spelling: str, aiohttp_server_port: int, make_server: Any
) -> None:
    second = {"as-is": name, "lower": name.lower(), "upper": name.upper()}[spelling]
    head = f"Host: example.com\r\n{name}: a\r\nX-Other: 1\r\n{second}: b\r\n".encode()
    app = Application()
    app.router.add_route("GET", "/h", _handler)
    server = await make_server(app)
    ours = await _exchange(server.host, server.port, head)
    theirs = await _exchange("127.0.0.1", aiohttp_server_port, head)
    assert theirs.partition(b"\r\n")[0].endswith(b" 400 Bad Request"), theirs  # aiohttp writes HTTP/1.0 there
    assert ours.startswith(b"HTTP/1.1 400 "), ours
    assert b"Connection: close" in ours
    # One copy of each is a request like any other.
    one = await _send(server.host, server.port, f"Host: example.com\r\n{name}: a\r\n".encode())
    assert one == await _send("127.0.0.1", aiohttp_server_port, f"Host: example.com\r\n{name}: a\r\n".encode())

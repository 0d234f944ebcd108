"""PROXY headers on a real server: the acceptor reads them before HTTP (or TLS) sees a byte, over real sockets.

The server trusts 127.0.0.1 (``proxy_allow_ips``); clients that must be told from it connect from 127.0.0.2.
Closed connections get no answer at all (HAProxy's proxy-protocol.txt §2): the client reads EOF, not a 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from http_client import RawConnection, parse_responses

from server.acceptor import Acceptor, start_server
from server.proxy_protocol import V2_SIGNATURE
from web import Application, Response

GET = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
GET_CLOSE = b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
V1 = b"PROXY TCP4 203.0.113.7 127.0.0.1 56324 8080\r\n"


def v2_inet6(src: str, sport: int) -> bytes:
    addresses = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, "::1")
    body = addresses + struct.pack("!HH", sport, 443) + b"\x04\x00\x03abc"  # a NOOP TLV, skipped
    return V2_SIGNATURE + b"\x21\x21" + struct.pack("!H", len(body)) + body


V2_LOCAL = V2_SIGNATURE + b"\x20\x00\x00\x00"


async def whoami(request: Any) -> Response:
    peer = request.transport.get_extra_info("peername")
    return Response(text=f"{request.remote} {peer[0] if isinstance(peer, tuple) else 'unix'}")


class Served:
    def __init__(self, factory: Any, acceptor: Acceptor, address: Any) -> None:
        self.factory = factory
        self.acceptor = acceptor
        self.address = address

    async def connect(self, source: str = "127.0.0.1") -> RawConnection:
        loop = asyncio.get_running_loop()
        if isinstance(self.address, str):
            _, conn = await loop.create_unix_connection(RawConnection, self.address)
        else:
            _, conn = await loop.create_connection(RawConnection, *self.address, local_addr=(source, 0))
        return conn

    async def exchange(self, payload: bytes, *, source: str = "127.0.0.1", count: int = 1) -> list[str]:
        """Send ``payload`` and return the bodies of ``count`` responses (then the connection must close)."""
        conn = await self.connect(source)
        try:
            conn.write(payload)
            assert await conn.wait_closed(), "the server did not close the connection"
            responses = parse_responses(bytes(conn.data))
            assert [r.status for r in responses] == [200] * count, responses
            return [r.body.decode() for r in responses]
        finally:
            conn.close()

    async def dropped(self, *pieces: bytes, source: str = "127.0.0.1") -> None:
        """Send ``pieces`` apart in time: the server must close the connection without a byte of answer."""
        conn = await self.connect(source)
        try:
            await conn.send(list(pieces), delay=0.02)
            assert await conn.wait_closed(), "the server did not close the connection"
            assert bytes(conn.data) == b""
        finally:
            conn.close()


@contextlib.asynccontextmanager
async def serve(
    tmp_path: Path | None = None, *, tls: ssl.SSLContext | None = None, **settings: Any
) -> AsyncIterator[Served]:
    app = Application()
    app.router.add_route("GET", "/", whoami)
    await app.startup()
    factory = app.make_handler(**settings)
    if tmp_path is None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
    else:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp_path / "s.sock"))
    address = sock.getsockname()
    acceptor = await start_server(factory, sock, factory.connections, ssl=tls)
    try:
        yield Served(factory, acceptor, address)
    finally:
        acceptor.close()
        await factory.shutdown(timeout=2.0, grace=0.0)


ON = {"proxy_protocol": True, "proxy_allow_ips": "127.0.0.1"}


async def test_a_trusted_proxys_v1_header_names_the_client_and_the_peer_stays_the_proxy():
    async with serve(**ON) as server:
        assert await server.exchange(V1 + GET_CLOSE) == ["203.0.113.7 127.0.0.1"]


async def test_a_v2_header_names_an_ipv6_client():
    async with serve(**ON) as server:
        assert await server.exchange(v2_inet6("2001:db8::7", 1234) + GET_CLOSE) == ["2001:db8::7 127.0.0.1"]


async def test_v2_local_and_v1_unknown_keep_the_sockets_own_address():
    async with serve(**ON) as server:
        assert await server.exchange(V2_LOCAL + GET_CLOSE) == ["127.0.0.1 127.0.0.1"]
        assert await server.exchange(b"PROXY UNKNOWN\r\n" + GET_CLOSE) == ["127.0.0.1 127.0.0.1"]


async def test_pipelined_requests_in_the_headers_segment_are_all_answered():
    async with serve(**ON) as server:
        bodies = await server.exchange(V1 + GET + GET + GET_CLOSE, count=3)
        assert bodies == ["203.0.113.7 127.0.0.1"] * 3


@pytest.mark.parametrize("header", [V1, v2_inet6("2001:db8::7", 1234)], ids=["v1", "v2"])
async def test_a_header_split_over_several_reads_is_reassembled(header):
    async with serve(**ON) as server:
        conn = await server.connect()
        try:
            await conn.send([header[:1], header[1:7], header[7:20], header[20:-1], header[-1:] + GET], delay=0.02)
            (response,) = await conn.responses(1)
            assert response.body.decode().split()[0] in ("203.0.113.7", "2001:db8::7")
            assert not conn.closed  # kept alive: the header is the connection's, not a request's
            conn.write(GET_CLOSE)
            assert await conn.wait_closed()
            assert [r.status for r in conn.parsed().responses] == [200, 200]
        finally:
            conn.close()


@pytest.mark.parametrize(
    "pieces",
    [
        pytest.param([GET], id="no-header"),
        pytest.param([b"PROXY TCP4 203.0.113.7 127.0.0.1 1 99999\r\n" + GET], id="malformed-v1"),
        pytest.param([b"PROXY TCP4 203.0.113.7", b" 127.0.0.1 1 2\n" + GET], id="v1-bare-lf"),
        pytest.param([V2_SIGNATURE + b"\x31\x11\x00\x0c" + bytes(12) + GET], id="v2-version-3"),
        pytest.param([b"PROXY UNKNOWN " + b"x" * 120], id="v1-too-long"),
        pytest.param([b"\x16\x03\x01\x00\x05hello"], id="tls-without-header"),
    ],
)
async def test_a_trusted_peer_without_a_valid_header_is_closed_unanswered(pieces, caplog):
    caplog.set_level(logging.DEBUG, "prefork.server")
    async with serve(**ON) as server:
        await server.dropped(*pieces)
    lines = [r.getMessage() for r in caplog.records if "closing a connection" in r.getMessage()]
    assert len(lines) == 1, lines
    assert caplog.records[-1].levelno <= logging.INFO


async def test_a_header_that_never_comes_times_out_at_header_timeout():
    async with serve(header_timeout=0.2, **ON) as server:
        silent = await server.connect()
        partial = await server.connect()
        try:
            partial.write(b"PROXY TCP4 ")
            loop = asyncio.get_running_loop()
            start = loop.time()
            assert await silent.wait_closed(5.0)
            assert await partial.wait_closed(5.0)
            assert loop.time() - start < 4.0
            assert bytes(silent.data) == bytes(partial.data) == b""
        finally:
            silent.close()
            partial.close()


async def test_an_untrusted_peer_is_served_plain_http_but_its_proxy_header_is_refused(caplog):
    caplog.set_level(logging.INFO, "prefork.server")
    async with serve(**ON) as server:
        assert await server.exchange(GET_CLOSE, source="127.0.0.2") == ["127.0.0.2 127.0.0.2"]
        await server.dropped(V1 + GET_CLOSE, source="127.0.0.2")
        await server.dropped(v2_inet6("2001:db8::7", 1) + GET_CLOSE, source="127.0.0.2")
    refused = [r for r in caplog.records if "not in proxy_allow_ips" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.INFO, logging.INFO]


@pytest.mark.parametrize(
    ("pieces", "served"),
    [
        pytest.param([b"PRO", b"XY TCP4 1.2.3.4 127.0.0.1 1 2\r\n" + GET_CLOSE], False, id="PRO-then-XY"),
        pytest.param([b"P", b"R", b"O", b"X", b"Y", b" "], False, id="bytewise"),
        pytest.param([b"\r\n", b"\r\n\x00\r\nQUIT\n"], False, id="v2-signature-split"),
        pytest.param(
            [b"PO", b"ST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"], True, id="POST"
        ),
        pytest.param([b"\r\n", GET_CLOSE], True, id="empty-line-then-GET"),
    ],
)
async def test_an_untrusted_peers_first_bytes_are_awaited_until_they_tell(pieces, served):
    async with serve(**ON) as server:
        conn = await server.connect("127.0.0.2")
        try:
            await conn.send(pieces, delay=0.05)
            assert await conn.wait_closed()
            if served:
                assert conn.parsed(methods="POST" if pieces[0] == b"PO" else "GET").responses[0].status in (200, 405)
            else:
                assert bytes(conn.data) == b""
        finally:
            conn.close()


async def test_a_unix_socket_peer_is_trusted(tmp_path):
    async with serve(tmp_path, proxy_protocol=True, proxy_allow_ips="") as server:
        assert await server.exchange(V1 + GET_CLOSE) == ["203.0.113.7 unix"]
        await server.dropped(GET_CLOSE)


async def test_star_trusts_every_peer():
    async with serve(proxy_protocol=True, proxy_allow_ips="*") as server:
        assert await server.exchange(V1 + GET_CLOSE, source="127.0.0.2") == ["203.0.113.7 127.0.0.2"]


async def test_off_by_default_a_proxy_line_is_just_a_bad_request():
    async with serve() as server:
        conn = await server.connect()
        try:
            conn.write(V1 + GET_CLOSE)
            assert await conn.wait_closed()
            assert [r.status for r in conn.parsed().responses] == [400]
        finally:
            conn.close()
        assert await server.exchange(GET_CLOSE) == ["127.0.0.1 127.0.0.1"]


async def test_over_tls_the_header_precedes_the_handshake():
    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    async with serve(tls=server_context, **ON) as server:
        for header, client in ((V1, "203.0.113.7"), (v2_inet6("2001:db8::7", 1), "2001:db8::7")):
            sock = socket.create_connection(server.address)
            sock.sendall(header)  # in the clear, then the TLS handshake on the same stream
            reader, writer = await asyncio.open_connection(sock=sock, ssl=client_context, server_hostname="127.0.0.1")
            try:
                writer.write(GET + GET_CLOSE)
                async with asyncio.timeout(5):
                    data = await reader.read()
            finally:
                writer.close()
            assert [r.body.decode() for r in parse_responses(data)] == [f"{client} 127.0.0.1"] * 2
            with contextlib.suppress(ssl.SSLError, ConnectionError):
                await writer.wait_closed()
        # A TLS client without the header: the ClientHello is not a header, the connection closes.
        with pytest.raises((ssl.SSLError, ConnectionError)):
            async with asyncio.timeout(5):
                _, writer = await asyncio.open_connection(
                    *server.address, ssl=client_context, server_hostname="127.0.0.1"
                )
                writer.close()


async def test_closing_the_acceptor_waits_for_missing_headers_only_briefly():
    """A stop must not wait header_timeout for a silent client: wait_closed returns after CLOSING_HEADER_WAIT."""
    from server.acceptor import CLOSING_HEADER_WAIT

    async with serve(header_timeout=30.0, **ON) as server:
        silent = await server.connect()
        try:
            async with asyncio.timeout(5.0):
                while not server.acceptor._pending:  # accepted, waiting for its header
                    await asyncio.sleep(0.01)
            loop = asyncio.get_running_loop()
            start = loop.time()
            server.acceptor.close()
            async with asyncio.timeout(CLOSING_HEADER_WAIT + 5.0):
                await server.acceptor.wait_closed()
            assert loop.time() - start >= CLOSING_HEADER_WAIT * 0.9
            assert await silent.wait_closed()
            assert bytes(silent.data) == b""
        finally:
            silent.close()

"""A large whole body (``Response(body=...)``, a long JSON answer) goes to the transport with its head as two buffers
of one ``writelines``, not joined (a copy of the body); the bytes on the wire are the same, also when the kernel
takes them in parts and when the client pipelines, asks HEAD or speaks HTTP/1.0."""

from __future__ import annotations

import asyncio
import os
import re
import socket

import pytest

import web
from server.detached import RecordingTransport
from server.exchange import _JOIN_LIMIT

BIG = os.urandom(300_000)  # several times the socket buffers set below: the kernel takes it in parts
SIZES = [_JOIN_LIMIT - 1, _JOIN_LIMIT, _JOIN_LIMIT + 1, 65_536]


class _Buffers(RecordingTransport):
    """Records the objects given to each ``write`` and ``writelines`` call."""

    def __init__(self) -> None:
        super().__init__({"peername": ("127.0.0.1", 40000)})
        self.calls: list[tuple[bytes | bytearray | memoryview, ...]] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.calls.append((data,))
        super().write(data)

    def writelines(self, list_of_data) -> None:  # type: ignore[no-untyped-def]
        buffers = tuple(list_of_data)
        self.calls.append(buffers)
        super().writelines(buffers)


def _app(small_sndbuf: bool = False) -> web.Application:
    async def big(request: web.Request) -> web.Response:
        if small_sndbuf:
            # A small send buffer: uvloop's first try sends part of the answer and keeps the rest for later.
            request.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return web.Response(body=BIG, content_type="application/octet-stream")

    async def sized(request: web.Request) -> web.Response:
        return web.Response(body=BIG[: int(request.match_info["size"])], content_type="application/octet-stream")

    async def general(request: web.Request) -> web.Response:
        # Headers given: the general path (an encoded head, Response._send_body).
        return web.Response(body=BIG[: int(request.match_info["size"])], headers={"X-A": "b"})

    async def json(request: web.Request) -> web.Response:
        return web.json_response({"data": "x" * 40_000})

    app = web.Application()
    app.router.add_get("/big", big)  # and HEAD
    app.router.add_route("GET", "/sized/{size}", sized)
    app.router.add_route("GET", "/general/{size}", general)
    app.router.add_route("GET", "/json", json)
    return app


async def _recorded(data: bytes) -> tuple[bytes, list[tuple[bytes | bytearray | memoryview, ...]]]:
    protocol = _app().make_handler()()
    transport = _Buffers()
    protocol.connection_made(transport)
    protocol.data_received(data)
    for _ in range(100):  # pipelined requests are answered one after another, on the loop
        await asyncio.sleep(0)
        if not protocol.queue and protocol._task is None and protocol.held is None:
            break
    protocol.connection_lost(None)
    return bytes(transport.written), transport.calls


async def test_a_large_body_goes_to_the_transport_uncopied() -> None:
    wire, calls = await _recorded(b"GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
    assert len(calls) == 1
    head, body = calls[0]
    assert body is BIG  # the handler's object itself: no copy was made
    assert wire == head + BIG
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nContent-Length: 300000\r\n" in head


@pytest.mark.parametrize("path", ["sized", "general"])
@pytest.mark.parametrize("size", SIZES)
async def test_bodies_about_the_join_limit_go_out_in_one_call_with_the_same_bytes(path, size) -> None:
    wire, calls = await _recorded(b"GET /%b/%d HTTP/1.1\r\nHost: t\r\n\r\n" % (path.encode(), size))
    assert len(calls) == 1
    assert len(calls[0]) == (2 if size > _JOIN_LIMIT else 1)
    head, _, body = wire.partition(b"\r\n\r\n")
    assert body == BIG[:size]
    assert b"\r\nContent-Length: %d\r\n" % size in head + b"\r\n"


async def test_head_of_a_large_body_sends_the_head_alone() -> None:
    wire, calls = await _recorded(b"HEAD /big HTTP/1.1\r\nHost: t\r\n\r\n")
    assert len(calls) == 1 and len(calls[0]) == 1
    assert wire.endswith(b"\r\n\r\n") and b"\r\nContent-Length: 300000\r\n" in wire


async def test_large_answers_over_a_socket_taken_in_parts_are_the_recorded_bytes() -> None:
    # Pipelined: a large body, a HEAD, a large JSON text, a large body again, then an HTTP/1.0 request that closes.
    requests = (
        b"GET /big HTTP/1.1\r\nHost: t\r\n\r\n"
        b"HEAD /big HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /json HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /sized/%d HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /big HTTP/1.0\r\n\r\n" % (_JOIN_LIMIT + 1)
    )
    srv = await asyncio.get_running_loop().create_server(_app(small_sndbuf=True).make_handler(), "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        reader, writer = await asyncio.open_connection(sock=sock)
        writer.write(requests)
        received = bytearray()
        while chunk := await asyncio.wait_for(reader.read(4096), 10):  # small reads: the server waits on us
            received += chunk
        writer.close()
    finally:
        srv.close()
        await srv.wait_closed()
    recorded, _ = await _recorded(requests)

    def masked(wire: bytes) -> bytes:
        return re.sub(rb"Date: [^\r]+", b"Date: D", wire)

    assert masked(bytes(received)) == masked(recorded)
    assert recorded.count(BIG) == 2
    assert b'{"data": "' + b"x" * 40_000 + b'"}' in recorded

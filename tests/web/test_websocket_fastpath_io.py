"""The websocket's request/response fast path through a real server, against the general path: the same frames
sent one at a time, waiting for each answer (each arrives in a read of its own: the codec's ``receive_frame``,
the channel's single-message queueing, ``async for``'s direct ``next_message``), and sent all in one write (the
general parser, the loop over events). The handler reads with ``async for`` (the channel's iterator), with
``receive()``, with ``__anext__()`` called by hand, or through a subclass that overrides ``receive()`` or
``__anext__()``; every variant must record the same messages and send back the same
frames. (tests/server/test_websocket_fastpath.py compares the codec's two paths on bytes alone.)"""

from __future__ import annotations

import asyncio
import base64
import os
import zlib

import pytest

import web
from server.websocket import PerMessageDeflate, WebSocketConnection
from server.websocket_frames import encode_frame
from web.websocket import MSG_BINARY, MSG_TEXT, WebSocketResponse, WSMsgType

MASK = b"\x5a\xa5\x0f\xf0"


def frame(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv1: bool = False) -> bytes:
    return encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=MASK)


class RecordingResponse(WebSocketResponse):
    """Reads through its own receive(): ``async for`` then takes the general route (``_receive_next``)."""

    async def receive(self, timeout=None):
        return await super().receive(timeout)


class IteratingResponse(WebSocketResponse):
    """Overrides __anext__(): ``async for`` then iterates the response itself, through it."""

    steps = 0

    def __anext__(self):
        IteratingResponse.steps += 1
        return super().__anext__()


def record(msg):
    """What the handler saw; an ERROR's exception by its type and close code."""
    data = msg.data
    if isinstance(data, BaseException):
        data = (type(data), getattr(data, "close_code", None))
    return (msg.type, data, msg.extra)


def make_app(style: str, seen: list) -> web.Application:
    async def handler(request):
        cls = {"subclass": RecordingResponse, "anext subclass": IteratingResponse}.get(style, WebSocketResponse)
        ws = cls(autoping=True)
        await ws.prepare(request)

        async def answer(msg):
            seen.append(record(msg))
            if msg.type is MSG_TEXT:
                await ws.send_str(msg.data)
            elif msg.type is MSG_BINARY:
                await ws.send_bytes(msg.data)

        if style == "receive":
            while True:
                msg = await ws.receive()
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):  # where async for stops
                    seen.append(record(msg))
                    break
                await answer(msg)
        elif style == "anext":
            while True:
                try:
                    msg = await ws.__anext__()
                except StopAsyncIteration:
                    break
                await answer(msg)
        else:
            async for msg in ws:
                await answer(msg)
        seen.append(("close_code", ws.close_code))
        return ws

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    return app


class Peer:
    """A raw client: frames out as given, server frames in, inflated with one context when RSV1 is set."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.inflater = zlib.decompressobj(wbits=-15)

    async def read_frame(self) -> tuple[int, bytes] | None:
        try:
            b0, b1 = await asyncio.wait_for(self.reader.readexactly(2), 10)
        except asyncio.IncompleteReadError:
            return None
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(await self.reader.readexactly(2), "big")
        elif n == 127:
            n = int.from_bytes(await self.reader.readexactly(8), "big")
        payload = await self.reader.readexactly(n)
        if b0 & 0x40:
            payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
        return b0 & 0x0F, payload


async def connect(server, deflate: bool) -> Peer:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    key = base64.b64encode(os.urandom(16))
    offer = b"Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else b""
    writer.write(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n" + offer + b"\r\n"
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101 "), head
    assert (b"permessage-deflate" in head) is deflate
    return Peer(reader, writer)


async def exchange(server, frames: list[tuple[bytes, int]], *, one_at_a_time: bool, deflate: bool) -> dict:
    """Send ``frames`` (each with the number of frames it draws from the server) one at a time or all at once;
    the server's data frames, its pongs and its close frame, apart (their interleaving depends on timing)."""
    peer = await connect(server, deflate)
    got = []
    if one_at_a_time:
        for data, answers in frames:
            peer.writer.write(data)
            for _ in range(answers):
                got.append(await peer.read_frame())
    else:
        peer.writer.write(b"".join(data for data, _ in frames))
    while (item := await peer.read_frame()) is not None:
        got.append(item)
    peer.writer.close()
    return {
        "data": [f for f in got if f[0] in (1, 2)],
        "pongs": [f for f in got if f[0] == 10],
        "close": [f for f in got if f[0] == 8],
    }


def deflated(*messages: bytes) -> list[bytes]:
    c = zlib.compressobj(wbits=-15)
    return [(c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH))[:-4] for m in messages]


def streams() -> dict[str, tuple[list[tuple[bytes, int]], bool]]:
    """name -> ([(frame bytes, frames the server answers with)], deflate offered)."""
    lengths = [0, 1, 2, 64, 125, 126, 127, 1000, 65535, 65536, 70000]
    plain = [(frame(1, ("é" * (n // 2) + "a" * (n % 2)).encode()), 1) for n in lengths]
    plain += [(frame(2, os.urandom(n)), 1) for n in lengths]
    plain.append((frame(8, b"\x03\xe8done"), 0))
    body = "fragmented ✓ ".encode() * 300
    fragmented = [
        (frame(1, b"whole before"), 1),
        (frame(1, body[:100], fin=False), 0),
        (frame(9, b"ping between"), 1),
        (frame(0, body[100:2000], fin=False), 0),
        (frame(10, b"unsolicited pong"), 0),
        (frame(9, b""), 1),
        (frame(0, body[2000:]), 1),
        (frame(2, b"whole after"), 1),
        (frame(8, b"\x03\xe9"), 0),
    ]
    a, b = b"compress me " * 500, os.urandom(3000)
    ca, cb, ca2 = deflated(a, b, a)
    compressed = [
        (frame(1, ca, rsv1=True), 1),
        (frame(1, b"plain between"), 1),
        (frame(2, cb, rsv1=True), 1),
        (frame(2, b"x" * 300), 1),
        (frame(1, ca2, rsv1=True), 1),
        (frame(8, b"\x03\xe8"), 0),
    ]
    invalid = [
        (frame(1, b"fine"), 1),
        (frame(2, b"also fine"), 1),
        (frame(1, b"bad \xc3\x28 utf-8"), 0),
        (frame(1, b"never read"), 0),
    ]
    unmasked = [(frame(1, b"fine"), 1), (encode_frame(1, b"unmasked"), 0), (frame(1, b"never"), 0)]
    return {
        "plain": (plain, False),
        "plain, deflate negotiated": (plain, True),
        "fragmented with control frames": (fragmented, False),
        "compressed": (compressed, True),
        "invalid utf-8": (invalid, False),
        "unmasked": (unmasked, False),
    }


STREAMS = streams()


def _echoes(frames: list[tuple[bytes, int]]) -> list[tuple[int, bytes]]:
    """The data messages the server should echo: parsed back from the client's own frames (before any rule
    is broken), fragments joined, compressed ones inflated."""
    conn = WebSocketConnection(deflate=PerMessageDeflate())
    out = []
    for data, _ in frames:
        for msg in conn.receive_data(data):
            if msg.type in (MSG_TEXT, MSG_BINARY):
                out.append((int(msg.type), msg.data.encode() if isinstance(msg.data, str) else msg.data))
    return out


ECHOES = {name: _echoes(frames) for name, (frames, _) in STREAMS.items()}


@pytest.mark.parametrize("name", list(STREAMS))
async def test_the_fast_and_the_general_path_agree(make_server, monkeypatch, name):
    frames, deflate = STREAMS[name]
    results = {}
    taken = []
    receive_frame = WebSocketConnection.receive_frame

    def counting(self, data):
        msg = receive_frame(self, data)
        taken.append(msg is not None)
        return msg

    monkeypatch.setattr(WebSocketConnection, "receive_frame", counting)
    for style in ("iterate", "receive", "subclass", "anext subclass", "anext"):
        for one_at_a_time in (True, False):
            seen: list = []
            server = await make_server(make_app(style, seen))
            taken.clear()
            IteratingResponse.steps = 0
            got = await exchange(server, frames, one_at_a_time=one_at_a_time, deflate=deflate)
            await server.close()
            assert (IteratingResponse.steps > 0) is (style == "anext subclass")
            if one_at_a_time:
                assert any(taken), "the fast path was not taken"
            results[style, one_at_a_time] = (got, seen)
    got, seen = results["iterate", True]
    for key, (other_got, other_seen) in results.items():
        assert other_got == got, key
        if key[0] == "receive":
            # receive() also hands out the CLOSE (or CLOSED) that ends the loop; async for stops on it unseen.
            assert other_seen[-2][0] in (WSMsgType.CLOSE, WSMsgType.CLOSED), key
            other_seen = other_seen[:-2] + other_seen[-1:]
        assert other_seen == seen, key
    # The answers are the echoes, in order, then one close frame with the code the stream ends with.
    assert got["data"] == [(op, payload) for op, payload in ECHOES[name]]
    assert len(got["close"]) == 1
    code = int.from_bytes(got["close"][0][1][:2], "big")
    assert code == {"invalid utf-8": 1007, "unmasked": 1002, "fragmented with control frames": 1001}.get(name, 1000)


async def test_a_message_after_our_close_frame_is_dropped_on_the_fast_path_too(make_server):
    """After the handler's close(), data from the peer is dropped (the aiohttp 0.14 API's receive skips it): a
    frame that arrives alone in a read, as the fast path takes it, included."""
    state: dict = {}

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        state["ws"] = ws
        state["first"] = (await ws.receive()).data
        ws.close()  # the close frame goes out now; the handshake finishes as the peer answers
        state["after"] = record(await ws.receive())
        return ws

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    server = await make_server(app)
    peer = await connect(server, False)
    peer.writer.write(frame(1, b"first"))
    assert await peer.read_frame() == (8, b"\x03\xe8")
    channel = state["ws"]._channel
    reads = channel._rx
    peer.writer.write(frame(1, b"late"))
    for _ in range(10_000):  # until the server has read it, on its own
        if channel._rx > reads:
            break
        await asyncio.sleep(0)
    assert channel._rx == reads + 1
    peer.writer.write(frame(8, b"\x03\xe8"))
    assert await peer.read_frame() is None
    peer.writer.close()
    await server.close()
    assert state["first"] == "first"
    assert state["after"] == (WSMsgType.CLOSE, 1000, "")

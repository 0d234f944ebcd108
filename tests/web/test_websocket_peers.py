"""The request/response path against independent peers over real sockets: aiohttp's client and the websockets
library each send text and binary messages of every frame-head size (7-bit, 16-bit and 64-bit lengths), pings
between them, fragmented messages (websockets), and a close with a code, one message at a time and waiting for its
echo (each frame in a read of its own: the fast path) or all at once (the general path). The handler reads with
``async for`` (the channel's iterator), with ``receive()``, or through a subclass overriding ``__anext__()``: every
variant must hand the handler the same messages, and every peer must get its messages back unchanged and see the
close code it sent echoed. (tests/web/test_websocket_fastpath_io.py compares the frames on the wire byte for byte
with a raw peer.)"""

from __future__ import annotations

import aiohttp
import pytest
from websockets.asyncio.client import connect

import web
from web.websocket import MSG_BINARY, MSG_TEXT, WebSocketResponse

SIZES = [0, 1, 64, 125, 126, 300, 65535, 65536, 70000]


def text_of(n: int) -> str:
    return "é" * (n // 2) + "a" * (n % 2)  # n bytes of UTF-8, two-byte characters included


def bytes_of(n: int) -> bytes:
    return bytes(range(256)) * (n // 256) + bytes(range(n % 256))


class IteratingResponse(WebSocketResponse):
    def __anext__(self):
        return super().__anext__()


def make_app(style: str, seen: list) -> web.Application:
    async def handler(request):
        ws = (IteratingResponse if style == "anext subclass" else WebSocketResponse)(max_msg_size=0)
        await ws.prepare(request)

        async def answer(msg):
            seen.append((msg.type, msg.data, msg.extra))
            if msg.type is MSG_TEXT:
                await ws.send_str(msg.data)
            elif msg.type is MSG_BINARY:
                await ws.send_bytes(msg.data)

        if style == "receive":
            while (msg := await ws.receive()).type in (MSG_TEXT, MSG_BINARY):
                await answer(msg)
        else:
            async for msg in ws:
                await answer(msg)
        seen.append(("close_code", ws.close_code))
        return ws

    app = web.Application()
    app.router.add_route("GET", "/", handler)
    return app


def sent_messages(fragments: bool) -> list[str | bytes | list]:
    messages: list[str | bytes | list] = []
    for n in SIZES:
        messages += [text_of(n), bytes_of(n)]
    if fragments:
        messages += [["frag", "mented ", "✓"], [b"bin", b"", b"ary"]]
    return messages


async def with_websockets(url: str, one_at_a_time: bool) -> tuple[list, int]:
    messages = sent_messages(fragments=True)
    echoes = []
    async with connect(url, compression=None, max_size=None) as ws:
        for i, message in enumerate(messages):
            await ws.send(message)
            pong = await ws.ping(b"between %d" % i)  # answered by the server's autoping, never seen by the handler
            if one_at_a_time:
                await pong
                echoes.append(await ws.recv())
        if not one_at_a_time:
            echoes += [await ws.recv() for _ in messages]
        await ws.close(4001, "done")
    return echoes, ws.close_code


async def with_aiohttp(url: str, one_at_a_time: bool) -> tuple[list, int]:
    messages = sent_messages(fragments=False)
    echoes = []
    async with aiohttp.ClientSession() as session, session.ws_connect(url, compress=0, max_msg_size=0) as ws:
        for message in messages:
            if isinstance(message, str):
                await ws.send_str(message)
            else:
                await ws.send_bytes(message)
            await ws.ping(b"between")
            if one_at_a_time:
                echoes.append((await ws.receive(timeout=10)).data)
        if not one_at_a_time:
            echoes += [(await ws.receive(timeout=10)).data for _ in messages]
        await ws.close(code=4001, message=b"done")
    return echoes, ws.close_code


@pytest.mark.parametrize("peer", ["websockets", "aiohttp"])
async def test_every_reader_sees_the_same_messages_and_every_peer_its_echoes(make_server, peer):
    run = with_websockets if peer == "websockets" else with_aiohttp
    expected = [
        "".join(m) if isinstance(m, list) and isinstance(m[0], str) else b"".join(m) if isinstance(m, list) else m
        for m in sent_messages(fragments=peer == "websockets")
    ]
    results = {}
    for style in ("iterate", "receive", "anext subclass"):
        for one_at_a_time in (True, False):
            seen: list = []
            server = await make_server(make_app(style, seen))
            echoes, close_code = await run(f"ws://{server.host}:{server.port}/", one_at_a_time)
            await server.close()
            assert echoes == expected, (style, one_at_a_time)
            assert close_code == 4001
            results[style, one_at_a_time] = seen
    first = results["iterate", True]
    assert [data for _, data, _ in first[:-1]] == expected
    assert first[-1] == ("close_code", 4001)
    for key, seen in results.items():
        assert seen == first, key

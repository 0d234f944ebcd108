"""WebSocketResponse's constructor against aiohttp 3's: the same keywords and defaults, ``decode_text``, the
``WebSocketResponse[...]`` type parameter, ``receive_timeout`` and ``max_msg_size``, with real peers."""

from __future__ import annotations

import asyncio
import base64
import inspect
import os
from typing import Literal

import aiohttp
import aiohttp.web
import pytest
from http_client import close_writer

import web
from server.websocket_frames import encode_frame
from web.websocket import WebSocketResponse, WSMsgType

MASK = b"\x01\x02\x03\x04"


def app_for(handler):
    app = web.Application()
    app.router.add_route("GET", "/", handler)
    return app


def ws_url(server):
    return f"ws://{server.host}:{server.port}/"


async def raw_connect(server):
    reader, writer = await asyncio.open_connection(server.host, server.port)
    key = base64.b64encode(os.urandom(16))
    writer.write(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101 "), head
    return reader, writer


def test_constructor_takes_aiohttp_3s_keywords_with_its_defaults():
    theirs = inspect.signature(aiohttp.web.WebSocketResponse.__init__).parameters
    ours = inspect.signature(WebSocketResponse.__init__).parameters
    for name, param in theirs.items():
        if name == "self":
            continue
        assert name in ours, name
        assert ours[name].kind in (param.kind, inspect.Parameter.POSITIONAL_OR_KEYWORD), name
        assert ours[name].default == param.default, name


def test_the_type_parameter_says_how_text_arrives():
    assert WebSocketResponse[Literal[False]] is not None
    assert WebSocketResponse[bool] is not None
    ws: WebSocketResponse[Literal[True]] = WebSocketResponse[Literal[True]]()
    assert isinstance(ws, WebSocketResponse)


async def test_decode_text_false_gives_bytes(make_server):
    got = []
    finished = asyncio.Event()

    async def handler(request):
        ws = WebSocketResponse(decode_text=False)
        await ws.prepare(request)
        msg = await ws.receive()
        got.append((msg.type, msg.data))
        got.append(await ws.receive_str())
        got.append(await ws.receive_json())
        async for msg in ws:
            got.append((msg.type, msg.data))
        finished.set()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server)) as ws:
        await ws.send_str("κόσμε")
        await ws.send_str("second")
        await ws.send_str('{"a": 1}')
        await ws.send_bytes(b"binary")
    await asyncio.wait_for(finished.wait(), 5)
    assert got == [
        (WSMsgType.TEXT, "κόσμε".encode()),
        b"second",
        {"a": 1},
        (WSMsgType.BINARY, b"binary"),
    ]


@pytest.mark.parametrize("decode_text", [True, False])
async def test_fragmented_text_with_and_without_decoding(make_server, decode_text):
    got: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handler(request):
        ws = WebSocketResponse(decode_text=decode_text)
        await ws.prepare(request)
        got.set_result((await ws.receive()).data)
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    _reader, writer = await raw_connect(server)
    try:
        text = "κόσμε".encode()
        # The split falls inside a two-byte character.
        writer.write(encode_frame(1, text[:3], fin=False, mask=MASK) + encode_frame(0, text[3:], mask=MASK))
        assert await asyncio.wait_for(got, 5) == ("κόσμε" if decode_text else text)
    finally:
        await close_writer(writer)


@pytest.mark.parametrize("fragmented", [False, True])
async def test_invalid_utf8_fails_with_1007_even_without_decoding(make_server, fragmented):
    """RFC 6455 §8.1: invalid UTF-8 in a text message fails the connection, whatever the handler wants."""
    got: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handler(request):
        ws = WebSocketResponse(decode_text=False)
        await ws.prepare(request)
        got.set_result((await ws.receive()).type)
        return ws

    server = await make_server(app_for(handler))
    reader, writer = await raw_connect(server)
    try:
        bad = b"ok\xff"
        if fragmented:
            writer.write(encode_frame(1, b"o", fin=False, mask=MASK) + encode_frame(0, bad[1:], mask=MASK))
        else:
            writer.write(encode_frame(1, bad, mask=MASK))
        assert await asyncio.wait_for(got, 5) is WSMsgType.ERROR
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x88\x02\x03\xef"  # close 1007
    finally:
        await close_writer(writer)


async def test_receive_timeout_raises_and_keeps_the_connection(make_server):
    got = []

    async def handler(request):
        ws = WebSocketResponse(receive_timeout=0.05)
        await ws.prepare(request)
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()
        await ws.send_str("timed out")
        got.append(await ws.receive_str(timeout=5))  # the per-call timeout wins
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server)) as ws:
        assert (await ws.receive(timeout=5)).data == "timed out"
        await ws.send_str("still open")
        assert (await ws.receive(timeout=5)).type is aiohttp.WSMsgType.CLOSE
    assert got == ["still open"]


async def test_receive_timeout_applies_to_async_for_and_keeps_the_connection(make_server):
    got = []

    async def handler(request):
        ws = WebSocketResponse(receive_timeout=0.05)
        await ws.prepare(request)
        with pytest.raises(asyncio.TimeoutError):
            async for msg in ws:
                got.append(msg.data)
        await ws.send_str("timed out")
        async for msg in ws:  # a new loop after the timeout reads on
            got.append(msg.data)
            break
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server)) as ws:
        assert (await ws.receive(timeout=5)).data == "timed out"
        await ws.send_str("still open")
        assert (await ws.receive(timeout=5)).type is aiohttp.WSMsgType.CLOSE
    assert got == ["still open"]


async def test_max_msg_size_closes_with_1009(make_server):
    seen: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handler(request):
        ws = WebSocketResponse(max_msg_size=1000)
        await ws.prepare(request)
        assert await ws.receive_str() == "x" * 1000
        msg = await ws.receive()
        seen.set_result((msg.type, ws.close_code))
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), compress=0) as ws:
        await ws.send_str("x" * 1000)
        await ws.send_str("x" * 1001)
        msg = await ws.receive(timeout=5)
        assert (msg.type, msg.data) == (aiohttp.WSMsgType.CLOSE, 1009)
    assert await asyncio.wait_for(seen, 5) == (WSMsgType.ERROR, 1009)


async def read_frame(reader):
    b0, b1 = await asyncio.wait_for(reader.readexactly(2), 5)
    return b0 & 0x0F, await asyncio.wait_for(reader.readexactly(b1 & 0x7F), 5)


@pytest.mark.parametrize("autoclose", [True, False])
async def test_autoclose(make_server, autoclose):
    """autoclose=False: the peer's close frame is answered by the handler's close(), and the handler may send
    before it; by default it is answered as soon as the handler has read it."""
    release = asyncio.Event()
    results: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handler(request):
        ws = WebSocketResponse(autoclose=autoclose)
        await ws.prepare(request)
        msg = await ws.receive()
        await release.wait()
        if not autoclose:
            await ws.send_str("last words")
        results.set_result((msg.type, msg.data, await ws.close(code=1000)))
        return ws

    server = await make_server(app_for(handler))
    reader, writer = await raw_connect(server)
    try:
        writer.write(encode_frame(8, (4000).to_bytes(2, "big") + b"bye", mask=MASK))
        if autoclose:
            assert await read_frame(reader) == (8, (4000).to_bytes(2, "big"))  # the echo, before release
            release.set()
            assert await asyncio.wait_for(results, 5) == (WSMsgType.CLOSE, 4000, False)
        else:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(reader.readexactly(1), 0.2)  # no answer while the handler holds it
            release.set()
            assert await read_frame(reader) == (1, b"last words")
            assert await read_frame(reader) == (8, (4000).to_bytes(2, "big"))
            assert await asyncio.wait_for(results, 5) == (WSMsgType.CLOSE, 4000, True)
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        await close_writer(writer)

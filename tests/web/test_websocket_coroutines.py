"""WebSocketResponse's coroutine methods as aiohttp 3 code uses them (awaited, in tasks, gathered), the aiohttp 0.14
API's call form of the same methods, and close() under handler cancellation, against real peers."""

from __future__ import annotations

import asyncio
import base64
import inspect
import os
import socket
import struct

import aiohttp
import aiohttp.web
import pytest
from http_client import close_writer

import web
from web.websocket import WebSocketResponse, WSCloseCode

# aiohttp 3's WebSocketResponse coroutines, and the aiohttp 0.14 API's (wait_closed, receive_msg).
COROUTINES = [
    "close",
    "ping",
    "pong",
    "prepare",
    "receive",
    "receive_bytes",
    "receive_json",
    "receive_msg",
    "receive_str",
    "send_bytes",
    "send_frame",
    "send_json",
    "send_json_bytes",
    "send_str",
    "wait_closed",
    "write_eof",
    "drain",
]


def app_for(handler):
    app = web.Application()
    app.router.add_route("GET", "/", handler)
    return app


def ws_url(server):
    return f"ws://{server.host}:{server.port}/"


@pytest.mark.parametrize("name", COROUTINES)
def test_documented_coroutines_are_coroutine_functions(name):
    assert inspect.iscoroutinefunction(getattr(WebSocketResponse, name))
    assert inspect.iscoroutinefunction(getattr(WebSocketResponse(), name))


def test_aiohttp_coroutines_are_all_covered():
    aiohttp_ws = aiohttp.web.WebSocketResponse
    public = {n for n in dir(aiohttp_ws) if n[0] != "_" and inspect.iscoroutinefunction(getattr(aiohttp_ws, n))}
    public.discard("write")  # a websocket refuses write() in both: ours raises at once (the aiohttp 0.14 API)
    assert public <= set(COROUTINES)


async def test_close_in_a_task_and_sends_gathered(make_server):
    results = {}
    finished = asyncio.Event()

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        assert await ws.receive_str() == "go"
        await asyncio.gather(ws.send_str("one"), ws.send_bytes(b"two"), ws.send_json({"three": 3}), ws.ping(b"p"))
        closing = asyncio.create_task(ws.close(code=4001, message=b"task"))
        results["closed"] = await asyncio.wait_for(closing, 5)
        results["code"] = ws.close_code
        finished.set()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), autoping=False) as ws:
        await ws.send_str("go")
        got = [await ws.receive() for _ in range(5)]
        assert [(m.type, m.data) for m in got] == [
            (aiohttp.WSMsgType.TEXT, "one"),
            (aiohttp.WSMsgType.BINARY, b"two"),
            (aiohttp.WSMsgType.TEXT, '{"three": 3}'),
            (aiohttp.WSMsgType.PING, b"p"),
            (aiohttp.WSMsgType.CLOSE, 4001),
        ]
        assert got[-1].extra == "task"
        await ws.close()
    await asyncio.wait_for(finished.wait(), 5)
    assert results == {"closed": True, "code": 1000}  # the peer's answer, as in aiohttp


async def test_call_form_of_the_aiohttp_014_api_still_sends(make_server):
    """send_str(), ping() and close() without await do their work, as the aiohttp 0.14 API defines them."""

    async def handler(request):
        ws = WebSocketResponse()
        ws.start(request)
        ws.send_str("plain")
        ws.ping(b"plain")
        ws.close(code=4002)
        with pytest.raises(web.WebSocketDisconnectedError) as info:
            await ws.wait_closed()
        assert info.value.code == 4002
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), autoping=False) as ws:
        assert (await ws.receive()).data == "plain"
        assert (await ws.receive()).data == b"plain"
        msg = await ws.receive()
        assert (msg.type, msg.data) == (aiohttp.WSMsgType.CLOSE, 4002)
        await ws.close()


async def test_send_frame(make_server):
    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        await ws.send_frame("κ".encode(), aiohttp.WSMsgType.TEXT)
        await ws.send_frame(b"\x00", web.WSMsgType.BINARY)
        await ws.send_frame(b"hi", web.WSMsgType.PONG)
        with pytest.raises(ValueError):
            ws.send_frame(b"", 0)  # a continuation frame is no message
        assert await ws.send_frame((4003).to_bytes(2, "big") + b"frame", web.WSMsgType.CLOSE)
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), autoping=False) as ws:
        got = [await ws.receive() for _ in range(4)]
        assert [(m.type, m.data) for m in got] == [
            (aiohttp.WSMsgType.TEXT, "κ"),
            (aiohttp.WSMsgType.BINARY, b"\x00"),
            (aiohttp.WSMsgType.PONG, b"hi"),
            (aiohttp.WSMsgType.CLOSE, 4003),
        ]
        assert got[-1].extra == "frame"
        await ws.close()


async def test_send_json_bytes(make_server):
    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json_bytes([1, 2], dumps=lambda data: repr(data).encode())
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server)) as ws:
        msg = await ws.receive()
        assert (msg.type, msg.data) == (aiohttp.WSMsgType.BINARY, b"[1, 2]")


async def test_close_of_a_silent_peer_returns_under_handler_cancellation(make_server):
    """With handler_cancellation, the close timeout that aborts the connection must not cancel close() itself:
    it returns True with close code 1006 and the connection aborted, as aiohttp's does."""
    outcome: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handler(request):
        ws = WebSocketResponse(timeout=0.1)
        await ws.prepare(request)
        try:
            result = await ws.close()
        except BaseException as exc:
            outcome.set_result(("raised", type(exc).__name__))
            raise
        outcome.set_result(("returned", result, ws.close_code, type(ws.exception()).__name__, ws.closed))
        return ws

    server = await make_server(app_for(handler), handler_cancellation=True)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        key = base64.b64encode(os.urandom(16))
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 ")
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x88\x02\x03\xe8"  # close 1000; never answered
        expected = ("returned", True, WSCloseCode.ABNORMAL_CLOSURE, "TimeoutError", True)
        assert await asyncio.wait_for(outcome, 5) == expected
        try:
            rest = await asyncio.wait_for(reader.read(), 5)
        except ConnectionResetError:
            rest = b""  # aborted: the kernel may answer with a reset
        assert rest == b""
    finally:
        await close_writer(writer)


async def test_prepare_after_the_client_left_raises_connection_reset(make_server):
    """A handler that does async work before prepare() while the client goes away gets ConnectionResetError
    from prepare() (aiohttp 3), not an error about the connection's state, and writes nothing."""
    outcome: asyncio.Future = asyncio.get_running_loop().create_future()

    async def handler(request):
        ws = WebSocketResponse()
        # The client's close arrives on its own schedule; request.transport is None once it is lost (aiohttp 3).
        while request.transport is not None and not request.transport.is_closing():
            await asyncio.sleep(0.01)
        try:
            await ws.prepare(request)
        except ConnectionResetError as exc:
            outcome.set_result(str(exc))
            raise
        outcome.set_result("prepared")
        return ws

    server = await make_server(app_for(handler))
    _reader, writer = await asyncio.open_connection(server.host, server.port)
    key = base64.b64encode(os.urandom(16))
    writer.write(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"
    )
    await writer.drain()
    # A reset, so the server sees the connection lost rather than a half-close it may still answer.
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()
    assert await asyncio.wait_for(outcome, 5) == "Connection lost"

"""WebSocketResponse against real peers: the websockets and aiohttp clients (permessage-deflate too), raw sockets
for what clients will not send, and the Autobahn fuzzing client's quick cases."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from pathlib import Path

import aiohttp
import pytest
from http_client import close_writer
from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

import web
from server.websocket_frames import encode_frame
from web.websocket import (
    MSG_BINARY,
    MSG_PING,
    MSG_TEXT,
    Message,
    WebSocketDisconnectedError,
    WebSocketResponse,
    WSMsgType,
)

MASK = b"\x0a\x0b\x0c\x0d"


def app_for(handler, path="/"):
    app = web.Application()
    app.router.add_route("GET", path, handler)
    return app


def ws_url(server, path="/"):
    return f"ws://{server.host}:{server.port}{path}"


async def echo(request):
    ws = WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.tp is MSG_TEXT:
            await ws.send_str(msg.data)
        elif msg.tp is MSG_BINARY:
            await ws.send_bytes(msg.data)
    return ws


# -- raw peers ---------------------------------------------------------------------------------------------------


async def raw_connect(server, extra=b""):
    reader, writer = await asyncio.open_connection(server.host, server.port)
    key = base64.b64encode(os.urandom(16))
    writer.write(
        b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n" + extra + b"\r\n"
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101 "), head
    return reader, writer


async def read_frame(reader):
    b0, b1 = await asyncio.wait_for(reader.readexactly(2), 5)
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    return b0 & 0x0F, await reader.readexactly(n)


def frame(opcode, payload=b"", fin=True):
    return encode_frame(opcode, payload, fin=fin, mask=MASK)


# -- echo with real clients --------------------------------------------------------------------------------------


async def test_echo_with_the_websockets_client(make_server):
    server = await make_server(app_for(echo))
    async with connect(ws_url(server), compression=None) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
        await ws.send(b"\x00" * 100_000)
        assert await ws.recv() == b"\x00" * 100_000
    assert ws.close_code == 1000


async def test_echo_with_the_aiohttp_client(make_server):
    server = await make_server(app_for(echo))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server)) as ws:
        await ws.send_str("κόσμε")
        assert (await ws.receive()).data == "κόσμε"
        await ws.send_bytes(b"\xff" * 70000)
        assert (await ws.receive()).data == b"\xff" * 70000
        await ws.close()
        assert ws.close_code == 1000


@pytest.mark.parametrize("version", ["8", "7"])
async def test_echo_with_a_hybi_draft_version(make_server, version):
    # aiohttp's server accepts the hybi-07/-08 drafts' Sec-WebSocket-Version (their handshake and framing are
    # RFC 6455's), and so does ours: aiohttp's client test_override_default_headers connects with 8.
    server = await make_server(app_for(echo))
    headers = {"Sec-WebSocket-Version": version}
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), headers=headers) as ws:
        await ws.send_str("draft")
        assert (await ws.receive()).data == "draft"
        await ws.close()
        assert ws.close_code == 1000


async def test_deflate_with_the_websockets_client(make_server):
    server = await make_server(app_for(echo))
    async with connect(ws_url(server)) as ws:  # offers permessage-deflate by default
        assert ws.response.headers["Sec-WebSocket-Extensions"].startswith("permessage-deflate")
        for text in ["repeat " * 1000, "repeat " * 1000, "x"]:
            await ws.send(text)
            assert await ws.recv() == text


async def test_deflate_without_context_takeover_and_small_windows(make_server):
    server = await make_server(app_for(echo))
    offer = ClientPerMessageDeflateFactory(
        server_no_context_takeover=True, client_no_context_takeover=True, server_max_window_bits=9
    )
    async with connect(ws_url(server), compression=None, extensions=[offer]) as ws:
        response = ws.response.headers["Sec-WebSocket-Extensions"]
        assert "server_no_context_takeover" in response and "server_max_window_bits=9" in response
        # The client's client_no_context_takeover is its hint (RFC 7692 §7.1.1.2), not echoed, as by aiohttp.
        assert "client_no_context_takeover" not in response
        for payload in [os.urandom(300) * 20, b"same" * 500, b"same" * 500]:
            await ws.send(payload)
            assert await ws.recv() == payload


async def test_deflate_with_the_aiohttp_client(make_server):
    seen = {}

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        seen["compress"] = ws.compress
        msg = await ws.receive()
        await ws.send_str(msg.data)
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), compress=15) as ws:
        assert ws.compress == 15
        await ws.send_str("abc" * 10_000)
        assert (await ws.receive()).data == "abc" * 10_000
        assert (await ws.receive()).type is aiohttp.WSMsgType.CLOSE
    assert seen["compress"] == 15  # the window size negotiated, as aiohttp's compress property gives it


async def test_compress_is_the_negotiated_window_size(make_server):
    # aiohttp 3's WebSocketResponse.compress: the constructor's argument until prepare(), then the window size in
    # bits permessage-deflate was agreed with, or 0 when it is off.
    seen = []

    async def handler(request):
        ws = WebSocketResponse(compress=request.query.get("off") is None)
        seen.append(ws.compress)
        await ws.prepare(request)
        seen.append(ws.compress)
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session:
        for query, compress in [("", 15), ("", 9), ("", 0), ("?off=1", 15)]:
            async with session.ws_connect(ws_url(server) + query, compress=compress) as ws:
                await ws.receive()
    assert seen == [True, 15, True, 9, True, 0, False, 0]


async def test_compression_can_be_refused(make_server):
    async def handler(request):
        ws = WebSocketResponse(compress=False)
        await ws.prepare(request)
        await ws.send_str(await ws.receive_str())
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        await ws.send("plain")
        assert await ws.recv() == "plain"


# -- the handshake -----------------------------------------------------------------------------------------------


async def test_bad_handshakes_are_http_errors(make_server):
    async def handler(request):
        ws = WebSocketResponse()
        ok, protocol = ws.can_start(request)
        if request.query.get("check"):
            return web.Response(text=f"{ok} {protocol}")
        ws.start(request)
        return ws

    server = await make_server(app_for(handler))
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url("/?check=1")) as resp:
            assert await resp.text() == "False None"
        async with session.get(server.url("/")) as resp:
            assert resp.status == 400
        # aiohttp answers 400 to a version it does not speak; RFC 6455 §4.4 has the versions spoken named.
        for version in [{"Sec-WebSocket-Version": "12"}, {}]:
            async with session.get(server.url("/"), headers={**upgrade, **version}) as resp:
                assert resp.status == 400
                assert resp.headers["Sec-WebSocket-Version"] == "13, 8, 7"
        bad_key = {**upgrade, "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "bad"}
        async with session.get(server.url("/"), headers=bad_key) as resp:
            assert resp.status == 400


async def test_subprotocol_by_the_client_s_preference(make_server):
    # As aiohttp: the first subprotocol of the client's offer that the server speaks (graphql-server's clients list
    # graphql-transport-ws before graphql-ws, and its view speaks both).
    chosen = {}

    async def handler(request):
        ws = WebSocketResponse(protocols=("v2", "v1"))
        chosen["can_start"] = ws.can_start(request)
        chosen["can_prepare"] = ws.can_prepare(request)
        await ws.prepare(request)
        chosen["protocol"] = ws.protocol
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server), subprotocols=["v1", "v2"]) as ws:
        assert ws.subprotocol == "v1"
        await ws.wait_closed()
    assert chosen == {"can_start": (True, "v1"), "can_prepare": (True, "v1"), "protocol": "v1"}
    async with connect(ws_url(server), subprotocols=["v3", "v2", "v1"]) as ws:
        assert ws.subprotocol == "v2"
        await ws.wait_closed()


async def test_subprotocols_that_do_not_overlap_are_logged(make_server, caplog):
    # As aiohttp: the handshake goes on without a subprotocol, and a warning (aiohttp's words) says why.
    async def handler(request):
        ws = WebSocketResponse(protocols=("v2",))
        await ws.prepare(request)
        await ws.close(message=repr(ws.protocol))
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(server), protocols=("v1", "v3")) as ws:
            assert (await ws.receive()).extra == "None"
            assert ws.protocol is None
        async with session.ws_connect(ws_url(server)) as ws:  # no offer: nothing to warn about
            await ws.receive()
    warnings = [r for r in caplog.records if r.name == "prefork.web" and r.levelname == "WARNING"]
    assert [r.getMessage() for r in warnings] == [
        "127.0.0.1: Client protocols ['v1', 'v3'] don’t overlap server-known ones ('v2',)"  # noqa: RUF001
    ]


# -- the aiohttp 0.14 API ----------------------------------------------------------------------------------------------


async def test_methods_before_start_raise():
    ws = WebSocketResponse()
    for call in (lambda: ws.send_str("x"), lambda: ws.send_bytes(b"x"), ws.ping, ws.pong, ws.close):
        with pytest.raises(RuntimeError):
            call()
    with pytest.raises(RuntimeError):
        await ws.receive_msg()
    receiving = ws.receive()  # a coroutine, as aiohttp's: the error comes when it is awaited
    assert asyncio.iscoroutine(receiving)
    with pytest.raises(RuntimeError, match="start"):
        await receiving
    with pytest.raises(RuntimeError):
        await ws.wait_closed()
    with pytest.raises(RuntimeError, match="not been started"):
        await ws.write_eof()  # aiohttp 3's error: nothing to finish
    assert not ws.closing


async def test_can_prepare_once_started_raises(make_server):
    # aiohttp 3 answers can_prepare() only before prepare(): after it, RuntimeError("Already started").
    seen = []

    async def handler(request):
        ws = WebSocketResponse(protocols=("chat",))
        seen.append(ws.can_prepare(request))
        await ws.prepare(request)
        try:
            ws.can_prepare(request)
        except RuntimeError as exc:
            seen.append(str(exc))
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), protocols=("chat",)) as ws:
        assert (await ws.receive()).type == aiohttp.WSMsgType.CLOSE
    assert seen == [(True, "chat"), "Already started"]


async def test_aiohttp_014_api_end_to_end(make_server):
    results = {}

    async def handler(request):
        ws = WebSocketResponse()
        ws.start(request)
        with pytest.raises(TypeError):
            ws.send_str(b"bytes")
        with pytest.raises(TypeError):
            ws.send_bytes("str")
        ws.ping("ping me")
        ws.pong(b"unsolicited")
        results["text"] = await ws.receive_str()
        results["bytes"] = await ws.receive_bytes()
        with pytest.raises(TypeError):
            await ws.receive_str()  # a binary message arrives
        ws.send_str("reply")
        ws.send_bytes(b"reply")
        try:
            await ws.receive_msg()
        except WebSocketDisconnectedError as exc:
            results["disconnected"] = (exc.code, exc.message)
        results["closing"] = ws.closing
        with pytest.raises(RuntimeError):
            ws.send_str("after close")
        with pytest.raises(RuntimeError):
            ws.ping()
        with pytest.raises(WebSocketDisconnectedError):
            await ws.receive_msg()
        with pytest.raises(WebSocketDisconnectedError):
            await ws.wait_closed()
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server), autoping=False) as ws:
        ping = await ws.receive()
        assert (ping.type, ping.data) == (aiohttp.WSMsgType.PING, b"ping me")
        pong = await ws.receive()
        assert (pong.type, pong.data) == (aiohttp.WSMsgType.PONG, b"unsolicited")
        await ws.send_str("text")
        await ws.send_bytes(b"bytes")
        await ws.send_bytes(b"not text")
        assert (await ws.receive()).data == "reply"
        assert (await ws.receive()).data == b"reply"
        await ws.close(code=4000, message=b"bye")
    assert results == {
        "text": "text",
        "bytes": b"bytes",
        "disconnected": (4000, "bye"),
        "closing": True,
    }


async def test_message_tuple_and_constants():
    msg = Message(MSG_TEXT, '{"a": 1}', None)
    assert msg.tp == msg.type == WSMsgType.TEXT == 1
    assert msg.json() == {"a": 1}
    assert (web.websocket.MSG_BINARY, MSG_PING, web.websocket.MSG_PONG, web.websocket.MSG_CLOSE) == (2, 9, 10, 8)
    exc = WebSocketDisconnectedError(1000, "bye")
    assert (exc.code, exc.message) == (1000, "bye")


async def test_json_and_async_for(make_server):
    got = []

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        got.append(await ws.receive_json())
        await ws.send_json({"echo": got[0]})
        async for msg in ws:
            got.append(msg.data)
        got.append(ws.close_code)
        return ws

    server = await make_server(app_for(handler))
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url(server)) as ws:
        await ws.send_json([1, 2])
        assert await ws.receive_json() == {"echo": [1, 2]}
        await ws.send_str("a")
        await ws.send_str("b")
    for _ in range(50):
        if len(got) == 4:
            break
        await asyncio.sleep(0.02)
    assert got == [[1, 2], "a", "b", 1000]


async def test_autoping_off_delivers_pings(make_server):
    async def handler(request):
        ws = WebSocketResponse(autoping=False)
        await ws.prepare(request)
        msg = await ws.receive()
        assert msg.tp is MSG_PING
        await ws.pong(msg.data)
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        await asyncio.wait_for(await ws.ping(b"are you there"), 5)


async def test_receive_after_the_peers_close_gives_closed_with_its_code(make_server):
    seen = []

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        for _ in range(4):
            msg = await ws.receive()
            seen.append((msg.type, msg.data, msg.extra))
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        await ws.send("last")
        await ws.close(4001, "done")
    for _ in range(50):
        if len(seen) == 4:
            break
        await asyncio.sleep(0.02)
    closed = (WSMsgType.CLOSED, 4001, None)
    assert seen == [(WSMsgType.TEXT, "last", None), (WSMsgType.CLOSE, 4001, "done"), closed, closed]


async def test_concurrent_receive_is_refused(make_server):
    errors = []

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        first = asyncio.ensure_future(ws.receive())
        await asyncio.sleep(0)
        try:
            await ws.receive()
        except RuntimeError as exc:
            errors.append(exc)
        await first
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        await ws.send("x")
        await ws.wait_closed()
    assert len(errors) == 1


# -- closing -----------------------------------------------------------------------------------------------------


async def test_server_close_completes_the_handshake(make_server):
    results = {}

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        results["first"] = await ws.close(code=4001, message="server done")
        results["second"] = await ws.close()
        results["closed"] = ws.closed
        results["code"] = ws.close_code
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        await ws.wait_closed()
        assert (ws.close_code, ws.close_reason) == (4001, "server done")
    assert results == {"first": True, "second": False, "closed": True, "code": 4001}


async def test_handler_returning_open_websocket_closes_it(make_server):
    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        await ws.wait_closed()
        assert ws.close_code == 1000


async def test_close_timeout_drops_a_silent_peer(make_server):
    done = asyncio.Event()
    elapsed = []

    async def handler(request):
        ws = WebSocketResponse(timeout=0.3)
        await ws.prepare(request)
        start = asyncio.get_running_loop().time()
        await ws.close()
        elapsed.append(asyncio.get_running_loop().time() - start)
        done.set()
        return ws

    server = await make_server(app_for(handler))
    reader, writer = await raw_connect(server)
    try:
        assert await read_frame(reader) == (8, b"\x03\xe8")
        await asyncio.wait_for(done.wait(), 5)  # we never answer the close frame
        assert 0.25 < elapsed[0] < 2
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        await close_writer(writer)


async def test_graceful_shutdown_closes_with_1001_and_lets_the_handler_finish(make_server):
    finished = asyncio.Event()
    seen = []

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        seen.append(ws.close_code)
        await asyncio.sleep(0.05)  # the handler's own cleanup still runs
        finished.set()
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:
        await ws.send("before")
        assert await ws.recv() == "before"
        await server.close(timeout=5)
        await ws.wait_closed()
        assert ws.close_code == 1001
    assert finished.is_set()
    assert seen == [1001]


# -- protocol errors from a raw peer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        (encode_frame(1, b"unmasked"), 1002),
        (frame(1, b"\xff"), 1007),
        (frame(3), 1002),
        (frame(8, b"\x03\xed"), 1002),  # 1005 is never sent
        (frame(2, b"x" * 2000), 1009),
    ],
)
async def test_protocol_errors_close_with_their_code(make_server, frames, code):
    errors = []

    async def handler(request):
        ws = WebSocketResponse(max_msg_size=1000)
        await ws.prepare(request)
        msg = await ws.receive()
        errors.append((msg.tp, ws.exception()))
        return ws

    server = await make_server(app_for(handler))
    reader, writer = await raw_connect(server)
    try:
        writer.write(frames)
        assert await read_frame(reader) == (8, code.to_bytes(2, "big"))
        # §7.1.7: the server half-closes after failing, and reads nothing more.
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        await close_writer(writer)
    assert errors[0][0] is WSMsgType.ERROR
    assert errors[0][1].close_code == code


async def test_messages_before_an_error_are_answered_first(make_server):
    server = await make_server(app_for(echo))
    reader, writer = await raw_connect(server)
    try:
        writer.write(frame(1, b"Hello, world!") + frame(1, b"bad", fin=True)[:1].replace(b"\x81", b"\xa1") + b"\x80")
        assert await read_frame(reader) == (1, b"Hello, world!")
        assert await read_frame(reader) == (8, b"\x03\xea")
    finally:
        await close_writer(writer)


async def test_tail_after_the_handshake_is_not_lost(make_server):
    server = await make_server(app_for(echo))
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" + frame(1, b"early")
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
        assert await read_frame(reader) == (1, b"early")
    finally:
        await close_writer(writer)


async def test_a_flood_behind_a_pending_upgrade_is_paused(make_server):
    # Bytes sent behind an upgrade request before the handler takes the connection over are held for the new
    # protocol; once read_high_water of them wait, reading pauses (the rest waits in the kernel's buffers), and
    # it resumes at the takeover, every frame arriving in order (what aiohttp's test_web_protocol.py checks of
    # its RequestHandler's flags).
    release = asyncio.Event()
    state = {}
    count = 2000
    payloads = [i.to_bytes(4, "big") * 256 for i in range(count)]  # 2 MB in all

    async def handler(request):
        await release.wait()
        state["held"] = request.protocol._upgrade_tail_size
        ws = WebSocketResponse()
        await ws.prepare(request)
        state["in_order"] = [await ws.receive_bytes() for _ in range(count)] == payloads
        await ws.close()
        return ws

    server = await make_server(app_for(handler), read_high_water=64 * 1024, read_low_water=16 * 1024)
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" + b"".join(frame(2, p) for p in payloads)
        )
        await asyncio.sleep(0.5)
        release.set()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 ")
        await asyncio.wait_for(writer.drain(), 10)
        assert await read_frame(reader) == (8, b"\x03\xe8")
    finally:
        await close_writer(writer)
    # Bounded by the high-water mark plus what one read can bring, not by the 2 MB sent.
    assert 64 * 1024 < state["held"] < 64 * 1024 + 300 * 1024
    assert state["in_order"] is True


# -- heartbeat and flow control ----------------------------------------------------------------------------------


async def test_heartbeat_drops_a_peer_that_does_not_answer(make_server):
    seen = []

    async def handler(request):
        ws = WebSocketResponse(heartbeat=0.2)
        await ws.prepare(request)
        msg = await ws.receive()
        seen.append((msg.tp, ws.close_code, type(ws.exception()), str(ws.exception())))
        return ws

    server = await make_server(app_for(handler))
    reader, writer = await raw_connect(server)  # reads nothing, answers nothing
    try:
        assert await read_frame(reader) == (9, b"")
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        await close_writer(writer)
    for _ in range(50):
        if seen:
            break
        await asyncio.sleep(0.02)
    assert seen == [(WSMsgType.CLOSED, 1006, TimeoutError, "No PONG received after 0.1 seconds")]  # aiohttp's words


async def test_heartbeat_keeps_a_live_peer(make_server):
    async def handler(request):
        ws = WebSocketResponse(heartbeat=0.1)
        await ws.prepare(request)
        await asyncio.sleep(0.5)
        await ws.send_str("still here")
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    async with connect(ws_url(server)) as ws:  # answers pings
        assert await ws.recv() == "still here"


async def test_a_fast_sender_is_paused_while_the_handler_lags(make_server):
    release = asyncio.Event()
    state = {}
    count = 3000

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        await release.wait()
        channel = ws._channel
        state["paused"] = channel.paused
        state["buffered"] = channel.buffered
        received = [await ws.receive_bytes() for _ in range(count)]
        state["in_order"] = received == [i.to_bytes(4, "big") * 256 for i in range(count)]
        await ws.close()
        return ws

    server = await make_server(app_for(handler), read_high_water=64 * 1024, read_low_water=16 * 1024)
    async with connect(ws_url(server), compression=None) as ws:

        async def send_all():
            for i in range(count):  # 3 MB in all
                await ws.send(i.to_bytes(4, "big") * 256)

        sender = asyncio.ensure_future(send_all())
        await asyncio.sleep(0.5)
        release.set()
        await asyncio.wait_for(sender, 10)
        await ws.wait_closed()
    assert state["paused"] is True
    # Bounded by the high-water mark plus what one read can bring, not by the 3 MB sent.
    assert state["buffered"] < 64 * 1024 + 300 * 1024
    assert state["in_order"] is True


async def test_sends_wait_for_a_slow_reader(make_server):
    progress = []
    done = asyncio.Event()

    async def handler(request):
        ws = WebSocketResponse()
        await ws.prepare(request)
        for i in range(100):
            await ws.send_bytes(b"x" * 65536)
            progress.append(i)
        done.set()
        await ws.close()
        return ws

    server = await make_server(app_for(handler))
    reader, writer = await raw_connect(server)
    try:
        await asyncio.sleep(0.5)  # not reading: the kernel buffers fill, then the transport's
        assert len(progress) < 100
        total = 0
        while total < 100 * 65536:
            opcode, payload = await read_frame(reader)
            assert opcode == 2
            total += len(payload)
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await close_writer(writer)


# -- Autobahn ----------------------------------------------------------------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import autobahn  # noqa: E402


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.skipif(
    autobahn.python2() is None or not autobahn.is_installed(autobahn.default_dir()),
    reason="the Autobahn fuzzing client (Python 2.7 + autobahntestsuite) is not installed; see bench/autobahn.py",
)
def test_autobahn_quick_cases(tmp_path):
    """Cases 1-7 and 10 of the Autobahn testsuite, every one OK (bench/autobahn.py runs all of them)."""
    results = autobahn.run(autobahn.QUICK_CASES, target=autobahn.default_dir(), outdir=tmp_path)
    counts, bad = autobahn.summarize(results)
    assert len(results) == 247
    assert bad == [], f"{counts}: {[(case, results[case]['behavior']) for case in bad]}"

"""aiohttp 3's ``request.task``, ``request.protocol`` and ``request.transport``, through a real server."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

import web


async def test_request_task_is_the_task_running_the_handler(make_server):
    seen = {}

    async def handler(request):
        seen["same"] = request.task is asyncio.current_task()
        seen["clone"] = request.clone(method="POST").task is request.task
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
        assert resp.status == 200
    assert seen == {"same": True, "clone": True}


async def test_cancelling_request_task_stops_the_handler(make_server):
    cancelled = asyncio.Event()

    async def handler(request):
        request.task.get_loop().call_soon(request.task.cancel)
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return web.Response(text="not reached")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        try:
            async with session.get(srv.url("/")) as resp:
                await resp.read()
        except aiohttp.ClientError:
            pass
    async with asyncio.timeout(5):
        await cancelled.wait()


async def test_protocol_transport_is_none_once_the_connection_is_lost(make_server):
    seen = {}
    done = asyncio.Event()

    async def handler(request):
        response = web.StreamResponse()
        seen["before"] = request.protocol.transport is request.transport is not None
        seen["peer"] = request.transport.get_extra_info("peername")[0]
        await response.prepare(request)
        await response.write(b"x")
        # The client closed its socket: its FIN while this answer streams closes the connection (as aiohttp does),
        # and a write that comes first draws the client's RST; either way the connection is lost.
        while request.protocol.transport is not None:
            try:
                await response.write(b"x")
            except ConnectionError:
                pass
            await asyncio.sleep(0.01)
        seen["after"] = request.transport
        done.set()
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    srv = await make_server(app, handler_cancellation=False)
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    writer.close()
    await writer.wait_closed()
    async with asyncio.timeout(5):
        await done.wait()
    assert seen == {"before": True, "peer": "127.0.0.1", "after": None}


async def test_protocol_force_close_drops_the_connection_before_the_answer(make_server):
    # aiohttp's RequestHandler.force_close(): the answer in progress is lost and the client sees the connection
    # drop. aiohttp's client sends an idempotent request again on a new connection, a POST it does not.
    calls = []

    async def handler(request):
        calls.append(request.method)
        if len(calls) == 1 or request.method == "POST":
            request.protocol.force_close()
        return web.Response(text="answered")

    app = web.Application()
    app.router.add_route("*", "/", handler)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.get(srv.url("/")) as resp:
            assert await resp.text() == "answered"
        assert calls == ["GET", "GET"]
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await session.post(srv.url("/"))
    assert calls == ["GET", "GET", "POST"]


async def test_writes_after_protocol_force_close_raise_connection_reset(make_server):
    # aiohttp's force_close() drops its transport at once, so the handler's next write raises (aiohttp-sse's
    # test_ping_auto_close counts on it); ours went to the closing transport, which dropped it without a word.
    outcome = {}
    done = asyncio.Event()

    async def handler(request):
        response = web.StreamResponse()
        await response.prepare(request)
        request.protocol.force_close()
        try:
            await response.write(b"never delivered")
        except ConnectionResetError as exc:
            outcome["write"] = type(exc).__name__
        finally:
            done.set()
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(srv.url("/")) as resp:
                await resp.read()
        await done.wait()
    assert outcome == {"write": "ConnectionResetError"}

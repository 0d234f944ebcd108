"""A websocket whose upgrade completes after the server began draining is told to go at once (close 1001), like
the websockets that were open when the drain began; it must not keep the old worker alive until the graceful
timeout aborts it (1006)."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from web import Application, WebSocketResponse


async def test_a_websocket_upgraded_during_a_drain_is_closed_with_1001(make_server):
    entered, gate, seen = asyncio.Event(), asyncio.Event(), []

    async def handler(request):
        entered.set()
        await gate.wait()  # the drain begins while this request is being answered
        ws = WebSocketResponse()
        await ws.prepare(request)
        async for _ in ws:
            pass
        seen.append(ws.close_code)
        return ws

    app = Application()
    app.router.add_get("/ws", handler)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session:
        client = asyncio.ensure_future(session.ws_connect(server.url("/ws")))
        await asyncio.wait_for(entered.wait(), 5)
        started = time.monotonic()
        drain = asyncio.ensure_future(server.factory.shutdown(timeout=10.0, grace=0.0))
        while not all(conn.draining for conn in server.factory.connections):
            await asyncio.sleep(0.01)
        gate.set()
        ws = await asyncio.wait_for(client, 5)
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is aiohttp.WSMsgType.CLOSE and ws.close_code == 1001
        await ws.close()
        await asyncio.wait_for(drain, 5)
        assert time.monotonic() - started < 5  # not the graceful timeout
    assert len(seen) == 1  # the handler saw the close and finished

"""``server.websocket_channel``, the websocket's I/O layer, driven by a bare server handler (no ``web``) against
aiohttp's real client: the channel alone answers the close handshake, waits for messages and their timeouts, and
refuses a second waiter. ``tests/web/test_websocket_*.py`` cover it through ``WebSocketResponse``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from server.exchange import Exchange
from server.protocol import HttpProtocol
from server.registry import ConnectionRegistry
from server.settings import ServerSettings
from server.websocket import WebSocketConnection, WSMsgType, accept_key, check_request
from server.websocket_channel import WebSocketChannel, peer_gone, take_over

Handler = Callable[[WebSocketChannel], Awaitable[None]]


@contextlib.asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """A server on 127.0.0.1 that upgrades every request to a websocket and hands its channel to ``handler``;
    yields the websocket URL and what the handler records (``error``, if it raised)."""
    config = ServerSettings.from_kwargs()
    registry = ConnectionRegistry(config)
    seen: dict[str, Any] = {}

    async def upgrade(exchange: Exchange) -> None:
        try:
            key = check_request(exchange.method, exchange.version, exchange.headers)
            seen["peer_gone"] = peer_gone(exchange)
            head = (
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                b"Sec-WebSocket-Accept: %s\r\n\r\n" % accept_key(key).encode()
            )
            exchange.write_head(101, head, keep_alive=False)
            channel = take_over(exchange, WebSocketConnection(), autoping=True, heartbeat=None, timeout=5.0)
            await handler(channel)
            channel.close(1000, b"")
            await channel.wait_over()
        except BaseException as exc:
            seen["error"] = exc
            raise
        finally:
            exchange.finish()

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HttpProtocol(upgrade, config, registry, loop), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", seen
    finally:
        server.close()
        await registry.shutdown(timeout=1.0)
        await server.wait_closed()


async def next_message(channel: WebSocketChannel, timeout: float | None = None) -> Any:
    msg = channel.pop()
    if msg is None:
        await channel.wait_message(timeout)
        msg = channel.pop()
    return msg


async def test_echo_and_the_close_handshake_without_web():
    async def echo(channel: WebSocketChannel) -> None:
        while (msg := await next_message(channel)) is not None and msg.type is WSMsgType.TEXT:
            channel.write(channel.conn.send_text(msg.data.upper()))
            wait = channel.drain_waiter()
            if wait is not None:
                await wait()
        assert msg is not None and msg.type is WSMsgType.CLOSE
        assert channel.finished and channel.closed

    async with serve(echo) as (url, seen), aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        for word in ("one", "two", "three"):
            await ws.send_str(word)
            assert await asyncio.wait_for(ws.receive_str(), 5) == word.upper()
        await ws.close()
        assert ws.close_code == 1000
    assert seen == {"peer_gone": False}


async def test_a_wait_that_times_out_leaves_the_connection_usable():
    async def handler(channel: WebSocketChannel) -> None:
        try:
            await channel.wait_message(0.05)
        except TimeoutError:
            channel.write(channel.conn.send_text("timed out"))
        msg = await next_message(channel)
        channel.write(channel.conn.send_text(f"got {msg.data}"))
        await next_message(channel)  # the close frame

    async with serve(handler) as (url, seen), aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert await asyncio.wait_for(ws.receive_str(), 5) == "timed out"
        await ws.send_str("late")
        assert await asyncio.wait_for(ws.receive_str(), 5) == "got late"
    assert "error" not in seen


@pytest.mark.parametrize("wait", ["wait_message", "next_message"])
async def test_a_second_waiter_is_refused(wait: str):
    async def handler(channel: WebSocketChannel) -> None:
        first = asyncio.ensure_future(getattr(channel, wait)())
        await asyncio.sleep(0)  # the first waiter is waiting
        try:
            await getattr(channel, wait)()
        except RuntimeError as exc:
            channel.write(channel.conn.send_text(str(exc)))
        # The refusal leaves the first waiter waiting: the message wakes it.
        msg = await first
        assert (channel.pop() if wait == "wait_message" else msg) is not None

    async with serve(handler) as (url, seen), aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        assert await asyncio.wait_for(ws.receive_str(), 5) == "Concurrent call to receive() is not allowed"
        await ws.send_str("wake the first")
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type is aiohttp.WSMsgType.CLOSE
    assert "error" not in seen

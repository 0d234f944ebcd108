"""``Exchange``, what ``web`` holds of a connection: the settings, the write buffer's state, and the zero-copy file
send, driven here by a bare server handler (no ``web``) against real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from server.exchange import Exchange
from server.protocol import HttpProtocol
from server.registry import ConnectionRegistry
from server.settings import ServerSettings

DATA = os.urandom(300_000)  # several times the socket buffers: os.sendfile must wait for the writer callback


@contextlib.asynccontextmanager
async def serve(handler: Callable[[Exchange], Awaitable[None]], **settings: Any) -> AsyncIterator[tuple[int, dict]]:
    """A server on 127.0.0.1 whose every request is answered by ``handler``; yields its port and what the handler
    records."""
    config = ServerSettings.from_kwargs(**settings)
    registry = ConnectionRegistry(config)
    seen: dict[str, Any] = {}

    async def recording(exchange: Exchange) -> None:
        seen["exchange"] = exchange
        try:
            await handler(exchange)
        except BaseException as exc:
            seen["error"] = exc
            raise

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HttpProtocol(recording, config, registry, loop), "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], seen
    finally:
        server.close()
        await registry.shutdown(timeout=1.0)
        await server.wait_closed()


def file_handler(path: Path, offset: int, count: int, result: dict[str, Any]) -> Callable[[Exchange], Awaitable[None]]:
    """Answers with ``count`` bytes of ``path`` from ``offset``; ``result`` gets what ``sendfile`` returned."""

    async def handler(exchange: Exchange) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % count
        exchange.write_head(200, head, keep_alive=False)
        with open(path, "rb") as fileobj:  # noqa: ASYNC230 - a small local file, opened once
            result["sent"] = await exchange.sendfile(fileobj, offset, count)
        exchange.finish()

    return handler


async def fetch(port: int, method: str = "GET") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"{method} / HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    return path


async def _sendfile_sends_the_range(data_file: Path) -> None:
    offset, count = 1000, len(DATA) - 2000
    result: dict[str, Any] = {}
    async with serve(file_handler(data_file, offset, count, result)) as (port, seen):
        data = await fetch(port)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert body == DATA[offset : offset + count]
    assert result["sent"] is True and seen["exchange"].bytes_sent == count


async def test_sendfile_sends_the_range_zero_copy_on_uvloop(data_file):
    """uvloop has no ``loop.sendfile``: the exchange sends with ``os.sendfile`` on the socket, waiting for it to
    drain between calls."""
    await _sendfile_sends_the_range(data_file)


def test_sendfile_sends_the_range_through_asyncio_loop_sendfile(data_file):
    asyncio.run(_sendfile_sends_the_range(data_file))


async def test_sendfile_for_head_sends_nothing(data_file):
    result: dict[str, Any] = {}
    async with serve(file_handler(data_file, 0, len(DATA), result)) as (port, seen):
        data = await fetch(port, "HEAD")
    assert data.endswith(b"\r\n\r\n") and data.count(b"HTTP/1.1") == 1
    assert result["sent"] is True and seen["exchange"].bytes_sent == 0


async def test_sendfile_of_a_file_shorter_than_count_resets_the_connection(data_file):
    async with serve(file_handler(data_file, len(DATA) - 10, 100, {})) as (port, seen):
        data = await fetch(port)
    assert isinstance(seen["error"], ConnectionResetError)
    assert data.partition(b"\r\n\r\n")[2] == DATA[-10:]  # what there was, then the connection dropped


async def test_write_paused_follows_the_clients_reading():
    """``write_paused`` turns True when a client that does not read fills the buffer, and ``drain`` returns once
    it reads again."""
    states: list[bool] = []
    paused = asyncio.Event()

    async def handler(exchange: Exchange) -> None:
        exchange.write_head(200, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", keep_alive=False)
        states.append(exchange.write_paused)
        for _ in range(1000):  # bounded: the kernel's buffers take a few MB at most
            if exchange.write_paused:
                break
            exchange.write(b"x" * 65536)
        states.append(exchange.write_paused)
        paused.set()
        await exchange.drain()
        states.append(exchange.write_paused)
        exchange.finish()
        exchange.close()

    async with serve(handler, write_high_water=65536, write_low_water=16384) as (port, seen):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            loop = asyncio.get_running_loop()
            await asyncio.wait_for(paused.wait(), 10)
            assert states == [False, True]
            while await loop.sock_recv(sock, 1 << 20):
                pass
        finally:
            sock.close()
    assert states == [False, True, False]
    assert seen["exchange"].settings.write_high_water == 65536  # the server's settings, as web reads them

"""At ``--worker-connections``, idle keep-alive connections make room for waiting clients (issue 15, item 2).

A worker at its limit stops accepting, and the next clients wait in the listen queue. If what it holds is idle
keep-alive connections, they would wait for ``keepalive_timeout`` (75 s): instead the longest-idle ones close, as
nginx reuses connections, and a connection with a request in progress never does.
"""

from __future__ import annotations

import asyncio
import time

from http_client import read_response


async def _answered(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    async with asyncio.timeout(5):
        return (await read_response(reader))[0]


async def test_an_eleventh_client_is_served_within_a_second_by_closing_the_longest_idle(prefork):
    master = prefork.start("-w", "1", "--worker-connections", "10", wait=1)
    idle = []
    try:
        for i in range(10):  # one after another: the first is idle the longest
            reader, writer = await asyncio.open_connection("127.0.0.1", master.port)
            assert await _answered(reader, writer, f"/echo?id={i}") == 200
            idle.append((reader, writer))
        began = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", master.port)
        try:
            assert await _answered(reader, writer, "/echo?id=11th") == 200
        finally:
            writer.close()
        waited = time.monotonic() - began
        assert waited < 1.0, waited
        async with asyncio.timeout(2):
            assert await idle[0][0].read() == b""  # the longest idle was closed (an EOF, between two requests)
        for reader, writer in idle[1:]:  # the others still serve
            assert await _answered(reader, writer, "/echo?id=again") == 200
        print(f"\nthe 11th client was answered in {waited * 1000:.0f} ms")
    finally:
        for _, writer in idle:
            writer.close()


async def test_a_connection_with_a_request_in_progress_is_never_closed_for_room(prefork):
    master = prefork.start("-w", "1", "--worker-connections", "2", wait=1)
    slow = []
    try:
        for _ in range(2):  # both slots busy
            reader, writer = await asyncio.open_connection("127.0.0.1", master.port)
            writer.write(b"GET /slow?t=1 HTTP/1.1\r\nHost: t\r\n\r\n")
            slow.append((reader, writer))
        await master.wait_slow(2)  # both in progress
        reader, writer = await asyncio.open_connection("127.0.0.1", master.port)
        try:
            began = time.monotonic()
            assert await _answered(reader, writer, "/echo?id=3rd") == 200
            assert time.monotonic() - began > 0.5  # waited for a slot; no busy connection was cut short
        finally:
            writer.close()
        for reader, _ in slow:
            async with asyncio.timeout(5):
                status, _, body = await read_response(reader)
            assert status == 200 and body.startswith(b"slow done")
    finally:
        for _, writer in slow:
            writer.close()

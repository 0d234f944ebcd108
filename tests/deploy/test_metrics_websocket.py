"""The master's metrics count an open websocket as a connection and a websocket, and its end as a 1xx request
whose session length stays out of the request-duration histogram (tests/deploy/apps/proxied.py's ``/ws``)."""

from __future__ import annotations

import asyncio

import aiohttp
from harness import Prefork


async def scrape(session: aiohttp.ClientSession, port: int) -> dict[str, float]:
    async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
        text = await response.text()
    return {k: float(v) for k, v in (line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))}


async def until(session, port: int, key: str, value: float) -> dict[str, float]:
    for _ in range(200):
        values = await scrape(session, port)
        if values.get(key) == value:
            return values
        await asyncio.sleep(0.05)
    raise AssertionError(f"{key} never reached {value}: {values.get(key)}")


async def test_an_open_websocket_is_a_gauge_and_its_end_a_1xx_request(tmp_path, unused_port):
    metrics = unused_port()
    prefork = Prefork(tmp_path, unused_port())
    try:
        prefork.start("--metrics-bind", f"127.0.0.1:{metrics}", workers=1)
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{prefork.tcp_port}/ws") as ws:
                await ws.send_str("hi")
                assert (await ws.receive()).data == "echo: hi"
                values = await until(session, metrics, "prefork_websocket_connections", 1)
                assert values["prefork_http_requests_in_flight"] == 0
                assert values["prefork_connections"] >= 1
            values = await until(session, metrics, "prefork_websocket_connections", 0)
            ended = 'prefork_http_requests_total{method="GET",status="1xx",route="/ws"}'
            values = await until(session, metrics, ended, 1)
            assert values["prefork_http_request_duration_seconds_count"] == 0
    finally:
        prefork.stop()

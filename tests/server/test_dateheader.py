"""server/dateheader.py: one source of the Date and Server lines, renewed by the registry's ticker."""

from __future__ import annotations

import asyncio

import pytest

import server.dateheader as dateheader
from server.registry import ConnectionRegistry
from server.settings import ServerSettings


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000_000.25]
    monkeypatch.setattr(dateheader.time, "time", lambda: now[0])
    return now


def test_http_date_follows_the_clock_by_the_second(clock) -> None:
    assert dateheader.http_date() == "Sun, 09 Sep 2001 01:46:40 GMT"
    generation = dateheader.generation
    clock[0] += 0.5
    assert dateheader.http_date() == "Sun, 09 Sep 2001 01:46:40 GMT" and dateheader.generation == generation
    clock[0] += 0.5
    assert dateheader.http_date() == "Sun, 09 Sep 2001 01:46:41 GMT" and dateheader.generation == generation + 1


def test_head_lines_carry_the_server_header_when_there_is_one(clock) -> None:
    dateheader.refresh()
    assert dateheader.head_lines(None) == "Date: Sun, 09 Sep 2001 01:46:40 GMT\r\n"
    assert dateheader.head_lines("") == "Date: Sun, 09 Sep 2001 01:46:40 GMT\r\n"
    assert dateheader.head_lines("x/1") == "Date: Sun, 09 Sep 2001 01:46:40 GMT\r\nServer: x/1\r\n"
    assert dateheader.head_lines("x/1") is dateheader.head_lines("x/1")


class _Protocol:
    """What the registry reads of a connection: its loop and its deadline (none here)."""

    deadline = None

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop


async def test_the_registry_ticker_renews_the_lines_without_a_reader(clock) -> None:
    registry = ConnectionRegistry(ServerSettings(keepalive_timeout=0.04, header_timeout=0.04))
    clock[0] += 10  # a clock that moved while no connection was open
    registry.add(_Protocol(asyncio.get_running_loop()))  # type: ignore[arg-type]
    assert dateheader.head_lines(None) == "Date: Sun, 09 Sep 2001 01:46:50 GMT\r\n"
    clock[0] += 1
    generation = dateheader.generation
    for _ in range(500):  # the ticker runs every 10 ms here; bounded wait for its renewal
        if dateheader.generation != generation:
            break
        await asyncio.sleep(0.01)
    assert dateheader.head_lines(None) == "Date: Sun, 09 Sep 2001 01:46:51 GMT\r\n"
    registry.connections.clear()
    if registry._ticker is not None:
        registry._ticker.cancel()

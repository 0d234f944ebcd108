"""Waiting for an event instead of sleeping a fixed time: poll a condition at a short interval, bounded in time.

A fixed sleep is either too short on a loaded machine (a flaky test) or longer than needed everywhere (a slow one);
a bounded poll returns as soon as the event has happened and fails with a message when it never does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(
    predicate: Callable[[], object], timeout: float = 10.0, *, what: str = "", interval: float = 0.01
) -> None:
    """Return once ``predicate()`` is true; raise AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        await asyncio.sleep(interval)


def wait_until(
    predicate: Callable[[], object], timeout: float = 10.0, *, what: str = "", interval: float = 0.01
) -> None:
    """:func:`until` for a thread that has no event loop (a blocking harness call)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)

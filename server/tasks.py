"""How a request's handler starts: in an ``asyncio.Task`` of its own, from its first line.

Code that runs in a handler may rely on ``asyncio.current_task()`` (``asyncio.timeout``, ``TaskGroup``,
``wait_for``, aiohttp's client), so the handler never runs outside a task, not even up to its first suspension.

Each task is scheduled (``loop.create_task``): it runs when the loop next runs its ready callbacks, after it has read
every connection that had data, as aiohttp's handlers run (from their connection's task, woken by ``data_received``,
never inside it). Python 3.12's eager start (``eager_start=True``) would run a handler inside ``data_received``, and
finish one that never waits without a loop turn; it is not used. Measured over sockets on Python 3.12.1 (``wrk
-c64``, the server's CPU time, bench/README.md's seventh round), it cost more than it saved: hello 31.6 µs per
request eager against 24.0-25.7 scheduled, with the same system calls. Eagerly, each request runs its whole path
(parse, handler, write) before the next connection is read; a loop turn runs each stage for every connection in a
row, with warmer caches.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any, Protocol

__all__ = ["TaskStarter", "start_task", "task_starter"]


class TaskStarter(Protocol):
    """``starter(coro, context=ctx)``: a task running ``coro`` in ``context`` (see :func:`task_starter`)."""

    def __call__(self, coro: Coroutine[Any, Any, None], *, context: contextvars.Context) -> asyncio.Task[None]: ...


def task_starter(loop: asyncio.AbstractEventLoop) -> TaskStarter:
    """What a connection calls once per request to start its handler's task on ``loop``: ``loop.create_task`` (C in
    uvloop), which schedules it for the loop's next turn."""
    return loop.create_task  # type: ignore[return-value]


def start_task(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], context: contextvars.Context
) -> asyncio.Task[None]:
    """Run ``coro`` in a new task on ``loop`` in ``context``, as a connection starts a handler's task."""
    return task_starter(loop)(coro, context=context)

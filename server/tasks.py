"""How a request's handler starts: in an ``asyncio.Task`` of its own, from its first line.

Code that runs in a handler may rely on ``asyncio.current_task()`` (``asyncio.timeout``, ``TaskGroup``,
``wait_for``, aiohttp's client), so the handler never runs outside a task, not even up to its first suspension.

On Python 3.12+ the task starts eagerly (``eager_start=True``), as aiohttp 3.9+ starts its request handlers: it runs
at once, inside the caller (``data_received``), until it first waits. A handler that never waits is finished when
``start_task`` returns, without a round trip through the event loop. Before 3.12 the task is scheduled as usual.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sys
from collections.abc import Coroutine
from typing import Any, Protocol

__all__ = ["EAGER", "TaskStarter", "start_task", "task_starter"]

EAGER = sys.version_info >= (3, 12)


class TaskStarter(Protocol):
    """``starter(coro, context=ctx)``: a task running ``coro`` in ``context`` (see :func:`task_starter`)."""

    def __call__(self, coro: Coroutine[Any, Any, None], *, context: contextvars.Context) -> asyncio.Task[None]: ...


if sys.version_info >= (3, 12):

    def task_starter(loop: asyncio.AbstractEventLoop) -> TaskStarter:
        """What a connection calls once per request to start its handler's task on ``loop``: eagerly, so the
        returned task may already be done. A C-level callable (``asyncio.Task`` with its arguments bound), made once
        per connection, so a request pays no Python frame to start its task."""
        return functools.partial(asyncio.Task, loop=loop, eager_start=True)

else:

    def task_starter(loop: asyncio.AbstractEventLoop) -> TaskStarter:
        """What a connection calls once per request to start its handler's task on ``loop``: ``loop.create_task``
        (C in uvloop), which schedules it for the loop's next iteration."""
        return loop.create_task  # type: ignore[return-value]


def start_task(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], context: contextvars.Context
) -> asyncio.Task[None]:
    """Run ``coro`` in a new task on ``loop`` in ``context``, as a connection starts a handler's task (eagerly on
    Python 3.12+: the returned task may already be done)."""
    return task_starter(loop)(coro, context=context)

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
import sys
from collections.abc import Coroutine
from typing import Any

__all__ = ["EAGER", "start_task"]

EAGER = sys.version_info >= (3, 12)

if sys.version_info >= (3, 12):

    def start_task(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], context: contextvars.Context
    ) -> asyncio.Task[None]:
        """Run ``coro`` in a new task in ``context``, eagerly: the returned task may already be done."""
        return asyncio.Task(coro, loop=loop, context=context, eager_start=True)

else:

    def start_task(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, None], context: contextvars.Context
    ) -> asyncio.Task[None]:
        """Run ``coro`` in a new task in ``context``; it starts on the loop's next iteration."""
        return loop.create_task(coro, context=context)

"""The task of a request: its handler, then what follows it on the connection, at the end of the task.

A connection starts one per request (``HttpProtocol._kick``, in a task of its own: server/tasks.py). It is a module
of its own, outside the compiled build (pyproject.toml's mypyc hook), because it is the one coroutine of the request
path a task's cancellation reaches: a mypyc native coroutine passes an exception thrown into it on to the coroutine
it awaits with ``throw()``'s three-argument form, which Python 3.12 deprecates (server/waits.py has the details). As
an interpreted coroutine calling the connection's compiled methods, it runs the same way in both builds.

Until 2026-12-04 this was ``HttpProtocol._answer``, and the compiled build on Python 3.12+ ran each handler's
coroutine as its task's own, settled by a done callback instead, which cost 18-23% more CPU per
request over sockets than this (bench/README.md, "Tenth round").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .parser_callbacks import _EMPTY_BODY
from .states import Phase, Upgrade

if TYPE_CHECKING:
    from .exchange import Exchange
    from .protocol import HttpProtocol

__all__ = ["NEXT", "answer"]

NEXT = object()  # HttpProtocol's verdict on a settled request: answer the next queued request
_IDLE = Phase.IDLE
_PENDING = Upgrade.PENDING


async def answer(protocol: HttpProtocol, exchange: Exchange) -> None:
    """The task of the head of the queue where tasks are scheduled: its handler, then what follows it
    (``HttpProtocol._settle``), at the end of the task. The task ends as the handler did."""
    # The slot read into a local, then called: a call of ``protocol.handler(...)`` looks the callable up as a method,
    # which Python 3.11 leaves unspecialised for a slot (about 100 instructions more).
    handler = protocol.handler
    try:
        await handler(exchange)
    except GeneratorExit:
        # The coroutine is closed unfinished: its task was collected while pending, which happens only once its
        # loop is closed or dropped with the connection (a live connection or registry holds the task). There is
        # no one to answer and no loop to answer on; settling the exchange here would run the connection's
        # cleanup inside the finalizer (on asyncio's closed loop, abort() raises from it).
        raise
    except BaseException as error:
        protocol.uncount()
        protocol._task = None
        if protocol._handler_returned(exchange, error) is NEXT and protocol.queue:
            protocol._kick()
        if not isinstance(error, Exception):
            # Cancelled, or KeyboardInterrupt and SystemExit, which the task raises into the event loop.
            raise
        return
    protocol.uncount()
    protocol._task = None
    queue = protocol.queue
    if exchange.finished and exchange.body is _EMPTY_BODY and not protocol.closed:
        # _handler_returned's common case, without its frame.
        if (
            len(queue) == 1
            and exchange._keep_alive_final
            and not protocol._field_limit
            and not protocol._stop_parsing
            and not protocol.draining
            and not protocol._pause_reasons
            and protocol._upgrade is not _PENDING
            and protocol._pending_error is None
        ):
            # And _advance's, without its frame: the answer is out, nothing waits, the connection idles.
            queue.popleft()
            protocol.phase = _IDLE
            protocol.deadline = protocol.loop.time() + protocol._keepalive_timeout
            return
        verdict = protocol._advance(exchange)
    else:
        verdict = protocol._handler_returned(exchange, None)
    if verdict is NEXT and queue:
        protocol._kick()

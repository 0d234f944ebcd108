"""Methods that are coroutine functions to asyncio and still work called without ``await``.

The aiohttp 0.14 API defines ``WebSocketResponse.send_str()``, ``ping()``, ``close()``... as plain methods (its
``close()`` is finished "by the next ``yield from ws.receive_*()`` or ``ws.wait_closed()``"), while aiohttp 3 makes
them coroutines that code awaits, hands to ``asyncio.create_task()`` or ``asyncio.gather()``, and checks with
``inspect.iscoroutinefunction()``. A method decorated with :func:`eager_coroutine` serves both: it does its work
when called, as the aiohttp 0.14 API describes, and returns an :class:`EagerCoroutine`, which asyncio accepts as a
coroutine and which, awaited, waits for what the work left pending (the write buffer to drain, the close handshake
to finish). Never awaiting it is fine: nothing is pending on it, so unlike a native coroutine it warns about
nothing.
"""

from __future__ import annotations

import collections.abc
import inspect
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

__all__ = ["COMPLETED", "EagerCoroutine", "coroutine_function", "eager_coroutine"]

_F = TypeVar("_F", bound=Callable[..., Any])


class EagerCoroutine(collections.abc.Coroutine):  # type: ignore[type-arg]
    """The coroutine an eager method returns: the method's work is done; awaiting it waits for ``wait()`` (a
    callable returning an awaitable, called on the first step so that an unawaited result creates nothing that
    could complain) and then returns ``result``. Like a native coroutine, it can be awaited (or run as a task)
    once."""

    __slots__ = ("_it", "_result", "_state", "_wait")

    def __init__(self, wait: Callable[[], Awaitable[Any]] | None = None, result: Any = None) -> None:
        self._wait = wait
        self._result = result
        self._it: Any = None
        self._state = 0  # 0: not started, 1: waiting, 2: finished

    def __await__(self) -> EagerCoroutine:
        return self

    def __iter__(self) -> EagerCoroutine:
        return self

    def __next__(self) -> Any:
        return self.send(None)

    def send(self, value: Any) -> Any:
        """Advance the wait; raises StopIteration carrying ``result`` when it is over."""
        state = self._state
        if state == 0:
            self._state = 1
            wait = self._wait
            if wait is None:
                self._state = 2
                raise StopIteration(self._result)
            self._it = wait().__await__()
        elif state == 2:
            raise RuntimeError("cannot reuse already awaited coroutine")
        try:
            return self._it.send(value)
        except StopIteration:
            self._finish()
            raise StopIteration(self._result) from None
        except BaseException:
            self._finish()
            raise

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        """Raise an exception (a task's cancellation) inside the wait."""
        it = self._it
        if self._state != 1 or it is None:
            self._state = 2
            if isinstance(typ, BaseException):
                exc = typ
            elif isinstance(val, BaseException):
                exc = val
            else:
                exc = typ() if val is None else typ(val)
            raise exc.with_traceback(tb) if tb is not None else exc
        try:
            # The one-argument form: the (type, value, traceback) signature is deprecated since Python 3.12.
            return it.throw(typ) if val is None and tb is None else it.throw(typ, val, tb)
        except StopIteration:
            self._finish()
            raise StopIteration(self._result) from None
        except BaseException:
            self._finish()
            raise

    def close(self) -> None:
        """Stop waiting (the work itself is done and stays done)."""
        it = self._it
        self._finish()
        close = getattr(it, "close", None)
        if close is not None:
            close()

    def _finish(self) -> None:
        self._state = 2
        self._it = None
        self._wait = None

    def __repr__(self) -> str:
        state = ("pending", "waiting", "finished")[self._state]
        return f"<EagerCoroutine {state}>"


class _Completed(tuple, collections.abc.Coroutine):  # type: ignore[type-arg]
    """The coroutine of work that left nothing to wait for: awaiting it gives None at once. One shared, stateless
    instance (:data:`COMPLETED`), so the common send allocates nothing; unlike an :class:`EagerCoroutine` it may be
    awaited any number of times."""

    __slots__ = ()

    # An empty tuple's iterator ends the await at once, without running a Python frame: this is the hot path of
    # ``await ws.send_str(...)``.
    __await__ = tuple.__iter__

    def send(self, value: Any) -> Any:
        """Finish at once with None."""
        raise StopIteration

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        """Raise the exception: there is nothing to throw it into."""
        if isinstance(typ, BaseException):
            raise typ
        raise typ() if val is None else val

    def close(self) -> None:
        """Nothing to stop."""

    def __repr__(self) -> str:
        return "<EagerCoroutine completed>"


#: What an eager method returns when its work left nothing pending.
COMPLETED = _Completed()


if sys.version_info >= (3, 12):

    def eager_coroutine(func: _F) -> _F:
        """Mark ``func`` (which returns an :class:`EagerCoroutine`) as a coroutine function for
        ``inspect.iscoroutinefunction()``, the way Python documents for sync functions returning awaitables."""
        return inspect.markcoroutinefunction(func)

else:  # pragma: no cover - exercised by the Python 3.11 run

    def eager_coroutine(func: _F) -> _F:
        """Mark ``func`` (which returns an :class:`EagerCoroutine`) as a coroutine function for
        ``inspect.iscoroutinefunction()``, which on Python 3.11 (no ``markcoroutinefunction``) reads only the
        ``CO_COROUTINE`` bit of ``func.__code__.co_flags``.

        The bit is set on ``func``'s own code. Since 3.11 the interpreter does not consult it to run a call: a
        coroutine object is made by the ``RETURN_GENERATOR`` instruction that the compiler puts at the start of an
        ``async def``'s bytecode, which ``func``'s bytecode does not have, so ``func`` still runs at the call and
        returns what it returns. It stays a plain function, bound and called as any method (a wrapper object
        with a Python ``__get__`` and ``__call__`` cost 2.3k instructions per ``ws.send_str()``).
        """
        code = func.__code__
        func.__code__ = code.replace(co_flags=code.co_flags | inspect.CO_COROUTINE)
        return func


#: The same mark for a plain function that returns a native coroutine made by another (``WebSocketResponse.receive``
#: hands out the channel's): to its callers a coroutine function like any ``async def``, without a coroutine of its
#: own around the one it returns.
coroutine_function = eager_coroutine

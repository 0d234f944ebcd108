"""web.eager: methods that work when called and return a coroutine asyncio accepts (create_task, gather,
wait_for), which awaited waits for what the work left pending, and which warns about nothing when ignored."""

from __future__ import annotations

import asyncio
import gc
import inspect
import types
import warnings

import pytest

from web.eager import COMPLETED, EagerCoroutine, eager_coroutine


class Sender:
    """A stand-in with the shape of WebSocketResponse's senders: the work happens at the call."""

    def __init__(self) -> None:
        self.sent: list[object] = []
        self.pending: list[asyncio.Future[None]] = []

    @eager_coroutine
    def send(self, item: object, *, wait: bool = True) -> EagerCoroutine:
        """Record ``item``; awaiting waits until ``release()``."""
        self.sent.append(item)
        if not wait:
            return EagerCoroutine(None, item)
        fut = asyncio.get_running_loop().create_future()
        self.pending.append(fut)
        return EagerCoroutine(lambda: fut, item)

    def release(self) -> None:
        for fut in self.pending:
            if not fut.done():
                fut.set_result(None)
        self.pending.clear()


def test_the_method_is_a_coroutine_function_with_its_signature_and_doc():
    assert inspect.iscoroutinefunction(Sender.send)
    assert inspect.iscoroutinefunction(Sender().send)
    assert str(inspect.signature(Sender().send)) == "(item: 'object', *, wait: 'bool' = True) -> 'EagerCoroutine'"
    assert Sender.send.__doc__.startswith("Record")
    assert Sender.send.__name__ == "send"
    # A plain function, bound and called as any method (no wrapper object on the send path).
    assert type(Sender.send) is types.FunctionType


async def test_the_work_is_done_at_the_call_and_ignoring_the_result_warns_nothing():
    sender = Sender()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sender.send("a")
        sender.send("b", wait=False)
        gc.collect()
    assert sender.sent == ["a", "b"]


async def test_await_waits_for_the_pending_part_and_returns_the_result():
    sender = Sender()
    coro = sender.send("x")
    task = asyncio.ensure_future(coro)
    await asyncio.sleep(0)
    assert not task.done()
    sender.release()
    assert await task == "x"
    assert await sender.send("y", wait=False) == "y"


async def test_asyncio_takes_it_as_a_coroutine():
    sender = Sender()
    task = asyncio.create_task(sender.send(1))
    gathered = asyncio.gather(sender.send(2), sender.send(3, wait=False))
    waited = asyncio.ensure_future(asyncio.wait_for(sender.send(4), 5))
    await asyncio.sleep(0)
    assert sender.sent == [1, 2, 3, 4]  # in call order, before any task ran
    sender.release()
    assert (await task, await gathered, await waited) == (1, [2, 3], 4)


async def test_cancelling_the_waiting_task_cancels_the_wait_only():
    sender = Sender()
    task = asyncio.create_task(sender.send("x"))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sender.sent == ["x"]
    assert sender.pending[0].cancelled()


async def test_it_can_be_awaited_once_like_a_native_coroutine():
    sender = Sender()
    coro = sender.send("x", wait=False)
    await coro
    with pytest.raises(RuntimeError, match="cannot reuse already awaited coroutine"):
        await coro


async def test_throw_and_close():
    sender = Sender()
    coro = sender.send("x")
    with pytest.raises(KeyError):
        coro.throw(KeyError("before the first step"))
    coro = sender.send("y")
    assert isinstance(coro.send(None), asyncio.Future)  # waiting on the pending future
    with pytest.raises(ValueError, match="inside"):
        coro.throw(ValueError("inside"))
    coro = sender.send("z")
    coro.send(None)
    coro.close()
    with pytest.raises(RuntimeError):
        coro.send(None)
    sender.release()


async def test_completed_is_a_shared_coroutine_that_ends_at_once():
    assert await COMPLETED is None
    assert await COMPLETED is None  # stateless: awaiting it again is fine
    assert await asyncio.gather(COMPLETED, asyncio.create_task(COMPLETED)) == [None, None]
    with pytest.raises(KeyError):
        COMPLETED.throw(KeyError("x"))
    COMPLETED.close()

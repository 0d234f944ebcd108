"""The connection's coroutines, kept out of the compiled build: a body drain, a zero-copy file send, a drain that
reports the lost connection, and an awaitable that is ready at once.

The compiled build's modules (pyproject.toml, the mypyc hook) hold no coroutine that a task's cancellation can
reach: mypyc passes an exception thrown into its native coroutine on to the awaitable it waits for with ``throw()``'s
three-argument form (mypyc/lib-rt/misc_ops.c, ``CPy_YieldFromErrorHandle``, as of mypy 2.4.1), which Python 3.12
deprecates. Each cancellation through one warned, and under ``-W error`` (this suite's setting) a handler cancelled
in ``await response.drain()`` got a DeprecationWarning in place of its ConnectionResetError. The compiled methods
return these coroutines (or a future) for their callers to await instead, and the request's own task runs
server/answer.py's coroutine, which is not compiled either.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from .decompress import DecodingStreamReader
from .errors import HttpProtocolError

if TYPE_CHECKING:
    from .exchange import Exchange
    from .protocol import HttpProtocol

__all__ = ["READY", "drain_body", "lost", "sendfile"]

# Loop types whose ``sendfile`` turned out not to be implemented (uvloop's): not asked again.
_NO_LOOP_SENDFILE: set[type] = set()


class _Ready:
    """An awaitable that is done at once, with None: what ``drain()`` returns when nothing waits to be written (one
    shared object, where a coroutine would be made per call)."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        # A generator, as a coroutine's await iterator is (callers may send() to it: web/eager.py), done at once.
        return
        yield


READY = _Ready()


async def lost() -> None:
    """What ``drain()`` returns on a closed connection: awaiting it raises, as awaiting a drain always did."""
    raise ConnectionResetError("connection lost")


async def drain_body(protocol: HttpProtocol, exchange: Exchange) -> bool:
    """Discard what the handler left of the body; False when the connection must close instead."""
    body = exchange.body
    if body.expecting_continue or body.exception() is not None or protocol._stop_parsing:
        return False
    if protocol.draining and len(protocol.queue) == 1:
        return False  # the connection closes after this answer: nothing to keep it for (a lingering close follows)
    length = exchange.headers.get("Content-Length")
    received = body.raw_bytes if isinstance(body, DecodingStreamReader) else body.total_bytes
    remaining = int(length) - received if length is not None else None
    limit = protocol.settings.max_drain
    if remaining is None or remaining > limit:
        return False
    try:
        async with asyncio.timeout(max(1.0, protocol.settings.header_timeout)):
            await body.wait_eof()
    except (TimeoutError, ConnectionResetError, HttpProtocolError):
        return False
    return True


async def sendfile(exchange: Exchange, fileobj: Any, offset: int, count: int) -> bool:
    """``Exchange.sendfile``: see there."""
    protocol = exchange._protocol
    if protocol.closed:
        raise ConnectionResetError("connection lost")
    if exchange.finished:
        raise RuntimeError("response already finished")
    if exchange.method == "HEAD":
        return True
    await protocol.drain()
    transport = exchange.transport
    sock = transport.get_extra_info("socket")
    if sock is None or transport.get_extra_info("sslcontext") is not None:
        return False
    loop = protocol.loop
    if type(loop) not in _NO_LOOP_SENDFILE:
        try:
            exchange.bytes_sent += await loop.sendfile(transport, fileobj, offset, count, fallback=False)
            return True
        except (NotImplementedError, RuntimeError):
            _NO_LOOP_SENDFILE.add(type(loop))
    if transport.get_write_buffer_size():
        return False  # os.sendfile would overtake the bytes still buffered
    await _os_sendfile(exchange, loop, sock.fileno(), fileobj.fileno(), offset, count)
    return True


async def _os_sendfile(
    exchange: Exchange, loop: asyncio.AbstractEventLoop, sock_fd: int, file_fd: int, offset: int, count: int
) -> None:
    # A duplicate descriptor: uvloop refuses add_writer on a descriptor its transport owns, and if the transport
    # closes its descriptor mid-transfer, ours still names the same socket, never a reused number.
    fd = os.dup(sock_fd)
    try:
        while count > 0:
            try:
                sent = os.sendfile(fd, file_fd, offset, count)
            except BlockingIOError:
                waiter = loop.create_future()
                loop.add_writer(fd, _wake, waiter)
                try:
                    await waiter
                finally:
                    loop.remove_writer(fd)
                continue
            except (BrokenPipeError, ConnectionError) as exc:
                raise ConnectionResetError(str(exc)) from exc
            if sent == 0:
                raise ConnectionResetError("file shrank while being sent")
            offset += sent
            count -= sent
            exchange.bytes_sent += sent
    finally:
        os.close(fd)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

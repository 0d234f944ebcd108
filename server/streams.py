"""The request body as a stream: the aiohttp 0.14 API's ``FlowControlStreamReader``.

The protocol feeds it what the parser emits; the handler reads it. Above ``high_water`` buffered bytes it asks the
connection to pause reading the socket, and below ``low_water`` to resume, so a fast client cannot grow a worker's
memory faster than the handler consumes the body. ``100 Continue`` is sent lazily, on the first read, because a
handler that answers without reading the body must not invite the client to send it (RFC 9110 §10.1.1).
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator
from typing import Protocol

from .errors import LineTooLong, PayloadTooLarge

__all__ = ["EofStream", "FlowControl", "FlowControlStreamReader"]


class EofStream(Exception):
    """Raised by ``readany``-style loops of old code at end of stream (kept for aiohttp compatibility)."""


class FlowControl(Protocol):
    """What the stream needs from its connection."""

    def pause_body(self) -> None: ...

    def resume_body(self) -> None: ...

    def send_continue(self) -> None: ...


class FlowControlStreamReader:
    """Input stream of one request body, with flow control towards the transport.

    Call contract for the connection: ``feed_data`` for every body piece, then exactly one of ``feed_eof`` or
    ``set_exception``. The reading coroutines may be called from one task at a time.
    """

    __slots__ = (
        "_buffer",
        "_eof",
        "_exception",
        "_expect_continue",
        "_flow",
        "_high",
        "_limit",
        "_loop",
        "_low",
        "_offset",
        "_paused",
        "_size",
        "_total",
        "_waiter",
    )

    def __init__(
        self,
        flow: FlowControl | None,
        loop: asyncio.AbstractEventLoop,
        *,
        limit: int = 0,
        high_water: int = 256 * 1024,
        low_water: int = 64 * 1024,
        expect_continue: bool = False,
    ) -> None:
        self._flow = flow
        self._loop = loop
        # Received pieces, unread; the first is unread from _offset on. An offset, not a slice of the rest: a read
        # of a few bytes (a line, a multipart delimiter) would otherwise copy the rest of its piece every time.
        self._buffer: collections.deque[bytes] = collections.deque()
        self._offset = 0
        self._size = 0
        self._total = 0
        self._limit = limit
        self._high = high_water
        self._low = low_water
        self._eof = False
        self._exception: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self._expect_continue = expect_continue

    def __repr__(self) -> str:
        state = "eof" if self._eof else "open"
        return f"<FlowControlStreamReader {state} buffered={self._size} total={self._total}>"

    # -- connection side -------------------------------------------------------------------------------------

    def feed_data(self, data: bytes) -> None:
        """Append a body piece; over ``limit`` (when set) the stream fails with :class:`PayloadTooLarge`."""
        if self._exception is not None or self._eof:
            return
        self._total += len(data)
        if self._limit and self._total > self._limit:
            self.set_exception(PayloadTooLarge(self._limit, self._total))
            return
        self._buffer.append(data)
        self._size += len(data)
        if self._size > self._high and not self._paused and self._flow is not None:
            self._paused = True
            self._flow.pause_body()
        if self._waiter is not None:  # (no call to make while no reader waits: the usual case)
            self._wake()

    def feed_eof(self) -> None:
        self._eof = True
        self._expect_continue = False
        if self._waiter is not None:
            self._wake()

    def set_exception(self, exc: BaseException) -> None:
        """Fail every pending and later read with ``exc``; buffered data is dropped."""
        self._exception = exc
        self._expect_continue = False
        self._buffer.clear()
        self._offset = 0
        self._size = 0
        self._unpause()
        self._wake(exc)

    def continue_sent(self) -> None:
        """The client got an interim answer to its ``Expect: 100-continue`` already: send none on read."""
        self._expect_continue = False

    @property
    def expecting_continue(self) -> bool:
        """True while the client waits for ``100 Continue`` that no read has triggered yet."""
        return self._expect_continue

    def _wake(self, exc: BaseException | None = None) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                if exc is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(exc)

    def _unpause(self) -> None:
        if self._paused:
            self._paused = False
            if self._flow is not None:
                self._flow.resume_body()

    # -- reader side -----------------------------------------------------------------------------------------

    @property
    def total_bytes(self) -> int:
        """Bytes of body received so far."""
        return self._total

    def get_read_buffer_limits(self) -> tuple[int, int]:
        """``(low_water, high_water)``: reading from the socket resumes below the first, pauses above the second
        (aiohttp 3's ``StreamReader`` method; ``read_bufsize`` sets them to its value and twice it)."""
        return self._low, self._high

    def exception(self) -> BaseException | None:
        return self._exception

    def is_eof(self) -> bool:
        """True once the whole body has arrived (it may still be buffered)."""
        return self._eof

    def at_eof(self) -> bool:
        """True when the body has arrived and every byte of it was read."""
        return self._eof and not self._buffer

    async def _wait(self) -> None:
        if self._exception is not None:
            raise self._exception
        if self._expect_continue:
            self._expect_continue = False
            if self._flow is not None:
                self._flow.send_continue()
        waiter = self._loop.create_future()
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None

    def _take(self, n: int) -> bytes:
        """Remove and return up to ``n`` (-1: all) buffered bytes."""
        buffer = self._buffer
        offset = self._offset
        if n < 0 or n >= self._size:
            if len(buffer) == 1:
                data = buffer[0][offset:] if offset else buffer[0]
            else:
                if offset:
                    buffer[0] = buffer[0][offset:]
                data = b"".join(buffer)
            buffer.clear()
            self._offset = 0
        else:
            first = buffer[0]
            end = offset + n
            if len(first) > end:
                data = first[offset:end]
                self._offset = end
            else:
                parts = [first[offset:] if offset else first]
                buffer.popleft()
                need = end - len(first)
                self._offset = 0
                while need:
                    chunk = buffer[0]
                    if len(chunk) > need:
                        parts.append(chunk[:need])
                        self._offset = need
                        break
                    parts.append(buffer.popleft())
                    need -= len(chunk)
                data = b"".join(parts)
        self._size -= len(data)
        if self._paused and self._size <= self._low:
            self._unpause()
        return data

    async def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes; with ``n == -1`` read until the end of the body."""
        if n == 0:
            return b""
        if n < 0:
            parts = []
            while True:
                while not self._buffer and not self._eof:
                    await self._wait()
                if self._exception is not None:
                    raise self._exception
                if self._buffer:
                    parts.append(self._take(-1))
                if self._eof and not self._buffer:
                    break
            return parts[0] if len(parts) == 1 else b"".join(parts)
        while not self._buffer and not self._eof:
            await self._wait()
        if self._exception is not None:
            raise self._exception
        return self._take(n) if self._buffer else b""

    def read_arrived(self) -> bytes | None:
        """What ``read()`` returns, without awaiting, when the whole body has arrived (the rest of it, often the
        one piece received); None while more is to come. Raises the stream's error as ``read()`` does."""
        if self._exception is not None:
            raise self._exception
        if not self._eof:
            return None
        buffer = self._buffer
        if len(buffer) != 1:
            return self._take(-1) if buffer else b""
        # The body in one piece, as a small one arrives: _take(-1) without its call.
        data = buffer.popleft()
        if self._offset:
            data = data[self._offset :]
            self._offset = 0
        self._size = 0
        if self._paused:
            self._unpause()
        return data

    async def readany(self) -> bytes:
        """Read whatever is buffered, waiting for at least one byte unless the body has ended."""
        while not self._buffer and not self._eof:
            await self._wait()
        if self._exception is not None:
            raise self._exception
        return self._take(-1) if self._buffer else b""

    async def readchunk(self) -> tuple[bytes, bool]:
        """Read the next received piece; returns ``(data, end_of_http_chunk)`` like aiohttp (``(b'', True)`` at
        the end). Pieces are returned as they arrived from the socket, not aligned to chunked-encoding chunks."""
        while not self._buffer and not self._eof:
            await self._wait()
        if self._exception is not None:
            raise self._exception
        if not self._buffer:
            return b"", True
        return self._take(len(self._buffer[0]) - self._offset), False

    async def readexactly(self, n: int) -> bytes:
        """Read exactly ``n`` bytes; raises :class:`asyncio.IncompleteReadError` if the body ends first. ``n`` may
        exceed ``read_high_water``: what is buffered is then taken out as it comes, so reading goes on (as aiohttp's
        readexactly reads block by block)."""
        taken: list[bytes] = []
        need = n
        while self._size < need and not self._eof:
            if self._paused and self._exception is None:
                # The buffer is full and still short of n: waiting would wait for a paused connection forever.
                block = self._take(-1)
                taken.append(block)
                need -= len(block)
                continue
            await self._wait()
        if self._exception is not None:
            raise self._exception
        if self._size < need:
            taken.append(self._take(-1) if self._buffer else b"")
            raise asyncio.IncompleteReadError(b"".join(taken), n)
        data = self._take(need)
        if taken:
            taken.append(data)
            return b"".join(taken)
        return data

    async def readline(self, *, max_line_length: int | None = None) -> bytes:
        """Read one line, up to and including ``\\n`` (or to the end of the body); see :meth:`readuntil`."""
        buffer = self._buffer
        if buffer and self._exception is None:
            # The line within the first piece (a multipart reader reads its delimiters and headers this way).
            first = buffer[0]
            offset = self._offset
            end = first.find(b"\n", offset) + 1
            if end and end - offset <= (max_line_length or self._high):
                if end == len(first):
                    buffer.popleft()
                    self._offset = 0
                else:
                    self._offset = end
                self._size -= end - offset
                if self._paused and self._size <= self._low:
                    self._unpause()
                return first[offset:end]
        return await self.readuntil(b"\n", max_size=max_line_length)

    async def readuntil(self, separator: bytes = b"\n", *, max_size: int | None = None) -> bytes:
        """Read up to and including ``separator``, or to the end of the body if it never comes. As aiohttp's, more
        than ``max_size`` bytes (default ``read_high_water``) without the separator raise :class:`LineTooLong`
        (400). A line may be longer than the buffer holds: a full buffer is taken out as it comes."""
        limit = max_size or self._high
        keep = len(separator) - 1  # the most of a separator that can end a piece searched without it
        held: list[bytes] = []  # taken out of a full buffer; no separator in them
        held_size = 0
        carry = b""  # the last ``keep`` bytes of ``held``: a separator may begin there
        scanned = 0
        while True:
            if self._exception is not None:
                raise self._exception
            buffer = self._buffer
            if buffer:
                # The first piece is searched from the offset; the next ones are joined to it one at a time, only
                # while the separator is not found: a line is short and the buffer may hold much more.
                off = self._offset
                while len(buffer) > 1 and len(buffer[0]) - off < keep:
                    buffer.appendleft(buffer.popleft()[off:] + buffer.popleft())
                    off = self._offset = 0
                data = buffer[0]
                if carry and scanned < keep:
                    idx = (carry + data[off : off + keep]).find(separator)
                    if idx >= 0:
                        held.append(self._take(idx + len(separator) - len(carry)))
                        return b"".join(held)
                idx = data.find(separator, off + max(0, scanned - keep))
                while idx < 0 and len(buffer) > 1:
                    scanned = len(data) - off
                    data = buffer.popleft()[off:] + buffer.popleft()
                    buffer.appendleft(data)
                    off = self._offset = 0
                    idx = data.find(separator, max(0, scanned - keep))
                if idx >= 0:
                    if held_size + idx - off + len(separator) > limit:
                        # As aiohttp's readuntil: a line found whole is held to the limit too.
                        raise LineTooLong((b"".join(held) + data[off:])[:100] + b"...", limit)
                    line = self._take(idx - off + len(separator))
                    if held:
                        held.append(line)
                        return b"".join(held)
                    return line
                scanned = len(data) - off
                if held_size + scanned > limit:
                    raise LineTooLong((b"".join(held) + data[off:])[:100] + b"...", limit)
                if self._paused:
                    # The buffer is full: waiting would wait for a paused connection forever.
                    block = self._take(-1)
                    held.append(block)
                    held_size += len(block)
                    if keep:
                        carry = (carry + block)[-keep:]
                    scanned = 0
                    continue
            if self._eof:
                rest = self._take(-1) if self._buffer else b""
                if held:
                    held.append(rest)
                    return b"".join(held)
                return rest
            await self._wait()

    def find_buffered(self, sub: bytes, within: int) -> int:
        """Where ``sub`` starts in the next ``within`` unread bytes, found only if it lies in the first piece
        received; -1 otherwise. Reads and waits for nothing: a multipart reader looks for a delimiter this way,
        then reads up to it."""
        if not self._buffer:
            return -1
        offset = self._offset
        idx = self._buffer[0].find(sub, offset, offset + within)
        return idx - offset if idx >= 0 else -1

    def unread_data(self, data: bytes | memoryview) -> None:
        """Put ``data``, just read, back at the head of the buffer, as aiohttp's ``StreamReader.unread_data``: the
        multipart reader reads past a delimiter and gives it back. ``total_bytes`` is unchanged."""
        if not data:
            return
        self._size += len(data)
        offset = self._offset
        if offset:
            first = self._buffer[0]
            if offset >= len(data) and first.startswith(data, offset - len(data)):
                self._offset = offset - len(data)  # the bytes are still there, before the offset
                return
            kept = len(data) - offset
            if kept > 0 and memoryview(data)[kept:] == memoryview(first)[:offset]:
                data = data[:kept]  # the rest of them are the first piece's, before the offset
            else:
                self._buffer[0] = first[offset:]
            self._offset = 0
        self._buffer.appendleft(bytes(data))

    def read_nowait(self, n: int = -1) -> bytes:
        """Return buffered bytes without waiting (b'' if none)."""
        if self._exception is not None:
            raise self._exception
        return self._take(n) if self._buffer else b""

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Yield the body in pieces of at most ``n`` bytes."""
        while True:
            data = await self.read(n)
            if not data:
                return
            yield data

    async def iter_any(self) -> AsyncIterator[bytes]:
        """Yield the body as it arrives."""
        while True:
            data = await self.readany()
            if not data:
                return
            yield data

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.iter_any()

    def discard(self) -> int:
        """Drop what is buffered (used when the server drains an unread body); returns the byte count."""
        size = self._size
        self._buffer.clear()
        self._offset = 0
        self._size = 0
        if self._paused:
            self._unpause()
        return size

    async def wait_eof(self) -> None:
        """Wait until the whole body has arrived, discarding it."""
        while not self._eof:
            if self._exception is not None:
                raise self._exception
            self.discard()
            await self._wait()
        self.discard()

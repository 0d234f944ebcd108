"""What ``await response.prepare(request)`` returns: the response's body stream, aiohttp 3's payload writer.

aiohttp code that adapts another protocol (an ASGI or WSGI bridge) keeps that object and writes the body through
it, ``await writer.write(chunk)`` then ``await writer.write_eof(last)``, rather than through the response. Here
each call is the response's own (``write``, ``write_eof``), so framing, compression and flow control stay the
response's business.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from multidict import CIMultiDict

    from .streamresponse import StreamResponse

__all__ = ["AbstractStreamWriter", "PayloadWriter"]


class AbstractStreamWriter(ABC):
    """aiohttp 3's body stream writer ABC (``aiohttp.abc.AbstractStreamWriter``): what ``prepare()`` returns and
    what a test may give ``make_mocked_request(writer=...)``. Code written for aiohttp imports it to annotate or
    subclass; our own (``web.payloadwriter.PayloadWriter``) is registered as one."""

    buffer_size: int = 0
    output_size: int = 0
    length: int | None = 0
    on_body_write: Callable[[int, int], None] | None = None

    @property
    def transport(self) -> asyncio.WriteTransport | None:
        """The transport this writer writes to, if any."""
        return None

    @abstractmethod
    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Write ``chunk`` into the stream."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last chunk."""

    @abstractmethod
    async def drain(self) -> None:
        """Flush the write buffer."""

    @abstractmethod
    def enable_compression(self, encoding: str = "deflate", strategy: int | None = None) -> None:
        """Compress the body from now on."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Frame the body in chunks."""

    @abstractmethod
    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Write the status line and the headers."""

    def send_headers(self) -> None:
        """Send headers buffered by ``write_headers``, if any; nothing by default."""
        return None


class PayloadWriter:
    """The body stream of one prepared response (aiohttp 3's ``AbstractStreamWriter`` as ``prepare`` returns it).

    ``output_size``: the body bytes written through it so far, which code may reset as aiohttp's counter.
    """

    __slots__ = ("_response", "output_size")

    def __init__(self, response: StreamResponse) -> None:
        self._response = response
        self.output_size = 0

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send ``data`` as a part of the body and wait for the write buffer to drain (``response.write``)."""
        await self._response.write(data)
        self.output_size += len(data)

    async def write_eof(self, data: bytes = b"") -> None:
        """Send ``data``, if any, and finish the response (``response.write_eof``)."""
        await self._response.write_eof(data)
        self.output_size += len(data)

    async def drain(self) -> None:
        """Wait until the connection's write buffer is below its low-water mark."""
        await self._response._drain()


# Registered, not derived: the ABC's abstract head and framing methods are the response's business here.
AbstractStreamWriter.register(PayloadWriter)

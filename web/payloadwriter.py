"""What ``await response.prepare(request)`` returns: the response's body stream, aiohttp 3's payload writer.

aiohttp code that adapts another protocol (an ASGI or WSGI bridge) keeps that object and writes the body through
it, ``await writer.write(chunk)`` then ``await writer.write_eof(last)``, rather than through the response. Here
each call is the response's own (``write``, ``write_eof``), so framing, compression and flow control stay the
response's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .streamresponse import StreamResponse

__all__ = ["PayloadWriter"]


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

"""Response bodies that are not bytes (aiohttp 3): a file object, a ``StringIO``, an async iterator of bytes, or
one of aiohttp's payload objects.

``Response(body=source)`` calls :func:`prepare_source` for the headers the source implies (Content-Type,
Content-Length when its size is known, Content-Disposition for a named file), and :func:`send_source` writes it
when the response is finished: a file is read in a thread, 64 KiB at a time, so the loop never blocks on a disk,
and closed once sent.
"""

from __future__ import annotations

import asyncio
import io
import mimetypes
import os
from collections.abc import AsyncIterable
from typing import Any

__all__ = ["is_source", "prepare_source", "send_source"]

_CHUNK = 64 * 1024


def is_source(body: Any) -> bool:
    """True for a body :func:`send_source` can stream."""
    return isinstance(body, (io.IOBase, AsyncIterable)) or (
        callable(getattr(body, "write", None)) and hasattr(body, "size") and hasattr(body, "headers")
    )


def prepare_source(body: Any, headers: Any) -> Any:
    """Set the headers ``body`` implies (unless set already); returns what :func:`send_source` sends: the source
    itself, or bytes for a text stream (read whole, encoded as UTF-8)."""
    if isinstance(body, io.TextIOBase):
        data = body.read().encode("utf-8")
        headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        headers["Content-Length"] = str(len(data))
        return data
    if isinstance(body, io.IOBase):
        name = getattr(body, "name", None)
        if isinstance(name, (str, bytes, os.PathLike)) and not isinstance(name, int):
            filename = os.path.basename(os.fsdecode(name))
            headers.setdefault("Content-Type", mimetypes.guess_type(filename)[0] or "application/octet-stream")
            headers.setdefault("Content-Disposition", f'attachment; filename="{_quoted(filename)}"')
        else:
            headers.setdefault("Content-Type", "application/octet-stream")
        size = _remaining(body)
        if size is not None and "Content-Length" not in headers:
            headers["Content-Length"] = str(size)
        return body
    if isinstance(body, AsyncIterable):
        headers.setdefault("Content-Type", "application/octet-stream")
        return body
    # An aiohttp payload: its own headers (Content-Type, Content-Disposition) and size.
    for name, value in body.headers.items():
        headers.setdefault(name, value)
    if body.size is not None and "Content-Length" not in headers:
        headers["Content-Length"] = str(body.size)
    return body


async def send_source(response: Any, source: Any) -> None:
    """Write ``source`` as the body of the started ``response`` (through ``response.write``)."""
    if isinstance(source, bytes):
        await response.write(source)
    elif isinstance(source, io.IOBase):
        loop = asyncio.get_running_loop()
        try:
            while True:
                chunk = await loop.run_in_executor(None, source.read, _CHUNK)
                if not chunk:
                    break
                await response.write(chunk)
        finally:
            source.close()  # as aiohttp's file payloads do: the response owns the file once given it
    elif isinstance(source, AsyncIterable):
        async for chunk in source:
            await response.write(chunk)
    else:
        await source.write(_Writer(response))


class _Writer:
    """The writer an aiohttp payload writes itself to."""

    def __init__(self, response: Any) -> None:
        self._response = response

    async def write(self, data: bytes) -> None:
        await self._response.write(data)

    async def drain(self) -> None:
        await self._response._drain()


def _remaining(body: io.IOBase) -> int | None:
    try:
        if isinstance(body, io.BytesIO):
            return len(body.getbuffer()) - body.tell()
        return os.fstat(body.fileno()).st_size - body.tell()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _quoted(filename: str) -> str:
    return filename.replace("\\", "\\\\").replace('"', '\\"')

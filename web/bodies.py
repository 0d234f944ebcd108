"""Response bodies that are not bytes (aiohttp 3): a file object, a ``StringIO``, an async iterator of bytes, a
part of a multipart request (``await request.multipart()``), or one of aiohttp's payload objects.

An aiohttp payload is anything with ``write(writer)``, ``size`` and ``headers``; when aiohttp is loaded, what its
payload registry converts (an ``@aiohttp.streamer`` function, called or not) is accepted too, by asking that
registry: ``web`` never imports aiohttp, it only reads the registry of an aiohttp the application already imported.

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
import sys
import urllib.parse
from collections.abc import AsyncIterable
from typing import Any

from .multipart import BodyPartReader

__all__ = ["body_view", "is_source", "prepare_source", "send_source"]

_CHUNK = 64 * 1024


def is_source(body: Any) -> bool:
    """True for a body :func:`send_source` can stream."""
    return (
        isinstance(body, (io.IOBase, AsyncIterable, BodyPartReader))
        or _is_payload(body)
        or _aiohttp_payload(body) is not None
    )


def _is_payload(body: Any) -> bool:
    return callable(getattr(body, "write", None)) and hasattr(body, "size") and hasattr(body, "headers")


def _aiohttp_payload(body: Any) -> Any:
    """The payload aiohttp's registry makes of ``body`` (None when aiohttp is not loaded or knows no such body)."""
    payload_module = sys.modules.get("aiohttp.payload")
    if payload_module is None:
        return None
    # aiohttp 3 raises its own aiohttp.payload.LookupError (an Exception, not the builtin) for an unknown body.
    unknown = (LookupError, getattr(payload_module, "LookupError", LookupError))
    try:
        payload = payload_module.PAYLOAD_REGISTRY.get(body)
    except unknown:
        return None
    return payload if _is_payload(payload) else None


def body_view(body: Any, source: Any) -> Any:
    """What ``Response.body`` answers for a streamed ``body``: as in aiohttp 3, whose ``body`` is the payload its
    registry made of the object given (a ``BytesIOPayload`` whose ``_value`` is the file), the payload an aiohttp the
    application loaded makes of it, which a middleware may read the answer's content through before it is sent;
    else (no aiohttp, a payload already, a kind aiohttp does not know) ``body`` itself. ``source`` is what
    :func:`prepare_source` returned for it. The answer is still sent
    from ``body`` by :func:`send_source`; a text stream, read whole when given, is not made a payload (aiohttp's
    ``StringIOPayload`` would read it again)."""
    if _is_payload(body) or isinstance(body, io.TextIOBase):
        return body
    if _is_payload(source):
        return source  # the payload aiohttp's registry made of it already (an ``@aiohttp.streamer`` function)
    payload = _aiohttp_payload(body)
    return body if payload is None else payload


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
    if isinstance(body, BodyPartReader):  # before AsyncIterable: iterating a part reads it whole, as aiohttp's
        # As aiohttp's BodyPartReaderPayload: the part's name and filename, its data decoded; the length is
        # unknown until the part is read (the response is chunked).
        headers.setdefault("Content-Type", "application/octet-stream")
        params = [(key, value) for key, value in (("name", body.name), ("filename", body.filename)) if value]
        if params:
            headers.setdefault("Content-Disposition", "; ".join(["attachment", *map(_disposition_param, params)]))
        return body
    if isinstance(body, AsyncIterable):
        headers.setdefault("Content-Type", "application/octet-stream")
        return body
    if not _is_payload(body):
        body = _aiohttp_payload(body)
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
    elif isinstance(source, BodyPartReader):  # before AsyncIterable (see prepare_source)
        # Each piece goes once the next one, or the part's end, has come: as aiohttp's part reader looks ahead for
        # the boundary, the head (sent with the first piece) of a part that fits in one piece follows the part's
        # end. aiohttp's client closes its request body once the answer's head is in, so an answer begun while the
        # client still sent the part would wait for the rest of it forever.
        held = None
        async for chunk in source.iter_decoded():
            if held is not None:
                await response.write(held)
            held = chunk
        if held is not None:
            await response.write(held)
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


def _disposition_param(param: tuple[str, str]) -> str:
    # As aiohttp's content_disposition_header: a filename percent-encoded inside quotes; another value as a
    # quoted-string (RFC 9110 §5.6.4) when it is printable ASCII, else in RFC 8187's extended notation.
    key, value = param
    if key == "filename":
        return f'{key}="{urllib.parse.quote(value, safe="")}"'
    if value.isascii() and value.isprintable():
        return f'{key}="{_quoted(value)}"'
    return f"{key}*=utf-8''{urllib.parse.quote(value, safe='')}"

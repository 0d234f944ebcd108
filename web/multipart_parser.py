"""Streaming ``multipart/form-data`` for ``await request.post()`` (RFC 7578 over RFC 2046 §5.1): a sans-IO parser
and the async form reader over it.

Two layers, as everywhere in prefork:

* :class:`MultipartParser` is fed bytes and returns events (:class:`PartStart`, :class:`PartData`,
  :class:`PartEnd`, :class:`Done`). It has no event loop and no stream; tests drive it with byte strings. The
  byte-level state machine is python-multipart's (>= 0.0.32: older releases have denial-of-service advisories,
  CVE-2024-24762 and CVE-2024-53981 among them): it measured faster than our own hand-written candidate on large
  files and as strict on malformed input (``python bench/multipart.py parsers``), and we do not hand-write what
  a well-kept library does better. This module adds what python-multipart leaves to its caller: boundary
  validation, a check that the body really ended with the closing delimiter, and part header decoding.
* :class:`FormReader` / :class:`FormPart` read a request body's parts through it, for ``post()``: parts one by
  one, data as it arrives, nothing buffered beyond one read. ``await request.multipart()`` gives aiohttp's
  public reader API (``web.multipart``) instead, which reads any stream with aiohttp's StreamReader interface.

Errors (the sans-IO layer raises these; the async layer re-raises them as the HTTP error named in brackets, with
the original as ``__cause__``, so a handler that does not catch them answers the right status)::

    MultipartError                    root, ValueError
    ├── MalformedMultipart            [HTTPBadRequest 400] no/invalid boundary, bad part headers,
    │                                 body ended before the closing delimiter
    └── MultipartLimitExceeded        [HTTPRequestEntityTooLarge 413] a configured size or count limit
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import AsyncIterator
from typing import Protocol

from multidict import CIMultiDict, CIMultiDictProxy
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser as _PMParser
from python_multipart.multipart import MultipartState

from server.errors import PayloadTooLarge

from .content_disposition import content_disposition_filename, parse_content_disposition
from .helpers import parse_content_type

__all__ = [
    "Done",
    "FormPart",
    "FormReader",
    "MalformedMultipart",
    "MultipartError",
    "MultipartLimitExceeded",
    "MultipartParser",
    "PartData",
    "PartEnd",
    "PartStart",
    "parse_boundary",
]

# python-multipart logs every parse error at WARNING with client-chosen bytes in the message; the error itself
# reaches the caller as an exception, so the log line is noise an attacker can use to flood the worker's log.
logging.getLogger("python_multipart.multipart").setLevel(logging.ERROR)

#: Bytes read from the body per step: bounds the memory one ``feed`` can produce events for.
READ_SIZE = 256 * 1024
#: Per-part header limits (python-multipart's defaults are 8 headers of 4224 bytes; browsers send two).
MAX_PART_HEADERS = 16
MAX_PART_HEADER_SIZE = 8190


class MultipartError(ValueError):
    """Root of the errors a multipart body can cause; ``status`` is the HTTP answer."""

    status = 400


class MalformedMultipart(MultipartError):
    """The body is not valid multipart: bad boundary, bad part headers, or missing closing delimiter."""

    status = 400


class MultipartLimitExceeded(MultipartError):
    """A configured limit (parts, field size, file size) was exceeded."""

    status = 413

    def http_text(self) -> str:
        """The text of the 413 answered for it."""
        return f"413: Request Entity Too Large ({self})"


# -- header values -------------------------------------------------------------------------------------------

# RFC 2046 §5.1.1 lets a sender build a boundary of 1-70 "bchars", not ending in a space. A receiver matches the
# delimiter byte for byte, so any visible ASCII character works as well, carried by a quoted parameter
# (``boundary="a;b"``); aiohttp checks only the length, python-multipart nothing. What stays refused is what
# cannot be matched reliably: empty, over 70 characters, a trailing space (RFC 2046 §5.1.1 lets transports strip
# it), control characters and non-ASCII.
_BOUNDARY_RE = re.compile(r"[ -~]{0,69}[!-~]")


def parse_boundary(content_type: str) -> bytes:
    """Return the boundary of a ``multipart/*`` Content-Type, or raise :class:`MalformedMultipart`."""
    main, params = parse_content_type(content_type)
    if not main.startswith("multipart/"):
        raise MalformedMultipart(f"Content-Type is {main!r}, not multipart/*")
    boundary = params.get("boundary")
    if boundary is None:
        raise MalformedMultipart("multipart Content-Type without a boundary parameter")
    if not _BOUNDARY_RE.fullmatch(boundary):
        raise MalformedMultipart(f"invalid multipart boundary {boundary!r} (RFC 2046 §5.1.1)")
    return boundary.encode("ascii")


def _decode_header_value(raw: bytes) -> str:
    # Browsers put file names in Content-Disposition as raw UTF-8 (WHATWG HTML "multipart/form-data encoding
    # algorithm"); anything that is not UTF-8 is kept byte for byte as latin-1, the HTTP header default.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


# -- sans-IO parser ------------------------------------------------------------------------------------------


class PartStart:
    """A part's header block ended; its data follows."""

    __slots__ = ("headers",)

    def __init__(self, headers: CIMultiDict[str]) -> None:
        self.headers = headers

    def __repr__(self) -> str:
        return f"PartStart({list(self.headers.items())!r})"


class PartData:
    """A piece of the current part's body (pieces may be of any size, including split anywhere)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"PartData({self.data!r})"


class PartEnd:
    """The current part ended (a delimiter was seen)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PartEnd()"


class Done:
    """The closing delimiter was seen; whatever follows is the epilogue and is ignored (RFC 2046 §5.1.1)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Done()"


Event = PartStart | PartData | PartEnd | Done
_PART_END = PartEnd()
_DONE = Done()


class MultipartParser:
    """Incremental multipart parser: bytes in, events out.

    Call contract: ``feed(data)`` for every piece of the body, in order, each returning the events it
    completed; then ``feed_eof()`` once, which raises :class:`MalformedMultipart` unless the closing delimiter
    was seen. Any :class:`MultipartError` leaves the parser unusable. Part data is never buffered beyond the
    piece being fed, except a possible partial delimiter at its end (at most ``len(boundary) + 4`` bytes).
    """

    __slots__ = ("_done", "_events", "_field", "_headers", "_parser", "_value")

    def __init__(
        self,
        boundary: bytes,
        *,
        max_headers: int = MAX_PART_HEADERS,
        max_header_size: int = MAX_PART_HEADER_SIZE,
    ) -> None:
        if not _BOUNDARY_RE.fullmatch(boundary.decode("latin-1")):
            raise MalformedMultipart(f"invalid multipart boundary {boundary!r} (RFC 2046 §5.1.1)")
        self._events: list[Event] = []
        self._headers: list[tuple[bytes, bytes]] = []
        self._field = bytearray()
        self._value = bytearray()
        self._done = False
        self._parser = _PMParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
            max_header_count=max_headers,
            max_header_size=max_header_size,
        )

    def feed(self, data: bytes) -> list[Event]:
        """Parse the next piece of the body and return the events it completed."""
        if data:
            try:
                self._parser.write(data)
            except MultipartParseError as exc:
                raise MalformedMultipart(f"malformed multipart body: {exc}") from exc
        events = self._events
        self._events = []
        return events

    def feed_eof(self) -> None:
        """The body ended; raise :class:`MalformedMultipart` if it ended before the closing delimiter."""
        if not self._done or self._parser.state != MultipartState.END:
            raise MalformedMultipart("multipart body ended before its closing delimiter")

    @property
    def done(self) -> bool:
        """True once the closing delimiter was parsed."""
        return self._done

    # python-multipart callbacks: each records into the pending event list.

    def _on_part_begin(self) -> None:
        self._headers = []

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((bytes(self._field), bytes(self._value)))
        self._field.clear()
        self._value.clear()

    def _on_headers_finished(self) -> None:
        headers: CIMultiDict[str] = CIMultiDict()
        for name, value in self._headers:
            # Field names were checked to be tokens by python-multipart; values get RFC 9110 §5.5 trimming.
            headers.add(name.decode("latin-1"), _decode_header_value(value.strip(b" \t")))
        self._events.append(PartStart(headers))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self._events.append(PartData(data[start:end]))

    def _on_part_end(self) -> None:
        self._events.append(_PART_END)

    def _on_end(self) -> None:
        self._done = True
        self._events.append(_DONE)


# -- async reader --------------------------------------------------------------------------------------------


class BodyStream(Protocol):
    """What the reader needs from a request body (``FlowControlStreamReader`` and aiohttp's StreamReader)."""

    async def read(self, n: int = -1) -> bytes: ...


def _http_error(exc: Exception) -> Exception:
    """Map a body error to the HTTP exception a handler that does not catch it must answer with."""
    # Imported here, not at the top: web.exceptions builds on web.response, which is not needed (nor always
    # importable in a sans-IO test) to parse bytes.
    from .exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

    if isinstance(exc, PayloadTooLarge):
        response = HTTPRequestEntityTooLarge(max_size=exc.limit, actual_size=exc.actual)
        # The rest of an oversized body is not worth reading to keep the connection: close it instead.
        response.force_close()
        return response
    if isinstance(exc, MultipartLimitExceeded):
        return HTTPRequestEntityTooLarge(text=exc.http_text())
    return HTTPBadRequest(text=f"400: Bad Request ({exc})")


class FormReader:
    """Reads a ``multipart/form-data`` request body part by part, for ``await request.post()``.

    ``async for part in reader`` yields :class:`FormPart` objects; moving to the next part skips whatever was left
    unread of the previous one. Part data is never accumulated: each step pulls at most ``READ_SIZE`` bytes from
    the body and hands them out as they come. ``await request.multipart()`` gives aiohttp's reader API instead
    (``web.multipart``); this one is the parse ``post()`` needs, through python-multipart's state machine.

    A malformed body raises ``web.HTTPBadRequest`` (the parser's :class:`MultipartError` is the ``__cause__``); a
    body over a server-wide cap, when the operator sets one, ``web.HTTPRequestEntityTooLarge`` (the server's
    ``PayloadTooLarge`` is the ``__cause__``).
    """

    __slots__ = ("_at_eof", "_content", "_current", "_events", "_parser", "_read_size")

    def __init__(
        self,
        headers: CIMultiDictProxy[str] | CIMultiDict[str] | dict[str, str],
        content: BodyStream,
        *,
        read_size: int = READ_SIZE,
        max_headers: int = MAX_PART_HEADERS,
        max_header_size: int = MAX_PART_HEADER_SIZE,
    ) -> None:
        self._content = content
        self._read_size = read_size
        self._events: deque[Event] = deque()
        self._current: FormPart | None = None
        self._at_eof = False
        try:
            boundary = parse_boundary(headers.get("Content-Type", ""))
            self._parser = MultipartParser(boundary, max_headers=max_headers, max_header_size=max_header_size)
        except MultipartError as exc:
            raise _http_error(exc) from exc

    def __aiter__(self) -> AsyncIterator[FormPart]:
        return self

    async def __anext__(self) -> FormPart:
        if self._current is not None:
            await self._current.release()
            self._current = None
        while True:
            event = await self._next_event()
            if isinstance(event, PartStart):
                self._current = FormPart(self, event.headers)
                return self._current
            if isinstance(event, Done):
                raise StopAsyncIteration
            # PartData/PartEnd here belong to a part already released: skip.

    async def _next_event(self) -> Event:
        events = self._events
        while not events:
            if self._at_eof:
                return _DONE
            try:
                data = await self._content.read(self._read_size)
                if data:
                    events.extend(self._parser.feed(data))
                else:
                    self._parser.feed_eof()
            except Exception as exc:
                if isinstance(exc, (MultipartError, PayloadTooLarge)):
                    raise _http_error(exc) from exc
                raise
        event = events.popleft()
        if event is _DONE:
            self._at_eof = True
        return event

    def _push_back(self, event: Event) -> None:
        self._events.appendleft(event)


class FormPart:
    """One part of a form body: ``name``, ``filename`` (as ``web.multipart.BodyPartReader`` reads them),
    ``headers``, and its data decoded piece by piece (:meth:`iter_decoded`)."""

    __slots__ = ("_at_eof", "_params", "_reader", "headers")

    def __init__(self, reader: FormReader, headers: CIMultiDict[str]) -> None:
        self._reader = reader
        self.headers = CIMultiDictProxy(headers)
        self._at_eof = False
        self._params: dict[str, str] | None = None

    def _disposition(self, name: str) -> str | None:
        if self._params is None:
            self._params = parse_content_disposition(self.headers.get("Content-Disposition"))[1]
        return content_disposition_filename(self._params, name)

    @property
    def name(self) -> str | None:
        """The ``name`` parameter of Content-Disposition: the form field name."""
        return self._disposition("name")

    @property
    def filename(self) -> str | None:
        """The ``filename`` parameter of Content-Disposition (``filename*`` preferred), or ``None``."""
        return self._disposition("filename")

    def get_charset(self, default: str) -> str:
        """The charset parameter of the part's Content-Type, else ``default``."""
        return parse_content_type(self.headers.get("Content-Type"))[1].get("charset") or default

    async def _read_piece(self) -> bytes:
        """The next piece of the part's data as sent; ``b""`` at its end."""
        if self._at_eof:
            return b""
        event = await self._reader._next_event()
        if isinstance(event, PartData):
            return event.data
        if isinstance(event, Done):  # defensive: python-multipart ends every part before the end
            self._reader._push_back(event)
        self._at_eof = True
        return b""

    async def iter_decoded(self) -> AsyncIterator[bytes]:
        """The rest of the part's data with its Content-Transfer-Encoding undone (RFC 7578 §4.7; Content-Encoding
        is not for form data, §4.8), in pieces as they arrive."""
        from .part_decoding import PartDecoder

        try:
            decoder = PartDecoder(self.headers, form_data=True)
            if decoder.identity:
                while chunk := await self._read_piece():
                    yield chunk
                return
            while chunk := await self._read_piece():
                for piece in decoder.feed(chunk):
                    yield piece
            for piece in decoder.flush():
                yield piece
        except MultipartError as exc:
            raise _http_error(exc) from exc

    async def release(self) -> None:
        """Skip the rest of the part's data."""
        while await self._read_piece():
            pass

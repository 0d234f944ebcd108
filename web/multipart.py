"""Streaming ``multipart/form-data`` (RFC 7578 over RFC 2046 §5.1): a sans-IO parser and the async part reader.

Two layers, as everywhere in prefork:

* :class:`MultipartParser` is fed bytes and returns events (:class:`PartStart`, :class:`PartData`,
  :class:`PartEnd`, :class:`Done`). It has no event loop and no stream; tests drive it with byte strings. The
  byte-level state machine is python-multipart's (>= 0.0.32: older releases have denial-of-service advisories,
  CVE-2024-24762 and CVE-2024-53981 among them): it measured faster than our own hand-written candidate on large
  files and as strict on malformed input (``python bench/multipart.py parsers``), and we do not hand-write what
  a well-kept library does better. This module adds what python-multipart leaves to its caller: boundary
  validation, a check that the body really ended with the closing delimiter, and part header decoding. Header
  values with parameters are parsed by :func:`web.helpers.parse_options_header`, the one parser ``web`` has.
* :class:`MultipartReader` / :class:`BodyPartReader` are aiohttp's async API over a request body stream
  (``await request.multipart()``): parts one by one, data as it arrives, nothing buffered beyond one read.

Errors (the sans-IO layer raises these; the async layer re-raises them as the HTTP error named in brackets, with
the original as ``__cause__``, so a handler that does not catch them answers the right status)::

    MultipartError                    root, ValueError
    ├── MalformedMultipart            [HTTPBadRequest 400, a ValueError too, as aiohttp's reader raises]
    │                                 no/invalid boundary, bad part headers, body ended before the closing delimiter
    └── MultipartLimitExceeded        [HTTPRequestEntityTooLarge 413] a configured size or count limit
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Protocol

from multidict import CIMultiDict, CIMultiDictProxy
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser as _PMParser
from python_multipart.multipart import MultipartState

from server.errors import PayloadTooLarge

from .helpers import parse_content_type, parse_options_header

if TYPE_CHECKING:
    from .part_decoding import PartDecoder

__all__ = [
    "BodyPartReader",
    "Done",
    "MalformedMultipart",
    "MultipartError",
    "MultipartLimitExceeded",
    "MultipartParser",
    "MultipartReader",
    "PartData",
    "PartEnd",
    "PartStart",
    "parse_boundary",
    "parse_options_header",
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
    from .exceptions import HTTPRequestEntityTooLarge, _MalformedMultipartBody

    if isinstance(exc, PayloadTooLarge):
        response = HTTPRequestEntityTooLarge(max_size=exc.limit, actual_size=exc.actual)
        # The rest of an oversized body is not worth reading to keep the connection: close it instead.
        response.force_close()
        return response
    if isinstance(exc, MultipartLimitExceeded):
        return HTTPRequestEntityTooLarge(text=exc.http_text())
    return _MalformedMultipartBody(text=f"400: Bad Request ({exc})")


def _part_too_large(limit: int, size: int) -> Exception:
    # aiohttp's BodyPartReader.read raises its max_size_error_cls, HTTPRequestEntityTooLarge(client_max_size).
    from .request import _too_large

    return _too_large(limit, size)


class MultipartReader:
    """Reads a ``multipart/*`` body part by part, like aiohttp's ``await request.multipart()``.

    ``async for part in reader`` yields :class:`BodyPartReader` objects; moving to the next part skips whatever
    the handler left unread of the previous one. Part data is never accumulated: each read pulls at most
    ``READ_SIZE`` bytes from the body and hands them out as they come.

    A malformed body raises ``web.HTTPBadRequest`` (the parser's :class:`MultipartError` is the ``__cause__``). As in
    aiohttp, ``client_max_size`` does not bound the parts read piece by piece (``read_chunk()``, ``readline()``, a
    part given as a response body): only what :meth:`BodyPartReader.read` collects (and ``text()``, ``json()``,
    ``form()``). A body over a server-wide cap, when the operator sets one, raises ``web.HTTPRequestEntityTooLarge``
    (the server's ``PayloadTooLarge`` is the ``__cause__``).
    """

    __slots__ = (
        "_at_eof",
        "_client_max_size",
        "_content",
        "_current",
        "_events",
        "_form_data",
        "_parser",
        "_read_size",
        "headers",
    )

    def __init__(
        self,
        headers: CIMultiDictProxy[str] | CIMultiDict[str] | dict[str, str],
        content: BodyStream,
        *,
        read_size: int = READ_SIZE,
        max_headers: int = MAX_PART_HEADERS,
        max_header_size: int = MAX_PART_HEADER_SIZE,
        client_max_size: int | None = None,
    ) -> None:
        self.headers = headers
        self._content = content
        self._read_size = read_size
        self._client_max_size = client_max_size
        self._events: deque[Event] = deque()
        self._current: BodyPartReader | None = None
        self._at_eof = False
        content_type = headers.get("Content-Type", "")
        self._form_data = parse_content_type(content_type)[0] == "multipart/form-data"
        try:
            boundary = parse_boundary(content_type)
            self._parser = MultipartParser(boundary, max_headers=max_headers, max_header_size=max_header_size)
        except MultipartError as exc:
            raise _http_error(exc) from exc

    @classmethod
    def from_request(cls, request: Any, **kwargs: Any) -> MultipartReader:
        """The reader for a ``web.Request``'s body: what ``Request.multipart()`` returns. What a part's ``read()``
        collects (``text()``, ``json()``...) is bounded by the request's ``client_max_size``, as in aiohttp."""
        kwargs.setdefault("client_max_size", getattr(request, "client_max_size", None))
        return cls(request.headers, request.content, **kwargs)

    @classmethod
    def _for_part(cls, boundary: bytes | str, content: Any, client_max_size: int | None) -> MultipartReader:
        """The reader behind a part made alone (aiohttp's ``BodyPartReader(boundary, headers, content)``):
        ``content`` starts with the part's data, so the parser is fed a delimiter and an empty header block
        first, and reads on from ``content``."""
        if isinstance(boundary, str):
            boundary = boundary.encode("latin-1")
        boundary = boundary.removeprefix(b"--")
        content_type = 'multipart/mixed; boundary="' + boundary.decode("latin-1") + '"'
        reader = cls({"Content-Type": content_type}, content, client_max_size=client_max_size)
        reader._parser.feed(b"--" + boundary + b"\r\n\r\n")  # its PartStart is the part being made
        return reader

    def __aiter__(self) -> AsyncIterator[BodyPartReader]:
        return self

    async def __anext__(self) -> BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True once the closing delimiter was read."""
        return self._at_eof

    async def next(self) -> BodyPartReader | None:
        """The next part, or ``None`` after the last one."""
        if self._current is not None:
            await self._current.release()
            self._current = None
        while True:
            event = await self._next_event()
            if isinstance(event, PartStart):
                self._current = BodyPartReader(self, event.headers)
                return self._current
            if isinstance(event, Done):
                return None
            # PartData/PartEnd here belong to a part already released: skip.

    async def release(self) -> None:
        """Read and discard the rest of the body (every remaining part)."""
        while await self.next() is not None:
            pass

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


class BodyPartReader:
    """One part of a multipart body: ``name``, ``filename``, ``headers`` and coroutines to read its data.

    ``read_chunk()``, ``readline()`` and ``read()`` return the part's data as sent; ``read(decode=True)``,
    ``text()``, ``json()`` and ``form()`` undo its Content-Transfer-Encoding (base64, quoted-printable) and, outside
    ``multipart/form-data``, its Content-Encoding (gzip, deflate), as aiohttp does (see ``web.part_decoding``).
    ``read_chunk`` returns ``b""`` at the end of the part. Given as a ``Response`` body, the part is streamed
    decoded, with its name and filename in Content-Disposition.
    """

    __slots__ = ("_at_eof", "_pending", "_reader", "headers")

    chunk_size = 64 * 1024

    def __init__(
        self,
        reader: MultipartReader | bytes | str,
        headers: CIMultiDict[str] | CIMultiDictProxy[str],
        content: BodyStream | None = None,
        **aiohttp_options: Any,
    ) -> None:
        """Made by :class:`MultipartReader` (``reader``, the part's ``headers``), or as aiohttp's
        ``BodyPartReader(boundary, headers, content)``: a part whose data is read from ``content`` up to the
        delimiter ``boundary`` (``--`` and the multipart boundary). Of aiohttp's keyword options only
        ``client_max_size`` is used; the rest tune aiohttp's own reader."""
        if not isinstance(reader, MultipartReader):
            reader = MultipartReader._for_part(reader, content, aiohttp_options.get("client_max_size"))
        self._reader = reader
        self.headers = CIMultiDictProxy(headers)
        self._pending = b""
        self._at_eof = False

    def __repr__(self) -> str:
        return f"<BodyPartReader name={self.name!r} filename={self.filename!r}>"

    @property
    def _disposition(self) -> dict[str, str]:
        return parse_options_header(self.headers.get("Content-Disposition", ""))[1]

    @property
    def name(self) -> str | None:
        """The ``name`` parameter of Content-Disposition: the form field name."""
        return self._disposition.get("name")

    @property
    def filename(self) -> str | None:
        """The ``filename`` parameter of Content-Disposition (``filename*`` preferred), or ``None``."""
        return self._disposition.get("filename")

    def get_charset(self, default: str = "utf-8") -> str:
        """The charset parameter of the part's Content-Type, else ``default``."""
        return parse_content_type(self.headers.get("Content-Type"))[1].get("charset") or default

    def at_eof(self) -> bool:
        """True when every byte of the part was read."""
        return self._at_eof

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Read up to ``size`` bytes of the part's data; ``b""`` at its end."""
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
            return data
        if self._at_eof:
            return b""
        event = await self._reader._next_event()
        if isinstance(event, PartData):
            data = event.data
            if len(data) > size:
                data, self._pending = data[:size], data[size:]
            return data
        if isinstance(event, Done):  # defensive: python-multipart ends every part before the end
            self._reader._push_back(event)
        self._at_eof = True
        return b""

    async def read(self, *, decode: bool = False) -> bytes:
        """Read the whole part's data into memory, decoded with ``decode=True`` (see the class doc). Data over the
        request's ``client_max_size``, as sent or decoded, raises ``HTTPRequestEntityTooLarge``, as in aiohttp."""
        limit = self._reader._client_max_size
        chunks = []
        size = 0
        async for chunk in self.iter_decoded(limit) if decode else self._iter_raw(limit):
            size += len(chunk)
            if limit is not None and size > limit:
                raise _part_too_large(limit, size)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _iter_raw(self, limit: int | None = None) -> AsyncIterator[bytes]:
        """The rest of the part's data as sent; more than ``limit`` bytes of it raise ``HTTPRequestEntityTooLarge``."""
        size = 0
        while chunk := await self.read_chunk(READ_SIZE):
            size += len(chunk)
            if limit is not None and size > limit:
                raise _part_too_large(limit, size)
            yield chunk

    async def iter_decoded(self, limit: int | None = None) -> AsyncIterator[bytes]:
        """The rest of the part's data, decoded (see the class doc), in pieces as they arrive; with ``limit``, more
        than that many bytes of it as sent raise ``HTTPRequestEntityTooLarge``."""
        decoder = self._decoder()
        if decoder.identity:
            async for chunk in self._iter_raw(limit):
                yield chunk
            return
        try:
            async for chunk in self._iter_raw(limit):
                for piece in decoder.feed(chunk):
                    yield piece
            for piece in decoder.flush():
                yield piece
        except MultipartError as exc:
            raise _http_error(exc) from exc

    def _decoder(self) -> PartDecoder:
        from .part_decoding import PartDecoder

        try:
            return PartDecoder(self.headers, form_data=self._reader._form_data)
        except MultipartError as exc:
            raise _http_error(exc) from exc

    async def readline(self) -> bytes:
        """Read one line of the part's data, up to and including ``\\n``."""
        line = bytearray()
        while True:
            chunk = await self.read_chunk()
            if not chunk:
                return bytes(line)
            idx = chunk.find(b"\n")
            if idx >= 0:
                line += chunk[: idx + 1]
                self._pending = chunk[idx + 1 :] + self._pending
                return bytes(line)
            line += chunk

    async def release(self) -> None:
        """Skip the rest of the part's data."""
        while not self._at_eof:
            self._pending = b""
            await self.read_chunk(READ_SIZE)

    def decode(self, data: bytes) -> bytes:
        """``data`` (the whole part's data, as sent) with its encodings undone (see the class doc)."""
        decoder = self._decoder()
        try:
            return b"".join([*decoder.feed(bytes(data)), *decoder.flush()])
        except MultipartError as exc:
            raise _http_error(exc) from exc

    async def decode_iter(self, data: bytes) -> AsyncIterator[bytes]:
        """:meth:`decode`, in pieces (aiohttp's API; a compressed part does not inflate into one buffer)."""
        decoder = self._decoder()
        try:
            for piece in decoder.feed(bytes(data)):
                yield piece
            for piece in decoder.flush():
                yield piece
        except MultipartError as exc:
            raise _http_error(exc) from exc

    async def text(self, *, encoding: str | None = None) -> str:
        """The part's decoded data as str: with ``encoding``, else the part's charset, else UTF-8."""
        data = await self.read(decode=True)
        return self._decode(data, encoding or self.get_charset())

    async def json(self, *, encoding: str | None = None, loads: Callable[[str], Any] = json.loads) -> Any:
        """The part's decoded data parsed as JSON (``None`` for an empty part, like aiohttp)."""
        data = await self.read(decode=True)
        if not data:
            return None
        return loads(self._decode(data, encoding or self.get_charset()))

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        """The part's decoded data parsed as ``application/x-www-form-urlencoded`` pairs."""
        data = await self.read(decode=True)
        text = self._decode(data, "ascii")
        return urllib.parse.parse_qsl(text, keep_blank_values=True, encoding=encoding or self.get_charset())

    @staticmethod
    def _decode(data: bytes, charset: str) -> str:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeError) as exc:  # UnicodeError: also the "undefined" codec's
            raise _http_error(MalformedMultipart(f"part is not valid {charset}: {exc}")) from exc

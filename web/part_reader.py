"""aiohttp 3's ``BodyPartReader``: one part of a multipart body, read from a stream up to its delimiter.

``content`` is any stream with aiohttp StreamReader's ``read(n)``, ``readline()``, ``at_eof()`` and
``unread_data(data)``. The part's data is read as aiohttp reads it, so the stream is left where aiohttp leaves it:
in chunks with one chunk of look-ahead for the delimiter, which goes back to the stream once found, or, outside
``multipart/form-data``, exactly the part's Content-Length; the CRLF that ends the part is read with it.
:class:`web.multipart.MultipartReader` makes one per part; code written for aiohttp may make one alone.

Errors. Where aiohttp raises ``ValueError`` (malformed data) or ``RuntimeError`` (an unknown encoding), these
raise :class:`BadMultipart` and :class:`UnsupportedPartEncoding`, which are those and ``web.HTTPBadRequest`` too:
code that catches aiohttp's exceptions catches them, and a handler that does not answers 400 (RFC 9110 §15.5.1:
the client's error), where aiohttp's server answers 500. Data over ``client_max_size`` raises
``max_size_error_cls(client_max_size)`` (``HTTPRequestEntityTooLarge`` for ``request.multipart()``).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from server.streams import FlowControlStreamReader

from .content_disposition import content_disposition_filename, parse_content_disposition
from .exceptions import HTTPBadRequest
from .helpers import parse_content_type
from .multipart_parser import MultipartError
from .part_decoding import PartDecoder

__all__ = ["BadMultipart", "BodyPartReader", "UnsupportedPartEncoding"]

#: aiohttp's DEFAULT_CHUNK_SIZE: what a part given as a response body is read by.
_STREAM_CHUNK = 2**16
#: How far into what our stream holds a part's first read looks for its delimiter (see _read_chunk_from_stream).
_PROBE = 8192
_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_BASE64_CHARS = frozenset(_BASE64)
_NON_BASE64 = bytes(sorted(set(range(256)) - _BASE64_CHARS))


class BadMultipart(HTTPBadRequest, ValueError):
    """Malformed multipart data (aiohttp: ValueError); a 400 when not caught."""

    def __init__(self, message: str) -> None:
        super().__init__(text=f"400: Bad Request ({message})")
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnsupportedPartEncoding(HTTPBadRequest, RuntimeError):
    """A part in an unknown Content-Encoding or Content-Transfer-Encoding (aiohttp: RuntimeError); a 400 when not
    caught, as the client sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(text=f"400: Bad Request ({message})")
        self.message = message

    def __str__(self) -> str:
        return self.message


def _unread(content: Any, data: bytes, start: int = 0) -> None:
    """Give ``data[start:]`` back to ``content``."""
    if isinstance(content, FlowControlStreamReader):
        # A view: our stream moves its offset back when the bytes are still there, so nothing is copied.
        content.unread_data(memoryview(data)[start:] if start else data)
        return
    # aiohttp's StreamReader.unread_data warns that it is deprecated; its multipart reader uses it all the same.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        content.unread_data(data[start:])


class BodyPartReader:
    """One part of a multipart body: its ``headers``, ``name``, ``filename``, and coroutines to read its data.

    ``read()``, ``read_chunk()`` and ``readline()`` return the data as sent; ``read(decode=True)``, ``text()``,
    ``json()`` and ``form()`` undo its Content-Transfer-Encoding (base64, quoted-printable) and, outside
    ``multipart/form-data`` (RFC 7578 §4.8), its Content-Encoding (gzip, deflate), as aiohttp does. Given as a
    ``Response`` body, the part is streamed decoded, with its name and filename in Content-Disposition.
    """

    chunk_size = 8192

    __slots__ = (
        "_at_eof",
        "_b64_carry",
        "_boundary",
        "_boundary_len",
        "_client_max_size",
        "_content",
        "_content_eof",
        "_default_charset",
        "_disposition",
        "_is_base64",
        "_is_form_data",
        "_length",
        "_max_decompress_size",
        "_max_size_error_cls",
        "_prev_chunk",
        "_read_bytes",
        "_unread",
        "headers",
    )

    def __init__(
        self,
        boundary: bytes,
        headers: Mapping[str, str],
        content: Any,
        *,
        subtype: str = "mixed",
        default_charset: str | None = None,
        max_decompress_size: int = _STREAM_CHUNK,
        client_max_size: int = sys.maxsize,
        max_size_error_cls: Callable[[int], BaseException] = ValueError,
    ) -> None:
        """A part whose data ``content`` holds next, up to ``CRLF boundary`` (``boundary`` is ``--`` and the
        multipart boundary). ``subtype`` is the multipart subtype of the whole body (``form-data`` ignores a part's
        Content-Length and Content-Encoding, RFC 7578 §4.8), ``default_charset`` what :meth:`get_charset` answers
        for a part without a charset (a form's ``_charset_`` field, RFC 7578 §4.6). ``read()`` and its kin collect
        at most ``client_max_size`` bytes, as sent and decoded, and raise ``max_size_error_cls(client_max_size)``
        beyond it."""
        self.headers = headers
        self._boundary = boundary
        self._boundary_len = len(boundary) + 2  # CRLF and the boundary
        self._content = content
        self._default_charset = default_charset
        self._at_eof = False
        self._is_form_data = subtype == "form-data"
        self._is_base64 = headers.get("Content-Transfer-Encoding", "").lower() == "base64"
        length = None if self._is_form_data else headers.get("Content-Length")
        if length is not None:
            length = str(length)
            # RFC 9110 §8.6: 1*DIGIT; int() would also take signs, underscores, spaces and non-ASCII digits.
            if not (length.isascii() and length.isdigit()):
                raise BadMultipart(f"invalid Content-Length: {length!r}")
        self._length = int(length) if length is not None else None
        self._read_bytes = 0
        self._b64_carry = b""
        self._unread: deque[bytes] = deque()
        self._prev_chunk: bytes | None = None
        self._content_eof = 0
        self._disposition: dict[str, str] | None = None
        self._max_decompress_size = max_decompress_size
        self._client_max_size = client_max_size
        self._max_size_error_cls = max_size_error_cls

    def __repr__(self) -> str:
        return f"<BodyPartReader name={self.name!r} filename={self.filename!r}>"

    def __aiter__(self) -> BodyPartReader:
        return self

    async def __anext__(self) -> bytes:
        data = await self.next()
        if data is None:
            raise StopAsyncIteration
        return data

    async def next(self) -> bytes | None:
        """The whole part's data, as :meth:`read`; None once it was read."""
        return await self.read() or None

    def at_eof(self) -> bool:
        """True once the part's data was read to its end."""
        return self._at_eof

    # -- reading -----------------------------------------------------------------------------------------------

    async def read(self, *, decode: bool = False) -> bytes | bytearray:
        """The rest of the part's data, as sent, or decoded with ``decode=True`` (see the class doc): a
        ``bytearray``, as aiohttp's reference gives its type (``b""`` once the part was read)."""
        if self._at_eof:
            return b""
        limit = self._client_max_size
        data = bytearray()
        while not self._at_eof:
            data += await self.read_chunk(self.chunk_size)
            if len(data) > limit:
                raise self._max_size_error_cls(limit)
        if not decode:
            return data
        decoded = bytearray()
        for piece in self._decoded(data):
            decoded += piece
            if len(decoded) > limit:
                raise self._max_size_error_cls(limit)
        return decoded

    async def read_chunk(self, size: int = chunk_size) -> bytes:
        """Up to about ``size`` bytes of the part's data (``b""`` at its end). A base64 part is cut at whole
        4-character groups, so that each chunk decodes on its own."""
        if self._at_eof:
            return b""
        carry = self._b64_carry
        want = size - len(carry)
        if carry:
            self._b64_carry = b""
            want = max(want, self._boundary_len)
        if self._length is not None:
            fresh = await self._read_chunk_from_length(want)
        else:
            fresh = await self._read_chunk_from_stream(want)
        chunk = carry + fresh
        self._read_bytes += len(fresh)
        if self._is_base64:
            chunk = self._align_base64_chunk(chunk, len(carry) + want)
        if self._read_bytes == self._length:
            self._at_eof = True
        # The part's data ends with the CRLF before the delimiter (RFC 2046 §5.1.1).
        if self._at_eof and await self._content.readline() != b"\r\n":
            raise BadMultipart("Reader did not read all the data or it is malformed")
        return chunk

    def _align_base64_chunk(self, chunk: bytes, size: int) -> bytes:
        at_end = self._at_eof or (self._length is not None and self._read_bytes >= self._length)
        if not at_end and len(chunk) > size:
            self._b64_carry = chunk[size:]
            chunk = chunk[:size]
        remainder = len(chunk.translate(None, _NON_BASE64)) % 4
        if not remainder or at_end:
            return chunk
        # Carry the trailing partial group (and the noise among it) into the next chunk.
        cut = len(chunk)
        left = remainder
        while left:
            cut -= 1
            if chunk[cut] in _BASE64_CHARS:
                left -= 1
        if not cut:
            # No whole group within the bytes asked for: hand them back, or a caller looping on a truthy chunk
            # would never advance.
            return chunk
        self._b64_carry = chunk[cut:] + self._b64_carry
        return chunk[:cut]

    async def _read_chunk_from_length(self, size: int) -> bytes:
        chunk = await self._content.read(min(size, self._length - self._read_bytes))  # type: ignore[operator]
        if self._content.at_eof():
            self._at_eof = True
        return chunk

    async def _read_chunk_from_stream(self, size: int) -> bytes:
        # The delimiter may straddle two reads: each read is searched together with the one before it, which is
        # handed out only then. The delimiter and what follows go back to the stream.
        size = max(size, self._boundary_len)
        content = self._content
        first_chunk = self._prev_chunk is None
        sub = b"\r\n" + self._boundary
        if first_chunk and isinstance(content, FlowControlStreamReader):
            # A part whose delimiter is among the bytes our stream holds (a form field) is read up to it: what
            # aiohttp's read of size bytes and look-ahead returns, without reading past it to give it back. The
            # look is bounded: a larger part costs at most that much more of a scan before it is read as aiohttp
            # reads it.
            idx = content.find_buffered(sub, min(size, _PROBE) + len(sub))
            if idx >= 0:
                self._prev_chunk = b""
                self._at_eof = True
                return await content.read(idx)
        if first_chunk:
            data = await content.read(size)
            # The CRLF that ends the header block also starts the delimiter of an empty part.
            if data.startswith(self._boundary):
                _unread(content, b"\r\n" + data)
                self._prev_chunk = b""
                self._at_eof = True
                return b""
            idx = data.find(sub)
            if idx >= 0:
                # A part within the first read (a form field): what aiohttp returns once it has read one more
                # chunk, which would only go back to the stream.
                _unread(content, data, idx)
                self._prev_chunk = b""
                self._at_eof = True
                return data[:idx]
            self._prev_chunk = b"\r\n" + data
        chunk = b""
        while len(chunk) < self._boundary_len:
            chunk += await content.read(size)
            self._content_eof += int(content.at_eof())
            if self._content_eof > 2:
                raise BadMultipart("Reading after EOF")
            if self._content_eof:
                break
        if len(chunk) > size:
            _unread(content, chunk, size)
            chunk = chunk[:size]
        prev = self._prev_chunk
        assert prev is not None
        # No delimiter lies wholly in prev (it was searched with the chunk before it, or alone when first): search
        # where prev meets chunk, then chunk, rather than a copy of both joined.
        start = max(0, len(prev) - len(sub) + 1)
        idx = (prev[start:] + chunk[: len(sub) - 1]).find(sub)
        if idx >= 0:
            idx += start
            _unread(content, prev[idx:] + chunk)
            prev = prev[:idx]
            chunk = b""
        elif (idx := chunk.find(sub)) >= 0:
            _unread(content, chunk, idx)
            chunk = chunk[:idx]
        if idx >= 0 and not chunk:
            self._at_eof = True
        self._prev_chunk = chunk
        return prev[2:] if first_chunk else prev

    async def readline(self) -> bytes:
        """The next line of the part's data, with its line ending; ``b""`` at the part's end."""
        if self._at_eof:
            return b""
        line = self._unread.popleft() if self._unread else await self._content.readline()
        if line.startswith(self._boundary):
            # The last delimiter may come without its CRLF.
            stripped = line.rstrip(b"\r\n")
            if stripped in (self._boundary, self._boundary + b"--"):
                self._at_eof = True
                self._unread.append(line)
                return b""
        else:
            next_line = await self._content.readline()
            if next_line.startswith(self._boundary):
                line = line[:-2]  # the CRLF before a delimiter belongs to it
            self._unread.append(next_line)
        return line

    async def release(self) -> None:
        """Read the rest of the part's data to the void."""
        while not self._at_eof:
            await self.read_chunk(self.chunk_size)

    async def text(self, *, encoding: str | None = None) -> str:
        """The decoded data as text: in ``encoding``, else the part's charset, else UTF-8."""
        data = await self.read(decode=True)
        return self._text(data, encoding or self.get_charset("utf-8"))

    async def json(self, *, encoding: str | None = None, loads: Callable[[str], Any] = json.loads) -> Any:
        """The decoded data parsed as JSON; None for an empty part."""
        data = await self.read(decode=True)
        if not data:
            return None
        return loads(self._text(data, encoding or self.get_charset("utf-8")))

    async def form(self, *, encoding: str | None = None) -> list[tuple[str, str]]:
        """The decoded data parsed as ``application/x-www-form-urlencoded`` pairs, blank values kept."""
        data = await self.read(decode=True)
        if not data:
            return []
        charset = encoding if encoding is not None else self.get_charset("utf-8")
        try:
            text = data.rstrip().decode(charset)
        except UnicodeDecodeError as exc:
            raise BadMultipart(f"data cannot be decoded with {charset} encoding") from exc
        return parse_qsl(text, keep_blank_values=True, encoding=charset)

    @staticmethod
    def _text(data: bytes | bytearray, charset: str) -> str:
        try:
            return data.decode(charset)
        except UnicodeDecodeError as exc:
            raise BadMultipart(f"part is not valid {charset}: {exc}") from exc
        except LookupError as exc:
            raise BadMultipart(f"unknown charset {charset!r}") from exc

    # -- decoding ----------------------------------------------------------------------------------------------

    def _decoder(self) -> PartDecoder:
        try:
            return PartDecoder(self.headers, form_data=self._is_form_data)
        except MultipartError as exc:
            raise UnsupportedPartEncoding(str(exc)) from exc

    def _decoded(self, data: bytes | bytearray) -> list[bytes]:
        decoder = self._decoder()
        if decoder.identity:
            return [bytes(data)]
        try:
            return [*decoder.feed(bytes(data)), *decoder.flush()]
        except MultipartError as exc:
            raise BadMultipart(str(exc)) from exc

    def decode(self, data: bytes) -> bytes:
        """``data`` (whole units of the part's data, as :meth:`read_chunk` returns them) with the part's encodings
        undone (see the class doc)."""
        return b"".join(self._decoded(data))

    async def decode_iter(self, data: bytes) -> AsyncIterator[bytes]:
        """:meth:`decode`, in pieces."""
        for piece in self._decoded(data):
            yield piece

    async def iter_decoded(self) -> AsyncIterator[bytes]:
        """The rest of the part's data, decoded, in pieces as they arrive (one decoder across the pieces, so a
        compressed part is inflated as a whole). What a part given as a response body sends."""
        decoder = self._decoder()
        try:
            while chunk := await self.read_chunk(_STREAM_CHUNK):
                for piece in decoder.feed(chunk):
                    yield piece
            for piece in decoder.flush():
                yield piece
        except MultipartError as exc:
            raise BadMultipart(str(exc)) from exc

    # -- headers -----------------------------------------------------------------------------------------------

    def get_charset(self, default: str = "utf-8") -> str:
        """The charset of the part's Content-Type, else the form's ``_charset_``, else ``default``."""
        charset = parse_content_type(self.headers.get("Content-Type", ""))[1].get("charset")
        return charset or self._default_charset or default

    def _params(self) -> dict[str, str]:
        """The parameters of Content-Disposition, parsed once."""
        if self._disposition is None:
            self._disposition = parse_content_disposition(self.headers.get("Content-Disposition"))[1]
        return self._disposition

    @property
    def name(self) -> str | None:
        """The ``name`` of Content-Disposition (the form field's name); None if absent or malformed."""
        return content_disposition_filename(self._params(), "name")

    @property
    def filename(self) -> str | None:
        """The ``filename`` of Content-Disposition (``filename*`` preferred); None if absent or malformed."""
        return content_disposition_filename(self._params(), "filename")

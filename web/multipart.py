"""aiohttp 3's ``MultipartReader``: what ``await request.multipart()`` returns, and what code that builds its own
reader gets from ``MultipartReader(headers, content)``; its parts are :class:`~web.part_reader.BodyPartReader`
(re-exported here, as ``aiohttp.multipart`` has both), or readers of their own for a nested ``multipart/*`` part.

``content`` is any stream with aiohttp StreamReader's ``read(n)``, ``readline()``, ``at_eof()`` and
``unread_data(data)`` (``request.content``, aiohttp's StreamReader, a client response's content). The reader reads
as aiohttp's does, so it leaves the stream where aiohttp's leaves it: the delimiters and part headers a line at a
time, each part's data as :mod:`web.part_reader` describes. Errors are the part reader's (:class:`BadMultipart`,
:class:`UnsupportedPartEncoding`).

``await request.post()`` parses form bodies with its own reader (``web.multipart_parser``, python-multipart's
state machine), built for bulk parsing under the form limits.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy

from .content_disposition import BadContentDispositionHeader as BadContentDispositionHeader
from .content_disposition import BadContentDispositionParam as BadContentDispositionParam
from .content_disposition import content_disposition_filename as content_disposition_filename
from .content_disposition import parse_content_disposition as parse_content_disposition
from .helpers import parse_content_type
from .multipart_parser import MultipartError, _decode_header_value, parse_boundary
from .part_reader import BadMultipart as BadMultipart
from .part_reader import BodyPartReader as BodyPartReader
from .part_reader import UnsupportedPartEncoding as UnsupportedPartEncoding

__all__ = [
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BadMultipart",
    "BodyPartReader",
    "MultipartReader",
    "MultipartResponseWrapper",
    "UnsupportedPartEncoding",
    "content_disposition_filename",
    "parse_content_disposition",
]

_HEADER_NAME = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 §5.6.2 token


class MultipartResponseWrapper:
    """A :class:`MultipartReader` over a client response, which it releases once the reader reaches the end."""

    def __init__(self, resp: Any, stream: MultipartReader) -> None:
        self.resp = resp
        self.stream = stream

    def __aiter__(self) -> MultipartResponseWrapper:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True when all the response's data has been read."""
        return bool(self.resp.content.at_eof())

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """The next part; the response is released after the last one."""
        item = await self.stream.next()
        if self.stream.at_eof():
            await self.release()
        return item

    async def release(self) -> None:
        """Release the response: whatever is left of it is read and discarded."""
        await self.resp.release()


class MultipartReader:
    """Reads a ``multipart/*`` body part by part: ``async for part in reader`` or ``await reader.next()``.

    A part is a :class:`BodyPartReader`, or, for a part that is itself ``multipart/*``, a :class:`MultipartReader`
    of its parts. Moving to the next part skips what is left of the previous one.
    """

    #: What :meth:`from_response` wraps the reader in.
    response_wrapper_cls = MultipartResponseWrapper
    #: The reader of a nested ``multipart/*`` part; None: this reader's class.
    multipart_reader_cls: type[MultipartReader] | None = None
    #: The reader of any other part.
    part_reader_cls = BodyPartReader

    def __init__(
        self,
        headers: Mapping[str, str],
        content: Any,
        *,
        client_max_size: int = sys.maxsize,
        max_field_size: int = 8190,
        max_headers: int = 128,
        max_size_error_cls: Callable[[int], BaseException] = ValueError,
    ) -> None:
        """A reader of the body ``content`` whose Content-Type (in ``headers``) is ``multipart/*`` with a boundary.
        A part's header line is at most ``max_field_size`` bytes, its header block at most ``max_headers`` lines;
        ``client_max_size`` and ``max_size_error_cls`` are passed on to each part."""
        content_type = headers["Content-Type"]
        try:
            boundary = parse_boundary(content_type)
        except MultipartError as exc:
            raise BadMultipart(str(exc)) from exc
        self.headers = headers
        self._subtype = parse_content_type(content_type)[0].partition("/")[2]
        self._boundary = b"--" + boundary
        self._client_max_size = client_max_size
        self._content = content
        self._default_charset: str | None = None
        self._last_part: MultipartReader | BodyPartReader | None = None
        self._max_field_size = max_field_size
        self._max_headers = max_headers
        self._max_size_error_cls = max_size_error_cls
        self._at_eof = False
        self._at_bof = True
        self._unread: list[bytes] = []

    @classmethod
    def from_response(cls, response: Any) -> MultipartResponseWrapper:
        """A reader of a client response's multipart body (aiohttp's ``ClientResponse``), wrapped so that the
        response is released after the last part."""
        return cls.response_wrapper_cls(response, cls(response.headers, response.content))

    def __aiter__(self) -> MultipartReader:
        return self

    async def __anext__(self) -> MultipartReader | BodyPartReader:
        part = await self.next()
        if part is None:
            raise StopAsyncIteration
        return part

    def at_eof(self) -> bool:
        """True once the closing delimiter was read."""
        return self._at_eof

    async def next(self) -> MultipartReader | BodyPartReader | None:
        """The next part, or None after the last one."""
        if self._at_eof:
            return None
        await self._maybe_release_last_part()
        if self._at_bof:
            await self._read_until_first_boundary()
            self._at_bof = False
        else:
            await self._read_boundary()
        if self._at_eof:
            return None
        part = await self.fetch_next_part()
        if (
            self._last_part is None
            and self._subtype == "form-data"
            and isinstance(part, BodyPartReader)
            and "_charset_" in part.headers.get("Content-Disposition", "")  # before the parse, which costs more
            and part._params().get("name") == "_charset_"
        ):
            # RFC 7578 §4.6: a field named "_charset_" holds the charset of the fields without one.
            # The longest name in the WHATWG Encoding Standard is 19 characters.
            charset = b""
            while not part.at_eof():
                charset += await part.read_chunk(32)
                if len(charset) > 31:
                    raise UnsupportedPartEncoding("Invalid default charset")
            self._default_charset = charset.strip().decode("ascii", "replace")
            # The delimiter before the next part (aiohttp reads it as a header line of that part).
            await self._read_boundary()
            if self._at_eof:
                return None
            part = await self.fetch_next_part()
        self._last_part = part
        return part

    async def release(self) -> None:
        """Read every remaining part to the void, to the closing delimiter."""
        while not self._at_eof:
            item = await self.next()
            if item is None:
                break
            await item.release()

    async def fetch_next_part(self) -> MultipartReader | BodyPartReader:
        """The reader of the part whose header block comes next."""
        return self._get_part_reader(await self._read_headers())

    def _get_part_reader(self, headers: CIMultiDictProxy[str]) -> MultipartReader | BodyPartReader:
        if parse_content_type(headers.get("Content-Type", ""))[0].startswith("multipart/"):
            cls = self.multipart_reader_cls or type(self)
            return cls(
                headers,
                self._content,
                client_max_size=self._client_max_size,
                max_field_size=self._max_field_size,
                max_headers=self._max_headers,
                max_size_error_cls=self._max_size_error_cls,
            )
        return self.part_reader_cls(
            self._boundary,
            headers,
            self._content,
            subtype=self._subtype,
            default_charset=self._default_charset,
            client_max_size=self._client_max_size,
            max_size_error_cls=self._max_size_error_cls,
        )

    async def _readline(self) -> bytes:
        if self._unread:
            return self._unread.pop()
        return await self._content.readline()  # type: ignore[no-any-return]

    async def _read_until_first_boundary(self) -> None:
        # RFC 2046 §5.1.1: whatever precedes the first delimiter is a preamble, to be ignored.
        while True:
            line = await self._readline()
            if not line:
                raise BadMultipart(f"Could not find starting boundary {self._boundary!r}")
            line = line.rstrip()
            if line == self._boundary:
                return
            if line == self._boundary + b"--":
                self._at_eof = True
                return

    async def _read_boundary(self) -> None:
        line = (await self._readline()).rstrip()
        if line == self._boundary:
            return
        if line != self._boundary + b"--":
            raise BadMultipart(f"Invalid boundary {line!r}, expected {self._boundary!r}")
        self._at_eof = True
        epilogue = await self._readline()
        next_line = await self._readline()
        # In a nested body, the parent's delimiter follows the epilogue (or, without one, this very line): it goes
        # back to the parent.
        if next_line[:2] == b"--":
            self._unread.append(next_line)
        else:
            self._unread.extend([next_line, epilogue])

    async def _read_headers(self) -> CIMultiDictProxy[str]:
        headers: CIMultiDict[str] = CIMultiDict()
        count = 0
        while True:
            # A nested reader that ended hands back what it read past its close delimiter: this part's first lines
            # when no epilogue came between (aiohttp reads them from the stream, and loses them).
            if self._unread:
                line = self._unread.pop()
            else:
                line = await self._content.readline(max_line_length=self._max_field_size)
            line = line.rstrip(b"\r\n")
            if not line:
                return CIMultiDictProxy(headers)
            count += 1
            if count > self._max_headers:
                raise BadMultipart("Too many headers received")
            name, colon, value = line.partition(b":")
            # RFC 9110 §5.1: the field name is a token, directly followed by the colon (no obsolete folding).
            if not colon or not _HEADER_NAME.fullmatch(name):
                raise BadMultipart(f"Invalid part header line {line[:64]!r}")
            headers.add(name.decode("ascii"), _decode_header_value(value.strip(b" \t")))

    async def _maybe_release_last_part(self) -> None:
        last = self._last_part
        if last is not None:
            if not last.at_eof():
                await last.release()
            self._unread.extend(last._unread)
            self._last_part = None

"""Request bodies sent with a ``Content-Encoding`` (RFC 9110 §8.4.1): decoded as they arrive, bounded after decoding.

With the ``auto_decompress`` setting (on by default, as in aiohttp) a body in ``gzip``, ``deflate`` or, when the
``brotli`` package is installed, ``br`` is handed to the handler decoded. Other codings pass through as sent, as
aiohttp passes them. The decoder yields at most ``_PIECE`` bytes per step and decodes no further than the reader
keeps up (:class:`DecodingStreamReader`), so a zip bomb costs a bounded amount of memory whether the body is
collected (``request.read()`` stops at the application's ``client_max_size``, counting decoded bytes, as aiohttp
does), streamed or left unread. A server-wide ``client_max_size``, when set, bounds the decoded bytes too
(``PayloadTooLarge``, 413). A body that does not decode fails with :class:`~.errors.ContentDecodingError`.
"""

from __future__ import annotations

import collections
import zlib
from collections.abc import Iterator
from typing import Any

from .errors import ContentDecodingError
from .streams import FlowControlStreamReader

try:
    import brotli  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - brotli is an optional dependency
    brotli = None

__all__ = ["DecodingStreamReader", "decoder_for"]

_PIECE = 64 * 1024  # the most bytes one decoding step produces


class _ZlibDecoder:
    """gzip (RFC 1952) or deflate: a zlib stream (RFC 1950), or raw deflate (RFC 1951), which some clients send."""

    __slots__ = ("_coding", "_decoder", "_started")

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._decoder: Any = zlib.decompressobj(16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            if self._coding == "deflate" and data[0] & 0x0F != 8:
                # No zlib header (its compression method nibble is 8): raw deflate, as aiohttp also accepts.
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        decoder = self._decoder
        try:
            piece = decoder.decompress(data, _PIECE)
            while True:
                if piece:
                    yield piece
                if not decoder.unconsumed_tail:
                    return
                piece = decoder.decompress(decoder.unconsumed_tail, _PIECE)
        except zlib.error as exc:
            raise ContentDecodingError(f"Can not decode content-encoding: {self._coding}") from exc

    def finish(self) -> bytes:
        try:
            rest = self._decoder.flush()
        except zlib.error as exc:
            raise ContentDecodingError(f"Can not decode content-encoding: {self._coding}") from exc
        if self._started and not self._decoder.eof:
            raise ContentDecodingError(f"Can not decode content-encoding: {self._coding} (truncated)")
        return rest


class _BrotliDecoder:
    """br (RFC 7932)."""

    __slots__ = ("_decoder",)

    def __init__(self) -> None:
        self._decoder: Any = brotli.Decompressor()  # type: ignore[union-attr]

    def decode(self, data: bytes) -> Iterator[bytes]:
        decoder = self._decoder
        try:
            piece = decoder.process(data, output_buffer_limit=_PIECE)
            while piece:
                yield piece
                if decoder.is_finished():
                    return
                piece = decoder.process(b"", output_buffer_limit=_PIECE)
        except brotli.error as exc:  # type: ignore[union-attr]
            raise ContentDecodingError("Can not decode content-encoding: br") from exc

    def finish(self) -> bytes:
        if not self._decoder.is_finished():
            raise ContentDecodingError("Can not decode content-encoding: br (truncated)")
        return b""


def decoder_for(coding: str) -> _ZlibDecoder | _BrotliDecoder | None:
    """A decoder for the ``Content-Encoding`` value ``coding``, or None to pass the body through as sent."""
    coding = coding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder("gzip")
    if coding == "deflate":
        return _ZlibDecoder("deflate")
    if coding == "br" and brotli is not None:
        return _BrotliDecoder()
    return None


class DecodingStreamReader(FlowControlStreamReader):
    """A body stream fed encoded bytes, read decoded; ``raw_bytes`` counts what arrived.

    Decoding keeps pace with the reader: the encoded bytes wait in ``_raw`` and are decoded only while the decoded
    buffer is at most ``high_water``, and the connection stays paused while any wait, so a body that inflates a
    thousandfold (a zip bomb) holds about ``high_water`` decoded bytes at a time however it is read or streamed.
    ``limit`` (the server-wide cap, when set) bounds the decoded size. Once :meth:`discard` is called (the server
    drains a body the handler left), the rest is counted and dropped, never decoded.
    """

    __slots__ = ("_decoder", "_discarding", "_pieces", "_raw", "_raw_eof", "raw_bytes")

    def __init__(self, decoder: _ZlibDecoder | _BrotliDecoder, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decoder = decoder
        self.raw_bytes = 0
        self._raw: collections.deque[bytes] = collections.deque()
        self._pieces: Iterator[bytes] | None = None  # the decoding of the encoded piece at work
        self._raw_eof = False  # the encoded body has ended; the stream ends once all of it is decoded
        self._discarding = False

    def feed_data(self, data: bytes) -> None:
        if self._exception is not None or self._eof or self._raw_eof:
            return
        self.raw_bytes += len(data)
        if self._discarding or not data:
            return
        self._raw.append(data)
        self._decode()

    def feed_eof(self) -> None:
        if self._exception is not None or self._eof:
            return
        if self._discarding:
            super().feed_eof()
            return
        self._raw_eof = True
        self._decode()

    def _decode(self, at_least_one: bool = False) -> None:
        """Decode what waits while the buffer is at most ``high_water`` (one piece more with ``at_least_one``:
        a reader waits for more than that); end the stream once the encoded body has ended and is all decoded."""
        high = self._high
        while self._size <= high or at_least_one:
            pieces = self._pieces
            if pieces is None:
                if not self._raw:
                    break
                pieces = self._pieces = self._decoder.decode(self._raw.popleft())
            try:
                piece = next(pieces, None)
            except ContentDecodingError as exc:
                self.set_exception(exc)
                return
            if piece is None:
                self._pieces = None
                continue
            at_least_one = False
            super().feed_data(piece)  # pauses the connection above high_water
            if self._exception is not None:
                return  # over the limit: decode no further
        if self._pieces is not None or self._raw:
            return
        if self._raw_eof:
            try:
                rest = self._decoder.finish()
            except ContentDecodingError as exc:
                self.set_exception(exc)
                return
            if rest:
                super().feed_data(rest)
                if self._exception is not None:
                    return
            super().feed_eof()
        if self._paused and self._size <= self._low:
            super()._unpause()  # all decoded: _unpause() passed over while some waited

    def _unpause(self) -> None:
        # More encoded bytes are welcome only once those waiting are decoded (see _decode).
        if self._pieces is None and not self._raw:
            super()._unpause()

    def _take(self, n: int) -> bytes:
        data = super()._take(n)
        if self._pieces is not None or self._raw:
            self._decode()
        return data

    async def _wait(self) -> None:
        if self._exception is None and (self._pieces is not None or self._raw):
            self._decode(at_least_one=True)  # the reader wants more than high_water: decode on its behalf
            return
        await super()._wait()

    def set_exception(self, exc: BaseException) -> None:
        self._raw.clear()
        self._pieces = None
        super().set_exception(exc)

    def discard(self) -> int:
        """Drop what is buffered and decode nothing more: the rest of the body is counted as it arrives."""
        self._discarding = True
        self._raw.clear()
        self._pieces = None
        size = super().discard()
        if self._raw_eof and not self._eof and self._exception is None:
            super().feed_eof()
        return size

"""Request bodies sent with a ``Content-Encoding`` (RFC 9110 §8.4.1): decoded as they arrive, bounded after decoding.

With the ``auto_decompress`` setting (on by default, as in aiohttp) a body in ``gzip``, ``deflate`` or, when the
``brotli`` package is installed, ``br`` is handed to the handler decoded. Other codings pass through as sent, as
aiohttp passes them. ``client_max_size`` bounds the decoded bytes: the decoder yields at most ``_PIECE`` bytes per
step, and the stream fails with ``PayloadTooLarge`` (413) as soon as the total passes the limit, so a zip bomb
costs a bounded amount of memory. A body that does not decode fails with :class:`~.errors.ContentDecodingError`.
"""

from __future__ import annotations

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
    """A body stream fed encoded bytes, read decoded; ``limit`` bounds the decoded size, ``raw_bytes`` counts
    what arrived."""

    __slots__ = ("_decoder", "raw_bytes")

    def __init__(self, decoder: _ZlibDecoder | _BrotliDecoder, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decoder = decoder
        self.raw_bytes = 0

    def feed_data(self, data: bytes) -> None:
        if self._exception is not None or self._eof:
            return
        self.raw_bytes += len(data)
        try:
            for piece in self._decoder.decode(data):
                super().feed_data(piece)
                if self._exception is not None:
                    return  # over the limit: decode no further
        except ContentDecodingError as exc:
            self.set_exception(exc)

    def feed_eof(self) -> None:
        if self._exception is None and not self._eof:
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

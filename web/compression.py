"""Content codings (RFC 9110 section 8.4.1): the response compression of ``StreamResponse.enable_compression()``
and the decoding of compressed request bodies.

``ContentCoding`` is aiohttp 3's enum (deflate, gzip, identity), in its order of preference, plus ``br`` (Brotli)
last when the ``brotli`` (or ``brotlicffi``) package is installed. ``deflate`` is the zlib format (RFC 1950), as
RFC 9110 section 8.4.1.2 defines it; a raw deflate stream is accepted in request bodies too, since some clients
send one.
"""

from __future__ import annotations

import enum
import zlib
from typing import Any

try:
    import brotli as _brotli  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    try:
        import brotlicffi as _brotli  # type: ignore[import-not-found]
    except ImportError:
        _brotli = None

__all__ = ["HAS_BROTLI", "ContentCoding", "Decompressor", "choose_coding", "compress", "compressor"]

HAS_BROTLI = _brotli is not None


class ContentCoding(enum.Enum):
    """The content codings responses can be compressed with; the first one the client accepts is used."""

    deflate = "deflate"
    gzip = "gzip"
    identity = "identity"
    br = "br"


_WBITS = {"deflate": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS}
_OFFERED = [coding for coding in ContentCoding if coding is not ContentCoding.br or HAS_BROTLI]


def choose_coding(accept_encoding: str, force: ContentCoding | None) -> ContentCoding:
    """The coding for a response: ``force`` if given, else the first of ours named in ``Accept-Encoding``.

    Codings compare case-insensitively (RFC 9110 section 8.4.1); as in aiohttp, a coding named with ``q=0`` is not
    told apart from an accepted one.
    """
    if force is not None:
        return force
    accept_encoding = accept_encoding.lower()
    for coding in _OFFERED:
        if coding.value in accept_encoding:
            return coding
    return ContentCoding.identity


class _BrotliCompressor:
    def __init__(self) -> None:
        self._inner = _brotli.Compressor()

    def compress(self, data: bytes) -> bytes:
        return bytes(self._inner.process(data))

    def flush(self) -> bytes:
        return bytes(self._inner.finish())


def compressor(coding: ContentCoding, strategy: int | None = None) -> Any:
    """A new compressor (``compress(data)``, ``flush()``) for ``coding`` (not identity)."""
    if coding is ContentCoding.br:
        if _brotli is None:
            raise RuntimeError("the br coding needs the brotli package")
        return _BrotliCompressor()
    return zlib.compressobj(
        wbits=_WBITS[coding.value], strategy=zlib.Z_DEFAULT_STRATEGY if strategy is None else strategy
    )


def compress(coding: ContentCoding, data: bytes, strategy: int | None = None) -> bytes:
    """``data`` compressed whole with ``coding``."""
    engine = compressor(coding, strategy)
    return engine.compress(data) + engine.flush()


class Decompressor:
    """Decodes a request body sent with ``Content-Encoding: gzip``, ``deflate`` (zlib or raw) or ``br``.

    ``decompress(data)`` returns what is decoded so far; ``flush()`` the rest, checking the stream ended. Both raise
    ``ValueError`` for a body that is not of its coding.
    """

    SUPPORTED = frozenset({"gzip", "x-gzip", "deflate"} | ({"br"} if HAS_BROTLI else set()))

    def __init__(self, coding: str) -> None:
        self.coding = coding = coding.lower()
        self._brotli = None
        self._zlib: Any = None
        self._first = True
        if coding == "br":
            self._brotli = _brotli.Decompressor()
        elif coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding != "deflate":
            raise ValueError(f"unsupported content coding {coding!r}")

    def decompress(self, data: bytes) -> bytes:
        try:
            if self._brotli is not None:
                return bytes(self._brotli.process(data))
            if self._zlib is None:
                # deflate: the zlib format has a 2-byte header whose first nibble says "deflate" (RFC 1950
                # section 2.2); anything else is taken as a raw deflate stream.
                raw = (data[0] & 0x0F) != 8
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
            return self._zlib.decompress(data)
        except Exception as exc:
            raise ValueError(f"cannot decode the {self.coding} request body: {exc}") from exc

    def flush(self) -> bytes:
        if self._brotli is not None:
            return b""
        if self._zlib is None:
            return b""
        tail = self._zlib.flush()
        if not self._zlib.eof:
            raise ValueError(f"cannot decode the {self.coding} request body: it ends before its stream does")
        return tail

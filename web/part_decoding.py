"""Undoing a multipart part's encodings, piece by piece: what ``BodyPartReader.read(decode=True)`` returns.

A part may carry ``Content-Transfer-Encoding`` (RFC 2045 §6: ``base64``, ``quoted-printable``, or the identity
labels ``7bit``, ``8bit``, ``binary``) and, outside ``multipart/form-data`` (RFC 7578 §4.8 forbids any other
header there but Content-Type, Content-Disposition and, deprecated, Content-Transfer-Encoding),
``Content-Encoding`` (``gzip``, ``deflate``, ``identity``), as aiohttp decodes them. :class:`PartDecoder` is fed the
part's data in pieces split anywhere (a base64 group, a ``=XX`` escape or a compressed block may straddle two) and
yields the decoded bytes; it is sans-IO, like the parser beside it.

An unknown encoding or undecodable data raises :class:`~web.multipart_parser.MalformedMultipart` (a 400: the client sent
it; aiohttp raises RuntimeError or binascii.Error, which its server answers with a 500).
"""

from __future__ import annotations

import binascii
import zlib
from collections.abc import Iterator, Mapping

__all__ = ["PartDecoder"]

#: Largest piece one step of inflating yields: bounds the memory a small compressed piece can claim.
MAX_PIECE = 256 * 1024

_IDENTITY = frozenset({"", "7bit", "8bit", "binary"})
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
# Everything else in base64 data is line breaks or noise, skipped as RFC 2045 §6.8 tells a decoder to.
_NOT_BASE64 = bytes(sorted(set(range(256)) - set(_BASE64_ALPHABET)))


class PartDecoder:
    """Decodes one part's data. Call contract: :meth:`feed` each piece in order, consuming what it yields; then
    :meth:`flush` once. Both raise :class:`~web.multipart_parser.MalformedMultipart` for data that cannot be decoded."""

    __slots__ = ("_carry", "_inflate", "_transfer")

    def __init__(self, headers: Mapping[str, str], *, form_data: bool) -> None:
        from .multipart_parser import MalformedMultipart

        transfer = headers.get("Content-Transfer-Encoding", "").strip().lower()
        if transfer not in _IDENTITY and transfer not in ("base64", "quoted-printable"):
            raise MalformedMultipart(f"unknown content transfer encoding: {transfer}")
        self._transfer = transfer
        coding = "" if form_data else headers.get("Content-Encoding", "").strip().lower()
        if coding in ("", "identity"):
            self._inflate: zlib._Decompress | None = None
        elif coding in ("gzip", "deflate"):
            # aiohttp reads a part's "deflate" as raw DEFLATE (RFC 1951), without the zlib wrapper.
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS if coding == "gzip" else -zlib.MAX_WBITS)
        else:
            raise MalformedMultipart(f"unknown content encoding: {coding}")
        self._carry = b""

    @property
    def identity(self) -> bool:
        """True when decoding changes nothing (the data may be passed through untouched)."""
        return self._transfer in _IDENTITY and self._inflate is None

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode the next piece of the part's data."""
        return self._decompress(self._untransfer(data, final=False))

    def flush(self) -> Iterator[bytes]:
        """Decode what the last pieces left pending; raises if the data ended inside an encoded unit."""
        from .multipart_parser import MalformedMultipart

        yield from self._decompress(self._untransfer(b"", final=True))
        if self._inflate is not None:
            yield self._inflate.flush()
            if not self._inflate.eof:
                raise MalformedMultipart("compressed part data ended before its end of stream")

    def _untransfer(self, data: bytes, *, final: bool) -> bytes:
        from .multipart_parser import MalformedMultipart

        transfer = self._transfer
        if transfer in _IDENTITY:
            return data
        data = self._carry + data
        try:
            if transfer == "base64":
                data = data.translate(None, _NOT_BASE64)
                # base64 decodes in groups of 4 characters: a group split across pieces waits for its end.
                cut = len(data) if final else len(data) - len(data) % 4
                data, self._carry = data[:cut], data[cut:]
                return binascii.a2b_base64(data)
            # quoted-printable: an escape ("=XX") or a soft line break ("=\r\n") split across pieces waits too.
            cut = len(data) if final else data.rfind(b"=", max(0, len(data) - 2))
            if cut < 0:
                cut = len(data)
            data, self._carry = data[:cut], data[cut:]
            return binascii.a2b_qp(data)
        except binascii.Error as exc:
            raise MalformedMultipart(f"part data is not valid {transfer}: {exc}") from exc

    def _decompress(self, data: bytes) -> Iterator[bytes]:
        from .multipart_parser import MalformedMultipart

        inflate = self._inflate
        if inflate is None:
            if data:
                yield data
            return
        try:
            while data:
                piece = inflate.decompress(data, MAX_PIECE)
                data = inflate.unconsumed_tail
                if piece:
                    yield piece
        except zlib.error as exc:
            raise MalformedMultipart(f"compressed part data is corrupt: {exc}") from exc

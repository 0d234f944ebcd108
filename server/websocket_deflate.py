"""permessage-deflate (RFC 7692): negotiating the extension and compressing messages within limits.

``negotiate(header_values, options)`` reads a client's ``Sec-WebSocket-Extensions`` offers and returns the
response header value and a :class:`PerMessageDeflate`, or None when no offer is acceptable (the connection then
runs without compression, which RFC 7692 §5 allows).

Decompression always uses a 32 KiB window (``wbits=15``): inflating needs a window at least as large as the
sender's, and the largest one decodes every smaller one, so a client that ignores a smaller
``client_max_window_bits`` still round-trips. Output is capped at the caller's limit plus one byte per call, so a
zip bomb costs at most ``max_msg_size`` of memory before it is refused with 1009.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

from .websocket_frames import BadCompressedData, MessageTooBig

__all__ = ["DeflateOptions", "PerMessageDeflate", "negotiate", "parse_extensions"]

_TAIL = b"\x00\x00\xff\xff"  # the empty stored block that ends every compressed message (RFC 7692 §7.2.1)


class DeflateOptions:
    """What the server is willing to do.

    ``server_no_context_takeover``: reset our compressor after each message (less memory, worse ratio).
    ``client_no_context_takeover``: ask the client to reset its compressor after each message.
    ``server_max_window_bits``: the largest window we compress with (9-15; a client may ask for less).
    ``client_max_window_bits``: ask the client for at most this window, when it offers to limit it.
    ``level``: zlib level. ``min_size``: messages shorter than this are sent uncompressed (RSV1 clear).
    """

    __slots__ = (
        "client_max_window_bits",
        "client_no_context_takeover",
        "level",
        "min_size",
        "server_max_window_bits",
        "server_no_context_takeover",
    )

    def __init__(
        self,
        *,
        server_no_context_takeover: bool = False,
        client_no_context_takeover: bool = False,
        server_max_window_bits: int = 15,
        client_max_window_bits: int = 15,
        level: int = 6,
        min_size: int = 0,
    ) -> None:
        for bits in (server_max_window_bits, client_max_window_bits):
            if not 8 <= bits <= 15:
                raise ValueError("window bits must be between 8 and 15")
        self.server_no_context_takeover = server_no_context_takeover
        self.client_no_context_takeover = client_no_context_takeover
        self.server_max_window_bits = server_max_window_bits
        self.client_max_window_bits = client_max_window_bits
        self.level = level
        self.min_size = min_size


class PerMessageDeflate:
    """The negotiated extension's per-connection state: one inflater, one deflater."""

    __slots__ = (
        "_deflater",
        "_inflater",
        "_level",
        "_reset_deflater",
        "_wbits",
        "min_size",
        "response",
        "server_max_window_bits",
    )

    def __init__(
        self,
        *,
        server_no_context_takeover: bool = False,
        server_max_window_bits: int = 15,
        level: int = 6,
        min_size: int = 0,
        response: str = "permessage-deflate",
    ) -> None:
        self._inflater = zlib.decompressobj(wbits=-15)
        self._reset_deflater = server_no_context_takeover
        self.server_max_window_bits = server_max_window_bits  # as negotiated (WebSocketResponse.compress)
        # zlib cannot deflate with a 256-byte window (it silently uses 512). Z_RLE only emits matches at
        # distance 1, which fits any window, so a client asking for 8 bits still gets valid data.
        self._wbits = max(server_max_window_bits, 9)
        self._level = level
        strategy = zlib.Z_RLE if server_max_window_bits == 8 else zlib.Z_DEFAULT_STRATEGY
        self._deflater = zlib.compressobj(level, zlib.DEFLATED, -self._wbits, 8, strategy)
        self.min_size = min_size
        self.response = response

    def decompress(self, data: bytes, limit: int, final: bool) -> bytes:
        """Inflate one frame's payload of a compressed message (``final`` on its last frame); raise
        :class:`MessageTooBig` as soon as the output would pass ``limit`` bytes."""
        if final:
            data += _TAIL
        try:
            out = self._inflater.decompress(data, limit + 1)
        except zlib.error as exc:
            raise BadCompressedData(f"permessage-deflate payload does not inflate: {exc}") from None
        if len(out) > limit or self._inflater.unconsumed_tail:
            raise MessageTooBig("message too big after decompression")
        return out

    def compress(self, data: bytes) -> bytes:
        """Deflate one whole message; the result goes out in one frame with RSV1 set."""
        deflater = self._deflater
        # A full flush also forgets the history, which is what server_no_context_takeover promises (§7.1.1.1).
        out = deflater.compress(data) + deflater.flush(zlib.Z_FULL_FLUSH if self._reset_deflater else zlib.Z_SYNC_FLUSH)
        if out.endswith(_TAIL):
            out = out[:-4]
        return out or b"\x00"  # an empty message still needs one empty block (RFC 7692 §7.2.3.6)


def parse_extensions(values: Iterable[str]) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Parse ``Sec-WebSocket-Extensions`` header values (RFC 6455 §9.1) into ``[(name, [(param, value)])]``.
    Quoted values are unquoted; malformed items raise ValueError."""
    result: list[tuple[str, list[tuple[str, str | None]]]] = []
    for value in values:
        for item in _split_outside_quotes(value, ","):
            parts = _split_outside_quotes(item, ";")
            name = parts[0].strip().lower()
            if not name:
                if len(parts) == 1:
                    continue  # an empty list element (RFC 9110 §5.6.1)
                raise ValueError("extension without a name")
            params: list[tuple[str, str | None]] = []
            for part in parts[1:]:
                key, sep, val = part.partition("=")
                key = key.strip().lower()
                if not key:
                    raise ValueError("extension parameter without a name")
                if not sep:
                    params.append((key, None))
                    continue
                val = val.strip()
                if len(val) >= 2 and val[0] == val[-1] == '"':
                    val = val[1:-1]
                params.append((key, val))
            result.append((name, params))
    return result


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    if '"' not in text:
        return text.split(sep)
    parts, current, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if quoted:
        raise ValueError("unterminated quoted string")
    parts.append("".join(current))
    return parts


def negotiate(values: Iterable[str], options: DeflateOptions) -> PerMessageDeflate | None:
    """Accept the client's first acceptable permessage-deflate offer (RFC 7692 §5.1, §7.1); the response header
    value is the result's ``response``. Offers with unknown, repeated or out-of-range parameters are skipped."""
    try:
        offers = parse_extensions(values)
    except ValueError:
        return None
    for name, params in offers:
        if name != "permessage-deflate":
            continue
        accepted = _accept(params, options)
        if accepted is not None:
            return accepted
    return None


def _accept(params: list[tuple[str, str | None]], options: DeflateOptions) -> PerMessageDeflate | None:
    seen: set[str] = set()
    server_nct = options.server_no_context_takeover
    client_nct = options.client_no_context_takeover
    server_bits = options.server_max_window_bits
    client_bits: int | None = None  # None: the client cannot take a window limit, so we must not send one
    for key, value in params:
        if key in seen:
            return None  # §7: a parameter given twice declines the offer
        seen.add(key)
        if key == "server_no_context_takeover":
            if value is not None:
                return None
            server_nct = True
        elif key == "client_no_context_takeover":
            # The client's hint that it resets its compressor anyway (RFC 7692 §7.1.1.2): the server "may either
            # ignore the parameter or use" it. Not echoed, as aiohttp does not; DeflateOptions asks for it.
            if value is not None:
                return None
        elif key == "server_max_window_bits":
            bits = _window_bits(value)
            if bits is None:
                return None
            server_bits = min(server_bits, bits)
        elif key == "client_max_window_bits":
            if value is None:
                client_bits = options.client_max_window_bits
            else:
                bits = _window_bits(value)
                if bits is None:
                    return None
                client_bits = min(options.client_max_window_bits, bits)
        else:
            return None
    response = ["permessage-deflate"]
    if server_nct:
        response.append("server_no_context_takeover")
    if client_nct:
        response.append("client_no_context_takeover")
    if server_bits < 15 or "server_max_window_bits" in seen:
        response.append(f"server_max_window_bits={server_bits}")
    if client_bits is not None and client_bits < 15:
        response.append(f"client_max_window_bits={client_bits}")
    return PerMessageDeflate(
        server_no_context_takeover=server_nct,
        server_max_window_bits=server_bits,
        level=options.level,
        min_size=options.min_size,
        response="; ".join(response),
    )


def _window_bits(value: str | None) -> int | None:
    # RFC 7692 §7.1.2: a decimal integer 8-15 without leading zeros.
    if value is None or not value.isdigit() or value.startswith("0") or len(value) > 2:
        return None
    bits = int(value)
    return bits if 8 <= bits <= 15 else None

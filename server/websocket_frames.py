"""WebSocket wire vocabulary (RFC 6455 §5): opcodes, messages, close codes, the codec's errors, masking and frame
encoding. Pure functions and constants; the state machine that uses them lives in :mod:`server.websocket`.

Errors, each naming the rule the peer broke and carrying the close code that answers it::

    WebSocketError                      close_code
    ├── ProtocolError                   1002 (§7.4.1)
    │   ├── UnmaskedFrame               a client frame without the mask bit (§5.1)
    │   ├── ReservedBitsSet             RSV1-3 set without an extension that defines them (§5.2)
    │   ├── ReservedOpcode              opcodes 3-7 and 11-15 (§5.2)
    │   ├── FragmentedControlFrame      a control frame with FIN clear (§5.5)
    │   ├── ControlFrameTooLong         a control frame payload over 125 bytes (§5.5)
    │   ├── UnexpectedContinuation      a continuation frame with no message to continue (§5.4)
    │   ├── ExpectedContinuation        a new data frame while a fragmented message is unfinished (§5.4)
    │   ├── BadFrameLength              a 64-bit length with the most significant bit set (§5.2)
    │   ├── BadClosePayload             a close payload of exactly one byte (§5.5.1)
    │   └── InvalidCloseCode            1005, 1006, 1015, reserved or unassigned codes (§7.4)
    ├── InvalidUTF8                     1007: a text message or close reason that is not UTF-8 (§8.1)
    ├── BadCompressedData               1007: a permessage-deflate payload that does not inflate (RFC 7692 §8)
    └── MessageTooBig                   1009: a message over ``max_msg_size``, compressed or not (§7.4.1)
"""

from __future__ import annotations

import enum
import json
import struct
from collections import namedtuple
from collections.abc import Callable
from typing import Any

__all__ = [
    "OP_BINARY",
    "OP_CLOSE",
    "OP_CONTINUATION",
    "OP_PING",
    "OP_PONG",
    "OP_TEXT",
    "BadClosePayload",
    "BadCompressedData",
    "BadFrameLength",
    "ControlFrameTooLong",
    "ExpectedContinuation",
    "FragmentedControlFrame",
    "InvalidCloseCode",
    "InvalidUTF8",
    "Message",
    "MessageTooBig",
    "ProtocolError",
    "ReservedBitsSet",
    "ReservedOpcode",
    "UnexpectedContinuation",
    "UnmaskedFrame",
    "WSCloseCode",
    "WSMsgType",
    "WebSocketError",
    "apply_mask",
    "close_payload",
    "encode_frame",
    "is_valid_close_code",
    "mask_function",
    "parse_close_payload",
]

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA


class WSMsgType(enum.IntEnum):
    """Message types: the data and control opcodes, plus the pseudo-types a receiver sees around closing (the
    values are aiohttp's, so code comparing ``msg.type`` with either library's constants keeps working)."""

    CONTINUATION = OP_CONTINUATION
    TEXT = OP_TEXT
    BINARY = OP_BINARY
    PING = OP_PING
    PONG = OP_PONG
    CLOSE = OP_CLOSE
    CLOSING = 0x100
    CLOSED = 0x101
    ERROR = 0x102

    # aiohttp's lower-case aliases, which its quickstart and examples compare with (``WSMsgType.text``).
    text = TEXT
    binary = BINARY
    ping = PING
    pong = PONG
    close = CLOSE
    closing = CLOSING
    closed = CLOSED
    error = ERROR


class WSCloseCode(enum.IntEnum):
    """Close codes (RFC 6455 §7.4.1 and the IANA registry)."""

    OK = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    NO_STATUS_RECEIVED = 1005  # never on the wire: "the close frame had no code"
    ABNORMAL_CLOSURE = 1006  # never on the wire: "the connection dropped without a close frame"
    INVALID_TEXT = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014


class Message(namedtuple("Message", ["tp", "data", "extra"])):
    """One received message: ``tp`` (a :class:`WSMsgType`), ``data`` (``str`` for TEXT, ``bytes`` for BINARY,
    PING and PONG, the close code for CLOSE, the exception for ERROR) and ``extra`` (the close reason)."""

    __slots__ = ()

    @property
    def type(self) -> WSMsgType:
        """``tp`` under its aiohttp 3 name."""
        return self[0]  # type: ignore[no-any-return]

    def json(self, *, loads: Any = json.loads) -> Any:
        """The payload parsed as JSON."""
        return loads(self[1])


# -- errors ------------------------------------------------------------------------------------------------------


class WebSocketError(Exception):
    """Base of the codec's errors: the peer broke a rule; ``close_code`` is the code the connection closes with."""

    close_code = 1002

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProtocolError(WebSocketError):
    """The peer broke a framing rule of RFC 6455 (close code 1002)."""

    close_code = 1002


class UnmaskedFrame(ProtocolError):
    """A client sent a frame without masking it (RFC 6455 §5.1)."""


class ReservedBitsSet(ProtocolError):
    """RSV bits set that no negotiated extension defines (RFC 6455 §5.2)."""


class ReservedOpcode(ProtocolError):
    """An opcode that RFC 6455 reserves (§5.2)."""


class FragmentedControlFrame(ProtocolError):
    """A control frame without FIN (RFC 6455 §5.5)."""


class ControlFrameTooLong(ProtocolError):
    """A control frame payload over 125 bytes (RFC 6455 §5.5)."""


class UnexpectedContinuation(ProtocolError):
    """A continuation frame while no fragmented message is in progress (RFC 6455 §5.4)."""


class ExpectedContinuation(ProtocolError):
    """A new text or binary frame while a fragmented message is unfinished (RFC 6455 §5.4)."""


class BadFrameLength(ProtocolError):
    """A 64-bit payload length with its most significant bit set (RFC 6455 §5.2)."""


class BadClosePayload(ProtocolError):
    """A close frame payload of exactly one byte: half a close code (RFC 6455 §5.5.1)."""


class InvalidCloseCode(ProtocolError):
    """A close code that must not be sent: below 1000, 1004-1006, 1015, 1016-2999 or 5000 and above (§7.4)."""


class InvalidUTF8(WebSocketError):
    """A text message or a close reason that is not valid UTF-8 (RFC 6455 §8.1; close code 1007)."""

    close_code = 1007


class BadCompressedData(WebSocketError):
    """A permessage-deflate payload that does not inflate (RFC 7692 §8; close code 1007)."""

    close_code = 1007


class MessageTooBig(WebSocketError):
    """A message larger than ``max_msg_size``, counted after decompression (close code 1009)."""

    close_code = 1009


# -- masking -----------------------------------------------------------------------------------------------------


def _apply_mask_int(data: bytes, mask: bytes) -> bytes:
    """XOR ``data`` with the repeated 4-byte ``mask`` as one big-integer operation (no per-byte Python loop)."""
    n = len(data)
    if not n:
        return b""
    key = int.from_bytes((mask * ((n >> 2) + 1))[:n], "little")
    return (int.from_bytes(data, "little") ^ key).to_bytes(n, "little")


def _load_mask() -> Any:
    """websockets' C helper if it is installed, else :func:`_apply_mask_int`."""
    try:
        # websockets' C helper XORs eight bytes at a time: measured 1.9 us vs 358 us for int.from_bytes on 64 KiB,
        # 0.09 us vs 0.63 us on 64 B (``python bench/ws_echo.py --mask``). Optional: without it the
        # pure-Python fallback is correct, only slower.
        from websockets.speedups import apply_mask as c_apply_mask
    except ImportError:  # pragma: no cover - depends on the environment
        return _apply_mask_int
    return c_apply_mask


_mask_impl: Any = None


def mask_function() -> Callable[[bytes, bytes], bytes]:
    """The function :func:`apply_mask` calls, for a caller that unmasks every frame of a connection: calling it
    directly saves a Python call per frame. Loads it the first time (see :func:`apply_mask`)."""
    global _mask_impl
    if _mask_impl is None:
        _mask_impl = _load_mask()
    return _mask_impl


def apply_mask(data: bytes, mask: bytes) -> bytes:
    """XOR ``data`` with the repeated 4-byte ``mask`` (RFC 6455 §5.3).

    Importing ``websockets`` (for its C helper) costs each worker about 0.6 MiB and the import time, so it happens
    at the first masked frame (or the first websocket connection, :func:`mask_function`), not when the codec is
    imported: most workers never see a websocket.
    """
    global _mask_impl
    if _mask_impl is None:
        _mask_impl = _load_mask()
    return _mask_impl(data, mask)


# -- encoding ----------------------------------------------------------------------------------------------------

_pack_16 = struct.Struct("!BBH").pack
_pack_64 = struct.Struct("!BBQ").pack


def encode_frame(
    opcode: int, payload: bytes, *, fin: bool = True, rsv1: bool = False, mask: bytes | None = None
) -> bytes:
    """One frame, ready for the wire. Servers send unmasked frames (§5.1); ``mask`` is for tests playing client."""
    b0 = opcode | (0x80 if fin else 0) | (0x40 if rsv1 else 0)
    n = len(payload)
    masked = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes((b0, n | masked))
    elif n < 65536:
        head = _pack_16(b0, 126 | masked, n)
    else:
        head = _pack_64(b0, 127 | masked, n)
    if mask is not None:
        return head + mask + apply_mask(payload, mask)
    return head + payload


def is_valid_close_code(code: int) -> bool:
    """May ``code`` appear in a close frame? (RFC 6455 §7.4.1-2 and the IANA registry, 1012-1014 included.)"""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def close_payload(code: int | None, reason: str | bytes = b"") -> bytes:
    """The payload of a close frame: a 2-byte code and a UTF-8 reason, or nothing when ``code`` is None/1005."""
    if code is None or code == 1005:
        return b""
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    if len(reason) > 123:
        raise ValueError("a close reason is at most 123 bytes (the control frame limit is 125)")
    return code.to_bytes(2, "big") + reason


def parse_close_payload(payload: bytes) -> tuple[int, str]:
    """``(code, reason)`` of a received close frame; 1005 when it carries no code. Raises the codec's errors."""
    n = len(payload)
    if n == 0:
        return 1005, ""
    if n == 1:
        raise BadClosePayload("close frame payload of one byte")
    code = int.from_bytes(payload[:2], "big")
    if not is_valid_close_code(code):
        raise InvalidCloseCode(f"invalid close code {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidUTF8("close reason is not valid UTF-8") from None
    return code, reason

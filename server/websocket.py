"""The WebSocket protocol, server side, sans-IO (RFC 6455 with RFC 7692 compression).

:class:`WebSocketConnection` is fed the bytes that arrive after the 101 answer and returns the messages they
complete; it never touches a socket or an event loop, so it is tested and fuzzed on byte strings alone. The
I/O layer (:mod:`server.websocket_channel`) owns the transport and follows this call contract:

- ``events = conn.receive_data(data)``, then write ``conn.data_to_send()`` (close replies and the close frame
  that fails the connection are produced by the codec itself). PING, PONG, TEXT, BINARY, CLOSE and ERROR
  messages come out; answering pings is the caller's choice (aiohttp's ``autoping``). The caller may delay
  ``data_to_send()`` until its application has handled the messages that came before a CLOSE or ERROR: until
  the close frame is handed out, messages may still be sent, and they precede it on the wire (a peer that
  sends a message and then breaks a rule in the same segment still gets its echo: Autobahn 3.2, 5.15).
- ``conn.send_text(str)``, ``send_binary(bytes)``, ``send_ping``, ``send_pong`` and ``send_close`` return the
  frame bytes to write.
- When ``conn.state`` is CLOSED the TCP connection should be closed, the server first (RFC 6455 §7.1.1); after
  a failure (``conn.failure`` is set) half-close it and discard input, as §7.1.7 asks, until the peer closes.
- ``conn.receive_eof()`` when the peer's half of the TCP connection ends.

Every state transition of the close handshake lives in this table (RFC 6455 §7)::

    state    event                       next     output
    OPEN     peer's close frame          CLOSED   our close frame, echoing the peer's code (§5.5.1) [*]
    OPEN     send_close()                CLOSING  our close frame
    OPEN     peer broke a rule           CLOSED   close frame with the rule's code (1002/1007/1009) [*]; failure
    CLOSING  peer's close frame          CLOSED   -
    CLOSING  data, ping, pong            CLOSING  delivered; the caller may drop them (§5.5.1 lets it)
    CLOSING  peer broke a rule           CLOSED   failure set, no second close frame
    CLOSED   any bytes                   CLOSED   discarded: nothing may follow a close frame (§5.5.1)
    any      receive_eof()               CLOSED   close_code 1006 unless a close frame was received (§7.1.5)

    [*] through data_to_send(); ``close_sent`` is set when it hands the frame out.

Frames are parsed as they arrive. A data frame's payload is unmasked and consumed in whatever pieces TCP
delivers, so UTF-8 errors are found in the first piece that holds them (Autobahn 6.4.x checks this), memory
is bounded by ``max_msg_size`` counted on the declared lengths before any payload is buffered, and only partial
frame headers and partial control frames (at most 139 bytes) are ever kept between calls.
"""

from __future__ import annotations

import codecs
import struct

from .websocket_deflate import DeflateOptions as DeflateOptions
from .websocket_deflate import PerMessageDeflate as PerMessageDeflate
from .websocket_deflate import negotiate as negotiate_deflate
from .websocket_frames import OP_BINARY, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT, mask_function
from .websocket_frames import BadClosePayload as BadClosePayload
from .websocket_frames import BadCompressedData as BadCompressedData
from .websocket_frames import BadFrameLength as BadFrameLength
from .websocket_frames import ControlFrameTooLong as ControlFrameTooLong
from .websocket_frames import ExpectedContinuation as ExpectedContinuation
from .websocket_frames import FragmentedControlFrame as FragmentedControlFrame
from .websocket_frames import InvalidCloseCode as InvalidCloseCode
from .websocket_frames import InvalidUTF8 as InvalidUTF8
from .websocket_frames import Message as Message
from .websocket_frames import MessageTooBig as MessageTooBig
from .websocket_frames import ProtocolError as ProtocolError
from .websocket_frames import ReservedBitsSet as ReservedBitsSet
from .websocket_frames import ReservedOpcode as ReservedOpcode
from .websocket_frames import UnexpectedContinuation as UnexpectedContinuation
from .websocket_frames import UnmaskedFrame as UnmaskedFrame
from .websocket_frames import WebSocketError as WebSocketError
from .websocket_frames import WSCloseCode as WSCloseCode
from .websocket_frames import WSMsgType as WSMsgType
from .websocket_frames import apply_mask as apply_mask
from .websocket_frames import close_payload as close_payload
from .websocket_frames import encode_frame as encode_frame
from .websocket_frames import parse_close_payload as parse_close_payload
from .websocket_handshake import HandshakeError as HandshakeError
from .websocket_handshake import accept_key as accept_key
from .websocket_handshake import check_request as check_request
from .websocket_handshake import choose_protocol as choose_protocol
from .websocket_handshake import offered_protocols as offered_protocols

__all__ = [
    "CLOSED",
    "CLOSING",
    "OPEN",
    "DeflateOptions",
    "HandshakeError",
    "Message",
    "PerMessageDeflate",
    "WSCloseCode",
    "WSMsgType",
    "WebSocketConnection",
    "WebSocketError",
    "accept_key",
    "check_request",
    "choose_protocol",
    "encode_frame",
    "negotiate_deflate",
    "offered_protocols",
]

OPEN = 1
CLOSING = 2
CLOSED = 3

_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_new_message = tuple.__new__  # Message(...) without the namedtuple's Python-level __new__ on the hot path
_Utf8Decoder = codecs.getincrementaldecoder("utf-8")
_NO_LIMIT = 1 << 62
#: The two-byte heads of unmasked TEXT frames with FIN and a 7-bit length (RFC 6455 §5.2), by payload length.
_TEXT_HEADS = [bytes((0x80 | OP_TEXT, n)) for n in range(126)]
#: The same for BINARY frames.
_BINARY_HEADS = [bytes((0x80 | OP_BINARY, n)) for n in range(126)]
#: The head of a frame with a 16-bit length: (first byte, 126, length).
_pack_16 = struct.Struct("!BBH").pack


class WebSocketConnection:
    """One WebSocket connection's protocol state, server side. See the module docstring for the call contract.

    ``max_msg_size``: largest message accepted, after decompression (0: no limit); a larger one fails the
    connection with 1009. ``deflate``: the negotiated permessage-deflate state, or None. ``require_mask``: a
    server must refuse unmasked frames (RFC 6455 §5.1); tests may turn it off. ``decode_text``: TEXT messages
    come out as str (True) or as their UTF-8 bytes (False); either way invalid UTF-8 fails the connection with
    1007, as RFC 6455 §8.1 requires.
    """

    __slots__ = (
        "_buf",
        "_close_pending",
        "_decoder",
        "_discard",
        "_frame_fin",
        "_idle",
        "_mask",
        "_mask_off",
        "_msg_compressed",
        "_msg_op",
        "_out",
        "_parts",
        "_remaining",
        "_require_mask",
        "_size",
        "_unmask",
        "close_code",
        "close_reason",
        "close_sent",
        "decode_text",
        "deflate",
        "failure",
        "max_msg_size",
        "state",
    )

    def __init__(
        self,
        *,
        max_msg_size: int = 4 * 1024 * 1024,
        deflate: PerMessageDeflate | None = None,
        require_mask: bool = True,
        decode_text: bool = True,
    ) -> None:
        self.state = OPEN
        self.decode_text = decode_text
        self.max_msg_size = max_msg_size
        self.deflate = deflate
        #: The code and reason of the peer's close frame (1005: it had none; 1006: the TCP connection ended first).
        self.close_code: int | None = None
        self.close_reason = ""
        #: The code of the close frame we sent, if any.
        self.close_sent: int | None = None
        #: The rule the peer broke, when the codec failed the connection.
        self.failure: WebSocketError | None = None
        self._require_mask = require_mask
        # apply_mask's implementation, called directly: one Python call less per frame.
        self._unmask = mask_function()
        self._buf = b""
        self._out: list[bytes] = []
        self._close_pending: int | None = None
        self._discard = False
        #: Nothing pending: no partial frame or message, not closed (receive_frame's precondition, kept by
        #: receive_general and receive_eof, the only methods that change what it sums up).
        self._idle = True
        # The data frame whose payload is arriving.
        self._remaining = 0
        self._mask: bytes | None = None
        self._mask_off = 0
        self._frame_fin = False
        # The (possibly fragmented) message being assembled.
        self._msg_op = 0
        self._msg_compressed = False
        self._parts: list[str] | list[bytes] = []
        self._size = 0
        self._decoder: codecs.IncrementalDecoder | None = None

    def __repr__(self) -> str:
        state = {OPEN: "OPEN", CLOSING: "CLOSING", CLOSED: "CLOSED"}[self.state]
        return f"<WebSocketConnection {state} close_code={self.close_code}>"

    # -- receiving ---------------------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> list[Message]:
        """Parse bytes received from the peer; return the messages they complete, in order. Never raises for bad
        input: a broken rule ends the list with an ERROR message (its ``data`` is the :class:`WebSocketError`),
        queues the failing close frame and moves to CLOSED. Afterwards write :meth:`data_to_send`."""
        msg = self.receive_frame(data)
        if msg is not None:
            return [msg]
        return self.receive_general(data)

    def receive_frame(self, data: bytes) -> Message | None:
        """The fast path of :meth:`receive_data`, for the request/response pattern of a chat or an RPC: when
        ``data`` is exactly one whole masked TEXT or BINARY frame with FIN, no RSV bit and a 7- or 16-bit length,
        and nothing is pending (no partial frame, no fragmented message, not closed), return its message, exactly
        as :meth:`receive_general` would, without touching any state. Otherwise (another shape, or a payload that
        breaks a rule: invalid UTF-8, over ``max_msg_size``) return None and change nothing: the caller then
        calls :meth:`receive_general` with the same bytes, which handles every case, errors included."""
        n = len(data)
        if n < 6 or not self._idle:
            return None
        b0 = data[0]
        if b0 != 0x81 and b0 != 0x82:  # FIN, no RSV bit (§5.2), TEXT or BINARY: a whole, uncompressed message
            return None
        length = data[1] - 0x80  # negative when the mask bit is clear: such a frame takes the general path
        if length == 126 and n >= 8:
            length = (data[2] << 8) | data[3]
            if n != length + 8:
                return None
            mask = data[4:8]
            payload = data[8:]
        elif length < 126 and n == length + 6:
            mask = data[2:6]
            payload = data[6:]
        else:
            return None
        max_size = self.max_msg_size
        if max_size and length > max_size:
            return None
        if length:
            payload = self._unmask(payload, mask)
        if b0 == 0x82:
            return _new_message(Message, (_BINARY, payload, None))
        try:
            text = payload.decode()  # UTF-8; without arguments to parse
        except UnicodeDecodeError:
            return None
        return _new_message(Message, (_TEXT, text if self.decode_text else payload, None))

    def receive_general(self, data: bytes) -> list[Message]:
        """:meth:`receive_data` for any bytes: every frame shape, fragmentation, control frames, compression and
        the errors (see :meth:`receive_frame` for the fast path in front of it)."""
        if self._discard:
            return []
        if self._buf:
            data = self._buf + data
            self._buf = b""
        events: list[Message] = []
        try:
            self._parse(data, events)
        except WebSocketError as exc:
            self._fail(exc, events)
        finally:
            self._idle = not (self._buf or self._remaining or self._msg_op or self._discard)
        return events

    def receive_eof(self) -> None:
        """The peer closed its side of the TCP connection."""
        if self.close_code is None:
            self.close_code = WSCloseCode.ABNORMAL_CLOSURE
        self.state = CLOSED
        self._discard = True
        self._idle = False

    def data_to_send(self) -> bytes:
        """Bytes the codec produced on its own (close replies, the close frame of a failure); clears them."""
        if not self._out:
            return b""
        # The codec only ever produces a close frame itself: from now on it is sent.
        self.close_sent = self._close_pending
        out = b"".join(self._out)
        self._out.clear()
        return out

    def _parse(self, data: bytes, events: list[Message]) -> None:
        n = len(data)
        pos = 0
        max_size = self.max_msg_size or _NO_LIMIT
        while pos < n:
            remaining = self._remaining
            if remaining:
                end = pos + remaining if pos + remaining < n else n
                self._remaining = remaining - (end - pos)
                self._payload(data[pos:end], events)
                pos = end
                continue
            if n - pos < 2:
                break
            # The first two bytes decide every framing rule, so a broken frame fails before the rest arrives.
            b0 = data[pos]
            b1 = data[pos + 1]
            opcode = b0 & 0x0F
            length = b1 & 0x7F
            if b0 & 0x70 and (b0 & 0x30 or self.deflate is None or opcode not in (OP_TEXT, OP_BINARY)):
                raise ReservedBitsSet(f"reserved bits set: {b0 & 0x70:#x} on opcode {opcode}")
            if opcode >= OP_CLOSE:
                if opcode > OP_PONG:
                    raise ReservedOpcode(f"reserved opcode {opcode}")
                if not b0 & 0x80:
                    raise FragmentedControlFrame("fragmented control frame")
                if length > 125:
                    raise ControlFrameTooLong("control frame payload over 125 bytes")
            elif opcode == 0:
                if not self._msg_op:
                    raise UnexpectedContinuation("continuation frame without a message to continue")
            elif opcode > OP_BINARY:
                raise ReservedOpcode(f"reserved opcode {opcode}")
            elif self._msg_op:
                raise ExpectedContinuation("new data frame inside a fragmented message")
            masked = b1 & 0x80
            if not masked and self._require_mask:
                raise UnmaskedFrame("client frame is not masked")
            if length < 126:
                start = pos + 2
            elif length == 126:
                if n - pos < 4:
                    break
                length = (data[pos + 2] << 8) | data[pos + 3]
                start = pos + 4
            else:
                if n - pos < 10:
                    break
                length = int.from_bytes(data[pos + 2 : pos + 10], "big")
                if length >> 63:
                    raise BadFrameLength("64-bit payload length with the high bit set")
                start = pos + 10
            if opcode < OP_CLOSE and not (b0 & 0x40 or self._msg_compressed) and self._size + length > max_size:
                raise MessageTooBig(f"message over {max_size} bytes")
            if masked:
                if n - start < 4:
                    break
                mask: bytes | None = data[start : start + 4]
                start += 4
            else:
                mask = None
            end = start + length
            if opcode >= OP_CLOSE:
                if end > n:
                    break
                payload = data[start:end]
                pos = end
                self._control(opcode, self._unmask(payload, mask) if mask else payload, events)
                if self._discard:
                    return
                continue
            fin = b0 & 0x80
            if opcode:
                if fin and not b0 & 0x40 and end <= n:
                    # The common case: a whole unfragmented, uncompressed message is at hand.
                    payload = data[start:end]
                    if mask:
                        payload = self._unmask(payload, mask)
                    pos = end
                    if opcode == OP_TEXT:
                        try:
                            text = payload.decode()  # UTF-8
                        except UnicodeDecodeError:
                            raise InvalidUTF8("text message is not valid UTF-8") from None
                        events.append(_new_message(Message, (_TEXT, text if self.decode_text else payload, None)))
                    else:
                        events.append(_new_message(Message, (_BINARY, payload, None)))
                    continue
                self._msg_op = opcode
                self._msg_compressed = bool(b0 & 0x40)
                self._size = 0
                self._parts = []
                if opcode == OP_TEXT:
                    if self._decoder is None:
                        self._decoder = _Utf8Decoder()
                    else:
                        self._decoder.reset()
            self._frame_fin = bool(fin)
            self._mask = mask
            self._mask_off = 0
            pos = start
            if length:
                self._remaining = length
            else:
                self._payload(b"", events)
        if pos < n:
            self._buf = data[pos:]

    def _payload(self, chunk: bytes, events: list[Message]) -> None:
        """A piece of the current data frame's payload (the last one when ``_remaining`` is 0)."""
        mask = self._mask
        if mask is not None and chunk:
            off = self._mask_off
            if off:
                mask = mask[off:] + mask[:off]
            chunk = self._unmask(chunk, mask)
            self._mask_off = (off + len(chunk)) & 3
        final = not self._remaining and self._frame_fin
        if self._msg_compressed:
            limit = (self.max_msg_size or _NO_LIMIT) - self._size
            chunk = self.deflate.decompress(chunk, limit, final)  # type: ignore[union-attr]
        self._size += len(chunk)
        parts = self._parts
        if self._msg_op == OP_TEXT:
            decoder = self._decoder
            try:
                text = decoder.decode(chunk, final)  # type: ignore[union-attr]
            except UnicodeDecodeError:
                raise InvalidUTF8("text message is not valid UTF-8") from None
            if not final:
                # CPython's decoder waits for the third byte of ED A0..BF, but no third byte can make a UTF-16
                # surrogate valid: fail now, as Autobahn 6.x's fail-fast cases expect.
                pending = decoder.getstate()[0]  # type: ignore[union-attr]
                if len(pending) > 1 and pending[0] == 0xED and pending[1] >= 0xA0:
                    raise InvalidUTF8("text message holds a UTF-16 surrogate")
            if not self.decode_text:
                # Decoded only to be validated (§8.1); the message keeps its bytes.
                if chunk:
                    parts.append(chunk)  # type: ignore[arg-type]
            elif text:
                parts.append(text)  # type: ignore[arg-type]
        elif chunk:
            parts.append(chunk)  # type: ignore[arg-type]
        if final:
            if self._msg_op == OP_TEXT and self.decode_text:
                message = _new_message(Message, (_TEXT, "".join(parts), None))  # type: ignore[arg-type]
            elif self._msg_op == OP_TEXT:
                message = _new_message(Message, (_TEXT, b"".join(parts), None))  # type: ignore[arg-type]
            else:
                message = _new_message(Message, (_BINARY, b"".join(parts), None))  # type: ignore[arg-type]
            self._msg_op = 0
            self._msg_compressed = False
            self._parts = []
            self._size = 0
            events.append(message)

    def _control(self, opcode: int, payload: bytes, events: list[Message]) -> None:
        if opcode == OP_PING:
            events.append(_new_message(Message, (WSMsgType.PING, payload, None)))
        elif opcode == OP_PONG:
            events.append(_new_message(Message, (WSMsgType.PONG, payload, None)))
        else:
            code, reason = parse_close_payload(payload)
            self.close_code = code
            self.close_reason = reason
            if self.state == OPEN:
                # Echo the code (§5.5.1); the reason was the peer's to give, not ours to repeat.
                self._out.append(encode_frame(OP_CLOSE, payload[:2]))
                self._close_pending = code
            self.state = CLOSED
            self._discard = True
            events.append(_new_message(Message, (WSMsgType.CLOSE, code, reason)))

    def _fail(self, exc: WebSocketError, events: list[Message]) -> None:
        """_Fail the WebSocket Connection_ (RFC 6455 §7.1.7): send the close frame if we have not, stop reading."""
        self.failure = exc
        if self.state == OPEN:
            self._out.append(encode_frame(OP_CLOSE, close_payload(exc.close_code)))
            self._close_pending = exc.close_code
        if self.close_code is None:
            self.close_code = exc.close_code
        self.state = CLOSED
        self._discard = True
        self._buf = b""
        events.append(_new_message(Message, (WSMsgType.ERROR, exc, None)))

    # -- sending -----------------------------------------------------------------------------------------------

    def send_text(self, text: str, compress: bool = True) -> bytes:
        """The frame carrying a TEXT message (compressed when the extension is on, unless ``compress`` is off)."""
        data = text.encode()  # UTF-8; without arguments to parse
        if self.deflate is None and self.close_sent is None:
            # send_data()'s frame without its calls, for the uncompressed messages of a chat or an RPC.
            n = len(data)
            if n < 126:
                return _TEXT_HEADS[n] + data
            if n < 65536:
                return _pack_16(0x80 | OP_TEXT, 126, n) + data
        return self.send_data(OP_TEXT, data, compress)

    def send_binary(self, data: bytes, compress: bool = True) -> bytes:
        """The frame carrying a BINARY message (compressed when the extension is on, unless ``compress`` is off)."""
        if self.deflate is None and self.close_sent is None:
            n = len(data)  # as in send_text()
            if n < 126:
                return _BINARY_HEADS[n] + data
            if n < 65536:
                return _pack_16(0x80 | OP_BINARY, 126, n) + data
        return self.send_data(OP_BINARY, data, compress)

    def send_data(self, opcode: int, data: bytes, compress: bool = True) -> bytes:
        """The frame carrying a message of ``opcode`` (OP_TEXT, whose ``data`` is UTF-8 already, or OP_BINARY)."""
        if self.close_sent is not None:
            raise RuntimeError("cannot send a message after the close frame")
        deflate = self.deflate
        if deflate is not None and compress and len(data) >= deflate.min_size:
            return encode_frame(opcode, deflate.compress(data), rsv1=True)
        n = len(data)
        if n < 126:
            return bytes((0x80 | opcode, n)) + data
        return encode_frame(opcode, data)

    def send_ping(self, data: bytes = b"") -> bytes:
        """A PING frame (payload at most 125 bytes)."""
        return self._send_control(OP_PING, data)

    def send_pong(self, data: bytes = b"") -> bytes:
        """A PONG frame (payload at most 125 bytes)."""
        return self._send_control(OP_PONG, data)

    def _send_control(self, opcode: int, data: bytes) -> bytes:
        if len(data) > 125:
            raise ValueError("control frame payload is at most 125 bytes")
        if self.close_sent is not None:
            raise RuntimeError("cannot send a frame after the close frame")
        return encode_frame(opcode, data)

    def send_close(self, code: int | None = 1000, reason: str | bytes = b"") -> bytes:
        """Our close frame; empty bytes when one was already sent (the handshake then only waits for the peer)."""
        if self.close_sent is not None or self.state == CLOSED:
            return b""
        frame = encode_frame(OP_CLOSE, close_payload(code, reason))
        self.close_sent = code if code is not None else WSCloseCode.NO_STATUS_RECEIVED
        self.state = CLOSING
        return frame

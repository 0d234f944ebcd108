"""The codec against raw client frames, one row per case, grouped as the Autobahn testsuite groups them:
framing, ping/pong, reserved bits, opcodes, fragmentation, UTF-8, close codes and reasons, limits, compression.

Each row is fed three ways (whole, one byte at a time, and followed by the start of another frame) and must give
the same messages and the same close frame on the wire.
"""

from __future__ import annotations

import zlib

import pytest

from server.websocket import CLOSED, OPEN, WebSocketConnection, WSMsgType
from server.websocket_deflate import PerMessageDeflate
from server.websocket_frames import (
    BadClosePayload,
    BadCompressedData,
    BadFrameLength,
    ControlFrameTooLong,
    ExpectedContinuation,
    FragmentedControlFrame,
    InvalidCloseCode,
    InvalidUTF8,
    MessageTooBig,
    ReservedBitsSet,
    ReservedOpcode,
    UnexpectedContinuation,
    UnmaskedFrame,
    encode_frame,
)

TEXT, BINARY, PING, PONG, CLOSE, ERROR = (
    WSMsgType.TEXT,
    WSMsgType.BINARY,
    WSMsgType.PING,
    WSMsgType.PONG,
    WSMsgType.CLOSE,
    WSMsgType.ERROR,
)
MASK = b"\x37\xfa\x21\x3d"
LIMIT = 1024  # max_msg_size of the rows in the "limits" group


def f(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv: int = 0) -> bytes:
    """A masked client frame; ``rsv`` is the three RSV bits as a number 0-7 (RSV1 = 4)."""
    frame = bytearray(encode_frame(opcode, payload, fin=fin, mask=MASK))
    frame[0] |= rsv << 4
    return bytes(frame)


def raw(b0: int, b1: int, rest: bytes = b"") -> bytes:
    return bytes((b0, b1)) + rest


def deflated(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return (c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]


def close_frame(code: int | None) -> bytes:
    """The close frame the server sends (unmasked)."""
    return encode_frame(0x8, b"" if code is None else code.to_bytes(2, "big"))


def closing(code: int, reason: bytes = b"") -> bytes:
    return f(0x8, code.to_bytes(2, "big") + reason)


SHORT = "Hello, world!"
KOSME = "κόσμε"

# (id, input bytes, expected messages [(type, data)], expected bytes from the codec, options)
# ERROR messages are written (ERROR, exception class); for a CLOSE message data is (code, reason).
# A table reads best one row per case:
# fmt: off
CASES = [
    # -- framing (Autobahn 1.x) --------------------------------------------------------------------------------
    ("1.1.1 text, empty", f(1), [(TEXT, "")], b"", {}),
    ("1.1.2 text, 125 bytes", f(1, b"*" * 125), [(TEXT, "*" * 125)], b"", {}),
    ("1.1.3 text, 126 bytes (16-bit length)", f(1, b"*" * 126), [(TEXT, "*" * 126)], b"", {}),
    ("1.1.4 text, 127 bytes", f(1, b"*" * 127), [(TEXT, "*" * 127)], b"", {}),
    ("1.1.5 text, 128 bytes", f(1, b"*" * 128), [(TEXT, "*" * 128)], b"", {}),
    ("1.1.6 text, 65535 bytes", f(1, b"*" * 65535), [(TEXT, "*" * 65535)], b"", {}),
    ("1.1.7 text, 65536 bytes (64-bit length)", f(1, b"*" * 65536), [(TEXT, "*" * 65536)], b"", {}),
    ("1.2.1 binary, empty", f(2), [(BINARY, b"")], b"", {}),
    ("1.2.2 binary, 125 bytes", f(2, b"\xfe" * 125), [(BINARY, b"\xfe" * 125)], b"", {}),
    ("1.2.3 binary, 126 bytes", f(2, b"\xfe" * 126), [(BINARY, b"\xfe" * 126)], b"", {}),
    ("1.2.6 binary, 65535 bytes", f(2, b"\xfe" * 65535), [(BINARY, b"\xfe" * 65535)], b"", {}),
    ("1.2.7 binary, 65536 bytes", f(2, b"\xfe" * 65536), [(BINARY, b"\xfe" * 65536)], b"", {}),
    ("1.3 two messages in one segment", f(1, b"a") + f(2, b"b"), [(TEXT, "a"), (BINARY, b"b")], b"", {}),
    ("1.4 unmasked client frame", encode_frame(1, b"x"), [(ERROR, UnmaskedFrame)], close_frame(1002), {}),
    # -- ping/pong (2.x) ---------------------------------------------------------------------------------------
    ("2.1 ping, empty", f(9), [(PING, b"")], b"", {}),
    ("2.2 ping, text payload", f(9, b"Hello"), [(PING, b"Hello")], b"", {}),
    ("2.3 ping, binary payload", f(9, b"\x00\xff\xfe"), [(PING, b"\x00\xff\xfe")], b"", {}),
    ("2.4 ping, 125 bytes", f(9, b"\xfe" * 125), [(PING, b"\xfe" * 125)], b"", {}),
    ("2.5 ping, 126 bytes", f(9, b"\xfe" * 126), [(ERROR, ControlFrameTooLong)], close_frame(1002), {}),
    ("2.6 unsolicited pong", f(10, b"unsolicited"), [(PONG, b"unsolicited")], b"", {}),
    ("2.7 pong then ping", f(10) + f(9, b"p"), [(PONG, b""), (PING, b"p")], b"", {}),
    ("2.8 ten pings", f(9, b"x") * 10, [(PING, b"x")] * 10, b"", {}),
    # -- reserved bits (3.x) -----------------------------------------------------------------------------------
    ("3.1 RSV2 on text", f(1, b"x", rsv=2), [(ERROR, ReservedBitsSet)], close_frame(1002), {}),
    ("3.2 RSV1 on text, no extension", f(1, b"x", rsv=4), [(ERROR, ReservedBitsSet)], close_frame(1002), {}),
    ("3.3 RSV3 after a good message", f(1, b"ok") + f(1, b"x", rsv=1), [(TEXT, "ok"), (ERROR, ReservedBitsSet)],
     close_frame(1002), {}),
    ("3.4 RSV1+RSV3 on binary", f(2, b"x", rsv=5), [(ERROR, ReservedBitsSet)], close_frame(1002), {}),
    ("3.5 all RSV bits on ping", f(9, b"x", rsv=7), [(ERROR, ReservedBitsSet)], close_frame(1002), {}),
    ("3.6 RSV1 on ping with deflate", f(9, b"x", rsv=4), [(ERROR, ReservedBitsSet)], close_frame(1002),
     {"deflate": True}),
    ("3.7 RSV2 with deflate", f(1, b"x", rsv=2), [(ERROR, ReservedBitsSet)], close_frame(1002), {"deflate": True}),
    # -- opcodes (4.x) -----------------------------------------------------------------------------------------
    *[
        (f"4.{op} reserved opcode {op}", f(op, b"x"), [(ERROR, ReservedOpcode)], close_frame(1002), {})
        for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15)
    ],
    ("4.16 reserved opcode after a message", f(1, b"a") + f(5), [(TEXT, "a"), (ERROR, ReservedOpcode)],
     close_frame(1002), {}),
    # -- fragmentation (5.x) -----------------------------------------------------------------------------------
    ("5.1 fragmented ping", f(9, b"a", fin=False), [(ERROR, FragmentedControlFrame)], close_frame(1002), {}),
    ("5.2 fragmented pong", f(10, b"a", fin=False), [(ERROR, FragmentedControlFrame)], close_frame(1002), {}),
    ("5.3 text in two fragments", f(1, b"frag", fin=False) + f(0, b"ment"), [(TEXT, "fragment")], b"", {}),
    ("5.4 binary in three fragments", f(2, b"a", fin=False) + f(0, b"b", fin=False) + f(0, b"c"),
     [(BINARY, b"abc")], b"", {}),
    ("5.5 ping between fragments", f(1, b"a", fin=False) + f(9, b"p") + f(0, b"b"),
     [(PING, b"p"), (TEXT, "ab")], b"", {}),
    ("5.6 pong between fragments", f(1, b"a", fin=False) + f(10) + f(0, b"b"), [(PONG, b""), (TEXT, "ab")], b"", {}),
    ("5.7 empty fragments", f(1, fin=False) + f(0, fin=False) + f(0, b"x") + f(1, fin=False) + f(0),
     [(TEXT, "x"), (TEXT, "")], b"", {}),
    ("5.8 continuation with nothing to continue", f(0, b"x"), [(ERROR, UnexpectedContinuation)],
     close_frame(1002), {}),
    ("5.9 final continuation with nothing to continue", f(0, b"x", fin=False), [(ERROR, UnexpectedContinuation)],
     close_frame(1002), {}),
    ("5.10 text inside an unfinished message", f(1, b"a", fin=False) + f(1, b"b"),
     [(ERROR, ExpectedContinuation)], close_frame(1002), {}),
    ("5.11 binary inside an unfinished text", f(1, b"a", fin=False) + f(2, b"b", fin=False),
     [(ERROR, ExpectedContinuation)], close_frame(1002), {}),
    ("5.12 message, then stray continuation", f(1, b"a") + f(0, b"b"), [(TEXT, "a"), (ERROR, UnexpectedContinuation)],
     close_frame(1002), {}),
    ("5.13 close between fragments", f(1, b"a", fin=False) + closing(1000), [(CLOSE, (1000, ""))],
     close_frame(1000), {}),
    # -- UTF-8 (6.x) -------------------------------------------------------------------------------------------
    ("6.1 valid: κόσμε", f(1, KOSME.encode()), [(TEXT, KOSME)], b"", {}),
    ("6.2 valid: 4-byte code point", f(1, "𝄞".encode()), [(TEXT, "𝄞")], b"", {}),
    ("6.3 valid: U+FFFF and U+10FFFF", f(1, "\uffff\U0010ffff".encode()), [(TEXT, "\uffff\U0010ffff")], b"", {}),
    ("6.4 valid: split inside a code point across fragments", f(1, b"\xce", fin=False) + f(0, b"\xba"),
     [(TEXT, "κ")], b"", {}),
    ("6.5 invalid: lone continuation byte", f(1, b"\x80"), [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("6.6 invalid: overlong slash", f(1, b"\xc0\xaf"), [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("6.7 invalid: surrogate", f(1, b"\xed\xa0\x80"), [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("6.8 invalid: above U+10FFFF", f(1, b"\xf4\x90\x80\x80"), [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("6.9 invalid: truncated at the end of the message", f(1, b"\xce"), [(ERROR, InvalidUTF8)],
     close_frame(1007), {}),
    ("6.10 invalid: fails in the first fragment, before the rest", f(1, KOSME.encode() + b"\xf4\x90", fin=False),
     [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("6.11 invalid: surrogate prefix in an unfinished fragment", f(1, b"\xed\xa0", fin=False),
     [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("6.12 invalid UTF-8 in binary is fine", f(2, b"\xc0\xaf"), [(BINARY, b"\xc0\xaf")], b"", {}),
    # -- close (7.x) -------------------------------------------------------------------------------------------
    ("7.1 close without payload", f(8), [(CLOSE, (1005, ""))], close_frame(None), {}),
    ("7.2 close 1000", closing(1000), [(CLOSE, (1000, ""))], close_frame(1000), {}),
    ("7.3 close with a reason", closing(1001, b"bye"), [(CLOSE, (1001, "bye"))], close_frame(1001), {}),
    ("7.4 close with a 123-byte reason", closing(1000, b"*" * 123), [(CLOSE, (1000, "*" * 123))],
     close_frame(1000), {}),
    ("7.5 close payload of one byte", f(8, b"\x03"), [(ERROR, BadClosePayload)], close_frame(1002), {}),
    ("7.6 close reason not UTF-8", closing(1000, b"\xce\xba\xff"), [(ERROR, InvalidUTF8)], close_frame(1007), {}),
    ("7.7 data after close is ignored", closing(1000) + f(1, b"late") + f(9), [(CLOSE, (1000, ""))],
     close_frame(1000), {}),
    ("7.8 message then close", f(1, b"a") + closing(1000), [(TEXT, "a"), (CLOSE, (1000, ""))], close_frame(1000), {}),
    *[
        (f"7.9 valid close code {code}", closing(code), [(CLOSE, (code, ""))], close_frame(code), {})
        for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999)
    ],
    *[
        (f"7.10 invalid close code {code}", closing(code), [(ERROR, InvalidCloseCode)], close_frame(1002), {})
        for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535)
    ],
    # -- limits ------------------------------------------------------------------------------------------------
    ("8.1 message at the limit", f(2, b"x" * LIMIT), [(BINARY, b"x" * LIMIT)], b"", {"max": LIMIT}),
    ("8.2 declared length over the limit fails before the payload", f(2, b"x" * (LIMIT + 1))[:8],
     [(ERROR, MessageTooBig)], close_frame(1009), {"max": LIMIT}),
    ("8.3 fragments summing over the limit", f(2, b"x" * 1000, fin=False) + f(0, b"x" * 100),
     [(ERROR, MessageTooBig)], close_frame(1009), {"max": LIMIT}),
    ("8.4 64-bit length with the high bit set", raw(0x82, 0xFF, b"\x80" + b"\x00" * 7 + MASK),
     [(ERROR, BadFrameLength)], close_frame(1002), {}),
    ("8.5 no limit when max_msg_size is 0", f(2, b"x" * 70000), [(BINARY, b"x" * 70000)], b"", {"max": 0}),
    ("8.6 control frame with a 16-bit length field", raw(0x89, 0xFE, b"\x00\x05" + MASK + b"hello"),
     [(ERROR, ControlFrameTooLong)], close_frame(1002), {}),
    # -- compression (12.x, 13.x) ------------------------------------------------------------------------------
    ("9.1 compressed text", f(1, deflated(b"Hello" * 100), rsv=4), [(TEXT, "Hello" * 100)], b"", {"deflate": True}),
    ("9.2 compressed binary in fragments", f(2, deflated(b"\x00" * 3000)[:3], fin=False, rsv=4)
     + f(0, deflated(b"\x00" * 3000)[3:]), [(BINARY, b"\x00" * 3000)], b"", {"deflate": True}),
    ("9.3 uncompressed message on a deflate connection", f(1, b"plain"), [(TEXT, "plain")], b"", {"deflate": True}),
    ("9.4 data that does not inflate", f(2, b"\xff\xff\xff\xff", rsv=4), [(ERROR, BadCompressedData)],
     close_frame(1007), {"deflate": True}),
    ("9.5 inflates past the limit (zip bomb)", f(2, deflated(b"\x00" * 100_000), rsv=4), [(ERROR, MessageTooBig)],
     close_frame(1009), {"deflate": True, "max": LIMIT}),
    ("9.6 RSV1 on a continuation frame", f(1, deflated(b"ab"), fin=False, rsv=4) + f(0, b"", rsv=4),
     [(ERROR, ReservedBitsSet)], close_frame(1002), {"deflate": True}),
    ("9.7 compressed text that is not UTF-8", f(1, deflated(b"\xc0\xaf"), rsv=4), [(ERROR, InvalidUTF8)],
     close_frame(1007), {"deflate": True}),
]
# fmt: on


def new_conn(options: dict) -> WebSocketConnection:
    deflate = PerMessageDeflate() if options.get("deflate") else None
    return WebSocketConnection(max_msg_size=options.get("max", 4 * 1024 * 1024), deflate=deflate)


def feed(conn: WebSocketConnection, chunks: list[bytes]) -> list:
    events = []
    for chunk in chunks:
        events += conn.receive_data(chunk)
    return events


def normalise(events: list) -> list:
    out = []
    for msg in events:
        if msg.tp is ERROR:
            out.append((ERROR, type(msg.data)))
        elif msg.tp is CLOSE:
            out.append((CLOSE, (msg.data, msg.extra)))
        else:
            out.append((msg.tp, msg.data))
    return out


def ways(data: bytes) -> dict[str, list[bytes]]:
    # The trailing data is the start of another frame: it must neither produce a message nor disturb the case.
    return {
        "whole": [data],
        "bytewise": [data[i : i + 1] for i in range(len(data))],
        "trailing": [data + f(1, b"next message")[:5]],
    }


def test_the_table_has_at_least_sixty_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("way", ["whole", "bytewise", "trailing"])
@pytest.mark.parametrize(("data", "expected", "sent", "options"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_frames(way, data, expected, sent, options):
    if way == "bytewise" and len(data) > 5000:
        # One byte at a time through 64 KiB is slow and adds nothing: feed 1000-byte pieces plus the header bytewise.
        chunks = [data[i : i + 1] for i in range(14)] + [data[i : i + 1000] for i in range(14, len(data), 1000)]
    else:
        chunks = ways(data)[way]
    conn = new_conn(options)
    events = feed(conn, chunks)
    assert normalise(events) == expected
    assert conn.data_to_send() == sent
    terminal = expected and expected[-1][0] in (ERROR, CLOSE)
    assert conn.state == (CLOSED if terminal else OPEN)
    if expected and expected[-1][0] is ERROR:
        assert conn.failure is not None
        assert conn.close_sent == conn.failure.close_code

"""The websocket codec's fast path (``WebSocketConnection.receive_frame``) against its general path
(``receive_general``): the same bytes, cut the same way, give the same messages, the same bytes to send, and the
same state, for every frame shape: masked payloads of many lengths (0 to 70,000, the 7/16/64-bit length edges
included), fragmented messages with control frames between the fragments, compressed messages, invalid UTF-8
(1007), messages over the limit (1009), unmasked frames and reserved bits (1002).
(tests/web/test_websocket_fastpath_io.py runs the same comparison through a real server.)"""

from __future__ import annotations

import random
import zlib

import pytest

from server.websocket import PerMessageDeflate, WebSocketConnection, WSMsgType
from server.websocket_frames import WebSocketError, encode_frame

MASK = b"\x37\xfa\x21\x3d"
LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 63, 64, 65, 124, 125, 126, 127, 128, 255, 256, 1000, 4096, 65534, 65535, 65536]
LENGTHS += [65537, 70000]


def f(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv1: bool = False, mask: bytes | None = MASK) -> bytes:
    return encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=mask)


def deflated(*messages: bytes) -> list[bytes]:
    """Each message compressed as a client does (RFC 7692 §7.2.1: one context, the trailing 00 00 ff ff cut)."""
    c = zlib.compressobj(wbits=-15)
    return [(c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH))[:-4] for m in messages]


def text(n: int) -> bytes:
    """``n`` bytes of valid UTF-8 with multi-byte characters in it (whole characters only)."""
    chars = "aé€😀"
    out = bytearray()
    i = 0
    while len(out) < n:
        c = chars[i % 4].encode()
        out += c if len(out) + len(c) <= n else b"z"
        i += 1
    return bytes(out)


def normalise(events: list) -> list:
    """ERROR messages carry an exception instance: compare its type, message and close code instead."""
    out = []
    for msg in events:
        if msg.tp is WSMsgType.ERROR:
            exc = msg.data
            assert isinstance(exc, WebSocketError)
            out.append((msg.tp, type(exc), exc.message, exc.close_code))
        else:
            out.append((msg.tp, type(msg.data), msg.data, msg.extra))
    return out


def run(chunks: list[bytes], *, general: bool, deflate: bool = False, **kwargs: object) -> tuple:
    """Feed ``chunks`` one call each to a new connection; everything observable after each call."""
    conn = WebSocketConnection(deflate=PerMessageDeflate() if deflate else None, **kwargs)  # type: ignore[arg-type]
    steps = []
    fast = 0
    for chunk in chunks:
        if general:
            events = conn.receive_general(chunk)
        else:
            fast += conn.receive_frame(chunk) is not None
            events = conn.receive_data(chunk)
        steps.append((normalise(events), conn.data_to_send(), conn.state, conn.close_code, conn.close_reason))
    failure = type(conn.failure) if conn.failure else None
    return steps, failure, conn.close_sent, fast


def same(chunks: list[bytes], **kwargs: object) -> int:
    """Assert both paths agree on ``chunks``; return how many chunks the fast path took."""
    general = run(chunks, general=True, **kwargs)
    fast = run(chunks, general=False, **kwargs)
    assert fast[:3] == general[:3]
    return fast[3]


def cuts(stream: bytes, seed: int) -> list[list[bytes]]:
    """The stream whole, and cut at random places (a few cuts, and many)."""
    rng = random.Random(seed)
    out = [[stream]]
    for count in (3, 40):
        points = sorted(rng.sample(range(1, len(stream)), min(count, len(stream) - 1))) if len(stream) > 1 else []
        out.append([stream[a:b] for a, b in zip([0, *points], [*points, len(stream)], strict=True)])
    return out


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("opcode", [1, 2])
def test_one_masked_message_per_call(length, opcode):
    payload = text(length) if opcode == 1 else bytes(range(256)) * (length // 256) + bytes(length % 256)
    frames = [f(opcode, payload), f(opcode, payload[::-1] if opcode == 2 else payload), f(8, b"\x03\xe8bye")]
    taken = same(frames)
    # Whole frames with 7- and 16-bit lengths are the fast path's; 64-bit ones and the close frame are not.
    assert taken == (2 if length < 65536 else 0)


@pytest.mark.parametrize("length", LENGTHS)
def test_text_as_bytes_and_under_a_limit(length):
    frames = [f(1, text(length)), f(2, b"x" * length)]
    assert same(frames, decode_text=False) == (2 if length < 65536 else 0)
    # At the limit, over it by one (1009), and no limit at all (0).
    assert same(frames, max_msg_size=length) == (2 if length < 65536 else 0)
    if length:
        same(frames, max_msg_size=length - 1)
    same(frames, max_msg_size=0)


@pytest.mark.parametrize("length", [1, 2, 3, 64, 125, 126, 1000, 65535])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_invalid_utf8_closes_with_1007_on_both_paths(length, where):
    bad = b"\xc3\x28"  # a lead byte followed by a non-continuation byte
    body = text(max(0, length - 2))
    payload = {"start": bad + body, "middle": body[: len(body) // 2] + bad + body[len(body) // 2 :], "end": body + bad}
    frames = [f(1, b"before"), f(1, payload[where]), f(1, b"after")]
    events, to_send = run(frames, general=False)[0][1][:2]
    assert events[-1][0] is WSMsgType.ERROR and events[-1][3] == 1007
    assert to_send == b"\x88\x02\x03\xef"  # the close frame with 1007
    same(frames)


def test_a_surrogate_and_truncated_utf8():
    for payload in (b"\xed\xa0\x80", b"\xe2\x82", b"\xff", b"ok\xf0\x9f\x98"):
        same([f(1, payload), f(1, b"next")])


def test_fragmented_messages_with_control_frames_between_the_fragments():
    body = text(3000)
    stream = [
        f(1, body[:1000], fin=False),
        f(9, b"ping 1"),
        f(0, body[1000:2000], fin=False),
        f(10, b"pong"),
        f(9, b""),
        f(0, body[2000:]),
        f(1, b"whole"),
        f(2, b"\x00" * 200, fin=False),
        f(0, b"\x01" * 70000),
        f(9, b"p" * 125),
        f(2, b"after"),
        f(8, b"\x03\xe9going away"),
        f(1, b"dropped after the close"),
    ]
    assert same(stream) == 2  # "whole" and "after"; nothing after the close frame is parsed
    for chunks in cuts(b"".join(stream), 1):
        same(chunks)


def test_every_cut_of_a_short_stream():
    """One message per frame on the fast path, then the same stream cut at every byte (general path inside
    receive_data), then one byte at a time."""
    stream = [f(1, b"hello"), f(9, b"x"), f(2, bytes(130)), f(1, text(20)), f(8, b"\x03\xe8")]
    whole = b"".join(stream)
    expected = [m for step in run(stream, general=True)[0] for m in step[0]]
    for cut in range(1, len(whole)):
        chunks = [whole[:cut], whole[cut:]]
        same(chunks)
        got = [m for step in run(chunks, general=False)[0] for m in step[0]]
        assert got == expected
    same([whole[i : i + 1] for i in range(len(whole))])


@pytest.mark.parametrize("length", [0, 1, 100, 125, 126, 5000, 65536, 70000])
def test_compressed_messages_interleaved_with_plain_ones(length):
    a, b, c = text(length), bytes(range(256)) * (length // 256 + 1), b"plain"
    ca, cb = deflated(a, b)
    stream = [f(1, ca, rsv1=True), f(1, c), f(2, cb, rsv1=True), f(2, c), f(1, a)]
    taken = same(stream, deflate=True)
    assert taken == (3 if length < 65536 else 2)  # the uncompressed whole frames
    events = [m for step in run(stream, general=False, deflate=True)[0] for m in step[0]]
    assert [m[2] for m in events] == [a.decode(), c.decode(), b, c, a.decode()]
    for chunks in cuts(b"".join(stream), length):
        same(chunks, deflate=True)


def test_compressed_fragments_and_a_bad_compressed_payload():
    ca, cb = deflated(b"x" * 3000, b"y" * 10)
    same([f(2, ca[:10], fin=False, rsv1=True), f(9, b"between"), f(0, ca[10:]), f(1, b"then")], deflate=True)
    same([f(2, b"\xff\xff\xff\xff", rsv1=True), f(1, b"never")], deflate=True)  # does not inflate: 1007
    same([f(2, cb, rsv1=True), f(1, b"x" * 20)], deflate=True, max_msg_size=10)  # 1009 after inflating


@pytest.mark.parametrize(
    "frame",
    [
        f(1, b"unmasked", mask=None),
        f(1, b"rsv1 without deflate", rsv1=True),
        bytes((0xA1, 0x80 | 3)) + MASK + b"abc",  # RSV2
        bytes((0x83, 0x80 | 3)) + MASK + b"abc",  # reserved opcode 3
        f(0, b"continuation of nothing"),
        f(9, b"p" * 126)[:2] + b"",  # a ping claiming 126 bytes
        bytes((0x89, 0xFF)) + (1 << 63).to_bytes(8, "big"),  # a 64-bit length with the high bit set
        f(8, b"\x03"),  # half a close code
        f(8, b"\x03\xed"),  # 1005 on the wire
        f(8, b"\x03\xe8\xff"),  # a close reason that is not UTF-8
    ],
)
def test_frames_that_break_a_rule(frame):
    same([f(1, b"first"), frame, f(1, b"never")])
    same([f(1, b"first") + frame + f(1, b"never")])


def test_sixteen_bit_lengths_under_126():
    """A 16-bit length that a 7-bit one could carry is read as it is, on both paths."""
    for n in (0, 5, 125, 126, 300):
        masked = encode_frame(1, text(n), mask=MASK)[len(encode_frame(1, text(n), mask=MASK)) - n :]
        frame = bytes((0x81, 0x80 | 126)) + n.to_bytes(2, "big") + MASK + masked
        assert same([frame, f(1, b"next")]) == 2
        assert run([frame], general=False)[0][0][0] == [(WSMsgType.TEXT, str, text(n).decode(), None)]


def test_frames_after_the_connection_closed_or_ended():
    for stream in ([f(8, b"\x03\xe8"), f(1, b"late")], [f(1, b"\xff"), f(1, b"late")]):
        same(stream)
    conn = WebSocketConnection()
    conn.receive_eof()
    assert conn.receive_frame(f(1, b"after the end")) is None
    assert conn.receive_data(f(1, b"after the end")) == []


def test_a_partial_frame_keeps_the_fast_path_off_until_it_completes():
    conn = WebSocketConnection()
    frame = f(1, b"split")
    assert conn.receive_data(frame[:3]) == []
    assert conn.receive_frame(f(1, b"whole")) is None  # bytes are pending: the general path must take them
    events = conn.receive_data(frame[3:] + f(1, b"whole"))
    assert [m.data for m in events] == ["split", "whole"]
    assert conn.receive_frame(f(1, b"again")).data == "again"


def test_random_streams():
    rng = random.Random(16)
    for _ in range(150):
        frames = []
        fragmenting = False
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            n = rng.choice([0, 1, 50, 125, 126, 127, 300, 65535, 65536]) if rng.random() < 0.3 else rng.randint(0, 200)
            if kind < 0.15:
                frames.append(f(rng.choice([9, 10]), bytes(min(n, 125))))
            elif kind < 0.3 and not fragmenting:
                frames.append(f(rng.choice([1, 2]), text(n), fin=False))
                fragmenting = True
            elif kind < 0.45 and fragmenting:
                fin = rng.random() < 0.5
                frames.append(f(0, text(n), fin=fin))
                fragmenting = not fin
            elif kind < 0.5:
                frames.append(f(1, text(n)[:-1] + b"\xff" if n else b"\xff"))
            else:
                frames.append(f(rng.choice([1, 2]), text(n)))
        same(frames, max_msg_size=rng.choice([0, 100, 4 * 1024 * 1024]))

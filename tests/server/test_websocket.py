"""The sans-IO websocket codec, on bytes alone: the close handshake's states, sending, masking, UTF-8 split at
every byte, decompression limits, the opening handshake checks, permessage-deflate negotiation, and a fuzz test.
(The raw-frame table is in test_websocket_frames.py.)"""

from __future__ import annotations

import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from server.websocket import (
    CLOSED,
    CLOSING,
    OPEN,
    DeflateOptions,
    PerMessageDeflate,
    WebSocketConnection,
    WSMsgType,
    accept_key,
    check_request,
    choose_protocol,
    negotiate_deflate,
    offered_protocols,
)
from server.websocket_deflate import parse_extensions
from server.websocket_frames import (
    OP_BINARY,
    OP_TEXT,
    InvalidUTF8,
    MessageTooBig,
    WebSocketError,
    _apply_mask_int,
    apply_mask,
    close_payload,
    encode_frame,
)
from server.websocket_handshake import (
    BadHandshakeHttpVersion,
    BadHandshakeMethod,
    BadWebSocketKey,
    MissingConnectionUpgrade,
    MissingUpgradeHeader,
    UnsupportedWebSocketVersion,
)

MASK = b"\x01\x02\x03\x04"


def f(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv1: bool = False) -> bytes:
    return encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=MASK)


def decode_server_frames(data: bytes) -> list[tuple[int, bytes]]:
    """Parse unmasked server frames (playing the client), inflating RSV1 ones with one client-side context."""
    frames, inflater = [], zlib.decompressobj(wbits=-15)
    while data:
        b0, b1 = data[0], data[1]
        n, pos = b1 & 0x7F, 2
        if n == 126:
            n, pos = int.from_bytes(data[2:4], "big"), 4
        elif n == 127:
            n, pos = int.from_bytes(data[2:10], "big"), 10
        payload = data[pos : pos + n]
        if b0 & 0x40:
            payload = inflater.decompress(payload + b"\x00\x00\xff\xff")
        frames.append((b0 & 0x0F, payload))
        data = data[pos + n :]
    return frames


# -- the close handshake -----------------------------------------------------------------------------------------


def test_server_initiated_close():
    conn = WebSocketConnection()
    frame = conn.send_close(1000, "done")
    assert frame == b"\x88\x06\x03\xe8done"
    assert conn.state == CLOSING
    assert conn.close_sent == 1000
    # Data still arriving is delivered (the caller may drop it), then the peer's close ends the handshake.
    events = conn.receive_data(f(1, b"late") + f(8, b"\x03\xe8"))
    assert [m.tp for m in events] == [WSMsgType.TEXT, WSMsgType.CLOSE]
    assert conn.state == CLOSED
    assert conn.data_to_send() == b""  # no second close frame


def test_send_close_twice_sends_once():
    conn = WebSocketConnection()
    assert conn.send_close()
    assert conn.send_close() == b""


def test_peer_close_is_echoed_without_the_reason():
    conn = WebSocketConnection()
    conn.receive_data(f(8, b"\x0f\xa0going"))
    assert (conn.close_code, conn.close_reason) == (4000, "going")
    assert conn.data_to_send() == b"\x88\x02\x0f\xa0"


def test_messages_sent_before_the_close_reply_is_taken_precede_it():
    conn = WebSocketConnection()
    events = conn.receive_data(f(1, b"echo me") + f(8, b"\x03\xe8"))
    assert conn.state == CLOSED and conn.close_sent is None
    echo = conn.send_text(events[0].data)
    assert conn.data_to_send() == b"\x88\x02\x03\xe8"
    assert conn.close_sent == 1000
    assert decode_server_frames(echo) == [(1, b"echo me")]
    with pytest.raises(RuntimeError):
        conn.send_text("too late")


def test_eof_without_close_is_1006():
    conn = WebSocketConnection()
    conn.receive_data(f(1, b"par")[:4])
    conn.receive_eof()
    assert conn.state == CLOSED
    assert conn.close_code == 1006


def test_eof_after_close_keeps_the_code():
    conn = WebSocketConnection()
    conn.receive_data(f(8, b"\x03\xe9"))
    conn.receive_eof()
    assert conn.close_code == 1001


def test_failure_while_closing_sends_no_second_close():
    conn = WebSocketConnection()
    conn.send_close()
    events = conn.receive_data(f(3))
    assert events[-1].tp is WSMsgType.ERROR
    assert conn.data_to_send() == b""
    assert conn.state == CLOSED


def test_input_after_a_failure_is_discarded():
    conn = WebSocketConnection()
    conn.receive_data(f(1, b"\xff"))
    assert conn.failure is not None
    assert conn.receive_data(f(1, b"fine")) == []


# -- sending -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 100_000])
def test_send_lengths(size):
    conn = WebSocketConnection()
    payload = os.urandom(size)
    assert decode_server_frames(conn.send_binary(payload)) == [(2, payload)]
    assert decode_server_frames(conn.send_text("é" * (size // 2))) == [(1, ("é" * (size // 2)).encode())]


@pytest.mark.parametrize("size", [0, 1, 2, 64, 124, 125, 126, 127, 300, 65535, 65536, 70000])
def test_uncompressed_frames_built_inline_have_encode_frames_bytes(size):
    conn = WebSocketConnection()
    payload = os.urandom(size)
    text = "a" * size
    assert conn.send_binary(payload) == conn.send_data(OP_BINARY, payload) == encode_frame(OP_BINARY, payload)
    assert conn.send_text(text) == conn.send_data(OP_TEXT, text.encode()) == encode_frame(OP_TEXT, text.encode())
    conn.send_close()
    for send, data in ((conn.send_binary, payload), (conn.send_text, text)):
        with pytest.raises(RuntimeError):
            send(data)


def test_control_frames_are_limited_to_125_bytes():
    conn = WebSocketConnection()
    assert conn.send_ping(b"x" * 125)[:2] == b"\x89\x7d"
    assert conn.send_pong(b"") == b"\x8a\x00"
    with pytest.raises(ValueError):
        conn.send_ping(b"x" * 126)
    with pytest.raises(ValueError):
        close_payload(1000, "x" * 124)


def test_compressed_sends_round_trip_with_context_takeover():
    conn = WebSocketConnection(deflate=PerMessageDeflate())
    texts = ["hello " * 50, "hello " * 50, "", "abc"]
    frames = [conn.send_text(text) for text in texts]
    assert all(frame[0] == 0xC1 for frame in frames)  # FIN + RSV1 + text
    # The second copy costs a few bytes: it refers back to the first (context takeover).
    assert len(frames[1]) < 10 < len(frames[0])
    assert [p.decode() for _, p in decode_server_frames(b"".join(frames))] == texts
    assert conn.send_text("not compressed", compress=False)[0] == 0x81


def test_no_context_takeover_resets_the_compressor():
    deflate = PerMessageDeflate(server_no_context_takeover=True)
    first, second = deflate.compress(b"repeat " * 20), deflate.compress(b"repeat " * 20)
    assert first == second  # the second message owes nothing to the first
    for payload in (first, second):
        assert zlib.decompressobj(wbits=-15).decompress(payload + b"\x00\x00\xff\xff") == b"repeat " * 20


def test_eight_bit_window_is_honoured():
    deflate = PerMessageDeflate(server_max_window_bits=8)
    data = os.urandom(200) * 5  # repeats at distance 200: reachable in a 256-byte window, not beyond
    out = zlib.decompressobj(wbits=-8).decompress(deflate.compress(data) + b"\x00\x00\xff\xff")
    assert out == data


# -- masking -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 64, 1000, 65536])
def test_mask_implementations_agree(size):
    data, mask = os.urandom(size), os.urandom(4)
    expected = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    assert _apply_mask_int(data, mask) == expected
    assert apply_mask(data, mask) == expected


def test_payload_split_at_any_offset_unmasks_right():
    payload = os.urandom(300)
    frame = f(2, payload)
    for cut in range(len(frame)):
        conn = WebSocketConnection()
        events = conn.receive_data(frame[:cut]) + conn.receive_data(frame[cut:])
        assert [m.data for m in events] == [payload]


# -- UTF-8 -------------------------------------------------------------------------------------------------------

TEXTS = ["κόσμε", "𝄞 music", "a€b", "\U0010ffff\uffff"]


@pytest.mark.parametrize("text", TEXTS)
def test_valid_utf8_split_at_every_byte_across_fragments(text):
    data = text.encode()
    for cut in range(len(data) + 1):
        conn = WebSocketConnection()
        events = conn.receive_data(f(1, data[:cut], fin=False) + f(0, data[cut:]))
        assert [(m.tp, m.data) for m in events] == [(WSMsgType.TEXT, text)]


@pytest.mark.parametrize("bad", [b"\xce\xba\xff", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"a\x80"])
def test_invalid_utf8_fails_in_the_piece_that_holds_it(bad):
    """Fail fast (Autobahn 6.4.x): the error comes as soon as the bytes that make it invalid arrive, whether the
    message is fragmented or a single frame still arriving."""
    prefix = "κόσμε".encode()
    payload = prefix + bad + b"tail that never matters" * 10
    frame = f(1, payload)
    head = len(frame) - len(payload)
    conn = WebSocketConnection()
    # Everything up to and including the bad bytes, but not the rest of the frame.
    events = conn.receive_data(frame[: head + len(prefix) + len(bad)])
    assert events and isinstance(events[-1].data, InvalidUTF8)
    assert conn.data_to_send() == b"\x88\x02\x03\xef"


# -- limits ------------------------------------------------------------------------------------------------------


def test_decompression_stops_at_the_limit():
    bomb = zlib.compressobj(wbits=-15)
    payload = (bomb.compress(b"\x00" * 50_000_000) + bomb.flush(zlib.Z_SYNC_FLUSH))[:-4]
    conn = WebSocketConnection(max_msg_size=1 << 20, deflate=PerMessageDeflate())
    events = conn.receive_data(f(2, payload, rsv1=True))
    assert isinstance(events[-1].data, MessageTooBig)
    assert conn.data_to_send() == b"\x88\x02\x03\xf1"


def test_compressed_fragments_count_towards_the_limit():
    c = zlib.compressobj(wbits=-15)
    part1 = c.compress(b"a" * 600) + c.flush(zlib.Z_SYNC_FLUSH)
    part2 = (c.compress(b"b" * 600) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    conn = WebSocketConnection(max_msg_size=1000, deflate=PerMessageDeflate())
    events = conn.receive_data(f(2, part1, fin=False, rsv1=True) + f(0, part2))
    assert isinstance(events[-1].data, MessageTooBig)


# -- fuzz --------------------------------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=40), st.booleans())
def test_arbitrary_bytes_never_raise(data, step, deflate):
    """Whatever arrives, the codec answers with messages, or with one ERROR naming a WebSocketError, never an
    exception."""
    conn = WebSocketConnection(max_msg_size=200, deflate=PerMessageDeflate() if deflate else None, require_mask=False)
    events = []
    for i in range(0, len(data), step):
        events += conn.receive_data(data[i : i + step])
    errors = [m for m in events if m.tp is WSMsgType.ERROR]
    assert len(errors) <= 1
    if errors:
        assert events[-1] is errors[0]
        assert isinstance(errors[0].data, WebSocketError)
        assert conn.state == CLOSED
    conn.data_to_send()
    conn.receive_eof()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2, 8, 9, 10]), st.binary(max_size=130), st.booleans()), max_size=8))
def test_arbitrary_frame_sequences_never_raise(frames):
    data = b"".join(f(op, payload, fin=fin) for op, payload, fin in frames)
    conn = WebSocketConnection()
    events = conn.receive_data(data)
    assert all(m.tp in WSMsgType for m in events)


# -- the opening handshake ---------------------------------------------------------------------------------------

GOOD = {
    "Upgrade": "websocket",
    "Connection": "keep-alive, Upgrade",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


def test_accept_key_of_rfc_6455_section_1_3():
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_good_request():
    assert check_request("GET", (1, 1), CIMultiDict(GOOD)) == "dGhlIHNhbXBsZSBub25jZQ=="


@pytest.mark.parametrize("version", ["7", "8"])
def test_hybi_draft_versions_are_accepted(version):
    # The hybi-07/-08 drafts' handshake and framing are RFC 6455's; aiohttp accepts them too (RFC 6455 §4.4).
    headers = CIMultiDict({**GOOD, "Sec-WebSocket-Version": version})
    assert check_request("GET", (1, 1), headers) == "dGhlIHNhbXBsZSBub25jZQ=="


@pytest.mark.parametrize(
    ("method", "version", "change", "error"),
    [
        ("POST", (1, 1), {}, BadHandshakeMethod),
        ("GET", (1, 0), {}, BadHandshakeHttpVersion),
        ("GET", (1, 1), {"Upgrade": "h2c"}, MissingUpgradeHeader),
        ("GET", (1, 1), {"Upgrade": None}, MissingUpgradeHeader),
        ("GET", (1, 1), {"Connection": "keep-alive"}, MissingConnectionUpgrade),
        ("GET", (1, 1), {"Sec-WebSocket-Version": "12"}, UnsupportedWebSocketVersion),
        ("GET", (1, 1), {"Sec-WebSocket-Version": "6"}, UnsupportedWebSocketVersion),
        ("GET", (1, 1), {"Sec-WebSocket-Version": None}, UnsupportedWebSocketVersion),
        ("GET", (1, 1), {"Sec-WebSocket-Key": None}, BadWebSocketKey),
        ("GET", (1, 1), {"Sec-WebSocket-Key": "not base64!"}, BadWebSocketKey),
        ("GET", (1, 1), {"Sec-WebSocket-Key": "c2hvcnQ="}, BadWebSocketKey),
    ],
)
def test_bad_requests(method, version, change, error):
    headers = CIMultiDict({k: v for k, v in {**GOOD, **change}.items() if v is not None})
    with pytest.raises(error) as info:
        check_request(method, version, headers)
    assert info.value.message
    if error is UnsupportedWebSocketVersion:
        assert ("Sec-WebSocket-Version", "13, 8, 7") in info.value.headers


def test_tokens_are_case_insensitive_and_may_repeat():
    headers = CIMultiDict(GOOD)
    headers["Upgrade"] = "WebSocket"
    del headers["Connection"]
    headers.add("Connection", "keep-alive")
    headers.add("Connection", "UPGRADE")
    assert check_request("GET", (1, 1), headers)


def test_subprotocol_follows_the_client_s_preference():
    # The client's offer, in its order across fields (RFC 6455 §4.1), as aiohttp chooses.
    headers = CIMultiDict({"Sec-WebSocket-Protocol": "chat, superchat"})
    headers.add("Sec-WebSocket-Protocol", "v2")
    assert choose_protocol(headers, ("v2", "chat")) == "chat"
    assert choose_protocol(headers, ("superchat", "v2")) == "superchat"
    assert choose_protocol(headers, ("v2",)) == "v2"
    assert choose_protocol(headers, ("other",)) is None
    assert choose_protocol(CIMultiDict(), ("chat",)) is None
    assert offered_protocols(headers) == ["chat", "superchat", "v2"]
    assert offered_protocols(CIMultiDict()) == []


# -- permessage-deflate negotiation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer", "options", "response"),
    [
        ("permessage-deflate", {}, "permessage-deflate"),
        ("permessage-deflate; client_max_window_bits", {}, "permessage-deflate"),
        ("permessage-deflate; client_max_window_bits", {"client_max_window_bits": 10},
         "permessage-deflate; client_max_window_bits=10"),
        ("permessage-deflate; server_no_context_takeover", {}, "permessage-deflate; server_no_context_takeover"),
        # The client's hint (RFC 7692 §7.1.1.2), accepted and not echoed, as by aiohttp; the options ask for it.
        ("permessage-deflate; client_no_context_takeover", {}, "permessage-deflate"),
        ("permessage-deflate; client_no_context_takeover=1", {}, None),
        ("permessage-deflate", {"server_no_context_takeover": True, "client_no_context_takeover": True},
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
        ("permessage-deflate; server_max_window_bits=9", {}, "permessage-deflate; server_max_window_bits=9"),
        ('permessage-deflate; server_max_window_bits="12"', {}, "permessage-deflate; server_max_window_bits=12"),
        ("permessage-deflate", {"server_max_window_bits": 11}, "permessage-deflate; server_max_window_bits=11"),
        ("permessage-deflate; server_max_window_bits=16", {}, None),
        ("permessage-deflate; server_max_window_bits=09", {}, None),
        ("permessage-deflate; server_max_window_bits", {}, None),
        ("permessage-deflate; server_no_context_takeover=1", {}, None),
        ("permessage-deflate; unknown_param", {}, None),
        ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", {}, None),
        ("x-webkit-deflate-frame", {}, None),
        # The first acceptable offer wins (RFC 7692 §5.1).
        ("permessage-deflate; bogus, permessage-deflate; server_max_window_bits=10", {},
         "permessage-deflate; server_max_window_bits=10"),
        ("permessage-deflate; server_max_window_bits=10, permessage-deflate", {},
         "permessage-deflate; server_max_window_bits=10"),
    ],
)  # fmt: skip
def test_negotiation(offer, options, response):
    result = negotiate_deflate([offer], DeflateOptions(**options))
    assert (result.response if result else None) == response


def test_extension_header_parsing():
    assert parse_extensions(['foo; a=1; b="x,y", bar', "baz"]) == [
        ("foo", [("a", "1"), ("b", "x,y")]),
        ("bar", []),
        ("baz", []),
    ]
    with pytest.raises(ValueError):
        parse_extensions(['foo; a="open'])


def test_deflate_options_are_checked():
    with pytest.raises(ValueError):
        DeflateOptions(server_max_window_bits=7)


def test_repr_names_the_state():
    conn = WebSocketConnection()
    assert "OPEN" in repr(conn)
    assert conn.state == OPEN

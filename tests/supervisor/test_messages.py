"""The worker -> master pipe protocol, fed whole, one byte at a time, and with trailing data."""

from __future__ import annotations

import pytest

from supervisor.messages import PIPE_LIMIT, Beat, BootFailed, Decoder, Ready, encode

MESSAGES = [Ready(), Beat(12, 34_000_000), BootFailed(4, "cannot import 'x': no module named 'x'")]
STREAM = b"".join(encode(m) for m in MESSAGES)


def feed_whole(data):
    return Decoder().feed(data)


def feed_bytewise(data):
    decoder = Decoder()
    out = []
    for i in range(len(data)):
        out.extend(decoder.feed(data[i : i + 1]))
    return out


def feed_with_trailing(data):
    decoder = Decoder()
    out = decoder.feed(data + b'{"t":"beat","req')
    assert decoder.feed(b'uests":1,"rss":2}\n') == [Beat(1, 2)]
    return out


@pytest.mark.parametrize("feed", [feed_whole, feed_bytewise, feed_with_trailing])
def test_round_trip(feed):
    assert feed(STREAM) == MESSAGES


def test_every_line_is_atomic_on_a_pipe():
    line = encode(BootFailed(3, "x" * 10_000 + "\nsecond line"))
    assert len(line) < PIPE_LIMIT and line.count(b"\n") == 1


@pytest.mark.parametrize("junk", [b"garbage\n", b'{"t":"unknown"}\n', b'{"t":"beat"}\n', b"[]\n"])
def test_unknown_or_malformed_lines_are_skipped(junk):
    assert Decoder().feed(junk + encode(Ready())) == [Ready()]


def test_a_line_that_never_ends_is_dropped():
    decoder = Decoder()
    decoder.feed(b"x" * 100_000)
    assert decoder.feed(b"\n" + encode(Ready())) == [Ready()]

"""Property tests of the request path: whatever bytes a client sends, in whatever pieces, the server answers with
well-formed responses or closes, a rejection is the last thing on the connection, and nothing is logged at
WARNING or above (see tests/fuzz/request_harness.py). CI-sized; tests/fuzz/README.md runs the same property for
longer."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from pathlib import Path

import uvloop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
from hostile import echo_app, load_all
from http_client import RawConnection
from request_harness import SERVED, LogCatcher, check, drive, make_factory

CRLF = b"\r\n"
METHODS = [b"GET", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH", b"CONNECT", b"PRI", b"get", b"G\0T", b""]
TARGETS = [b"/", b"/a/b?c=d", b"*", b"http://example.com/x", b"/%zz", b"//", b"/a b", b"/\xff", b"example.com:443"]
VERSIONS = [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/0.9", b"HTTP/1.2", b"HTTP/2.0", b"http/1.1", b"HTTP/1.1 ", b""]
NAMES = [
    b"Host",
    b"Content-Length",
    b"Transfer-Encoding",
    b"Expect",
    b"Connection",
    b"Upgrade",
    b"X-A",
    b"host",
    b"Content-Length ",
    b" Host",
    b"X\0",
    b"",
    b"Trailer",
]
VALUES = [
    b"example.com",
    b"0",
    b"5",
    b"-1",
    b"+5",
    b"5, 5",
    b"99999999999999999999",
    b"chunked",
    b"gzip, chunked",
    b"chunked, gzip",
    b"100-continue",
    b"close",
    b"keep-alive",
    b"upgrade",
    b"websocket",
    b"h2c",
    b"a\rb",
    b"a\nb",
    b"a\0b",
    b"\xff",
    b" ",
    b"",
]
SPECIAL = [b"\r", b"\n", b"\r\n", b"\0", b" ", b"\t", b":", b";", b",", b"\x7f", b"\xff", b"0", b"f", b"\r\n\r\n"]

separator = st.sampled_from([b": ", b":", b" : ", b":\t", b"\t: "])
eol = st.sampled_from([CRLF] * 6 + [b"\n", b"\r", b"\r\r\n"])


@st.composite
def chunked_body(draw) -> bytes:
    parts = []
    for data in draw(st.lists(st.binary(min_size=1, max_size=20), max_size=4)):
        size = draw(
            st.sampled_from(
                [
                    b"%x" % len(data),
                    b"%X" % len(data),
                    b"%x" % (len(data) + 1),
                    b"g",
                    b"-1",
                    b"f" * 17,
                    b"%x;ext=1" % len(data),
                    b"%x " % len(data),
                ]
            )
        )
        parts.append(size + draw(eol) + data + draw(eol))
    trailers = b"".join(
        draw(st.sampled_from([b"T: v\r\n", b"T : v\r\n", b" fold\r\n", b"X\0: y\r\n"]))
        for _ in range(draw(st.integers(0, 2)))
    )
    return b"".join(parts) + b"0" + draw(eol) + trailers + draw(eol)


@st.composite
def request(draw) -> bytes:
    line = b" ".join([draw(st.sampled_from(METHODS)), draw(st.sampled_from(TARGETS)), draw(st.sampled_from(VERSIONS))])
    fields = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.one_of(st.sampled_from(NAMES), st.binary(max_size=8)))
        value = draw(st.one_of(st.sampled_from(VALUES), st.binary(max_size=12)))
        fields.append(name + draw(separator) + value + draw(eol))
    if draw(st.booleans()):
        fields.insert(0, b"Host: example.com\r\n")
    body = draw(st.one_of(st.binary(max_size=30), chunked_body()))
    framing = draw(st.sampled_from([b"", b"Content-Length: %d\r\n" % len(body), b"Transfer-Encoding: chunked\r\n"]))
    return line + draw(eol) + framing + b"".join(fields) + draw(eol) + body


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(b"".join(draw(st.lists(request(), min_size=1, max_size=3))))
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["insert", "delete", "replace", "duplicate"]))
        if op == "insert":
            data[at:at] = draw(st.sampled_from(SPECIAL))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 4))]
        elif op == "replace":
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


# CI-sized and derandomized by default, so CI fails the same way every time; PREFORK_FUZZ_SCALE=40 runs 40 times as
# many inputs, freshly random.
SCALE = int(os.environ.get("PREFORK_FUZZ_SCALE", "1"))
SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None, "derandomize": SCALE == 1}

# Seeds: every case of the corpus, whole.
seeds = st.sampled_from([case.raw for case in load_all() if len(case.raw) < 4096])
payloads = st.one_of(mutated(), seeds, st.binary(max_size=200))


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a] or [b""]


def test_fuzz_in_memory():
    """~500 inputs through the real protocol and web handler on a fake transport (fast: no sockets)."""
    runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    factory = runner.run(_factory(client_max_size=64, max_headers=8, max_field_size=64, max_request_line=128))

    @settings(max_examples=500 * SCALE, **SETTINGS)
    @given(payload=payloads, cuts=st.lists(st.integers(0, 10_000), max_size=4))
    def prop(payload: bytes, cuts: list[int]) -> None:
        with LogCatcher() as logs:
            out, closed = runner.run(drive(factory, _split(payload, cuts)))
        check(out, closed, logs.records, payload)

    try:
        prop()
    finally:
        runner.close()


async def _factory(**kwargs):
    return make_factory(**kwargs)


def test_fuzz_over_a_real_socket():
    """Fewer inputs, over TCP through uvloop's transport, each split as the client wrote it."""
    runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    server = runner.run(_serve())

    @settings(max_examples=60 * SCALE, **SETTINGS)
    @given(payload=payloads, cuts=st.lists(st.integers(0, 10_000), max_size=3))
    def prop(payload: bytes, cuts: list[int]) -> None:
        with LogCatcher() as logs:
            out, closed = runner.run(_over_socket(server.port, _split(payload, cuts)))
        check(out, closed, logs.records, payload)

    try:
        prop()
    finally:
        runner.run(server.close())
        runner.close()


async def _serve():
    from web.pytest_plugin import TestServer

    return await TestServer(echo_app(SERVED), header_timeout=1.0, client_max_size=64).start()


async def _over_socket(port: int, pieces: list[bytes]) -> tuple[bytes, bool]:
    SERVED.clear()
    conn = await RawConnection.open(port)
    try:
        await conn.send(pieces, delay=0.001)
        if conn.transport is not None and not conn.transport.is_closing():
            conn.transport.write_eof()
        closed = await conn.wait_closed(3.0)
        return bytes(conn.data), closed
    finally:
        conn.close()

"""FlowControlStreamReader on bytes alone: reads, limits, flow control and the lazy 100 Continue."""

from __future__ import annotations

import asyncio

import pytest

from server.errors import PayloadTooLarge
from server.streams import FlowControlStreamReader


class Flow:
    def __init__(self) -> None:
        self.events: list[str] = []

    def pause_body(self) -> None:
        self.events.append("pause")

    def resume_body(self) -> None:
        self.events.append("resume")

    def send_continue(self) -> None:
        self.events.append("continue")


def _stream(flow=None, **kw) -> FlowControlStreamReader:
    return FlowControlStreamReader(flow, asyncio.get_running_loop(), **kw)


def _feed_three_ways(data: bytes):
    """Whole, one byte at a time, and in two halves."""
    yield [data]
    yield [data[i : i + 1] for i in range(len(data))]
    yield [data[: len(data) // 2], data[len(data) // 2 :]]


@pytest.mark.parametrize("pieces", list(_feed_three_ways(b"line one\nline two\nrest")))
async def test_readline_read_and_eof(pieces):
    stream = _stream()
    for piece in pieces:
        stream.feed_data(piece)
    stream.feed_eof()
    assert await stream.readline() == b"line one\n"
    assert await stream.readexactly(5) == b"line "
    assert await stream.read() == b"two\nrest"
    assert stream.at_eof()
    assert await stream.read() == b""


async def test_read_waits_for_data():
    stream = _stream()
    reader = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0)
    stream.feed_data(b"ab")
    await asyncio.sleep(0)
    stream.feed_data(b"cd")
    stream.feed_eof()
    assert await reader == b"abcd"


async def test_readexactly_raises_at_early_eof():
    stream = _stream()
    stream.feed_data(b"abc")
    stream.feed_eof()
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await stream.readexactly(5)
    assert info.value.partial == b"abc"


async def test_iter_chunked_and_readany():
    stream = _stream()
    stream.feed_data(b"abcdefg")
    stream.feed_eof()
    assert [chunk async for chunk in stream.iter_chunked(3)] == [b"abc", b"def", b"g"]


@pytest.mark.parametrize(("size", "fails"), [(10, False), (11, True)])
async def test_limit_on_both_sides(size, fails):
    stream = _stream(limit=10)
    stream.feed_data(b"x" * size)
    stream.feed_eof()
    if fails:
        with pytest.raises(PayloadTooLarge):
            await stream.read()
    else:
        assert await stream.read() == b"x" * 10


async def test_flow_control_pauses_above_high_water_and_resumes_below_low_water():
    flow = Flow()
    stream = _stream(flow, high_water=8, low_water=4)
    stream.feed_data(b"12345678")
    assert flow.events == []
    stream.feed_data(b"9")
    assert flow.events == ["pause"]
    await stream.read(3)
    assert flow.events == ["pause"]  # 6 left, above low water
    await stream.read(2)
    assert flow.events == ["pause", "resume"]


async def test_100_continue_is_sent_on_the_first_read_only():
    flow = Flow()
    stream = _stream(flow, expect_continue=True)
    assert stream.expecting_continue
    reader = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0)
    assert flow.events == ["continue"]
    stream.feed_data(b"body")
    stream.feed_eof()
    assert await reader == b"body"
    assert flow.events == ["continue"]


async def test_exception_fails_pending_and_later_reads():
    stream = _stream()
    reader = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0)
    stream.set_exception(ConnectionResetError("gone"))
    with pytest.raises(ConnectionResetError):
        await reader
    with pytest.raises(ConnectionResetError):
        await stream.readany()


async def test_read_buffer_limits_are_the_low_and_high_water_marks():
    # aiohttp 3's StreamReader.get_read_buffer_limits(): (low_water, high_water).
    assert _stream(high_water=4, low_water=2).get_read_buffer_limits() == (2, 4)


class Connection(Flow):
    """A connection that feeds ``body`` in pieces and, like the real one, feeds nothing while paused."""

    def __init__(self, body: bytes, piece: int = 3) -> None:
        super().__init__()
        self.body = body
        self.piece = piece
        self.paused = False
        self.stream: FlowControlStreamReader | None = None

    def pause_body(self) -> None:
        super().pause_body()
        self.paused = True

    def resume_body(self) -> None:
        super().resume_body()
        self.paused = False

    async def run(self) -> None:
        assert self.stream is not None
        while self.body:
            if not self.paused:
                self.stream.feed_data(self.body[: self.piece])
                self.body = self.body[self.piece :]
            await asyncio.sleep(0)
        self.stream.feed_eof()


def _connected(body: bytes) -> tuple[FlowControlStreamReader, Connection]:
    connection = Connection(body)
    connection.stream = _stream(connection, high_water=8, low_water=4)
    return connection.stream, connection


async def test_readexactly_more_than_high_water_reads_on():
    # Waiting for 20 bytes in a buffer that pauses the connection at 8 would wait forever; aiohttp's reads on.
    stream, connection = _connected(bytes(range(30)))
    feeder = asyncio.ensure_future(connection.run())
    assert await asyncio.wait_for(stream.readexactly(20), 5) == bytes(range(20))
    assert await asyncio.wait_for(stream.read(), 5) == bytes(range(20, 30))
    await feeder
    assert "pause" in connection.events and "resume" in connection.events


async def test_readexactly_more_than_high_water_then_early_eof():
    stream, connection = _connected(b"x" * 15)
    feeder = asyncio.ensure_future(connection.run())
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await asyncio.wait_for(stream.readexactly(20), 5)
    assert info.value.partial == b"x" * 15 and info.value.expected == 20
    await feeder


@pytest.mark.parametrize("separator", [b"\n", b"\r\n", b"--boundary--"])
async def test_readuntil_a_line_longer_than_high_water_with_max_size(separator):
    line = b"a" * 25 + separator
    stream, connection = _connected(line + b"rest")
    feeder = asyncio.ensure_future(connection.run())
    assert await asyncio.wait_for(stream.readuntil(separator, max_size=100), 5) == line
    assert await asyncio.wait_for(stream.read(), 5) == b"rest"
    await feeder


async def test_readline_longer_than_its_limit_raises_line_too_long():
    # aiohttp's readline/readuntil: more than max_size (default the high water mark) without the separator.
    from server.errors import LineTooLong

    stream, connection = _connected(b"a" * 40 + b"\n")
    feeder = asyncio.ensure_future(connection.run())
    with pytest.raises(LineTooLong) as info:
        await asyncio.wait_for(stream.readline(), 5)
    assert info.value.status == 400 and info.value.limit == 8
    feeder.cancel()
    stream2, connection2 = _connected(b"a" * 40 + b"\n")
    feeder2 = asyncio.ensure_future(connection2.run())
    with pytest.raises(LineTooLong):
        await asyncio.wait_for(stream2.readline(max_line_length=20), 5)
    feeder2.cancel()


@pytest.mark.parametrize("seed", range(40))
async def test_readuntil_through_a_small_buffer_agrees_with_bytes_find(seed):
    # Lines longer than the buffer, separators straddling what was taken out: the answer is the reference's.
    import random

    rng = random.Random(seed)
    separator = rng.choice([b"\n", b"\r\n", b"--b--", b"abcabcabcabc"])
    body = bytes(rng.choice(b"abc\r\n-") for _ in range(rng.randint(0, 60))) + rng.choice([separator, b""])
    connection = Connection(body, piece=rng.randint(1, 7))
    stream = connection.stream = _stream(connection, high_water=rng.randint(2, 9), low_water=1)
    feeder = asyncio.ensure_future(connection.run())
    end = body.find(separator)
    expected = body if end < 0 else body[: end + len(separator)]
    assert await asyncio.wait_for(stream.readuntil(separator, max_size=1000), 5) == expected
    assert await asyncio.wait_for(stream.read(), 5) == body[len(expected) :]
    await feeder


@pytest.mark.parametrize("seed", range(60))
async def test_mixed_reads_and_unread_data_agree_with_a_bytes_reference(seed):
    # What the multipart reader does: lines, reads of any size, and what was read past a delimiter given back
    # (unread_data, as aiohttp's StreamReader). The first piece is read from an offset, never copied whole.
    import random

    rng = random.Random(seed)
    body = bytes(rng.choice(b"ab\n") for _ in range(rng.randint(0, 200)))
    stream = _stream()
    cut = 0
    while cut < len(body):
        step = rng.randint(1, 40)
        stream.feed_data(body[cut : cut + step])
        cut += step
    stream.feed_eof()
    position = 0
    while not stream.at_eof():
        op = rng.choice(["read", "readline", "readexactly", "readchunk", "unread"])
        if op == "unread" and position:
            back = rng.randint(1, min(position, 50))
            stream.unread_data(body[position - back : position])
            position -= back
            continue
        if op == "read":
            data = await stream.read(rng.randint(1, 50))
        elif op == "readline":
            data = await stream.readline()
        elif op == "readexactly":
            data = await stream.readexactly(min(rng.randint(1, 30), len(body) - position))
        else:
            data, _ = await stream.readchunk()
        assert data == body[position : position + len(data)]
        if op == "readline":
            assert data.endswith(b"\n") or position + len(data) == len(body)
            assert b"\n" not in data[:-1]
        position += len(data)
    assert position == len(body)


async def test_find_buffered_looks_in_the_first_piece_only_and_reads_nothing():
    stream = _stream()
    assert stream.find_buffered(b"--b", 100) == -1
    stream.feed_data(b"abc\r\n--b rest")
    stream.feed_data(b"--c")
    stream.feed_eof()
    assert await stream.read(2) == b"ab"
    assert stream.find_buffered(b"\r\n--b", 100) == 1  # from the unread start
    assert stream.find_buffered(b"\r\n--b", 5) == -1  # not wholly within the next 5 bytes
    assert stream.find_buffered(b"--c", 100) == -1  # in the second piece
    assert await stream.read() == b"c\r\n--b rest--c"


@pytest.mark.parametrize("pieces", [[b"a" * 40 + b"\nrest"], [b"a" * 20, b"a" * 20 + b"\nrest"]])
async def test_a_line_found_whole_is_held_to_the_limit_too(pieces):
    # As aiohttp's readuntil: a line longer than its limit raises even when its separator is already buffered (in
    # the first piece, which readline() answers without readuntil, or across pieces).
    from server.errors import LineTooLong

    for read in (
        lambda stream: stream.readline(max_line_length=20),
        lambda stream: stream.readuntil(b"\n", max_size=20),
    ):
        stream = _stream()
        for piece in pieces:
            stream.feed_data(piece)
        with pytest.raises(LineTooLong):
            await read(stream)
    stream = _stream()
    for piece in pieces:
        stream.feed_data(piece)
    assert await stream.readline(max_line_length=41) == b"a" * 40 + b"\n"
    assert await stream.read(4) == b"rest"

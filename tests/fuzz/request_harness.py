"""The request path without sockets, for fuzzers: a fake transport, a driver that feeds bytes to a real
``HttpProtocol`` behind the web handler and an echo app, and the one property every input must keep.

The property: the server answers with well-formed HTTP/1.x responses or closes, nothing else. A rejection
(4xx/5xx from the connection layer) is the last thing sent and the connection closes after it; no 500 (a crash);
nothing logged at WARNING or above.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hostile import echo_app
from http_client import parse

# The methods the echo app answered for the input being checked, in order; drive() clears it. A rejection is
# not the app's answer and always has a body (server.writer.error_response), so "GET" stands for it.
SERVED: list[str] = []

# What the server may answer to anything a client sends: the echo app's 200, or a rejection.
ALLOWED = {200, 400, 408, 413, 414, 417, 431, 501, 505}


class FakeTransport(asyncio.Transport):
    """Records writes; ``close`` and ``abort`` report the loss to the protocol on the next loop turn."""

    def __init__(self, protocol: asyncio.Protocol) -> None:
        super().__init__()
        self.protocol = protocol
        self.out = bytearray()
        self.closing = False
        self.paused = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self.closing:
            self.out += data

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            asyncio.get_running_loop().call_soon(self.protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def is_closing(self) -> bool:
        return self.closing

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_reading(self) -> bool:
        return not self.paused

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8080)}.get(name, default)


class LogCatcher(logging.Handler):
    """Collects records at WARNING and above from prefork's loggers."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def __enter__(self) -> LogCatcher:
        logging.getLogger("prefork").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("prefork").removeHandler(self)


def make_factory(**settings: Any) -> Any:
    """The web handler factory of the echo app (call it inside the running loop)."""
    settings.setdefault("header_timeout", 5.0)
    return echo_app(SERVED).make_handler(**settings)


async def _settle(transport: FakeTransport, turns: int = 30) -> None:
    for _ in range(turns):
        await asyncio.sleep(0)


async def drive(factory: Any, chunks: list[bytes]) -> tuple[bytes, bool]:
    """Feed ``chunks`` to one connection as a client would (honouring pause_reading), then half-close, then go
    away. Returns what the server wrote and whether it closed the connection itself."""
    SERVED.clear()
    protocol = factory()
    transport = FakeTransport(protocol)
    protocol.connection_made(transport)
    for chunk in chunks:
        for _ in range(10):
            if not transport.paused:
                break
            await _settle(transport)
        if transport.closing or transport.paused:
            break
        protocol.data_received(chunk)
        await _settle(transport)
    server_closed = transport.closing
    if not transport.closing:
        if not protocol.eof_received():
            transport.close()
        await _settle(transport)
        server_closed = transport.closing
    if not transport.closing:
        transport.close()  # the client goes away
    await _settle(transport)
    return bytes(transport.out), server_closed


def check(out: bytes, server_closed: bool, records: list[logging.LogRecord], sent: bytes) -> None:
    """The property (see the module docstring); raises AssertionError naming the broken part."""
    assert not records, [r.getMessage() for r in records]
    if not out:
        return
    assert out.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")), out[:100]  # an HTTP/1.0 request gets an HTTP/1.0 answer
    # An answer to HEAD has a Content-Length and no body (RFC 9110 §9.3.2): the reader is told which were HEAD.
    parsed = parse(out, methods=[*SERVED, "GET"], closed=True)
    assert parsed.error is None, (out[:300], parsed.error)
    assert not parsed.incomplete, (out[:300], parsed.incomplete[:100])
    responses = parsed.responses
    for i, response in enumerate(responses):
        assert response.status in ALLOWED, response
        last = i == len(responses) - 1
        if response.status >= 400 or response.header("connection") == "close":
            assert last, f"something was sent after {response}"
            assert server_closed, f"the connection stayed open after {response}"

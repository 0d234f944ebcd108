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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hostile import echo_app
from http_client import parse

from server.detached import RecordingTransport

# The methods the echo app answered for the input being checked, in order; drive() clears it. A rejection is
# not the app's answer and always has a body (server.writer.error_response), so "GET" stands for it.
SERVED: list[str] = []

# What the server may answer to anything a client sends: the echo app's 200, or a rejection.
ALLOWED = {200, 400, 408, 413, 414, 417, 431, 501, 505}


class FakeTransport(RecordingTransport):
    """A :class:`RecordingTransport` that behaves like a socket's where the fuzzers look: it drops writes once
    closing, reports ``close`` and ``abort`` to the protocol on the next loop turn, and tracks pause_reading."""

    def __init__(self, protocol: asyncio.Protocol) -> None:
        super().__init__({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8080)})
        self.set_protocol(protocol)
        self.paused = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self.is_closing():
            super().write(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        if not self.is_closing():
            super().writelines(list_of_data)

    def close(self) -> None:
        if not self.is_closing():
            super().close()
            asyncio.get_running_loop().call_soon(self.get_protocol().connection_lost, None)

    def abort(self) -> None:
        self.close()

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def is_reading(self) -> bool:
        return not self.paused


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
        if transport.is_closing() or transport.paused:
            break
        protocol.data_received(chunk)
        await _settle(transport)
    server_closed = transport.is_closing()
    if not transport.is_closing():
        if not protocol.eof_received():
            transport.close()
        await _settle(transport)
        server_closed = transport.is_closing()
    if not transport.is_closing():
        transport.close()  # the client goes away
    await _settle(transport)
    return bytes(transport.written), server_closed


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

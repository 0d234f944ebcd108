"""The independent readers of the differential audit (test_parser_differential.py), fed bytes directly, no
sockets: h11 (pure Python, strict) and aiohttp's two request parsers (``HttpRequestParserPy`` and the C
``HttpRequestParser`` on llhttp).

The differences the audit lists are those of h11 0.16 and aiohttp 3.14.5 (the versions the test extra installs).
Each reader turns a byte stream, ended by the client's EOF, into a :class:`Transcript`: the requests it parsed,
in order, and how the stream ended for it. A reader stops after a request that ends the connection (RFC 9112
section 9.6: nothing after it is read), as the server does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import h11
from aiohttp import http_exceptions, http_parser

# The server's limits, given to the readers that have the same ones, so that a difference is one of parsing, not
# of configuration (prefork's ServerSettings defaults).
MAX_LINE = 8190
MAX_HEADERS = 100
MAX_FIELD = 8190
# Ours caps a head at the request line plus MAX_HEADERS fields of MAX_FIELD; h11 has one cap on an incomplete
# event, set above every case so that only the server's own limits differ.
H11_MAX_EVENT = 1 << 20

ERROR = "error"  # the reader refused the stream (a parse error)
INCOMPLETE = "incomplete"  # the EOF came inside a request
EOF = "eof"  # the EOF came between requests
CLOSE = "close"  # a request ended the connection; nothing after it is read
UPGRADE = "upgrade"  # the reader handed the rest of the stream to another protocol


@dataclass(frozen=True)
class Request:
    """One parsed request: names lower-cased (RFC 9110 section 5.1: case-insensitive), values as bytes."""

    method: str
    target: bytes
    version: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def brief(self) -> str:
        return f"{self.method} {self.target[:40]!r} {self.version} {len(self.headers)} fields {self.body[:40]!r}"


@dataclass(frozen=True)
class Transcript:
    requests: tuple[Request, ...]
    end: str

    def brief(self) -> str:
        return " | ".join([r.brief() for r in self.requests] + [self.end])


def _fields(pairs: Any) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((bytes(name).lower(), bytes(value)) for name, value in pairs)


def h11_read(data: bytes) -> Transcript:
    """h11 as a server: each request is answered with an empty 404 so that the next one is read (a 2xx to CONNECT
    would switch protocols; a 404 leaves the connection as the request left it)."""
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=H11_MAX_EVENT)
    requests: list[Request] = []
    head: h11.Request | None = None
    body: list[bytes] = []
    for chunk in (data, b""):
        conn.receive_data(chunk)
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError:
                return Transcript(tuple(requests), INCOMPLETE if not chunk and head is not None else ERROR)
            if event is h11.NEED_DATA:
                break
            if isinstance(event, h11.ConnectionClosed):
                return Transcript(tuple(requests), EOF)
            if isinstance(event, h11.Request):
                head, body = event, []
            elif isinstance(event, h11.Data):
                body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                assert head is not None
                requests.append(
                    Request(
                        head.method.decode("latin-1"),
                        bytes(head.target),
                        head.http_version.decode(),
                        _fields(head.headers.raw_items()),
                        b"".join(body),
                    )
                )
                head = None
                conn.send(h11.Response(status_code=404, headers=[(b"Content-Length", b"0")]))
                conn.send(h11.EndOfMessage())
                if conn.our_state is h11.MUST_CLOSE:
                    return Transcript(tuple(requests), CLOSE)
                conn.start_next_cycle()
    return Transcript(tuple(requests), INCOMPLETE if head is not None else EOF)


class _Protocol:
    """What aiohttp's parsers and StreamReader call on their connection."""

    _reading_paused = False
    transport = None

    def pause_reading(self, *args: Any, **kwargs: Any) -> None:
        pass

    def resume_reading(self, *args: Any, **kwargs: Any) -> None:
        pass


_AIOHTTP_ERRORS = (http_exceptions.HttpProcessingError, ValueError)


def _aiohttp_parser(cls: type, loop: asyncio.AbstractEventLoop) -> Any:
    return cls(
        _Protocol(),
        loop,
        2**20,
        max_line_size=MAX_LINE,
        max_headers=MAX_HEADERS,
        max_field_size=MAX_FIELD,
        auto_decompress=True,  # as aiohttp.web reads a request body, and as the server does
    )


def _aiohttp_feed(cls: type, loop: asyncio.AbstractEventLoop, pieces: list[bytes]) -> Transcript:
    parser = _aiohttp_parser(cls, loop)
    messages: list[tuple[Any, Any]] = []
    for piece in pieces:
        try:
            found, upgraded, _tail = parser.feed_data(piece)
        except _AIOHTTP_ERRORS:
            return _aiohttp_transcript(messages, ERROR)
        messages.extend(found)
        if upgraded:
            return _aiohttp_transcript(messages, UPGRADE)
        if any(message.should_close for message, payload in messages if _complete(payload)):
            return _aiohttp_transcript(messages, CLOSE)
    try:
        parser.feed_eof()
    except _AIOHTTP_ERRORS:
        return _aiohttp_transcript(messages, INCOMPLETE)
    return _aiohttp_transcript(messages, EOF)


def _complete(payload: Any) -> bool:
    return bool(payload.is_eof()) and payload.exception() is None


def _aiohttp_transcript(messages: list[tuple[Any, Any]], end: str) -> Transcript:
    requests = []
    for message, payload in messages:
        if not _complete(payload):
            if end == EOF:
                end = INCOMPLETE if payload.exception() is None else ERROR
            elif end in (CLOSE, UPGRADE):
                end = ERROR
            break
        body = b"".join(getattr(payload, "_buffer", ()))
        version = f"{message.version.major}.{message.version.minor}"
        requests.append(
            Request(
                message.method,
                message.path.encode("utf-8", "surrogateescape"),
                version,
                _fields(message.raw_headers),
                body,
            )
        )
        if message.should_close:
            end = CLOSE
            break
    return Transcript(tuple(requests), end)


def aiohttp_read(cls: type, data: bytes, loop: asyncio.AbstractEventLoop) -> Transcript:
    """One of aiohttp's request parsers. A parse error drops the messages of the ``feed_data`` call that raised
    it, so the stream is then fed again a byte at a time, to learn which requests came before the error."""
    whole = _aiohttp_feed(cls, loop, [data])
    if whole.end != ERROR:
        return whole
    return _aiohttp_feed(cls, loop, [data[i : i + 1] for i in range(len(data))])


READERS = {
    "h11": lambda data, loop: h11_read(data),
    "aiohttp-py": lambda data, loop: aiohttp_read(http_parser.HttpRequestParserPy, data, loop),
}
if http_parser.HttpRequestParser is not http_parser.HttpRequestParserPy:  # aiohttp's C extension (llhttp) is built
    READERS["aiohttp-c"] = lambda data, loop: aiohttp_read(http_parser.HttpRequestParser, data, loop)

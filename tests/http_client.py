"""The test suite's one HTTP/1.1 response reader, built on h11: an independent parser, strict to RFC 9112.

Every test that reads raw responses reads them here, so a response of ours that a strict client would refuse
fails a test instead of being excused by a lenient hand-written parser.

- :func:`parse_responses` splits a whole byte stream (everything the server sent until it closed) into
  :class:`Response` objects, and raises on anything incomplete or malformed.
- :func:`parse` does the same for a stream that may still be arriving, or that a test wants to judge: it returns
  the complete responses, the bytes of an incomplete one, and the parse error, if any, as data.
- :func:`read_response` reads one response from an asyncio ``StreamReader`` with the same parser.
- :class:`RawConnection` is a client connection that keeps every byte the server sent, even past a reset.
- :func:`close_writer` closes a test's client connection, whatever state the server left it in.

A response to HEAD has no body whatever its Content-Length says (RFC 9110 §9.3.2); only the client knows which
requests were HEAD, so every reader takes the request methods, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import h11

__all__ = ["Parsed", "RawConnection", "Response", "close_writer", "parse", "parse_responses", "read_response"]


@dataclass
class Response:
    """One HTTP response: ``headers`` maps lower-cased names to the last value, ``header_list`` keeps every pair
    in order with the names as sent."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    header_list: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of the first header called ``name`` (any case), or None."""
        name = name.lower()
        for key, value in self.header_list:
            if key.lower() == name:
                return value
        return None

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.header_list!r} {self.body[:80]!r}>"


@dataclass
class Parsed:
    """What :func:`parse` found: the complete responses, the bytes of an incomplete last one, and the parse error
    (h11's message) if the stream broke HTTP/1.1's rules; nothing after an error is read."""

    responses: list[Response]
    incomplete: bytes = b""
    error: str | None = None


class _Reader:
    """An h11 client connection that knows the request method of each response it reads.

    Feed bytes with :meth:`feed` (and the close with :meth:`eof`), then call :meth:`next` until it returns None
    (more bytes needed) or a Response. h11 checks each response against its request, so one request is
    declared per response, when its first byte arrives.
    """

    def __init__(self, methods: str | Sequence[str]) -> None:
        self._methods = methods
        self._index = 0
        self._conn = h11.Connection(h11.CLIENT)
        self._current: Response | None = None
        self._body: list[bytes] = []
        self._declared = False
        self._http10_keep_alive = False

    def _method(self) -> str:
        if isinstance(self._methods, str):
            return self._methods
        if self._index < len(self._methods):
            return self._methods[self._index]
        return self._methods[-1] if self._methods else "GET"

    def feed(self, data: bytes) -> None:
        self._conn.receive_data(data)

    def eof(self) -> None:
        self._conn.receive_data(b"")

    @property
    def unread(self) -> bytes:
        """Bytes fed but not yet part of a returned event (the start of the next response)."""
        return bytes(self._conn.trailing_data[0])

    def next(self) -> Response | None:
        """The next complete response, or None when more bytes (or the close) are needed.

        Raises ``h11.RemoteProtocolError`` on a malformed response (or, once :meth:`eof` was called, a truncated
        one) and ``EOFError`` when the stream ended between responses.
        """
        while True:
            if not self._declared:
                unread, closed = self._conn.trailing_data
                if not unread:
                    if closed:
                        raise EOFError("the stream ended between responses")
                    return None
                if self._conn.their_state is not h11.SEND_RESPONSE and self._conn.our_state is h11.IDLE:
                    # A bodiless request with Host: h11 needs it to know whether the response has a body.
                    self._conn.send(h11.Request(method=self._method(), target="/", headers=[("Host", "t")]))
                    self._conn.send(h11.EndOfMessage())
                self._declared = True
            event = self._conn.next_event()
            if event is h11.NEED_DATA:
                return None
            if isinstance(event, h11.InformationalResponse):
                continue  # 1xx heads (100 Continue) precede the final response (RFC 9110 §15.2)
            if isinstance(event, h11.Response):
                self._http10_keep_alive = event.http_version == b"1.0" and any(
                    k == b"connection" and v.lower() == b"keep-alive" for k, v in event.headers
                )
                self._current = Response(
                    event.status_code,
                    event.reason.decode("latin-1"),
                    {k.decode("latin-1"): v.decode("latin-1") for k, v in event.headers},
                    [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers.raw_items()],
                )
                self._body = []
            elif isinstance(event, h11.Data):
                self._body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                done = self._current
                assert done is not None
                done.body = b"".join(self._body)
                self._current = None
                self._index += 1
                if self._conn.our_state is h11.DONE and self._conn.their_state is h11.DONE:
                    self._conn.start_next_cycle()
                    self._declared = False
                elif self._http10_keep_alive:
                    # An HTTP/1.0 answer that announces keep-alive leaves the connection open (RFC 9112 §9.3); h11
                    # has no HTTP/1.0 keep-alive, so a fresh reader takes the bytes after it.
                    unread, closed = self._conn.trailing_data
                    self._conn = h11.Connection(h11.CLIENT)
                    if unread:
                        self._conn.receive_data(bytes(unread))
                    if closed:
                        self._conn.receive_data(b"")
                    self._declared = False
                # Otherwise the response closed the connection (RFC 9112 §9.6): h11 stays in MUST_CLOSE and
                # rejects any byte after it ("Got data when expecting EOF").
                return done
            elif isinstance(event, h11.ConnectionClosed):
                raise EOFError("the stream ended")
            else:
                raise h11.RemoteProtocolError(f"unexpected {event!r}")


def parse(data: bytes, *, methods: str | Sequence[str] = "GET", closed: bool = True) -> Parsed:
    """Split ``data`` into complete responses, leniently: an incomplete last response is returned as bytes in
    ``incomplete`` (with ``closed=False`` a close-delimited body counts as incomplete too), and a malformed one
    ends the parse with h11's reason in ``error``. ``methods``: the request method of every response, in order
    (one string for all; past the end of a sequence its last one repeats)."""
    reader = _Reader(methods)
    out: list[Response] = []
    consumed = 0
    reader.feed(data)
    try:
        while (response := reader.next()) is not None:
            out.append(response)
            consumed = len(data) - len(reader.unread)
        if closed:
            # Every byte so far is a valid prefix, so what fails at the close is truncation, not malformation.
            reader.eof()
            try:
                while (response := reader.next()) is not None:
                    out.append(response)
                    consumed = len(data) - len(reader.unread)
            except (h11.RemoteProtocolError, EOFError):
                pass
    except h11.RemoteProtocolError as exc:
        return Parsed(out, data[consumed:], str(exc))
    except EOFError:
        pass
    return Parsed(out, data[consumed:])


def parse_responses(data: bytes, *, methods: str | Sequence[str] = "GET") -> list[Response]:
    """Every response in ``data``, a stream the server has finished sending; raises AssertionError if anything
    in it is incomplete or breaks HTTP/1.1's rules. ``methods`` as for :func:`parse`."""
    parsed = parse(data, methods=methods)
    if parsed.error:
        raise AssertionError(
            f"malformed response after {len(parsed.responses)}: {parsed.error}: {parsed.incomplete[:300]!r}"
        )
    if parsed.incomplete:
        raise AssertionError(f"incomplete response after {len(parsed.responses)}: {parsed.incomplete[:300]!r}")
    return parsed.responses


async def read_response(reader: asyncio.StreamReader, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Read one response to a ``method`` request: (status, lower-cased headers, body).

    Bytes read past the response (the next pipelined one) are put back into ``reader``, so the next read, by
    this function or another, starts where this response ended.
    Raises ``asyncio.IncompleteReadError`` when the stream ends first and ``ValueError`` on a malformed response.
    """
    parser = _Reader(method)
    seen = b""
    while True:
        try:
            response = parser.next()
        except h11.RemoteProtocolError as exc:
            if reader.at_eof():
                raise asyncio.IncompleteReadError(seen, None) from None
            raise ValueError(f"malformed response: {exc}: {seen[:300]!r}") from exc
        except EOFError:
            raise asyncio.IncompleteReadError(seen, None) from None
        if response is not None:
            leftover = parser.unread
            if leftover:
                # StreamReader has no unread(); its buffer is a bytearray that read() consumes from the front.
                reader._buffer[:0] = leftover  # type: ignore[attr-defined]
            return response.status, response.headers, response.body
        chunk = await reader.read(65536)
        seen += chunk
        if chunk:
            parser.feed(chunk)
        else:
            parser.eof()


class RawConnection(asyncio.Protocol):
    """A client connection that records everything the server sends, and when it closes.

    asyncio's StreamReader drops buffered bytes once the peer resets the connection; this one does not, so a
    response followed by a reset (a server closing with unread input) is still seen.
    """

    def __init__(self) -> None:
        self.data = bytearray()
        self.transport: asyncio.Transport | None = None
        self.lost = asyncio.get_running_loop().create_future()
        self._changed = asyncio.Event()

    @classmethod
    async def open(cls, port: int, host: str = "127.0.0.1") -> RawConnection:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(cls, host, port)
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.data += data
        self._changed.set()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: BaseException | None) -> None:
        if not self.lost.done():
            self.lost.set_result(exc)
        self._changed.set()

    @property
    def closed(self) -> bool:
        return self.lost.done()

    def write(self, data: bytes) -> bool:
        """Send ``data``; False when the connection is already gone."""
        if self.transport is None or self.transport.is_closing():
            return False
        self.transport.write(data)
        return True

    async def send(self, pieces: list[bytes], delay: float = 0.002) -> None:
        """Send the pieces apart in time, so the server reads them in separate ``data_received`` calls."""
        for i, piece in enumerate(pieces):
            if i:
                await asyncio.sleep(delay)
            if not self.write(piece):
                return

    def parsed(self, methods: str | Sequence[str] = "GET") -> Parsed:
        """What the server has sent so far, parsed (see :func:`parse`)."""
        return parse(bytes(self.data), methods=methods, closed=self.closed)

    async def responses(
        self, count: int, timeout: float = 5.0, *, methods: str | Sequence[str] = "GET"
    ) -> list[Response]:
        """Wait for ``count`` complete responses (or the close); return those received. Raises AssertionError as
        soon as what the server sent breaks HTTP/1.1's rules."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            parsed = self.parsed(methods)
            if parsed.error:
                raise AssertionError(
                    f"malformed response after {parsed.responses}: {parsed.error}: {parsed.incomplete[:300]!r}"
                )
            found = parsed.responses
            if len(found) >= count or self.closed or loop.time() >= end:
                return found
            self._changed.clear()
            try:
                async with asyncio.timeout(end - loop.time()):
                    await self._changed.wait()
            except TimeoutError:
                pass

    async def wait_closed(self, timeout: float = 5.0) -> bool:
        """True when the server closed the connection within ``timeout``."""
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(self.lost)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def close_writer(writer: asyncio.StreamWriter) -> None:
    """Close a client connection and wait for it; a server that already reset or closed it is not an error."""
    writer.close()
    try:
        await writer.wait_closed()
    except (ConnectionError, OSError):
        pass

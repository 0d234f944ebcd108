"""Reading prefork's request corpus, an echo app that shows what the server parsed, and a raw socket client.

Each case is one file, ``<group>/<name>.http``::

    # why the case exists, citing the rule (comment lines start with '#')
    status: 400
    settings: {"max_headers": 4}
    ---
    GET / HTTP/1.1\\r\\n
    Host: a\\r\\n
    \\r\\n

Above ``---``: the expected outcome, one ``key: <JSON>`` per line. ``status`` is always there; an accepted request
(``status: 200``) also names what the server must have parsed: ``method``, ``target``, ``version``, ``headers``
(the list of [name, value] pairs, in order, as sent) and ``body`` (latin-1 text). ``settings`` are server settings
for this case. Below ``---``: the request, wrapped for reading as in gunicorn's corpus: real newlines are dropped,
and ``\\r``, ``\\n``, ``\\t``, ``\\0``, ``\\\\`` and ``\\xHH`` stand for those bytes. A line ``<repeat N>...</repeat>``
repeats its content N times, for the size limits.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

_ESCAPE = re.compile(rb"\\(x[0-9a-fA-F]{2}|r|n|t|0|\\)")
_REPEAT = re.compile(r"<repeat (\d+)>(.*?)</repeat>", re.S)
_SIMPLE = {b"r": b"\r", b"n": b"\n", b"t": b"\t", b"0": b"\0", b"\\": b"\\"}


def unescape(text: str) -> bytes:
    """The raw bytes of a wrapped request (see the module docstring)."""
    text = _REPEAT.sub(lambda m: m.group(2) * int(m.group(1)), text)
    raw = "".join(text.splitlines()).encode("latin-1")

    def sub(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        return bytes([int(code[1:], 16)]) if code[:1] == b"x" else _SIMPLE[code]

    return _ESCAPE.sub(sub, raw)


@dataclass
class Case:
    """One corpus file: the request bytes and the outcome the server must produce."""

    name: str
    raw: bytes
    expect: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)
    why: str = ""

    @property
    def status(self) -> int:
        return int(self.expect["status"])

    @property
    def accepted(self) -> bool:
        return self.status == 200


def load(path: Path) -> Case:
    text = path.read_text("latin-1")
    meta, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError(f"{path}: no '---' line between the expectation and the request")
    expect: dict[str, Any] = {}
    why = []
    for line in meta.splitlines():
        if line.startswith("#"):
            why.append(line[1:].strip())
        elif line.strip():
            key, _, value = line.partition(":")
            expect[key.strip()] = json.loads(value)
    settings = expect.pop("settings", {})
    if "status" not in expect:
        raise ValueError(f"{path}: no status")
    name = f"{path.parent.name}/{path.stem}"
    return Case(name, unescape(body), expect, settings, " ".join(why))


def load_all(root: Path = HERE) -> list[Case]:
    """Every case under ``root``, sorted by name."""
    return [load(p) for p in sorted(root.glob("*/*.http"))]


# -- the echo app --------------------------------------------------------------------------------------------


class _Match(dict):
    """Match info for the one-route router: a dict (as aiohttp's) with the handler."""

    def __init__(self, handler: Any) -> None:
        super().__init__()
        self.handler = handler
        self.route = None
        self.http_exception = None
        self.apps: list[Any] = []

    def get_info(self) -> dict[str, Any]:
        return {}

    def add_app(self, app: Any) -> None:
        self.apps.insert(0, app)

    def freeze(self) -> None:
        pass


class EchoRouter:
    """Sends every request to ``echo``, whatever its target: the corpus tests the server, not the router."""

    def __init__(self) -> None:
        self._match = _Match(echo)

    async def resolve(self, request: Any) -> _Match:
        return self._match

    def freeze(self) -> None:
        pass


async def echo(request: Any) -> Any:
    """Answer with what the server parsed, as JSON: method, raw target, version, headers in order, body."""
    from web import Response

    body = await request.read()
    parsed = {
        "method": request.method,
        "target": request._exchange.target,
        "version": list(request.version),
        "headers": [list(item) for item in request.headers.items()],
        "body": body.decode("latin-1"),
    }
    return Response(text=json.dumps(parsed), content_type="application/json")


def echo_app() -> Any:
    from web import Application

    return Application(router=EchoRouter())


# -- a raw client that keeps every byte ----------------------------------------------------------------------


class RawResponse:
    """A response cut out of the raw byte stream."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def __repr__(self) -> str:
        return f"<RawResponse {self.status} {self.headers!r} {self.body[:80]!r}>"


def parse_responses(data: bytes, *, closed: bool = True, head: bool | None = False) -> tuple[list[RawResponse], bytes]:
    """Complete responses at the front of ``data`` and what is left. Bodies are Content-Length or, once the
    connection is ``closed``, close-delimited; 1xx heads are skipped. ``head=True``: the answers are to HEAD, with
    no body. ``head=None``: guess per response, for a mix of HEAD and other requests: a body that would start with
    a status line is taken for the next response (the echo app's bodies start with '{', errors' with a digit)."""
    out: list[RawResponse] = []
    while data:
        start, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = start.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        status = int(parts[1])
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        if status < 200:
            data = rest
            continue
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), None)
        if head or (head is None and length and (not rest or rest.startswith(b"HTTP/1.1 "))):
            body = b""
            data = rest
        elif length is None:
            if not closed:
                break
            body, data = rest, b""
        else:
            if len(rest) < length:
                break
            body, data = rest[:length], rest[length:]
        out.append(RawResponse(status, parts[2] if len(parts) > 2 else "", headers, body))
    return out, data


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

    async def responses(self, count: int, timeout: float = 5.0, *, head: bool | None = False) -> list[RawResponse]:
        """Wait for ``count`` complete responses (or the close); return those received."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            found, _ = parse_responses(bytes(self.data), closed=self.closed, head=head)
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


def splits(raw: bytes) -> list[list[bytes]]:
    """The ways each case is sent: whole, and cut at the first byte, inside the request line, before the end of
    the head, in the middle, and before the last byte."""
    cuts = {1, min(len(raw) - 1, 5), len(raw) // 2, len(raw) - 1}
    head_end = raw.find(b"\r\n\r\n")
    if head_end > 0:
        cuts.add(head_end + 1)
    ways = [[raw]]
    for cut in sorted(c for c in cuts if 0 < c < len(raw)):
        ways.append([raw[:cut], raw[cut:]])
    return ways

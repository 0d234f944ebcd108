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


class OneRouteRouter:
    """Sends every request to ``handler``, whatever its target: the corpus (and the parser audit,
    tests/server/differential_server.py) tests the server, not the router."""

    def __init__(self, handler: Any) -> None:
        self._handler = handler

    async def resolve(self, request: Any) -> _Match:
        # A match info per request, as aiohttp's routers make them: the application records itself in it (add_app).
        return _Match(self._handler)

    def freeze(self) -> None:
        pass


class EchoRouter(OneRouteRouter):
    """Sends every request to ``echo``. With a ``methods`` list, each request's method is appended to it as its
    handler starts."""

    def __init__(self, methods: list[str] | None = None) -> None:
        if methods is None:
            super().__init__(echo)
            return

        async def recorded(request: Any) -> Any:
            methods.append(request.method)
            return await echo(request)

        super().__init__(recorded)


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


def echo_app(methods: list[str] | None = None) -> Any:
    """The echo app; ``methods``, if given, records the method of every request it answers, in order (a reader
    needs them to know which answers, to HEAD, have no body)."""
    from web import Application

    return Application(router=EchoRouter(methods))


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

"""The node's state, shared by the master and its workers, and the health path that reports it (``--health-path``).

The master decides when the node stops serving (TERM, then ``--drain-delay``); every worker must answer its health
checks accordingly from that very moment, including workers that are busy, booting or forked later. So the state is
one byte in an anonymous shared memory page the master maps before it forks: the master writes it, the workers read
it on each health request. No message, no signal, nothing to miss.

The health path is answered before the app's router (``RequestHandlerFactory.preempt``): ``200 ok`` while the
node serves, ``503 draining`` from the moment a graceful stop begins, for GET and HEAD; other methods go on to the
app. The answer is never cached by a proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

import mmap
from collections.abc import Callable
from typing import Any

from server.writer import http_date

from .metrics import HEALTH

__all__ = ["DRAINING", "RELOADING", "SERVING", "NodeState", "responder"]

SERVING, RELOADING, DRAINING = 0, 1, 2
_NAMES = {SERVING: "serving", RELOADING: "reloading", DRAINING: "draining"}


class NodeState:
    """One byte shared across ``fork``: :data:`SERVING`, :data:`RELOADING` or :data:`DRAINING`."""

    __slots__ = ("_page",)

    def __init__(self) -> None:
        # fileno -1: anonymous memory; MAP_SHARED (the default) keeps one copy for the master and its children.
        self._page = mmap.mmap(-1, mmap.PAGESIZE)

    @property
    def value(self) -> int:
        return self._page[0]

    @value.setter
    def value(self, state: int) -> None:
        self._page[0] = state

    @property
    def name(self) -> str:
        """``serving``, ``reloading`` or ``draining``."""
        return _NAMES.get(self._page[0], "serving")

    @property
    def serving(self) -> bool:
        """True unless a graceful stop has begun: a reloading node still serves."""
        return self._page[0] != DRAINING


def _head(status: str, body: bytes, keep_alive: bool, version: Any) -> bytes:
    lines = [
        f"HTTP/1.1 {status}\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n",
        f"Content-Length: {len(body)}\r\n",
        "Cache-Control: no-store\r\n",
        f"Date: {http_date()}\r\n",
    ]
    if not keep_alive:
        lines.append("Connection: close\r\n")
    elif version < (1, 1):
        lines.append("Connection: keep-alive\r\n")  # RFC 9112 §9.3: HTTP/1.0 persists only when announced
    lines.append("\r\n")
    return "".join(lines).encode("ascii")


def responder(path: str, state: NodeState) -> Callable[[Any], bool]:
    """A ``preempt`` for the request handler factory: answers ``path`` from ``state`` and returns True, or returns
    False for every other request."""

    size = len(path)

    def answer(exchange: Any) -> bool:
        target = exchange.target
        if target != path and (not target.startswith(path) or target[size : size + 1] != "?"):
            return False
        if exchange.method not in ("GET", "HEAD"):
            return False
        exchange.route = HEALTH
        if state.serving:
            status, body = "200 OK", b"ok\n"
        else:
            status, body = "503 Service Unavailable", b"draining\n"
        keep_alive = exchange.keep_alive
        exchange.send(int(status[:3]), _head(status, body, keep_alive, exchange.version), body, keep_alive=keep_alive)
        return True

    return answer

"""Access log lines in gunicorn's format language, computed lazily so only the atoms in use cost anything.

Each record also carries its atoms as ``record.atoms`` (``extra={"atoms": atoms}``), a mapping that computes
an atom on first lookup too, for formatters that write fields rather than the line (supervisor/journal.py's JSON).
"""

from __future__ import annotations

import base64
import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .exchange import Exchange

__all__ = ["AccessLogger"]


class _Atoms(dict):  # type: ignore[type-arg]
    """``format % atoms`` asks only for the keys the format names; each is computed on first use."""

    __slots__ = ("duration", "exchange", "remote")

    def __init__(self, exchange: Exchange, duration: float, remote: Callable[[Exchange], str | None] | None) -> None:
        super().__init__()
        self.exchange = exchange
        self.duration = duration
        self.remote = remote

    def __missing__(self, key: str) -> Any:
        exchange = self.exchange
        value: Any
        if key == "h":
            value = self.remote(exchange) if self.remote is not None else None
            if not value:
                peer = exchange.peername
                value = peer[0] if isinstance(peer, tuple) else (peer or "-")
        elif key == "l":
            value = "-"
        elif key == "u":
            value = _user(exchange.headers.get("Authorization"))
        elif key == "t":
            value = time.strftime("[%d/%b/%Y:%H:%M:%S %z]")
        elif key == "r":
            value = f"{exchange.method} {exchange.target} HTTP/{exchange.version[0]}.{exchange.version[1]}"
        elif key == "s":
            value = exchange.status
        elif key == "b":
            value = exchange.bytes_sent or "-"
        elif key == "B":
            value = exchange.bytes_sent
        elif key == "f":
            value = exchange.headers.get("Referer", "-")
        elif key == "a":
            value = exchange.headers.get("User-Agent", "-")
        elif key == "T":
            value = int(self.duration)
        elif key == "D":
            value = int(self.duration * 1_000_000)
        elif key == "L":
            value = f"{self.duration:.6f}"
        elif key == "p":
            value = f"<{os.getpid()}>"
        elif key == "m":
            value = exchange.method
        elif key == "U":
            value = exchange.target.split("?", 1)[0]
        elif key == "q":
            value = exchange.target.partition("?")[2]
        elif key == "H":
            value = f"HTTP/{exchange.version[0]}.{exchange.version[1]}"
        elif key.startswith("{") and key.endswith("}i"):
            value = exchange.headers.get(key[1:-2], "-")
        elif key.startswith("{") and key.endswith("}e"):
            value = os.environ.get(key[1:-2], "-")
        else:
            value = "-"
        self[key] = value
        return value


def _user(authorization: str | None) -> str:
    if not authorization or authorization[:6].lower() != "basic ":
        return "-"
    try:
        return base64.b64decode(authorization[6:].strip()).decode("utf-8").split(":", 1)[0] or "-"
    except (ValueError, UnicodeDecodeError):
        return "-"


class AccessLogger:
    """Writes one line per finished response to ``logger`` at INFO, in gunicorn's ``access_log_format``.

    ``remote``, when set, gives ``%(h)s`` for an exchange (the client behind a trusted proxy: the application
    layer knows who is trusted, the server does not); None, or a falsy answer, means the TCP peer.
    """

    __slots__ = ("format", "logger", "remote")

    def __init__(
        self, logger: logging.Logger, log_format: str, remote: Callable[[Exchange], str | None] | None = None
    ) -> None:
        self.logger = logger
        self.format = log_format
        self.remote = remote

    def log(self, exchange: Exchange, duration: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(logging.INFO):
            return  # nothing is built for a disabled logger
        atoms = _Atoms(exchange, duration, self.remote)
        try:
            logger.info(self.format % atoms, extra={"atoms": atoms})
        except Exception:
            self.logger.exception("bad access log format %r", self.format)

"""The one per-second source of the ``Date`` and ``Server`` lines every response head carries.

The registry's ticker calls :func:`refresh` on each tick (at least once a second) and when it starts ticking for
a first connection, so a response reads the lines with :func:`head_lines` without a clock read of its own. A
``Date`` is then at most one tick behind the clock, the approximation RFC 9110 section 6.6.1 allows ("the best
available approximation of the date and time of message generation"). :func:`http_date` refreshes first, for
callers outside a registry's connections.

Caches built from these lines (the whole cached heads of ``web.response``) compare :data:`generation`, which
changes with every renewal, instead of the clock.
"""

from __future__ import annotations

import time
from email.utils import formatdate

__all__ = ["head_lines", "http_date", "refresh", "shown_fields"]

_second = -1
_date = ""
_lines: dict[str | None, str] = {}
#: Bumped whenever the lines change; a cache holding a head built from them is valid while it matches.
generation = 0


def refresh() -> None:
    """Renew the lines when the clock's second has changed since the last renewal."""
    global _second, _date, generation
    now = int(time.time())
    if now != _second:
        _second = now
        _date = formatdate(now, usegmt=True)
        _lines.clear()
        generation += 1


def http_date() -> str:
    """The current time as an IMF-fixdate (RFC 9110 section 5.6.7), recomputed at most once per second."""
    refresh()
    return _date


def head_lines(server_header: str | None) -> str:
    """``Date: ...\\r\\n``, then ``Server: <server_header>\\r\\n`` unless it is None or empty, as of the last
    :func:`refresh` (``server_header`` is checked for CR/LF by the settings)."""
    try:
        return _lines[server_header]
    except KeyError:
        if _second < 0:
            refresh()
        date = f"Date: {_date}\r\n"
        value = _lines[server_header] = f"{date}Server: {server_header}\r\n" if server_header else date
        return value


def shown_fields(server_header: str | None) -> tuple[str, str]:
    """The ``Date`` value and :func:`head_lines` of ``server_header``, of the same renewal: the fields a response
    shows its ``on_response_prepare`` callbacks, and the lines they give when the callbacks leave them."""
    try:
        return _date, _lines[server_header]
    except KeyError:
        lines = head_lines(server_header)  # which may renew _date first
        return _date, lines

"""Small shared pieces of ``web``: loggers, content-type parsing, and the awaitable returned by sync writers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator
from typing import Any

__all__ = ["DrainAwaitable", "access_logger", "parse_content_type", "web_logger"]

web_logger = logging.getLogger("prefork.web")
access_logger = logging.getLogger("prefork.access")


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type value into the lower-cased media type and its parameters (names lower-cased)."""
    if not value:
        return "", {}
    mime, _, rest = value.partition(";")
    params: dict[str, str] = {}
    if rest:
        for item in rest.split(";"):
            key, sep, val = item.partition("=")
            if not sep:
                continue
            val = val.strip()
            if len(val) >= 2 and val[0] == val[-1] == '"':
                val = val[1:-1]
            params[key.strip().lower()] = val
    return mime.strip().lower(), params


class DrainAwaitable:
    """What the seed-era synchronous writers (``write``, ``send_str``, ``start``...) return.

    The work is already done when the method returns, as the seed describes; awaiting the result additionally
    waits for the write buffer to drain, as modern aiohttp's coroutine versions do. Not being a coroutine, it
    raises no "never awaited" warning when the seed's style ignores it.
    """

    __slots__ = ("_factory",)

    def __init__(self, factory: Callable[[], Awaitable[Any]] | None) -> None:
        self._factory = factory

    def __await__(self) -> Generator[Any, None, Any]:
        if self._factory is None:
            return None
        return (yield from self._factory().__await__())


DONE = DrainAwaitable(None)

"""Small shared pieces of ``web``: loggers, the one parser of header values with parameters, and the awaitable
returned by sync writers."""

from __future__ import annotations

import codecs
import functools
import logging
import re
import urllib.parse
from collections.abc import Awaitable, Callable, Generator, Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "DrainAwaitable",
    "access_logger",
    "aiohttp_access_logger",
    "parse_content_type",
    "parse_options_header",
    "server_logger",
    "web_logger",
]

web_logger = logging.getLogger("prefork.web")
access_logger = logging.getLogger("prefork.access")
# aiohttp's access logger (aiohttp.log.access_logger), the default access_log of web's API, as in aiohttp;
# prefork.access above is the supervisor's (and ``access_log=True``'s).
aiohttp_access_logger = logging.getLogger("aiohttp.access")
# aiohttp's server logger (aiohttp.log.server_logger): where a connection logs the errors of handling its requests
# unless make_handler(logger=...) names another ("Error logs" in aiohttp's logging docs).
server_logger = logging.getLogger("aiohttp.server")

# -- header values with parameters (Content-Type, Content-Disposition) ------------------------------------------

# One match per item of RFC 9110 §5.6.6 ``*( OWS ";" OWS [ parameter ] )``, up to the next ";" that is not inside
# a quoted-string (§5.6.4), so ``boundary="a;b"`` stays one parameter. ``name`` is set when the item is a
# parameter: ``parameter-name "=" ( token / quoted-string )``, with whitespace around "=" and a value that is not
# a strict token (``name=a b``) tolerated, as browsers and aiohttp do. An item that still does not fit (no "=", a
# bad name, text after the closing quote, an unterminated quoted-string, which runs to the end) is not a parameter.
_PARAM_RE = re.compile(
    r";[ \t]*+"
    r"(?:(?P<name>[!#$%&'*+\-.^_`|~0-9A-Za-z]++)[ \t]*+=[ \t]*+"
    r'(?:"(?P<quoted>[^"\\]*+(?:\\.[^"\\]*+)*+)"[ \t]*+|(?P<token>[^;"]*+))(?=;|\Z))?'
    r'(?:[^;"]++|"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z))*+',
    re.DOTALL,
)
# Possessive quantifiers (``*+``): nothing is given back once matched, so no input backtracks exponentially
# (``x="aaa…`` unterminated would otherwise take 2^n steps).
_QUOTED_PAIR_RE = re.compile(r"\\(.)", re.DOTALL)


def parse_options_header(value: str) -> tuple[str, dict[str, str]]:
    """Split a header value with parameters (``Content-Type``, ``Content-Disposition``) into its lower-cased
    main value and a dict of its parameters, as RFC 9110 §5.6.6 defines them.

    Parameter names are lower-cased (they are case-insensitive); a quoted-string value is unquoted, quoted-pairs
    included (§5.6.4); of repeated names the last wins, as in aiohttp; an RFC 8187 extended ``name*=charset'lang'
    pct-encoded`` parameter takes precedence over the plain ``name`` wherever it stands (RFC 6266 §4.3). What is
    not a parameter is skipped rather than failing the whole header, as browsers do.
    """
    semicolon = value.find(";")
    params: dict[str, str] = {}
    if semicolon < 0:
        return value.strip(" \t").lower(), params
    extended: dict[str, str] = {}
    for m in _PARAM_RE.finditer(value, semicolon):
        name, quoted, token = m.group("name", "quoted", "token")
        if name is None:
            continue
        name = name.lower()
        if quoted is None:
            val = token.rstrip(" \t")
        else:
            val = _QUOTED_PAIR_RE.sub(r"\1", quoted) if "\\" in quoted else quoted
        if name.endswith("*"):
            # RFC 8187 §3.2.1: ext-value = charset "'" [ language ] "'" value-chars
            charset, _, rest = val.partition("'")
            _, quote, encoded = rest.partition("'")
            if not quote:
                continue
            try:
                codecs.lookup(charset or "utf-8")  # an unknown charset fails even when nothing is pct-encoded
                extended[name[:-1]] = urllib.parse.unquote(encoded, encoding=charset or "utf-8", errors="strict")
            except (LookupError, UnicodeDecodeError):
                continue
        else:
            params[name] = val
    if extended:
        params.update(extended)
    return value[:semicolon].strip(" \t").lower(), params


_NO_PARAMS: Mapping[str, str] = MappingProxyType({})
_NO_CONTENT_TYPE: tuple[str, Mapping[str, str]] = ("", _NO_PARAMS)


@functools.lru_cache(maxsize=256)
def _parse_content_type(value: str) -> tuple[str, Mapping[str, str]]:
    main, params = parse_options_header(value)
    return main, MappingProxyType(params) if params else _NO_PARAMS


def parse_content_type(value: str | None) -> tuple[str, Mapping[str, str]]:
    """:func:`parse_options_header` for a ``Content-Type`` that may be absent (``("", {})``), cached by value.

    ``Request.content_type`` and ``charset`` read it on every call, and a server sees few distinct values, so
    the parse is cached (an LRU of 256: values a client varies on purpose only cost their own parse). The
    parameters are a read-only mapping, since the cached result is shared.
    """
    if not value:
        return _NO_CONTENT_TYPE
    return _parse_content_type(value)


class DrainAwaitable:
    """What the synchronous writers of the aiohttp 0.14 API (``write``, ``send_str``, ``start``...) return.

    The work is already done when the method returns, as the aiohttp 0.14 API describes; awaiting the result
    additionally waits for the write buffer to drain, as modern aiohttp's coroutine versions do. Not being a
    coroutine, it raises no "never awaited" warning when code written for the aiohttp 0.14 API ignores it.
    """

    __slots__ = ("_factory",)

    def __init__(self, factory: Callable[[], Awaitable[Any]] | None) -> None:
        self._factory = factory

    def __await__(self) -> Generator[Any, None, Any]:
        if self._factory is None:
            return None
        return (yield from self._factory().__await__())


DONE = DrainAwaitable(None)

"""Cookies: the ``Cookie`` request header read as aiohttp 3 reads it, and ``Set-Cookie`` written safely.

Reading (:func:`parse_cookies`, what ``Request.cookies`` gives) answers what aiohttp 3's ``BaseRequest.cookies``
answers for the same header: its parser (``aiohttp/_cookie_helpers.py``, ``parse_cookie_header``) walks the header
with ``SimpleCookie``'s pattern, widened to the characters real cookies carry, and where that pattern fails it
takes the text up to the next ``;`` as ``name=value`` instead of giving up on the rest of the header, as
``SimpleCookie`` does. A quoted value is unquoted (``SimpleCookie``'s ``\\ooo`` octal escapes undone), a cookie
whose name is not in aiohttp's allowed set is skipped, and a name sent twice keeps its first place and its last
value (``{name: value}``, as aiohttp's mapping). Only the first ``Cookie`` header is read, as aiohttp 0.14 and 3
do: a user agent sends one (RFC 6265 §5.4), and an HTTP/2 hop joins its pieces into one (RFC 9113 §8.2.3).

Most headers are ``a=b; c=d`` with token names and plain values, and for those the pattern walk above gives exactly
what one split gives; :data:`_SIMPLE` recognises such a header, and only the others take the general walk
(tests/web/test_cookies_fast.py holds the two against each other and against aiohttp).

Writing is strict: :func:`set_cookie` refuses (``ValueError``) a name that is not a token, a value or attribute
with control characters, an attribute containing ``;``, and a value with characters outside latin-1; other
special characters in a value are quoted by ``SimpleCookie`` (``"a\\073b"``), which :func:`parse_cookies` undoes.
Nothing a caller passes can add an attribute or a header line.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import re
from http.cookies import Morsel, SimpleCookie

from multidict import MultiDict

from .helpers import web_logger

__all__ = ["del_cookie", "parse_cookies", "plain_cookie", "set_cookie"]

# RFC 9110 §5.6.2 token: what RFC 6265 §4.1.1 allows as a cookie-name.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CTL = re.compile(r"[\x00-\x1f\x7f]")
_LATIN1_TEXT = re.compile(r"[\x20-\x7e\x80-\xff]*")  # no control character, nothing outside latin-1
_INTEGER = re.compile(r"-?[0-9]+")
_RESERVED = frozenset(Morsel._reserved)  # type: ignore[attr-defined]


class PartitionedMorsel(Morsel):  # type: ignore[type-arg]
    """A Morsel that knows the ``Partitioned`` attribute (CHIPS, draft-cutler-httpbis-partitioned-cookies), which
    ``http.cookies`` only learns in Python 3.14: ``set_cookie(..., partitioned=True)`` makes the cookie's Morsel one
    of these, written ``; Partitioned`` (a flag, as ``Secure``) by ``OutputString()``."""

    _reserved = {**Morsel._reserved, "partitioned": "Partitioned"}  # type: ignore[attr-defined]
    _flags = Morsel._flags | {"partitioned"}  # type: ignore[attr-defined]

    @classmethod
    def of(cls, other: Morsel) -> PartitionedMorsel:  # type: ignore[type-arg]
        """A PartitionedMorsel with ``other``'s attributes, key and value."""
        morsel = cls()
        dict.update(morsel, other)
        morsel.__dict__.update(other.__dict__)
        return morsel

    def copy(self) -> PartitionedMorsel:
        # Morsel.copy() makes a plain Morsel, whose OutputString() knows no "partitioned" (a KeyError).
        return PartitionedMorsel.of(self)


_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"

# -- reading -------------------------------------------------------------------------------------------------

# aiohttp 3's cookie-name check: wider than a token, since servers set names with {} [] () and the like.
_NAME = re.compile(r"^[!#$%&\'()*+\-./0-9:<=>?@A-Z\[\]^_`a-z{|}~]+$")

# aiohttp 3's pattern for one cookie of a Cookie header: SimpleCookie's, with [] allowed in names, an unclosed
# quote taken up to the next ';', and two more date formats (values of "expires", irrelevant in a request but
# part of what the pattern matches, so kept for identical results).
_COOKIE = re.compile(
    r"""
    \s*
    (?P<key>[\w\d!#%&'~_`><@,:/\$\*\+\-\.\^\|\)\(\?\}\{\[\]]+)
    (
    \s*=\s*
    (?P<val>
    "(?:[^\\"]|\\.)*"
    |
    "[^";]*
    |
    (\w{3,6}day|\w{3}),\s[\w\d\s-]{9,11}\s[\d:]{8}\s(GMT|[+-]\d{4})
    |
    \w{3}\s+\w{3}\s+[\s\d]\d\s+\d{2}:\d{2}:\d{2}\s+\d{4}
    |
    [\w\d!#%&'~_`><@,:/\$\*\+\-\.\^\|\)\(\?\}\{\=\[\]]*
    )
    )?
    \s*
    (\s+|;|$)
    """,
    re.VERBOSE | re.ASCII,
)

# A header of token names and plain values (the last alternative of _COOKIE's values: no quote, no space),
# separated by ';' and at most one space. For it, _COOKIE's walk matches each "name=value" whole, so splitting
# at ';' and '=' gives the same pairs.
_PLAIN_VALUE = r"[0-9A-Za-z_!#%&'~`><@,:/$*+\-.^|)(?}{=\[\]]*"
_SIMPLE = re.compile(
    rf"[!#$%&'*+\-.^_`|~0-9A-Za-z]+={_PLAIN_VALUE}(?:; ?[!#$%&'*+\-.^_`|~0-9A-Za-z]+={_PLAIN_VALUE})*;?"
)

_OCTAL = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")


def _unquote_escape(match: re.Match[str]) -> str:
    octal = match[1]
    return chr(int(octal, 8)) if octal else match[2]


def _unquote(value: str) -> str:
    # http.cookies' _unquote: SimpleCookie writes special characters as "\ooo" octal escapes inside double quotes.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _OCTAL.sub(_unquote_escape, value[1:-1])
    return value


def parse_cookies(header: str) -> MultiDict[str]:
    """The cookies of a ``Cookie`` header value, as aiohttp 3's ``request.cookies`` gives them.

    One entry per name, in the order names first appear, with the last value sent for it; quoted values
    unquoted; cookies with a name outside aiohttp's set skipped."""
    if _SIMPLE.fullmatch(header):
        cookies = {}
        for piece in header.split(";"):
            name, _, value = piece.partition("=")
            if name:  # not the empty piece after a trailing ';'
                cookies[name.lstrip(" ")] = value
        return MultiDict(cookies)
    return MultiDict(_parse_general(header))


def _parse_general(header: str) -> dict[str, str]:
    """aiohttp 3's ``parse_cookie_header`` walk, giving ``{name: value}``; the names it skips are logged at DEBUG
    in one record, as aiohttp logs them (a header of thousands of bad names is one line, not thousands)."""
    cookies: dict[str, str] = {}
    invalid: list[str] = []
    i = 0
    n = len(header)
    match_at = _COOKIE.match
    while i < n:
        match = match_at(header, i)
        if match is None:
            # No cookie the pattern accepts starts here: read up to the next ';' as name=value, or skip it.
            semi = header.find(";", i)
            end = semi if semi != -1 else n
            eq = header.find("=", i, end)
            if eq != -1:
                key = header[i:eq].strip()
                if _NAME.match(key):
                    cookies[key] = _unquote(header[eq + 1 : end].strip())
                else:
                    invalid.append(key)
            i = end + 1
            continue
        key = match["key"]
        i = match.end(0)
        if _NAME.match(key):
            cookies[key] = _unquote(match["val"] or "")
        else:
            invalid.append(key)
    if invalid and web_logger.isEnabledFor(logging.DEBUG):
        web_logger.debug("Cannot load cookie. Illegal cookie names: %r", invalid)
    return cookies


# -- writing -------------------------------------------------------------------------------------------------

# http.cookies' _LegalChars: a value made only of these is written as it is (longer ones are quoted).
_PLAIN_COOKIE_VALUE = re.compile(r"[A-Za-z0-9!#$%&'*+\-.^_`|~:]+")
_PLAIN_PATH = re.compile(r"[\x20-\x3a\x3c-\x7e]+")  # printable ASCII but ';': what _check_attribute lets through
_PLAIN_NAMES: set[str] = set()  # names plain_cookie accepted: a token, not an attribute's name


def plain_cookie(name: str, value: str, path: str) -> bool:
    """Whether ``set_cookie(cookies, name, value, path=path)`` with no other attribute is accepted and gives a
    Morsel whose ``OutputString()`` is exactly ``f"{name}={value}; Path={path}"``, whether the Morsel is new or
    one such call set it before: a token name that is not an attribute's, a value ``SimpleCookie`` writes
    unquoted, a non-empty path of printable ASCII without ``;`` (tests/web/test_cookies_fast.py)."""
    if name.__class__ is not str or value.__class__ is not str or path.__class__ is not str:
        return False
    # ASCII letters and digits are legal characters: the pattern only for values with others.
    if not (value.isascii() and value.isalnum()) and _PLAIN_COOKIE_VALUE.fullmatch(value) is None:
        return False
    if path != "/" and _PLAIN_PATH.fullmatch(path) is None:
        return False
    if name in _PLAIN_NAMES:
        return True
    if _TOKEN.fullmatch(name) is None or name.lower() in _RESERVED:
        return False
    if len(_PLAIN_NAMES) >= 256:  # names an application sets are few: bound what a caller's variety can add
        _PLAIN_NAMES.clear()
    _PLAIN_NAMES.add(name)
    return True


def _check_attribute(attr: str, value: str) -> str:
    if _CTL.search(value) or ";" in value:
        raise ValueError(f"cookie {attr} {value!r} contains ';' or a control character")
    return value


def set_cookie(
    cookies: SimpleCookie,
    name: str,
    value: str,
    *,
    expires: str | int | datetime.datetime | None = None,
    domain: str | None = None,
    max_age: int | str | None = None,
    path: str | None = "/",
    secure: bool | None = None,
    httponly: bool | None = None,
    samesite: str | None = None,
    version: str | None = None,
    partitioned: bool | None = None,
) -> None:
    """Set the cookie ``name`` in ``cookies`` (what ``StreamResponse.set_cookie`` does).

    ``expires`` is an HTTP date string (a ``datetime`` is formatted for you, an ``int`` is seconds from now);
    ``max_age`` is seconds; ``samesite`` is ``'Strict'``, ``'Lax'`` or ``'None'``; ``partitioned`` adds the
    ``Partitioned`` flag (CHIPS), as aiohttp does where Python's own Morsel knows it (3.14). Setting a cookie that was
    deleted in the same response replaces the deletion. Raises ``ValueError`` for anything that would break or
    extend the ``Set-Cookie`` header.
    """
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(f"cookie name {name!r} is not a token (RFC 6265 §4.1.1)")
    if not isinstance(value, str):
        raise TypeError(f"cookie value must be str, not {type(value).__name__}")
    if not _LATIN1_TEXT.fullmatch(value):
        if _CTL.search(value):
            raise ValueError(f"cookie value {value!r} contains a control character")
        raise ValueError(f"cookie value {value!r} has characters outside latin-1; encode it first")

    # What ``cookies[name] = value`` does, without its checks that the token test above already made (a token
    # is a legal Morsel key) and without Morsel.__setitem__'s per-attribute lower() and lookup: the same Morsel,
    # the same Set-Cookie line, at a third of the cost (bench/README.md, "Lazy request objects").
    morsel: Morsel | None = cookies.get(name)
    if morsel is not None and morsel.value == "":
        # A del_cookie() earlier in this response: start afresh instead of inheriting its Max-Age=0.
        del cookies[name]
        morsel = None
    if morsel is None:
        if name.lower() in _RESERVED:  # e.g. "path": SimpleCookie refuses an attribute name as a cookie name
            raise ValueError(f"cookie name {name!r} is refused: Attempt to set a reserved key {name!r}")
        morsel = Morsel() if partitioned is None else PartitionedMorsel()
        dict.__setitem__(cookies, name, morsel)
        fresh = True
    else:
        fresh = False
        if partitioned is not None and "partitioned" not in morsel:
            # The cookie set earlier in this response, without the flag: the same attributes in a Morsel that has it.
            morsel = PartitionedMorsel.of(morsel)
            dict.__setitem__(cookies, name, morsel)
    real, coded = cookies.value_encode(value)
    morsel.__setstate__({"key": name, "value": real, "coded_value": coded})
    attribute = dict.__setitem__

    if expires is not None:
        if isinstance(expires, datetime.datetime):
            if expires.tzinfo is None:
                raise ValueError("cookie expires must be an aware datetime")
            # email.utils, not strftime: %a/%b follow the process locale, HTTP dates must be English.
            expires = email.utils.format_datetime(expires.astimezone(datetime.UTC), usegmt=True)
        elif isinstance(expires, str):
            _check_attribute("expires", expires)
        elif not isinstance(expires, int) or isinstance(expires, bool):
            raise TypeError("cookie expires must be a str, an int or a datetime")
        attribute(morsel, "expires", expires)
    elif not fresh and morsel.get("expires") == _EPOCH:
        del morsel["expires"]
    if domain is not None:
        attribute(morsel, "domain", _check_attribute("domain", domain))
    if max_age is not None:
        if isinstance(max_age, bool) or not _INTEGER.fullmatch(str(max_age)):
            raise ValueError(f"cookie max_age {max_age!r} is not an integer")
        attribute(morsel, "max-age", str(int(max_age)))
    elif "max-age" in morsel:  # as aiohttp: a Morsel without the key, not with it blank
        del morsel["max-age"]
    if path is not None:
        if path != "/":
            _check_attribute("path", path)
        attribute(morsel, "path", path)
    if secure is not None:
        attribute(morsel, "secure", secure)
    if httponly is not None:
        attribute(morsel, "httponly", httponly)
    if samesite is not None:
        canonical = _SAMESITE.get(samesite.lower()) if isinstance(samesite, str) else None
        if canonical is None:
            raise ValueError(f"cookie samesite must be 'Strict', 'Lax' or 'None', not {samesite!r}")
        attribute(morsel, "samesite", canonical)
    if version is not None:
        morsel["version"] = _check_attribute("version", str(version))
    if partitioned is not None:
        attribute(morsel, "partitioned", partitioned)


def del_cookie(
    cookies: SimpleCookie,
    name: str,
    *,
    domain: str | None = None,
    path: str = "/",
    secure: bool | None = None,
    httponly: bool | None = None,
    samesite: str | None = None,
) -> None:
    """Delete the cookie ``name`` in the client: send it empty, already expired (RFC 6265 §3.1).

    ``domain`` and ``path`` must match those it was set with, or the browser keeps the original; ``secure``,
    ``httponly`` and ``samesite`` go on the expired cookie too, as aiohttp 3 sends them (a browser refuses a
    ``SameSite=None`` cookie without ``Secure``, and a ``__Secure-`` or ``__Host-`` one without it)."""
    cookies.pop(name, None)
    set_cookie(
        cookies,
        name,
        "",
        max_age=0,
        expires=_EPOCH,
        domain=domain,
        path=path,
        secure=secure,
        httponly=httponly,
        samesite=samesite,
    )

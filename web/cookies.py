"""Cookies: the ``Cookie`` request header read the way browsers send it, and ``Set-Cookie`` written safely.

Reading is lenient on purpose. ``http.cookies.SimpleCookie`` drops *every* cookie of a header when one of them is
not RFC 2109-clean (a JSON value, a space, a stray ``"``), and browsers send such cookies all the time, because
any script or other site under the same domain can set them. :func:`parse_cookies` follows RFC 6265bis §5.7 (the
browsers' own algorithm) instead: split on ``;``, split each piece at its first ``=``, trim, keep everything.

Writing is strict: :func:`set_cookie` refuses (``ValueError``) a name that is not a token, a value or attribute
with control characters, an attribute containing ``;``, and a value with characters outside latin-1; other
special characters in a value are quoted by ``SimpleCookie`` (``"a\\073b"``), which :func:`parse_cookies` undoes.
Nothing a caller passes can add an attribute or a header line.
"""

from __future__ import annotations

import datetime
import email.utils
import re
from collections.abc import Iterable
from http.cookies import CookieError, Morsel, SimpleCookie

from multidict import MultiDict

__all__ = ["del_cookie", "parse_cookies", "set_cookie"]

# RFC 9110 §5.6.2 token: what RFC 6265 §4.1.1 allows as a cookie-name.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CTL = re.compile(r"[\x00-\x1f\x7f]")
_OCTAL = re.compile(r"\\([0-3][0-7][0-7])|\\(.)", re.DOTALL)
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}
_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


def _unquote(value: str) -> str:
    # SimpleCookie writes special characters as "\ooo" octal escapes inside double quotes (and "\"", "\\").
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if "\\" in value:
            value = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)) if m.group(1) else m.group(2), value)
    return value


def _utf8(text: str) -> str:
    # Header values reach us latin-1 decoded; browsers send non-ASCII cookie bytes as UTF-8.
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def parse_cookies(headers: Iterable[str]) -> MultiDict[str]:
    """Parse the values of the ``Cookie`` header(s) of a request into a multidict, in order, repeats kept.

    Like a browser's cookie jar would send them (RFC 6265bis §5.7): pieces without ``=`` give the name ``""``,
    empty pieces are skipped, surrounding whitespace and one pair of double quotes are removed."""
    cookies: MultiDict[str] = MultiDict()
    for header in headers:
        for piece in header.split(";"):
            name, sep, value = piece.partition("=")
            if not sep:
                name, value = "", name
            name = name.strip(" \t")
            value = value.strip(" \t")
            if not name and not value:
                continue
            # UTF-8 repair before unquoting: octal escapes written by SimpleCookie are latin-1 code points already.
            cookies.add(_utf8(name), _unquote(_utf8(value)))
    return cookies


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
) -> None:
    """Set the cookie ``name`` in ``cookies`` (what ``StreamResponse.set_cookie`` does).

    ``expires`` is an HTTP date string (a ``datetime`` is formatted for you, an ``int`` is seconds from now);
    ``max_age`` is seconds; ``samesite`` is ``'Strict'``, ``'Lax'`` or ``'None'``. Setting a cookie that was
    deleted in the same response replaces the deletion. Raises ``ValueError`` for anything that would break or
    extend the ``Set-Cookie`` header.
    """
    if not isinstance(name, str) or not _TOKEN.fullmatch(name):
        raise ValueError(f"cookie name {name!r} is not a token (RFC 6265 §4.1.1)")
    if not isinstance(value, str):
        raise TypeError(f"cookie value must be str, not {type(value).__name__}")
    if _CTL.search(value):
        raise ValueError(f"cookie value {value!r} contains a control character")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"cookie value {value!r} has characters outside latin-1; encode it first") from None

    old = cookies.get(name)
    if old is not None and old.value == "":
        # A del_cookie() earlier in this response: start afresh instead of inheriting its Max-Age=0.
        cookies.pop(name, None)
    try:
        cookies[name] = value
    except CookieError as exc:  # e.g. a reserved attribute name used as a cookie name ("path")
        raise ValueError(f"cookie name {name!r} is refused: {exc}") from None
    morsel: Morsel = cookies[name]

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
        morsel["expires"] = expires
    elif morsel.get("expires") == _EPOCH:
        del morsel["expires"]
    if domain is not None:
        morsel["domain"] = _check_attribute("domain", domain)
    if max_age is not None:
        if isinstance(max_age, bool) or not re.fullmatch(r"-?[0-9]+", str(max_age)):
            raise ValueError(f"cookie max_age {max_age!r} is not an integer")
        morsel["max-age"] = str(int(max_age))
    elif "max-age" in morsel:
        del morsel["max-age"]
    if path is not None:
        morsel["path"] = _check_attribute("path", path)
    if secure is not None:
        morsel["secure"] = secure
    if httponly is not None:
        morsel["httponly"] = httponly
    if samesite is not None:
        canonical = _SAMESITE.get(samesite.lower()) if isinstance(samesite, str) else None
        if canonical is None:
            raise ValueError(f"cookie samesite must be 'Strict', 'Lax' or 'None', not {samesite!r}")
        morsel["samesite"] = canonical
    if version is not None:
        morsel["version"] = _check_attribute("version", str(version))


def del_cookie(cookies: SimpleCookie, name: str, *, domain: str | None = None, path: str = "/") -> None:
    """Delete the cookie ``name`` in the client: send it empty, already expired (RFC 6265 §3.1).

    ``domain`` and ``path`` must match those it was set with, or the browser keeps the original."""
    cookies.pop(name, None)
    set_cookie(cookies, name, "", max_age=0, expires=_EPOCH, domain=domain, path=path)

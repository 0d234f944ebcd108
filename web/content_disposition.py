"""``Content-Disposition`` of a multipart part (RFC 6266, RFC 7578 §4.2): its type, parameters and file name.

What a part's ``name`` and ``filename`` are, for ``await request.multipart()`` and ``await request.post()`` alike.
The parse is aiohttp 3's (``aiohttp.multipart.parse_content_disposition``), so a field or a file gets the name it
gets there: ``filename*`` (RFC 8187, ``charset'lang'percent-encoded``) wins over ``filename``, continuations
(``filename*0``, ``filename*1*``, RFC 2231 §3) are joined, quoted values are unescaped. A malformed header gives
``(None, {})`` with a :class:`BadContentDispositionHeader` warning, a malformed parameter is dropped with a
:class:`BadContentDispositionParam` warning, as in aiohttp.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from urllib.parse import unquote

__all__ = [
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "content_disposition_filename",
    "parse_content_disposition",
]

_CHAR = frozenset(map(chr, range(128)))
_CTL = frozenset(map(chr, range(32))) | {chr(127)}
# RFC 2616 §2.2 separators: what a token (RFC 9110 §5.6.2) cannot hold.
_SEPARATORS = frozenset('()<>@,;:\\"/[]?={} \t')
_TOKEN = _CHAR - _CTL - _SEPARATORS
_UNESCAPE = re.compile("\\\\([{}])".format("".join(map(re.escape, sorted(_CHAR)))))

# The common value (``form-data; name="f"; filename="a.txt"``): parameters without "*" (no RFC 8187 or 2231
# forms), quoted values without a backslash or ";", token values ending where their parameter does. Its parse
# cannot warn, and is what the general one gives (tests/web/test_content_disposition.py holds it to that).
_TCHAR = "!#$%&'*+.^_`|~0-9A-Za-z-"
_KEY_CHAR = "!#$%&'+.^_`|~0-9A-Za-z-"  # a token without "*"
_SIMPLE = re.compile(rf'([{_TCHAR}]+)[ \t]*(?:;[ \t]*[{_KEY_CHAR}]+=(?:"[^"\\;]*"[ \t]*|[{_TCHAR}]+(?=;|$)))*')
_SIMPLE_PARAM = re.compile(rf';[ \t]*([{_KEY_CHAR}]+)=(?:"([^"\\;]*)"|([{_TCHAR}]+))')


class BadContentDispositionHeader(RuntimeWarning):
    """The Content-Disposition header could not be parsed; it was read as absent."""


class BadContentDispositionParam(RuntimeWarning):
    """A Content-Disposition parameter could not be parsed; it was left out."""


def _is_token(string: str) -> bool:
    return bool(string) and _TOKEN.issuperset(string)


def _is_quoted(string: str) -> bool:
    return len(string) >= 2 and string[0] == string[-1] == '"'


def _is_continuous_param(key: str) -> bool:
    pos = key.find("*") + 1
    if not pos:
        return False
    tail = key[pos:-1] if key.endswith("*") else key[pos:]
    return tail.isdigit()


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


def parse_content_disposition(header: str | None) -> tuple[str | None, dict[str, str]]:
    """The disposition type (lower case) and the parameters (names lower case) of a Content-Disposition value;
    ``(None, {})`` when it is absent or malformed."""
    if not header:
        return None, {}
    simple = _SIMPLE.fullmatch(header)
    if simple is not None:
        params: dict[str, str] = {}
        for match in _SIMPLE_PARAM.finditer(header, simple.end(1)):
            key, quoted, token = match.groups()
            key = key.lower()
            if key in params:
                break  # the general parse warns and refuses the header
            params[key] = token if quoted is None else quoted.lstrip("/")
        else:
            return simple[1].lower(), params
    return _parse(header)


def _parse(header: str) -> tuple[str | None, dict[str, str]]:
    # RFC 9110 §5.6.6: parameters follow the type, each after a ";".
    disptype, *parts = header.split(";")
    disptype = disptype.strip()
    if not _is_token(disptype):
        warnings.warn(BadContentDispositionHeader(header), stacklevel=3)
        return None, {}
    params: dict[str, str] = {}
    while parts:
        item = parts.pop(0)
        if not item:  # a trailing or doubled ";"
            warnings.warn(BadContentDispositionHeader(header), stacklevel=3)
            continue
        if "=" not in item:
            warnings.warn(BadContentDispositionHeader(header), stacklevel=3)
            return None, {}
        key, value = item.split("=", 1)
        key = key.lower().strip()
        value = value.lstrip()
        if key in params:
            warnings.warn(BadContentDispositionHeader(header), stacklevel=3)
            return None, {}
        if not _is_token(key):
            warnings.warn(BadContentDispositionParam(item), stacklevel=3)
            continue
        if _is_continuous_param(key):
            if _is_quoted(value):
                value = _unescape(value[1:-1])
            elif not _is_token(value):
                warnings.warn(BadContentDispositionParam(item), stacklevel=3)
                continue
        elif key.endswith("*"):
            # RFC 8187 §3.2: charset'language'percent-encoded octets.
            if not (_is_token(value) and value.count("'") == 2):
                warnings.warn(BadContentDispositionParam(item), stacklevel=3)
                continue
            encoding, _, value = value.split("'", 2)
            try:
                value = unquote(value, encoding or "utf-8", "strict")
            except (LookupError, UnicodeDecodeError):  # the charset and the octets are the client's
                warnings.warn(BadContentDispositionParam(item), stacklevel=3)
                continue
        else:
            rstripped = value.rstrip()
            if _is_quoted(rstripped):
                value = _unescape(rstripped[1:-1].lstrip("\\/"))
            elif not _is_token(value):
                # A ";" inside a quoted value split it in two: join them back when that makes one quoted value.
                joined = f"{value};{parts[0]}" if parts else ""
                if not _is_quoted(joined):
                    warnings.warn(BadContentDispositionHeader(header), stacklevel=3)
                    return None, {}
                parts.pop(0)
                value = _unescape(joined[1:-1].lstrip("\\/"))
        params[key] = value
    return disptype.lower(), params


def content_disposition_filename(params: Mapping[str, str], name: str = "filename") -> str | None:
    """The parameter ``name`` (``filename`` by default) of parsed Content-Disposition ``params``: ``name*`` if
    given, else ``name``, else the joined continuations ``name*0``, ``name*1``...; None if there is none."""
    extended = name + "*"
    if not params:
        return None
    if extended in params:
        return params[extended]
    if name in params:
        return params[name]
    pieces = []
    continued = sorted((key, value) for key, value in params.items() if key.startswith(extended))
    for num, (key, value) in enumerate(continued):
        tail = key.split("*", 1)[1].removesuffix("*")
        if tail != str(num):
            break
        pieces.append(value)
    if not pieces:
        return None
    value = "".join(pieces)
    if "'" in value:
        encoding, _, value = value.split("'", 2)
        try:
            return unquote(value, encoding or "utf-8", "strict")
        except (LookupError, UnicodeDecodeError):
            return None
    return value

"""Query strings and urlencoded form bodies into (name, value) pairs: ``Request.query`` (``GET``) reads the query
through :func:`parse_query`, ``Request.post()`` an ``application/x-www-form-urlencoded`` body through
:func:`parse_fields` (web/forms.py), one parser for both, since HTML defines the form body as a query string.

The result is exactly ``parse_qsl(qs, keep_blank_values=True, encoding=encoding)``, which is what aiohttp's
``request.query`` gives for a query of text and what its ``post()`` gives for a form (tests/web/test_query.py and
tests/web/test_forms_fast.py check them against each other, on a corpus and on random input). ``parse_qsl`` is
general: str or bytes, any separator, strictness, a field cap, and per field two coercions, a list and an
``unquote`` call. A query of a request is a str split on ``&`` only, most fields carry no ``+`` and no ``%``, so
those steps are skipped when there is nothing for them to do. When the text has escapes, :func:`parse_text`
decodes them in one pass over the whole text before it is split, where that gives the same fields (see there),
and :func:`_unquote` is ``unquote`` without its layers for ASCII text (tests/web/test_query.py holds each
against the general path and ``urllib``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from multidict import MultiDict

__all__ = ["parse_fields", "parse_query", "parse_text"]

_HEXDIG = "0123456789ABCDEFabcdef"
# urllib.parse's table: the two hex digits of an escape (either case) to the byte they stand for.
_HEX_TO_BYTE = {(a + b).encode(): bytes.fromhex(a + b) for a in _HEXDIG for b in _HEXDIG}
# The same as text: the escapes of the ASCII bytes to their characters, and those of the bytes above 0x7F.
_HEX_TO_ASCII = {a + b: chr(int(a + b, 16)) for a in "01234567" for b in _HEXDIG}
_HEX_TO_ASCII_HIGH = frozenset(a + b for a in "89ABCDEFabcdef" for b in _HEXDIG)
# Those that never stand for a field's separators: all but & and = (%26, %3D, %3d).
_HEX_TO_FIELD_ASCII = {hexdig: char for hexdig, char in _HEX_TO_ASCII.items() if char not in "&="}


def parse_query(qs: str) -> MultiDict[str]:
    """``qs`` (a query string without the ``?``) as a multidict of its fields, in order, repeats kept.

    As ``parse_qsl(qs, keep_blank_values=True)``: fields split on ``&`` only, empty fields skipped, a field
    without ``=`` is a name with the value ``''``, ``+`` is a space, then %-escapes are decoded as UTF-8 with
    undecodable bytes replaced by U+FFFD.
    """
    if "%" in qs or "+" in qs:
        return MultiDict(parse_text(qs))
    # Nothing to decode: the fields go into the multidict as split, without the list of pairs in between (a
    # request's query is mostly one or two fields, for which building that list costs more than the fields;
    # Request.query reads one field itself).
    query: MultiDict[str] = MultiDict()
    add = query.add
    for field in qs.split("&"):
        if field:
            name, _, value = field.partition("=")
            add(name, value)
    return query


def parse_text(text: str, encoding: str = "utf-8") -> list[tuple[str, str]]:
    """``parse_fields(text.split("&"), encoding)``: the ``&``-separated fields of ``text`` as (name, value) pairs.

    ``+`` is replaced in the whole text at once (it is never a separator, and the replacement comes before
    %-decoding in each field). In UTF-8, the escapes are decoded in the whole text at once too, when none of
    them stands for ``&`` or ``=``: the fields and their ``=`` are then where they were before decoding, and
    decoding text joined at an ASCII character gives the two decodings joined (an ASCII byte is never part of a
    UTF-8 sequence, so U+FFFD replaces the same bytes). Otherwise each field is decoded on its own."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" in text:
        if encoding != "utf-8":
            return parse_fields(text.split("&"), encoding)
        decoded = None
        if text.isascii():
            # _unquote's loop inline, for the common text whose escapes all stand for ASCII characters other than
            # "&" and "=": the first other escape ends it, and the text is decoded as below (then checked for
            # those two first, the three scans this spares the common text).
            pieces = text.split("%")
            chars = [pieces[0]]
            add = chars.append
            table = _HEX_TO_FIELD_ASCII
            for i in range(1, len(pieces)):
                piece = pieces[i]
                char = table.get(piece[:2])
                if char is not None:
                    add(char)
                    add(piece[2:])
                elif piece[:2] in _HEX_TO_ASCII or piece[:2] in _HEX_TO_ASCII_HIGH:
                    break
                else:
                    add("%")
                    add(piece)
            else:
                decoded = "".join(chars)
        if decoded is None:
            if "%26" in text or "%3D" in text or "%3d" in text:
                return parse_fields(text.split("&"), encoding)
            decoded = _unquote(text, encoding)
        text = decoded
    # A loop, not a comprehension: before Python 3.12 a comprehension is a function call of its own.
    pairs: list[tuple[str, str]] = []
    append = pairs.append
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            append((name, value))
    return pairs


def parse_fields(fields: Iterable[str], encoding: str = "utf-8") -> list[tuple[str, str]]:
    """The ``&``-separated ``fields`` of a query as (name, value) pairs, as :func:`parse_query` reads them;
    %-escapes are decoded in ``encoding`` (an ASCII-compatible one), undecodable bytes replaced by U+FFFD."""
    pairs: list[tuple[str, str]] = []
    append = pairs.append
    for field in fields:
        if not field:
            continue
        name, _, value = field.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = _unquote(name, encoding)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = _unquote(value, encoding)
        append((name, value))
    return pairs


def _unquote(text: str, encoding: str) -> str:
    """``urllib.parse.unquote(text, encoding)``: %-escapes decoded in ``encoding``, undecodable bytes replaced by
    U+FFFD, an escape that is not two hex digits kept as it is. For ASCII text (``unquote`` decodes only its
    ASCII runs, so here the whole text) the loop of ``unquote_to_bytes`` without the layers around it."""
    if not text.isascii():
        return unquote(text, encoding)
    if encoding == "utf-8":
        # In UTF-8 a byte below 0x80 is its ASCII character: while the escapes stand for such bytes, the text is
        # decoded as text, without its bytes. (Not in every ASCII-compatible charset: ISO-2022-JP's ESC $ B
        # switches what the bytes after it mean.)
        pieces = text.split("%")
        chars = [pieces[0]]
        add = chars.append
        ascii_table = _HEX_TO_ASCII
        for i in range(1, len(pieces)):
            piece = pieces[i]
            char = ascii_table.get(piece[:2])
            if char is not None:
                add(char)
                add(piece[2:])
            elif piece[:2] in _HEX_TO_ASCII_HIGH:
                break  # an escape of a byte above 0x7F: the text is decoded as bytes below
            else:
                add("%")
                add(piece)
        else:
            return "".join(chars)
    parts = text.encode().split(b"%")
    decoded = [parts[0]]
    append = decoded.append
    table = _HEX_TO_BYTE
    for i in range(1, len(parts)):
        part = parts[i]
        byte = table.get(part[:2])
        if byte is None:
            append(b"%")
            append(part)
        else:
            append(byte)
            append(part[2:])
    return b"".join(decoded).decode(encoding, "replace")

"""Query strings and urlencoded form bodies into (name, value) pairs: ``Request.query`` (``GET``) reads the query
through :func:`parse_query`, ``Request.post()`` an ``application/x-www-form-urlencoded`` body through
:func:`parse_fields` (web/forms.py), one parser for both, since HTML defines the form body as a query string.

The result is exactly ``parse_qsl(qs, keep_blank_values=True, encoding=encoding)``, which is what aiohttp's
``request.query`` gives for a query of text and what its ``post()`` gives for a form (tests/web/test_query.py and
tests/web/test_forms_fast.py check them against each other, on a corpus and on random input). ``parse_qsl`` is
general: str or bytes, any separator, strictness, a field cap, and per field two coercions, a list and an
``unquote`` call. A query of a request is a str split on ``&`` only, most fields carry no ``+`` and no ``%``, so
those steps are skipped when there is nothing for them to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from multidict import MultiDict

__all__ = ["parse_fields", "parse_query"]


def parse_query(qs: str) -> MultiDict[str]:
    """``qs`` (a query string without the ``?``) as a multidict of its fields, in order, repeats kept.

    As ``parse_qsl(qs, keep_blank_values=True)``: fields split on ``&`` only, empty fields skipped, a field
    without ``=`` is a name with the value ``''``, ``+`` is a space, then %-escapes are decoded as UTF-8 with
    undecodable bytes replaced by U+FFFD.
    """
    return MultiDict(parse_fields(qs.split("&")))


def parse_fields(fields: Iterable[str], encoding: str = "utf-8") -> list[tuple[str, str]]:
    """The ``&``-separated ``fields`` of a query as (name, value) pairs, as :func:`parse_query` reads them;
    %-escapes are decoded in ``encoding`` (an ASCII-compatible one), undecodable bytes replaced by U+FFFD."""
    pairs = []
    append = pairs.append
    for field in fields:
        if not field:
            continue
        name, _, value = field.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name, encoding)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value, encoding)
        append((name, value))
    return pairs

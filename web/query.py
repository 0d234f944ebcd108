"""The query string of a request into a multidict: ``Request.query`` (``GET``) reads it through :func:`parse_query`.

The result is exactly ``MultiDict(urllib.parse.parse_qsl(qs, keep_blank_values=True))``, which is what aiohttp's
``request.query`` gives for a query of text (tests/web/test_query.py checks the two against each other, on a
corpus and on random input). ``parse_qsl`` is general: str or bytes, any separator, strictness, a field cap, and
per field two coercions, a list and an ``unquote`` call. A query of a request is a str split on ``&`` only, most
fields carry no ``+`` and no ``%``, so those steps are skipped when there is nothing for them to do.
"""

from __future__ import annotations

from urllib.parse import unquote

from multidict import MultiDict

__all__ = ["parse_query"]


def parse_query(qs: str) -> MultiDict[str]:
    """``qs`` (a query string without the ``?``) as a multidict of its fields, in order, repeats kept.

    As ``parse_qsl(qs, keep_blank_values=True)``: fields split on ``&`` only, empty fields skipped, a field
    without ``=`` is a name with the value ``''``, ``+`` is a space, then %-escapes are decoded as UTF-8 with
    undecodable bytes replaced by U+FFFD.
    """
    pairs = []
    append = pairs.append
    for field in qs.split("&"):
        if not field:
            continue
        name, _, value = field.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value)
        append((name, value))
    return MultiDict(pairs)

"""The request's conditional and range fields (RFC 9110 §13.1, §14.2) as aiohttp 3's ``Request`` reads them:
``if_modified_since``, ``if_unmodified_since`` and ``if_range`` as dates, ``if_match`` and ``if_none_match`` as
tuples of :class:`~web.validators.ETag`, and ``http_range`` as a ``slice``.

What a field that does not parse reads as is aiohttp's: a date that is not an HTTP-date is None, an entity-tag list
stops at its first malformed member, a Range that is not one ``bytes=`` range raises ValueError.
"""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate

from .validators import ETAG_ANY, ETag

__all__ = ["parse_etag_list", "parse_http_date", "parse_http_range"]

# RFC 9110 §8.8.3: entity-tag = [ weak ] opaque-tag; etagc = "!" / %x23-7E / obs-text. Members are separated by
# commas (§5.6.1); anything else (group 4) ends the list, as in aiohttp.
_LIST_QUOTED_ETAG_RE = re.compile(r'((W/)?"([!\x23-\x7E\x80-\xff]+)")(?:\s*,\s*|$)|(.)')
# RFC 9110 §14.1.2: a single byte-range-spec or suffix-range; the unit is case-insensitive (§14.1).
_BYTES_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$", re.ASCII | re.IGNORECASE)


def parse_http_date(value: str | None) -> datetime.datetime | None:
    """An HTTP-date (RFC 9110 §5.6.7) as an aware datetime in UTC; None when absent or not a valid date."""
    if value is None:
        return None
    fields = parsedate(value)
    if fields is None:
        return None
    try:
        return datetime.datetime(*fields[:6], tzinfo=datetime.UTC)
    except ValueError:  # a field out of range, e.g. second 80 or year 4446413
        return None


def parse_etag_list(value: str | None) -> tuple[ETag, ...] | None:
    """The entity-tags of an ``If-Match`` / ``If-None-Match`` value: ``(ETag('*'),)`` for ``*``, the tags up to
    the first malformed member otherwise; None when absent or empty."""
    if not value:
        return None
    if value == ETAG_ANY:
        return (ETag(ETAG_ANY),)
    tags = []
    for match in _LIST_QUOTED_ETAG_RE.finditer(value):
        weak, tag, garbage = match.group(2, 3, 4)
        if garbage:
            break
        tags.append(ETag(tag, bool(weak)))
    return tuple(tags)


def parse_http_range(value: str | None) -> slice:
    """The ``Range`` value as a ``slice`` of the representation, as aiohttp 3's ``request.http_range``.

    ``slice(None, None, 1)`` when absent; ``bytes=a-b`` is ``slice(a, b + 1, 1)`` (the header's end is
    inclusive), ``bytes=a-`` ``slice(a, None, 1)``, ``bytes=-n`` (the last n bytes) ``slice(-n, None, 1)``.
    Raises ValueError for anything else: another unit, several ranges, an end before the start, no bound."""
    start: int | None = None
    end: int | None = None
    if value is not None:
        match = _BYTES_RANGE_RE.match(value)
        if match is None:
            raise ValueError("range not in acceptable format")
        first, last = match.groups()
        start = int(first) if first else None
        end = int(last) if last else None
        if start is None and end is not None:
            start, end = -end, None
        if start is not None and end is not None:
            end += 1
            if start >= end:
                raise ValueError("start cannot be after end")
        if start is None and end is None:
            raise ValueError("No start or end of range specified")
    return slice(start, end, 1)

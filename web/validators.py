"""The validator fields of a response (RFC 9110 §8.8): ``ETag`` and ``Last-Modified``, as aiohttp 3's
``StreamResponse.etag`` and ``last_modified`` read and write them.

:class:`ETag` is aiohttp's ``helpers.ETag`` (``value`` and ``is_weak``). Code written for aiohttp compares
``response.etag`` with aiohttp's own class (``resp.etag == aiohttp.helpers.ETag("x")``) and assigns instances of
it, so an entity-tag here equals, and is read from, any object with the same ``value`` and ``is_weak``.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

__all__ = ["ETAG_ANY", "ETag", "format_etag", "format_last_modified", "parse_etag", "parse_last_modified"]

ETAG_ANY = "*"
# RFC 9110 §8.8.3: etagc = "!" / %x23-7E / obs-text; an entity-tag is ``[ W/ ] DQUOTE *etagc DQUOTE``.
_ETAGC_RE = re.compile(r"[!\x23-\x7E\x80-\xff]+")
_QUOTED_ETAG_RE = re.compile(r'(W/)?"([!\x23-\x7E\x80-\xff]+)"')


class ETag(NamedTuple):
    """An entity-tag: its opaque ``value`` (without quotes) and whether it is weak (``W/"..."``)."""

    value: str
    is_weak: bool = False

    def __eq__(self, other: object) -> bool:
        # aiohttp's ETag (an attrs class) answers NotImplemented to ours, so Python asks this reflected side.
        try:
            return (self.value, self.is_weak) == (other.value, other.is_weak)  # type: ignore[attr-defined]
        except AttributeError:
            return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__


def parse_etag(header: str | None) -> ETag | None:
    """The entity-tag of an ``ETag`` header value; None when absent or not a valid entity-tag."""
    if not header:
        return None
    if header == ETAG_ANY:
        return ETag(ETAG_ANY)
    match = _QUOTED_ETAG_RE.fullmatch(header)
    if match is None:
        return None
    return ETag(match.group(2), bool(match.group(1)))


def format_etag(value: Any) -> str:
    """The ``ETag`` header value for ``value``: a str (a strong tag's value, or ``*``) or an entity-tag object
    (``value``, ``is_weak``). Raises ValueError for a value that is not ``etagc`` characters, or another type."""
    tag_value = getattr(value, "value", None) if not isinstance(value, str) else value
    if not isinstance(tag_value, str):
        raise ValueError(f"Unsupported etag type: {type(value)}. etag must be str, ETag or None")
    if tag_value == ETAG_ANY:
        return ETAG_ANY
    if not _ETAGC_RE.fullmatch(tag_value):
        raise ValueError(f"Value {tag_value!r} is not a valid etag. Maybe it contains '\"'?")
    if not isinstance(value, str) and value.is_weak:
        return f'W/"{tag_value}"'
    return f'"{tag_value}"'


def parse_last_modified(header: str | None) -> datetime.datetime | None:
    """The date of a ``Last-Modified`` header value (an aware datetime in UTC); None when absent or invalid."""
    if header is None:
        return None
    try:
        parsed = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def format_last_modified(value: float | datetime.datetime | str) -> str:
    """The ``Last-Modified`` header value (an IMF-fixdate, RFC 9110 §5.6.7) for a POSIX timestamp, a datetime or a
    string (kept as given). A fraction of a second rounds up, as in aiohttp: the date must not be earlier than the
    resource's real modification time, or a conditional request would see a changed resource as unchanged."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime):
        if value.microsecond:
            value = value.replace(microsecond=0) + datetime.timedelta(seconds=1)
        return time.strftime("%a, %d %b %Y %H:%M:%S GMT", value.utctimetuple())
    if isinstance(value, (int, float)):
        return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(math.ceil(value)))
    raise TypeError(f"Unsupported type for last_modified: {type(value).__name__}")

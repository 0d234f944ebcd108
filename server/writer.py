"""Encoding of response heads: cached status lines, the Date and Server lines (dateheader.py), injection checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus

from .dateheader import head_lines, http_date

__all__ = [
    "STATUS_LINES",
    "HeaderInjectionError",
    "encode_head",
    "error_response",
    "http_date",
    "reason_phrase",
    "server_lines",
    "status_line",
]


class HeaderInjectionError(ValueError):
    """A header name or value contains CR or LF: sending it would let the value forge headers or a response."""


_REASONS: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}
_STATUS_LINES: dict[int, str] = {code: f"HTTP/1.1 {code} {phrase}\r\n" for code, phrase in _REASONS.items()}
#: What :func:`status_line` gives each registered status with its standard reason (read-only by convention).
STATUS_LINES: Mapping[int, str] = _STATUS_LINES


def reason_phrase(status: int) -> str:
    """The standard reason phrase of ``status``, or '' for an unregistered code."""
    return _REASONS.get(status, "")


def status_line(status: int, reason: str | None = None) -> str:
    """``HTTP/1.1 <status> <reason>\\r\\n``; pre-built for every registered status with its standard reason."""
    if reason is None:
        line = _STATUS_LINES.get(status)
        if line is not None:
            return line
        reason = ""
    elif "\r" in reason or "\n" in reason:
        raise HeaderInjectionError(f"reason phrase contains CR or LF: {reason!r}")
    if not 100 <= status <= 999:
        raise ValueError(f"status must be a three-digit integer, got {status!r}")
    return f"HTTP/1.1 {status} {reason}\r\n"


def server_lines(server_header: str | None) -> str:
    """``Date: <http_date()>\r\n``, then ``Server: <server_header>\r\n`` unless it is None or empty: the
    lines every response head carries, from the one per-second source in server/dateheader.py."""
    return head_lines(server_header)


def encode_head(status_text: str, headers: Iterable[tuple[str, str]], trusted: str = "") -> bytes:
    """Serialize a status line (from :func:`status_line`), header fields and ``trusted`` pre-formatted lines that
    the server built itself (``"Date: ...\r\n"``) into one bytes object.

    Raises :class:`HeaderInjectionError` when any name or value carries CR or LF, before anything is sent: each
    header line contributes exactly one CR and one LF, so counting them over the joined fields finds any extra one
    with two C-level scans instead of a check per field.
    """
    lines = [f"{name}: {value}\r\n" for name, value in headers]
    fields = "".join(lines)
    n = len(lines)
    if fields.count("\n") != n or fields.count("\r") != n:
        for line in lines:
            if line.count("\n") != 1 or line.count("\r") != 1:
                raise HeaderInjectionError(f"header field contains CR or LF: {line[:-2]!r}")
    return f"{status_text}{fields}{trusted}\r\n".encode()


def error_response(
    status: int, message: str = "", *, keep_alive: bool = False, server_header: str | None = None
) -> bytes:
    """A complete plain-text response for errors the connection layer answers by itself, with a ``Server`` field
    when ``server_header`` names one (the settings' ``server_header``, as every other answer carries it)."""
    body = (message or f"{status} {reason_phrase(status)}").encode("utf-8", "replace")
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Date", http_date()),
    ]
    if server_header:
        headers.append(("Server", server_header))
    headers.append(("Connection", "keep-alive" if keep_alive else "close"))
    return encode_head(status_line(status), headers) + body

"""Errors of the HTTP/1.1 connection layer.

Each error names the rule the peer broke and carries the status the server answers with. The protocol maps every
one of them to exactly one response, in one place (``HttpProtocol._reject``), and then closes the connection:
after a framing error nothing that follows on the wire can be trusted (RFC 9112 §11.2, request smuggling).

    HttpProtocolError                 (400 unless stated)
    ├── BadRequest                    malformed request line, headers or framing
    │   ├── BadHttpVersion            HTTP/0.9 or an unsupported version (505)
    │   ├── RequestPayloadError       a request body that cannot be read (``web.RequestPayloadError``)
    │   │   └── ContentDecodingError  a body that does not decode with its Content-Encoding
    │   └── UnsupportedUpgrade        CONNECT, or an upgrade we do not speak with a body to skip
    ├── UnsupportedTransferCoding     a transfer coding other than chunked (501)
    ├── LimitExceeded                 a configured limit
    │   ├── RequestLineTooLong        request line over max_request_line (414)
    │   ├── HeadersTooLarge           too many header fields, or one field too long (400)
    │   ├── LineTooLong               a body line read with readline()/readuntil() over its limit (400)
    │   └── PayloadTooLarge           body over the server-wide client_max_size cap (413)
    └── RequestTimeout                the request head did not arrive in time (408)
"""

from __future__ import annotations


class HttpProtocolError(Exception):
    """Root of the errors the peer can cause; ``status`` is the answer."""

    status = 400

    def __init__(self, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.__class__.__name__)
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class BadRequest(HttpProtocolError):
    """Malformed request."""

    status = 400


class BadHttpVersion(BadRequest):
    """HTTP version not supported."""

    status = 505


class RequestPayloadError(BadRequest):
    """The request body cannot be read: it is malformed."""

    status = 400


class ContentDecodingError(RequestPayloadError):
    """The request body does not decode with its Content-Encoding."""

    status = 400


class UnsupportedUpgrade(BadRequest):
    """Upgrade or CONNECT that this server does not speak."""

    status = 400


class UnsupportedTransferCoding(HttpProtocolError):
    """Transfer coding not implemented."""

    status = 501


class LimitExceeded(HttpProtocolError):
    """A configured size limit was exceeded."""


class RequestLineTooLong(LimitExceeded):
    """Request line too long."""

    status = 414


class LineTooLong(LimitExceeded):
    """A line of the body longer than its limit (``readline``/``readuntil``), aiohttp's LineTooLong: 400."""

    def __init__(self, line: bytes, limit: int) -> None:
        super().__init__(f"Got more than {limit} bytes when reading: {line!r}.")
        self.line = line
        self.limit = limit


class HeadersTooLarge(LimitExceeded):
    """Request header fields too large."""

    # 400, as aiohttp, gunicorn and nginx answer; RFC 6585's 431 is optional ("MAY").
    status = 400


class PayloadTooLarge(LimitExceeded):
    """Request body larger than the server-wide ``client_max_size`` cap (``ServerSettings``)."""

    status = 413

    def __init__(self, limit: int = 0, actual: int | None = None) -> None:
        super().__init__(f"Maximum request body size {limit} exceeded.")  # aiohttp 3's words
        self.limit = limit
        self.actual = actual


class RequestTimeout(HttpProtocolError):
    """The request head did not arrive in time."""

    status = 408

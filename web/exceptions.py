"""HTTP exceptions: one class per status code, each both raisable and returnable as a response.

A handler may ``raise web.HTTPNotFound()`` or ``return web.HTTPFound('/login')``; the handler machinery sends
either as the response. Every class is a :class:`web.Response` whose status is the class attribute
``status_code``, with a plain-text body ``"<status>: <reason>"`` unless ``text`` or ``body`` is given. The names
and the tree are aiohttp 3's, so existing code ports unchanged::

    HTTPException                         (Response, Exception)
    ├── HTTPSuccessful                    2xx: HTTPOk, HTTPCreated, HTTPAccepted, ..., HTTPPartialContent
    ├── HTTPRedirection                   3xx
    │   ├── HTTPMove(location)            HTTPMultipleChoices, HTTPMovedPermanently, HTTPFound, HTTPSeeOther,
    │   │                                 HTTPUseProxy, HTTPTemporaryRedirect, HTTPPermanentRedirect
    │   └── HTTPNotModified               304, no body
    └── HTTPError
        ├── HTTPClientError               4xx: HTTPBadRequest, ..., HTTPNotFound,
        │                                 HTTPMethodNotAllowed(method, allowed_methods) (sets Allow),
        │                                 HTTPRequestEntityTooLarge(max_size, actual_size), ...
        └── HTTPServerError               5xx: HTTPInternalServerError, ..., HTTPNetworkAuthenticationRequired

As in aiohttp 3, a ``reason`` with CR or LF is refused with :class:`ValueError` when the exception is built, and a
redirect's ``location`` (a 451's ``link``) goes through yarl, which drops CR and LF: either would forge headers or
a whole response (response splitting, RFC 9112 §11.1). Other header values are checked when the head is encoded.
``body=`` emits aiohttp 3's ``DeprecationWarning`` ("body argument is deprecated for http web exceptions").
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from yarl import URL

from .response import Response

__all__ = (
    "HTTPAccepted",
    "HTTPBadGateway",
    "HTTPBadRequest",
    "HTTPClientError",
    "HTTPConflict",
    "HTTPCreated",
    "HTTPError",
    "HTTPException",
    "HTTPExpectationFailed",
    "HTTPFailedDependency",
    "HTTPForbidden",
    "HTTPFound",
    "HTTPGatewayTimeout",
    "HTTPGone",
    "HTTPInsufficientStorage",
    "HTTPInternalServerError",
    "HTTPLengthRequired",
    "HTTPMethodNotAllowed",
    "HTTPMisdirectedRequest",
    "HTTPMove",
    "HTTPMovedPermanently",
    "HTTPMultipleChoices",
    "HTTPNetworkAuthenticationRequired",
    "HTTPNoContent",
    "HTTPNonAuthoritativeInformation",
    "HTTPNotAcceptable",
    "HTTPNotExtended",
    "HTTPNotFound",
    "HTTPNotImplemented",
    "HTTPNotModified",
    "HTTPOk",
    "HTTPPartialContent",
    "HTTPPaymentRequired",
    "HTTPPermanentRedirect",
    "HTTPPreconditionFailed",
    "HTTPPreconditionRequired",
    "HTTPProxyAuthenticationRequired",
    "HTTPRedirection",
    "HTTPRequestEntityTooLarge",
    "HTTPRequestHeaderFieldsTooLarge",
    "HTTPRequestRangeNotSatisfiable",
    "HTTPRequestTimeout",
    "HTTPRequestURITooLong",
    "HTTPResetContent",
    "HTTPSeeOther",
    "HTTPServerError",
    "HTTPServiceUnavailable",
    "HTTPSuccessful",
    "HTTPTemporaryRedirect",
    "HTTPTooManyRequests",
    "HTTPUnauthorized",
    "HTTPUnavailableForLegalReasons",
    "HTTPUnprocessableEntity",
    "HTTPUnsupportedMediaType",
    "HTTPUpgradeRequired",
    "HTTPUseProxy",
    "HTTPVariantAlsoNegotiates",
    "HTTPVersionNotSupported",
)

_PHRASES: dict[int, str] = {s.value: s.phrase for s in HTTPStatus}


class HTTPException(Response, Exception):
    """Base of every HTTP exception; a :class:`Response` with the status of its class.

    Raise it from a handler or a middleware, or return it: both send it as the response.
    """

    #: The status code every instance answers with; set by each concrete subclass.
    status_code = -1
    #: True for statuses that never carry a body (204, 205, 304).
    empty_body = False

    __http_exception__ = True

    def __init__(
        self,
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if body is not None:
            # aiohttp 3's warning, so code that filters or asserts it behaves the same.
            warnings.warn("body argument is deprecated for http web exceptions", DeprecationWarning, stacklevel=2)
        if reason is not None and ("\r" in reason or "\n" in reason):
            # aiohttp 3's message: a reason carrying CR or LF would forge headers (RFC 9112 §11.1).
            raise ValueError("Reason cannot contain \\r or \\n")
        status = self.status_code
        phrase = reason if reason is not None else _PHRASES.get(status, "")
        if body is None and text is None and not self.empty_body:
            # aiohttp's default body, so clients and tests see the same page from both servers.
            text = f"{status}: {phrase}"
        Response.__init__(
            self,
            status=status,
            reason=reason,
            headers=headers,
            body=body,
            text=text,
            content_type=content_type,
        )
        Exception.__init__(self, phrase)
        self._phrase = phrase

    # Response may define value equality; an exception must stay hashable and identity-compared so that it
    # works in sets, as dict keys and in ``except`` bookkeeping (e.g. ExceptionGroup, traceback dedup).
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return True

    def __str__(self) -> str:
        return self._phrase

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code} {self._phrase!r}>"


class HTTPError(HTTPException):
    """Base class for exceptions with status codes in the 400s and 500s."""


class HTTPRedirection(HTTPException):
    """Base class for exceptions with status codes in the 300s."""


class HTTPSuccessful(HTTPException):
    """Base class for exceptions with status codes in the 200s."""


class HTTPClientError(HTTPError):
    """Base class for exceptions with status codes in the 400s."""


class HTTPServerError(HTTPError):
    """Base class for exceptions with status codes in the 500s."""


# -- 2xx -----------------------------------------------------------------------------------------------------


class HTTPOk(HTTPSuccessful):
    """200 OK."""

    status_code = 200


class HTTPCreated(HTTPSuccessful):
    """201 Created."""

    status_code = 201


class HTTPAccepted(HTTPSuccessful):
    """202 Accepted."""

    status_code = 202


class HTTPNonAuthoritativeInformation(HTTPSuccessful):
    """203 Non-Authoritative Information."""

    status_code = 203


class HTTPNoContent(HTTPSuccessful):
    """204 No Content (never has a body, RFC 9110 §15.3.5)."""

    status_code = 204
    empty_body = True


class HTTPResetContent(HTTPSuccessful):
    """205 Reset Content (never has a body, RFC 9110 §15.3.6)."""

    status_code = 205
    empty_body = True


class HTTPPartialContent(HTTPSuccessful):
    """206 Partial Content."""

    status_code = 206


# -- 3xx -----------------------------------------------------------------------------------------------------


class HTTPMove(HTTPRedirection):
    """A redirect to ``location``, sent as the ``Location`` header.

    Raises :class:`ValueError` if ``location`` is empty or contains CR or LF.
    """

    def __init__(
        self,
        location: str | URL,
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        if not location:
            raise ValueError("HTTP redirects need a location to redirect to")
        super().__init__(headers=headers, reason=reason, body=body, text=text, content_type=content_type)
        # Through yarl, as aiohttp 3: it percent-encodes non-ASCII so the header stays ASCII (RFC 9110 §10.2.2
        # wants a URI-reference) and drops CR, LF and tabs as the WHATWG URL parser does, so no header is forged.
        self.headers["Location"] = str(URL(str(location)))
        self.location = location


class HTTPMultipleChoices(HTTPMove):
    """300 Multiple Choices."""

    status_code = 300


class HTTPMovedPermanently(HTTPMove):
    """301 Moved Permanently."""

    status_code = 301


class HTTPFound(HTTPMove):
    """302 Found."""

    status_code = 302


class HTTPSeeOther(HTTPMove):
    """303 See Other: safe after a POST, the client follows with GET."""

    status_code = 303


class HTTPNotModified(HTTPRedirection):
    """304 Not Modified (never has a body, RFC 9110 §15.4.5)."""

    status_code = 304
    empty_body = True


class HTTPUseProxy(HTTPMove):
    """305 Use Proxy."""

    status_code = 305


class HTTPTemporaryRedirect(HTTPMove):
    """307 Temporary Redirect: the client repeats the same method."""

    status_code = 307


class HTTPPermanentRedirect(HTTPMove):
    """308 Permanent Redirect: the client repeats the same method."""

    status_code = 308


# -- 4xx -----------------------------------------------------------------------------------------------------


class HTTPBadRequest(HTTPClientError):
    """400 Bad Request."""

    status_code = 400


class _MalformedMultipartBody(HTTPBadRequest, ValueError):
    """What ``web.multipart``'s readers raise for a malformed body: 400 when not caught, and the ``ValueError``
    aiohttp's reader raises, which views catch to answer their own error (graphql-server's aiohttp view)."""


class HTTPUnauthorized(HTTPClientError):
    """401 Unauthorized."""

    status_code = 401


class HTTPPaymentRequired(HTTPClientError):
    """402 Payment Required."""

    status_code = 402


class HTTPForbidden(HTTPClientError):
    """403 Forbidden."""

    status_code = 403


class HTTPNotFound(HTTPClientError):
    """404 Not Found."""

    status_code = 404


class HTTPMethodNotAllowed(HTTPClientError):
    """405 Method Not Allowed; the ``Allow`` header lists ``allowed_methods`` (RFC 9110 §15.5.6)."""

    status_code = 405

    def __init__(
        self,
        method: str,
        allowed_methods: Iterable[str],
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        allowed = set(allowed_methods)
        super().__init__(headers=headers, reason=reason, body=body, text=text, content_type=content_type)
        self.headers["Allow"] = ",".join(sorted(allowed))
        self.allowed_methods: set[str] = allowed
        self.method = method.upper()


class HTTPNotAcceptable(HTTPClientError):
    """406 Not Acceptable."""

    status_code = 406


class HTTPProxyAuthenticationRequired(HTTPClientError):
    """407 Proxy Authentication Required."""

    status_code = 407


class HTTPRequestTimeout(HTTPClientError):
    """408 Request Timeout."""

    status_code = 408


class HTTPConflict(HTTPClientError):
    """409 Conflict."""

    status_code = 409


class HTTPGone(HTTPClientError):
    """410 Gone."""

    status_code = 410


class HTTPLengthRequired(HTTPClientError):
    """411 Length Required."""

    status_code = 411


class HTTPPreconditionFailed(HTTPClientError):
    """412 Precondition Failed."""

    status_code = 412


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413 Content Too Large: the body exceeded ``max_size`` (``actual_size`` is what was seen, if known)."""

    status_code = 413

    def __init__(self, max_size: float | None = None, actual_size: float | None = None, **kwargs: Any) -> None:
        if max_size is not None:
            kwargs.setdefault("text", f"Maximum request body size {max_size} exceeded.")  # aiohttp 3's words
        super().__init__(**kwargs)
        self.max_size = max_size
        self.actual_size = actual_size


class HTTPRequestURITooLong(HTTPClientError):
    """414 URI Too Long."""

    status_code = 414


class HTTPUnsupportedMediaType(HTTPClientError):
    """415 Unsupported Media Type."""

    status_code = 415


class HTTPRequestRangeNotSatisfiable(HTTPClientError):
    """416 Range Not Satisfiable."""

    status_code = 416


class HTTPExpectationFailed(HTTPClientError):
    """417 Expectation Failed."""

    status_code = 417


class HTTPMisdirectedRequest(HTTPClientError):
    """421 Misdirected Request."""

    status_code = 421


class HTTPUnprocessableEntity(HTTPClientError):
    """422 Unprocessable Content."""

    status_code = 422


class HTTPFailedDependency(HTTPClientError):
    """424 Failed Dependency."""

    status_code = 424


class HTTPUpgradeRequired(HTTPClientError):
    """426 Upgrade Required."""

    status_code = 426


class HTTPPreconditionRequired(HTTPClientError):
    """428 Precondition Required."""

    status_code = 428


class HTTPTooManyRequests(HTTPClientError):
    """429 Too Many Requests."""

    status_code = 429


class HTTPRequestHeaderFieldsTooLarge(HTTPClientError):
    """431 Request Header Fields Too Large."""

    status_code = 431


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451 Unavailable For Legal Reasons; ``link`` names the blocking entity (RFC 7725 §3)."""

    status_code = 451

    def __init__(
        self,
        link: str | URL | None,
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        reason: str | None = None,
        body: Any = None,
        text: str | None = None,
        content_type: str | None = None,
    ) -> None:
        super().__init__(headers=headers, reason=reason, body=body, text=text, content_type=content_type)
        self._link: URL | None = None
        if link:
            self._link = URL(str(link))  # yarl drops CR and LF, as for a redirect's Location
            self.headers["Link"] = f'<{self._link}>; rel="blocked-by"'

    @property
    def link(self) -> URL | None:
        """The URL of the entity blocking access, or None."""
        return self._link


# -- 5xx -----------------------------------------------------------------------------------------------------


class HTTPInternalServerError(HTTPServerError):
    """500 Internal Server Error."""

    status_code = 500


class HTTPNotImplemented(HTTPServerError):
    """501 Not Implemented."""

    status_code = 501


class HTTPBadGateway(HTTPServerError):
    """502 Bad Gateway."""

    status_code = 502


class HTTPServiceUnavailable(HTTPServerError):
    """503 Service Unavailable."""

    status_code = 503


class HTTPGatewayTimeout(HTTPServerError):
    """504 Gateway Timeout."""

    status_code = 504


class HTTPVersionNotSupported(HTTPServerError):
    """505 HTTP Version Not Supported."""

    status_code = 505


class HTTPVariantAlsoNegotiates(HTTPServerError):
    """506 Variant Also Negotiates."""

    status_code = 506


class HTTPInsufficientStorage(HTTPServerError):
    """507 Insufficient Storage."""

    status_code = 507


class HTTPNotExtended(HTTPServerError):
    """510 Not Extended."""

    status_code = 510


class HTTPNetworkAuthenticationRequired(HTTPServerError):
    """511 Network Authentication Required."""

    status_code = 511

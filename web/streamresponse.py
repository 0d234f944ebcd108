"""``StreamResponse``, the aiohttp 0.14 API's response state machine, and the encoding of its head.

A response is a finite state machine: headers, cookies and status may change only until ``start()``; after it the
head is on the wire and changing it raises ``RuntimeError``; after ``write_eof()`` nothing may be written.
"""

from __future__ import annotations

import warnings
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, CIMultiDictProxy, getversion, istr

from server import dateheader
from server.dateheader import head_lines
from server.exchange import HttpVersion10 as HTTP10
from server.writer import STATUS_LINES, encode_head, status_line

from .helpers import DONE, DrainAwaitable, parse_content_type
from .payloadwriter import PayloadWriter
from .responsestorage import ResponseStorage
from .validators import ETag, format_etag, format_last_modified, parse_etag, parse_last_modified

if TYPE_CHECKING:
    import asyncio
    import datetime

    from .request import Request

__all__ = ["ResponseStateError", "ResponseTypeError", "StreamResponse"]


class ResponseTypeError(TypeError, AssertionError):
    """A value of the wrong type given to a response (``write(123)``, ``text = b"..."``): the TypeError the aiohttp
    0.14 API names ("Raises TypeError if data is not bytes, bytearray or memoryview instance"), and the
    AssertionError aiohttp 3's asserts raise, so code catching either works."""


class ResponseStateError(RuntimeError, AssertionError):
    """A call out of the response's order (a write before ``start()``, a status change after it): the
    RuntimeError the aiohttp 0.14 API names ("Raises RuntimeError if start() has not been called"; "any change of
    the HTTP header part will raise RuntimeError"), and the AssertionError aiohttp 3's asserts raise."""


_NO_BODY_STATUSES = frozenset({204, 304})

# istr keys: a CIMultiDict lookup with one skips folding the key's case, which halves its cost (50 -> 20 ns).
_CONTENT_TYPE = istr("Content-Type")
_CONTENT_LENGTH = istr("Content-Length")
_TRANSFER_ENCODING = istr("Transfer-Encoding")
_SET_COOKIE = istr("Set-Cookie")
_DATE = istr("Date")
_SERVER = istr("Server")
_CONNECTION = istr("Connection")
# Fields whose presence changes the lines the server adds (see _start), by the identity CIMultiDict gives a name.
_SERVER_FIELDS = frozenset(("date", "server", "connection"))
_SERVER_FIELD_SIZES = frozenset(len(name) for name in _SERVER_FIELDS)  # most names are none of them: no lower()
_SEND = object()  # StreamResponse._start(defer=_SEND): head and body may go out at once
_SHOWN: Any = object()  # _added_lines: the item standing for the Date and Server lines _show_server_fields gave

# The fast path's caches (see web.response's for Response.__init__, and StreamResponse._start), keyed by what varies
# rarely, never by the body; each is cleared when it grows past _CACHE_SIZE entries. By the encoded Content-Type
# line: the head of a keep-alive ``200 OK`` in two parts around the Content-Length value, valid for the dateheader
# generation and Server setting it was built for.
_CACHE_SIZE = 256
_HEAD_CACHE: dict[str, tuple[int, str | None, bytes, bytes]] = {}


# web/cookies.py, imported on the first set_cookie or del_cookie (many apps set none) and then kept here: an import
# statement per call costs an import-system lookup per request.
_cookies_module: Any = None


def _import_cookies() -> Any:
    global _cookies_module
    from . import cookies

    _cookies_module = cookies
    return cookies


class _SentHeaders(CIMultiDictProxy[str]):
    """The headers of a started response: reading works, any change raises RuntimeError (aiohttp 0.14's contract)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Cannot change the response headers after they have been sent")

    __setitem__ = __delitem__ = add = extend = update = merge = setdefault = _refuse
    pop = popone = popall = popitem = clear = _refuse


class StreamResponse(ResponseStorage):
    """The base class for HTTP responses: status, headers, cookies, then a body written piece by piece. It is also
    a ``MutableMapping`` of what the application keeps on it, as in aiohttp 3 (see ``web.responsestorage``)."""

    # Per-instance state starts as these class defaults, so creating a response writes only what differs.
    # The SimpleCookie of ``cookies``, or, while it was never read and every set_cookie() call was plain (a name,
    # a plain value and a path: web.cookies.plain_cookie), a plain dict {name: (value, path)} whose Set-Cookie
    # lines are written without a Morsel. Reading ``cookies`` moves them into a SimpleCookie, in order, through the
    # general set_cookie. One attribute for both, so a response without cookies tests one attribute.
    _cookies: SimpleCookie | dict[str, tuple[str, str]] | None = None
    _keep_alive: bool | None = None
    _chunked = False
    _request: Request | None = None
    _exchange: Any = None
    _eof_sent = False
    _body_length = 0
    # The body bytes a Content-Length field of the handler's own still allows (the general path of _start sets it
    # for a body sent unchunked under such a field): write() sends no more than that, and a body that ends short
    # closes the connection after the answer, so that the client never reads the next answer's bytes as this one's
    # body (nor the excess as the next answer).
    _length_left: int | None = None
    _head_pending: bytes | None = None
    # The length of the head, once start() wrote it or prepare() holds it back (output_length; not on the paths
    # that send a returned response whole).
    _head_size = 0
    _final_keep_alive = False
    _reason: str | None = None
    _payload_writer: PayloadWriter | None = None  # what prepare() returned, the same object on every call
    # The encoded Content-Type line of a Response built by its fast path (its other field is the body's
    # Content-Length), valid while the headers were never built (``_fields_built`` None) or their version is
    # still the one they were built with (multidict bumps it on every change): _start then needs no header lookups.
    _fields: str | None = None
    # Once the fast path's headers are built (web.response._build_headers): the body, the Content-Length text, the
    # headers' version and the Content-Type value they were built with. While the body and those values are still
    # the same objects (the body unchanged, the fields not set again), the two fields still are the cached line's
    # and the body's (see _added_lines). One attribute, not three: each new attribute stored on a response costs
    # more than a tuple.
    _fields_built: tuple[Any, str, int, str] | None = None
    _sent_cookie_lines = ""  # the Set-Cookie lines the fast path of _start sent, for headers built afterwards
    # enable_compression(): the forced coding (or None: the client's choice), and the compressor once started.
    _compression = False
    _compression_force: Any = None
    _compression_strategy: int | None = None
    _compressor: Any = None
    # Response(body=<file, StringIO, async iterator, payload>): what write_eof streams (see web.bodies), and the
    # object given for it.
    _source: Any = None
    _source_obj: Any = None
    # start() writes the head at once; a Response holds it back for its body (see _start's ``defer``).
    _DEFER_HEAD = False
    # on_response_prepare callbacks saw the Date and Server fields in the headers (_show_server_fields): the head
    # carries what they left, and the server adds neither. A tuple then, for _added_lines: the Date and Server values
    # shown, their lines and the Date field's index in the headers; Nones when the handler had set either itself.
    _hooked: tuple[str | None, str | None, str | None, int] | None = None

    def __init__(self, *, status: int = 200, reason: str | None = None, headers: Any = None) -> None:
        self._headers: CIMultiDict[str] = CIMultiDict(headers) if headers else CIMultiDict()
        if status == 200 and reason is None:
            self._status = 200
        else:
            self.set_status(status, reason)

    # -- status ----------------------------------------------------------------------------------------------

    @property
    def status(self) -> int:
        return self._status

    @property
    def reason(self) -> str:
        if self._reason is not None:
            return self._reason
        from server.writer import reason_phrase

        return reason_phrase(self._status)

    def set_status(self, status: int, reason: str | None = None) -> None:
        """Set status code and reason phrase; only before the response is started."""
        if self._exchange is not None:
            raise ResponseStateError("Cannot change the response status code after the headers have been sent")
        status = int(status)
        if not 100 <= status <= 999:
            raise ValueError(f"status must be a three-digit integer, got {status!r}")
        if reason is not None and ("\r" in reason or "\n" in reason):
            raise ValueError("Reason cannot contain \\r or \\n")
        self._status = status
        self._reason = reason

    # -- state -----------------------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """True once ``start()`` (or ``prepare()``) was called."""
        return self._exchange is not None

    prepared = started

    @property
    def _req(self) -> Request | None:
        """The request the response was prepared for, under aiohttp's private name, which aiohttp-sse reads."""
        return self._request

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The task serving the request the response was prepared for (aiohttp 3's), e.g. for a graceful shutdown to
        cancel a long poll or a stream; None before it is prepared."""
        request = self._request
        return None if request is None else request.task

    @property
    def keep_alive(self) -> bool | None:
        """Copy of ``Request.keep_alive`` by default; ``force_close()`` switches it to False for good. None before
        the response is prepared (unless forced closed), as in aiohttp 3: the request decides it then."""
        if self._keep_alive is not None:
            return self._keep_alive
        if self._request is not None:
            return self._request.keep_alive
        return None

    def force_close(self) -> None:
        """Disable keep-alive for the connection; there is no way to enable it back."""
        self._keep_alive = False

    @property
    def chunked(self) -> bool:
        """True once chunked encoding was enabled."""
        return self._chunked

    def enable_chunked_encoding(self, chunk_size: int | None = None) -> None:
        """Send the body with chunked transfer-encoding, each ``write()`` as one chunk. Cannot be undone.

        Once the headers are sent the framing is settled, and the call changes nothing, as in aiohttp (aiohttp-sse
        calls it right after ``prepare()``). Preparing it for an HTTP/1.0 request raises RuntimeError, as in
        aiohttp (RFC 9112 §6.1: no Transfer-Encoding for a 1.0 request). A Content-Length the caller set raises
        RuntimeError, as in aiohttp; the one a ``Response`` body sets is dropped (``content_length`` becomes
        ``None``). ``chunk_size`` is aiohttp's deprecated argument, unused there too (aiohttp's
        ``DeprecationWarning``)."""
        if chunk_size is not None:
            warnings.warn("Chunk size is deprecated #1615", DeprecationWarning, stacklevel=2)
        headers = self._headers
        if _CONTENT_LENGTH in headers:
            # A Response's body sets the field itself (see Response.body): that length is the body's, not the
            # caller's, and gives way to the chunked framing until the head is sent, as in aiohttp 3, whose Response
            # adds it only then. A StreamResponse has no _body: its length is always the caller's.
            body = getattr(self, "_body", headers)
            if (
                body is headers
                or self._exchange is not None
                or self._source is not None
                or headers[_CONTENT_LENGTH] != str(len(body or b""))
            ):
                raise RuntimeError("You can't enable chunked encoding when a content length is set")
            del headers[_CONTENT_LENGTH]
        if self._exchange is None:
            self._chunked = True

    @property
    def body_length(self) -> int:
        """The bytes of the response sent so far, its head (status line and fields) included, as aiohttp 3 counts
        them (its writer's output): what the access log's ``%b`` reports, "Size of response in bytes, including
        HTTP headers" (aiohttp's logging docs)."""
        return self._head_size + self._body_length

    @property
    def output_length(self) -> int:
        """aiohttp 3's, deprecated with its warning: the bytes of the response written so far once it is prepared,
        its head (status line and fields) included, as ``body_length``."""
        warnings.warn("output_length is deprecated", DeprecationWarning, stacklevel=2)
        return self._head_size + self._body_length

    @property
    def compression(self) -> bool:
        """True once :meth:`enable_compression` was called."""
        return self._compression

    def enable_compression(self, force: Any = None, strategy: int | None = None) -> None:
        """Compress the body with the first coding of ``web.ContentCoding`` the request's Accept-Encoding names
        (deflate, gzip, then br when Brotli is installed), or with ``force``, a ``ContentCoding``; ``strategy`` is
        zlib's. The Content-Length of a streamed body is dropped (the body goes chunked); a ``Response`` body is
        compressed whole and keeps an exact Content-Length."""
        from .compression import ContentCoding

        if isinstance(force, bool):
            import warnings

            warnings.warn("Using boolean for force is deprecated #3318", DeprecationWarning, stacklevel=2)
            force = ContentCoding.deflate if force else ContentCoding.identity
        elif force is not None and not isinstance(force, ContentCoding):
            raise TypeError("force should be one of None, bool or web.ContentCoding")
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy
        self._fields = None  # the head goes through the general path of _start, which compresses

    def _start_compression(self, request: Request) -> None:
        from .compression import ContentCoding, choose_coding, compressor

        coding = choose_coding(request.headers.get("Accept-Encoding", ""), self._compression_force)
        if coding is ContentCoding.identity:
            return
        self._headers["Content-Encoding"] = coding.value
        self._headers.popall(_CONTENT_LENGTH, None)
        self._compressor = compressor(coding, self._compression_strategy)

    # -- headers ---------------------------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDict[str]:
        """Outgoing headers (a ``CIMultiDict``); after ``start()`` a read-only view whose changes raise
        ``RuntimeError``, since the head is already on the wire."""
        if self._exchange is None:
            return self._headers
        return _SentHeaders(self._headers)  # type: ignore[return-value]

    @property
    def cookies(self) -> SimpleCookie:
        """Outgoing cookies (an ``http.cookies.SimpleCookie``)."""
        cookies = self._cookies
        if cookies is None or cookies.__class__ is dict:
            plain = cookies
            self._cookies = cookies = SimpleCookie()
            if plain:
                set_cookie = (_cookies_module or _import_cookies()).set_cookie
                for name, (value, path) in plain.items():
                    set_cookie(cookies, name, value, path=path)
        return cookies  # type: ignore[return-value]

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: str | None = None,
        domain: str | None = None,
        max_age: int | str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: str | None = None,
        version: str | None = None,
        partitioned: bool | None = None,
    ) -> None:
        """Set a cookie; a value that would break the header is refused with ``ValueError``. ``partitioned`` adds
        the ``Partitioned`` flag (CHIPS), as aiohttp 3 does (there on Python 3.14 only: its Morsel)."""
        self._check_mutable()
        module = _cookies_module or _import_cookies()
        cookies = self._cookies
        if (
            (cookies is None or cookies.__class__ is dict)
            and expires is None
            and domain is None
            and max_age is None
            and secure is None
            and httponly is None
            and samesite is None
            and version is None
            and partitioned is None
            and module.plain_cookie(name, value, path)
        ):
            if cookies is None:
                self._cookies = {name: (value, path)}
            else:
                cookies[name] = (value, path)
            return
        module.set_cookie(
            self.cookies,
            name,
            value,
            expires=expires,
            domain=domain,
            max_age=max_age,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            version=version,
            partitioned=partitioned,
        )

    def del_cookie(
        self,
        name: str,
        *,
        domain: str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: str | None = None,
    ) -> None:
        """Delete a cookie: send it expired, with the ``domain``, ``path``, ``secure``, ``httponly`` and
        ``samesite`` it was set with (aiohttp 3's signature)."""
        self._check_mutable()
        (_cookies_module or _import_cookies()).del_cookie(
            self.cookies, name, domain=domain, path=path, secure=secure, httponly=httponly, samesite=samesite
        )

    def _check_mutable(self) -> None:
        if self._exchange is not None:
            raise RuntimeError("Cannot change the response headers after they have been sent")

    @property
    def content_length(self) -> int | None:
        value = self._headers.get(_CONTENT_LENGTH)
        return int(value) if value is not None else None

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        self._check_mutable()
        if value is None:
            self._headers.popall(_CONTENT_LENGTH, None)
        else:
            value = int(value)
            if self._chunked:
                raise RuntimeError("You can't set content length when chunked encoding is enabled")
            self._headers[_CONTENT_LENGTH] = str(value)

    @property
    def content_type(self) -> str:
        """The media type part of Content-Type, e.g. ``'text/html'``."""
        ctype = parse_content_type(self._headers.get(_CONTENT_TYPE))[0]
        # Not a media type (RFC 9110 §8.3.1: type "/" subtype): read as octet-stream, as aiohttp 3 does.
        return ctype if "/" in ctype else "application/octet-stream"

    @content_type.setter
    def content_type(self, value: str) -> None:
        self._check_mutable()
        self._set_content_type(str(value), self.charset)

    @property
    def charset(self) -> str | None:
        """The charset part of Content-Type; lower-cased when assigned."""
        return parse_content_type(self._headers.get(_CONTENT_TYPE))[1].get("charset")

    @charset.setter
    def charset(self, value: str | None) -> None:
        self._check_mutable()
        ctype = parse_content_type(self._headers.get(_CONTENT_TYPE))[0]
        if ctype in ("", "application/octet-stream") and value is not None:
            raise RuntimeError(
                "Setting charset for application/octet-stream doesn't make sense, setup content_type first"
            )
        self._set_content_type(ctype or "application/octet-stream", value.lower() if value else None)

    def _set_content_type(self, ctype: str, charset: str | None) -> None:
        if "\r" in ctype or "\n" in ctype or (charset and ("\r" in charset or "\n" in charset)):
            raise ValueError("content type cannot contain CR or LF")
        self._headers[_CONTENT_TYPE] = f"{ctype}; charset={charset}" if charset else ctype

    @property
    def last_modified(self) -> datetime.datetime | None:
        """The ``Last-Modified`` header as an aware datetime, or None (absent or invalid). Settable, as in
        aiohttp 3, to a POSIX timestamp, a datetime, a string (sent as is) or None (removes the header)."""
        return parse_last_modified(self._headers.get("Last-Modified"))

    @last_modified.setter
    def last_modified(self, value: float | datetime.datetime | str | None) -> None:
        if value is None:
            self._headers.pop("Last-Modified", None)
        else:
            self._headers["Last-Modified"] = format_last_modified(value)

    @property
    def etag(self) -> ETag | None:
        """The ``ETag`` header as an :class:`~web.validators.ETag` (``value``, ``is_weak``), or None (absent or not a
        valid entity-tag), as in aiohttp 3. Settable to a str (a strong tag's value, or ``*``), an ETag (aiohttp's
        too) or None (removes the header); an invalid value raises ValueError."""
        return parse_etag(self._headers.get("ETag"))

    @etag.setter
    def etag(self, value: Any) -> None:
        if value is None:
            self._headers.pop("ETag", None)
        else:
            self._headers["ETag"] = format_etag(value)

    # -- sending ---------------------------------------------------------------------------------------------

    def start(self, request: Request) -> DrainAwaitable:
        """Send the HTTP head. Headers, cookies and status cannot change afterwards. Returns an awaitable that
        drains the write buffer (modern code may ``await resp.prepare(request)`` instead)."""
        if self._exchange is not None:
            if self._request is not request:
                raise RuntimeError("Response has been started with different request.")
            return DONE
        self._start(request, defer=self._DEFER_HEAD)
        return DONE

    async def prepare(self, request: Request) -> PayloadWriter:
        """Coroutine form of :meth:`start` (aiohttp 3 name); runs the ``on_response_prepare`` callbacks first.
        Returns the response's body stream, as aiohttp 3 does (see ``web.payloadwriter``)."""
        if self._exchange is None:
            await request._prepare_hook(self)
        self.start(request)
        writer = self._payload_writer
        if writer is None:
            writer = self._payload_writer = PayloadWriter(self)
            pending = self._head_pending
            if pending is not None:
                self._head_size = len(pending)  # what write() or write_eof() sends first
        return writer

    def _show_server_fields(self, request: Request) -> None:
        """Put the Date and Server fields the server would send into ``headers``, as aiohttp's response has them
        before its ``on_response_prepare`` callbacks run (aiohttp applications remove or replace ``Server`` there:
        ``del response.headers["Server"]``). The head is then built from the headers as the callbacks leave them:
        ``_added_lines`` sends them where they stand, and ``_start`` adds neither field again."""
        headers = self.headers
        server_header = request._exchange.settings.server_header or None
        if _DATE not in headers and _SERVER not in headers:
            # The usual case: both fields added after the handler's, with the values (and lines) of the Date every
            # other response of this tick carries, so that _added_lines can send those lines as they are.
            date, lines = dateheader.shown_fields(server_header)
            at = len(headers)
            headers.add(_DATE, date)
            if server_header is not None:
                headers.add(_SERVER, server_header)
            self._hooked = (date, server_header, lines, at)
            return
        if _DATE not in headers:
            headers[_DATE] = dateheader.http_date()
        if server_header and _SERVER not in headers:
            headers[_SERVER] = server_header
        self._hooked = (None, None, None, 0)

    def _start(self, request: Request, *, defer: bool | object) -> None:
        """Freeze and encode the head; write it unless ``defer`` (a Response sends head and body in one write).
        ``defer=_SEND`` (from ``Response._send``, or the request handler in its place) sends the body too."""
        exchange = request._exchange
        self._request = request
        self._exchange = exchange
        status = self._status
        keep_alive = self._keep_alive is not False and exchange.keep_alive
        fields = self._fields
        if fields is not None and status >= 200 and status not in _NO_BODY_STATUSES:
            cookies = self._cookies
            if cookies:
                if cookies.__class__ is dict:
                    # Plain cookies: what the general path adds for them (the morsels' OutputString()), checked
                    # when they were set.
                    extra_lines = "".join(
                        [f"Set-Cookie: {name}={value}; Path={path}\r\n" for name, (value, path) in cookies.items()]
                    )
                    fast = self._fields_built is None
                else:
                    # Set-Cookie lines after Content-Length, as the general path adds them, with its injection check
                    # (a morsel's attributes can be assigned anything): on a failure the general path raises.
                    extra_lines = "".join([f"Set-Cookie: {morsel.OutputString()}\r\n" for morsel in cookies.values()])
                    fast = (
                        self._fields_built is None
                        and extra_lines.count("\n") == len(cookies)
                        and extra_lines.count("\r") == len(cookies)
                    )
            else:
                extra_lines = ""
                built = self._fields_built
                if built is None or getversion(self._headers) == built[2]:
                    fast = True
                else:
                    # Headers built and changed since (a middleware that adds X-Request-Id): still the fast path's
                    # when the general path would send them unchanged (see _added_lines).
                    added = self._added_lines(built)
                    fast = added is not None
                    if fast:
                        extra_lines = added
        else:
            fast = False
        if fast:
            # Headers untouched since the fast path of Response.__init__: just Content-Type and Content-Length
            # (of the body), already checked and encoded, so none of the lookups below can change anything.
            # extra_lines: the Set-Cookie lines, or the fields added after those two, which follow them.
            self._final_keep_alive = keep_alive
            if cookies:
                self._sent_cookie_lines = extra_lines  # what the headers built later show (web.response._LazyHeaders)
            server_header = exchange.settings.server_header
            if keep_alive and status == 200 and self._reason is None and exchange.version != HTTP10:
                cached = _HEAD_CACHE.get(fields)
                if cached is None or cached[0] != dateheader.generation or cached[1] != server_header:
                    cached = (
                        dateheader.generation,
                        server_header,
                        f"HTTP/1.1 200 OK\r\n{fields}Content-Length: ".encode(),
                        f"{head_lines(server_header)}\r\n".encode(),
                    )
                    if len(_HEAD_CACHE) >= _CACHE_SIZE:
                        _HEAD_CACHE.clear()
                    _HEAD_CACHE[fields] = cached
                if extra_lines:
                    # (After on_response_prepare callbacks, the Date and Server lines are among extra_lines.)
                    tail = b"\r\n" if self._hooked else cached[3]
                    head = b"%b%d\r\n%b%b" % (cached[2], len(self._body), extra_lines.encode(), tail)
                else:
                    head = b"%b%d\r\n%b" % (cached[2], len(self._body), cached[3])
            else:
                trusted = "" if self._hooked else head_lines(server_header)
                line = STATUS_LINES.get(status) if self._reason is None else None
                if line is None:
                    line = status_line(status, self._reason)
                if exchange.version == HTTP10:
                    # HTTP/1.0 closes unless keep-alive is announced (RFC 9112 §9.3); aiohttp sends no close.
                    if keep_alive:
                        trusted += "Connection: keep-alive\r\n"
                elif not keep_alive:
                    trusted += "Connection: close\r\n"
                head = f"{line}{fields}Content-Length: {len(self._body)}\r\n{extra_lines}{trusted}\r\n".encode()
            if defer is _SEND:
                # Response._send: the whole response in one write (the fast path's body is allowed, unchunked).
                self._eof_sent = True
                body = self._body
                self._body_length = len(body)
                self._head_size = len(head)
                exchange.send(status, head, body, keep_alive=keep_alive)
            elif defer:
                self._head_pending = head
            else:
                self._head_size = len(head)
                exchange.write_head(status, head, keep_alive=keep_alive)
            return
        headers = self._headers
        version = exchange.version
        body_allowed = status >= 200 and status not in _NO_BODY_STATUSES
        if self._compression and body_allowed:
            self._start_compression(request)
        if not body_allowed:
            headers.popall(_CONTENT_LENGTH, None)
            headers.popall(_TRANSFER_ENCODING, None)
            self._chunked = False
        elif self._chunked:
            if version == HTTP10:
                # HTTP/1.0 has no chunked coding (RFC 9112 §6.1); aiohttp refuses rather than frame otherwise.
                raise RuntimeError("Using chunked encoding is forbidden for HTTP/1.0")
            if exchange.method != "HEAD":
                headers[_TRANSFER_ENCODING] = "chunked"
            else:
                # No body follows to frame. RFC 9112 §6.1 lets a HEAD answer carry the field; aiohttp sends none,
                # even one the handler set by hand.
                headers.popall(_TRANSFER_ENCODING, None)
        elif _CONTENT_LENGTH not in headers and self._DEFER_HEAD and self._body is None and self._source is None:
            # A Response without a body (or whose body was reset to None): Content-Length: 0, set as it starts, as
            # aiohttp's Response sets its length (its headers had none before).
            headers[_CONTENT_LENGTH] = "0"
        elif _CONTENT_LENGTH not in headers and exchange.method != "HEAD":
            if version == HTTP10:
                keep_alive = False
            else:
                self._chunked = True
                headers[_TRANSFER_ENCODING] = "chunked"
        elif exchange.method != "HEAD":
            # A length of the handler's own (a Response's is its body's): what the body must then be, see write().
            declared = headers.get(_CONTENT_LENGTH, "")
            self._length_left = int(declared) if declared.isdigit() else None
        if body_allowed and _CONTENT_TYPE not in headers and headers.get(_CONTENT_LENGTH) != "0":
            # Content gets a Content-Type (RFC 9110 section 8.3); an empty body has no content to describe.
            headers[_CONTENT_TYPE] = "application/octet-stream"
        cookies = self._cookies
        if cookies:
            if cookies.__class__ is dict:
                for name, (value, path) in cookies.items():
                    headers.add(_SET_COOKIE, f"{name}={value}; Path={path}")
            else:
                for morsel in cookies.values():
                    headers.add(_SET_COOKIE, morsel.OutputString())
        # Lines the server builds itself need no injection check.
        server_header = exchange.settings.server_header
        if self._hooked:
            # The Server field as the on_response_prepare callbacks left it; a Date they removed is sent all the
            # same (RFC 9110 §6.6.1: an origin server with a clock MUST send one).
            trusted = "" if _DATE in headers else head_lines(None)
        elif _DATE in headers:
            trusted = f"Server: {server_header}\r\n" if server_header and _SERVER not in headers else ""
        else:
            trusted = head_lines(server_header if server_header and _SERVER not in headers else None)
        if status == 101:
            keep_alive = False  # the connection leaves HTTP; the handler's Connection: upgrade header stands
        else:
            # A handler's Connection: close is honoured; otherwise the connection layer decides.
            asked = headers.popall(_CONNECTION)[-1].strip().lower() if _CONNECTION in headers else ""
            if asked == "close":
                keep_alive = False
                self._keep_alive = False
            if version == HTTP10:
                # HTTP/1.0 closes unless keep-alive is announced (RFC 9112 §9.3); aiohttp sends no close.
                if keep_alive:
                    trusted += "Connection: keep-alive\r\n"
            elif not keep_alive:
                trusted += "Connection: close\r\n"
            elif asked == "keep-alive":
                # A handler's keep-alive is sent as aiohttp sends it (aiohttp-sse sets it on every event stream).
                trusted += "Connection: keep-alive\r\n"
        self._final_keep_alive = keep_alive
        head = encode_head(status_line(status, self._reason), headers.items(), trusted)
        if defer is _SEND:
            # Response._send: head and body in one write (Response._send_body; only a Response passes _SEND).
            self._head_pending = head
            self._send_body()  # type: ignore[attr-defined]
        elif defer:
            self._head_pending = head
        else:
            self._head_size = len(head)
            exchange.write_head(status, head, keep_alive=keep_alive)

    def _added_lines(self, built: tuple[Any, str, int, str]) -> str | None:
        """The encoded lines of the fields added after the fast path's two (the cached Content-Type line's field,
        then the body's Content-Length, as ``built``, the response's ``_fields_built``, records them), when those two
        are still first and unchanged and the general path of ``_start`` would send every field as it stands: no Date,
        Server or Connection field (which change the lines the server adds; after ``on_response_prepare`` callbacks,
        a Date and a Server field are the head's own, and a Date is required), no chunked coding, no CR or LF in a
        field (the general path raises for those). None otherwise: the general path answers.

        Its shape is the cheap one (two thirds of the instructions of a list of items, f-strings of every field and
        str.count): the items unpacked in C, the first two compared by identity, ``in`` for CR and LF."""
        if self._chunked or built[0] is not self._body:  # type: ignore[attr-defined]
            # (A body replaced since, by bytes or a streamed source, is another object.)
            return None
        headers = self._headers
        if len(headers) == 3 and self._hooked is None:
            # One field added (a middleware's X-Request-Id): unpacked in C, without a list, answered without a loop.
            # (Not after on_response_prepare callbacks: one field left may mean a Date they removed, see below.)
            (first, first_value), (second, second_value), third = headers.items()
            added: Any = None
        else:
            items = list(headers.items())
            if len(items) < 2:
                return None
            (first, first_value), (second, second_value), added = items[0], items[1], items[2:]
        # The general path writes f"{name}: {value}": the fields built from the cached line, still the same objects,
        # give the same lines (an equal value set again is left to the general path).
        if (
            second_value is not built[1]
            or first_value is not built[3]
            or second is not _CONTENT_LENGTH
            or first is not _CONTENT_TYPE
        ):
            return None
        if added is None:
            name, value = third
            line = name + f": {value}"
            if "\r" in line or "\n" in line or (len(name) in _SERVER_FIELD_SIZES and name.lower() in _SERVER_FIELDS):
                return None
            return line + "\r\n"
        lines = ""
        hooked = self._hooked
        date_missing = hooked is not None
        if hooked is not None and hooked[0] is not None:
            # The Date and Server fields _show_server_fields added, still the same objects where it put them (the
            # callbacks left them): one item in their place holds the lines it was given with them.
            date, server, shown_lines, at = hooked
            end = at + 1 if server is None else at + 2
            if (
                len(items) >= end
                and items[at][1] is date
                and items[at][0] is _DATE
                and (server is None or (items[at + 1][1] is server and items[at + 1][0] is _SERVER))
            ):
                if at == 2:
                    # Right after Content-Type and Content-Length (no handler's field before them): lines first.
                    lines, added, date_missing = shown_lines, items[end:], False
                else:
                    items[at:end] = [(shown_lines, _SHOWN)]
                    added = items[2:]
        for name, value in added:
            if value is _SHOWN:
                lines += name
                date_missing = False
                continue
            # A multidict's keys are istr, whose f-string goes through __format__: concatenated, the same text.
            line = name + f": {value}"
            if "\r" in line or "\n" in line:
                return None
            if len(name) in _SERVER_FIELD_SIZES and name.lower() in _SERVER_FIELDS:
                # A Date, Server or Connection field changes the lines the general path adds; but after
                # on_response_prepare callbacks (_show_server_fields) Date and Server are the head's own fields,
                # sent where they stand, as the general path sends them.
                if not hooked or name.lower() == "connection":
                    return None
                if name.lower() == "date":
                    date_missing = False
            lines = f"{lines}{line}\r\n"
        if date_missing:
            return None  # the callbacks removed Date, which the general path adds back
        return lines

    def _flush_head(self) -> None:
        head = self._head_pending
        if head is not None:
            self._head_pending = None
            self._head_size = len(head)
            self._exchange.write_head(self._status, head, keep_alive=self._final_keep_alive)

    def write(self, data: bytes | bytearray | memoryview) -> DrainAwaitable:
        """Send byte-ish data as a part of the body (one chunk each with chunked encoding).

        Raises TypeError for non-bytes data, RuntimeError before ``start()`` or after ``write_eof()``. Returns an
        awaitable that drains the write buffer, so both the aiohttp 0.14 API's ``resp.write(data)`` and ``await
        resp.write(data)`` work."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ResponseTypeError(f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        exchange = self._exchange
        if exchange is None:
            raise ResponseStateError("Cannot call write() before start()")
        if self._head_pending is not None:
            self._flush_head()
        if self._compressor is not None:
            data = self._compressor.compress(bytes(data))
        left = self._length_left
        if left is not None:
            if len(data) > left:
                data = data[:left]  # past the Content-Length: the client would read it as the next answer
            self._length_left = left - len(data)
        if data:
            self._body_length += len(data)
            if self._chunked:
                exchange.write(b"%x\r\n%b\r\n" % (len(data), data))
            else:
                exchange.write(bytes(data) if not isinstance(data, bytes) else data)
        return DrainAwaitable(exchange.drain) if exchange.write_paused else DONE

    async def drain(self) -> None:
        """Let the transport's write buffer flush below its low-water mark.

        Emits aiohttp 3's ``DeprecationWarning`` (``await resp.write(data)`` waits for the flush itself) and
        keeps working, as the aiohttp 0.14 API defines it."""
        if self._exchange is None:  # checked before the warning, as aiohttp does
            raise ResponseStateError("Cannot drain before start()")
        warnings.warn("drain method is deprecated, use await resp.write()", DeprecationWarning, stacklevel=2)
        await self._drain()

    async def _drain(self) -> None:
        if self._exchange is None:
            raise ResponseStateError("Cannot drain before start()")
        await self._exchange.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """Finish the response. Afterwards any write or header change is forbidden."""
        if self._eof_sent:
            return
        if self._exchange is None:
            raise ResponseStateError("Response has not been started")
        if data:
            self.write(data)
        self._flush_head()
        if self._compressor is not None:
            tail, self._compressor = self._compressor.flush(), None
            if tail:
                self.write(tail)
        self._eof_sent = True
        exchange = self._exchange
        if self._chunked:
            exchange.write(b"0\r\n\r\n")
        elif self._length_left:
            self._short_body(exchange)
        exchange.finish()
        if not self._final_keep_alive:
            return
        await exchange.drain()

    def _short_body(self, exchange: Any) -> None:
        """The body ended before its Content-Length: the connection closes after the answer (the client sees the
        body cut short, rather than reading the next answer's bytes as the rest of it)."""
        self._final_keep_alive = False
        exchange.close_after()

    def _send(self, request: Request) -> None:
        """Answer ``request`` completely (used by the handler machinery for a response the handler returned)."""
        if self._exchange is None:
            self._start(request, defer=False)
        if not self._eof_sent:
            if self._compressor is not None:
                # The compressor holds the end of the body (and the coding's trailer) until flushed.
                tail, self._compressor = self._compressor.flush(), None
                if tail:
                    self.write(tail)
            self._eof_sent = True
            if self._chunked:
                self._exchange.write(b"0\r\n\r\n")
            elif self._length_left:
                self._short_body(self._exchange)
            self._exchange.finish()

    def __repr__(self) -> str:
        # aiohttp 3's form: the reason, then the request's method and path while it is being answered.
        if self._eof_sent:
            info = "eof"
        elif self._request is not None:
            info = f"{self._request.method} {self._request.path} "
        else:
            info = "not prepared"
        return f"<{self.__class__.__name__} {self.reason} {info}>"

    def __bool__(self) -> bool:
        return True

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

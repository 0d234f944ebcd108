"""``Response``, a response with its whole body at hand, and ``json_response``; ``StreamResponse`` (its base, the
state machine) lives in web.streamresponse and is re-exported here, where the aiohttp 0.14 API names it.
"""

from __future__ import annotations

import io
import json
import json.encoder
from collections.abc import AsyncIterable, Callable
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, getversion

from .helpers import parse_content_type
from .streamresponse import (
    _CACHE_SIZE,
    _CONTENT_LENGTH,
    _CONTENT_TYPE,
    _NO_BODY_STATUSES,
    _SEND,
    _SET_COOKIE,
    ResponseStateError,
    ResponseTypeError,
    _SentHeaders,
)
from .streamresponse import StreamResponse as StreamResponse

if TYPE_CHECKING:
    from .request import Request

__all__ = ["Response", "StreamResponse", "json_bytes_response", "json_response"]

# Response's fast path (see Response.__init__ and StreamResponse._start), keyed by the content_type argument (None:
# text/plain), for text= and for body=: the Content-Type field (a multidict to copy, 3x cheaper than building one)
# and its encoded line. Never keyed by the body, so JSON of any length hits them as hello does.
_TEXT_PLAIN = "text/plain; charset=utf-8"
_Fields = dict[str | None, tuple[CIMultiDict[str], str]]
_TEXT_FIELDS: _Fields = {}
_BODY_FIELDS: _Fields = {}

# json_response's default dumps, json.dumps(data), as the stdlib runs it with its default arguments
# (JSONEncoder.encode and iterencode): one C encoder per call (its circular-reference markers are the call's own),
# ASCII-escaped strings, ", " and ": " separators, NaN allowed. Calling them here saves three Python frames.
_STDLIB_DUMPS = json.dumps
_NO_DATA: Any = object()  # json_response() without data: aiohttp's sentinel, so that None is serialized as null
_make_encoder = json.encoder.c_make_encoder  # None where the stdlib has no _json: json.dumps is called
_encode_ascii = json.encoder.encode_basestring_ascii
_default = json.JSONEncoder().default  # raises the TypeError json.dumps raises for an unknown type
# Encoders free for the next call. Building one costs a sixth of encoding a small document, and one that finished
# its run has its markers empty again, as a new one's are (the C encoder removes each container's marker when it
# is done with it). One that raised may keep markers, so it is dropped. Each call takes an encoder of its own off
# the list (list.pop is atomic), so a call from another thread or from ``default`` itself never shares markers.
_ENCODERS: list[Any] = []


_new_object = object.__new__


def _build_headers(resp: Response, template: CIMultiDict[str]) -> CIMultiDict[str]:
    """Build the headers multidict of a fast-path response from its Content-Type ``template``, exactly as the general
    path builds it (Content-Type, Content-Length, then the Set-Cookie fields when it was started with cookies), and
    store it as ``resp._headers``. From here on ``_start``'s fast path checks the multidict's version, and
    ``_added_lines`` the identity of the Content-Type value (the template's, which the copy shares)."""
    resp._template = None  # built: Response.headers reads _headers from here on
    resp._headers = headers = template.copy()
    body = resp._body
    length = str(len(body))
    headers.add(_CONTENT_LENGTH, length)
    if resp._sent_cookie_lines:
        # Started already, with cookies: the general path's headers hold the Set-Cookie fields it sent.
        for line in resp._sent_cookie_lines.split("\r\n")[:-1]:
            headers.add(_SET_COOKIE, line[12:])
    resp._fields_built = (body, length, getversion(headers), template[_CONTENT_TYPE])
    return headers


class _LazyHeaders:
    """``Response._headers`` of a fast-path response until something reads it: the first read builds the multidict
    (:func:`_build_headers`) and stores it on the instance, which then shadows this non-data descriptor. A
    descriptor, not ``__getattr__``: a class with ``__getattr__`` loses CPython's specialized attribute loads on every
    ``self.x`` (+2% instructions per hello request)."""

    def __get__(self, resp: Response | None, owner: type | None = None) -> Any:
        if resp is None:
            return self
        template = resp._template
        if template is None:
            raise AttributeError(
                f"{type(resp).__name__!r} object has no attribute '_headers'", name="_headers", obj=resp
            )
        return _build_headers(resp, template)


class Response(StreamResponse):
    """A response with its whole body at hand, sent with a Content-Length in a single write."""

    _DEFER_HEAD = True  # start() holds the head back so that write_eof() sends head and body together
    _compressed: bytes | None = None  # the body compressed whole by enable_compression()
    _source_view: Any = None  # what ``body`` answers for a streamed body (web.bodies.body_view), once read
    _template: CIMultiDict[str] | None = None  # the fast path's Content-Type field, until _headers is built from it
    _headers = _LazyHeaders()  # type: ignore[assignment]

    @property
    def headers(self) -> CIMultiDict[str]:
        """Outgoing headers (a ``CIMultiDict``); after ``start()`` a read-only view whose changes raise
        ``RuntimeError``, since the head is already on the wire."""
        template = self._template
        if template is None or self._exchange is not None:
            return self._headers if self._exchange is None else _SentHeaders(self._headers)
        # A fast-path response read before its start (a middleware adding X-Request-Id): built without the
        # descriptor's call.
        return _build_headers(self, template)

    def __init__(
        self,
        body: Any = None,
        *,
        status: int = 200,
        reason: str | None = None,
        text: str | None = None,
        headers: Any = None,
        content_type: str | None = None,
        charset: str | None = None,
        zlib_executor_size: int | None = None,
        zlib_executor: Any = None,
    ) -> None:
        # zlib_executor_size and zlib_executor (aiohttp 3: compress a body over that many bytes in that executor) are
        # taken for code written for aiohttp and not used: enable_compression() compresses the whole body on the
        # loop, once, when the head is sent.
        if headers is None and charset is None and (content_type is None or content_type.__class__ is str):
            # The common cases, ``Response(text=...)`` (``json_response``) and ``Response(body=bytes,
            # content_type=...)``: the two fields and their encoded lines come from a cache (see _start).
            if text.__class__ is str and body is None:
                body = text.encode()
                cache = _TEXT_FIELDS
            elif body.__class__ is bytes and text is None and content_type is not None:
                cache = _BODY_FIELDS
            else:
                cache = None
            if cache is not None:
                # The checks of the general path, in its order (content_type's on a cache miss, see _fast_fields).
                if status == 200 and reason is None:
                    self._status = 200
                else:
                    self.set_status(status, reason)
                self._body = body
                cached = cache.get(content_type)
                if cached is None:
                    cached = _fast_fields(cache, content_type)
                # The headers multidict is built only if something reads it (see _LazyHeaders): a handler that
                # returns the response untouched never needs one, _start encodes the head from the cached line.
                self._template, self._fields = cached
                return
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if isinstance(body, str):
            # aiohttp 0.14's own example, ``return Response("All right!")``: a str body is text (aiohttp 3 agrees).
            body, text = None, body
        super().__init__(status=status, reason=reason, headers=headers)
        hdrs = self._headers
        if content_type is not None and "charset" in content_type:
            raise ValueError("charset must not be in content_type argument")
        if text is not None:
            if not isinstance(text, str):
                raise ResponseTypeError(f"text argument must be str ({type(text)!r})")
            if _CONTENT_TYPE in hdrs:
                if content_type or charset:
                    raise ValueError("passing both Content-Type header and content_type or charset params is forbidden")
                encoding = self.charset or "utf-8"
            else:
                encoding = charset.lower() if charset else "utf-8"
                hdrs[_CONTENT_TYPE] = f"{content_type or 'text/plain'}; charset={encoding}"
                if content_type is not None and ("\r" in content_type or "\n" in content_type):
                    raise ValueError("content type cannot contain CR or LF")
            self._body: bytes | None = text.encode(encoding)
            hdrs[_CONTENT_LENGTH] = str(len(self._body))
        else:
            if _CONTENT_TYPE in hdrs:
                if content_type is not None or charset is not None:
                    raise ValueError("passing both Content-Type header and content_type or charset params is forbidden")
            elif content_type is not None:
                self._set_content_type(content_type, charset.lower() if charset else None)
            elif charset is not None:
                raise ValueError("charset requires content_type")
            self._body = None
            if body is not None:
                self.body = body
            # Without a body no Content-Length yet: it is set when the response starts (0, see StreamResponse._start),
            # as in aiohttp; the caller's own stays, as in aiohttp: a HEAD answer's length of the body a GET would get.

    def _set_content_length(self, value: int | None) -> None:
        # As aiohttp 3: the body decides it; a hand-set length would frame the whole body wrong.
        raise RuntimeError("Content length is set automatically")

    #: The body's length, from the Content-Length field its body sets (see ``body``); it cannot be set.
    content_length = property(StreamResponse.content_length.fget, _set_content_length)  # type: ignore[assignment]

    @property
    def body(self) -> Any:
        """The body bytes (or the file, iterator or payload given: aiohttp's payload of it when aiohttp is loaded,
        see :func:`web.bodies.body_view`); assigning recalculates ``content_length`` (``None`` drops the
        Content-Length header)."""
        if self._source is None:
            return self._body
        view = self._source_view
        if view is None:
            from .bodies import body_view

            view = self._source_view = body_view(self._source_obj, self._source)
        return view

    @body.setter
    def body(self, body: Any) -> None:
        self._check_mutable()
        # Read before _body changes: a fast-path response builds its headers from the body it had (_LazyHeaders).
        headers = self._headers
        if body is None:
            self._body = None
            headers.popall(_CONTENT_LENGTH, None)
            return
        if isinstance(body, str):
            raise TypeError("body must be bytes-like; use text= for str")
        if not isinstance(body, (bytes, bytearray, memoryview)):
            from .bodies import is_source, prepare_source

            if not is_source(body):
                raise TypeError(f"body argument must be byte-ish ({type(body)!r})")
            # A file, StringIO, async iterator or aiohttp payload: streamed when the response is finished.
            self._body = None
            self._source_obj = body
            self._source_view = None
            self._source = prepare_source(body, headers)
            return
        self._body = bytes(body)
        if not self._chunked:
            headers[_CONTENT_LENGTH] = str(len(self._body))

    @property
    def text(self) -> str | None:
        """The body as str (decoded with ``charset``, UTF-8 by default); assigning re-encodes the body.

        For a body given as a source (see ``web.bodies``), as aiohttp 3 decodes its payloads: a file object is read
        (from where it stands, and put back there when it can seek), an aiohttp payload is asked to ``decode``, and
        a stream that can only be read once as it is sent (an async iterator, a request's part) raises TypeError."""
        if self._body is None:
            source = self._source
            if source is None:
                return None
            if source.__class__ is bytes:  # a text stream, read and encoded when given
                return source.decode(self.charset or "utf-8")
            return _decode_source(self._source_obj, self.charset or "utf-8")
        return self._body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, text: str | None) -> None:
        self._check_mutable()
        if text is None:
            self.body = None
            return
        if not isinstance(text, str):
            raise ResponseTypeError(f"text argument must be str ({type(text)!r})")
        ctype, params = parse_content_type(self._headers.get(_CONTENT_TYPE))
        if ctype in ("", "application/octet-stream"):
            self._set_content_type("text/plain", "utf-8")
        elif not params.get("charset"):
            # As aiohttp 3: text assigned to a response of another type (text/html) says which charset encoded it.
            self._set_content_type(ctype, "utf-8")
        self.body = text.encode(self.charset or "utf-8")

    async def write_eof(self, data: bytes = b"") -> None:
        """Send the body (with the head, in one write, when it is still pending) and finish."""
        if self._eof_sent:
            return
        if self._exchange is None:
            raise ResponseStateError("Response has not been started")
        if self._source is not None:
            from .bodies import send_source

            source, self._source = self._source, None
            # The head goes out with the first piece of the body (or at its end), as aiohttp's Response sends it.
            await send_source(self, source)
            await StreamResponse.write_eof(self, data)
            return
        if self._head_pending is not None or not self._body_length:
            self._send_body()
            if not self._final_keep_alive:
                return
            await self._exchange.drain()
            return
        await super().write_eof(data)

    def _start_compression(self, request: Request) -> None:
        if self._chunked or self._source is not None:
            super()._start_compression(request)
            return
        from .compression import ContentCoding, choose_coding, compress

        coding = choose_coding(request.headers.get("Accept-Encoding", ""), self._compression_force)
        if coding is ContentCoding.identity:
            return
        # The whole body at once: the response keeps an exact Content-Length; ``body`` stays uncompressed.
        self._compressed = compress(coding, self._body or b"", self._compression_strategy)
        self._headers["Content-Encoding"] = coding.value
        self._headers[_CONTENT_LENGTH] = str(len(self._compressed))

    def _send(self, request: Request) -> None:
        if self._exchange is None:
            self._start(request, defer=_SEND)  # sends the head and the body (see StreamResponse._start)
        elif not self._eof_sent:
            self._send_body()

    def _send_body(self) -> None:
        self._eof_sent = True
        exchange = self._exchange
        body = self._body or b""
        if self._compressed is not None:
            body = self._compressed
        elif self._compressor is not None:
            body = self._compressor.compress(body) + self._compressor.flush()
            self._compressor = None
        size = len(body)
        if self._chunked and body:
            body = b"%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)
        elif self._chunked:
            body = b"0\r\n\r\n"
        if self._status < 200 or self._status in _NO_BODY_STATUSES:
            body = b""
        left = self._length_left
        if left is not None and len(body) != left:
            # A Content-Length of the handler's own that the body does not fill (see StreamResponse.write).
            body = body[:left]
            if len(body) < left:
                self._final_keep_alive = False
        head = self._head_pending
        if head is not None:
            self._head_pending = None
            self._body_length = size
            self._head_size = len(head)
            exchange.send(self._status, head, body, keep_alive=self._final_keep_alive)
        else:
            if body:
                exchange.write(body)
            if not self._final_keep_alive:
                exchange.close_after()
            exchange.finish()


# The names a Response's instances store during a request, on the paths every handler may take. CPython keeps one
# table of attribute names per class, shared by its instances' values (PEP 412), and stops adding names to it once
# some thirty instances have been made: a name first stored after that gives every instance that stores it a dict of
# its own (measured on 3.11, 3.12 and 3.13: ~200 ns per instance, and slower reads after it). Which names the first
# responses of a worker store depends on its first requests (health checks that build no headers, say): a worker
# whose first requests were hello answered the middleware chain 4.4k instructions per request dearer (121.3k against
# 117.0k). Learned here, at import, by one instance that stores them all, Response's table holds them whatever comes
# first. The rarer paths (compression, streamed bodies), dearer than a dict of their own, are left to the room that
# remains. Only Response: a subclass's own first instances teach it their names, and names taught ahead of them
# would take the room theirs need.
_RESPONSE_ATTRIBUTES = (
    "_status",
    "_reason",
    "_body",
    "_template",
    "_fields",
    "_headers",
    "_fields_built",
    "_cookies",
    "_sent_cookie_lines",
    "_keep_alive",
    "_chunked",
    "_request",
    "_exchange",
    "_final_keep_alive",
    "_eof_sent",
    "_body_length",
    "_head_size",
    "_length_left",
    "_head_pending",
    "_hooked",
)


def _learn_attribute_names(cls: type, names: tuple[str, ...]) -> None:
    """Have ``cls``'s table of shared attribute names hold ``names`` (see _RESPONSE_ATTRIBUTES): one instance,
    made without ``__init__``, stores each of them, and is dropped."""
    probe = object.__new__(cls)
    for name in names:
        object.__setattr__(probe, name, None)


_learn_attribute_names(Response, _RESPONSE_ATTRIBUTES)


def _fast_fields(cache: _Fields, content_type: str | None) -> tuple[CIMultiDict[str], str]:
    """The Content-Type field of Response's fast path for a ``content_type`` argument not in ``cache`` yet (checked
    as the general path checks it)."""
    if content_type is None:
        ctype = _TEXT_PLAIN
    elif "charset" in content_type:
        raise ValueError("charset must not be in content_type argument")
    elif "\r" in content_type or "\n" in content_type:
        raise ValueError("content type cannot contain CR or LF")
    else:
        ctype = f"{content_type}; charset=utf-8" if cache is _TEXT_FIELDS else content_type
    fields = (CIMultiDict(((_CONTENT_TYPE, ctype),)), f"Content-Type: {ctype}\r\n")
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[content_type] = fields
    return fields


def json_response(
    data: Any = _NO_DATA,
    *,
    text: str | None = None,
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: Any = None,
    content_type: str = "application/json",
    dumps: Callable[[Any], str] = json.dumps,
) -> Response:
    """A Response whose body is ``data`` serialized with ``dumps`` (``text``/``body`` pass a pre-encoded one; ``None``
    is the document ``null``, as in aiohttp, and no ``data`` no body)."""
    if data is not _NO_DATA:
        if text or body:
            raise ValueError("only one of data, text, or body should be specified")
        if dumps is _STDLIB_DUMPS and _make_encoder is not None:
            if isinstance(data, str):
                text = _encode_ascii(data)
            else:
                try:
                    encoder = _ENCODERS.pop()
                except IndexError:
                    encoder = _make_encoder({}, _default, _encode_ascii, None, ": ", ", ", False, False, True)
                text = "".join(encoder(data, 0))
                _ENCODERS.append(encoder)
        else:
            text = dumps(data)
    if body is None and status == 200 and reason is None and headers is None:
        if text.__class__ is str and content_type.__class__ is str:
            # What ``Response(text=text, content_type=content_type)`` does on its fast path (Response.__init__),
            # in its order, without the call: the response is all class defaults but these four attributes.
            response = _new_object(Response)
            response._status = 200
            response._body = text.encode()
            cached = _TEXT_FIELDS.get(content_type)
            if cached is None:
                cached = _fast_fields(_TEXT_FIELDS, content_type)
            response._template, response._fields = cached
            return response
        return Response(text=text, content_type=content_type)  # the same call, with fewer arguments to match
    return Response(text=text, body=body, status=status, reason=reason, headers=headers, content_type=content_type)


def json_bytes_response(
    data: Any = _NO_DATA,
    *,
    dumps: Callable[[Any], bytes],
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: Any = None,
    content_type: str = "application/json",
) -> Response:
    """A JSON response from an encoder that returns bytes (orjson's ``dumps``), with no str round trip (``None`` is
    the document ``null``, as in aiohttp)."""
    if data is not _NO_DATA:
        if body is not None:
            raise ValueError("only one of data or body should be specified")
        body = dumps(data)
    return Response(body=body, status=status, reason=reason, headers=headers, content_type=content_type)


def _decode_source(source: Any, charset: str) -> str:
    """The text of a body source, for ``Response.text``."""
    if isinstance(source, io.IOBase):
        start = source.tell() if source.seekable() else None
        data = source.read()
        if start is not None:
            source.seek(start)
        return data if isinstance(data, str) else bytes(data).decode(charset)
    from .multipart import BodyPartReader  # loaded already: a part can only come from a multipart reader

    decode = getattr(source, "decode", None)
    if callable(decode) and not isinstance(source, (AsyncIterable, BodyPartReader)):
        return str(decode(charset))
    raise TypeError(f"Unable to decode a {type(source).__name__} body: it is read once, as it is sent")

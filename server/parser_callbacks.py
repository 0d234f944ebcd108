"""The httptools parser callbacks of a connection: the request head's rules and limits, and the queueing of the
parsed request as an :class:`Exchange`.

:class:`ParserCallbacks` is a part of :class:`server.protocol.HttpProtocol` (the parser is built with the
connection as its callback object); the transitions it makes are in the table of :mod:`server.protocol`.
"""

from __future__ import annotations

import collections
import functools
import re
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict, istr

from .decompress import DecodingStreamReader, decoder_for
from .errors import (
    BadHttpVersion,
    BadRequest,
    HeadersTooLarge,
    HttpProtocolError,
    PayloadTooLarge,
    RequestLineTooLong,
    UnsupportedTransferCoding,
    UnsupportedUpgrade,
)
from .exchange import Exchange, HttpVersion, HttpVersion10, HttpVersion11, RequestAccounting
from .states import MIXIN_SLOTS, Phase, Upgrade
from .streams import FlowControlStreamReader

if TYPE_CHECKING:
    import asyncio

    from .protocol import HttpProtocol
    from .registry import ConnectionRegistry
    from .settings import ServerSettings

# Final: the compiled build keeps these in C statics (an int one folded into the code) instead of looking each up
# in the module's dict where it is used; pure Python reads them as before.
_AWAITING_HEAD: Final = Phase.AWAITING_HEAD
# _field_limit of a head begun in a read no longer than max_field_size and 8 KiB (HttpProtocol._quiet_size, see
# data_received): no field in it can be too long, and on_headers_complete counts its fields.
QUIET: Final = -1
_ANSWERING: Final = Phase.ANSWERING
_IDLE: Final = Phase.IDLE
_DECLINED: Final = Upgrade.DECLINED

_VERSIONS: Final = {"1.1": HttpVersion11, "1.0": HttpVersion10}
# The method as one shared str, without a decode per request; others are decoded.
_METHODS: Final = {m.encode(): m for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")}

# Header fields that change how a request is framed or answered, spotted as they are parsed so that the common
# request (Host only) costs no lookups afterwards.
_HOST: Final = 1
_CONTENT_LENGTH: Final = 2
_TRANSFER_ENCODING: Final = 4
_EXPECT: Final = 8
_CONTENT_TYPE: Final = 16
_HOSTS: Final = 32  # more than one Host
_CONTENT_ENCODING: Final = 64
# Connection or Proxy-Connection (llhttp reads both): without one, a request llhttp keeps alive is HTTP/1.1.
_CONNECTION: Final = 128
# The other fields aiohttp refuses a second copy of (its SINGLETON_HEADERS), each its own bit.
_CONTENT_LOCATION: Final = 256
_CONTENT_RANGE: Final = 512
_ETAG: Final = 1024
_MAX_FORWARDS: Final = 2048
_SERVER: Final = 4096
_USER_AGENT: Final = 8192
_FRAMING: Final = {
    b"host": _HOST,
    b"content-length": _CONTENT_LENGTH,
    b"transfer-encoding": _TRANSFER_ENCODING,
    b"expect": _EXPECT,
    b"content-type": _CONTENT_TYPE,
    b"content-encoding": _CONTENT_ENCODING,
    b"connection": _CONNECTION,
    b"proxy-connection": _CONNECTION,
    b"content-location": _CONTENT_LOCATION,
    b"content-range": _CONTENT_RANGE,
    b"etag": _ETAG,
    b"max-forwards": _MAX_FORWARDS,
    b"server": _SERVER,
    b"user-agent": _USER_AGENT,
}
# Field names as clients spell them (RFC 9110's case, and lower case as HTTP/2-era clients send), each with its
# framing bit (0 for none) and its text: a name found here needs neither lower() nor a decode. The text is an
# ``istr``, which a CIMultiDict takes as it is (its lowered form made once, here): a ``str`` name is lowered when
# the multidict is built, and made an ``istr`` when its keys are read (multidict 6+), so the keys read the same.
_COMMON = (
    b"accept",
    b"accept-encoding",
    b"accept-language",
    b"cookie",
    b"authorization",
    b"cache-control",
    b"pragma",
    b"origin",
    b"referer",
    b"upgrade",
    b"if-none-match",
    b"if-modified-since",
    b"x-request-id",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"x-real-ip",
    b"sec-websocket-key",
    b"sec-websocket-version",
    b"sec-websocket-extensions",
    b"sec-websocket-protocol",
    # What browsers add to a navigation or a fetch (Chrome and Firefox send these over HTTP/1.1 as spelled here or
    # capitalized), and what proxies and tracing add.
    b"upgrade-insecure-requests",
    b"sec-fetch-site",
    b"sec-fetch-mode",
    b"sec-fetch-dest",
    b"sec-fetch-user",
    b"sec-ch-ua",
    b"sec-ch-ua-mobile",
    b"sec-ch-ua-platform",
    b"priority",
    b"dnt",
    b"if-match",
    b"if-unmodified-since",
    b"if-range",
    b"range",
    b"keep-alive",
    b"te",
    b"x-requested-with",
    b"access-control-request-method",
    b"access-control-request-headers",
    b"forwarded",
    b"x-forwarded-port",
    b"via",
    b"traceparent",
)
# Names whose usual spelling is neither lower case nor capitalized parts (RFC 6455's, acronyms).
_IRREGULAR = (
    b"Sec-WebSocket-Key",
    b"Sec-WebSocket-Version",
    b"Sec-WebSocket-Extensions",
    b"Sec-WebSocket-Protocol",
    b"DNT",
    b"TE",
    b"X-Real-IP",
)
_AS_SENT: dict[bytes, tuple[int, str]] = {
    spelling: (_FRAMING.get(name, 0), istr(spelling.decode("latin-1")))
    for name in (*_FRAMING, *_COMMON)
    for spelling in (name, b"-".join(part.capitalize() for part in name.split(b"-")))
}
_AS_SENT.update((spelling, (0, istr(spelling.decode("latin-1")))) for spelling in _IRREGULAR)
_as_sent: Final = _AS_SENT.get
# The names on_headers_complete looks up, as istr: a CIMultiDict lowers a str key at each lookup, an istr's once.
_CONTENT_LENGTH_KEY: Final = istr("Content-Length")
_TRANSFER_ENCODING_KEY: Final = istr("Transfer-Encoding")
_EXPECT_KEY: Final = istr("Expect")
_UPGRADE_KEY: Final = istr("Upgrade")
_CONTENT_ENCODING_KEY: Final = istr("Content-Encoding")
# Fields on_headers_complete reads the value of.
_LOOKED_UP: Final = _CONTENT_LENGTH | _TRANSFER_ENCODING | _EXPECT | _CONTENT_ENCODING
_FRAMING_LENGTHS: Final = frozenset(len(name) for name in _FRAMING)
# Singleton fields whose two copies two readers could each pick differently (RFC 9110 §5.3, §8.3), refused with a
# 400 as aiohttp refuses them (its SINGLETON_HEADERS); llhttp already refuses a second Content-Length, and Host is
# counted for its own rule. (aiohttp refuses a second Transfer-Encoding line too; RFC 9112 §6.1 lets a coding list
# span lines, and llhttp's and gunicorn's corpora send such requests, so it is left to the framing checks.)
_SINGLETONS: Final = _CONTENT_TYPE | _CONTENT_LOCATION | _CONTENT_RANGE | _ETAG | _MAX_FORWARDS | _SERVER | _USER_AGENT
# The fields a second copy of which on_header looks at again.
_ONCE: Final = _SINGLETONS | _HOST

# Trailer fields that frame, route or authenticate the message (RFC 9110 §6.5.1): a proxy that merged them into the
# header section would act on them (request smuggling), so they are refused, as gunicorn refuses Host and the
# framing fields. Trailers are never merged here; descriptive fields such as Content-Type or Vary pass, as both
# gunicorn's and llhttp's corpora expect.
_FORBIDDEN_TRAILERS = frozenset(
    (
        b"content-length",
        b"transfer-encoding",
        b"trailer",
        b"te",
        b"host",
        b"connection",
        b"keep-alive",
        b"upgrade",
        b"expect",
        b"authorization",
        b"proxy-authorization",
        b"cookie",
    )
)

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 §5.6.2
# Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2): an IP-literal in brackets, or a reg-name (also
# an IPv4 address) of unreserved, sub-delims and pct-encoded characters; the port is digits. The characters are
# checked, not the structure of an IP address, as Go's net/http checks them. Bytes above 0x7F pass in a reg-name:
# a raw UTF-8 name (b\xc3\xbccher.example) is served as aiohttp serves it (tests/web/test_header_decoding.py),
# and cannot hide another authority as a space, '/', '@', '?', '#' or a second ':' can.
_host_value: Final = re.compile(
    rb"(?:\[[0-9A-Za-z._~!$&'()*+,;=:-]+\]|(?:[0-9A-Za-z._~!$&'()*+,;=\x80-\xff-]|%[0-9A-Fa-f]{2})*)(?::[0-9]*)?"
).fullmatch

_EMPTY_BODY: Final = FlowControlStreamReader(None, None)  # type: ignore[arg-type]
_EMPTY_BODY.feed_eof()


class ParserCallbacks:
    """The callbacks httptools' ``HttpRequestParser`` calls on the connection, with the per-request parser state
    they keep."""

    # A base class without __slots__ would give each connection a __dict__ (see HttpProtocol and MIXIN_SLOTS).
    __slots__ = MIXIN_SLOTS

    # Set by HttpProtocol.__init__; listed here as the state these callbacks read and write.
    settings: ServerSettings
    registry: ConnectionRegistry
    accounting: RequestAccounting  # the registry's
    loop: asyncio.AbstractEventLoop
    queue: collections.deque[Exchange]
    phase: Phase
    deadline: float | None
    # Read by the connection's and the exchange's hot paths: declared here, not only on UpgradeHandling (which is
    # never compiled), so that the compiled build keeps them in the connection's struct, not its __dict__.
    closed: bool
    draining: bool
    # The settings the request path reads each time, kept on the connection: an attribute of its own costs pure
    # Python one load where ``settings.x`` costs two, and the compiled build a struct field where it would reach
    # into the (interpreted) settings object.
    # HttpProtocol.__init__ copies them: the settings of a connection are fixed for its life, as the limits it
    # already copied there (_max_headers, _max_name_value, _short_url) are.
    _header_timeout: float
    _keepalive_timeout: float
    _max_pipeline: int
    _parser: Any
    _upgrade: Upgrade
    _stop_parsing: bool
    _url: bytes
    _headers: list[tuple[str, str]]
    _header_count: int
    _framing: int
    _max_headers: int
    _field_limit: int
    _head_limit: int
    _max_name_value: int
    _short_url: int
    _body: FlowControlStreamReader | None
    _exchange: Exchange | None
    _body_only: bool
    _valid_host: bytes
    _line_bytes: int
    _fed_body: bool

    def on_message_begin(self) -> None:
        # The trailer count starts in on_headers_complete; a field parsed while no head is (_field_limit 0) is a
        # trailer.
        self._url = b""
        self._headers = []
        self._line_bytes = 0  # a new head's first line (see HttpProtocol._bound_line)
        self._field_limit = self._head_limit  # a head is being parsed: QUIET, or max_headers (see on_header)
        self._framing = 0
        if self.phase is _IDLE:
            self.phase = _AWAITING_HEAD
            self.deadline = self.loop.time() + self._header_timeout

    def on_url(self, url: bytes) -> None:
        url = self._url + url if self._url else url
        self._url = url
        # Request line = method SP target SP HTTP/x.y; llhttp has parsed the method by now.
        size = len(url)
        if size > self._short_url and size + len(self._parser.get_method()) + 10 > self.settings.max_request_line:
            raise RequestLineTooLong("Request-Line too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        fields = self._headers
        if self._field_limit >= 0:
            # A trailer (the limit is 0 once the head is complete), or a field of a head measured field by field:
            # one that arrives in more than one read, or in a read longer than _quiet_size. A head begun and
            # ended in one shorter read (QUIET) holds no field too long, and on_headers_complete counts its fields:
            # each field of a browser's head costs 0.6k instructions less without these two tests.
            if len(fields) >= self._field_limit:
                # The head is full, or this is a trailer.
                self._count_trailer(name, value)
                return  # a trailer: counted and checked, never merged
            # The field line with its ": " and CRLF, as gunicorn counts limit_request_field_size.
            if len(name) + len(value) > self._max_name_value:
                raise HeadersTooLarge("Header field too long")
        # One get() (a builtin bound once, see _as_sent) costs less than ``in`` then the subscript.
        known = _as_sent(name)
        if known is None:
            text = name.decode("latin-1")
            bit = _FRAMING.get(name.lower(), 0) if len(name) in _FRAMING_LENGTHS else 0
        else:
            bit, text = known
        # llhttp strips the leading OWS only; the trailing one is not part of the value (RFC 9110 §5.5). Of the
        # bytes below 33, llhttp lets only SP and HTAB into a value, so rstrip() without an argument (ASCII
        # whitespace) strips what rstrip(b" \t") would, for 130 fewer instructions (tests/server/differential_cases.py
        # holds llhttp to it: value-trailing-vtab, value-trailing-ff). It gives back the same object when there is
        # none, at less than a test of the last byte costs.
        value = value.rstrip()
        if bit:
            framing = self._framing
            if framing & bit & _ONCE:
                # A second singleton (refused here) or a second Host (refused in on_headers_complete).
                if bit != _HOST:
                    raise BadRequest(f"Duplicate {text} header")
                bit = _HOSTS
            self._framing = framing | bit
            if bit == _HOST and value != self._valid_host:
                # RFC 9112 §3.2: a server MUST answer 400 to a Host with an invalid field value: a proxy and the
                # application could each read another authority from it (routing, cache keys, absolute URLs). The
                # last valid one is kept: a keep-alive connection sends the same Host each time, checked once.
                # (Under ``if bit``: a field that frames nothing pays nothing for it.)
                if not _host_value(value):
                    raise BadRequest("Invalid Host header")
                self._valid_host = value
        # As aiohttp decodes a value (its http_parser.py and _http_parser.pyx): UTF-8, and any byte that is not
        # UTF-8 kept as a lone surrogate, so that request.raw_headers gives back the bytes as received. Strict
        # decode() first: without arguments to parse it costs less than the latin-1 decode did (and the try block
        # nothing until a value is not UTF-8).
        try:
            decoded = value.decode()
        except UnicodeDecodeError:
            decoded = value.decode("utf-8", "surrogateescape")
        fields.append((text, decoded))

    def _count_trailer(self, name: bytes, value: bytes) -> None:
        # Trailer fields (after the last chunk) count towards the limits but are not merged into the headers.
        self._header_count += 1
        if not self._field_limit:
            if self._header_count > self._max_headers:
                raise HeadersTooLarge("Too many trailer fields")
            if name.lower() in _FORBIDDEN_TRAILERS:
                raise BadRequest(f"{name.decode('latin-1')} is not allowed in trailers")
        else:
            raise HeadersTooLarge("Too many header fields")
        if len(name) + len(value) > self._max_name_value:
            raise HeadersTooLarge("Header field too long")

    def on_headers_complete(self) -> None:
        parser = self._parser
        settings = self.settings
        self._field_limit = 0  # the head is complete
        if self._body_only:
            self._header_count = 0  # its trailers are counted from here
            return  # the stand-in head of a declined upgrade's body (on_message_complete): the body goes on
        fields = self._headers
        if len(fields) > self._max_headers:
            raise HeadersTooLarge("Too many header fields")  # a QUIET head (on_header counts the others)
        framing = self._framing
        keep_alive = parser.should_keep_alive()
        if keep_alive and not framing & _CONNECTION:
            # llhttp parses HTTP/0.9, 1.0, 1.1 and 2.0 only, and keeps a request alive without a Connection (or
            # Proxy-Connection) field for HTTP/1.1 alone: the version is known without formatting it.
            version = HttpVersion11
        else:
            parsed = _VERSIONS.get(parser.get_http_version())
            if parsed is None:
                raise BadHttpVersion("HTTP Version Not Supported")
            version = parsed
        if framing & (_HOST | _HOSTS) != _HOST:
            # RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host or with more than one
            # (two can be read two ways), as nginx, Go and h11 do. HTTP/1.0 may omit it: request.host is then None.
            if framing & _HOSTS:
                raise BadRequest("More than one Host header")
            if version is HttpVersion11:
                raise BadRequest("HTTP/1.1 requires a Host header")
        raw_method = parser.get_method()
        method = _METHODS.get(raw_method) or raw_method.decode("ascii")
        url = self._url
        if url[:1] != b"/":
            if url == b"*":
                if method != "OPTIONS":
                    raise BadRequest("The asterisk-form is only for OPTIONS")  # RFC 9112 §3.2.4
            elif method != "CONNECT":
                _check_absolute_form(url)
        upgrade = parser.should_upgrade()
        # Only what frames the request needs a lookup here; the Exchange builds the multidict on first read.
        headers: Any = CIMultiDict(fields) if framing & _LOOKED_UP or upgrade else fields
        has_body = False
        expect_continue = False
        if framing & _LOOKED_UP:
            if framing & _CONTENT_LENGTH:
                size = int(headers[_CONTENT_LENGTH_KEY])
                if size > settings.client_max_size:
                    raise PayloadTooLarge(settings.client_max_size, size)
                has_body = size > 0
            elif framing & _TRANSFER_ENCODING:
                _check_transfer_coding(version, headers)
                has_body = True
            if framing & _EXPECT and version is HttpVersion11:
                expect_continue = _expects_continue(headers) and has_body
        if upgrade:
            if method == "CONNECT":
                raise UnsupportedUpgrade("CONNECT is not supported")
            if has_body or "websocket" not in headers.get(_UPGRADE_KEY, "").lower():
                # An upgrade we do not speak, or one with a body, is ignored (RFC 9110 §7.8): the request is served
                # as any other and HTTP/1.1 goes on after it.
                upgrade = False
                self._upgrade = _DECLINED
        # ParserCallbacks is a part of HttpProtocol: self is the connection the body and the Exchange report to. A
        # typed store, not cast(): the same checked conversion once compiled, and no function call per request in
        # pure Python.
        connection: HttpProtocol = self  # type: ignore[assignment]
        if has_body:
            self._header_count = 0  # its trailers, the only fields that can follow, are counted from here
            decoder = None
            if framing & _CONTENT_ENCODING and settings.auto_decompress:
                decoder = decoder_for(headers[_CONTENT_ENCODING_KEY])
            body = (FlowControlStreamReader if decoder is None else functools.partial(DecodingStreamReader, decoder))(
                connection,
                self.loop,
                limit=settings.client_max_size,
                high_water=settings.read_high_water,
                low_water=settings.read_low_water,
                expect_continue=expect_continue,
            )
            self._body = body
        else:
            body = _EMPTY_BODY
            self._body = None
        exchange = Exchange(
            connection,
            method,
            url.decode("latin-1"),
            version,
            headers,
            keep_alive,
            upgrade,
            body,
            self.loop.time() if self.accounting.access_logger is not None else 0.0,
        )
        if framing & _EXPECT:
            exchange.expect = True
        if not self._keepalive_timeout:
            exchange.must_close = True  # keepalive_timeout 0: keep-alive is off (ServerSettings)
        if has_body or not keep_alive or upgrade or self._upgrade is _DECLINED:
            self._exchange = exchange  # for on_message_complete
        if self.phase is _AWAITING_HEAD:
            self.phase = _ANSWERING
            self.deadline = None
        queue = self.queue
        queue.append(exchange)
        if len(queue) >= self._max_pipeline:
            connection.pause_reason("pipeline")

    def on_body(self, body: bytes) -> None:
        self._fed_body = True  # see HttpProtocol._bound_line
        if self._body is not None:
            self._body.feed_data(body)

    def on_message_complete(self) -> None:
        exchange = self._exchange
        body = self._body
        if exchange is None and body is None:
            # A request without a body that llhttp keeps alive (its verdict cannot change after a head without a
            # body): nothing to do. An upgrade request always left its exchange here.
            return
        declined = self._upgrade is _DECLINED
        if body is not None and not declined:
            body.feed_eof()
            self._body = None
            self._body_only = False
        self._exchange = None
        if exchange is not None and not self._parser.should_keep_alive():
            # The client announced the close: nothing after this request is read (RFC 9112 §9.6).
            exchange.client_keep_alive = False
            self._stop_parsing = True
        if declined:
            connection: HttpProtocol = self  # type: ignore[assignment]  # see on_headers_complete
            connection._resume_after_declined(exchange, body)


def _expects_continue(headers: CIMultiDict[str]) -> bool:
    """Whether the request's ``Expect`` fields ask for a ``100 Continue``; 417 for any other expectation.

    ``Expect = #expectation`` (RFC 9110 s10.1.1), a list that may span field lines, in which empty elements are
    ignored (s5.6.1.2): an empty ``Expect`` asks for nothing. The one expectation defined is ``100-continue``
    (case-insensitive); a server MAY answer 417 to any other, which is refused rather than silently not met."""
    fields = headers.getall(_EXPECT_KEY)
    if len(fields) == 1 and fields[0].lower() == "100-continue":
        return True
    members = [member.strip(" \t").lower() for field in fields for member in field.split(",")]
    members = [member for member in members if member]
    if any(member != "100-continue" for member in members):
        raise HttpProtocolError("Expectation Failed", status=417)
    return bool(members)


def _check_absolute_form(url: bytes) -> None:
    """A target that is not origin-form must be absolute-form, ``scheme://authority[path]`` (RFC 9112 §3.2.2);
    llhttp lets through any bytes it allows in a URL, such as ``s://]ufd/:``."""
    try:
        parts = urllib.parse.urlsplit(url.decode("latin-1"))
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise BadRequest("Invalid request target") from None
    if not parts.scheme or not parts.netloc:
        raise BadRequest("Invalid request target")


def _check_transfer_coding(version: HttpVersion, headers: CIMultiDict[str]) -> None:
    # RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding, so a 1.0 message with one has faulty framing (an HTTP/1.0
    # proxy in front may not have read it as chunked). Of the codings we decode chunked only: 501 for the others.
    if version is HttpVersion10:
        raise BadRequest("Transfer-Encoding in an HTTP/1.0 request")
    fields = headers.getall(_TRANSFER_ENCODING_KEY)
    if len(fields) == 1 and fields[0].lower() == "chunked":
        return
    value = ", ".join(fields)
    codings = [coding.strip(" \t").lower() for coding in value.split(",")]
    if codings[-1] != "chunked" or not all(_TOKEN.fullmatch(coding) for coding in codings):
        # Without chunked last the body's length cannot be known (RFC 9112 §6.3): a framing error, not a coding.
        raise BadRequest("Invalid Transfer-Encoding header value")
    raise UnsupportedTransferCoding(f"Transfer-Encoding {value!r} is not implemented")


def _parser_message(exc: Exception) -> str:
    text = str(exc)
    return text.split(":", 1)[-1].strip() if text else "Bad Request"

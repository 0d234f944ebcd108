"""aiohttp 0.14's ``Request``: everything known about one incoming HTTP request, read lazily from the exchange."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from collections.abc import Callable, Iterator, MutableMapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from yarl import URL

from server.decompress import DecodingStreamReader
from server.errors import RequestPayloadError as RequestPayloadError
from server.exchange import Exchange, HttpVersion
from server.streams import FlowControlStreamReader

from .conditionals import parse_etag_list, parse_http_date, parse_http_range
from .forwarded import DEFAULT_TRUSTED, Forwarded, Trusted, parse_forwarded, peer_address, resolve_forwarded
from .helpers import parse_content_type
from .query import parse_query
from .validators import ETag

if TYPE_CHECKING:
    from .app import Application

__all__ = ["BaseRequest", "InvalidJSONBody", "PayloadAccessError", "Request", "RequestPayloadError"]

_EMPTY_MULTIDICT: MultiDictProxy[str] = MultiDictProxy(MultiDict())

# Header names as istr: a CIMultiDict folds a str key's case on every lookup, an istr's once (0.5k instructions per
# lookup).
_COOKIE = istr("Cookie")
_CONTENT_TYPE = istr("Content-Type")

# The body streams whose read() is FlowControlStreamReader's: read_arrived() returns what it would, at once.
_STREAMS = (FlowControlStreamReader, DecodingStreamReader)


def _parse_cookies(header: str) -> MultiDict[str]:
    # web/cookies.py's parse_cookies, imported on first use (an app that reads no cookie never loads it), then
    # bound here: an import statement per call costs an import-system lookup per request.
    global _parse_cookies
    from .cookies import parse_cookies

    _parse_cookies = parse_cookies
    return parse_cookies(header)


async def _read_form(request: Request, content_type: str | None) -> MultiDictProxy[Any]:
    # web/forms.py's read_form, imported on first use and then bound here, as _parse_cookies.
    global _read_form
    from .forms import read_form

    _read_form = read_form
    return await read_form(request, content_type)


# The stdlib's loads as imported: request.json()'s default, which alone may take orjson's path (a json.loads patched
# later, like any loads given, is called as it is).
_json_loads = json.loads
# The charsets (lowercased) that bytes.decode reads as plain UTF-8, which orjson reads. (utf-8-sig is not one: it
# drops a BOM, which orjson refuses.)
_UTF8_CHARSETS = frozenset({"utf-8", "utf8", "utf_8"})
# What _parse_json returns when orjson's answer could differ from json.loads's: then the stdlib path runs.
_UNPARSED: Any = object()


def _parse_json(data: bytes, unparsed: Any) -> Any:
    # web/jsonbody.py's parse, imported on first use with orjson (a worker that parses no JSON holds neither), then
    # bound here, as _parse_cookies.
    global _parse_json
    try:
        from .jsonbody import parse
    except RecursionError:  # the first parse at the recursion limit's edge, where json.loads may still succeed
        return unparsed

    _parse_json = parse
    return parse(data, unparsed)


def _read_urlencoded_arrived(request: Request, method: str, stream: Any) -> MultiDictProxy[Any] | None:
    # web/forms.py's read_urlencoded_arrived, imported on first use and then bound here, as _parse_cookies.
    global _read_urlencoded_arrived
    from .forms import read_urlencoded_arrived

    _read_urlencoded_arrived = read_urlencoded_arrived
    return read_urlencoded_arrived(request, method, stream)


_URLENCODED = "application/x-www-form-urlencoded"

#: client_max_size not given: Request() takes the application's (aiohttp's 1 MiB without one), clone() the request's.
_UNSET: Any = object()
_DEFAULT_LIMIT = 1024**2


def _too_large(limit: int, size: int) -> Exception:
    """aiohttp 3's error for a body that ``read()`` or ``post()`` found larger than ``client_max_size``: 413, with
    its text, "Maximum request body size N exceeded."."""
    from .exceptions import HTTPRequestEntityTooLarge

    error = HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
    # The rest of an oversized body is not worth reading to keep the connection: the answer announces the close
    # (aiohttp closes such a connection too, unannounced, once its lingering read gives up).
    error.force_close()
    return error


async def _read_bounded(request: Request, stream: Any) -> bytes:
    """The rest of ``stream``, the body of ``request``, as ``read()`` gives it: bounded by the request's
    ``client_max_size`` (None or 0: unbounded), counted as aiohttp counts it (the bytes read, decoded when the body
    has a Content-Encoding), the error raised once they pass it. A Content-Length already over the limit is
    refused before anything is read (the server then drains or closes as for any body left unread)."""
    limit = request._client_max_size
    if not limit:
        return await stream.read()  # type: ignore[no-any-return]
    if stream.__class__ is FlowControlStreamReader:  # not decoded: the Content-Length is what read() would count
        length = request._exchange.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > limit:  # (a mocked request's may be anything)
            raise _too_large(limit, int(length))
    parts = []
    size = 0
    while chunk := await stream.readany():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, size)
        parts.append(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


class PayloadAccessError(Exception):
    """The request body was read after the response was sent."""


class InvalidJSONBody(json.JSONDecodeError):
    """The request body is not valid JSON. Catch it as ``json.JSONDecodeError`` (or ``ValueError``); left uncaught
    it is answered with 400 Bad Request, since the client, not the handler, is at fault."""


class Request(MutableMapping[str, Any]):
    """An incoming HTTP request. Never created by user code: the server machinery builds one per request.

    It is also a mutable mapping, for handlers and middlewares to pass per-request state along.
    """

    # __dict__: a request takes attributes of the application's own (``request.user = user`` in a middleware), as
    # aiohttp's does, where it only warns in its debug mode; the instance dict is made on the first such attribute.
    # __weakref__: a request can be weakly referred to, as aiohttp's (Sentry's aiohttp integration holds its requests
    # so, for the events reported while they are served).
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_app",
        "_cache",
        "_cleanups",
        "_client_max_size",
        "_exchange",
        "_match_info",
        "_post",
        "_state",
        "_task",
        "_trusted",
    )

    #: The methods whose body aiohttp 3 reads as a form (its ``BaseRequest.POST_METHODS``), which middlewares read
    #: to tell a request with a body to validate. ``post()`` keeps to the 0.14 reference's POST, PUT and PATCH.
    POST_METHODS = frozenset({"PATCH", "POST", "PUT", "TRACE", "DELETE"})

    def __init__(
        self,
        exchange: Exchange,
        app: Application | None = None,
        match_info: Any = None,
        trusted: Trusted = DEFAULT_TRUSTED,
        task: asyncio.Task[Any] | None = None,
        *,
        client_max_size: Any = _UNSET,
    ) -> None:
        self._exchange = exchange
        self._task = task
        self._app = app
        self._match_info = match_info
        self._trusted = trusted
        self._post: MultiDictProxy[Any] | None = None
        self._state: dict[str, Any] | None = None
        self._cache: dict[str, Any] = {}
        self._cleanups: list[Callable[[], Any]] | None = None
        if client_max_size is _UNSET:
            client_max_size = getattr(app, "client_max_size", _DEFAULT_LIMIT) if app is not None else _DEFAULT_LIMIT
        self._client_max_size: int | None = client_max_size

    def __repr__(self) -> str:
        # aiohttp 3's: the path (no query), escaped to ASCII, and a space before the bracket.
        path = self.path.encode("ascii", "backslashreplace").decode("ascii")
        return f"<{self.__class__.__name__} {self.method} {path} >"

    def add_cleanup(self, callback: Callable[[], Any]) -> None:
        """Run ``callback()`` when the request ends, after its response (e.g. to remove upload temp files)."""
        self._cleanup.append(callback)

    @property
    def _cleanup(self) -> list[Callable[[], Any]]:
        """The callbacks run when the request ends (created on first use: most requests have none)."""
        if self._cleanups is None:
            self._cleanups = []
        return self._cleanups

    # -- MutableMapping storage ------------------------------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        if self._state is None:
            raise KeyError(key)
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if self._state is None:
            self._state = {}
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        if self._state is None:
            raise KeyError(key)
        del self._state[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state or ())

    def __len__(self) -> int:
        return len(self._state or ())

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return True

    # -- the request line ------------------------------------------------------------------------------------

    @property
    def method(self) -> str:
        """HTTP method, upper-cased: ``'GET'``, ``'POST'``..."""
        return self._exchange.method

    @property
    def version(self) -> HttpVersion:
        """HTTP version of the request, an ``HttpVersion(major, minor)``."""
        return self._exchange.version

    @property
    def host(self) -> str | None:
        """HOST header of the request, or None if the request has none (the aiohttp 0.14 API's contract).

        Behind a trusted proxy (``forwarded_allow_ips``) the host the client asked for, from ``X-Forwarded-Host``
        or ``Forwarded: host=``, comes first, as in aiohttp 3. Unlike aiohttp, the local socket address does not
        stand in when both are absent: the aiohttp 0.14 API says None. An absolute-form request
        target (``GET http://example.com/path``) names the host itself, which then comes before Host.
        """
        host = self._resolved.host
        if host is not None:
            return host
        target = self._exchange.target
        if target[:1] != "/" and "://" in target:
            # RFC 9112 §3.2.2: for an absolute-form target the server MUST ignore Host and use the target's host.
            host = URL(target).host
            if host:
                return host
        return self._exchange.headers.get("Host")

    @property
    def path_qs(self) -> str:
        """The path with the query string, as sent, e.g. ``/app/blog?id=10``."""
        target = self._exchange.target
        if target[:1] == "/":
            return target
        return self.rel_url.raw_path_qs if target != "*" else target

    @property
    def raw_path(self) -> str:
        """The path and query exactly as sent, without decoding (aiohttp's ``raw_path``)."""
        target = self._exchange.target
        return target if target[:1] == "/" else self.path_qs

    @property
    def path(self) -> str:
        """The decoded path without the query string, e.g. ``/app/blog``."""
        # dict.get, not a caught KeyError: a raised and caught exception costs 8x a lookup, on every first read.
        cache = self._cache
        path = cache.get("path")
        if path is None:
            raw = self.path_qs.partition("?")[0]
            path = cache["path"] = unquote(raw) if "%" in raw else raw
        return path

    @property
    def query_string(self) -> str:
        """The query string of the URL, without the ``?``."""
        return self.path_qs.partition("?")[2]

    @property
    def GET(self) -> MultiDictProxy[str]:
        """A multidict of the query string's variables (lazy, read-only)."""
        cache = self._cache
        value = cache.get("query")
        if value is None:
            # query_string's value, read from an origin-form target without its two property calls.
            target = self._exchange.target
            qs = target.partition("?")[2] if target[:1] == "/" else self.query_string
            if not qs:
                value = _EMPTY_MULTIDICT
            elif "&" in qs or "%" in qs or "+" in qs:
                value = MultiDictProxy(parse_query(qs))
            else:
                # One field with nothing to decode (``?page=2``, most queries): parse_query's answer without its
                # call and its scans of the text.
                name, _, field = qs.partition("=")
                query: MultiDict[str] = MultiDict()
                query.add(name, field)
                value = MultiDictProxy(query)
            cache["query"] = value
        return value

    query = GET

    @property
    def rel_url(self) -> URL:
        """The relative URL (path and query) as a ``yarl.URL``."""
        cache = self._cache
        url = cache.get("rel_url")
        if url is None:
            target = self._exchange.target
            url = cache["rel_url"] = URL(target, encoded=True) if target[:1] == "/" else URL(target).relative()
        return url

    @property
    def scheme(self) -> str:
        """``'https'`` or ``'http'``: what a trusted proxy says the client used, else whether this connection is TLS."""
        scheme = self._resolved.scheme
        if scheme is not None:
            return scheme
        transport = self._exchange.transport
        return "https" if transport is not None and transport.get_extra_info("sslcontext") else "http"

    @property
    def secure(self) -> bool:
        """True when :attr:`scheme` is ``'https'``."""
        return self.scheme == "https"

    @property
    def url(self) -> URL:
        """The absolute URL, built from scheme, Host and the request target."""
        host = self.host or "localhost"
        return URL.build(scheme=self.scheme, authority=host, encoded=True).join(self.rel_url)

    @property
    def remote(self) -> str | None:
        """The client's IP address: the one a trusted proxy names, else the peer's, as aiohttp gives it (``""`` for
        a unix socket peer, whose name is empty; None only without a transport to ask)."""
        remote = self._resolved.remote
        if remote is not None:
            return remote
        peer = self._exchange.peername
        return None if peer is None else str(peer)

    @property
    def forwarded(self) -> tuple[MappingProxyType[str, str], ...]:
        """The elements of the ``Forwarded`` headers as sent (RFC 7239), whoever sent them (aiohttp 3).

        Raw and untrusted: :attr:`remote`, :attr:`scheme` and :attr:`host` are the trusted reading."""
        return tuple(
            MappingProxyType(element) for element in parse_forwarded(self._exchange.headers.getall("Forwarded", ()))
        )

    @property
    def _resolved(self) -> Forwarded:
        """Who the client is, after the proxy headers of a trusted peer (web/forwarded.py); computed on first use
        only, so a handler that reads none of remote/scheme/host/url pays nothing."""
        cache = self._cache
        value = cache.get("forwarded")
        if value is None:
            exchange = self._exchange
            value = cache["forwarded"] = resolve_forwarded(
                peer_address(exchange.peername), exchange.headers, self._trusted
            )
        return value

    # -- headers ---------------------------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """A case-insensitive multidict with all headers (read-only)."""
        exchange = self._exchange
        if exchange.__class__ is not Exchange:
            return exchange.headers  # a clone's view: its replacement, or the exchange's own
        # Exchange.headers without its property call: the proxy kept on the exchange, made once from the parsed list
        # or from the multidict the connection or cookies, json() or post() built of it (no cache lookup per read).
        # Written here and in cookies, json() and post() rather than called from one server.exchange function: that
        # call costs 0.4k instructions per request on user and mw, 1.1k on cookies (measured at 82db0dc).
        fields: Any = exchange.fields
        if fields.__class__ is not CIMultiDictProxy:
            fields = exchange.fields = CIMultiDictProxy(
                fields if fields.__class__ is CIMultiDict else CIMultiDict(fields)
            )
        return fields

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The header fields as ``(name, value)`` pairs of bytes, in order, names in the case sent (aiohttp 3).

        Made on first read from :attr:`headers`: a value is decoded UTF-8 with ``surrogateescape``, so encoding it
        back gives the bytes received (trailing whitespace excepted, as aiohttp's parser drops it too). After
        ``clone(headers=...)``, the new headers encoded, as aiohttp's clone rebuilds them."""
        cache = self._cache
        raw = cache.get("raw_headers")
        if raw is None:
            raw = cache["raw_headers"] = tuple(
                (name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
                for name, value in self.headers.items()
            )
        return raw  # type: ignore[no-any-return]

    @property
    def keep_alive(self) -> bool:
        """True if the client asked for keep-alive and its HTTP version supports it."""
        return self._exchange.client_keep_alive

    @property
    def cookies(self) -> MultiDictProxy[str]:
        """A multidict of the request's cookies (read-only, parsed on first read), as aiohttp 3 reads them: one
        entry per name, the last value sent for it (web/cookies.py)."""
        cache = self._cache
        value = cache.get("cookies")  # not try/except: most handlers read it once, and a KeyError costs more
        if value is None:
            exchange = self._exchange  # its headers without the property call, as in headers
            fields: Any = exchange.fields if exchange.__class__ is Exchange else exchange.headers
            if fields.__class__ is list:
                fields = exchange.fields = CIMultiDict(fields)
            header = fields.get(_COOKIE)
            value = cache["cookies"] = MultiDictProxy(_parse_cookies(header)) if header else _EMPTY_MULTIDICT
        return value

    @property
    def content_type(self) -> str:
        """The media type of Content-Type, ``'application/octet-stream'`` when absent (RFC 2616 §7.2.1)."""
        return parse_content_type(self._exchange.headers.get(_CONTENT_TYPE))[0] or "application/octet-stream"

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, or None."""
        return parse_content_type(self._exchange.headers.get(_CONTENT_TYPE))[1].get("charset")

    @property
    def content_length(self) -> int | None:
        """The Content-Length header as int, or None when absent."""
        value = self._exchange.headers.get("Content-Length")
        return int(value) if value is not None else None

    @property
    def if_modified_since(self) -> datetime.datetime | None:
        """The If-Modified-Since header as an aware ``datetime`` in UTC, or None (also when not a valid date)."""
        return parse_http_date(self._exchange.headers.get("If-Modified-Since"))

    @property
    def if_unmodified_since(self) -> datetime.datetime | None:
        """The If-Unmodified-Since header as an aware ``datetime`` in UTC, or None (aiohttp 3)."""
        return parse_http_date(self._exchange.headers.get("If-Unmodified-Since"))

    @property
    def if_range(self) -> datetime.datetime | None:
        """The If-Range header as an aware ``datetime`` in UTC, or None (aiohttp 3; an entity-tag reads None)."""
        return parse_http_date(self._exchange.headers.get("If-Range"))

    @property
    def if_match(self) -> tuple[ETag, ...] | None:
        """The If-Match header as a tuple of ``ETag`` (``value``, ``is_weak``), or None (aiohttp 3)."""
        return parse_etag_list(self._exchange.headers.get("If-Match"))

    @property
    def if_none_match(self) -> tuple[ETag, ...] | None:
        """The If-None-Match header as a tuple of ``ETag`` (``value``, ``is_weak``), or None (aiohttp 3)."""
        return parse_etag_list(self._exchange.headers.get("If-None-Match"))

    @property
    def http_range(self) -> slice:
        """The Range header as a ``slice`` (aiohttp 3): ``bytes=0-499`` is ``slice(0, 500, 1)``, ``bytes=-500``
        ``slice(-500, None, 1)``; ``slice(None, None, 1)`` without one. Raises ValueError for a Range that is
        not one ``bytes`` range."""
        return parse_http_range(self._exchange.headers.get("Range"))

    # -- routing and application -----------------------------------------------------------------------------

    @property
    def match_info(self) -> Any:
        """The result of route resolving (an ``UrlMappingMatchInfo`` with the default router)."""
        return self._match_info

    @property
    def app(self) -> Application | None:
        """The application that handles the request."""
        return self._app

    @property
    def config_dict(self) -> Any:
        """A read-only ``ChainMapProxy`` of the request's application and those it is nested in, innermost first:
        ``request.config_dict["db"]`` finds a value a parent application stored."""
        from .appkey import ChainMapProxy

        apps = self._match_info.apps if self._match_info is not None else ()
        app = self._app
        if app in apps:
            apps = apps[: apps.index(app) + 1]
        elif not apps:
            apps = (app,) if app is not None else ()
        return ChainMapProxy(reversed(apps))

    async def _prepare_hook(self, response: Any) -> None:
        """Run the ``on_response_prepare`` callbacks of every application the request went through."""
        match_info = self._match_info
        apps = (match_info.apps if match_info is not None else ()) or ((self._app,) if self._app is not None else ())
        shown = False
        for app in apps:
            for callback in getattr(app, "on_response_prepare", ()):
                if not shown:
                    # aiohttp's order: the callbacks see the Date and Server fields the head will carry.
                    response._show_server_fields(self)
                    shown = True
                await callback(self, response)

    @property
    def writer(self) -> RequestWriter:
        """aiohttp 3's stream of the raw connection output, for an ``expect_handler`` that writes
        ``HTTP/1.1 100 Continue`` itself (responses are written by returning them)."""
        return RequestWriter(self._exchange)

    @property
    def transport(self) -> Any:
        """The transport the request arrived on, e.g. for ``get_extra_info('peername')``; ``None`` once the
        connection is lost, as in aiohttp."""
        return self._exchange.protocol.transport

    @property
    def protocol(self) -> Any:
        """The connection the request arrived on (``web.RequestHandler``, our ``server.protocol.HttpProtocol``),
        as aiohttp 3's ``request.protocol``: its ``transport`` is ``None`` once the connection is lost."""
        return self._exchange.protocol

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """The transport's ``get_extra_info(name, default)`` (aiohttp 3), e.g. ``'peername'``; ``default`` once the
        connection is lost."""
        transport = self.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop serving the request. Deprecated in aiohttp 3, with this warning: use
        ``asyncio.get_running_loop()``."""
        import warnings

        warnings.warn("request.loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._exchange.loop

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The ``asyncio.Task`` that runs the handler of this request (aiohttp 3), e.g. to cancel it."""
        return self._task

    # -- the body --------------------------------------------------------------------------------------------

    @property
    def client_max_size(self) -> int | None:
        """The most bytes ``read()``, ``text()``, ``json()`` and ``post()`` collect (413 above it), the
        application's ``client_max_size`` (aiohttp 3); None or 0: no bound. The body stream, :attr:`content` and
        ``multipart()``, is not bounded by it."""
        return self._client_max_size

    @property
    def client_max_fields(self) -> int:
        """The most fields (urlencoded pairs or multipart parts) ``post()`` accepts (413 above it), as aiohttp 3's:
        the application's ``client_max_fields`` (1000 by default); 0 or less, no bound."""
        # Set by clone() or make_mocked_request() only: a served request takes the application's, and pays nothing.
        value = self._cache.get("client_max_fields")
        if value is not None:
            return value  # type: ignore[no-any-return]
        from .forms import app_max_fields

        return app_max_fields(self._app)

    @property
    def content(self) -> FlowControlStreamReader:
        """The request body as a ``FlowControlStreamReader``."""
        return self._exchange.body

    #: aiohttp 0.14 named the body stream ``payload``; ``content`` since.
    payload = content

    @property
    def can_read_body(self) -> bool:
        """True when the request has a body that is not read completely yet."""
        return not self._exchange.body.at_eof()

    @property
    def _read_bytes(self) -> bytes | None:
        """aiohttp 3's attribute for the body its ``read()`` keeps, which libraries read (Sentry's aiohttp integration
        reports it with its events): None, as ``read()`` keeps nothing here (the aiohttp 0.14 API: a second call
        returns ``b''``)."""
        return None

    @property
    def has_body(self) -> bool:
        """Deprecated (as in aiohttp 3): :attr:`can_read_body`."""
        import warnings

        warnings.warn("Deprecated, use .can_read_body #2005", DeprecationWarning, stacklevel=2)
        return not self._exchange.body.at_eof()

    @property
    def body_exists(self) -> bool:
        """True when the request announced a body at all."""
        headers = self._exchange.headers
        return "Transfer-Encoding" in headers or headers.get("Content-Length", "0") != "0"

    async def read(self) -> bytes:
        """Read the whole body. Over :attr:`client_max_size` raises ``HTTPRequestEntityTooLarge`` (413), as aiohttp
        3 does. Not stored: a second call returns ``b''``, as the aiohttp 0.14 API documents (aiohttp 3 caches the
        body instead; see README, "Differences from aiohttp")."""
        body = self._exchange.body
        if body.__class__ in _STREAMS:
            data = body.read_arrived()
            if data is not None:
                if (limit := self._client_max_size) and len(data) > limit:
                    raise _too_large(limit, len(data))
                return data
        return await _read_bounded(self, body)

    async def text(self) -> str:
        """Read the body decoded with its charset (UTF-8 by default). Not stored: a second call returns ``''``."""
        if self.__class__ is Request:
            # read() inline (a subclass's own read() is called): the body taken at once when it has arrived whole.
            body = self._exchange.body
            data = body.read_arrived() if body.__class__ in _STREAMS else None
            if data is None:
                data = await _read_bounded(self, body)
            elif (limit := self._client_max_size) and len(data) > limit:
                raise _too_large(limit, len(data))
        else:
            data = await self.read()
        charset = parse_content_type(self._exchange.headers.get(_CONTENT_TYPE))[1].get("charset")
        return data.decode(charset or "utf-8")

    async def json(
        self,
        *,
        loads: Callable[[str], Any] | None = None,
        content_type: str | None = None,
        loader: Callable[[str], Any] | None = None,
    ) -> Any:
        """Read the body decoded as JSON with ``loads`` (aiohttp 3's name; ``loader`` is aiohttp 0.14's). Not stored: a
        second call raises.

        Any Content-Type is accepted by default, as in the aiohttp 0.14 API; pass ``content_type='application/json'`` to
        require it (otherwise ``HTTPUnsupportedMediaType``, 415). Invalid JSON raises :class:`InvalidJSONBody`, a
        ``json.JSONDecodeError``; left uncaught it is answered with 400.
        """
        if content_type is not None and self.content_type != content_type:
            from .exceptions import HTTPUnsupportedMediaType

            raise HTTPUnsupportedMediaType(text=f"Expected Content-Type {content_type}, got {self.content_type}")
        if self.__class__ is Request:
            # text() and read() inline (a subclass's own are called): the body taken at once when it has arrived
            # whole, decoded as text() decodes it; ``loads`` receives that str, as aiohttp's json() gives it.
            exchange = self._exchange
            stream = exchange.body
            data = stream.read_arrived() if stream.__class__ in _STREAMS else None
            if data is None:
                data = await _read_bounded(self, stream)
            elif (limit := self._client_max_size) and len(data) > limit:
                raise _too_large(limit, len(data))
            # Its headers without the property call, as in headers.
            fields: Any = exchange.fields if exchange.__class__ is Exchange else exchange.headers
            if fields.__class__ is list:
                fields = exchange.fields = CIMultiDict(fields)
            charset = parse_content_type(fields.get(_CONTENT_TYPE))[1].get("charset")
            # The default loads (None, or json.loads given as aiohttp spells its default) on a UTF-8 body: orjson
            # where it answers exactly as json.loads (web/jsonbody.py), twice as fast; the stdlib below otherwise.
            if (loads is _json_loads or (loads is None and loader is None and json.loads is _json_loads)) and (
                charset is None or charset.lower() in _UTF8_CHARSETS
            ):
                value = _parse_json(data, _UNPARSED)
                if value is not _UNPARSED:
                    return value
            body = data.decode(charset or "utf-8")
        else:
            body = await self.text()
        loader = loads or loader or json.loads
        try:
            return loader(body)
        except json.JSONDecodeError as exc:
            raise InvalidJSONBody(exc.msg, exc.doc, exc.pos) from exc
        except ValueError as exc:
            raise InvalidJSONBody(str(exc), body, 0) from exc

    async def post(self) -> MultiDictProxy[Any]:
        """Read form data (urlencoded or multipart) into a multidict; stored, so later calls return it again.

        For a method other than POST, PUT or PATCH, or another content type, the result is empty."""
        if self._post is None:
            # The Content-Type as parse_form reads it (request.headers), without building the headers' proxy.
            if self.__class__ is Request:
                exchange = self._exchange  # its headers without the property call, as in headers
                headers: Any = exchange.fields if exchange.__class__ is Exchange else exchange.headers
                if headers.__class__ is list:
                    headers = exchange.fields = CIMultiDict(headers)
                content_type = headers.get(_CONTENT_TYPE)
                stream = exchange.body
                if content_type == _URLENCODED and stream.__class__ in _STREAMS:
                    # The common form (that Content-Type exactly) whose body has arrived whole: read_form's answer
                    # without its coroutine, read()'s, and the Content-Type's parse.
                    form = _read_urlencoded_arrived(self, exchange.method, stream)
                    if form is not None:
                        self._post = form
                        return form
            else:
                content_type = self.headers.get("Content-Type")
            self._post = await _read_form(self, content_type)
        return self._post

    @property
    def POST(self) -> MultiDictProxy[Any]:
        """The form data read by ``post()``; RuntimeError if ``post()`` was not awaited before."""
        if self._post is None:
            raise RuntimeError("POST is not available before post()")
        return self._post

    async def multipart(self) -> Any:
        """A streaming reader of a multipart body, returning its parts one by one."""
        from .exceptions import HTTPRequestEntityTooLarge
        from .multipart import MultipartReader

        # As aiohttp: what a part's read() collects (text(), json()...) is bounded by client_max_size.
        return MultipartReader(
            self.headers,
            self.content,
            client_max_size=self._client_max_size or sys.maxsize,
            max_size_error_cls=HTTPRequestEntityTooLarge,
        )

    def clone(
        self,
        *,
        method: str | None = None,
        rel_url: str | URL | None = None,
        headers: Any = None,
        scheme: str | None = None,
        host: str | None = None,
        remote: str | None = None,
        client_max_size: Any = _UNSET,
        client_max_fields: int | None = None,
    ) -> Request:
        """A copy of the request with some of its parts replaced (aiohttp 3), e.g. for a middleware that rewrites
        the method or the URL before calling the handler. The copy shares the body stream, the match info and the
        application; responses may be prepared with it. ``client_max_size`` bounds what the copy's ``read()``,
        ``text()``, ``json()`` and ``post()`` collect, ``client_max_fields`` the fields its ``post()`` accepts (by
        default the request's). The copy's storage (``request[key]``) starts as a copy of the request's, as in
        aiohttp 3: what a handler stores in one is not seen in the other."""
        overrides: dict[str, Any] = {}
        if method is not None:
            overrides["method"] = method.upper()
        if rel_url is not None:
            url = URL(rel_url) if not isinstance(rel_url, URL) else rel_url
            if url.absolute:
                raise ValueError("rel_url should be a relative URL")
            overrides["target"] = url.raw_path_qs
        if headers is not None:
            overrides["headers"] = CIMultiDictProxy(CIMultiDict(headers))
        clone = Request(
            _ExchangeView(self._exchange, overrides),
            self._app,
            self._match_info,
            self._trusted,
            self._task,
            client_max_size=self._client_max_size if client_max_size is _UNSET else client_max_size,
        )
        if client_max_fields is None:
            client_max_fields = self._cache.get("client_max_fields")
        if client_max_fields is not None:
            clone._cache["client_max_fields"] = client_max_fields
        clone._post = self._post
        clone._state = dict(self._state) if self._state is not None else None
        clone._cleanups = self._cleanups
        if scheme is not None or host is not None or remote is not None:
            resolved = self._resolved
            clone._cache["forwarded"] = Forwarded(
                remote if remote is not None else resolved.remote or self.remote,
                scheme if scheme is not None else resolved.scheme,
                host if host is not None else resolved.host,
            )
        return clone

    async def release(self) -> None:
        """Read and discard what is left of the body. The server does this after every handler as needed."""
        await self._exchange.body.wait_eof()


class RequestWriter:
    """What ``Request.writer`` gives: interim (1xx) answers written before the response's head."""

    __slots__ = ("_exchange", "output_size")

    def __init__(self, exchange: Any) -> None:
        self._exchange = exchange
        #: The bytes written through this writer, which an expect_handler may reset as aiohttp's counter.
        self.output_size = 0

    async def write(self, data: bytes) -> None:
        """Write ``data``, an encoded interim response such as ``HTTP/1.1 100 Continue\\r\\n\\r\\n``."""
        self._exchange.write_interim(bytes(data))
        self.output_size += len(data)

    async def drain(self) -> None:
        """Wait until the connection's write buffer is below its low-water mark."""
        await self._exchange.drain()


class _ExchangeView:
    """An exchange seen through ``Request.clone()``'s replacements (method, target, headers); everything else,
    the writes of the response included, goes to the exchange itself."""

    __slots__ = ("_exchange", "_overrides")

    def __init__(self, exchange: Any, overrides: dict[str, Any]) -> None:
        self._exchange = exchange
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        overrides = self._overrides
        if name in overrides:
            return overrides[name]
        return getattr(self._exchange, name)


#: aiohttp 3 splits the request into ``BaseRequest`` (no application) and ``Request``; ours is one class.
BaseRequest = Request

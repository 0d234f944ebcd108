"""``RequestHandlerFactory``: the protocol factory that connects an Application to the server core.

Per request it builds a ``Request``, resolves the route, runs the middlewares and the handler, and turns what
comes back (a response, an ``HTTPException``, a crash) into exactly one answer. A crashing handler gets a 500
without a traceback in the body (the traceback goes to the log) and the worker keeps serving.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import logging
import sys
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from multidict import istr

from server.errors import HttpProtocolError
from server.exchange import Exchange
from server.protocol import HttpProtocol
from server.registry import ConnectionRegistry
from server.settings import ServerSettings

from .abc import AbstractAccessLogger, AbstractMatchInfo
from .accesslog import AccessLogger, is_gunicorn_format
from .app import CHAINS as _CHAINS
from .app import Application, LowLevelApplication, _FrozenList
from .exceptions import HTTPException
from .forwarded import Trusted, as_trusted, peer_address, resolve_forwarded
from .helpers import access_logger, aiohttp_access_logger, server_logger, web_logger
from .request import InvalidJSONBody, Request
from .response import Response, StreamResponse
from .router import MatchInfoError, UrlDispatcher, UrlMappingMatchInfo
from .routes import handler_place
from .streamresponse import _SEND

__all__ = ["RequestHandlerFactory"]

# StreamResponse.prepare() only starts: _send does that synchronously, and a subclass that keeps it needs no await.
_PREPARE = StreamResponse.prepare
_RESPONSE_SEND = Response._send
_new_request = object.__new__
_RETURNED_EXCEPTION = (
    "returning HTTPException object is deprecated (#2415) and will be removed, please raise the exception instead"
)

Handler = Callable[[Request], Awaitable[StreamResponse]]

# The request path web defines, which RequestHandlerFactory serves inline while neither is replaced (see _inline).
_OWN_HANDLE = Application._handle
_OWN_RESOLVE = UrlDispatcher.resolve
_SETTINGS = frozenset(field.name for field in dataclasses.fields(ServerSettings))

# ``asyncio.current_task(loop)`` as one C call: on Python 3.11 ``asyncio.current_task`` is a Python function around
# the same lookup (the loop's entry in the tasks' table); from 3.12 it is C itself. The loop is the connection's,
# the one its handler's task runs on: ``asyncio.get_running_loop()`` would cost, up to Python 3.11, a getpid()
# system call per request (its C code checks the loop belongs to this process), seen with ``strace -c``.
_task_of: Callable[[asyncio.AbstractEventLoop], asyncio.Task[Any] | None] = (
    asyncio.current_task if sys.version_info >= (3, 12) else asyncio.tasks._current_tasks.get  # type: ignore[attr-defined]
)


class RequestHandlerFactory:
    """Creates the HTTP protocol object of each connection: pass it to ``loop.create_server()``.

    Keyword arguments are server settings (see ``server.ServerSettings``: limits, timeouts, buffer marks), plus
    aiohttp 3's access log settings: ``access_log`` (a ``logging.Logger``, by default aiohttp's ``aiohttp.access``;
    None for no access log; True for ``prefork.access``), ``access_log_format`` (by default aiohttp's
    ``web.AccessLogger.LOG_FORMAT``) and ``access_log_class`` (by default ``web.AccessLogger``; any
    ``web.abc.AbstractAccessLogger`` subclass). A format in gunicorn's language (``%(h)s``..., what the ``prefork``
    command's ``--access-logformat`` takes; see ``web.accesslog``) with the default class is written by the server
    from the exchange (``server.accesslog``, its fast path). Otherwise ``access_log_class(access_log,
    access_log_format)`` is made once, its ``enabled`` read as each connection opens, and, where it was True, its
    ``log(request, response, time)`` called after each answer of that connection, in the handler's task.

    ``client_max_size`` here caps every request body at the server (413, streams too), as nginx's
    ``client_max_body_size``; by default there is none, and the application's ``client_max_size`` bounds what
    ``request.read()``, ``text()``, ``json()`` and ``post()`` collect, as in aiohttp.

    ``forwarded_allow_ips`` (gunicorn's setting) names the proxies whose ``Forwarded`` and ``X-Forwarded-*``
    headers are believed: ``"127.0.0.1,::1"``, a list of IPs and CIDR networks, ``"*"`` for every peer, ``""`` for
    none; unix socket peers are trusted too once it is given. ``Request.remote``, ``scheme``, ``host`` and the
    access log's ``%(h)s`` then name the client behind such a proxy (see ``web.forwarded``). None (the default)
    trusts nobody, unix peers included: the headers change nothing, as in aiohttp.
    """

    def __init__(
        self,
        app: Application,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        forwarded_allow_ips: Trusted | str | list[str] | tuple[str, ...] | None = None,
        access_log_class: type[AbstractAccessLogger] = AccessLogger,
        access_log: logging.Logger | bool | None = aiohttp_access_logger,
        access_log_format: str = AccessLogger.LOG_FORMAT,
        **kwargs: Any,
    ) -> None:
        self._app = app
        self._loop = loop
        self.trusted = as_trusted(forwarded_allow_ips)
        # aiohttp 3's names: handler_args (settings as a dict), logger, max_line_size, read_bufsize,
        # timeout_ceil_threshold.
        kwargs.update(kwargs.pop("handler_args", None) or {})
        access_log_class = kwargs.pop("access_log_class", access_log_class)
        access_log = kwargs.pop("access_log", access_log)
        access_log_format = kwargs.pop("access_log_format", access_log_format)
        logger = kwargs.pop("logger", None)
        # aiohttp rounds its per-connection timers' deadlines up past this many seconds; ours are swept by one
        # ticker per registry (server/registry.py), so there is nothing to round: taken, and unused.
        kwargs.pop("timeout_ceil_threshold", None)
        #: aiohttp's ``debug``: a 500's page carries the traceback (``web.Server``, aiohttp's RequestHandler).
        self.debug = bool(kwargs.pop("debug", False))
        if "max_line_size" in kwargs:
            kwargs["max_request_line"] = kwargs.pop("max_line_size")
        if "read_bufsize" in kwargs:
            # As aiohttp's StreamReader(limit=read_bufsize): reading resumes below it and pauses above twice it.
            bufsize = kwargs.pop("read_bufsize")
            kwargs.setdefault("read_low_water", bufsize)
            kwargs.setdefault("read_high_water", 2 * bufsize)
        # The application's client_max_size bounds what request.read(), text(), json() and post() collect, as in
        # aiohttp; the body stream (request.content, request.multipart()) is not bounded by it. A client_max_size
        # given here is the server's own cap on every body, nginx's client_max_body_size (server.ServerSettings).
        kwargs.setdefault("client_max_size", None)
        self._client_max_size = app.client_max_size
        unknown = sorted(set(kwargs) - _SETTINGS)
        if unknown:
            # aiohttp's failsafe (web_server.Server): a setting its RequestHandler does not take (in handler_args,
            # say) is logged, and the server runs with the defaults, keeping only access_log_class.
            web_logger.warning(
                "Failed to create request handler with custom kwargs %r, falling back to filtered kwargs. "
                "This may indicate a misconfiguration.",
                {**kwargs, "access_log": access_log, "access_log_format": access_log_format},
            )
            kwargs = {"client_max_size": None}
            access_log, access_log_format = aiohttp_access_logger, AccessLogger.LOG_FORMAT
        if access_log is True:
            access_log = access_logger
        #: The access logger of the general path (None: none, or the server writes the log).
        self.access_logger: AbstractAccessLogger | None = None
        if access_log:
            if access_log_class is AccessLogger and is_gunicorn_format(access_log_format):
                kwargs["access_log"] = access_log
                kwargs["access_log_format"] = access_log_format
            else:
                self.access_logger = access_log_class(access_log, access_log_format)  # type: ignore[arg-type]
        self.settings = ServerSettings.from_kwargs(**kwargs)
        self.connections = ConnectionRegistry(self.settings)
        if self.connections.access_logger is not None and self.trusted:
            # Nobody trusted (the default): %(h)s is the TCP peer, which the access log finds without a remote.
            self.connections.access_logger.remote = functools.partial(_client_address, self.trusted)
        # aiohttp's connections log on aiohttp.server, not on the application's logger (aiohttp.web).
        self.logger: logging.Logger = logger or server_logger
        #: Called with each exchange before the router; returns True when it answered the exchange itself (the
        #: supervisor's health path). None: every request goes to the app.
        self.preempt: Callable[[Exchange], bool] | None = None
        # Decided once, here: the factory is made once the application has started, where aiohttp's takes the
        # application's _handle for its server (a wrapper installed later is not seen there either).
        self._inline = _inline(app)

    @property
    def app(self) -> Application:
        return self._app

    @property
    def handler_cancellation(self) -> bool:
        """Whether a handler is cancelled when its client disconnects (aiohttp's ``web.Server`` attribute)."""
        return self.settings.handler_cancellation

    @property
    def requests_count(self) -> int:
        """Requests answered so far by every connection of this factory."""
        return self.connections.requests_count

    def __call__(self) -> HttpProtocol:
        # aiohttp reads the access logger's enabled once per connection: a connection opened while it is False
        # logs nothing, and costs nothing for it.
        logger = self.access_logger
        handle = self._handle if logger is None or not logger.enabled else self._handle_logged
        return HttpProtocol(handle, self.settings, self.connections, self._loop)

    async def shutdown(self, timeout: float = 30.0, grace: float = 1.0) -> None:
        """Close every connection gracefully (see ``server.ConnectionRegistry.shutdown``)."""
        await self.connections.shutdown(timeout=timeout, grace=grace)

    async def finish_connections(self, timeout: float | None = None) -> None:
        """The aiohttp 0.14-era name of :meth:`shutdown`."""
        await self.shutdown(timeout=30.0 if timeout is None else timeout)

    # -- one request -----------------------------------------------------------------------------------------

    async def _handle_logged(self, exchange: Exchange) -> None:
        """:meth:`_handle`, then the access logger's ``log(request, response, time)``, in the handler's task."""
        loop = exchange.loop
        start = loop.time()
        answered = await self._handle(exchange)
        if answered is None:
            return  # answered before any request was made (the supervisor's health path)
        request, response = answered
        try:
            done = self.access_logger.log(request, response, loop.time() - start)  # type: ignore[union-attr]
            if inspect.isawaitable(done):
                await done
        except Exception:
            self.logger.exception("Error in access logger for %s %s", exchange.method, exchange.target)

    async def _handle(self, exchange: Exchange) -> tuple[Request, StreamResponse] | None:
        """Answer ``exchange``; returns the request and the response sent, for the access log, or None when the
        exchange was answered before a request was made. An exception the answer could not be sent for is raised."""
        preempt = self.preempt
        if preempt is not None and preempt(exchange):
            return None
        app = self._app
        # Request(exchange, app, None, self.trusted, task): Request.__init__'s stores without its frame
        # (tests/web/test_fast_paths_handler.py compares the two).
        request = _new_request(Request)
        request._exchange = exchange
        request._task = _task_of(exchange.loop)
        request._app = app
        request._match_info = None
        request._trusted = self.trusted
        request._post = None
        request._state = None
        request._cache = {}
        request._cleanups = None
        request._client_max_size = self._client_max_size
        nested = apps = hooked = inner = None
        try:
            if not self._inline:
                # The application's _handle or the router's resolve is replaced (see _inline): the request goes
                # through them, as in aiohttp, and what they return is finished below as on the inline path.
                nested = _nesting(app._router)
                response = await app._handle(request)
                match_info = request._match_info
            else:
                router = app._router
                if router.__class__ is UrlDispatcher and not router.awaits:
                    nested = router.nested_routes
                    # The default router resolves without waiting: no coroutine to create and drive. An origin-form
                    # target is the request's raw_path.
                    target = exchange.target
                    if target[:1] == "/":
                        match_info = router.resolve_target(request, target, exchange.method)
                    else:
                        match_info = router.resolve_now(request)
                    exchange.route = match_info._route
                else:
                    nested = _nesting(router)
                    match_info = await _resolve(app, router, request)
                request._match_info = match_info
                if exchange.expect:
                    response = await _expected(match_info, request)
                    if response is not None:
                        raise _Answered(response)  # sent instead of the handler's
                if match_info.__class__ is UrlMappingMatchInfo:
                    # The router's own info: what its ``handler`` and ``apps`` properties return, read from the slots
                    # they read (``_route`` is set: a miss is a MatchInfoError, whose handler raises the 404/405).
                    handler = match_info._route._handler
                    apps = match_info._apps if nested else None
                    routed = True
                else:
                    handler = match_info.handler
                    apps = getattr(match_info, "apps", None) if nested else None  # (not every match info has them)
                    # Whether a route matched, read below (a miss's SystemRoute is not one: its handler, the bound
                    # method that raises, is made per miss, and the chain cache is keyed by it).
                    routed = False
                    matched = not isinstance(match_info, MatchInfoError) and match_info.route is not None
                    if match_info.__class__ is MatchInfoError and not match_info._apps:
                        # A miss of this application's own table: no route or sub-application names its application.
                        match_info._current_app = app
                if apps:
                    # Sub-applications: each one's middlewares, outermost first, with request.app set to it; before
                    # and after them request.app is the innermost application, the one whose route matched.
                    request._app = apps[-1]
                    if routed or matched:
                        chain, hooked, inner = _CHAINS.get((handler, apps, True)) or _build_chain(handler, apps, True)
                    else:
                        chain = None
                    handler = chain if chain is not None else await _apply_nested(apps, handler)
                elif app._middlewares:
                    if routed or matched:
                        chain, _, inner = _CHAINS.get((handler, (app,), False)) or _build_chain(handler, (app,), False)
                    else:
                        chain = None
                    handler = chain if chain is not None else await _apply_middlewares(app, handler)
                if inner is None:
                    response = await handler(request)
                else:
                    # The cached chain's outermost partial, partial(middleware, handler=inner), called without it: the
                    # call it makes, without its copy of the keywords into a dict (1.4k instructions). Only the chain
                    # cache holds that partial, so nothing can change its keywords.
                    response = await handler(request, handler=inner)
            if not isinstance(response, StreamResponse):
                raise TypeError(_not_a_response(match_info, response))
            if isinstance(response, HTTPException):
                # aiohttp 3 deprecates a returned HTTPException with this warning; it is sent all the same, as the
                # aiohttp 0.14 API defines it.
                warnings.warn(_RETURNED_EXCEPTION, DeprecationWarning, stacklevel=1)
            if response.__class__.prepare is not _PREPARE and response._exchange is None:
                # A class with its own prepare() (FileResponse) answers there, awaiting as it goes; it runs here,
                # after the middlewares, and _send below finishes what it started. aiohttp 3 prepares every
                # returned response the same way.
                await response.prepare(request)
        except _Answered as answered:
            response = answered.response
        except HTTPException as exc:
            response = exc
        except HttpProtocolError as exc:
            # A body error found by the handler's read (413 past the server's client_max_size cap, a broken chunk...).
            response = Response(status=exc.status, text=f"{exc.status}: {exc.message}")
            response.force_close()
        except InvalidJSONBody as exc:
            response = Response(status=400, text=f"400: Invalid JSON body: {exc.msg}")
        except (ConnectionResetError, asyncio.CancelledError):
            if self.debug:
                self.logger.debug("Ignored premature client disconnection")  # aiohttp's debug line
            if request._cleanups:
                _cleanup(request)
            raise
        except TimeoutError as exc:
            if exchange.head_sent:
                if request._cleanups:
                    _cleanup(request)
                raise
            # aiohttp 3's answer to a handler that timed out (a timeout middleware's asyncio.timeout, say): the
            # gateway did not finish in time, which is not a server bug, so it is logged at debug level only.
            self.logger.debug("Request handler timed out.", exc_info=exc)  # aiohttp's message and arguments
            response = Response(status=504, text="504 Gateway Timeout")
        except Exception as exc:
            # aiohttp's message and arguments (RequestHandler.handle_error), which tests of aiohttp apps check.
            self.logger.exception("Error handling request from %s", request.remote, exc_info=exc)
            if exchange.head_sent:
                if request._cleanups:
                    _cleanup(request)
                raise
            response = _server_error(request, self.debug)
        # With no sub-application on the route's path (apps empty), the only callbacks _prepare_hooked could find
        # are app's own; apps is None when the request was answered before the route's apps were read. hooked: what
        # _prepare_hooked answers for the route's apps, kept with their chain. (``sent``: read once, as a class
        # default read through the instance costs more than a local, see StreamResponse.)
        sent = response._exchange
        if sent is None and (
            app.on_response_prepare
            or (nested and (apps or apps is None) and (hooked if hooked is not None else _prepare_hooked(request)))
        ):
            try:
                await request._prepare_hook(response)
            except Exception:
                self.logger.exception("Error in on_response_prepare for %s %s", exchange.method, exchange.target)
                response = Response(status=500, text="500 Internal Server Error")
            sent = response._exchange
        if sent is None and response._source is not None:
            # A body streamed from a file, an iterator or a payload (web.bodies): written here, awaited.
            try:
                response.start(request)
                await response.write_eof()
            finally:
                if request._cleanups:
                    _cleanup(request)
            return request, response
        try:
            if not exchange.head_sent or sent is exchange or getattr(sent, "_exchange", None) is exchange:
                # (A response prepared with request.clone() holds the clone's view of this exchange.)
                if sent is not None and not response._eof_sent and _own_write_eof(response):
                    # Finished through the subclass's write_eof, as aiohttp finishes every response
                    # (aiohttp-sse's EventSourceResponse restores a socket option there).
                    await response.write_eof()
                elif sent is None and response.__class__._send is _RESPONSE_SEND:
                    response._start(request, defer=_SEND)  # Response._send without its frame
                else:
                    response._send(request)
        finally:
            if request._cleanups:
                _cleanup(request)
        return request, response


def _inline(app: Application) -> bool:
    """May the factory serve ``app``'s requests inline? Only while the application's class keeps web's ``_handle``
    and ``UrlDispatcher`` keeps web's ``resolve``. aiohttp serves every request through ``app._handle(request)``,
    which awaits ``app.router.resolve(request)``, and a library that wraps either method of the class (Sentry's
    aiohttp integration wraps both) must see every request go through its wrapper: the factory then calls
    ``app._handle`` (:func:`handle`), whose answers are the inline path's."""
    if type(app) is LowLevelApplication:
        return True  # aiohttp's low-level server calls its handler without either
    # (An application of another kind, without _handle, is served inline as it always was.)
    return getattr(type(app), "_handle", _OWN_HANDLE) is _OWN_HANDLE and UrlDispatcher.resolve is _OWN_RESOLVE


async def handle(app: Application, request: Request) -> StreamResponse:
    """``Application._handle``: resolve ``request`` with ``app.router.resolve()``, answer ``Expect: 100-continue``
    with the route's expect handler (its response returned, when it gives one), run the middlewares and the
    handler, and return the response; what they raise propagates (an ``HTTPException`` included, the 404/405 of a
    miss too), as aiohttp's ``Application._handle``. The request handler's inline path does the same without the
    awaited ``resolve()`` (tests/web/test_fast_paths_handler.py holds the two to the same answers)."""
    router = app._router
    match_info = request._match_info = await _resolve(app, router, request)
    if request._exchange.expect:
        response = await _expected(match_info, request)
        if response is not None:
            return response
    handler = match_info.handler
    apps = getattr(match_info, "apps", None) if _nesting(router) else None
    if match_info.__class__ is MatchInfoError and not match_info._apps:
        match_info._current_app = app  # a miss of this application's own table (see RequestHandlerFactory)
    key = (handler, apps, True) if apps else (handler, (app,), False)
    if apps or app._middlewares:
        if apps:
            request._app = apps[-1]
        # The chain cached for the route (a miss's handler is new each time, as aiohttp builds it per request).
        chain, inner = None, None
        if not isinstance(match_info, MatchInfoError) and match_info.route is not None:  # a miss: SystemRoute
            chain, _, inner = _CHAINS.get(key) or _build_chain(*key)
        if inner is not None:
            return await chain(request, handler=inner)  # see _build_chain
        if chain is None:
            chain = await (_apply_nested(apps, handler) if apps else _apply_middlewares(app, handler))
        handler = chain
    return await handler(request)


def _nesting(router: Any) -> Any:
    """Whether ``router``'s match info may record sub-applications (its ``apps``, read then): our router's
    ``nested_routes``, its sub-application routes (empty: none); True for a router of another kind, which may
    answer with a sub-application's match info (``add_subapp`` gives it the resource, ``register_resource``)."""
    return getattr(router, "nested_routes", True)


async def _resolve(app: Application, router: Any, request: Request) -> Any:
    """The awaited lookup of the request handler's general path and of ``Application._handle``: the match info of
    ``router.resolve(request)``; the exchange's route is the matched route (a miss's SystemRoute is made per
    request, and metrics key their label cache by the route: a miss leaves None, as the synchronous lookup does);
    aiohttp 3's match info of a router or resource of the application's own records the application and is frozen
    before the handler runs (its current_app, apps)."""
    match_info = await router.resolve(request)
    request._exchange.route = (
        match_info._route if isinstance(match_info, UrlMappingMatchInfo) else getattr(match_info, "route", None)
    )
    if isinstance(match_info, UrlMappingMatchInfo):
        # Ours is frozen by our router, which records the applications itself; one a router of another kind made
        # (UrlMappingMatchInfo(parts, route)) or a sub-application's resource answered to it is not yet.
        if not match_info.frozen:
            match_info.add_app(app)
            match_info.freeze()
    elif getattr(type(match_info), "add_app", AbstractMatchInfo.add_app) is not AbstractMatchInfo.add_app:
        # A match info without add_app of its own is one written against the aiohttp 0.14 API, which may answer
        # every request with the same instance (web's RawTestServer router does): freezing it would refuse the
        # next request's add_app. It records nothing, and the request is served with this application.
        match_info.add_app(app)
        match_info.freeze()
    return match_info


async def _expected(match_info: Any, request: Request) -> StreamResponse | None:
    """aiohttp 3: the route's expect_handler answers ``Expect: 100-continue`` before the middlewares; a response it
    returns is the answer."""
    expect_handler = getattr(match_info, "expect_handler", None)
    return None if expect_handler is None else await expect_handler(request)


class _Answered(Exception):
    """An expect_handler answered the request: its response is sent, the handler is not called."""

    def __init__(self, response: StreamResponse) -> None:
        super().__init__()
        self.response = response


def _own_write_eof(response: StreamResponse) -> bool:
    """True when the response's class, from outside ``web``, overrides ``write_eof``."""
    return type(response).write_eof.__module__.partition(".")[0] != __package__


def _prepare_hooked(request: Request) -> bool:
    """Would ``request._prepare_hook`` call anything? It runs the ``on_response_prepare`` callbacks of the
    applications it finds the same way; most apps have none, and then no coroutine is made to find that out."""
    match_info = request._match_info
    if match_info is None:
        apps = ()
    elif match_info.__class__ is UrlMappingMatchInfo:
        apps = match_info._apps  # what its apps property returns
    else:
        apps = getattr(match_info, "apps", ())
    if not apps:
        apps = (request._app,) if request._app is not None else ()
    for app in apps:  # noqa: SIM110 - any() over a generator costs a generator object per request
        if getattr(app, "on_response_prepare", ()):
            return True
    return False


def _cleanup(request: Request) -> None:
    callbacks, request._cleanups = request._cleanups or [], None
    for callback in callbacks:
        try:
            callback()
        except Exception:
            web_logger.exception("error in request cleanup")


_CHAINS_SIZE = 1024


def _build_chain(
    handler: Handler, apps: tuple[Application, ...], nested: bool
) -> tuple[Callable[..., Awaitable[StreamResponse]] | None, bool | None, Handler | None]:
    """The chain :func:`_apply_nested` (``nested``) or :func:`_apply_middlewares` builds, whether the applications
    have ``on_response_prepare`` callbacks (what :func:`_prepare_hooked` answers for them; None when one holds a
    list of its own, which could change unseen), and the chain's ``handler`` keyword, stored in ``_CHAINS``. When the
    chain is a middleware's ``partial(middleware, handler=inner)``, the entry holds the middleware and ``inner``
    instead (the caller calls ``middleware(request, handler=inner)``, what the partial calls); otherwise the chain
    and None. The chain is None when a middleware is an aiohttp 0.14-era factory, which is called per request as
    it always was."""
    hooked: bool | None = False
    for app in apps:
        hooks = app.on_response_prepare
        if hooks.__class__ is not _FrozenList:
            hooked = None
            break
        if hooks:
            hooked = True
    chain: Any = handler
    inner: Handler | None = None
    if any(getattr(middleware, "__middleware_version__", None) != 1 for app in apps for middleware in app._middlewares):
        chain = None
    else:
        innermost = apps[-1]
        # request.app is the innermost application before the chain runs and after it. An application's wrapper that
        # sets request.app to itself is needed only where a middleware could see another value: around the
        # applications that have middlewares, and then around the innermost one too, so that what runs inside it sees
        # it again after an outer application's middlewares. With middlewares only in the innermost application (a
        # sub-application under a root without any), no wrapper is needed at all.
        wrapped = nested and any(app._middlewares for app in apps[:-1])
        for app in reversed(apps):
            for middleware in reversed(app._middlewares):
                chain, inner = functools.update_wrapper(functools.partial(middleware, handler=chain), chain), chain
            if wrapped and (app._middlewares or app is innermost):
                chain = functools.update_wrapper(functools.partial(_as_current_app, app, chain), chain)
                inner = None
        if inner is not None:
            chain = chain.func
    if len(_CHAINS) >= _CHAINS_SIZE:
        _CHAINS.clear()
    _CHAINS[(handler, apps, nested)] = entry = (chain, hooked, inner)
    return entry


async def _apply_middlewares(app: Application, handler: Handler) -> Handler:
    for middleware in reversed(app._middlewares):
        if getattr(middleware, "__middleware_version__", None) == 1:
            handler = functools.update_wrapper(functools.partial(middleware, handler=handler), handler)
        else:
            # aiohttp 0.14-era middleware factory: ``async def factory(app, handler) -> handler``.
            handler = await middleware(app, handler)
    return handler


async def _apply_nested(apps: tuple[Application, ...], handler: Handler) -> Handler:
    # As _build_chain: request.app is set for each application's middlewares and, innermost, for the handler; an
    # outer application without middlewares has nothing to run with it (and a router's match info may record the
    # same application again and again: one wrapper each would nest without bound).
    innermost = True
    for app in reversed(apps):
        if app._middlewares:
            handler = await _apply_middlewares(app, handler)
        if app._middlewares or innermost:
            handler = functools.update_wrapper(functools.partial(_as_current_app, app, handler), handler)
        innermost = False
    return handler


async def _as_current_app(app: Application, handler: Handler, request: Request) -> StreamResponse:
    """Run ``handler`` (the next middleware, or the route's handler) with ``request.app`` and the match info's
    ``current_app`` set to ``app``, as aiohttp's ``_fix_request_current_app`` sets ``current_app`` around each
    application's middlewares (its ``request.app`` reads it)."""
    previous = request._app
    request._app = app
    info = request._match_info
    # Ours, or aiohttp's own class (a resource's match info); not every AbstractMatchInfo has one.
    settable = isinstance(info, UrlMappingMatchInfo) or hasattr(type(info), "current_app")
    if settable:
        current = info.current_app
        info.current_app = app
    try:
        return await handler(request)
    finally:
        request._app = previous
        if settable:
            info.current_app = current


_X_FORWARDED_FOR = istr("X-Forwarded-For")
_FORWARDED = istr("Forwarded")


def _client_address(trusted: Trusted, exchange: Exchange) -> str | None:
    """The access log's ``%(h)s``: the client a trusted proxy names, as ``Request.remote`` gives it."""
    peer = peer_address(exchange.peername)
    if peer not in trusted:
        return peer  # what resolve_forwarded answers for a peer it does not trust, without the headers it ignores
    headers = exchange.headers
    if _X_FORWARDED_FOR not in headers and _FORWARDED not in headers:
        # Only these two name another client (X-Forwarded-Proto and -Host say how it asked): resolve_forwarded's
        # answer is the peer, as for a proxy that forwarded nothing (gunicorn's default trusts 127.0.0.1, where
        # most requests come straight from a local client or a proxy that names none), without its tuple.
        return peer
    return resolve_forwarded(peer, headers, trusted).remote


def _server_error(request: Request, debug: bool) -> Response:
    """aiohttp's 500 page (RequestHandler.handle_error): plain text, or HTML for a client that accepts it; the
    traceback of the error being handled only with ``debug``."""
    import traceback
    from html import escape

    title = "500 Internal Server Error"
    tb = traceback.format_exc() if debug else None
    if "text/html" in request.headers.get("Accept", ""):
        msg = f"<h2>Traceback:</h2>\n<pre>{escape(tb)}</pre>" if tb else "Server got itself in trouble"
        page = f"<html><head><title>{title}</title></head><body>\n<h1>{title}</h1>\n{msg}\n</body></html>\n"
        return Response(status=500, text=page, content_type="text/html")
    return Response(status=500, text=f"{title}\n\n{tb or 'Server got itself in trouble'}")


def _not_a_response(match_info: Any, response: Any) -> str:
    # handler_place unwraps: the router wraps a plain function into a coroutine function (functools.wraps), and the
    # user's own function, not the wrapper in web/routes.py, is where to look.
    handler = getattr(match_info, "handler", None)
    return (
        f"handler {handler_place(handler)} returned {type(response).__name__}, not a web.StreamResponse: "
        "return a web.Response (e.g. web.Response(text=...) or web.json_response(...))"
    )

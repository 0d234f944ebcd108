"""aiohttp 0.14's ``Application``: a dict-like registry holding the router, middlewares and life-cycle callbacks.

aiohttp 3's additions live here too: ``cleanup_ctx``, ``on_response_prepare``, sub-applications
(``add_subapp``, ``add_domain``) and ``add_routes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from .helpers import web_logger

if TYPE_CHECKING:
    from .handler import RequestHandlerFactory

__all__ = ["Application", "CleanupContext", "CleanupError"]

AppCallback = Callable[["Application"], Awaitable[None]]

# Middleware chains built from applications' lists, by (route handler, applications, nested), for web.handler: the
# chain of partials is the same for every request to a route, so it is built once, as aiohttp 3 does (its
# _cached_build_middleware), with whether the applications have ``on_response_prepare`` callbacks. Emptied whenever
# one of those lists changes (see _FrozenList), so an entry needs no check per request.
CHAINS: dict[tuple[Any, tuple[Any, ...], bool], tuple[Any, bool | None, Any]] = {}


class _FrozenList(list):  # type: ignore[type-arg]
    """A list that refuses changes once frozen, as aiohttp 3's ``FrozenList`` does (``app.middlewares`` and the
    signals, frozen when the application is): ``RuntimeError("Cannot modify frozen list.")``. A change before that
    empties the chains cached from it (``CHAINS``). A list still, so reading and iterating cost what they did."""

    __slots__ = ("_frozen",)

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._frozen = False

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        self._frozen = True

    def _changing(self) -> None:
        if self._frozen:
            raise RuntimeError("Cannot modify frozen list.")
        CHAINS.clear()


def _refusing(name: str) -> Callable[..., Any]:
    change = getattr(list, name)

    def method(self: _FrozenList, *args: Any, **kwargs: Any) -> Any:
        self._changing()
        return change(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    return method


for _name in (
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "reverse",
    "sort",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
):
    setattr(_FrozenList, _name, _refusing(_name))


def _freeze(*lists: list[Any]) -> None:
    """Freeze each of ``lists`` that can be (a plain list the application's user put in a signal's place stays one)."""
    for signals in lists:
        freeze = getattr(signals, "freeze", None)
        if freeze is not None:
            freeze()


class CleanupError(RuntimeError):
    """Several ``cleanup_ctx`` exits failed; ``exceptions`` lists their errors."""

    @property
    def exceptions(self) -> list[BaseException]:
        return list(self.args[1])


class CleanupContext(_FrozenList):
    """``app.cleanup_ctx``: async generators (or async context manager factories) taking the application; the
    code before ``yield`` runs at startup, the code after it at cleanup, in reverse order."""

    __slots__ = ("_exits",)

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[contextlib.AbstractAsyncContextManager[Any]] = []

    async def _on_startup(self, app: Application) -> None:
        for callback in self:
            ctx = callback(app)
            if not isinstance(ctx, contextlib.AbstractAsyncContextManager):
                ctx = contextlib.asynccontextmanager(_as_generator(callback))(app)
            await ctx.__aenter__()
            self._exits.append(ctx)

    async def _on_cleanup(self, app: Application) -> None:
        errors: list[BaseException] = []
        for ctx in reversed(self._exits):
            try:
                await ctx.__aexit__(None, None, None)
            except (Exception, asyncio.CancelledError) as exc:
                # A context cancelled in its cleanup (CancelledError is a BaseException) must not skip the
                # cleanup of those entered before it; aiohttp collects it too.
                errors.append(exc)
        self._exits.clear()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("Multiple errors on cleanup stage", errors)


def _as_generator(callback: Callable[[Application], AsyncIterator[None]]) -> Callable[..., AsyncIterator[None]]:
    return callback


class Application(dict):  # type: ignore[type-arg]
    """A web application: a router, middlewares and the callbacks run when it starts and finishes.

    It is a dict, a registry for arbitrary values that handlers reach through ``request.app``. Connect it to a
    server with ``loop.create_server(app.make_handler(), host, port)``, or run it under the ``prefork`` command.
    """

    # The attributes every request reads, as slots: an instance attribute of a dict subclass is a lookup in its
    # __dict__ that CPython 3.11 does not specialize (about 350 instructions a read, a slot about 80); the others
    # stay in __dict__.
    __slots__ = ("__dict__", "__weakref__", "_middlewares", "_router", "on_response_prepare")

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        router: Any = None,
        logger: logging.Logger = web_logger,
        middlewares: Iterable[Any] = (),
        client_max_size: int | None = 1024**2,
        handler_args: dict[str, Any] | None = None,
        debug: Any = ...,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if debug is not ...:
            # aiohttp 3's keyword, deprecated with this warning: it sets ``app.debug``, not an item of the mapping.
            warnings.warn("debug argument is deprecated", DeprecationWarning, stacklevel=2)
        self._debug = debug
        self._handler_args = dict(handler_args or {})
        if router is None:
            from .router import UrlDispatcher

            router = UrlDispatcher()
        else:
            # aiohttp 3 deprecates a router of the application's own with this warning; it keeps working, as the
            # aiohttp 0.14 API defines it.
            warnings.warn("router argument is deprecated", DeprecationWarning, stacklevel=2)
        self._router = router
        self._loop = loop
        self.logger = logger
        self._middlewares = _FrozenList(middlewares)
        self._client_max_size = client_max_size
        self._finish_callbacks: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.on_startup: list[AppCallback] = _FrozenList()
        self.on_shutdown: list[AppCallback] = _FrozenList()
        self.on_cleanup: list[AppCallback] = _FrozenList()
        self.on_response_prepare: list[Callable[[Any, Any], Awaitable[None]]] = _FrozenList()
        self.cleanup_ctx = CleanupContext()
        self._subapps: list[Application] = []
        self._frozen = False
        self._pre_frozen = False
        # Set by freeze(), once the startup callbacks ran (they may still fill the registry): a change after it warns.
        self._started = False
        self._middlewares_checked = False
        # aiohttp added post_init for a router to learn its application (#1373), and its AbstractRouter still says a
        # router may override it for that; aiohttp 3.14's Application no longer calls it, which would leave such a
        # router (ours included: its routes' URLs and current_app need the application) never told.
        post_init = getattr(router, "post_init", None)
        if post_init is not None:
            post_init(self)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ != __name__:
            # aiohttp 3 discourages subclassing with this warning (a subclass still works); not for ours here.
            warnings.warn(
                f"Inheritance class {cls.__name__} from web.Application is discouraged",
                DeprecationWarning,
                stacklevel=3,
            )

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        # dict's own __ne__ would compare the items: two empty applications would be "not unequal".
        return self is not other

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def __bool__(self) -> bool:
        return True

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._started:
            # aiohttp 3's warning: the registry is for what the application is given before it serves.
            warnings.warn("Changing state of started or joined application is deprecated", DeprecationWarning, 2)
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        if self._started:
            warnings.warn("Changing state of started or joined application is deprecated", DeprecationWarning, 2)
        super().__delitem__(key)

    def __call__(self) -> Application:
        """The application itself: lets ``prefork module:create_app`` style factories and gunicorn's
        ``aiohttp.GunicornWebWorker`` convention accept an application object too."""
        return self

    @property
    def frozen(self) -> bool:
        """True once the application serves requests (or was added as a sub-application and its parent does)."""
        return self._frozen

    @property
    def pre_frozen(self) -> bool:
        """True once the middlewares and signals are frozen (see :meth:`pre_freeze`)."""
        return self._pre_frozen

    def pre_freeze(self) -> None:
        """Freeze the router, ``middlewares``, ``on_response_prepare``, ``cleanup_ctx``, ``on_startup``,
        ``on_shutdown`` and ``on_cleanup`` (adding a route or changing one of them raises ``RuntimeError``), here and
        in the sub-applications, as aiohttp 3 does when the application is added as a sub-application or starts."""
        if self._pre_frozen:
            return
        self._pre_frozen = True
        _freeze(
            self._router,
            self._middlewares,
            self.on_response_prepare,
            self.cleanup_ctx,
            self.on_startup,
            self.on_shutdown,
            self.on_cleanup,
        )
        for subapp in self._subapps:
            subapp.pre_freeze()

    def freeze(self) -> None:
        """Refuse further sub-applications, routes and changes to the middlewares and signals (:meth:`pre_freeze`),
        here and in the sub-applications; called when the application starts."""
        self.pre_freeze()
        self._frozen = True
        self._started = True
        self._check_middlewares()
        for subapp in self._subapps:
            subapp.freeze()

    def _check_middlewares(self) -> None:
        """Warn, once, about each middleware factory (aiohttp 3 deprecates them, with this message, when the
        application freezes); they keep working, as the aiohttp 0.14 API defines them."""
        if self._middlewares_checked:
            return
        self._middlewares_checked = True
        for middleware in reversed(self._middlewares):
            if getattr(middleware, "__middleware_version__", None) != 1:
                warnings.warn(
                    f'old-style middleware "{middleware!r}" deprecated, see #2252', DeprecationWarning, stacklevel=3
                )
        for subapp in self._subapps:
            subapp._check_middlewares()

    async def _handle(self, request: Any) -> Any:
        """aiohttp 3's request path below the server: resolve the route with ``self.router.resolve(request)`` (the
        match info becomes ``request.match_info``), answer ``Expect: 100-continue`` with the route's expect handler,
        run the middlewares (the sub-applications' too) and the handler, and return the response; an
        ``HTTPException`` raised there, the 404/405 of a miss included, propagates. The server serves every request
        through it once it or ``UrlDispatcher.resolve`` is replaced (a library wrapping them, as Sentry's aiohttp
        integration does); until then it gives the same answers without the calls (``web.handler``)."""
        from .handler import handle

        return await handle(self, request)

    def add_routes(self, routes: Iterable[Any]) -> list[Any]:
        """``app.router.add_routes(routes)``: register ``web.get(...)``-style definitions or a RouteTableDef."""
        return self._router.add_routes(routes)

    # -- sub-applications -------------------------------------------------------------------------------------

    def add_subapp(self, prefix: str, subapp: Application) -> Any:
        """Serve ``subapp`` under the path ``prefix``: its routes answer ``prefix + path``, its middlewares run
        after this application's, its signals run with this application's, and its handlers see it as
        ``request.app`` (``request.config_dict`` looks values up in it, then here). Returns the route the
        sub-application is reached through."""
        if not isinstance(prefix, str):
            raise TypeError("Prefix must be str")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("Prefix cannot be empty")
        from .subapp import PrefixedSubAppResource

        return self._add_subapp(PrefixedSubAppResource(prefix, subapp), subapp)

    def add_domain(self, domain: str, subapp: Application) -> Any:
        """Serve ``subapp`` for requests whose Host is ``domain`` (``*.example.com`` masks are allowed)."""
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        from .subapp import MatchedSubAppResource

        return self._add_subapp(MatchedSubAppResource(domain, subapp), subapp)

    def _add_subapp(self, route: Any, subapp: Application) -> Any:
        if self._frozen:
            raise RuntimeError("Cannot add sub application to frozen application")
        if subapp._frozen:
            raise RuntimeError("Cannot add frozen application")
        from .router import UrlDispatcher

        if isinstance(self._router, UrlDispatcher):
            self._router.register_route(route)
        else:
            # A router of another kind gets the sub-application's resource through aiohttp 3's hook, as aiohttp's
            # add_subapp gives it; its resolve() then asks the resource (see web.subapp).
            self._router.register_resource(route)
            route._registered_elsewhere()
        for name in ("on_startup", "on_shutdown", "on_cleanup"):
            getattr(self, name).append(_forward(subapp, name))
        self._subapps.append(subapp)
        # Its router, middlewares and signals are complete now, as in aiohttp 3: it is pre-frozen (routes added to
        # it from here on raise RuntimeError), and frozen when this application is.
        subapp.pre_freeze()
        if self._loop is not None and subapp._loop is None:
            subapp._loop = self._loop
        return route

    @property
    def router(self) -> Any:
        """The router (a ``UrlDispatcher`` unless another was given); read-only."""
        return self._router

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop given to the constructor, else the running loop; None outside one. Deprecated with aiohttp 3's
        warning (``asyncio.get_running_loop()`` is the way)."""
        warnings.warn("loop property is deprecated", DeprecationWarning, stacklevel=2)
        return self._running_loop()  # type: ignore[return-value]

    def _running_loop(self) -> asyncio.AbstractEventLoop | None:
        if self._loop is not None:
            return self._loop
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return None

    @property
    def debug(self) -> bool:
        """aiohttp 3's, deprecated with this warning: the ``debug=`` given, else the debug mode of the application's
        loop (the one given, else the running one); False outside a loop."""
        warnings.warn("debug property is deprecated", DeprecationWarning, stacklevel=2)
        if self._debug is not ...:
            return self._debug
        if self._loop is not None:
            return self._loop.get_debug()
        try:
            return asyncio.get_running_loop().get_debug()
        except RuntimeError:
            return False

    @property
    def middlewares(self) -> list[Any]:
        return self._middlewares

    @property
    def client_max_size(self) -> int | None:
        """The largest request body accepted (None: no limit)."""
        return self._client_max_size

    def make_handler(self, **kwargs: Any) -> RequestHandlerFactory:
        """Create the protocol factory for ``loop.create_server()``; ``kwargs`` go to ``RequestHandlerFactory``, after
        the ``handler_args`` given to the constructor (aiohttp 3's way to pass server settings with the app)."""
        from .handler import RequestHandlerFactory

        self._check_middlewares()
        return RequestHandlerFactory(self, **{**self._handler_args, **kwargs})

    # -- life cycle ------------------------------------------------------------------------------------------

    def register_on_finish(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Register ``func(*args, **kwargs)`` to run at ``finish()``; the same function may be registered twice."""
        self._finish_callbacks.append((func, args, kwargs))

    async def finish(self) -> None:
        """Run the callbacks registered with ``register_on_finish`` in LIFO order, once each.

        A callback's error does not stop the others: it goes to ``loop.call_exception_handler`` with the keys
        ``message``, ``exception`` and ``application``.
        """
        callbacks, self._finish_callbacks = self._finish_callbacks, []
        loop = self._running_loop() or asyncio.get_running_loop()
        for func, args, kwargs in reversed(callbacks):
            try:
                result = func(*args, **kwargs)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                loop.call_exception_handler(
                    {"message": "Error in finish callback", "exception": exc, "application": self}
                )

    async def startup(self) -> None:
        """Enter the ``cleanup_ctx`` generators, then run ``on_startup`` callbacks in order; an error propagates
        (the worker must not start serving). Then the application is frozen (:meth:`freeze`): as in aiohttp 3, a
        startup callback may still add middlewares and the other signals' callbacks, not startup callbacks."""
        await self._start_up()
        self.freeze()

    async def _start_up(self) -> None:
        """:meth:`startup` but the freeze: what the parent's ``on_startup`` runs for a sub-application, which its
        parent's :meth:`freeze` freezes afterwards, as aiohttp sends a sub-application's ``on_startup`` signal
        (code that calls a parent's startup callbacks by hand has not started the sub-application)."""
        self._frozen = True  # no sub-application added from here on
        _freeze(self.on_startup, self.cleanup_ctx)
        await self.cleanup_ctx._on_startup(self)
        for callback in self.on_startup:
            await callback(self)

    async def shutdown(self) -> None:
        """Run ``on_shutdown`` callbacks in order, reporting errors through the loop's exception handler."""
        await self._run_all(self.on_shutdown, "on_shutdown")

    async def cleanup(self) -> None:
        """Finish the ``cleanup_ctx`` generators (in reverse order; their errors propagate, several as a
        ``CleanupError``, after the rest ran), then run ``on_cleanup`` callbacks in the order they were added, as
        aiohttp does, reporting their errors through the loop's exception handler."""
        try:
            await self.cleanup_ctx._on_cleanup(self)
        finally:
            await self._run_all(self.on_cleanup, "on_cleanup")

    async def _run_all(self, callbacks: list[AppCallback], what: str) -> None:
        loop = self._running_loop() or asyncio.get_running_loop()
        for callback in callbacks:
            try:
                await callback(self)
            except Exception as exc:
                loop.call_exception_handler(
                    {"message": f"Error in {what} callback", "exception": exc, "application": self}
                )


class LowLevelApplication(Application):
    """The application a low-level server serves its one handler with (``web.Server``, ``RawTestServer``). aiohttp's
    low-level server has no application: its requests go to the handler without ``Application._handle`` and
    ``UrlDispatcher.resolve``, so a library wrapping those (Sentry's aiohttp integration) sees none of them, here
    too (``web.handler``)."""


def _forward(subapp: Application, signal: str) -> AppCallback:
    """A callback of the parent's ``signal`` list that runs the sub-application's own (startup, shutdown, cleanup)."""
    run = subapp._start_up if signal == "on_startup" else getattr(subapp, signal.removeprefix("on_"))

    async def forward(app: Application) -> None:
        await run()

    return forward

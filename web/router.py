"""The default router, :class:`UrlDispatcher`: a FIFO route table with indexes that keep lookups fast.

Rules, in the aiohttp 0.14 API's words where it has them:

- Handler lookup is performed by iterating on added routes in FIFO order; the first route matching both the path
  and the method is used. Method ``'*'`` matches any method.
- ``resolve()`` never raises. A path no route matches gives match info whose handler raises ``HTTPNotFound``; a
  path some route matches, but never with the request's method, gives ``HTTPMethodNotAllowed`` with ``Allow``.
- On a miss, one trailing slash is ignored (``/a/b/`` is served by ``/a/b``), so that the URLs the aiohttp 0.14 API's
  ``url()`` examples build (``'/a/b/c/?d=1&e=2'`` for ``/a/b/c``) lead back to their route.
- Sub-applications (aiohttp 3, not in the aiohttp 0.14 API) are placed among the routes as aiohttp 3 places them:
  a domain's first; a prefixed one that claims the path answers it unless a route aiohttp asks first matches
  (see :meth:`UrlDispatcher.match_request`).

How the FIFO order survives the indexes: every route carries its position in the table. Plain routes sit in a
dict keyed by path. Dynamic and static routes sit in a trie keyed by their leading literal segments (``/api/v1/
{id}`` under ``api`` → ``v1``); each trie node holds, in table order, the routes of that node and of its
ancestors, which is every pattern route that could match a path reaching that node. A lookup takes the first
plain route for the path that allows the method, then scans only the pattern candidates placed *before* it, so
a dynamic route added before a plain route that both match still wins.

Before the lookup, three tables answer the common requests with what it would answer, decided once per table
change instead of per request: the direct table (a plain path, with or without a query string), the tail table
(``head/{name}``) and the shape table (whole-segment parts anywhere, ``/users/{uid}/posts/{pid}``). A route enters
the last two only where no route or sub-application placed (or asked) before it could match its paths
(tests/web/test_fast_paths_routing.py holds them against the lookup).
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Iterator, Mapping, Sized
from typing import Any

from .abc import AbstractMatchInfo, AbstractRouter, Handler
from .exceptions import HTTPException, HTTPMethodNotAllowed, HTTPNotFound
from .resources import AbstractResource, Resource, make_resource, resolve_with_resources
from .routes import PlainRoute, Route, RouteError, check_handler, default_expect_handler, handler_place, routing_path
from .routetables import Direct, ShapeEntry, Shapes, Tails, build_direct

__all__ = ["MatchInfoError", "SystemRoute", "UrlDispatcher", "UrlMappingMatchInfo"]

_NO_INDEX = 1 << 62
_NAME_SPLIT = re.compile(r"[.:-]")

_TOP: Any = object()  # UrlDispatcher._direct_match's parent when the router serves the outermost application


class UrlMappingMatchInfo(dict[str, str], AbstractMatchInfo):
    """Match info of :class:`UrlDispatcher`: a dict of the matched path parts, plus ``handler`` and ``route``."""

    __slots__ = ("_apps", "_current_app", "_frozen", "_route")

    def __init__(self, match_dict: dict[str, str], route: Route) -> None:
        super().__init__(match_dict)
        self._route = route
        self._apps = ()  # set, so reading apps raises and catches no AttributeError (1 us per read)
        self._frozen = False

    @property
    def apps(self) -> tuple[Any, ...]:
        """The applications the request went through, outermost first, as aiohttp 3 records them: ``(app,)`` for a
        route of the application's own router, ``(app, subapp)`` for a sub-application's; empty for a route of a
        router that serves no application (and for a miss, until the application records itself)."""
        try:
            apps = self._apps
        except AttributeError:
            apps = ()
        if apps:
            return apps
        # The router leaves ``_apps`` empty for its own application's routes (the request handler's shortcut): the
        # route's application, read without current_app's AttributeError for its unset slot (~5k instructions, and
        # on_response_prepare reads apps on every request); a miss's, which has no owner, from current_app.
        owner = getattr(self._route, "_owner", None)
        app = owner._owner_app if owner is not None else self.current_app
        return () if app is None else (app,)

    def add_app(self, app: Any) -> None:
        """Put ``app`` before the applications already recorded (aiohttp 3's API); only while routing: a frozen
        match info (the one a handler sees) raises ``RuntimeError``."""
        if self.frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        self._apps = (app, *self._apps)  # those recorded, not the apps property's stand-in for none

    @property
    def current_app(self) -> Any:
        """The application whose middlewares are running (aiohttp 3): while each application the request went
        through runs its middlewares, that application, and the innermost one (the route's) while the handler
        runs, as ``request.app``; None for a miss that no application has recorded yet. Assigning it (as aiohttp's
        own per-application middleware does) changes what it gives, not ``request.app``."""
        try:
            return self._current_app
        except AttributeError:
            # Not set: the application the request handler serves the match with (it sets the slot only where that
            # changes, around the middlewares of an application nested in another, see web.handler).
            pass
        apps = self._apps
        if apps:
            return apps[-1]
        owner = getattr(self._route, "_owner", None)
        return owner._owner_app if owner is not None else None

    @current_app.setter
    def current_app(self, app: Any) -> None:
        self._current_app = app

    @property
    def frozen(self) -> bool:
        """True once routing finished (the router freezes the match info it answers)."""
        # The router's direct lookup builds its match info without __init__: frozen from the start.
        return getattr(self, "_frozen", True)

    def freeze(self) -> None:
        """Refuse further :meth:`add_app` calls."""
        self._frozen = True

    @property
    def http_exception(self) -> HTTPException | None:
        """The 404 or 405 of a miss; None for a match."""
        return None

    @property
    def expect_handler(self) -> Any:
        """What answers ``Expect: 100-continue``: the route's ``handle_expect_header`` (aiohttp 3), which awaits its
        ``expect_handler`` or the default one."""
        handle = getattr(self._route, "handle_expect_header", None)  # a route object of the application's own
        return default_expect_handler if handle is None else handle

    @property
    def handler(self) -> Handler:
        return self._route._handler

    @property
    def route(self) -> Route:
        return self._route

    def get_info(self) -> dict[str, Any]:
        return self._route.get_info()

    def __repr__(self) -> str:
        return f"<MatchInfo {dict.__repr__(self)}: {self._route!r}>"


# An empty match info without the Python-level __init__ call; the router sets ``_route``.
_new_info = dict.__new__


class MatchInfoError(UrlMappingMatchInfo):
    """Match info for a miss: ``handler`` raises the 404 or 405 it stands for, ``route`` is a :class:`SystemRoute`."""

    __slots__ = ("_allowed", "_method")

    def __init__(self, method: str, allowed: set[str] | None) -> None:
        dict.__init__(self)
        self._route = None  # type: ignore[assignment]
        self._apps = ()
        self._method = method
        self._allowed = allowed

    @property
    def http_exception(self) -> HTTPException:
        # A new instance each time: an exception is also a response, and a response is sent only once.
        if self._allowed:
            return HTTPMethodNotAllowed(self._method, self._allowed)
        return HTTPNotFound()

    @property
    def handler(self) -> Handler:
        return self._raise

    async def _raise(self, request: Any) -> Any:
        raise self.http_exception

    @property
    def route(self) -> SystemRoute:  # type: ignore[override]
        """aiohttp 3's route of a miss: a :class:`SystemRoute` with the error's ``status`` and ``reason``."""
        return SystemRoute(self.http_exception)

    @property
    def expect_handler(self) -> Any:
        """The ``handle_expect_header`` of the miss's :class:`SystemRoute`, which has no ``expect_handler`` of its
        own: the default one."""
        return self.route.handle_expect_header

    def get_info(self) -> dict[str, Any]:
        return {"http_exception": self.http_exception}

    def __repr__(self) -> str:
        exception = self.http_exception
        return f"<MatchInfoError {exception.status}: {exception.reason}>"


class SystemRoute:
    """The route of a miss (aiohttp 3), ``request.match_info.route`` for a 404 or 405: what a middleware that reads
    the route (its ``name``, ``resource``, ``method``...) finds; ``handler`` raises ``http_exception``, which
    ``status`` and ``reason`` describe."""

    __slots__ = ("_http_exception",)
    method = "*"
    name = None
    resource = None
    expect_handler = None

    def __init__(self, http_exception: HTTPException) -> None:
        self._http_exception = http_exception

    @property
    def handler(self) -> Handler:
        return self._handle

    async def _handle(self, request: Any) -> Any:
        raise self._http_exception

    @property
    def status(self) -> int:
        return self._http_exception.status

    @property
    def reason(self) -> str:
        return self._http_exception.reason

    def url_for(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(".url_for() is not allowed for SystemRoute")

    async def handle_expect_header(self, request: Any) -> Any:
        """aiohttp 3's ``100-continue`` handler of a route: a miss has no ``expect_handler``, so the default one."""
        return await default_expect_handler(request)

    def get_info(self) -> dict[str, Any]:
        return {"http_exception": self._http_exception}

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"


class _Deferred(MatchInfoError):
    """What the synchronous lookup answers for a path that ``sub``, a sub-application's route, claims when the
    sub-application's router awaits (a resource of the application's own there, or further down):
    ``UrlDispatcher.resolve`` then awaits ``sub.resolve_awaited`` on ``path``, the routing path below the prefix.
    To a caller that cannot wait (``resolve_now``), a 404."""

    __slots__ = ("path", "sub")

    def __init__(self, sub: Any, method: str, path: str) -> None:
        super().__init__(method, None)
        self.sub = sub
        self.path = path


class _Node:
    """A trie node: child nodes by literal segment, and the pattern routes that may match below it."""

    __slots__ = ("candidates", "children", "own")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.own: list[Route] = []
        self.candidates: list[Route] = []


class UrlDispatcher(AbstractRouter, Mapping[str, Route]):
    """Straightforward URL-matching router; a ``Mapping`` of route names to named routes.

    Fill the table with :meth:`add_route` and :meth:`add_static` (and the aiohttp 3 conveniences ``add_get``,
    ``add_post``, ..., ``add_routes``) before serving; ``app.router[name]`` gives a named route, ``name in
    app.router`` checks for one.
    """

    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._named: dict[str, Route] = {}
        self._resources: list[Any] = []  # aiohttp 3's resources, in the order added (see web.resources)
        self._taken: dict[str, Any] = {}  # name -> the resource (or route) holding it
        self._plain: dict[str, list[Route]] = {}
        self._root: _Node | None = None  # the trie, rebuilt lazily after the table changes
        self._direct: Direct | None = None  # see web/routetables.py, rebuilt lazily likewise
        self._tails: Tails = {}  # rebuilt with the direct table
        self._shapes: Shapes = {}  # rebuilt with the direct table
        self._frozen = False
        self._nested: list[Route] = []  # sub-application routes (see web.subapp), in table order
        # Resources of the application's own (register_resource), each with its position in the table.
        self._foreign: list[tuple[int, Any]] = []
        #: True when resolving a request may await: this router or a sub-application's holds such a resource
        #: (then :meth:`resolve` finishes what the synchronous lookup leaves, see :class:`_Deferred`).
        self.awaits = False
        self.nested_routes = self._nested  # the same list, read-only, for the request handler
        # Not ``_app``: aiohttp's router keeps no application, and a subclass's own ``_app`` (aiohttp-swagger3's
        # Swagger router, set before it calls ``super().__init__()``) must survive this constructor.
        self._owner_app: Any = None
        self._prefix = ""  # the path prefix a parent application serves this router's application under
        self._parent: UrlDispatcher | None = None

    def post_init(self, app: Any) -> None:
        """Called by ``Application`` with itself: the router serves that application."""
        self._owner_app = app

    def full_prefix(self) -> str:
        """The path prefix of this router's routes as seen from the outermost application."""
        parent = self._parent
        return self._prefix if parent is None else parent.full_prefix() + self._prefix

    # -- Mapping over named routes ------------------------------------------------------------------------

    def __getitem__(self, name: str) -> Route:
        route = self._named.get(name)
        if route is not None:
            return route
        # A named resource with no route yet is aiohttp's router[name] too: the quickstart builds URLs from
        # router.add_resource(r'/{user}/info', name='user-info') with router['user-info'].url_for(user=...).
        resource = self._taken.get(name)
        if isinstance(resource, Resource):
            return resource  # type: ignore[return-value]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._named)

    def __len__(self) -> int:
        return len(self._named)

    def __contains__(self, name: object) -> bool:
        return name in self._named

    def named_routes(self) -> Mapping[str, Route]:
        """A read-only view of the named routes."""
        return _ReadOnly(self._named)

    def routes(self) -> _RoutesView:
        """A read-only, ordered view of every route in the table; as in aiohttp 3, a sub-application's routes
        (``add_subapp``, ``add_domain``) stand in place of the route that hands requests to it, so what walks the
        routes (an OpenAPI generator, ``url_for()`` over them) reaches every handler the application serves."""
        routes = self._routes
        if self._nested:
            routes = [inner for route in routes for inner in (route if route._nested else (route,))]
        return _RoutesView(routes)

    def resources(self) -> _RoutesView:
        """aiohttp 3's view of the resources, in the order added (see ``web.resources``)."""
        return _RoutesView(self._resources)

    def named_resources(self) -> Mapping[str, Any]:
        """aiohttp 3's read-only view of the named resources."""
        return _ReadOnly(self._taken)

    # -- building the table -------------------------------------------------------------------------------

    def register_route(self, route: Route) -> Route:
        """Append an already built route to the end of the table."""
        if self._frozen:
            raise RuntimeError(
                "cannot add a route to a frozen router: its application started, or was added as a sub-application"
            )
        name = route.name
        resource = getattr(route, "_resource", None)
        if resource is route:
            resource = None  # a static route is its own resource (web.staticfiles)
        if resource is None:
            # A route with no resource is its own (static, sub-application, or built by hand).
            self._take_name(name, route.describe)
        if route._nested:
            # Before the table changes: a sub-application's resource may refuse its prefix (see web.subapp).
            route._attach(self)
        route._index = len(self._routes)
        route._owner = self
        self._routes.append(route)
        router: UrlDispatcher | None = self
        while router is not None:
            # The direct tables of the applications this one is nested in hold its plain routes too.
            router._direct = None
            router = router._parent
        if resource is None:
            self._resources.append(route)
            if name is not None:
                self._taken[name] = route
        if name is not None and name not in self._named:
            # A named resource's first route answers router[name] (the aiohttp 0.14 API's route with .url()).
            self._named[name] = route
        if route._nested:
            # Sub-application routes claim requests by prefix or domain: _resolve asks them on a direct-table miss.
            self._nested.append(route)
        elif isinstance(route, PlainRoute):
            # A plain route matches exactly one path: a dict lookup finds it, no scan.
            self._plain.setdefault(route.path, []).append(route)
        else:
            self._root = None
        return route

    def register_resource(self, resource: Any) -> None:
        """Add a resource of the application's own (aiohttp 3): any :class:`~web.resources.AbstractResource` with
        ``name``, ``canonical``, ``add_prefix(prefix)`` and ``async resolve(request)`` answering ``(match_info,
        allowed_methods)``, the match info None for a path it does not serve. It is asked as aiohttp asks its
        resources (see ``web.resources.resolve_with_resources``); a route is just added, and a
        :class:`~web.resources.PlainResource` or :class:`~web.resources.DynamicResource` made alone (or a subclass's)
        brings the routes it was given to the end of the table. In a sub-application's router, a resource of the
        application's own is given the path prefix the sub-application is served under with ``add_prefix()`` when
        the sub-application is added (``add_subapp``, which freezes its router), as in aiohttp."""
        if isinstance(resource, Route):
            self.register_route(resource)
            return
        if not isinstance(resource, AbstractResource):
            raise TypeError(f"Instance of AbstractResource class is required, got {resource!r}")
        if self._frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        foreign = not isinstance(resource, Resource)
        if not foreign and resource._router is not None:
            raise RuntimeError(f"{resource!r} is already registered in a router")
        name = resource.name
        self._take_name(name, lambda: repr(resource))
        prefix = self.full_prefix()
        if foreign and prefix:
            # Its resolve() sees the request's whole path (see web.subapp._SubAppRoute._attach).
            resource.add_prefix(prefix)
        self._resources.append(resource)
        if name is not None:
            self._taken[name] = resource
        if not foreign:
            # One made alone (PlainResource(path), a subclass of it): its routes join the table now.
            resource._bind(self)
        if foreign:
            self._foreign.append((len(self._routes), resource))
            self._await_resources()

    def _await_resources(self) -> None:
        """Resolving in this router, and in those of the applications it is nested in, now awaits (``awaits``);
        their direct tables, which held this router's plain routes, no longer do (see routetables.build_direct)."""
        router: UrlDispatcher | None = self
        while router is not None:
            router.awaits = True
            router._direct = None
            router = router._parent

    def add_route(
        self, method: str, path: str, handler: Any, *, name: str | None = None, expect_handler: Any = None
    ) -> Route:
        """Append ``handler`` for ``method`` on ``path`` to the end of the route table.

        ``method`` ``'*'`` means any method. A regular function is converted to a coroutine. Returns the new
        :class:`~web.routes.PlainRoute` (``/a/b/c``) or :class:`~web.routes.DynamicRoute` (``/a/{name}``).
        ``expect_handler`` (aiohttp 3): a coroutine ``expect_handler(request)`` called before the middlewares
        and the handler for a request with ``Expect: 100-continue``; it may write ``100 Continue`` itself
        (``await request.writer.write(b"HTTP/1.1 100 Continue\\r\\n\\n")``), or return (or raise) a response
        that is sent instead of the handler's. Without one, the server sends ``100 Continue`` on the handler's
        first body read (RFC 9110 §10.1.1).
        """
        # A duplicate name is reported with the route being added, which the resource does not know yet.
        resource = self._resource_for(path, name, lambda: f"{str(method).upper()} {path} ({handler_place(handler)})")
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_resource(self, path: str, *, name: str | None = None) -> Resource:
        """aiohttp 3's resource for ``path`` (see ``web.resources``): the last added resource when it has this path
        and name, else a new PlainResource (``/a/b``) or DynamicResource (``/a/{name}``). Adding a resource adds
        no route: ``resource.add_route(method, handler)`` does, at the end of the table."""
        return self._resource_for(path, name, lambda: f"resource {path}")

    def _resource_for(self, path: str, name: str | None, describe: Any) -> Resource:
        if self._frozen:
            raise RuntimeError(
                "cannot add a resource to a frozen router: its application started, or was added as a sub-application"
            )
        if self._resources:
            last = self._resources[-1]
            if isinstance(last, Resource) and last.name == name and last.raw_match(path):
                return last
        resource = make_resource(self, path, name)
        self._take_name(name, describe)
        self._resources.append(resource)
        if name is not None:
            self._taken[name] = resource
        return resource

    def _take_name(self, name: Any, describe: Any) -> None:
        """Refuse a bad or already used name for a new resource (``describe()`` names the newcomer)."""
        if name is None:
            return
        if not isinstance(name, str) or not name:
            raise RouteError(f"route name must be a non-empty str, got {name!r}")
        # aiohttp's rule: python identifiers, not keywords, joined by '.', ':' or '-' (a name is also a template
        # engine's key, e.g. jinja2's url('name')).
        for part in _NAME_SPLIT.split(name):
            if keyword.iskeyword(part) or not part.isidentifier():
                raise RouteError(
                    f"Incorrect route name {name!r}: give python identifiers (not keywords) separated by dash, dot"
                    " or colon"
                )
        holder = self._taken.get(name)
        if holder is not None:
            # Name the holder's first route (its handler's file:line) when it has one; aiohttp's words first.
            first = holder if isinstance(holder, Route) else next(iter(holder), None)
            held = first.describe() if first is not None else repr(holder)
            raise RouteError(
                f"Duplicate {name!r}, already handled by {held}; {describe()} asks for it too: give one of them"
                " another name"
            )

    def add_view(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('*', path, handler)``, for a ``web.View`` subclass (aiohttp 3)."""
        return self.add_route("*", path, handler, **kwargs)

    def add_options(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('OPTIONS', path, handler)``."""
        return self.add_route("OPTIONS", path, handler, **kwargs)

    def add_static(self, prefix: str, path: Any, *, name: str | None = None, **kwargs: Any) -> Route:
        """Serve the files under directory ``path`` at URL ``prefix``; returns the new StaticRoute.

        Keyword options (see :class:`~web.staticfiles.StaticRoute`): ``show_index``, ``follow_symlinks``,
        ``chunk_size``, and ``append_version`` (``url_for(filename=...)`` then adds ``?v=`` the file's hash, as in
        aiohttp); ``expect_handler`` is not supported.
        """
        from .staticfiles import StaticRoute

        return self.register_route(StaticRoute(prefix, path, name=name, **kwargs))

    def add_head(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('HEAD', path, handler)``."""
        return self.add_route("HEAD", path, handler, **kwargs)

    def add_get(
        self, path: str, handler: Any, *, name: str | None = None, allow_head: bool = True, **kwargs: Any
    ) -> Route:
        """Shortcut for ``add_route('GET', ...)``; also answers HEAD unless ``allow_head=False`` (aiohttp 3).

        The HEAD route comes first in ``routes()``, then the GET route, which is returned, as in aiohttp.
        ``kwargs`` (``expect_handler``) go to both."""
        check_handler("GET", path, handler)  # a refusal names the GET route asked for, not the HEAD added first
        resource = self.add_resource(path, name=name)
        if allow_head:
            resource.add_route("HEAD", handler, **kwargs)
        route = resource.add_route("GET", handler, **kwargs)
        if name is not None:
            self._named[name] = route  # router[name] is the GET route add_get returns, not the HEAD before it
        return route

    def add_post(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('POST', path, handler)``."""
        return self.add_route("POST", path, handler, **kwargs)

    def add_put(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('PUT', path, handler)``."""
        return self.add_route("PUT", path, handler, **kwargs)

    def add_patch(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('PATCH', path, handler)``."""
        return self.add_route("PATCH", path, handler, **kwargs)

    def add_delete(self, path: str, handler: Any, **kwargs: Any) -> Route:
        """Shortcut for ``add_route('DELETE', path, handler)``."""
        return self.add_route("DELETE", path, handler, **kwargs)

    def add_routes(self, routes: Iterable[Any]) -> list[Route]:
        """Register route definitions (``web.get(...)``, ``web.static(...)``, a ``RouteTableDef``)."""
        registered: list[Route] = []
        for definition in routes:
            registered.extend(definition.register(self))
        return registered

    @property
    def frozen(self) -> bool:
        """True once the table is complete (:meth:`freeze`): adding a route raises ``RuntimeError``."""
        return self._frozen

    def freeze(self) -> None:
        """Build the indexes now and refuse further changes (called when the application starts, or is added as a
        sub-application). As in aiohttp 3, a route for the empty path ``''`` of a router whose routes are served at
        the root (not a prefixed sub-application's, where ``''`` is the prefix itself) becomes a route for ``/``."""
        if not self._frozen:
            if not self.full_prefix():
                self._empty_path_to_slash()
            for _, resource in self._foreign:
                # aiohttp's router freezes each resource with itself; one of the application's own may finish its
                # setup there (AbstractResource.freeze does nothing).
                freeze = getattr(resource, "freeze", None)
                if freeze is not None:
                    freeze()
        self._frozen = True
        if self._root is None:
            self._build()

    def _empty_path_to_slash(self) -> None:
        for resource in self._resources:
            if isinstance(resource, Resource) and resource._path == "":
                resource._path = "/"
        routes = self._plain.pop("", None)
        if routes is None:
            return
        for route in routes:
            route.path = "/"  # type: ignore[attr-defined]
        self._plain["/"] = sorted(self._plain.get("/", []) + routes, key=lambda route: route._index)
        router: UrlDispatcher | None = self
        while router is not None:
            router._direct = None
            router = router._parent

    # -- lookup -------------------------------------------------------------------------------------------

    async def resolve(self, request: Any) -> AbstractMatchInfo:
        """Return the match info for ``request``; never raises (see the module docstring for the rules)."""
        if self.awaits:
            info = await self._finish(request, self.resolve_now(request))
            if isinstance(info, UrlMappingMatchInfo):
                info._frozen = True
            return info
        return self.resolve_now(request)

    def resolve_now(self, request: Any) -> UrlMappingMatchInfo:
        """The synchronous body of :meth:`resolve`: without the resources of the application's own
        (``register_resource``), and, for a path a sub-application whose router ``awaits`` claims, a 404 that
        :meth:`resolve` finishes (see :class:`_Deferred`)."""
        return self._resolve(request, request.raw_path, request.method)

    async def _resolve_below(self, request: Any, method: str, path: str) -> AbstractMatchInfo:
        """:meth:`resolve` for this router's application reached as a sub-application, on ``path``, the routing
        path below the prefix the parent's route took (see ``web.subapp``); its ``apps`` are this application's
        own view (``()`` for its own routes, as :meth:`match` answers), which the parent's route completes."""
        info = self._direct_match(path, method, _TOP)
        if info is None:
            info = self.match_request(request, method, path) if self._nested else self.match(method, path)
        return await self._finish(request, info)

    async def _finish(self, request: Any, info: UrlMappingMatchInfo) -> AbstractMatchInfo:
        """The answer for ``request`` from ``info``, the answer of this router's table: a sub-application's answer
        awaited when its router awaits, then this router's resources of the application's own asked in aiohttp's
        order, the table's answer at its place among them."""
        via = None
        if info.__class__ is _Deferred:
            via = info.sub
            info = await via.resolve_awaited(request, info._method, info.path)
        if self._foreign:
            return await resolve_with_resources(self, request, info, via)
        return info

    def _resolve(self, request: Any, raw: str, method: str) -> UrlMappingMatchInfo:
        """:meth:`resolve_now` with the request's ``raw_path`` and ``method`` at hand (the request handler reads
        them from the exchange, without the two property calls)."""
        # _direct_match(raw, method, _TOP) inline (0.4k instructions per request, its call).
        direct = self._direct
        if direct is None:
            direct = self._build_direct()
        methods = direct.get(raw)
        if methods is not None:
            entry = methods.get(method)
            if entry is not None:
                info = _new_info(UrlMappingMatchInfo)
                info._route, info._apps = entry
                return info
        if raw[:1] == "/":
            q = raw.find("?")
            path = raw if q == -1 else raw[:q]
            tails = self._tails  # built with the direct table
            # A path ``head/segment`` of a route ``head/{name}`` (see routetables.build_tails), when it is its own
            # routing path (ASCII, no escape) and no plain route has it: the route and its one part, without the lookup.
            head, _, tail = path.rpartition("/")
            entries = tails.get(head) if tails else None
            if entries is not None and tail:
                entry = entries.get(method)
                if (
                    entry is not None
                    and "{" not in tail
                    and "}" not in tail
                    and "%" not in path
                    and path.isascii()
                    # Asked only under a head with plain routes below it (``/users/me`` beside ``/users/{id}``).
                    and not (entry[2] and path in self._plain)
                ):
                    route, name, _ = entry
                    # What _lookup builds for the route; frozen (its property's default without the slot).
                    info = _new_info(UrlMappingMatchInfo)
                    info[name] = tail
                    info._route = route
                    info._apps = ()
                    return info
            # A plain path with a query string: a key of the direct table (which the _direct_match above built) is
            # its own routing path, so it is the routing path of the target too. (Asked after the tail table: the
            # user scenario's one more lookup there cost 0.5k instructions.)
            if q != -1 and path in (self._direct or ()):
                info = self._direct_match(path, method, _TOP)
                if info is not None:
                    return info
            shapes = self._shapes
            if shapes and "%" not in path and path.isascii():
                # A path of the shape of a route such as ``/users/{uid}/posts/{pid}`` (see routetables.build_shapes).
                segments = path.split("/")
                for literals, table in shapes.get(len(segments), ()):
                    entries = table.get(literals(segments))
                    entry = entries.get(method) if entries is not None else None
                    if entry is not None:
                        info = _shape_info(entry, segments) if path not in self._plain else None
                        if info is not None:
                            return info
                        break
        path = routing_path(raw) if raw[:1] == "/" else request.path
        # Sub-applications claim requests by prefix or domain (match_request); the direct table holds no path
        # they claim (see routetables.build_direct), so only a miss there asks them.
        info = self.match_request(request, method, path) if self._nested else self.match(method, path)
        info._frozen = True
        return info

    def _direct_match(self, path: str, method: str, parent: Any) -> UrlMappingMatchInfo | None:
        """The match info of the direct table (see web/routetables.py) for ``path`` and ``method``; None when
        the table does not decide the request. ``path`` is a raw target or a routing path: the table's keys are
        their own routing path, so either finds the same entries. ``parent``: the application whose sub-application
        route asks (its info's ``apps`` then start with it, as :meth:`match_request`'s do), or ``_TOP`` when this
        router serves the request's outermost application."""
        direct = self._direct
        if direct is None:
            direct = self._build_direct()
        methods = direct.get(path)
        if methods is not None:
            entry = methods.get(method)
            if entry is not None:
                info = _new_info(UrlMappingMatchInfo)
                info._route, apps = entry
                if parent is not _TOP:
                    apps = (parent, *(apps or (self._owner_app,)))
                info._apps = apps
                return info
        return None

    resolve_target = _resolve
    """:meth:`resolve_now` with the request's raw target ``raw`` and ``method`` given, for the request handler,
    which has both at hand; ``resolve_target(request, raw, method)`` returns what ``resolve_now(request)`` does."""

    def match_request(self, request: Any, method: str, path: str) -> UrlMappingMatchInfo:
        """:meth:`match`, and the sub-applications' routes: a domain's sub-application first; then the prefixed
        sub-application that claims the path with the longest prefix (the first added of equal ones) answers it,
        its 404 or 405 included, unless a route of this table comes first in aiohttp's order (see
        ``asked_before``: a route whose leading literal segments are more than the prefix's, or as many and added
        before). Among this table's own routes the first added that matches wins (the aiohttp 0.14 rule)."""
        nested = self._nested
        if not nested:
            return self.match(method, path)
        for sub in nested:
            if sub._by_host:
                # A domain's sub-application takes every request for its host, whatever this table holds for the
                # path (as in aiohttp, whose issue #11665 settled it).
                info = sub.resolve_sub(request, method, path)
                if info is not None:
                    return info
        claimant = claiming(nested, request, path)
        if claimant is None:
            return self.match(method, path)
        own = self._lookup(method, path, claimant)
        if own is None and len(path) > 1 and path[-1] == "/":
            own = self._lookup(method, path[:-1], claimant)
        if own is not None:
            return own
        info = claimant.resolve_sub(request, method, path)
        assert info is not None  # it claims the path
        return info

    def _build_direct(self) -> Direct:
        """Build the direct table and with it the tail and shape tables (web/routetables.py) for this table as it
        stands; the lookup calls it when a change emptied them."""
        return build_direct(self)

    def match(self, method: str, path: str) -> UrlMappingMatchInfo:
        """The synchronous core of :meth:`resolve`, on a routing path (see ``routes.routing_path``)."""
        info = self._lookup(method, path)
        if info is None and len(path) > 1 and path[-1] == "/":
            info = self._lookup(method, path[:-1])
        if info is not None:
            return info
        allowed = self._allowed_methods(path)
        if not allowed and len(path) > 1 and path[-1] == "/":
            allowed = self._allowed_methods(path[:-1])
        return MatchInfoError(method, allowed)

    def _lookup(self, method: str, path: str, below: Any = None) -> UrlMappingMatchInfo | None:
        """The first route of the table that matches ``path`` and allows ``method``, None when none does; with
        ``below``, a sub-application route that claims the path, only among the routes asked before it (see
        :meth:`match_request`)."""
        best: Route | None = None
        limit = _NO_INDEX
        plains = self._plain.get(path)
        if plains is not None:
            for route in plains:
                methods = route._methods
                if (methods is None or method in methods) and (below is None or not below.asked_before(route)):
                    best = route
                    limit = route._index
                    break
        for route in self._candidates(path):
            if route._index > limit:
                break
            methods = route._methods
            if methods is not None and method not in methods:
                continue
            parts = route.match(path)
            if parts is not None and (below is None or not below.asked_before(route)):
                # UrlMappingMatchInfo(parts, route), without its two Python-level __init__ calls.
                info = _new_info(UrlMappingMatchInfo)
                dict.update(info, parts)
                info._route = route
                info._apps = ()
                info._frozen = False
                return info
        if best is not None:
            return UrlMappingMatchInfo({}, best)
        return None

    def _candidates(self, path: str) -> list[Route]:
        node = self._root
        if node is None:
            node = self._build()
        if not node.children:
            return node.candidates
        children = node.children
        for segment in path.split("/")[1:]:
            child = children.get(segment)
            if child is None:
                break
            node = child
            children = node.children
            if not children:
                break
        return node.candidates

    def _allowed_methods(self, path: str) -> set[str]:
        """Every method some route would answer for ``path`` (only computed for a miss)."""
        allowed: set[str] = set()
        for route in self._plain.get(path, ()):
            allowed.add(route.method)
        for route in self._candidates(path):
            if route.match(path) is not None:
                allowed.update(route._methods or (route.method,))
        return allowed

    def _build(self) -> _Node:
        root = _Node()
        for route in self._routes:
            if isinstance(route, PlainRoute):
                continue
            node = root
            for segment in route.literal_prefix():
                node = node.children.setdefault(segment, _Node())
            node.own.append(route)
        _fill(root, [])
        self._root = root
        return root


def claiming(nested: list[Any], request: Any, path: str) -> Any:
    """The prefixed sub-application route of ``nested`` that takes ``path`` (see ``UrlDispatcher.match_request``):
    of those whose prefix claims it, the longest prefix, the first added of equal ones; None when none claims it."""
    claimant = None
    for sub in nested:
        if (
            not sub._by_host
            and sub.claims(request, path) is not None
            and (claimant is None or len(sub.prefix) > len(claimant.prefix))
        ):
            claimant = sub
    return claimant


def _shape_info(entry: ShapeEntry, segments: list[str]) -> UrlMappingMatchInfo | None:
    """The match info of a shape table entry for a path's segments (its literals found), what _lookup builds for
    the route; None when a part's segment is empty or holds a brace, which the part's regex refuses."""
    route, parts = entry
    info = _new_info(UrlMappingMatchInfo)
    for position, name in parts:
        value = segments[position]
        if not value or "{" in value or "}" in value:
            return None
        info[name] = value
    info._route = route
    info._apps = ()
    return info


def _fill(node: _Node, inherited: list[Route]) -> None:
    # Candidates of a node: its ancestors' routes and its own, merged back into table order.
    node.candidates = sorted(inherited + node.own, key=lambda r: r._index)
    for child in node.children.values():
        _fill(child, node.candidates)


class _ReadOnly(Mapping[str, Route]):
    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Route]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Route:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class _RoutesView(Sized, Iterable[Route]):
    """An ordered, read-only view of the route table."""

    __slots__ = ("_routes",)

    def __init__(self, routes: list[Route]) -> None:
        self._routes = routes

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __contains__(self, route: object) -> bool:
        return route in self._routes

    def __getitem__(self, index: int) -> Route:
        return self._routes[index]

"""aiohttp 3's resources over the route table: a resource groups the routes registered for one path.

The router matches routes, one at a time, in FIFO order (the aiohttp 0.14 API's rule); a resource changes nothing
of that. It is how aiohttp 3 code reaches the routes of a path as one thing: ``router.add_resource(path,
name=...)`` gives a :class:`PlainResource` (``/a/b``) or a :class:`DynamicResource` (``/a/{id}``), whose
``add_route(method, handler)`` appends a route for its path to the end of the router's table; iterating a
resource gives its routes, and ``route.resource`` leads back to it. ``router.add_route()`` reuses the last added
resource when its path and name are the new route's (aiohttp's rule), so ``add_get('/a', h, name='a')`` then
``add_post('/a', h, name='a')`` make one resource with two routes.

As in aiohttp, a resource may also be made alone, ``PlainResource(path, name=...)`` (or a subclass of it), given
routes, and then registered with ``router.register_resource(resource)``: its routes go to the end of the table then,
in the order added; one added after that goes there at once.

A static route and a sub-application route are their own resource, as aiohttp's ``StaticResource`` and
``PrefixedSubAppResource`` are: both are registered as virtual subclasses of :class:`AbstractResource`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from yarl import URL

from .routes import Route, _compile, below_prefix, check_expect_handler, check_path, make_route, prefixed_info

if TYPE_CHECKING:
    from .router import UrlDispatcher

__all__ = ["AbstractResource", "DynamicResource", "PlainResource", "Resource", "make_resource"]


class AbstractResource(abc.ABC):
    """What aiohttp 3 calls a resource: something of the router with a ``name``, a ``canonical`` path, a URL
    builder and the routes it holds (iterate it). Static and sub-application routes are registered as resources."""

    # Attributes of an application's or a library's own can be set on a resource, as on aiohttp's.
    __slots__ = ("__dict__", "__weakref__")

    def __init__(self, *, name: str | None = None) -> None:
        # aiohttp 3's signature: a resource of the application's own (register_resource) names itself this way.
        self.name = name

    @abc.abstractmethod
    def __iter__(self) -> Iterator[Route]:
        """The routes of the resource."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many routes the resource holds."""

    def freeze(self) -> None:
        """Called by the router when it freezes (aiohttp 3's hook; nothing by default): the resource's routes are
        complete."""
        return None


class Resource(AbstractResource):
    """The routes registered for one path, in the order added; made by ``router.add_resource()``, or alone and
    then registered with ``router.register_resource()``."""

    __slots__ = ("_path", "_router", "_routes", "name")

    def __init__(self, path: str = "", *, name: str | None = None) -> None:
        self._router: UrlDispatcher | None = None  # the router it is registered in (see _bind)
        self._path = path
        self._routes: list[Route] = []
        #: The resource's name (also the name of its routes), or None.
        self.name = name

    def _bind(self, router: UrlDispatcher) -> None:
        """Registered in ``router``: the routes added so far go to the end of its table, in order."""
        self._router = router
        for route in self._routes:
            router.register_route(route)

    def _prefix(self) -> str:
        """The path prefix of the router it is registered in ('' before that)."""
        return "" if self._router is None else self._router.full_prefix()

    def add_route(self, method: str, handler: Any, *, expect_handler: Any = None) -> Route:
        """Append a route for ``method`` on this resource's path to the end of the router's table (once the resource
        is registered); return it.

        ``expect_handler``: see ``UrlDispatcher.add_route``. The route takes the resource's name; ``router[name]``
        gives the resource's first route. A second route for a method the resource answers already (or for any
        method after a ``'*'`` route) raises ``RuntimeError``, as in aiohttp 3: it would never be reached.
        """
        if expect_handler is not None:
            check_expect_handler(expect_handler)
        route = make_route(method, self._path, handler, self.name)
        for held in self._routes:
            if held.method == route.method or held.method == "*":
                # aiohttp 3's rule and words: the router would never reach the new route (the first route for the
                # path and method wins, the aiohttp 0.14 API's FIFO rule).
                raise RuntimeError(f"Added route will never be executed, method {held.method} is already registered")
        route.expect_handler = expect_handler
        route._resource = self
        if self._router is not None:
            self._router.register_route(route)
        self._routes.append(route)
        return route

    @property
    def canonical(self) -> str:
        """The path with its ``{parts}`` (without their regexes), behind any sub-application prefix."""
        return self._prefix() + self._template()

    def _template(self) -> str:
        return self._path

    def raw_match(self, path: str) -> bool:
        """True when ``path`` is the resource's path as registered."""
        return path == self._path

    def _match(self, path: str) -> dict[str, str] | None:
        """The parts of ``path``, a routing path below the router's prefix; None when it is not the resource's."""
        raise NotImplementedError  # pragma: no cover - each concrete resource matches its own way

    async def resolve(self, request: Any) -> tuple[Any, set[str]]:
        """aiohttp 3's lookup: ``(match_info, allowed_methods)`` for ``request``, the match info that of the route
        for its method (else of the route for any method, ``'*'``); ``(None, allowed)`` when no route answers the
        method, ``(None, set())`` when the path is not the resource's. The router does not call it: it matches its
        table, in the aiohttp 0.14 API's FIFO order (see web.router)."""
        path = below_prefix(request.rel_url.path_safe, self._prefix())
        parts = None if path is None else self._match(path)
        if parts is None:
            return None, set()
        allowed = {route.method for route in self._routes}
        method = request.method
        chosen = None
        for route in self._routes:
            if route.method == method:
                chosen = route
                break
            if route.method == "*":
                chosen = route
        if chosen is None:
            return None, allowed
        from .router import UrlMappingMatchInfo

        return UrlMappingMatchInfo(parts, chosen), allowed

    def url_for(self, **parts: Any) -> URL:
        """A relative ``yarl.URL`` for the resource, from its ``{parts}`` as keyword arguments."""
        raise NotImplementedError  # pragma: no cover - each concrete resource builds its own

    def get_info(self) -> dict[str, Any]:
        """``{'path': ...}`` for a plain resource, ``{'pattern': ..., 'formatter': ...}`` for a dynamic one."""
        raise NotImplementedError  # pragma: no cover - each concrete resource describes itself

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name is not None else ""
        return f"<{type(self).__name__}{name} {self._path}>"


class PlainResource(Resource):
    """The resource of a path without ``{parts}``, e.g. ``/a/b/c``."""

    __slots__ = ()

    def __init__(self, path: str, *, name: str | None = None) -> None:
        super().__init__(path, name=name)

    def _match(self, path: str) -> dict[str, str] | None:
        return {} if path == self._path else None

    def url_for(self) -> URL:  # type: ignore[override]
        return URL.build(path=self._prefix() + self._path)

    def get_info(self) -> dict[str, Any]:
        return {"path": self._prefix() + self._path}


class DynamicResource(Resource):
    """The resource of a variable path, e.g. ``/a/{name}`` or ``/user/{id:\\d+}``."""

    __slots__ = ("_formatter", "_pattern")

    def __init__(self, path: str, *, name: str | None = None) -> None:
        super().__init__(path, name=name)
        self._pattern, self._formatter, _ = _compile(path)

    def _template(self) -> str:
        return self._formatter

    def _match(self, path: str) -> dict[str, str] | None:
        m = self._pattern.fullmatch(path)
        if m is None:
            return None
        # Each part percent-decoded, the %2F and %25 the routing path kept included (as DynamicRoute.match).
        return {key: unquote(value) for key, value in m.groupdict().items()}

    def url_for(self, **parts: Any) -> URL:
        quoted = {key: quote(str(value), safe="") for key, value in parts.items()}
        try:
            url = self._formatter.format_map(quoted)
        except KeyError as exc:
            raise KeyError(f"missing part {exc.args[0]!r} for resource {self._path!r}") from None
        return URL(self._prefix() + url, encoded=True)

    def get_info(self) -> dict[str, Any]:
        return prefixed_info(self._prefix(), self._pattern, self._formatter)


def make_resource(router: UrlDispatcher, path: str, name: str | None) -> Resource:
    """A PlainResource for a path without ``{parts}``, else a DynamicResource (the path's rules are a route's),
    registered in ``router``."""
    check_path(path)
    resource = DynamicResource(path, name=name) if "{" in path or "}" in path else PlainResource(path, name=name)
    resource._router = router
    return resource


def index_key(canonical: str) -> str:
    """aiohttp 3's key of a resource in its router's index: the canonical path up to its last literal segment
    (``/core/locations{tail:.*}`` -> ``/core``), without a trailing slash; the root is ``/``."""
    if "{" in canonical:
        canonical = canonical.partition("{")[0].rpartition("/")[0]
    return canonical.rstrip("/") or "/"


async def resolve_with_resources(router: UrlDispatcher, request: Any, own: Any, via: Any = None) -> Any:
    """The match info for ``request`` of a router that also holds resources of the application's own
    (``register_resource``: an object with aiohttp 3's ``async resolve(request) -> (match_info, allowed)``), given
    ``own``, the answer of the router's table, and ``via``, the sub-application's route of the table that answered
    it when it is a sub-application's answer that had to be awaited (else None).

    aiohttp 3 asks its resources by the request's path, the most explicit first: those indexed under the whole
    path, then under each shorter prefix ending before a ``/``, down to ``/`` (see :func:`index_key`); resources
    under the same key in the order registered. The route table's answer takes that place too, under the key of
    the route it found and at that route's position, so a route still wins over a resource registered after it
    under the same key (the aiohttp 0.14 API's FIFO order). A sub-application that claims the path answers for it
    under its prefix, at its route's position, whatever it answers: its route or resource, or its 404 or 405, after
    which aiohttp asks no other resource (its ``PrefixedSubAppResource.resolve`` always gives a match info); a
    domain's sub-application that claims the request answers before every resource, as aiohttp asks those first.
    A miss everywhere is a 405 when some route or resource allows other methods for the path, else a 404. A
    resource's canonical path is the whole path (a sub-application's resources are given its prefix), as is the
    path compared with it.
    """
    from .router import MatchInfoError

    claimer = via if via is not None else _claimer(router, own)
    if claimer is not None and claimer._by_host:
        return own
    path = request.rel_url.path_safe
    # (rank, position, resource): the longest key first, then the order of registration; None is the table's answer.
    order: list[tuple[int, int, Any]] = []
    if claimer is not None:
        # A resource registered when the table held n routes comes before the route added next, at index n.
        order.append((max(_rank(index_key(claimer.canonical), path), 0), 2 * claimer._index + 1, None))
    elif not isinstance(own, MatchInfoError):
        # The route matched the path, so its answer stands at least at the root's rank (whatever its path's spelling).
        route = own._route
        order.append((max(_rank(index_key(route.canonical), path), 0), 2 * route._index + 1, None))
    for position, resource in router._foreign:
        order.append((_rank(index_key(resource.canonical), path), 2 * position, resource))
    allowed: set[str] = set(own._allowed or ()) if isinstance(own, MatchInfoError) else set()
    for rank, _, resource in sorted(order, key=lambda entry: (-entry[0], entry[1])):
        if rank < 0:
            break
        if resource is None:
            return own
        match_info, methods = await resource.resolve(request)
        if match_info is not None:
            return match_info
        allowed |= methods
    return MatchInfoError(request.method, allowed)


def _rank(key: str, path: str) -> int:
    """How explicit ``key`` is for ``path``: its length when ``path`` is ``key`` or lies below it, else -1."""
    if key == "/" or path == key or path.startswith(key + "/"):
        return len(key)
    return -1


def _claimer(router: UrlDispatcher, own: Any) -> Any:
    """The sub-application route of ``router``'s table whose answer (a match or its 404/405) ``own`` is; None for
    an answer of the router's own routes. A sub-application's answer lists the applications it went through, this
    router's first (``apps``), then the sub-application's."""
    apps = own._apps
    if len(apps) < 2:
        return None
    for nested in router._nested:
        if nested._app is apps[1]:
            return nested
    return None  # pragma: no cover - apps of no sub-application of this router

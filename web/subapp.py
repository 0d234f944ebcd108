"""Sub-applications: the routes through which an ``Application`` hands requests to a nested one.

``app.add_subapp('/admin', admin)`` registers a :class:`PrefixedSubAppResource`: every path under ``/admin/``
is resolved by ``admin``'s router on the rest of the path. ``app.add_domain('api.example.com', api)`` registers
a :class:`MatchedSubAppResource`, which claims requests by their Host instead. Either way the match info records
the applications the request went through (``match_info.apps``, outermost first); the request handler runs their
middlewares in that order and sets ``request.app`` to each application while its own middlewares and handler run.

A sub-application's router may hold resources of the application's own (``register_resource``, aiohttp 3), which
are given the prefix it is served under (``add_prefix()``) and whose ``resolve()`` is a coroutine: the parent's
synchronous lookup then answers a ``_Deferred`` for a path the sub-application claims, and
``UrlDispatcher.resolve`` awaits :meth:`_SubAppRoute.resolve_awaited`. Routers without such resources, here or
further down, never await (``UrlDispatcher.awaits``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .exceptions import HTTPMethodNotAllowed
from .resources import AbstractResource, index_key
from .router import UrlDispatcher, UrlMappingMatchInfo, _Deferred
from .routes import Route, below_prefix

if TYPE_CHECKING:
    from .app import Application

__all__ = ["MatchedSubAppResource", "PrefixedSubAppResource"]


async def _unreachable(request: Any) -> Any:  # pragma: no cover - a sub-application route is never a handler
    raise RuntimeError("a sub-application route has no handler of its own")


class _SubAppRoute(Route):
    """A route of the parent's table that hands matching requests to ``app``'s router."""

    __slots__ = ("_app", "_parent")
    _nested = True
    _by_host = False  # True for a domain's route: it is asked before the table (see UrlDispatcher.match_request)

    def __init__(self, app: Application) -> None:
        super().__init__("*", _unreachable, None)
        self._app = app
        self._parent: Application | None = None

    @property
    def app(self) -> Application:
        """The sub-application."""
        return self._app

    def _attach(self, router: UrlDispatcher) -> None:
        """Link the sub-application's router to ``router``, whose table this route is being added to; called by
        ``router.register_route`` before it changes its table. The sub-application's resources of its own
        (``register_resource``), and those of the applications nested in it, are given the path prefix it is now
        served under with ``add_prefix()``, as aiohttp gives a sub-application's resources its prefix: their
        ``resolve()`` sees the request's whole path. A resource that refuses it (aiohttp-asgi's ``ASGIResource``
        raises) makes ``add_subapp`` raise, as in aiohttp."""
        sub_router = self._app.router
        prefix = router.full_prefix() + self._own_prefix()
        if prefix:
            for resource in _foreign_resources(sub_router):
                resource.add_prefix(prefix)
        self._parent = router._owner_app
        if _encloses(sub_router, router):
            # An application added into itself (aiohttp accepts it; routing a request there recurses without end
            # in either): no parent link, which would make the chain of parents a cycle that adding routes walks.
            return
        sub_router._parent = router
        if sub_router.awaits:
            router._await_resources()

    def _registered_elsewhere(self) -> None:
        """Registered with ``register_resource`` in a router of another kind (``add_subapp`` under a router of the
        application's own): the sub-application's routes and resources are given the path prefix they are served
        under, as ``_attach`` gives them, and as aiohttp's ``PrefixedSubAppResource`` does when made; its
        :meth:`resolve` answers as aiohttp's (see there)."""
        sub_router = self._app.router
        prefix = self._own_prefix()
        if prefix:
            for resource in _foreign_resources(sub_router):
                resource.add_prefix(prefix)
            sub_router._prefix = prefix

    def _own_prefix(self) -> str:
        """The path prefix this route adds ('' for a domain's)."""
        return ""

    def match(self, path: str) -> dict[str, str] | None:
        # Never a plain match: the router asks resolve_sub(), which needs the request.
        return None

    def claims(self, request: Any, path: str) -> str | None:
        """The path the sub-application resolves when it takes ``request``; None when it does not."""
        raise NotImplementedError

    def asked_before(self, route: Route) -> bool:
        """Whether this sub-application answers a path it claims before ``route``, of the same table, which also
        matches it (see ``UrlDispatcher.match_request``). A domain's is asked before every route."""
        return True

    def resolve_sub(self, request: Any, method: str, path: str) -> UrlMappingMatchInfo | None:
        """The sub-application's answer for ``request`` on ``path``, None when it does not claim the path; a
        ``_Deferred`` when its router awaits (see :meth:`resolve_awaited`)."""
        sub_path = self.claims(request, path)
        if sub_path is None:
            return None
        router = self._app.router
        if router.awaits:
            return _Deferred(self, method, sub_path)
        if router.__class__ is UrlDispatcher:
            # The sub-application's direct table, as UrlDispatcher._resolve reads it: a plain path there is one
            # match_request answers with that route (no pattern route before it matches it, no sub-application of
            # its own claims it).
            info = router._direct_match(sub_path, method, self._parent)
            if info is not None:
                return info
        info = router.match_request(request, method, sub_path)
        info._apps = (self._parent, *(info.apps or (self._app,)))
        return info

    async def resolve_awaited(self, request: Any, method: str, path: str) -> Any:
        """:meth:`resolve_sub`'s answer, awaited, for a sub-application whose router awaits: its router's answer on
        ``path`` with the applications recorded, as aiohttp's sub-application resource does. Ours lists them all
        (``apps`` starting with the parent, as :meth:`resolve_sub`'s); a resource's own match info gets
        ``add_app(app)``, and the request handler adds the outermost application, as aiohttp's does."""
        info = await self._app.router._resolve_below(request, method, path)
        if isinstance(info, UrlMappingMatchInfo):
            info._apps = (self._parent, *(info.apps or (self._app,)))
        else:
            add_app = getattr(info, "add_app", None)
            if add_app is not None:
                add_app(self._app)
        return info

    async def resolve(self, request: Any) -> tuple[Any, set[str]]:
        """aiohttp 3's lookup of the resource: the sub-application's answer for ``request`` (its match info, or its
        404 or 405) and, for a 405, the methods allowed; ``(None, set())`` when it does not claim the request. The
        router does not call it: it asks :meth:`resolve_sub` (see web.router)."""
        path = below_prefix(request.rel_url.path_safe, self._url_prefix())
        if self._owner is None:
            # Registered in a router of another kind (_registered_elsewhere): aiohttp's answer, the sub-application's
            # match info with the sub-application recorded (add_app) and not frozen, for the application whose router
            # asked to record itself (Application._handle) before the handler runs.
            sub_path = None if path is None else self.claims(request, path)
            if sub_path is None:
                return None, set()
            info = await self._app.router._resolve_below(request, request.method, sub_path)
            if isinstance(info, UrlMappingMatchInfo):
                info._apps = info._apps or (self._app,)  # () is the sub-application's own route (see _resolve_below)
                info._frozen = False
            else:
                info.add_app(self._app)
        else:
            info = None if path is None else self.resolve_sub(request, request.method, path)
            if info is None:
                return None, set()
            if info.__class__ is _Deferred:
                info = await self.resolve_awaited(request, info._method, info.path)
        exception = getattr(info, "http_exception", None)  # a resource of the application's own answered it
        return info, set(exception.allowed_methods) if isinstance(exception, HTTPMethodNotAllowed) else set()

    def freeze(self) -> None:
        """aiohttp 3's resource hook: nothing to finish (the sub-application's router freezes with its application)."""
        return None

    def __len__(self) -> int:
        return len(self._app.router.routes())

    def __iter__(self) -> Iterator[Route]:
        return iter(self._app.router.routes())


class PrefixedSubAppResource(_SubAppRoute):
    """Serves a sub-application under a path prefix (``app.add_subapp(prefix, subapp)``)."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str, app: Application) -> None:
        super().__init__(app)
        self.prefix = prefix

    def _attach(self, router: UrlDispatcher) -> None:
        super()._attach(router)
        if self._app.router._parent is router:  # not for an application added into itself
            self._app.router._prefix = self.prefix

    def _own_prefix(self) -> str:
        return self.prefix

    @property
    def canonical(self) -> str:
        # The whole path prefix, as aiohttp's after add_prefix(): a nested sub-application's includes its parent's.
        return self._url_prefix() + self.prefix

    def claims(self, request: Any, path: str) -> str | None:
        prefix = self.prefix
        if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
            return path[len(prefix) :]
        return None

    def literal_prefix(self) -> tuple[str, ...]:
        return tuple(self.prefix.split("/")[1:])

    def asked_before(self, route: Route) -> bool:
        # aiohttp walks a path's prefixes longest first, asking at each the resources indexed there (index_key: a
        # route under its path up to its last literal segment, a sub-application under its prefix) in the order
        # they were added (UrlDispatcher.resolve); a sub-application's answer is final. Both keys lie on the path.
        theirs = len(index_key(route.canonical))
        own = len(index_key(self.canonical))
        return theirs < own or (theirs == own and self._index < route._index)

    def url_for(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(".url_for() is not supported by sub-application root")

    def get_info(self) -> dict[str, Any]:
        return {"app": self._app, "prefix": self.prefix}

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self.prefix} -> {self._app!r}>"


class MatchedSubAppResource(_SubAppRoute):
    """Serves a sub-application for requests to one host (``app.add_domain(domain, subapp)``); ``*`` in the
    domain matches one or more labels (``*.example.com``)."""

    __slots__ = ("_pattern", "domain")
    _by_host = True

    def __init__(self, domain: str, app: Application) -> None:
        super().__init__(app)
        self.domain = domain = _check_domain(domain)
        if "*" in domain:
            mask = re.escape(domain).replace(r"\*", r"(?:[a-z0-9\-]+\.)*[a-z0-9\-]+")
            self._pattern: re.Pattern[str] | None = re.compile(mask)
        else:
            self._pattern = None

    @property
    def canonical(self) -> str:
        return self.domain

    def claims(self, request: Any, path: str) -> str | None:
        host = request.host
        if not host:
            return None
        host = host.lower()
        if ":" in host and not host.endswith("]"):
            name, _, port = host.rpartition(":")
            if ":" not in self.domain and port.isdigit():
                host = name
        if self._pattern is not None:
            return path if self._pattern.fullmatch(host) else None
        return path if host == self.domain else None

    def get_info(self) -> dict[str, Any]:
        return {"app": self._app, "domain": self.domain}

    def __repr__(self) -> str:
        return f"<MatchedSubAppResource -> {self._app!r}>"


AbstractResource.register(_SubAppRoute)


def _foreign_resources(router: UrlDispatcher) -> Iterator[Any]:
    """The resources of the application's own (``register_resource``) of ``router`` and of the routers of the
    applications nested in it."""
    for _, resource in router._foreign:
        yield resource
    for sub in router._nested:
        yield from _foreign_resources(sub._app.router)


def _encloses(outer: UrlDispatcher, router: UrlDispatcher | None) -> bool:
    """Whether ``router`` is ``outer`` or the router of an application nested in ``outer``'s."""
    while router is not None:
        if router is outer:
            return True
        router = router._parent
    return False


def _check_domain(domain: str) -> str:
    """A domain as aiohttp's ``Domain`` checks it: lower-cased, no scheme or path, IDNA-encodable."""
    if not domain:
        raise ValueError("Domain cannot be empty")
    if "://" in domain:
        raise ValueError("Scheme not supported")
    domain = domain.lower().rstrip(".")
    if "/" in domain or any(not label for label in domain.split(":", 1)[0].split(".")):
        raise ValueError("Invalid domain")
    if "*" in domain:
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("Invalid domain") from None

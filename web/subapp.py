"""Sub-applications: the routes through which an ``Application`` hands requests to a nested one.

``app.add_subapp('/admin', admin)`` registers a :class:`PrefixedSubAppResource`: every path under ``/admin/``
is resolved by ``admin``'s router on the rest of the path. ``app.add_domain('api.example.com', api)`` registers
a :class:`MatchedSubAppResource`, which claims requests by their Host instead. Either way the match info records
the applications the request went through (``match_info.apps``, outermost first); the request handler runs their
middlewares in that order and sets ``request.app`` to each application while its own middlewares and handler run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .resources import AbstractResource
from .router import UrlDispatcher, UrlMappingMatchInfo
from .routes import Route

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
        if self._app.router.foreign:
            # Sub-applications resolve without waiting, and such a resource's resolve() is a coroutine; aiohttp
            # would give it the prefix through add_prefix(), which aiohttp-asgi's ASGIResource refuses too.
            raise RuntimeError(
                "a resource given to register_resource() is served by the outermost application only, "
                "not by a sub-application"
            )
        self._parent = router._owner_app

    def match(self, path: str) -> dict[str, str] | None:
        # Never a plain match: the router asks resolve_sub(), which needs the request.
        return None

    def claims(self, request: Any, path: str) -> str | None:
        """The path the sub-application resolves when it takes ``request``; None when it does not."""
        raise NotImplementedError

    def resolve_sub(self, request: Any, method: str, path: str) -> UrlMappingMatchInfo | None:
        sub_path = self.claims(request, path)
        if sub_path is None:
            return None
        router = self._app.router
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
        sub_router = self._app.router
        sub_router._prefix = self.prefix
        sub_router._parent = router

    @property
    def canonical(self) -> str:
        return self.prefix

    def claims(self, request: Any, path: str) -> str | None:
        prefix = self.prefix
        if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
            return path[len(prefix) :]
        return None

    def literal_prefix(self) -> tuple[str, ...]:
        return tuple(self.prefix.split("/")[1:])

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

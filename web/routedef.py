"""Route definitions (aiohttp 3): ``web.get('/', handler)``, ``web.static(...)`` and ``RouteTableDef``.

A definition is inert data until ``router.add_routes(definitions)`` registers it, so route tables can be
declared at module level, next to their handlers, and added to an application later.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

__all__ = [
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
]


class AbstractRouteDef(abc.ABC):
    """The base of route definitions: ``register(router)`` adds them and returns the routes created."""

    __slots__ = ()

    @abc.abstractmethod
    def register(self, router: Any) -> list[Any]:
        """Add this definition to ``router``; returns the routes created."""


# The methods a definition registers through the router's shortcut (``add_get``...), as aiohttp's do, so a router
# subclass overriding one sees it called and ``web.get()`` answers HEAD as ``add_get`` does; others use add_route.
_SHORTCUTS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"})


def _extra(kwargs: dict[str, Any]) -> str:
    """The keyword arguments of a definition, as its repr lists them (sorted, as aiohttp's)."""
    return "".join(f", {name}={value!r}" for name, value in sorted(kwargs.items()))


# Slotted (no __dict__), as aiohttp's: a module can declare thousands of definitions.
@dataclass(frozen=True, repr=False, slots=True)
class RouteDef(AbstractRouteDef):
    """``method`` on ``path`` goes to ``handler``; ``kwargs`` are passed to the router's ``add_<method>``."""

    method: str
    path: str
    handler: Any
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<RouteDef {self.method} {self.path} -> {self.handler.__name__!r}{_extra(self.kwargs)}>"

    def register(self, router: Any) -> list[Any]:
        """Add this definition to ``router``; returns the route created (for GET, the GET route)."""
        if self.method in _SHORTCUTS:
            add = getattr(router, "add_" + self.method.lower())
            return [add(self.path, self.handler, **self.kwargs)]
        return [router.add_route(self.method, self.path, self.handler, **self.kwargs)]


@dataclass(frozen=True, repr=False, slots=True)
class StaticDef(AbstractRouteDef):
    """Files under directory ``path`` served at ``prefix``; ``kwargs`` go to ``router.add_static``."""

    prefix: str
    path: Any
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<StaticDef {self.prefix} -> {self.path}{_extra(self.kwargs)}>"

    def register(self, router: Any) -> list[Any]:
        """Add this definition to ``router``; returns the routes created."""
        return [router.add_static(self.prefix, self.path, **self.kwargs)]


def route(method: str, path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A definition of ``handler`` for ``method`` on ``path``."""
    return RouteDef(method.upper(), path, handler, kwargs)


def head(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A HEAD route definition."""
    return route("HEAD", path, handler, **kwargs)


def get(path: str, handler: Any, *, name: str | None = None, allow_head: bool = True, **kwargs: Any) -> RouteDef:
    """A GET route definition; it also answers HEAD unless ``allow_head=False``."""
    return route("GET", path, handler, name=name, allow_head=allow_head, **kwargs)


def options(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A definition of ``handler`` for OPTIONS on ``path``."""
    return route("OPTIONS", path, handler, **kwargs)


def post(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A POST route definition."""
    return route("POST", path, handler, **kwargs)


def put(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A PUT route definition."""
    return route("PUT", path, handler, **kwargs)


def patch(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A PATCH route definition."""
    return route("PATCH", path, handler, **kwargs)


def delete(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A DELETE route definition."""
    return route("DELETE", path, handler, **kwargs)


def view(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    """A definition answering any method (``'*'``), as aiohttp's class-based views are registered."""
    return route("*", path, handler, **kwargs)


def static(prefix: str, path: Any, **kwargs: Any) -> StaticDef:
    """A static files definition (see ``UrlDispatcher.add_static``)."""
    return StaticDef(prefix, path, kwargs)


class RouteTableDef(Sequence[RouteDef | StaticDef]):
    """A route table filled with decorators::

    routes = web.RouteTableDef()

    @routes.get('/')
    async def index(request): ...

    app.router.add_routes(routes)
    """

    def __init__(self) -> None:
        self._items: list[RouteDef | StaticDef] = []

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"

    @overload
    def __getitem__(self, index: int) -> RouteDef | StaticDef: ...

    @overload
    def __getitem__(self, index: slice) -> list[RouteDef | StaticDef]: ...

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[RouteDef | StaticDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def route(self, method: str, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        """Decorator adding the decorated handler for ``method`` on ``path``."""

        def register(handler: Any) -> Any:
            self._items.append(RouteDef(method.upper(), path, handler, kwargs))
            return handler

        return register

    def head(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("HEAD", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("GET", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("OPTIONS", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("DELETE", path, **kwargs)

    def view(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("*", path, **kwargs)

    def static(self, prefix: str, path: Any, **kwargs: Any) -> None:
        """Add a static files definition."""
        self._items.append(StaticDef(prefix, path, kwargs))

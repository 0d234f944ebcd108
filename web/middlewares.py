"""Middlewares: the ``@web.middleware`` marker and ``normalize_path_middleware``.

A middleware is ``async def mw(request, handler) -> response``; ``Application(middlewares=[...])`` applies them
in order, the first one outermost. It sees the ``HTTPNotFound`` / ``HTTPMethodNotAllowed`` the router's handler
raises for a miss, so it can render its own error page. An application without middlewares pays nothing: the
handler machinery calls the route's handler directly.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from .exceptions import HTTPMove, HTTPPermanentRedirect
from .routes import routing_path

__all__ = ["middleware", "normalize_path_middleware"]

Middleware = Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]
_M = TypeVar("_M", bound=Callable[..., Any])


def middleware(func: _M) -> _M:
    """Mark ``func`` as a new-style middleware, called as ``await func(request, handler)``."""
    func.__middleware_version__ = 1  # type: ignore[attr-defined]
    return func


_SLASHES = re.compile(r"//+")


def normalize_path_middleware(
    *,
    append_slash: bool = True,
    remove_slash: bool = False,
    merge_slashes: bool = True,
    redirect_class: type[HTTPMove] = HTTPPermanentRedirect,
) -> Middleware:
    """A middleware redirecting a request that matches no route to a normalized path that does.

    Tried in order, the first that resolves wins: merge repeated slashes; append a trailing slash (or, with
    ``remove_slash``, remove one); both. The query string is kept. ``append_slash`` and ``remove_slash`` are
    mutually exclusive: asking for both raises ``AssertionError``, as in aiohttp. The redirect is
    ``redirect_class`` (308 by default: the method and body are repeated).
    """
    if append_slash and remove_slash:
        # Raised, not asserted: the check holds under ``python -O`` too.
        raise AssertionError("Cannot use both append_slash and remove_slash")

    @middleware
    async def normalize_path(request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        match_info = request.match_info
        if getattr(match_info, "http_exception", None) is None:
            return await handler(request)
        raw = request.raw_path
        path, sep, query = raw.partition("?")
        candidates = []
        if merge_slashes:
            candidates.append(_SLASHES.sub("/", path))
        if append_slash and not path.endswith("/"):
            candidates.append(path + "/")
            if merge_slashes:
                candidates.append(_SLASHES.sub("/", path) + "/")
        if remove_slash and path.endswith("/") and len(path) > 1:
            candidates.append(path[:-1])
            if merge_slashes:
                merged = _SLASHES.sub("/", path)
                if len(merged) > 1:
                    candidates.append(merged.rstrip("/") or "/")
        router = request.app.router
        for candidate in candidates:
            if candidate == path:
                continue
            info = router.match(request.method, routing_path(candidate))
            if info.http_exception is None:
                raise redirect_class(candidate + sep + query)
        return await handler(request)

    return normalize_path

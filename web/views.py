"""Class-based views (aiohttp 3): a ``web.View`` subclass answers each HTTP method with the method of its own name.

    class UserView(web.View):
        async def get(self):
            return web.json_response({"id": self.request.match_info["id"]})

    app.router.add_view("/users/{id}", UserView)     # or add_route("*", ...), web.view(...), @routes.view(...)

A method the class does not define is answered with 405 and an ``Allow`` header naming those it does.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from .exceptions import HTTPMethodNotAllowed

__all__ = ["AbstractView", "View"]

# The methods a View may answer (aiohttp's hdrs.METH_ALL).
METH_ALL = frozenset({"CONNECT", "HEAD", "GET", "DELETE", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"})


class AbstractView:
    """The base of class-based views: built with the request, then awaited for the response."""

    def __init__(self, request: Any) -> None:
        self._request = request

    @property
    def request(self) -> Any:
        """The request being answered."""
        return self._request

    def __await__(self) -> Generator[Any, None, Any]:
        raise NotImplementedError


class View(AbstractView):
    """Dispatches to the coroutine method named after the request's method, lower-cased (``get``, ``post``...)."""

    async def _iter(self) -> Any:
        method = self.request.method
        handler = getattr(self, method.lower(), None) if method in METH_ALL else None
        if handler is None:
            self._raise_allowed_methods()
        return await handler()  # type: ignore[misc]

    def __await__(self) -> Generator[Any, None, Any]:
        return self._iter().__await__()

    def _raise_allowed_methods(self) -> None:
        allowed = {method for method in METH_ALL if hasattr(self, method.lower())}
        raise HTTPMethodNotAllowed(self.request.method, allowed)

"""The router ABCs: what the handler machinery needs from any router and from its match result.

aiohttp 0.14 keeps this deliberately trivial so that routers other than URL matching (e.g. traversal) can plug in:
a router is any object with a ``resolve(request)`` coroutine returning an :class:`AbstractMatchInfo`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

# aiohttp 3 keeps the class-based views' base in aiohttp.abc too: code written for it imports it from there.
from .views import AbstractView as AbstractView

if TYPE_CHECKING:
    from .exceptions import HTTPException
    from .request import Request
    from .response import StreamResponse

__all__ = ["AbstractAccessLogger", "AbstractMatchInfo", "AbstractRouter", "AbstractView", "Handler"]

#: What a route calls: ``async def handler(request) -> StreamResponse``.
Handler = Callable[["Request"], Awaitable["StreamResponse"]]


class AbstractRouter(ABC):
    """A router: maps a request to an :class:`AbstractMatchInfo`. Its only required member is ``resolve``."""

    @abstractmethod
    async def resolve(self, request: Request) -> AbstractMatchInfo:
        """Return the match info for ``request``.

        Call contract: never raises for an unknown path or a wrong method; the returned match info's handler
        raises ``HTTPNotFound`` / ``HTTPMethodNotAllowed`` instead, so that middlewares can render those.
        """

    def freeze(self) -> None:
        """Called once the application starts serving; a router may build its indexes here."""
        return None


class AbstractMatchInfo(ABC):
    """The result of routing one request; available to the handler as ``request.match_info``."""

    __slots__ = ()

    @property
    @abstractmethod
    def handler(self) -> Handler:
        """The coroutine function to call with the request."""

    @property
    @abstractmethod
    def route(self) -> Any:
        """The route that matched, or None when nothing matched."""

    @property
    def http_exception(self) -> HTTPException | None:
        """For a miss, the exception the handler raises (404 or 405); None for a match."""
        return None

    def get_info(self) -> dict[str, Any]:
        """A dict describing the matched route, for debugging and logging."""
        return {}


class AbstractAccessLogger(ABC):
    """aiohttp 3's base for an access logger class: ``log(request, response, time)`` writes one line to ``logger``.

    Code written for aiohttp 3 subclasses it (and imports it from ``aiohttp.abc``), so the name is here."""

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: Request, response: StreamResponse, time: float) -> None:
        """Write the access log line of one exchange; ``time`` is how long it took, in seconds."""

    @property
    def enabled(self) -> bool:
        """Whether :meth:`log` writes anything; a subclass may say no to save the formatting."""
        return True

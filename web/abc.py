"""The ABCs: what the handler machinery needs from any router and from its match result, and aiohttp 3's
access logger base.

aiohttp 0.14 keeps this deliberately trivial so that routers other than URL matching (e.g. traversal) can plug in:
a router is any object with a ``resolve(request)`` coroutine returning an :class:`AbstractMatchInfo`.
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

# aiohttp.abc holds the body writer's ABC too; it lives beside our writer, which the response machinery imports.
from .payloadwriter import AbstractStreamWriter as AbstractStreamWriter

# aiohttp 3 keeps the class-based views' base in aiohttp.abc too: code written for it imports it from there.
from .views import AbstractView as AbstractView

if TYPE_CHECKING:
    from .exceptions import HTTPException
    from .request import Request
    from .response import StreamResponse

__all__ = [
    "AbstractAccessLogger",
    "AbstractMatchInfo",
    "AbstractRouter",
    "AbstractStreamWriter",
    "AbstractView",
    "Handler",
]

#: What a route calls: ``async def handler(request) -> StreamResponse``.
Handler = Callable[["Request"], Awaitable["StreamResponse"]]


class AbstractRouter(ABC):
    """A router: maps a request to an :class:`AbstractMatchInfo`. Its only required member is ``resolve``.

    aiohttp 3 adds :meth:`post_init` (the ``Application`` calls it with itself), :meth:`freeze` (called when the
    application starts, or is added as a sub-application) and :attr:`frozen`; all three have defaults, so a router
    written against the aiohttp 0.14 API, which defines only ``resolve`` (and may not call this ``__init__``), still
    works.
    """

    def __init__(self) -> None:
        self._frozen = False

    def post_init(self, app: Any) -> None:
        """Called by ``web.Application(router=...)`` with the application, so that a router may learn the
        application it serves; does nothing by default (aiohttp 3 keeps it non-abstract for that reason)."""
        return None

    @property
    def frozen(self) -> bool:
        """True once :meth:`freeze` was called."""
        # A subclass of the aiohttp 0.14 API need not call __init__: unset means not frozen.
        return getattr(self, "_frozen", False)

    def freeze(self) -> None:
        """Called once the application's routes are complete (it starts, or is added as a sub-application); a
        router may build its indexes here and refuse further routes. Sets :attr:`frozen`."""
        self._frozen = True

    @abstractmethod
    async def resolve(self, request: Request) -> AbstractMatchInfo:
        """Return the match info for ``request``.

        Call contract: never raises for an unknown path or a wrong method; the returned match info's handler
        raises ``HTTPNotFound`` / ``HTTPMethodNotAllowed`` instead, so that middlewares can render those.
        """


class AbstractMatchInfo(ABC):
    """The result of routing one request; available to the handler as ``request.match_info``.

    Only :attr:`handler` is abstract. The aiohttp 0.14 API requires ``handler`` and ``route``; aiohttp 3 requires
    ``handler``, :attr:`expect_handler`, :attr:`http_exception`, :meth:`get_info`, :attr:`apps`, :meth:`add_app` and
    :meth:`freeze`, and has no ``route``. Each of those gets a default here instead of being abstract, so that a
    subclass written against either API can be instantiated: making aiohttp 3's members abstract would refuse every
    aiohttp 0.14-style subclass, and keeping ``route`` abstract every aiohttp 3-style one.

    Call contract (aiohttp 3's): the application calls :meth:`add_app` with itself on the match info its router
    returns, then :meth:`freeze`; a sub-application's resource calls ``add_app(subapp)`` before that, so
    :attr:`apps` lists the applications the request went through, outermost first. After :meth:`freeze`,
    :meth:`add_app` raises ``RuntimeError``.
    """

    # The defaults of apps/add_app/freeze keep their state in these when the subclass has room for them (a
    # __dict__, or these slots); a subclass with __slots__ of its own and neither records no applications.
    __slots__ = ()

    @property
    @abstractmethod
    def handler(self) -> Handler:
        """The coroutine function to call with the request."""

    @property
    def route(self) -> Any:
        """The route that matched, or None when nothing matched (or the router has no routes)."""
        # Abstract in the aiohttp 0.14 API, absent from aiohttp 3's ABC: a default, so an aiohttp 3 subclass that
        # does not define it is still instantiable.
        return None

    @property
    def expect_handler(self) -> Callable[[Request], Awaitable[StreamResponse | None]]:
        """The coroutine that answers ``Expect: 100-continue`` for the request, awaited before the middlewares
        (a response it returns is the answer). By default the default route's: the ``100 Continue`` is sent when
        the handler first reads the body; any other expectation raises ``HTTPExpectationFailed``."""
        # Abstract in aiohttp 3; a default so that an aiohttp 0.14-style subclass is still instantiable.
        from .routes import default_expect_handler

        return default_expect_handler

    @property
    def http_exception(self) -> HTTPException | None:
        """For a miss, the exception the handler raises (404 or 405); None for a match."""
        return None

    def get_info(self) -> dict[str, Any]:
        """A dict describing the matched route, for debugging and logging."""
        return {}

    @property
    def apps(self) -> tuple[Any, ...]:
        """The applications the request went through, outermost first (see :meth:`add_app`)."""
        return getattr(self, "_match_apps", ())

    def add_app(self, app: Any) -> None:
        """Put ``app`` in front of :attr:`apps`; ``RuntimeError`` after :meth:`freeze`, as in aiohttp 3."""
        if getattr(self, "_match_frozen", False):
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        # A subclass with __slots__ of its own and no room for the attribute records nothing (apps stays empty: the
        # request handler then serves it with the application whose router answered, as for the aiohttp 0.14 API).
        with contextlib.suppress(AttributeError):
            self._match_apps = (app, *self.apps)

    def freeze(self) -> None:
        """Refuse further :meth:`add_app` calls; called by the application once routing is done."""
        with contextlib.suppress(AttributeError):
            self._match_frozen = True


class AbstractAccessLogger(ABC):
    """Abstract writer to access log (aiohttp 3's ``aiohttp.abc.AbstractAccessLogger``).

    Pass a subclass as ``access_log_class`` to ``web.run_app``, ``web.AppRunner``, ``web.Server`` or
    ``app.make_handler()``: the server makes one instance, ``access_log_class(access_log, access_log_format)``, and
    calls its :meth:`log` after each answer with the ``Request``, the response sent and the time taken, in
    seconds. Call contract: :meth:`log` runs in the handler's task, after the response is written (so it sees the
    context variables the handler and middlewares set); an exception it raises is logged to the application's
    logger and the connection goes on. aiohttp 3.14's ``log`` is a plain method; one that returns an awaitable
    (an ``async def log``) is awaited there too.
    """

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: Request, response: StreamResponse, time: float) -> None:
        """Emit log to logger."""

    @property
    def enabled(self) -> bool:
        """Check if logger is enabled. Read once per connection, when it opens, as aiohttp reads it: False, and the
        connection's answers are not logged (nor timed)."""
        return True

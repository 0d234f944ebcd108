"""What the worker needs of an app, as typed interfaces: the seam between ``supervisor`` and the app it serves.

``web.Application`` and its ``RequestHandlerFactory`` are the implementations; any object with the same members
serves as well. The loader tells an Application from a factory that returns one by :class:`MakesHandler`, the one
probe the supervisor makes; everything else is typed, not probed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from server.exchange import Exchange
    from server.registry import ConnectionRegistry

__all__ = ["Application", "HandlerFactory", "MakesHandler"]


class HandlerFactory(Protocol):
    """The protocol factory ``make_handler`` returns: the worker serves each listening socket with it, reads its
    counts for the master, answers the health path through ``preempt`` and drains it through ``connections`` and
    ``shutdown``."""

    connections: ConnectionRegistry
    """The worker's connections: their count, the request count, the access logger, and the start of a drain."""

    preempt: Callable[[Exchange], bool] | None
    """Called with every request before the app; returns True when it has answered it (the health path)."""

    @property
    def requests_count(self) -> int:
        """Requests answered so far."""
        ...

    def __call__(self) -> asyncio.Protocol:
        """A protocol for one new connection."""
        ...

    async def shutdown(self, timeout: float = 30.0, grace: float = 1.0) -> None:
        """Answer what is in flight with ``Connection: close``, give idle keep-alives ``grace`` seconds, and close
        every connection within ``timeout``."""
        ...


@runtime_checkable
class MakesHandler(Protocol):
    """What tells an Application from a factory function that returns one (``module:name`` may be either)."""

    def make_handler(self, **kwargs: Any) -> HandlerFactory:
        """The handler factory for the server settings ``kwargs`` (``ServerConfig.server_kwargs()``)."""
        ...


class Application(MakesHandler, Protocol):
    """An app the worker serves: it makes the handler factory, then awaits ``startup()`` before it serves and
    ``shutdown()``, ``finish()``, ``cleanup()`` after the drain, in that order."""

    async def startup(self) -> None:
        """Start the app (``on_startup``); an error means the worker must not serve."""
        ...

    async def shutdown(self) -> None:
        """Run the app's ``on_shutdown`` callbacks."""
        ...

    async def finish(self) -> None:
        """Run the callbacks registered with ``register_on_finish``."""
        ...

    async def cleanup(self) -> None:
        """Run the app's cleanup (``cleanup_ctx``, ``on_cleanup``)."""
        ...

"""The seed's ``Application``: a dict-like registry holding the router, middlewares and life-cycle callbacks."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from .helpers import web_logger

if TYPE_CHECKING:
    from .handler import RequestHandlerFactory

__all__ = ["Application"]

AppCallback = Callable[["Application"], Awaitable[None]]


class Application(dict):  # type: ignore[type-arg]
    """A web application: a router, middlewares and the callbacks run when it starts and finishes.

    It is a dict, a registry for arbitrary values that handlers reach through ``request.app``. Connect it to a
    server with ``loop.create_server(app.make_handler(), host, port)``, or run it under the ``prefork`` command.
    """

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        router: Any = None,
        logger: logging.Logger = web_logger,
        middlewares: Iterable[Any] = (),
        client_max_size: int = 1024**2,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if router is None:
            from .router import UrlDispatcher

            router = UrlDispatcher()
        self._router = router
        self._loop = loop
        self.logger = logger
        self._middlewares = list(middlewares)
        self._client_max_size = client_max_size
        self._finish_callbacks: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
        self.on_startup: list[AppCallback] = []
        self.on_shutdown: list[AppCallback] = []
        self.on_cleanup: list[AppCallback] = []
        post_init = getattr(router, "post_init", None)
        if post_init is not None:
            post_init(self)

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def __bool__(self) -> bool:
        return True

    @property
    def router(self) -> Any:
        """The router (a ``UrlDispatcher`` unless another was given); read-only."""
        return self._router

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop given to the constructor, else the running loop."""
        if self._loop is not None:
            return self._loop
        return asyncio.get_running_loop()

    @property
    def middlewares(self) -> list[Any]:
        return self._middlewares

    @property
    def client_max_size(self) -> int:
        return self._client_max_size

    def make_handler(self, **kwargs: Any) -> RequestHandlerFactory:
        """Create the protocol factory for ``loop.create_server()``; ``kwargs`` go to ``RequestHandlerFactory``."""
        from .handler import RequestHandlerFactory

        return RequestHandlerFactory(self, **kwargs)

    # -- life cycle ------------------------------------------------------------------------------------------

    def register_on_finish(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Register ``func(*args, **kwargs)`` to run at ``finish()``; the same function may be registered twice."""
        self._finish_callbacks.append((func, args, kwargs))

    async def finish(self) -> None:
        """Run the callbacks registered with ``register_on_finish`` in LIFO order, once each.

        A callback's error does not stop the others: it goes to ``loop.call_exception_handler`` with the keys
        ``message``, ``exception`` and ``application``.
        """
        callbacks, self._finish_callbacks = self._finish_callbacks, []
        loop = self.loop
        for func, args, kwargs in reversed(callbacks):
            try:
                result = func(*args, **kwargs)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                loop.call_exception_handler(
                    {"message": "Error in finish callback", "exception": exc, "application": self}
                )

    async def startup(self) -> None:
        """Run ``on_startup`` callbacks in order; an error propagates (the worker must not start serving)."""
        for callback in self.on_startup:
            await callback(self)

    async def shutdown(self) -> None:
        """Run ``on_shutdown`` callbacks in order, reporting errors through the loop's exception handler."""
        await self._run_all(self.on_shutdown, "on_shutdown")

    async def cleanup(self) -> None:
        """Run ``on_cleanup`` callbacks in reverse order, reporting errors through the loop's exception handler."""
        await self._run_all(list(reversed(self.on_cleanup)), "on_cleanup")

    async def _run_all(self, callbacks: list[AppCallback], what: str) -> None:
        loop = self.loop
        for callback in callbacks:
            try:
                await callback(self)
            except Exception as exc:
                loop.call_exception_handler(
                    {"message": f"Error in {what} callback", "exception": exc, "application": self}
                )

"""aiohttp 3's runners and sites: serve an application inside a loop the caller already runs.

    runner = web.AppRunner(app)
    await runner.setup()                       # on_startup (and cleanup_ctx)
    site = web.TCPSite(runner, "127.0.0.1", 8080)
    await site.start()
    ...
    await runner.cleanup()                     # stop listening, on_shutdown, close connections, on_cleanup

The server underneath is ours (``app.make_handler()``); ``web.run_app`` and the ``prefork`` master remain the ways
to run an application as a whole program.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from typing import Any

__all__ = [
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "GracefulExit",
    "NamedPipeSite",
    "Server",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
]


class GracefulExit(SystemExit):
    """Raised (by aiohttp's signal handlers) to leave ``run_app`` gracefully; exit status 1."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseRunner:
    """Owns the server (a protocol factory) and the sites listening with it.

    ``handle_signals=True``, as in aiohttp: from :meth:`setup` to :meth:`cleanup`, SIGINT and SIGTERM raise
    :class:`GracefulExit` out of the loop (``loop.add_signal_handler``), which ``web.run_app`` catches.
    """

    def __init__(self, *, handle_signals: bool = False, shutdown_timeout: float = 60.0, **kwargs: Any) -> None:
        self._handle_signals = handle_signals
        self._shutdown_timeout = shutdown_timeout
        self._kwargs = kwargs
        self._server: Any = None
        self._sites: list[BaseSite] = []

    @property
    def server(self) -> Any:
        """The protocol factory (a ``RequestHandlerFactory``) once :meth:`setup` ran, else None."""
        return self._server

    @property
    def addresses(self) -> list[Any]:
        """The socket addresses of every listening site."""
        found: list[Any] = []
        for site in self._sites:
            listener = site._server
            if listener is not None:
                found.extend(sock.getsockname() for sock in listener.sockets)
        return found

    @property
    def sites(self) -> set[BaseSite]:
        return set(self._sites)

    async def setup(self) -> None:
        """Start the application (``on_startup``) and create the server."""
        if self._server is not None:
            return
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(NotImplementedError):  # a loop without signal support (not the main thread's)
                loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
                loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
        self._server = await self._make_server()

    async def shutdown(self) -> None:
        """Hook run between stopping the sites and closing the connections (``on_shutdown``)."""

    async def cleanup(self) -> None:
        """Stop every site, run ``on_shutdown``, close the connections gracefully, run ``on_cleanup``."""
        for site in list(self._sites):
            await site.stop()
        if self._server is not None:
            await asyncio.sleep(0)  # let requests accepted before the sites stopped reach their handlers
            await self.shutdown()
            await self._server.shutdown(timeout=self._shutdown_timeout, grace=0.0)
        await self._cleanup_server()
        self._server = None
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)

    async def _make_server(self) -> Any:
        raise NotImplementedError

    async def _cleanup_server(self) -> None:
        pass

    def _reg_site(self, site: BaseSite) -> None:
        if site in self._sites:
            raise RuntimeError(f"Site {site} is already registered in runner {self}")
        self._sites.append(site)

    def _check_site(self, site: BaseSite) -> None:
        if site not in self._sites:
            raise RuntimeError(f"Site {site} is not registered in runner {self}")

    def _unreg_site(self, site: BaseSite) -> None:
        self._check_site(site)
        self._sites.remove(site)


class AppRunner(BaseRunner):
    """Runs an ``Application``; keyword arguments go to ``app.make_handler()`` (server settings)."""

    def __init__(self, app: Any, *, handle_signals: bool = False, **kwargs: Any) -> None:
        if not callable(getattr(app, "make_handler", None)):
            raise TypeError(f"The first argument should be web.Application instance, got {app!r}")
        if type(app).__module__.startswith("aiohttp."):
            # aiohttp's own Application has a make_handler too, of another protocol: it failed later, at startup.
            raise TypeError(
                f"The first argument should be web.Application instance, got aiohttp's own {app!r}: change "
                "`from aiohttp import web` to `import web`, or call web.as_aiohttp.install() before aiohttp.web is "
                "imported"
            )
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._app = app

    @property
    def app(self) -> Any:
        return self._app

    async def _make_server(self) -> Any:
        await self._app.startup()
        return self._app.make_handler(**self._kwargs)

    async def shutdown(self) -> None:
        await self._app.shutdown()

    async def _cleanup_server(self) -> None:
        await self._app.finish()
        await self._app.cleanup()


def Server(handler: Any, **kwargs: Any) -> Any:
    """aiohttp's low-level server: every request, whatever its method and path, goes to ``handler(request)``.

    Returns the protocol factory (a ``RequestHandlerFactory`` of an application with one catch-all route), for
    ``loop.create_server`` or :class:`ServerRunner`; keyword arguments are server settings.
    """
    from .app import LowLevelApplication

    app = LowLevelApplication()
    app.router.add_route("*", "/{path_info:.*}", handler)
    return app.make_handler(**kwargs)


class ServerRunner(BaseRunner):
    """Runs a low-level :func:`Server`."""

    def __init__(self, web_server: Any, *, handle_signals: bool = False, **kwargs: Any) -> None:
        super().__init__(handle_signals=handle_signals, **kwargs)
        self._web_server = web_server

    async def _make_server(self) -> Any:
        return self._web_server


class BaseSite:
    """One listening socket of a runner; :meth:`start` opens it, :meth:`stop` closes it."""

    def __init__(
        self,
        runner: BaseRunner,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Any = None,
        backlog: int = 128,
    ) -> None:
        if runner.server is None:
            raise RuntimeError("Call runner.setup() before making a site")
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: asyncio.AbstractServer | None = None

    @property
    def name(self) -> str:
        raise NotImplementedError

    async def start(self) -> None:
        self._runner._reg_site(self)

    async def stop(self) -> None:
        self._runner._check_site(self)
        if self._server is not None:
            self._server.close()
        self._runner._unreg_site(self)

    def _scheme(self) -> str:
        return "https" if self._ssl_context else "http"


class TCPSite(BaseSite):
    """Listens on ``host`` (all interfaces if None) and ``port`` (8443 with TLS, 8080 without, if None)."""

    def __init__(
        self,
        runner: BaseRunner,
        host: str | None = None,
        port: int | None = None,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Any = None,
        backlog: int = 128,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
    ) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog)
        self._host = host
        self._port = (8443 if ssl_context else 8080) if port is None else port
        self._bound_port: int | None = None
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def port(self) -> int:
        """The port listened on once started (what the kernel chose for port 0), the requested one before."""
        return self._port if self._bound_port is None else self._bound_port

    @property
    def name(self) -> str:
        host = "0.0.0.0" if not self._host else self._host
        if ":" in host:
            host = f"[{host}]"
        return f"{self._scheme()}://{host}:{self.port}"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._runner.server,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


class UnixSite(BaseSite):
    """Listens on the unix socket ``path``."""

    def __init__(
        self,
        runner: BaseRunner,
        path: str | os.PathLike[str],
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Any = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog)
        self._path = path

    @property
    def name(self) -> str:
        return f"{self._scheme()}://unix:{os.fspath(self._path)}:"

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(
            self._runner.server, self._path, ssl=self._ssl_context, backlog=self._backlog
        )


class SockSite(BaseSite):
    """Listens on an already bound socket."""

    def __init__(
        self,
        runner: BaseRunner,
        sock: socket.socket,
        *,
        shutdown_timeout: float = 60.0,
        ssl_context: Any = None,
        backlog: int = 128,
    ) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog)
        self._sock = sock
        if sock.family == socket.AF_UNIX:
            self._name = f"{self._scheme()}://unix:{sock.getsockname()}:"
        else:
            host, port = sock.getsockname()[:2]
            self._name = f"{self._scheme()}://{f'[{host}]' if ':' in host else host}:{port}"

    @property
    def name(self) -> str:
        return self._name

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        # create_server serves a bound unix socket as well as a TCP one (asyncio's and uvloop's), as in aiohttp.
        self._server = await loop.create_server(
            self._runner.server, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )


class NamedPipeSite(BaseSite):
    """aiohttp's Windows named-pipe site. prefork serves POSIX systems only: constructing one raises."""

    def __init__(self, runner: BaseRunner, path: str, *, shutdown_timeout: float = 60.0) -> None:
        raise RuntimeError("Named Pipes only available in proactor loop under windows")

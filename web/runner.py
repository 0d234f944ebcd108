"""``web.run_app``: serve one application in this process, on uvloop, with the production server core.

For development and small deployments; production runs ``prefork module:app`` (the pre-fork master). Ctrl-C
(SIGINT) or SIGTERM stops it gracefully, in the order the master's workers follow:

1. stop accepting (the listening sockets close);
2. ``await factory.shutdown(shutdown_timeout)``: in-flight requests are answered with ``Connection: close``,
   idle keep-alive connections close, websockets close with 1001, whatever is left at the timeout is aborted;
3. ``await app.shutdown()`` (``on_shutdown``), ``await app.finish()`` (``register_on_finish``),
   ``await app.cleanup()`` (``on_cleanup``).

A second signal during step 2 aborts the remaining connections at once; step 3 still runs.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
import os
import signal
import socket
import stat
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import uvloop

from .abc import AbstractAccessLogger
from .accesslog import AccessLogger
from .helpers import aiohttp_access_logger
from .runners import GracefulExit

__all__ = ["run_app"]

log = logging.getLogger("prefork.web")

_DEFAULT_HOST = "0.0.0.0"
_DEFAULT_PORT = 8080
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_app(
    app: Any,
    *,
    host: str | Sequence[str] | None = None,
    port: int | None = None,
    path: str | Sequence[str] | None = None,
    sock: socket.socket | Sequence[socket.socket] | None = None,
    shutdown_timeout: float = 60.0,
    print: Callable[..., None] | None = print,  # aiohttp's name for it
    access_log_class: type[AbstractAccessLogger] = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: logging.Logger | None = aiohttp_access_logger,
    handle_signals: bool = True,
    reuse_port: bool | None = None,
    backlog: int = 128,
    **factory_kwargs: Any,
) -> None:
    """Run ``app`` until SIGINT or SIGTERM, then shut it down gracefully; blocks, and creates its own loop.

    ``app`` is an ``Application`` or an awaitable returning one (e.g. ``create_app()`` of an ``async def``).
    Where to listen, as in aiohttp: ``host`` (a name or a list of them) and ``port``; ``path``, a unix socket
    path (or a list); ``sock``, already bound sockets. With none of them it serves ``http://0.0.0.0:8080``;
    ``port=0`` picks a free port (the banner tells which). ``print`` writes the banner (None: silent).
    ``access_log`` is the access logger (aiohttp's ``aiohttp.access`` by default; None: none), ``access_log_format``
    its format (aiohttp's language and default, ``web.AccessLogger.LOG_FORMAT``; one in gunicorn's ``%(h)s``
    language is taken too, see ``web.accesslog``) and ``access_log_class`` what writes it (``web.AccessLogger``,
    or a ``web.abc.AbstractAccessLogger`` subclass), as in aiohttp; when nothing is configured to show the logger,
    its lines go to stderr for the duration of the run. ``handle_signals=False`` leaves SIGINT to Python
    (KeyboardInterrupt, still a graceful stop) and SIGTERM alone. Other keyword arguments go to
    ``app.make_handler()`` (server settings such as ``keepalive_timeout``; ``client_max_size`` there is a
    server-wide cap on every body, the application's own is ``Application(client_max_size=...)``).
    """
    # aiohttp's run_app returns when GracefulExit (a SystemExit) leaves the loop: raised by a task, or by an
    # AppRunner's handle_signals; the runner's close has cancelled _serve, which shut the application down.
    with (
        contextlib.suppress(GracefulExit),
        asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner,
        _visible(access_log),
    ):
        runner.run(
            _serve(
                app,
                host=host,
                port=port,
                path=path,
                sock=sock,
                shutdown_timeout=shutdown_timeout,
                printer=print,
                access_log=access_log,
                handle_signals=handle_signals,
                reuse_port=reuse_port,
                backlog=backlog,
                factory_kwargs={
                    "access_log_class": access_log_class,
                    "access_log_format": access_log_format,
                    **factory_kwargs,
                },
            )
        )


@contextlib.contextmanager
def _visible(logger: logging.Logger | None) -> Any:
    """Show the access log on stderr while running, unless the user configured logging themselves."""
    if logger is None or logger.hasHandlers():
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes | os.PathLike | socket.socket):
        return [value]
    return list(value)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _sock_url(sock: socket.socket) -> str:
    name = sock.getsockname()
    if sock.family == socket.AF_UNIX:
        return f"http://unix:{name if isinstance(name, str) else name.decode(errors='replace')}:"
    return _url(name[0], name[1])


async def _listen(
    factory: Any,
    *,
    hosts: list[str],
    port: int | None,
    paths: list[Any],
    socks: list[socket.socket],
    reuse_port: bool | None,
    backlog: int,
) -> tuple[list[asyncio.AbstractServer], list[str], list[str]]:
    """Open every listener; return the servers, the URLs for the banner, and the unix paths to unlink at exit."""
    loop = asyncio.get_running_loop()
    servers: list[asyncio.AbstractServer] = []
    urls: list[str] = []
    made_paths: list[str] = []
    if not (hosts or paths or socks) or (port is not None and not hosts):
        hosts = [_DEFAULT_HOST]
    if hosts and port is None:
        port = _DEFAULT_PORT
    for host in hosts:
        server = await loop.create_server(factory, host, port, reuse_port=reuse_port, backlog=backlog)
        servers.append(server)
        urls.extend(_sock_url(s) for s in server.sockets)
    for unix_path in paths:
        unix_path = os.fspath(unix_path)
        server = await loop.create_unix_server(factory, unix_path, backlog=backlog)
        servers.append(server)
        made_paths.append(unix_path)
        urls.append(f"http://unix:{unix_path}:")
    for sock in socks:
        if sock.family == socket.AF_UNIX:
            server = await loop.create_unix_server(factory, sock=sock, backlog=backlog)
        else:
            server = await loop.create_server(factory, sock=sock, backlog=backlog)
        servers.append(server)
        urls.append(_sock_url(sock))
    return servers, urls, made_paths


async def _resolve_app(app: Any) -> Any:
    if isinstance(app, Awaitable):
        app = await app
    if not callable(getattr(app, "make_handler", None)):
        raise TypeError(
            f"run_app needs an Application (or an awaitable returning one), got {type(app).__name__}: "
            "pass web.Application() or create_app(), not create_app"
        )
    return app


async def _serve(
    app: Any,
    *,
    host: Any,
    port: int | None,
    path: Any,
    sock: Any,
    shutdown_timeout: float,
    printer: Callable[..., None] | None,
    access_log: logging.Logger | None,
    handle_signals: bool,
    reuse_port: bool | None,
    backlog: int,
    factory_kwargs: dict[str, Any],
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    hurry = asyncio.Event()
    if handle_signals:
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, _on_signal, stop, hurry)
    app = await _resolve_app(app)
    servers: list[asyncio.AbstractServer] = []
    made_paths: list[str] = []
    factory = None
    try:
        await app.startup()
        factory = app.make_handler(access_log=access_log, **factory_kwargs)
        servers, urls, made_paths = await _listen(
            factory,
            hosts=_as_list(host),
            port=port,
            paths=_as_list(path),
            socks=_as_list(sock),
            reuse_port=reuse_port,
            backlog=backlog,
        )
        if printer is not None:
            for url in urls:
                printer(f"======== Running on {url} ========")
            printer("(Press CTRL+C to quit)")
            if printer is builtins.print:
                sys.stdout.flush()  # a pipe (a test, a service manager) would otherwise hold the banner back
        await stop.wait()
    finally:
        # Runs for a signal, for Ctrl-C without our handlers (the task is cancelled), and for a startup error.
        with contextlib.suppress(asyncio.CancelledError):
            await _stop(app, servers, factory, shutdown_timeout, hurry)
        if handle_signals:
            for signum in _STOP_SIGNALS:
                loop.remove_signal_handler(signum)
        for unix_path in made_paths:
            _unlink_socket(unix_path)


def _on_signal(stop: asyncio.Event, hurry: asyncio.Event) -> None:
    if stop.is_set():
        hurry.set()  # a second Ctrl-C: do not wait for slow connections
    stop.set()


async def _stop(
    app: Any,
    servers: Iterable[asyncio.AbstractServer],
    factory: Any,
    timeout: float,
    hurry: asyncio.Event,
) -> None:
    servers = list(servers)
    for server in servers:
        server.close()
    if factory is not None:
        await _drain(factory, timeout, hurry)
    for server in servers:
        await server.wait_closed()
    await app.shutdown()
    await app.finish()
    await app.cleanup()


async def _drain(factory: Any, timeout: float, hurry: asyncio.Event) -> None:
    drain = asyncio.ensure_future(factory.shutdown(timeout=timeout))
    cut = asyncio.ensure_future(hurry.wait())
    try:
        await asyncio.wait([drain, cut], return_when=asyncio.FIRST_COMPLETED)
    finally:
        cut.cancel()
    if not drain.done():
        log.warning("second signal: aborting %d connection(s)", len(factory.connections))
        drain.cancel()
        for protocol in list(factory.connections):
            protocol.abort()
        with contextlib.suppress(asyncio.CancelledError):
            await drain
    else:
        drain.result()


def _unlink_socket(unix_path: str) -> None:
    with contextlib.suppress(OSError):
        if stat.S_ISSOCK(os.stat(unix_path).st_mode):
            os.unlink(unix_path)

"""``web.run_app``: serve one application in this process, on uvloop, with the production server core.

For development and small deployments; production runs ``prefork module:app`` (the pre-fork master). Ctrl-C
(SIGINT) or SIGTERM stops it gracefully, in aiohttp 3's order (``AppRunner.cleanup``):

1. stop accepting (the listening sockets close);
2. ``await app.shutdown()`` (``on_shutdown``: close the websockets, tell long polls to finish);
3. the connections close: in-flight requests are answered with ``Connection: close`` within ``shutdown_timeout``,
   idle keep-alive connections close at once, whatever is left at the timeout is aborted;
4. ``await app.finish()`` (``register_on_finish``), ``await app.cleanup()`` (``on_cleanup``).

A second signal during step 3 aborts the remaining connections at once; step 4 still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import stat
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import uvloop

from .abc import AbstractAccessLogger
from .accesslog import AccessLogger
from .helpers import aiohttp_access_logger
from .runners import AppRunner, BaseSite, GracefulExit, SockSite, TCPSite, UnixSite

__all__ = ["run_app"]

log = logging.getLogger("prefork.web")

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_app(
    app: Any,
    *,
    host: str | Sequence[str] | None = None,
    port: int | None = None,
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    sock: socket.socket | Iterable[socket.socket] | None = None,
    shutdown_timeout: float = 60.0,
    keepalive_timeout: float = 75.0,
    ssl_context: Any = None,
    print: Callable[..., None] | None = print,  # aiohttp's name for it
    backlog: int = 128,
    access_log_class: type[AbstractAccessLogger] = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: logging.Logger | None = aiohttp_access_logger,
    handle_signals: bool = True,
    reuse_address: bool | None = None,
    reuse_port: bool | None = None,
    handler_cancellation: bool = False,
    loop: asyncio.AbstractEventLoop | None = None,
    **factory_kwargs: Any,
) -> None:
    """Run ``app`` until SIGINT or SIGTERM, then shut it down gracefully; blocks, and closes the loop at the end.

    ``app`` is an ``Application`` or an awaitable returning one (e.g. ``create_app()`` of an ``async def``).
    Where to listen, as in aiohttp: ``host`` (a name or a list of them; None with no ``path`` or ``sock``: every
    interface) and ``port`` (8080, or 8443 with ``ssl_context``); ``path``, a unix socket path (or a list);
    ``sock``, already bound sockets; ``reuse_address``, ``reuse_port`` and ``backlog`` as for
    ``loop.create_server``. ``print`` writes the banner, the addresses served (None: silent). ``loop`` is the event
    loop to run on (a new uvloop loop if None); it is closed when the run ends, its remaining tasks cancelled.
    ``access_log`` is the access logger (aiohttp's ``aiohttp.access`` by default; None: none),
    ``access_log_format`` its format (aiohttp's language and default, ``web.AccessLogger.LOG_FORMAT``; one in
    gunicorn's ``%(h)s`` language is taken too, see ``web.accesslog``) and ``access_log_class`` what writes it
    (``web.AccessLogger``, or a ``web.abc.AbstractAccessLogger`` subclass), as in aiohttp; in the loop's debug
    mode, the default logger left unconfigured logs at DEBUG to stderr, as aiohttp's does.
    ``handle_signals=False`` leaves SIGINT to Python (KeyboardInterrupt, still a graceful stop) and SIGTERM alone.
    ``keepalive_timeout``, ``handler_cancellation`` and the other keyword arguments go to ``app.make_handler()``
    (server settings; ``client_max_size`` there is a server-wide cap on every body, the application's own is
    ``Application(client_max_size=...)``).
    """
    own_loop = loop is None
    if loop is None:
        loop = uvloop.new_event_loop()
    # As aiohttp: in debug mode, the default access logger (unless configured) shows every request on stderr.
    if loop.get_debug() and access_log and access_log.name == "aiohttp.access":
        if access_log.level == logging.NOTSET:
            access_log.setLevel(logging.DEBUG)
        if not access_log.hasHandlers():
            access_log.addHandler(logging.StreamHandler())
    main_task = loop.create_task(
        _serve(
            app,
            sites={
                "host": host,
                "port": port,
                "path": path,
                "sock": sock,
                "ssl_context": ssl_context,
                "backlog": backlog,
                "reuse_address": reuse_address,
                "reuse_port": reuse_port,
            },
            printer=print,
            handle_signals=handle_signals,
            runner_kwargs={
                "shutdown_timeout": shutdown_timeout,
                "keepalive_timeout": keepalive_timeout,
                "handler_cancellation": handler_cancellation,
                "access_log_class": access_log_class,
                "access_log_format": access_log_format,
                "access_log": access_log,
                **factory_kwargs,
            },
        )
    )
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main_task)
    except (GracefulExit, KeyboardInterrupt):
        # aiohttp's run_app returns when GracefulExit (a SystemExit raised by a task or by an AppRunner's
        # handle_signals) or a Ctrl-C without our handlers leaves the loop; _serve's cleanup runs below.
        pass
    finally:
        try:
            # A finished task is not run again: Future.result() would re-raise its exception with the shallow
            # traceback it saved, and the caller would lose the frames of the startup hook that raised.
            if not main_task.done():
                main_task.cancel()
                # GracefulExit again when a task raised it into _serve's await (its cleanup has run by then).
                with contextlib.suppress(asyncio.CancelledError, GracefulExit):
                    loop.run_until_complete(main_task)
        finally:
            _cancel_tasks(asyncio.all_tasks(loop), loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            if own_loop:
                asyncio.set_event_loop(None)


def _cancel_tasks(tasks: set[asyncio.Task[Any]], loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what the application left running, as ``asyncio.run`` does; a task that fails as it ends goes to the
    loop's exception handler."""
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during asyncio.run() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | bytes | os.PathLike | socket.socket) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _make_sites(
    runner: AppRunner,
    *,
    host: Any,
    port: int | None,
    path: Any,
    sock: Any,
    ssl_context: Any,
    backlog: int,
    reuse_address: bool | None,
    reuse_port: bool | None,
) -> list[BaseSite]:
    """aiohttp's choice of listeners: a TCP site per host; with no host, one on every interface unless only
    ``path`` or ``sock`` is given (a ``port`` with them adds it); a unix site per path; a site per socket."""
    tcp = {"ssl_context": ssl_context, "backlog": backlog, "reuse_address": reuse_address, "reuse_port": reuse_port}
    sites: list[BaseSite] = []
    if host is not None:
        sites.extend(TCPSite(runner, name, port, **tcp) for name in _as_list(host))
    elif (path is None and sock is None) or port is not None:
        sites.append(TCPSite(runner, port=port, **tcp))
    sites.extend(UnixSite(runner, p, ssl_context=ssl_context, backlog=backlog) for p in _as_list(path))
    sites.extend(SockSite(runner, s, ssl_context=ssl_context, backlog=backlog) for s in _as_list(sock))
    return sites


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
    sites: dict[str, Any],
    printer: Callable[..., None] | None,
    handle_signals: bool,
    runner_kwargs: dict[str, Any],
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    hurry = asyncio.Event()
    if handle_signals:
        for signum in _STOP_SIGNALS:
            loop.add_signal_handler(signum, _on_signal, stop, hurry)
    runner: AppRunner | None = None
    unix_paths: list[str] = []
    try:
        runner = AppRunner(await _resolve_app(app), **runner_kwargs)
        await runner.setup()
        for site in _make_sites(runner, **sites):
            await site.start()
            if isinstance(site, UnixSite):
                unix_paths.append(os.fspath(site._path))
        if printer is not None:
            names = ", ".join(sorted(str(site.name) for site in runner.sites))
            printer(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
        await stop.wait()
    finally:
        # Runs for a signal, for Ctrl-C without our handlers (the task is cancelled), and for a startup error.
        if runner is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await _cleanup(runner, hurry)
        if handle_signals:
            for signum in _STOP_SIGNALS:
                loop.remove_signal_handler(signum)
        for unix_path in unix_paths:
            _unlink_socket(unix_path)


def _on_signal(stop: asyncio.Event, hurry: asyncio.Event) -> None:
    if stop.is_set():
        hurry.set()  # a second Ctrl-C: do not wait for slow connections
    stop.set()


async def _cleanup(runner: AppRunner, hurry: asyncio.Event) -> None:
    """``runner.cleanup()``; a second signal meanwhile aborts the connections still open, and the cleanup goes on."""
    cleanup = asyncio.ensure_future(runner.cleanup())
    cut = asyncio.ensure_future(hurry.wait())
    try:
        await asyncio.wait([cleanup, cut], return_when=asyncio.FIRST_COMPLETED)
    finally:
        cut.cancel()
    if not cleanup.done() and runner.server is not None:
        connections = list(runner.server.connections)
        log.warning("second signal: aborting %d connection(s)", len(connections))
        for protocol in connections:
            protocol.abort()
    await cleanup


def _unlink_socket(unix_path: str) -> None:
    if unix_path.startswith("\0"):
        return  # Linux's abstract namespace: no file to remove
    with contextlib.suppress(OSError):
        if stat.S_ISSOCK(os.stat(unix_path).st_mode):
            os.unlink(unix_path)

"""The worker process: one uvloop event loop serving the app on every listening socket it inherited.

Life of a worker (all after ``fork``, in the child):

1. Signals first, before anything slow: ignore the master's business (``messages.IGNORED``); remember a drain or
   quick stop that arrives during boot; SIGABRT runs the ``worker_abort`` hook after faulthandler has dumped every
   thread's stack to the error log.
2. Process title, user/group switch, ``post_fork`` hook.
3. Boot: import the app (unless preloaded), call its factory (sync or async), ``make_handler(**settings)``,
   ``await app.startup()``, one acceptor per listener (``server.acceptor.start_server``: it stops accepting at
   ``worker_connections``, and speaks TLS when ``certfile`` is set). Then, and only then, the
   ``Ready`` message: the master drains an old worker only after its replacement said this. A boot failure is
   reported as ``BootFailed`` with exit code 4 (app cannot load) or 3 (factory or on_startup failed).
4. Serve. A timer inside the loop sends a ``Beat`` (requests answered, RSS) and checks that the master is still
   the parent; because it runs on the loop, a handler that blocks the loop silences it and the master notices.
5. Drain (SIG_DRAIN, or the master died): stop accepting, after accepting what is already queued on the listening
   sockets (unless systemd holds them: then it waits for the next start), ``await handler.shutdown(timeout,
   grace)`` (in-flight, pipelined and just-accepted requests answered with ``Connection: close``, idle keep-alives
   kept for the grace, websockets closed with 1001), then ``app.shutdown()``, ``app.finish()``, ``app.cleanup()``,
   exit 0. A quick stop (SIG_QUICK) does the same with no grace and a short timeout, so ``finish()`` runs on every
   exit but SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import pwd
import signal
from typing import Any

import psutil  # type: ignore[import-untyped]
import uvloop

from server.acceptor import Acceptor, start_server
from server.registry import release_all_held

from . import messages
from .app_protocol import Application, HandlerFactory
from .errors import EXIT_APP_LOAD, EXIT_BOOT, AppLoadError
from .health import NodeState, responder
from .loader import build_app, import_target
from .logs import shutdown as shutdown_logs
from .messages import Beat, BootFailed, Ready
from .metrics import Recorder, changes
from .statsd import StatsdRecorder

__all__ = ["Worker"]

log = logging.getLogger("prefork.worker")

QUICK_TIMEOUT = 1.0  # a quick stop still answers what is nearly done, but waits no longer than this


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


class Worker:
    """One worker, created in the master before the fork (``age`` counts spawns); :meth:`run` in the child.

    Hooks receive this object: ``pid``, ``ppid``, ``age``, ``app`` (once built), ``cfg``, ``log``.
    """

    def __init__(self, age: int, cfg: Any, listeners: list[Any], logs: Any, server: Any, target: Any = None) -> None:
        self.age = age
        self.cfg = cfg
        self.listeners = listeners
        self.logs = logs
        self.server = server
        self.target = target  # the preloaded app or factory; None: import cfg.app in the child
        self.log = log
        self.pid = 0
        self.ppid = 0
        self.app: Application = None  # type: ignore[assignment] # None until _boot, in the child
        self.handler: HandlerFactory = None  # type: ignore[assignment] # None until _boot, in the child
        self.pipe = -1
        self._stop_requested: str | None = None
        self._stop: asyncio.Future[str] | None = None
        self._hurry: asyncio.Event | None = None
        self._ready_sent = False
        self._beat_handle: asyncio.TimerHandle | None = None
        self._process: Any = None
        self.recorder: Recorder | None = None  # --metrics-bind: counts requests for the master
        self.statsd: StatsdRecorder | None = None  # --statsd-host: sends once per heartbeat
        self._reported: dict[str, float] = {}  # the metric values the master has been sent
        self.max_requests = 0  # this worker's limit, jitter included, drawn by the master before the fork

    # -- in the child --------------------------------------------------------------------------------------------

    def run(self, pipe: int, sigmask: Any = None) -> int:
        """Run the worker to completion in the forked child; return its exit code.

        ``sigmask`` is the signal mask to restore once the worker's own handlers are in place: the master
        blocks the worker's signals across the fork so that none is lost in between.
        """
        self.pid, self.ppid, self.pipe = os.getpid(), os.getppid(), pipe
        os.set_blocking(pipe, False)
        self._early_signals()
        if sigmask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, sigmask)
        self._set_title()
        try:
            self._switch_user()
        except OSError as exc:
            return self._boot_failed(EXIT_BOOT, f"cannot switch user/group: {exc.strerror}")
        self.cfg.run_hook("post_fork", self.server, self, log=log)
        try:
            faulthandler.enable(file=self.logs.error_stream(), all_threads=True)
        except (OSError, ValueError, AttributeError):
            faulthandler.enable(all_threads=True)  # an error log without a file descriptor: stderr then
        loop = uvloop.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            return loop.run_until_complete(self._main())
        except Exception as exc:
            if self._ready_sent:
                raise
            log.exception("worker %d could not boot", self.pid)
            return self._boot_failed(EXIT_BOOT, _one_line(exc))  # the master reports why, not just "code 1"
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    def _early_signals(self) -> None:
        signal.set_wakeup_fd(-1)  # the master's self-pipe is not ours
        for sig in messages.IGNORED:
            signal.signal(sig, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(messages.SIG_DRAIN, lambda *_: self._request_stop("graceful"))
        signal.signal(messages.SIG_QUICK, lambda *_: self._request_stop("quick"))
        signal.signal(messages.SIG_REOPEN, signal.SIG_IGN)  # until the loop can reopen safely
        # faulthandler.enable() dumps the stacks on SIGABRT, then re-raises it into this handler.
        signal.signal(messages.SIG_ABORT, self._on_abort)

    def _on_abort(self, *_: Any) -> None:
        log.error("worker %d aborted by the master: heartbeat timeout (stacks dumped above)", self.pid)
        self.cfg.run_hook("worker_abort", self, log=log)
        release_all_held()  # the answers finished in the loop iteration this signal interrupted
        shutdown_logs()  # the lines of the loop iteration this signal interrupted, then the handlers
        os._exit(1)

    def _request_stop(self, how: str) -> None:
        if self._stop is not None and not self._stop.done():
            self._stop.set_result(how)
        elif self._stop_requested != "quick":
            self._stop_requested = how
        if how == "quick" and self._hurry is not None:
            self._hurry.set()  # a quick stop during a graceful drain cuts it short

    def _set_title(self) -> None:
        try:
            import setproctitle
        except ImportError:  # pragma: no cover - a declared dependency
            return
        setproctitle.setproctitle(f"prefork: worker [{self.cfg.proc_name or self.cfg.app}]")

    def _switch_user(self) -> None:
        uid, gid = self.cfg.user, self.cfg.group
        if gid is not None and gid != os.getegid():
            os.setgid(gid)
        if uid is not None and uid != os.geteuid():
            if os.geteuid() == 0:
                entry = pwd.getpwuid(uid)
                os.initgroups(entry.pw_name, gid if gid is not None else entry.pw_gid)
            os.setuid(uid)

    def _send(self, message: messages.Message) -> bool:
        try:
            os.write(self.pipe, messages.encode(message))
        except BlockingIOError:
            return True  # the master is busy; the next beat will do
        except OSError:
            return False  # the master is gone
        return True

    def _boot_failed(self, code: int, reason: str) -> int:
        log.error("worker %d failed to boot: %s", self.pid, reason)
        self._send(BootFailed(code, reason))
        return code

    async def _boot(self) -> list[Acceptor]:
        target = (
            self.target
            if self.target is not None
            else import_target(self.cfg.app, aiohttp_alias=self.cfg.aiohttp_alias)
        )
        self.app = await build_app(target)
        kwargs = self.cfg.server_kwargs()
        kwargs["access_log"] = self.logs.access_log
        # the comma-separated form, gunicorn's and make_handler's: "127.0.0.1,::1", "*", or "" for none; None unset
        allow = self.cfg.forwarded_allow_ips
        kwargs["forwarded_allow_ips"] = None if allow is None else ",".join(allow)
        kwargs["proxy_protocol"] = self.cfg.proxy_protocol
        kwargs["proxy_allow_ips"] = ",".join(self.cfg.proxy_allow_ips)
        self.handler = self.app.make_handler(**kwargs)
        connections = self.handler.connections
        statsd = getattr(self.logs, "statsd", None)
        if statsd is not None:
            self.statsd = connections.access_logger = StatsdRecorder(statsd, connections.access_logger)
        if self.cfg.metrics_bind:
            # In the registry's one per-exchange call; the real access logger, if any, is called from it.
            self.recorder = connections.access_logger = Recorder(connections.access_logger)
        if self.cfg.health_path:
            node = getattr(self.server, "node", None) or NodeState()  # the master's shared page
            self.handler.preempt = responder(self.cfg.health_path, node)
        await self.app.startup()
        servers: list[Acceptor] = []
        for listener in self.listeners:
            # Our own acceptor, not loop.create_server: it can stop accepting at worker_connections and back off
            # when out of descriptors, leaving connections in the shared backlog (server/acceptor.py).
            servers.append(
                await start_server(
                    self.handler,
                    listener.sock,
                    self.handler.connections,
                    backlog=self.cfg.backlog,
                    ssl=self.cfg.ssl_context,
                )
            )
        return servers

    async def _main(self) -> int:
        loop = asyncio.get_running_loop()
        try:
            servers = await self._boot()
        except AppLoadError as exc:
            return self._boot_failed(EXIT_APP_LOAD, str(exc))
        except Exception as exc:
            log.exception("worker %d: the app failed to start", self.pid)
            return self._boot_failed(EXIT_BOOT, _one_line(exc))

        self._stop = loop.create_future()
        self._hurry = asyncio.Event()
        loop.add_signal_handler(messages.SIG_DRAIN, self._request_stop, "graceful")
        loop.add_signal_handler(messages.SIG_QUICK, self._request_stop, "quick")
        loop.add_signal_handler(messages.SIG_REOPEN, self._reopen_logs)
        if self._stop_requested is not None:
            self._stop.set_result(self._stop_requested)
        self._process = psutil.Process()
        self._send(Ready())
        self._ready_sent = True
        log.info("worker %d ready (age %d)", self.pid, self.age)
        self.cfg.run_hook("post_worker_init", self, log=log)
        self._beat()
        if self.max_requests:
            self._watch_requests()

        how = await self._stop
        return await self._drain(servers, how)

    def _beat(self) -> None:
        if os.getppid() != self.ppid:
            log.warning("worker %d: the master (%d) died; draining", self.pid, self.ppid)
            self._request_stop("graceful")
        else:
            self._report()
            if self.statsd is not None:
                self.statsd.flush()
            rss = self._process.memory_info().rss
            if not self._send(Beat(self.handler.requests_count, rss)):
                self._request_stop("graceful")
        interval = max(0.05, min(1.0, self.cfg.timeout / 4))
        self._beat_handle = asyncio.get_running_loop().call_later(interval, self._beat)

    def _report(self) -> None:
        """Send the master the metric series that changed since the last report that went through."""
        if self.recorder is None:
            return
        current = self.recorder.snapshot(self.handler.connections)
        for message in messages.stats_messages(changes(current, self._reported)):
            try:
                os.write(self.pipe, messages.encode(message))
            except OSError:
                return  # a full pipe (the master is busy) or a gone master: the next report sends it again
            self._reported.update(message.items)

    def _watch_requests(self) -> None:
        """Report reaching ``max_requests`` within 50 ms rather than at the next beat: at thousands of requests
        a second, waiting up to a beat interval would overshoot the limit by far."""
        count = self.handler.requests_count
        if count >= self.max_requests:
            self._send(Beat(count, self._process.memory_info().rss))
            return
        asyncio.get_running_loop().call_later(0.05, self._watch_requests)

    def _reopen_logs(self) -> None:
        self.logs.reopen()
        faulthandler.enable(file=self.logs.error_stream(), all_threads=True)

    async def _close_connections(self, timeout: float, grace: float) -> None:
        """``handler.shutdown(timeout, grace)``, unless a quick stop arrives meanwhile: then a second, short
        shutdown aborts what is left (which also ends the first) and the app's hooks run at once."""
        assert self._hurry is not None
        closing = asyncio.ensure_future(self.handler.shutdown(timeout=timeout, grace=grace))
        hurry = asyncio.ensure_future(self._hurry.wait())
        try:
            await asyncio.wait({closing, hurry}, return_when=asyncio.FIRST_COMPLETED)
            if not closing.done():
                log.info("worker %d: quick stop during the drain", self.pid)
                await self.handler.shutdown(timeout=min(QUICK_TIMEOUT, timeout), grace=0.0)
            await closing
        finally:
            hurry.cancel()

    async def _drain(self, servers: list[Acceptor], how: str) -> int:
        log.info(
            "worker %d: %s stop, draining %d connection(s)",
            self.pid,
            how,
            len(self.handler.connections),
        )
        if how == "quick":
            timeout, grace = min(QUICK_TIMEOUT, self.cfg.graceful_timeout), 0.0
        else:
            # leave the app's own shutdown hooks time before the master's graceful_timeout kill
            timeout = max(self.cfg.graceful_timeout * 0.8, self.cfg.graceful_timeout - 5.0)
            grace = min(self.cfg.drain_grace, timeout)
        # Draining first, so that a connection accepted from the queue below is answered with Connection: close.
        self.handler.connections.begin_shutdown(grace)
        for server, listener in zip(servers, self.listeners, strict=True):
            # Stop accepting: the other workers take the new connections. What is queued is accepted first, as this
            # may be the socket's last copy (server/acceptor.py); systemd's socket keeps its queue for the next start.
            server.close(accept_queued=not listener.external)
        for server in servers:
            await server.wait_closed()
        try:
            await self._close_connections(timeout, grace)
        except Exception:
            log.exception("worker %d: closing connections failed", self.pid)
        app = self.app
        for step in (app.shutdown, app.finish, app.cleanup):
            try:
                await step()
            except Exception:
                log.exception("worker %d: app.%s() failed", self.pid, step.__name__)
        if self._beat_handle is not None:
            self._beat_handle.cancel()
        if self.statsd is not None:
            self.statsd.flush()  # the requests since the last beat: a HUP or a recycle loses none
        if self.recorder is not None:
            # The final counts, which the master folds into its totals when it reaps this worker: a blocking
            # write, as a busy master's full pipe must not lose them (a gone master fails it at once: EPIPE).
            os.set_blocking(self.pipe, True)
            self._report()
            os.set_blocking(self.pipe, False)
        self._send(Beat(self.handler.requests_count, 0))  # the final count, for the master's log
        if how == "quick":
            self.cfg.run_hook("worker_int", self, log=log)
        self.cfg.run_hook("worker_exit", self.server, self, log=log)
        log.info("worker %d exiting", self.pid)
        return 0

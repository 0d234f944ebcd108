"""The master: binds the sockets, forks workers, and keeps the right number of them serving.

One plain loop, read top to bottom (:meth:`Master.tick`), like gunicorn's arbiter:

1. wait on the self-pipe (signals) and the workers' pipes, no longer than the policy's next deadline;
2. read worker messages into the :class:`~supervisor.policy.Fleet` (ready, beats, boot failures);
3. handle the queued signals, one method each (``handle_hup``, ``handle_ttin``, ...): signal handlers only queue;
4. reap exited children into the fleet;
5. ask :func:`~supervisor.policy.plan` what to do and do it (spawn, drain, quit, abort, kill, halt).

Every decision lives in ``policy``; this module only carries them out, so the I/O here stays thin.

USR2 upgrade (supervisor/upgrade.py): the master forks a child that execs ``python -m supervisor`` with the same
arguments, handing the listening sockets over by descriptor (``PREFORK_FDS``) and its own pid
(``PREFORK_UPGRADE_FROM``). Both masters' workers serve the same sockets; when every worker of the new master is
ready, it sends TERM to the old one, which drains its workers and exits without unlinking the unix sockets it
handed over. If the new master fails, the old one notices the child's exit, restores its pid file
(supervisor/pidfile.py) and carries on.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import random
import selectors
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

from . import messages, sockets
from .config import apply_env
from .errors import EXIT_ERROR, ConfigError, HaltServer, SupervisorError
from .exporter import MetricsEndpoint
from .health import DRAINING, RELOADING, SERVING, NodeState
from .loader import import_target
from .logs import shutdown as shutdown_logs
from .messages import Beat, BootFailed, Decoder, Ready, Stats
from .metrics import Aggregate, master_series, render, restart_reason
from .notify import Notifier
from .pidfile import Pidfile
from .policy import Abort, Drain, Fleet, Halt, Kill, Limits, Quit, Spawn, Stage, next_deadline, plan
from .upgrade import ENV_UPGRADE_FROM, exec_new_master, take_upgrade_from
from .worker import Worker

if TYPE_CHECKING:
    from .reload import HupWatcher

__all__ = ["ENV_UPGRADE_FROM", "Master"]

log = logging.getLogger("prefork.master")

WORKER_SIGNALS = {messages.SIG_DRAIN, messages.SIG_QUICK, messages.SIG_REOPEN, *messages.IGNORED}
SIGNAL_NAMES: dict[int, str] = {
    signal.SIGHUP: "hup",
    signal.SIGQUIT: "quit",
    signal.SIGINT: "int",
    signal.SIGTERM: "term",
    signal.SIGTTIN: "ttin",
    signal.SIGTTOU: "ttou",
    signal.SIGUSR1: "usr1",
    signal.SIGUSR2: "usr2",
    signal.SIGCHLD: "chld",
}


def limits_from(cfg: Any) -> Limits:
    """The policy's knobs from the config."""
    return Limits(
        timeout=cfg.timeout,
        graceful_timeout=cfg.graceful_timeout,
        max_memory=int(cfg.max_worker_memory * 1024 * 1024),
        backoff=cfg.restart_backoff,
        backoff_max=cfg.restart_backoff_max,
    )


class Master:
    """The pre-fork master process (hooks receive it as ``server``: ``cfg``, ``pid``, ``log``, ``listeners``)."""

    def __init__(
        self,
        cfg: Any,
        logs: Any,
        *,
        argv: list[str] | None = None,
        notifier: Notifier | None = None,
        reload_config: Any = None,
        start_cwd: str | None = None,
    ) -> None:
        self.cfg = cfg
        self.logs = logs
        self.log = log
        self.argv = list(sys.argv[1:] if argv is None else argv)
        self.notifier = notifier or Notifier()
        self.reload_config = reload_config  # () -> Config; raises SupervisorError
        self.pid = os.getpid()
        self.limits = limits_from(cfg)
        self.fleet = Fleet(target=cfg.workers)
        self.listeners: list[sockets.Listener] = []
        self.target: Any = None  # the preloaded app or factory
        self.age = 0
        self.workers: dict[int, Worker] = {}
        self.pipes: dict[int, tuple[int, Decoder]] = {}
        self.selector = selectors.DefaultSelector()
        self.signals: collections.deque[int] = collections.deque()
        self.wakeup_r = self.wakeup_w = -1
        self.start_cwd = start_cwd or os.getcwd()  # where the command ran, before --chdir: USR2 execs there
        self.child_master: int | None = None  # the new master forked by USR2
        self.upgrade_from: int | None = None  # the old master to stop once we are ready
        self.handed_over = False
        self.announced = False  # READY sent for the current generation
        self.reload_started: float | None = None
        self.last_status = 0.0
        self.pidfile: Pidfile | None = None
        self.exit_reason = ""
        self.watcher: HupWatcher | None = None  # --reload: the child that HUPs us on edits
        self.node = NodeState()  # serving, reloading or draining: read by the workers' health path
        self.drain_until: float | None = None  # TERM with --drain-delay: the graceful stop begins then
        self.metrics = Aggregate()
        self.metrics_endpoint = MetricsEndpoint(cfg.metrics_bind, self.render_metrics, self.selector)

    # -- start and stop --------------------------------------------------------------------------------------------

    def run(self) -> int:
        """Start, loop until halted, clean up; return the exit code."""
        try:
            self.start()
        except BaseException:
            # bind errors and the like: the command reports them as one line; leave nothing behind
            self._cleanup()
            raise
        try:
            self.decide()  # the first workers: nothing will wake the loop for them
            while True:
                self.tick()
        except HaltServer as halt:
            code, reason = halt.exit_code, halt.reason
        except SupervisorError as exc:
            code, reason = exc.exit_code, str(exc)
        except Exception:
            log.exception("unhandled error in the master")
            code, reason = EXIT_ERROR, "unhandled error in the master"
        finally:
            self._abandon_workers()
        self._cleanup()
        self.exit_reason = reason
        if code:
            log.error("master %d exiting with code %d: %s", self.pid, code, reason)
        else:
            log.info("master %d exiting: %s", self.pid, reason)
        self.cfg.run_hook("on_exit", self, log=log)
        return code

    def start(self) -> None:
        """Bind (or inherit) the sockets, write the pid file, preload the app if asked, install the signals."""
        self._set_title()
        self.cfg.run_hook("on_starting", self, log=log)
        self.upgrade_from = take_upgrade_from(os.environ)
        inherited, external = sockets.take_inherited(os.environ)
        self.listeners = sockets.open_listeners(
            self.cfg.bind,
            backlog=self.cfg.backlog,
            reuse_port=self.cfg.reuse_port,
            unix_mode=self.cfg.unix_socket_mode,
            uid=self.cfg.user,
            gid=self.cfg.group,
            inherited=inherited,
            binds_given=self.cfg.origin.get("bind") != "default",
            external=external,
        )
        if self.cfg.pidfile:
            pidfile = Pidfile(self.cfg.pidfile, self.pid)
            pidfile.create()
            self.pidfile = pidfile
        self.logs.chown(self.cfg.user, self.cfg.group)
        if self.cfg.preload_app:
            self.target = import_target(self.cfg.app, aiohttp_alias=self.cfg.aiohttp_alias)
        self._install_signals()
        self.metrics_endpoint.open(upgrading=self.upgrade_from is not None)
        if self.cfg.reload:
            self._start_watcher()
        for warning in self.cfg.warnings():
            log.warning("%s", warning)
        where = sockets.describe(self.listeners)
        if self.cfg.ssl_context is not None:
            where = where.replace("http://", "https://")  # certfile: TLS on every address
        log.info(
            "master %d listening at %s with %d worker(s)%s",
            self.pid,
            where,
            self.fleet.target,
            f", upgrading from master {self.upgrade_from}" if self.upgrade_from else "",
        )

    def render_metrics(self) -> bytes:
        """The Prometheus text for one scrape: every worker's series plus the master's own."""
        values = self.metrics.totals()
        workers = [(w.pid, w.stage.value, w.rss) for w in self.fleet.workers.values()]
        values.update(master_series(self.node.name, workers))
        return render(values)

    def _install_signals(self) -> None:
        self.wakeup_r, self.wakeup_w = os.pipe()
        os.set_blocking(self.wakeup_r, False)
        os.set_blocking(self.wakeup_w, False)
        self.selector.register(self.wakeup_r, selectors.EVENT_READ, None)
        signal.set_wakeup_fd(self.wakeup_w)
        for sig in SIGNAL_NAMES:
            signal.signal(sig, self._queue_signal)

    def _queue_signal(self, signum: int, _frame: Any) -> None:
        # Handlers only record what arrived; the loop decides. Bounded like gunicorn's, against signal storms.
        if len(self.signals) < 16:
            self.signals.append(signum)

    def _abandon_workers(self) -> None:
        """Leaving the loop with workers alive (an error in the master): tell them to drain on their own, as
        they would on noticing the master's death, so in-flight requests and ``finish()`` still complete."""
        for pid in list(self.fleet.workers):
            self._signal(pid, messages.SIG_DRAIN)

    def _start_watcher(self) -> None:
        """``--reload``: spawn the child that sends us HUP on each source change (supervisor/reload.py)."""
        from .reload import HupWatcher, ReloadError

        paths = [os.getcwd()]  # where the app is imported from (after --chdir)
        if self.cfg.config_file:
            paths.append(os.path.dirname(os.path.join(self.start_cwd, self.cfg.config_file)))
        paths = list(dict.fromkeys(os.path.realpath(p) for p in paths))
        try:
            self.watcher = HupWatcher(self.pid, paths, self.logs.error_stream())
        except ReloadError as exc:
            raise ConfigError(str(exc)) from None
        log.info("reload: watching %s for changes (watcher %d)", ", ".join(paths), self.watcher.pid)

    def _cleanup(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()
        sockets.close_all(self.listeners, unlink=not self.handed_over)
        self.metrics_endpoint.close()
        if self.pidfile is not None:
            self.pidfile.unlink()

    def _set_title(self) -> None:
        try:
            import setproctitle
        except ImportError:  # pragma: no cover - a declared dependency
            return
        setproctitle.setproctitle(f"prefork: master [{self.cfg.proc_name or self.cfg.app}]")

    # -- the loop ----------------------------------------------------------------------------------------------------

    def tick(self) -> None:
        """One turn of the loop: wait, read, handle signals, reap, then :meth:`decide`."""
        now = time.monotonic()
        deadline = next_deadline(self.fleet, self.limits, now)
        if self.drain_until is not None:
            deadline = min(deadline, self.drain_until)
        wait = min(1.0, max(0.01, deadline - now))
        for key, _ in self.selector.select(wait):
            if key.data is None:
                self._drain_wakeup()
            elif isinstance(key.data, int):
                self._read_worker(key.fd, key.data)
            else:
                key.data()  # the metrics endpoint's sockets
        while self.signals:
            signum = self.signals.popleft()
            getattr(self, f"handle_{SIGNAL_NAMES[signum]}")()
        if self.drain_until is not None and time.monotonic() >= self.drain_until:
            self.drain_until = None
            self._stop_gracefully()
        self.metrics_endpoint.tick(time.monotonic())
        self.reap()
        self.decide()

    def decide(self) -> None:
        """Ask the policy what to do now and do it."""
        now = time.monotonic()
        self.fleet.settled(now, self.limits)
        for action in plan(self.fleet, self.limits, now):
            self._act(action, now)
        self._after_actions(now)

    def _drain_wakeup(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.wakeup_r, 4096):
                pass

    def _read_worker(self, fd: int, pid: int) -> None:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # the worker closed its end: it is exiting; reaping will tell how
            self._close_pipe(pid)
            return
        now = time.monotonic()
        for message in self.pipes[pid][1].feed(data):
            if isinstance(message, Beat):
                reason = self.fleet.beat(pid, now, message.requests, message.rss, self.limits)
                if reason:
                    w = self.fleet.workers[pid]
                    log.info(
                        "worker %d is due for recycling (%s: %d requests, %.1f MB); starting its replacement",
                        pid,
                        reason,
                        w.requests,
                        w.rss / 1048576,
                    )
            elif isinstance(message, Ready):
                worker = self.fleet.ready(pid, now)
                if worker is not None:
                    log.info("worker %d ready in %.3fs", pid, now - worker.spawned_at)
            elif isinstance(message, Stats):
                self.metrics.update(pid, dict(message.items))
            elif isinstance(message, BootFailed):
                self.fleet.boot_failed(pid, message.code, message.reason)

    def _close_pipe(self, pid: int) -> None:
        entry = self.pipes.pop(pid, None)
        if entry is not None:
            self.selector.unregister(entry[0])
            os.close(entry[0])

    def reap(self) -> None:
        """Collect every exited child without blocking."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            if pid == self.child_master:
                self._upgrade_failed(code)
                continue
            if self.watcher is not None and pid == self.watcher.pid:
                self.watcher.reaped(code)
                self.watcher = None
                # a terminal's Ctrl-C reaches the whole process group: the watcher leaving with us is no news
                if self.fleet.stopping is None:
                    log.error("the --reload watcher exited (%d): source changes no longer reload the workers", code)
                continue
            # read what the worker said last (a BootFailed reason) before forgetting it
            if pid in self.pipes:
                self._read_worker(self.pipes[pid][0], pid)
            self._close_pipe(pid)
            self.workers.pop(pid, None)
            worker, what = self.fleet.exited(pid, time.monotonic(), code, self.limits)
            # after its last report was read above: its counters are folded in once, and never lost
            self.metrics.retire(pid, restart_reason(worker.retire, what) if worker is not None else None)
            if worker is None:
                continue
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"code {code}"
            if what == "expected":
                log.info("worker %d exited (%s) after %d requests", pid, how, worker.requests)
            elif what == "boot-failed":
                reason = worker.boot_error[1] if worker.boot_error else how
                retry = max(0.0, self.fleet.not_before - time.monotonic())
                then = "no worker ever booted: giving up" if self.fleet.halt else f"next attempt in {retry:.1f}s"
                log.error("worker %d failed to boot (%s): %s; %s", pid, how, reason, then)
            elif what == "crash-loop":
                log.error(
                    "worker %d died (%s) %.2fs after it was ready; next attempt in %.1fs",
                    pid,
                    how,
                    time.monotonic() - (worker.ready_at or 0.0),
                    max(0.0, self.fleet.not_before - time.monotonic()),
                )
            elif what == "timed-out":
                log.error("worker %d was stuck and has been stopped (%s)", pid, how)
            else:
                log.error("worker %d died unexpectedly (%s); replacing it", pid, how)

    # -- actions ---------------------------------------------------------------------------------------------

    def _act(self, action: Any, now: float) -> None:
        if isinstance(action, Spawn):
            self.spawn(now)
        elif isinstance(action, Drain):
            log.info("draining worker %d (%s)", action.pid, action.reason)
            self.fleet.mark(action.pid, Stage.DRAINING, now)
            self._signal(action.pid, messages.SIG_DRAIN)
        elif isinstance(action, Quit):
            self.fleet.mark(action.pid, Stage.QUITTING, now)
            self._signal(action.pid, messages.SIG_QUICK)
        elif isinstance(action, Abort):
            log.critical("WORKER TIMEOUT (pid %d): %s; dumping its stacks", action.pid, action.reason)
            self.fleet.mark(action.pid, Stage.ABORTING, now)
            self._signal(action.pid, messages.SIG_ABORT)
        elif isinstance(action, Kill):
            log.error("killing worker %d: %s", action.pid, action.reason)
            self.fleet.mark_killed(action.pid)
            self._signal(action.pid, signal.SIGKILL)
        elif isinstance(action, Halt):
            raise HaltServer(action.reason, action.code)

    def _signal(self, pid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)

    def spawn(self, now: float) -> int:
        """Fork one worker of the current generation; return its pid."""
        self.age += 1
        worker = Worker(self.age, self.cfg, self.listeners, self.logs, self, target=self.target)
        if self.cfg.max_requests:
            worker.max_requests = self.cfg.max_requests + random.randint(0, self.cfg.max_requests_jitter)
        self.cfg.run_hook("pre_fork", self, worker, log=log)
        read_fd, write_fd = os.pipe()
        # Until the child has its own handlers, a signal for it would run the master's (inherited) handler
        # and be lost: keep them pending across the fork; each side unblocks when ready.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, WORKER_SIGNALS)
        try:
            pid = os.fork()
        except OSError as exc:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(read_fd)
            os.close(write_fd)
            log.error("cannot fork a worker: %s", exc.strerror)
            self.fleet.not_before = now + 1.0
            return 0
        if pid == 0:  # pragma: no cover - runs in the child, measured by the process tests
            self._run_child(worker, read_fd, write_fd, mask)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        self.selector.register(read_fd, selectors.EVENT_READ, pid)
        self.pipes[pid] = (read_fd, Decoder())
        self.workers[pid] = worker
        worker.pid = pid
        self.fleet.spawned(pid, now, worker.max_requests)
        log.debug("spawned worker %d (age %d, generation %d)", pid, self.age, self.fleet.generation)
        return pid

    def _run_child(self, worker: Worker, read_fd: int, write_fd: int, mask: Any) -> None:  # pragma: no cover
        code = EXIT_ERROR
        try:
            os.close(read_fd)
            self.selector.close()
            for fd, _ in self.pipes.values():
                os.close(fd)
            os.close(self.wakeup_r)
            os.close(self.wakeup_w)
            self.metrics_endpoint.forget()
            code = worker.run(write_fd, mask)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else EXIT_ERROR
        except BaseException:
            log.exception("worker crashed")
        finally:
            shutdown_logs()  # the access lines of the loop's last iteration too, which a crash may have cut short
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    def _after_actions(self, now: float) -> None:
        if not self.announced and self.fleet.stopping is None and self.fleet.all_ready():
            self.announced = True
            pids = sorted(w.pid for w in self.fleet.workers.values() if w.stage is Stage.READY)
            if self.reload_started is not None:
                log.info(
                    "reload done in %.3fs: generation %d serves (workers %s)",
                    now - self.reload_started,
                    self.fleet.generation,
                    pids,
                )
                self.reload_started = None
                self.node.value = SERVING
            else:
                log.info("ready: %d worker(s) serve (%s)", len(pids), pids)
                self.cfg.run_hook("when_ready", self, log=log)
            if self.upgrade_from is not None:
                self._finish_upgrade()  # MAINPID first: a service manager takes READY from its main pid
            self.notifier.ready(self._status_line())
        if now - self.last_status >= 1.0:
            self.last_status = now
            self.notifier.status(self._status_line())
            if self.logs.statsd is not None:
                self.logs.statsd.gauge("gunicorn.workers", self.fleet.count(Stage.READY))
            live = [w for w in self.fleet.workers.values() if w.stage is Stage.READY]
            if live and all(now - w.last_beat < self.limits.timeout for w in live):
                self.notifier.watchdog()

    def _status_line(self) -> str:
        ready = self.fleet.count(Stage.READY)
        served = sum(w.requests for w in self.fleet.workers.values())
        return f"{ready} worker(s) ready, {served} requests served by the current workers"

    # -- USR2: the new master --------------------------------------------------------------------------------------

    def _finish_upgrade(self) -> None:
        old, self.upgrade_from = self.upgrade_from, None
        assert old is not None
        if os.getppid() != old:
            log.warning("the old master %d is gone already", old)
            return
        log.info("upgrade complete; stopping the old master %d", old)
        self.notifier.mainpid(self.pid)
        self._signal(old, signal.SIGTERM)

    def _upgrade_failed(self, code: int) -> None:
        self.child_master = None
        if self.fleet.stopping is not None:
            return  # the new master took over and we are on our way out: nothing failed
        log.error("the new master exited with %d before taking over; this master keeps serving", code)
        if self.pidfile is not None:
            self.pidfile.restore()

    # -- signals: one method each --------------------------------------------------------------------------------

    def handle_chld(self) -> None:
        """Reaping happens on every turn of the loop; the signal only woke it up."""

    def handle_hup(self) -> None:
        """Reload the config (and the app when preloaded), then replace every worker by a rolling restart."""
        if self.fleet.stopping is not None or self.drain_until is not None:
            return
        log.info("HUP: reloading")
        self.node.value = RELOADING
        self.notifier.reloading()
        if self.reload_config is not None:
            try:
                self._apply_config(self.reload_config())
            except SupervisorError as exc:
                log.error("reload: the new config is invalid, keeping the current one: %s", exc)
        if self.cfg.preload_app:
            try:
                self.target = import_target(self.cfg.app, reload=True, aiohttp_alias=self.cfg.aiohttp_alias)
            except SupervisorError as exc:
                log.error("reload: %s; keeping the loaded app", exc)
        self.cfg.run_hook("on_reload", self, log=log)
        self.reload_started = time.monotonic()
        self.announced = False
        self.fleet.reload()

    def _apply_config(self, cfg: Any) -> None:
        if cfg.bind != self.cfg.bind:
            log.warning("reload: bind changed; new addresses take effect on USR2 or a restart")
            cfg.values["bind"] = self.cfg.bind
        if cfg.metrics_bind != self.cfg.metrics_bind:
            log.warning("reload: metrics_bind changed; it takes effect on USR2 or a restart")
            cfg.values["metrics_bind"] = self.cfg.metrics_bind
        self.logs.configure(cfg)  # a logconfig that fails raises ConfigError: the current config stays
        apply_env(cfg.raw_env)
        # A count changed by TTIN/TTOU survives a reload unless the config itself changed ``workers``.
        resize = cfg.workers != self.cfg.workers and cfg.workers != self.fleet.target
        self.cfg = cfg
        self.limits = limits_from(cfg)
        if resize:
            old = self.fleet.resize(cfg.workers)
            self.cfg.run_hook("nworkers_changed", self, cfg.workers, old, log=log)

    def handle_term(self) -> None:
        """Graceful stop: drain every worker, then exit. With ``drain_delay``, the health path answers 503 at
        once and everything keeps serving that long before the drain begins."""
        if self.child_master is not None:
            self.handed_over = True  # the new master serves our sockets now: leave unix socket files alone
        if self.handed_over or self.fleet.stopping is not None:
            self._stop_gracefully()
            return
        self.node.value = DRAINING
        if self.drain_until is not None:
            return  # already counting down
        if self.cfg.drain_delay > 0:
            self.drain_until = time.monotonic() + self.cfg.drain_delay
            log.info("TERM: health answers 503; stopping gracefully in %gs (drain_delay)", self.cfg.drain_delay)
            self.notifier.stopping()
            return
        self._stop_gracefully()

    def _stop_gracefully(self) -> None:
        if self.handed_over:
            self.metrics_endpoint.hand_over()
        log.info("TERM: stopping gracefully%s", " (handed over to the new master)" if self.handed_over else "")
        if not self.handed_over:
            self.notifier.stopping()  # after a USR2 the service goes on: only the old master leaves
            self._stop_listening()
        self.fleet.stop(time.monotonic(), "graceful")

    def handle_int(self) -> None:
        """Quick stop."""
        log.info("INT: stopping quickly")
        self.node.value = DRAINING
        self.drain_until = None
        self.notifier.stopping()
        if self.child_master is None:
            self._stop_listening()
        self.fleet.stop(time.monotonic(), "quick")

    def _stop_listening(self) -> None:
        """The service stops: close the master's copy of every listening socket now, not at exit.

        The kernel keeps a listening socket (and completes handshakes into its queue) while any process holds a
        copy; the master never accepts, so connections queued behind its copy would hang until its exit and then
        be reset. The workers close theirs as their drain begins, each first accepting what is queued; once the
        last copy is closed, new clients are refused at once (unix socket files are removed now, for the same
        reason). A socket systemd passed stays open in systemd, and what queues there waits for the next start.
        """
        sockets.close_all(self.listeners, unlink=True)

    handle_quit = handle_int

    def handle_usr1(self) -> None:
        """Reopen the log files, here and in every worker."""
        self.logs.reopen()
        log.info("USR1: reopened log files")
        for pid in self.fleet.workers:
            self._signal(pid, messages.SIG_REOPEN)

    def handle_usr2(self) -> None:
        """Re-exec a new master that inherits the listening sockets."""
        if self.child_master is not None:
            log.warning("USR2: an upgrade is already under way (master %d)", self.child_master)
            return
        if self.fleet.stopping is not None:
            return
        if self.pid == 1:
            # The new master is our child; when PID 1 of a namespace exits, the kernel kills every process in it
            # (pid_namespaces(7)), the new master and its workers included: the container would just stop.
            log.warning("USR2: refused as PID 1 (a container): replace the container to upgrade; HUP reloads")
            return
        if self.pidfile is not None:
            self.pidfile.rename_oldbin()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - replaced by exec
            exec_new_master(self.listeners, self.pid, self.start_cwd, self.argv, SIGNAL_NAMES)
        self.child_master = pid
        log.info("USR2: started new master %d", pid)

    def handle_ttin(self) -> None:
        """One more worker."""
        old = self.fleet.resize(self.fleet.target + 1)
        log.info("TTIN: %d -> %d workers", old, self.fleet.target)
        self.cfg.run_hook("nworkers_changed", self, self.fleet.target, old, log=log)

    def handle_ttou(self) -> None:
        """One fewer worker (never below one)."""
        old = self.fleet.resize(self.fleet.target - 1)
        log.info("TTOU: %d -> %d workers", old, self.fleet.target)
        if old != self.fleet.target:
            self.cfg.run_hook("nworkers_changed", self, self.fleet.target, old, log=log)

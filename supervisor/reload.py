"""Development auto-reload: watch source files with ``watchfiles`` and restart the server when they change.

Development only. Two ways to use it:

* **Inside the master** (``prefork --reload``): the master spawns ``python -m supervisor.reload --notify-pid
  MASTER_PID --path DIR`` as a child, which sends it SIGHUP on each change and exits when the master is gone (a
  child process rather than a :class:`Reloader` thread, so that the master never forks workers while a thread
  runs). A HUP is the rolling restart that already exists: new workers fork from a master that never imported the
  app, so they import the new code, and the old workers serve until the new ones are ready. A broken edit
  therefore costs one failed boot (the old worker keeps serving) and the next save recovers. It cannot work with
  ``--preload``: the master would hand the workers the app it imported at start.
* **Around any command** (works with every version of the master)::

      python -m supervisor.reload [--path DIR]... [--ext .html]... [--hup] -- prefork --bind :8000 examples.app:app
      python -m supervisor.reload -- python -m examples.app

  watchfiles' ``run_process`` runs the command and restarts it on each change: SIGINT (a ``prefork`` master's
  quick stop, ``KeyboardInterrupt`` in a script), then SIGKILL after ``--stop-timeout``. The command runs in its
  own process group, so a terminal's Ctrl-C reaches only the runner, which passes exactly one SIGINT on (two
  would cut a script's cleanup short). With ``--hup`` the command is sent SIGHUP instead of being restarted (for
  a ``prefork`` master: a rolling restart without closing the listening sockets); ``run_process`` can only
  restart, so this mode runs the watch loop of ``--notify-pid`` around the command, and at the end passes on the
  runner's SIGINT or SIGTERM. A command that exits on its own (a syntax error at import) is started again at the
  next change. Ctrl-C, SIGTERM or SIGHUP stops the command and the runner, which then exits with 0 (2 for a
  usage error or a missing ``watchfiles``).

Only files that matter trigger a restart: ``*.py`` (plus ``--ext`` extensions) under the watched directories,
ignoring ``__pycache__``, ``.git``, virtualenvs and editors' temporary files (``watchfiles.PythonFilter``).
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "HupWatcher",
    "ReloadError",
    "Reloader",
    "main",
    "notify_command",
    "python_filter",
    "require_watchfiles",
    "watch_and_restart",
]

Changes = set[tuple[Any, str]]  # watchfiles' (Change, path) pairs

PROG = "prefork-reload"
DEBOUNCE_MS = 1600  # longest time changes are grouped into one restart (watchfiles' default)
STEP_MS = 50  # a batch ends after this long without a new change: an editor's save is one restart, not three


class ReloadError(Exception):
    """Auto-reload cannot run: ``watchfiles`` is missing, or the command cannot be reloaded (``--preload``)."""


def _watchfiles() -> Any:
    try:
        import watchfiles
    except ImportError:
        raise ReloadError(
            "--reload needs watchfiles: pip install 'prefork[reload]' (or pip install watchfiles)"
        ) from None
    return watchfiles


def require_watchfiles() -> None:
    """Raise :class:`ReloadError` with the install line when ``watchfiles`` is missing (checked at start)."""
    _watchfiles()


def notify_command(pid: int, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The command line of the watch-only child that HUPs ``pid`` when a source file under ``paths`` changes."""
    args = [sys.executable, "-m", "supervisor.reload", "--notify-pid", str(pid)]
    for path in paths:
        args += ["--path", os.fspath(path)]
    return args


class HupWatcher:
    """``prefork --reload``'s child: the watch-only process (:func:`notify_command`) that sends master
    ``master_pid`` SIGHUP on each source change under ``paths``, its output to ``stream``. A child, not a thread:
    a master that forks workers while a thread runs risks a deadlocked worker (and warns from Python 3.12).
    Raises :class:`ReloadError` when ``watchfiles`` is missing."""

    def __init__(self, master_pid: int, paths: list[str], stream: Any) -> None:
        require_watchfiles()
        self.paths = paths
        self.proc = subprocess.Popen(
            notify_command(master_pid, paths), stdin=subprocess.DEVNULL, stdout=stream, stderr=stream
        )
        #: The child's pid, for the master's reaping.
        self.pid = self.proc.pid

    def reaped(self, code: int) -> None:
        """The master collected the child's exit status (``waitpid(-1)``): nothing is left to wait for."""
        self.proc.returncode = code

    def stop(self) -> None:
        """Terminate the child (kill it after 2 s) and collect it."""
        proc = self.proc
        if proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(2.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def python_filter(extensions: Sequence[str] = ()) -> Callable[[Any, str], bool]:
    """The filter of what triggers a restart: ``.py`` files plus ``extensions`` (e.g. ``(".html", ".toml")``)."""
    extra = tuple(ext if ext.startswith(".") else f".{ext}" for ext in extensions)
    return _watchfiles().PythonFilter(extra_extensions=extra)  # type: ignore[no-any-return]


def watch_and_restart(
    paths: Iterable[str | os.PathLike[str]],
    on_change: Callable[[Changes], Any],
    *,
    stop_event: threading.Event | None = None,
    extensions: Sequence[str] = (),
    debounce_ms: int = DEBOUNCE_MS,
    step_ms: int = STEP_MS,
    on_idle: Callable[[], Any] | None = None,
    idle_ms: int = 500,
) -> None:
    """Block, calling ``on_change(changes)`` once per batch of changed files under ``paths``, until
    ``stop_event`` is set (checked every ``step_ms``). ``changes`` is a set of ``(watchfiles.Change, path)``.
    ``on_idle()``, if given, is called after every ``idle_ms`` without a change (to look after a child process).

    An exception from ``on_change`` or ``on_idle`` propagates and ends the watch.
    """
    watchfiles = _watchfiles()
    dirs = [os.fspath(p) for p in paths]
    for changes in watchfiles.watch(
        *dirs,
        watch_filter=python_filter(extensions),
        debounce=debounce_ms,
        step=step_ms,
        stop_event=stop_event,
        raise_interrupt=False,
        rust_timeout=idle_ms if on_idle is not None else 5000,
        yield_on_timeout=on_idle is not None,
    ):
        if changes:
            on_change(changes)
        elif on_idle is not None:
            on_idle()


class Reloader:
    """A watcher thread for a long-running process that does not fork: ``start()``, then ``stop()`` at exit.

    ``on_change(changes)`` runs in the watcher thread, so it must only hand the news over, the way a signal
    handler does (e.g. ``lambda changes: os.kill(os.getpid(), signal.SIGHUP)``). The thread is a daemon. A process
    that forks (the master) should run ``--notify-pid`` as a child instead: forking while a thread runs is unsafe
    and warns from Python 3.12.
    """

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]],
        on_change: Callable[[Changes], Any],
        *,
        extensions: Sequence[str] = (),
        debounce_ms: int = DEBOUNCE_MS,
        step_ms: int = STEP_MS,
    ) -> None:
        _watchfiles()  # fail at start, in the caller's thread, when watchfiles is missing
        self.paths = [os.fspath(p) for p in paths]
        self.on_change = on_change
        self.extensions = tuple(extensions)
        self.debounce_ms = debounce_ms
        self.step_ms = step_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Reloader:
        """Start watching in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="prefork-reload", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching; returns once the thread has ended (or after ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        watch_and_restart(
            self.paths,
            self.on_change,
            stop_event=self._stop,
            extensions=self.extensions,
            debounce_ms=self.debounce_ms,
            step_ms=self.step_ms,
        )


def describe(changes: Changes, root: str | None = None) -> str:
    """``'app.py, views.py (+2 more)'``: which files a batch touched, for the one line printed per restart."""
    names = sorted({os.path.relpath(path, root) if root else path for _, path in changes})
    shown = ", ".join(names[:3])
    return shown + (f" (+{len(names) - 3} more)" if len(names) > 3 else "")


# -- the command runner --------------------------------------------------------------------------------------------


def _in_own_process_group(command: list[str]) -> list[str]:
    """``command``, started through a tiny ``exec`` shim that first makes it the leader of its own process group.

    ``run_process`` starts a command with a plain ``Popen``, in the runner's process group; the shim keeps the pid
    (``exec``) so that watchfiles' SIGINT and SIGKILL still reach the command itself.
    """
    return [sys.executable, "-c", _GROUP_SHIM, *command]


# Also reports a command that cannot be started in one line, as a shell would, rather than with a traceback.
_GROUP_SHIM = (
    "import os, sys\n"
    "os.setpgid(0, 0)\n"
    "try:\n"
    "    os.execvp(sys.argv[1], sys.argv[1:])\n"
    "except OSError as exc:\n"
    f"    sys.exit(f'{PROG}: cannot run {{sys.argv[1]}}: {{exc.strerror}}')\n"
)


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m supervisor.reload",
        description="Run COMMAND and restart it whenever a source file changes (development only).",
        epilog="example: python -m supervisor.reload --path . -- prefork --bind 127.0.0.1:8000 examples.app:app",
    )
    parser.add_argument("--path", action="append", default=[], help="directory to watch (repeatable; default: .)")
    parser.add_argument("--ext", action="append", default=[], help="also watch this extension, e.g. .html")
    parser.add_argument(
        "--hup", action="store_true", help="send SIGHUP instead of restarting (a prefork master's rolling restart)"
    )
    parser.add_argument(
        "--stop-timeout",
        type=float,
        default=10.0,
        help="seconds a command being restarted (or, with --hup, stopped) gets before SIGKILL (10); when the runner "
        "stops, watchfiles gives the command 5",
    )
    parser.add_argument(
        "--notify-pid",
        type=int,
        metavar="PID",
        help="run no command: send SIGHUP to PID on each change, and exit when PID is gone (the master's watcher)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    if args.command and args.command[0] == "--":
        args.command = args.command[1:]
    if args.notify_pid is not None:
        if args.command:
            parser.error("--notify-pid runs no command: drop the command, or --notify-pid")
        return args
    if not args.command:
        parser.error("missing the command to run, e.g. -- prefork examples.app:app")
    if args.hup and "--preload" in args.command:
        parser.error(
            "--hup cannot work with --preload: the master imported the app once and HUP would not re-import it; "
            "drop --preload (or --hup, to restart the whole command)"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    """``python -m supervisor.reload [--path DIR]... [--ext EXT]... [--hup] -- COMMAND...``; returns the exit code
    of the runner: 0 once stopped, 2 for a usage error or a missing ``watchfiles``."""
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    try:
        _watchfiles()
    except ReloadError as exc:
        _say(str(exc))
        return 2
    paths = [str(Path(p).resolve()) for p in (args.path or ["."])]
    if args.notify_pid is not None or args.hup:
        stop = threading.Event()
        received: list[int] = []

        def on_signal(signum: int, frame: Any) -> None:
            received.append(signum)
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, on_signal)
        if args.notify_pid is not None:
            return _notify(args.notify_pid, paths, args.ext, stop)
        return _run_hup(args, paths, stop, received)
    return _run_restarting(args, paths)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _run_restarting(args: argparse.Namespace, paths: list[str]) -> int:
    """Run the command under watchfiles' ``run_process``, restarted on each change; return 0 once stopped."""
    watchfiles = _watchfiles()
    root = paths[0] if len(paths) == 1 else None
    # watchfiles reports through logging: the dead command's exit code at the next restart, a stop by signal.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    logging.getLogger("watchfiles").addHandler(handler)
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    # run_process turns SIGTERM into KeyboardInterrupt (its catch_sigterm); a closed terminal's SIGHUP too.
    signal.signal(signal.SIGHUP, _interrupt)

    def announce(changes: Changes) -> None:
        _say(f"{describe(changes, root)} changed; restarting")

    _say(f"watching {', '.join(paths)}; running: {' '.join(args.command)}")
    started = time.monotonic()
    try:
        watchfiles.run_process(
            *paths,
            target=shlex.join(_in_own_process_group(args.command)),
            target_type="command",
            callback=announce,
            watch_filter=python_filter(args.ext),
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            sigint_timeout=args.stop_timeout,
        )
    except KeyboardInterrupt:
        pass  # a signal that arrived outside the watch (during a restart): run_process stopped the command
    _say(f"stopped after {time.monotonic() - started:.0f}s")
    return 0


def _run_hup(args: argparse.Namespace, paths: list[str], stop: threading.Event, received: list[int]) -> int:
    """``--hup``: start the command, send it SIGHUP on each change (start it again if it has exited), and stop it
    with the signal the runner got (SIGTERM for SIGHUP: the terminal went away); return 0 once stopped."""
    root = paths[0] if len(paths) == 1 else None

    def start() -> subprocess.Popen[bytes]:
        # its own process group, for the reason given in _in_own_process_group
        return subprocess.Popen(args.command, process_group=0)

    _say(f"watching {', '.join(paths)}; running: {' '.join(args.command)}")
    proc = start()

    def on_change(changes: Changes) -> None:
        nonlocal proc
        what = describe(changes, root)
        if proc.poll() is None:
            _say(f"{what} changed; sending HUP")
            proc.send_signal(signal.SIGHUP)
        else:
            _say(f"{what} changed; starting it again (it had exited with {proc.returncode})")
            proc = start()

    started = time.monotonic()
    try:
        watch_and_restart(paths, on_change, stop_event=stop, extensions=args.ext)
    finally:
        signum = received[0] if received and received[0] != signal.SIGHUP else signal.SIGTERM
        if proc.poll() is None:
            proc.send_signal(signum)
            try:
                proc.wait(args.stop_timeout)
            except subprocess.TimeoutExpired:
                _say(f"{args.command[0]} did not stop within {args.stop_timeout:g}s; killing it")
                proc.kill()
                proc.wait()
    _say(f"stopped after {time.monotonic() - started:.0f}s")
    return 0


def _notify(pid: int, paths: list[str], extensions: Sequence[str], stop: threading.Event) -> int:
    """Watch-only mode: HUP ``pid`` on each change; return 0 once ``pid`` has gone (or on a signal)."""

    def hup(changes: Changes) -> None:
        _say(f"{describe(changes, paths[0] if len(paths) == 1 else None)} changed; sending HUP to {pid}")
        os.kill(pid, signal.SIGHUP)

    parent = os.getppid()

    def check() -> None:
        # The master may die without telling us (SIGKILL): do not outlive it. When it is our parent, being
        # re-parented says so even while it is an unreaped zombie, which kill(pid, 0) still finds.
        if parent == pid and os.getppid() != parent:
            stop.set()
            return
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop.set()

    try:
        watch_and_restart(paths, hup, stop_event=stop, extensions=extensions, on_idle=check)
    except ProcessLookupError:
        pass  # it went away between a change and the HUP
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A real ``prefork`` master (``python -m supervisor``) in a subprocess, for the tests that need processes.

:class:`PreforkProcess` starts one master with the arguments a test gives, waits on its error log, finds its
workers in the process table, signals it, and stops it and everything it left, including the masters a USR2
started (``extra_masters``). tests/supervisor/masters.py and tests/deploy/harness.py configure it for their apps.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil


class PreforkProcess:
    """One master under test; its error log is ``log_path`` and its stdout and stderr go to ``output``."""

    def __init__(self, tmp_path: Path, *, log_path: Path, output: Path) -> None:
        self.tmp_path = tmp_path
        self.log_path = log_path
        self.output = output
        self.proc: subprocess.Popen[bytes] | None = None
        self.command = [sys.executable, "-m", "supervisor"]
        # Masters this test started indirectly (USR2): stop() ends them and their workers too.
        self.extra_masters: list[int] = []

    def launch(
        self,
        args: list[str],
        *,
        cwd: Path | str,
        env: dict[str, str],
        pass_fds: tuple[int, ...] = (),
        preexec_fn: Callable[[], object] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``self.command`` + ``args`` writing its error log to ``log_path``; ``env`` is the whole
        environment (see :meth:`base_env`); ``preexec_fn`` runs in the child before exec (resource limits)."""
        argv = [*self.command, "--error-logfile", str(self.log_path), *args]
        with open(self.output, "wb") as out:
            self.proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=pass_fds,
                preexec_fn=preexec_fn,
            )
        return self.proc

    @staticmethod
    def base_env(*drop: str) -> dict[str, str]:
        """This process's environment without ``PREFORK_CMD_ARGS`` and the names in ``drop``."""
        return {k: v for k, v in os.environ.items() if k not in ("PREFORK_CMD_ARGS", *drop)}

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        """Wait until ``pattern`` matches ``count`` times in the error log; return the matches. Fails at once
        when the master exits first."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.findall(pattern, self.log())
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} x{count} not in the log after {timeout}s:\n{self.log()[-3000:]}")
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"master exited ({self.proc.returncode}) while waiting for {pattern!r}:\n{self.log()[-3000:]}"
                )
            time.sleep(0.02)

    def workers(self, pid: int | None = None) -> list[int]:
        """Live worker pids of the master (``pid`` or ours), from the process table."""
        try:
            children = psutil.Process(pid or self.pid).children()
        except psutil.NoSuchProcess:
            return []
        live = []
        for child in children:
            try:
                if child.status() != psutil.STATUS_ZOMBIE and "worker" in " ".join(child.cmdline()):
                    live.append(child.pid)
            except psutil.NoSuchProcess:
                pass
        return sorted(live)

    def wait_workers(self, n: int, timeout: float = 10.0, pid: int | None = None) -> list[int]:
        """Wait until the master (``pid`` or ours) has exactly ``n`` live workers; return their pids."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.workers(pid)
            if len(pids) == n:
                return pids
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {n} workers, have {pids}:\n{self.log()[-3000:]}")
            time.sleep(0.02)

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def wait(self, timeout: float = 10.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        """Teardown: TERM our master and ``extra_masters``, then KILL whatever is left of their families."""
        masters = self.extra_masters[:]
        if self.proc is not None and self.proc.poll() is None:
            masters.insert(0, self.pid)
        family: list[psutil.Process] = []
        for pid in masters:
            try:
                family += [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        for pid in masters:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        _, alive = psutil.wait_procs(family, timeout=5)
        for proc in alive:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        if self.proc is not None:
            self.proc.wait(5)

"""The pid file (``--pid FILE``), as gunicorn keeps it (``gunicorn/pidfile.py``).

Written atomically when the master starts; renamed to ``FILE.oldbin`` when USR2 forks a new master (which then
writes ``FILE`` itself), and renamed back if the new master exits before taking over; removed when the master
exits, but only while it still names this master (after an upgrade it names the new one).
"""

from __future__ import annotations

import contextlib
import os

from .errors import ConfigError

__all__ = ["Pidfile"]

OLDBIN = ".oldbin"


class Pidfile:
    """The pid file of master ``pid`` at ``path`` (made absolute: the master may ``--chdir`` later)."""

    def __init__(self, path: str, pid: int) -> None:
        self.path = os.path.abspath(path)
        self.pid = pid

    def create(self) -> None:
        """Write the pid; raises ConfigError when the file cannot be written."""
        tmp = f"{self.path}.{self.pid}.tmp"
        try:
            with open(tmp, "w") as f:
                f.write(f"{self.pid}\n")
            os.replace(tmp, self.path)  # atomic: a reader never sees an empty pid file
        except OSError as exc:
            raise ConfigError(f"cannot write the pid file {self.path}: {exc.strerror}") from None

    def rename_oldbin(self) -> None:
        """USR2: step aside to ``FILE.oldbin`` for the new master's ``FILE``."""
        with contextlib.suppress(OSError):
            os.replace(self.path, self.path + OLDBIN)
            self.path += OLDBIN

    def restore(self) -> None:
        """The new master failed before taking over: ``FILE.oldbin`` becomes ``FILE`` again."""
        if self.path.endswith(OLDBIN):
            original = self.path.removesuffix(OLDBIN)
            with contextlib.suppress(OSError):
                os.replace(self.path, original)
                self.path = original

    def unlink(self) -> None:
        """At exit: remove the file if it still names this master."""
        with contextlib.suppress(OSError):
            with open(self.path) as f:
                mine = f.read().strip() == str(self.pid)
            if mine:
                os.unlink(self.path)

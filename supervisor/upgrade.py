"""USR2's new master: how the running master starts it, and how a master knows it is one.

The old master forks a child that execs ``python -m supervisor`` with the same arguments, from the directory the
command first ran in, with the environment the command started with (the new master applies its own
``raw_env``). The listening sockets pass by descriptor (``PREFORK_FDS``, see supervisor/sockets.py) and the old
master's pid in ``PREFORK_UPGRADE_FROM``: the new master sends that pid TERM once its own workers are ready.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Iterable, MutableMapping
from typing import NoReturn

from . import sockets
from .config import original_environ
from .errors import EXIT_ERROR

__all__ = ["ENV_UPGRADE_FROM", "exec_new_master", "take_upgrade_from"]

log = logging.getLogger("prefork.master")

ENV_UPGRADE_FROM = "PREFORK_UPGRADE_FROM"


def take_upgrade_from(environ: MutableMapping[str, str]) -> int | None:
    """The old master's pid when this process is a new master started by USR2, else None. The variable is removed,
    so that nothing this master starts inherits it."""
    value = environ.pop(ENV_UPGRADE_FROM, "")
    return int(value) if value.isdigit() else None


def exec_new_master(
    listeners: list[sockets.Listener], old_pid: int, cwd: str, argv: list[str], handled: Iterable[int]
) -> NoReturn:  # pragma: no cover - runs in the forked child
    """In the child USR2 forked: put the ``handled`` signals back to their defaults and exec the new master, which
    inherits ``listeners``; exit with EXIT_ERROR if the exec fails (the old master then carries on)."""
    try:
        signal.set_wakeup_fd(-1)
        for sig in handled:
            signal.signal(sig, signal.SIG_DFL)
        environ = original_environ()  # the new master applies its own raw_env
        sockets.export_fds(listeners, environ)
        environ[ENV_UPGRADE_FROM] = str(old_pid)
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "supervisor", *argv], environ)
    except BaseException:
        log.exception("cannot exec the new master")
    finally:
        os._exit(EXIT_ERROR)

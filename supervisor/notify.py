"""What the master tells its service manager: systemd's ``sd_notify`` protocol, spoken directly.

The protocol (sd_notify(3), "the notification protocol"): one ``AF_UNIX``/``SOCK_DGRAM`` datagram per
notification, sent to the path in ``$NOTIFY_SOCKET`` (a leading ``@`` means the abstract namespace), holding
newline-separated ``KEY=VALUE`` assignments. systemd learns the sender's pid from the kernel (``SO_PASSCRED``),
so there is nothing to sign and nothing to link: a socket and ``sendto`` are the whole of libsystemd's
``sd_notify`` for our needs, and no C dependency is added for it.

The master calls, and only calls, the :class:`Notifier` methods; the base class does nothing, and
:func:`from_environ` returns an :class:`SdNotifier` when ``NOTIFY_SOCKET`` is set:

=====================  =========================================================================================
``ready(status)``      the target number of workers of the current generation all reported ready (first start,
                       and again when a HUP's rolling restart has finished): ``READY=1`` + ``STATUS=``
``reloading()``        HUP received, before the rolling restart: ``RELOADING=1`` + ``MONOTONIC_USEC``
                       (what ``Type=notify-reload`` requires, systemd >= 253; harmless before)
``stopping()``         TERM/INT/QUIT received: ``STOPPING=1``
``mainpid(pid)``       a master started by a USR2 re-exec is now the one to follow: ``MAINPID=``
``status(text)``       about once a second: workers and requests served: ``STATUS=`` (sent only when it changed)
``watchdog()``         every live worker's heartbeat is fresh: ``WATCHDOG=1`` (only when ``WATCHDOG_USEC`` is set)
=====================  =========================================================================================

Nothing here raises: a service manager that went away must never take the master down with it, so every send
failure is swallowed (and reported as ``False`` by :func:`notify`).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping

__all__ = [
    "Notifier",
    "SdNotifier",
    "from_environ",
    "mainpid",
    "notify",
    "ready",
    "reloading",
    "status",
    "stopping",
    "watchdog",
    "watchdog_interval",
]


def _address(value: str) -> str | bytes | None:
    """The ``sendto`` address for a ``NOTIFY_SOCKET`` value: a path, or ``@name`` for the abstract namespace."""
    if value.startswith("/"):
        return value
    if value.startswith("@") and len(value) > 1:
        return b"\0" + value[1:].encode()
    return None  # relative paths and other families (vsock:) are not ours to guess at


def notify(state: str, environ: Mapping[str, str] | None = None) -> bool:
    """Send ``state`` (``"KEY=VALUE"`` lines) to ``$NOTIFY_SOCKET`` as one datagram; False when not sent.

    A silent no-op when ``NOTIFY_SOCKET`` is unset, as sd_notify(3) is; never raises.
    """
    env = os.environ if environ is None else environ
    address = _address(env.get("NOTIFY_SOCKET", ""))
    if address is None or not state:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(state.encode("utf-8", "replace"), address)
    except Exception:
        return False
    return True


def _one_line(text: str) -> str:
    # A newline would start a new assignment and let the text set another key.
    return " ".join(text.splitlines())


def ready(status_text: str | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """``READY=1``: startup (or a reload) has finished and the service serves."""
    state = "READY=1" if status_text is None else f"READY=1\nSTATUS={_one_line(status_text)}"
    return notify(state, environ)


def reloading(environ: Mapping[str, str] | None = None) -> bool:
    """``RELOADING=1`` with ``MONOTONIC_USEC``, which ``Type=notify-reload`` needs to tell reloads apart."""
    usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    return notify(f"RELOADING=1\nMONOTONIC_USEC={usec}", environ)


def stopping(environ: Mapping[str, str] | None = None) -> bool:
    """``STOPPING=1``: the service is shutting down."""
    return notify("STOPPING=1", environ)


def status(text: str, environ: Mapping[str, str] | None = None) -> bool:
    """``STATUS=...``: one line for ``systemctl status``."""
    return notify(f"STATUS={_one_line(text)}", environ)


def mainpid(pid: int, environ: Mapping[str, str] | None = None) -> bool:
    """``MAINPID=pid``: systemd should follow this process from now on (after a USR2 re-exec)."""
    return notify(f"MAINPID={int(pid)}", environ)


def watchdog(environ: Mapping[str, str] | None = None) -> bool:
    """``WATCHDOG=1``: keep-alive ping for ``WatchdogSec=``."""
    return notify("WATCHDOG=1", environ)


def watchdog_interval(environ: Mapping[str, str] | None = None, pid: int | None = None) -> float | None:
    """``WATCHDOG_USEC`` in seconds when the watchdog is meant for this process, else None (sd_watchdog_enabled).

    ``WATCHDOG_PID``, when set, names the process the watchdog is for; any other process (a worker that inherited
    the environment, or a re-exec'd master before it took over) must not ping.
    """
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    target = env.get("WATCHDOG_PID", "")
    if target and (not target.isdigit() or int(target) != (os.getpid() if pid is None else pid)):
        return None
    return int(usec) / 1_000_000


class Notifier:
    """The no-op notifier; subclass and override to report to a service manager."""

    def ready(self, status: str) -> None:
        """The configured workers serve."""

    def reloading(self) -> None:
        """A reload (HUP) started."""

    def stopping(self) -> None:
        """The master is stopping."""

    def mainpid(self, pid: int) -> None:
        """This process replaced the previous master (USR2)."""

    def status(self, text: str) -> None:
        """A one-line status for humans."""

    def watchdog(self) -> None:
        """Every worker's event loop answered within the timeout."""


class SdNotifier(Notifier):
    """systemd's notification socket, read from the environment once (the master's, at start)."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        keep = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")
        self.environ = {key: environ[key] for key in keep if key in environ}
        self.watchdog_usec = self.environ.get("WATCHDOG_USEC", "")
        self.watchdog_enabled = watchdog_interval(self.environ) is not None
        self.last_status: str | None = None

    def ready(self, status: str) -> None:
        ready(status, self.environ)
        self.last_status = status

    def reloading(self) -> None:
        reloading(self.environ)

    def stopping(self) -> None:
        stopping(self.environ)

    def mainpid(self, pid: int) -> None:
        mainpid(pid, self.environ)
        # A master re-exec'd by USR2 inherited WATCHDOG_PID naming the old master; once systemd follows this pid,
        # the watchdog is ours to feed.
        if pid == os.getpid() and self.watchdog_usec.isdigit() and int(self.watchdog_usec):
            self.watchdog_enabled = True

    def status(self, text: str) -> None:
        if text != self.last_status:  # once a second otherwise: no datagram when nothing changed
            status(text, self.environ)
            self.last_status = text

    def watchdog(self) -> None:
        if self.watchdog_enabled:
            watchdog(self.environ)


def from_environ(environ: Mapping[str, str]) -> Notifier:
    """The notifier for this process's service manager; the command calls this once at start."""
    if _address(environ.get("NOTIFY_SOCKET", "")) is None:
        return Notifier()
    return SdNotifier(environ)

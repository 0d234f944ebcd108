"""What the master tells its service manager, as one small interface the master calls at each moment.

The master calls, and only calls, these methods; :class:`Notifier` does nothing. An sd_notify implementation
(systemd ``NOTIFY_SOCKET``, issue 6) subclasses it and overrides them; nothing else in the master changes.

=====================  =========================================================================================
``ready(status)``      the target number of workers of the current generation all reported ready (first start,
                       and again when a HUP's rolling restart has finished): ``READY=1``
``reloading()``        HUP received, before the rolling restart: ``RELOADING=1`` + ``MONOTONIC_USEC``
``stopping()``         TERM/INT/QUIT received: ``STOPPING=1``
``mainpid(pid)``       a master started by a USR2 re-exec is now the one to follow: ``MAINPID=``
``status(text)``       about once a second: workers and requests served: ``STATUS=``
``watchdog()``         every live worker's heartbeat is fresh: ``WATCHDOG=1``
=====================  =========================================================================================
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Notifier", "from_environ"]


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


def from_environ(environ: Mapping[str, str]) -> Notifier:
    """The notifier for this process's service manager; the command calls this once at start.

    ``NOTIFY_SOCKET`` (systemd) is not spoken yet: an sd_notify notifier returned from here is the whole change.
    """
    return Notifier()

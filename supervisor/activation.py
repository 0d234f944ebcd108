"""systemd socket activation: the listening sockets a ``.socket`` unit (or ``systemd-socket-activate``) passed us.

The protocol (sd_listen_fds(3)): descriptors ``3 .. 3+$LISTEN_FDS-1`` are open and listening; ``$LISTEN_PID``
names the process they are meant for (a child that inherited the environment must not take them); the optional
``$LISTEN_FDNAMES`` gives each a name (``FileDescriptorName=``), colon-separated, in order. As ``sd_listen_fds(1)``
does, the variables are removed once read, so workers, re-execs and the app's own subprocesses do not see stale
values, and each descriptor is marked close-on-exec.

Because the socket outlives the service, ``systemctl restart`` loses no connection: while no process accepts,
connections wait in the kernel's accept queue for the next one.
"""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import MutableMapping

from .errors import BindError

__all__ = ["SD_LISTEN_FDS_START", "ActivationError", "is_listening", "listen_fds"]

SD_LISTEN_FDS_START = 3
_VARIABLES = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")


class ActivationError(BindError):
    """A descriptor passed by the service manager is not a socket we can serve from (wrong kind, or closed)."""


def listen_fds(
    environ: MutableMapping[str, str] | None = None, *, unset: bool = True, pid: int | None = None
) -> list[tuple[str, socket.socket]]:
    """The passed sockets as ``(name, socket)`` pairs, in descriptor order; ``[]`` when none are meant for us.

    Each socket object is built from the descriptor itself, so its family (``AF_INET``, ``AF_INET6``,
    ``AF_UNIX``) and type (``SOCK_STREAM``, ``SOCK_DGRAM``...) are what the kernel says, not what a config file
    claims. A name defaults to ``"unknown"``, as in sd_listen_fds_with_names(3). Raises :class:`ActivationError`
    when a descriptor is not a socket.
    """
    env = os.environ if environ is None else environ
    listen_pid, count, names_text = (env.get(name, "") for name in _VARIABLES)
    if unset:
        for name in _VARIABLES:
            env.pop(name, None)
    if not listen_pid.isdigit() or int(listen_pid) != (os.getpid() if pid is None else pid):
        return []
    if not count.isdigit() or int(count) == 0:
        return []
    n = int(count)
    names = names_text.split(":") if names_text else []
    if len(names) != n:
        names = ["unknown"] * n  # a count mismatch means the names cannot be trusted to line up
    found: list[tuple[str, socket.socket]] = []
    for offset, name in enumerate(names):
        fd = SD_LISTEN_FDS_START + offset
        try:
            fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.fcntl(fd, fcntl.F_GETFD) | fcntl.FD_CLOEXEC)
            sock = socket.socket(fileno=fd)  # family, type and protocol come from getsockopt(SO_DOMAIN...)
        except OSError as exc:
            for _, opened in found:
                opened.detach()
            raise ActivationError(f"LISTEN_FDS: fd {fd} ({name}) is not a socket: {exc.strerror}") from None
        found.append((name, sock))
    return found


def is_listening(sock: socket.socket) -> bool:
    """True for a stream socket that is listening (``SO_ACCEPTCONN``): one an HTTP server can accept from."""
    try:
        return sock.type == socket.SOCK_STREAM and bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
    except OSError:
        return False

"""Listening sockets: parse bind addresses, bind them once in the master, hand them on across a re-exec.

Workers never bind: they inherit the master's listening sockets through ``fork`` and all accept from the same
kernel queue, so a draining worker that stops accepting leaves its share of new connections to the others and
nothing queued is lost. (Per-worker ``SO_REUSEPORT`` sockets would each have their own queue, and connections
waiting in a closing worker's queue would be reset.)

Sockets that outlive the master travel by descriptor number in environment variables:

* ``PREFORK_FDS=3,4``: set by a master for the new master it execs on USR2.
* ``LISTEN_FDS``/``LISTEN_PID``/``LISTEN_FDNAMES``: systemd socket activation (sd_listen_fds(3)); fds start at 3.
* ``PREFORK_EXTERNAL_FDS=3``: which of ``PREFORK_FDS`` systemd still holds, so that a re-exec'd master knows.

A socket systemd passed (``Listener.external``) outlives every prefork process: closing our copies leaves it
listening, and connections queued in it wait for the next start. A socket prefork bound is ours: on a stop every
process closes its copy, and each worker first accepts what is queued (server/acceptor.py), because the kernel
resets the queued connections when the last copy closes.

An inherited socket is reused for the bind address it is bound to; when no address was configured, all of them
are used. Unused inherited sockets are closed.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field

from .errors import BindError, ConfigError

__all__ = [
    "ENV_EXTERNAL_FDS",
    "ENV_FDS",
    "Address",
    "Listener",
    "close_all",
    "describe",
    "export_fds",
    "inherited_fds",
    "open_listeners",
    "parse_address",
    "take_inherited",
]

ENV_FDS = "PREFORK_FDS"
ENV_EXTERNAL_FDS = "PREFORK_EXTERNAL_FDS"
SD_LISTEN_FDS_START = 3
DEFAULT_PORT = 8000


@dataclass(frozen=True, slots=True)
class Address:
    """A parsed bind address: ``kind`` is "tcp" (host, port), "unix" (path) or "fd" (fd)."""

    kind: str
    host: str = ""
    port: int = 0
    path: str = ""
    fd: int = -1

    def __str__(self) -> str:
        if self.kind == "unix":
            return f"unix:{self.path}"
        if self.kind == "fd":
            return f"fd://{self.fd}"
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_address(text: str) -> Address:
    """Parse ``HOST:PORT``, ``[IPv6]:PORT``, ``HOST`` (port 8000), ``unix:PATH`` or ``fd://N``."""
    if text.startswith("unix:"):
        path = text[5:]
        if path.startswith("//"):  # unix://PATH, as some tools write it
            path = path[2:]
        if not path:
            raise ConfigError(f"bind {text!r}: empty unix socket path")
        return Address("unix", path=path)
    if text.startswith("fd://"):
        number = text[5:]
        if not number.isdigit():
            raise ConfigError(f"bind {text!r}: expected fd://N with N a descriptor number")
        return Address("fd", fd=int(number))
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ConfigError(f"bind {text!r}: expected [IPv6]:PORT")
        port_text = rest[1:] if rest else str(DEFAULT_PORT)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif ":" in text:
        raise ConfigError(f"bind {text!r}: write an IPv6 address in brackets, e.g. [::1]:8000")
    else:
        host, port_text = text, str(DEFAULT_PORT)
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ConfigError(f"bind {text!r}: port must be a number between 0 and 65535")
    return Address("tcp", host=host or "0.0.0.0", port=int(port_text))


@dataclass(slots=True)
class Listener:
    """A bound, listening socket and the address it serves. ``owned`` unix paths are unlinked at close;
    an ``external`` socket is held open by the service manager too (socket activation), so it outlives us."""

    address: Address
    sock: socket.socket
    owned_path: str | None = None
    inode: tuple[int, int] | None = field(default=None, repr=False)
    external: bool = False

    def url(self) -> str:
        if self.sock.family == socket.AF_UNIX:
            return f"unix:{self.sock.getsockname()}"
        host, port = self.sock.getsockname()[:2]
        return f"http://[{host}]:{port}" if self.sock.family == socket.AF_INET6 else f"http://{host}:{port}"


def inherited_fds(environ: MutableMapping[str, str]) -> list[int]:
    """Descriptors handed over by a previous master (``PREFORK_FDS``) or systemd (``LISTEN_FDS``).

    The variables are removed from ``environ`` so that workers and later re-execs do not see stale values.
    """
    return take_inherited(environ)[0]


def take_inherited(environ: MutableMapping[str, str]) -> tuple[list[int], frozenset[int]]:
    """:func:`inherited_fds`, and which of them the service manager holds too (``LISTEN_FDS``, or
    ``PREFORK_EXTERNAL_FDS`` from the master that re-exec'd us)."""
    fds: list[int] = []
    text = environ.pop(ENV_FDS, "")
    for part in filter(None, text.split(",")):
        if part.isdigit():
            fds.append(int(part))
    external = {int(part) for part in environ.pop(ENV_EXTERNAL_FDS, "").split(",") if part.isdigit()}
    listen_pid = environ.pop("LISTEN_PID", "")
    count = environ.pop("LISTEN_FDS", "")
    environ.pop("LISTEN_FDNAMES", None)
    if count.isdigit() and listen_pid == str(os.getpid()):
        activated = range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + int(count))
        fds.extend(activated)
        external.update(activated)
    return fds, frozenset(external & set(fds))


def _socket_from_fd(fd: int) -> socket.socket:
    try:
        sock = socket.socket(fileno=fd)
    except OSError as exc:
        raise BindError(f"fd://{fd}: not a usable socket: {exc.strerror}") from None
    if sock.type != socket.SOCK_STREAM:
        sock.detach()
        raise BindError(f"fd://{fd}: not a stream socket")
    return sock


def _matches(sock: socket.socket, address: Address) -> bool:
    try:
        name = sock.getsockname()
    except OSError:
        return False
    if address.kind == "unix":
        return sock.family == socket.AF_UNIX and name == address.path
    if address.kind != "tcp" or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return False
    if name[1] != address.port:
        return False
    try:
        infos = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return False
    return any(info[4][0] == name[0] and info[0] == sock.family for info in infos)


def _bind_tcp(address: Address, backlog: int, reuse_port: bool) -> socket.socket:
    try:
        infos = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        raise BindError(f"{address}: cannot resolve: {exc.strerror}") from None
    family, kind, proto, _, sockaddr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            # [::]:80 should not silently also take IPv4; bind 0.0.0.0:80 as well for that.
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(sockaddr)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot bind {address}: {exc.strerror}") from None
    return sock


def _remove_stale_unix(path: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise BindError(f"cannot bind unix:{path}: the path exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError as exc:
        if exc.errno not in (errno.ECONNREFUSED, errno.ENOENT):
            raise BindError(f"cannot bind unix:{path}: {exc.strerror}") from None
        os.unlink(path)  # nobody listens: left over from a crash
    else:
        raise BindError(f"cannot bind unix:{path}: another process is listening on it")
    finally:
        probe.close()


def _bind_unix(address: Address, backlog: int, mode: int, uid: int | None, gid: int | None) -> Listener:
    path = address.path
    _remove_stale_unix(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        os.chmod(path, mode)
        if uid is not None or gid is not None:
            os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot bind unix:{path}: {exc.strerror}") from None
    st = os.stat(path)
    return Listener(address, sock, owned_path=path, inode=(st.st_dev, st.st_ino))


def open_listeners(
    binds: Iterable[str],
    *,
    backlog: int = 2048,
    reuse_port: bool = False,
    unix_mode: int = 0o660,
    uid: int | None = None,
    gid: int | None = None,
    inherited: Iterable[int] = (),
    binds_given: bool = True,
    external: Iterable[int] = (),
) -> list[Listener]:
    """Bind every address, reusing inherited descriptors that are already bound to it.

    ``binds_given=False`` (bind left at its default) with inherited descriptors serves those descriptors only,
    which is what socket activation wants. The descriptors in ``external`` are held open by the service manager
    too (see :func:`take_inherited`).
    """
    pool = [_socket_from_fd(fd) for fd in inherited]
    listeners: list[Listener] = []
    held = frozenset(external)
    try:
        if pool and not binds_given:
            for sock in pool:
                listeners.append(Listener(Address("fd", fd=sock.fileno()), sock))
            pool = []
            return _mark_external(listeners, held)
        for text in binds:
            address = parse_address(text)
            if address.kind == "fd":
                match = next((s for s in pool if s.fileno() == address.fd), None)
                if match is not None:
                    pool.remove(match)
                listeners.append(Listener(address, match or _socket_from_fd(address.fd)))
                continue
            match = next((s for s in pool if _matches(s, address)), None)
            if match is not None:
                pool.remove(match)
                owned = address.path if address.kind == "unix" else None
                inode = None
                if owned:
                    st = os.stat(owned)
                    inode = (st.st_dev, st.st_ino)
                listeners.append(Listener(address, match, owned_path=owned, inode=inode))
            elif address.kind == "unix":
                listeners.append(_bind_unix(address, backlog, unix_mode, uid, gid))
            else:
                listeners.append(Listener(address, _bind_tcp(address, backlog, reuse_port)))
    except BaseException:
        close_all(listeners, unlink=True)
        raise
    finally:
        for sock in pool:
            sock.close()
    return _mark_external(listeners, held)


def _mark_external(listeners: list[Listener], external: frozenset[int]) -> list[Listener]:
    for listener in listeners:
        listener.external = listener.sock.fileno() in external
    return listeners


def export_fds(listeners: Iterable[Listener], environ: MutableMapping[str, str]) -> list[int]:
    """Make the listeners survive ``exec`` and name them in ``environ`` for the next master; call it in the
    forked child right before ``execve`` (inheritable fds in the master would leak into every worker's exec)."""
    fds = []
    external = []
    for listener in listeners:
        listener.sock.set_inheritable(True)
        fds.append(listener.sock.fileno())
        if listener.external:
            external.append(listener.sock.fileno())
    environ[ENV_FDS] = ",".join(map(str, fds))
    if external:
        environ[ENV_EXTERNAL_FDS] = ",".join(map(str, external))
    return fds


def close_all(listeners: Iterable[Listener], *, unlink: bool) -> None:
    """Close the sockets; with ``unlink``, remove the unix socket files this master created (unless replaced).
    Closing twice does no harm."""
    for listener in listeners:
        listener.sock.close()
        if unlink and listener.owned_path:
            try:
                st = os.stat(listener.owned_path)
                if (st.st_dev, st.st_ino) == listener.inode:
                    os.unlink(listener.owned_path)
            except OSError:
                pass


def describe(listeners: Iterable[Listener]) -> str:
    return ", ".join(listener.url() for listener in listeners)

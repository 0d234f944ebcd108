"""The master's metrics endpoint (``--metrics-bind``): ``GET /metrics`` in the Prometheus text format.

It lives in the master's own loop (``selectors``, no thread: a master that forks must not run threads), so each
step is non-blocking and bounded: a scraper's request head is read up to 8 KiB, the answer is written as the socket
takes it, every connection closes after one answer (``Connection: close``, as HTTP/1.0 scrapers expect anyway), at
most :data:`MAX_CLIENTS` at once, and one that stalls for :data:`CLIENT_TIMEOUT` seconds is dropped. The body is
rendered when the request head is complete, from what the workers reported at their last heartbeat.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import selectors
import socket
import time
from collections.abc import Callable

from . import sockets
from .errors import BindError

__all__ = ["CLIENT_TIMEOUT", "MAX_CLIENTS", "Exporter", "MetricsEndpoint", "answer"]

log = logging.getLogger("prefork.master")

MAX_CLIENTS = 16
CLIENT_TIMEOUT = 5.0
MAX_HEAD = 8192
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def answer(head: bytes, render: Callable[[], bytes]) -> bytes:
    """The whole response to a request ``head`` (request line and fields, up to the blank line)."""
    line = head.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
    parts = line.split()
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        return _response("400 Bad Request", b"bad request\n")
    method, target = parts[0], parts[1].split(b"?", 1)[0]
    if target != b"/metrics":
        return _response("404 Not Found", b"not found: the metrics are at /metrics\n")
    if method not in (b"GET", b"HEAD"):
        return _response("405 Method Not Allowed", b"method not allowed\n", extra="Allow: GET, HEAD\r\n")
    body = render()
    return _response("200 OK", body, content_type=CONTENT_TYPE, head_only=method == b"HEAD")


def _response(
    status: str, body: bytes, *, content_type: str = "text/plain", extra: str = "", head_only: bool = False
) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"Cache-Control: no-store\r\n{extra}Connection: close\r\n\r\n"
    ).encode("ascii")
    return head if head_only else head + body


class _Client:
    __slots__ = ("inbox", "outbox", "since", "sock")

    def __init__(self, sock: socket.socket, now: float) -> None:
        self.sock = sock
        self.inbox = b""
        self.outbox = b""
        self.since = now


class Exporter:
    """Serves ``render()`` on ``address``, driven by the master's selector (each key's data is a callback)."""

    def __init__(self, address: str, render: Callable[[], bytes], selector: selectors.BaseSelector) -> None:
        self.address = address
        self.render = render
        self.selector = selector
        self.listener: sockets.Listener | None = None
        self.clients: dict[int, _Client] = {}

    def open(self) -> None:
        """Bind and listen; raises :class:`BindError` naming the address."""
        address = sockets.parse_address(self.address)
        if address.kind == "unix":
            self.listener = sockets._bind_unix(address, 64, 0o660, None, None)
        else:
            self.listener = sockets.Listener(address, sockets._bind_tcp(address, 64, reuse_port=False))
        self.listener.sock.setblocking(False)
        self.selector.register(self.listener.sock, selectors.EVENT_READ, self._accept)

    def try_open(self) -> bool:
        """:meth:`open` that reports an address still in use (by the master being upgraded) as False."""
        try:
            self.open()
        except BindError as exc:
            if "in use" in str(exc) or "another process" in str(exc):
                return False
            raise
        return True

    def url(self) -> str:
        return self.listener.url() + "/metrics" if self.listener is not None else "(not bound)"

    def close(self) -> None:
        for fd in list(self.clients):
            self._drop(fd)
        listener, self.listener = self.listener, None
        if listener is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(listener.sock)
            sockets.close_all([listener], unlink=True)

    def forget(self) -> None:
        """In a forked worker: close the inherited sockets, leaving the master's (its selector, a unix socket's
        file) alone. A worker that kept the listening socket would hold the address after the master closes it,
        so after a USR2 the new master could not bind it until the old workers had drained."""
        for client in self.clients.values():
            client.sock.close()
        self.clients = {}
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.sock.close()

    def sweep(self, now: float) -> None:
        """Drop the clients that stalled for :data:`CLIENT_TIMEOUT`."""
        for fd, client in list(self.clients.items()):
            if now - client.since > CLIENT_TIMEOUT:
                self._drop(fd)

    def _accept(self) -> None:
        assert self.listener is not None
        now = time.monotonic()
        for _ in range(MAX_CLIENTS):
            try:
                sock, _peer = self.listener.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.warning("metrics: cannot accept a scraper: %s", exc.strerror)
                return
            if len(self.clients) >= MAX_CLIENTS:
                sock.close()  # a scraper retries; a flood must not grow the master
                continue
            sock.setblocking(False)
            client = _Client(sock, now)
            fd = sock.fileno()
            self.clients[fd] = client
            self.selector.register(sock, selectors.EVENT_READ, functools.partial(self._readable, fd))

    def _readable(self, fd: int) -> None:
        client = self.clients.get(fd)
        if client is None:
            return
        try:
            data = client.sock.recv(MAX_HEAD)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(fd)
            return
        client.inbox += data
        end = client.inbox.find(b"\r\n\r\n")
        if end < 0:
            end = client.inbox.find(b"\n\n")
        if end < 0:
            if len(client.inbox) > MAX_HEAD:
                client.outbox = _response("431 Request Header Fields Too Large", b"request head too large\n")
                self._start_writing(fd, client)
            return
        try:
            client.outbox = answer(client.inbox[:end], self.render)
        except Exception:
            log.exception("metrics: rendering failed")
            client.outbox = _response("500 Internal Server Error", b"rendering the metrics failed\n")
        self._start_writing(fd, client)

    def _start_writing(self, fd: int, client: _Client) -> None:
        self.selector.modify(client.sock, selectors.EVENT_WRITE, functools.partial(self._writable, fd))
        self._writable(fd)

    def _writable(self, fd: int) -> None:
        client = self.clients.get(fd)
        if client is None:
            return
        try:
            sent = client.sock.send(client.outbox)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(fd)
            return
        client.outbox = client.outbox[sent:]
        if not client.outbox:
            with contextlib.suppress(OSError):
                client.sock.shutdown(socket.SHUT_WR)
            self._drop(fd)

    def _drop(self, fd: int) -> None:
        client = self.clients.pop(fd, None)
        if client is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(client.sock)
        client.sock.close()


class MetricsEndpoint:
    """The master's ``--metrics-bind`` endpoint over the master's life: when the :class:`Exporter` binds, retries,
    sweeps, hands its address over and is forgotten. With no address, every step does nothing.

    Call contract: :meth:`open` once at the master's start, :meth:`tick` on each turn of its loop, :meth:`close` at
    its exit; :meth:`hand_over` when an old master stops after a USR2; :meth:`forget` in a forked worker.
    """

    def __init__(self, address: str, render: Callable[[], bytes], selector: selectors.BaseSelector) -> None:
        self.exporter = Exporter(address, render, selector) if address else None
        self._handed_over = False

    def open(self, *, upgrading: bool) -> None:
        """Listen for scrapers. A bind error at start stops the command (:class:`BindError`); but while a USR2
        upgrade runs, the old master holds the address until it hands over, so an ``upgrading`` master tries now
        and again on each :meth:`tick` until the address is free."""
        exporter = self.exporter
        if exporter is None:
            return
        if upgrading:
            self._retry(exporter)
            return
        exporter.open()
        log.info("metrics at %s", exporter.url())

    def tick(self, now: float) -> None:
        """One turn of the master's loop: bind if the address has become free, drop the scrapers that stalled."""
        exporter = self.exporter
        if exporter is None:
            return
        self._retry(exporter)
        exporter.sweep(now)

    def hand_over(self) -> None:
        """The old master after a USR2: close now, so the new master binds the address, and never bind again."""
        self._handed_over = True
        self.close()

    def close(self) -> None:
        """Close the listening socket and every scraper's connection."""
        if self.exporter is not None:
            self.exporter.close()

    def forget(self) -> None:
        """In a forked worker: close the inherited sockets, leaving the master's alone (see :meth:`Exporter.forget`)."""
        if self.exporter is not None:
            self.exporter.forget()

    def _retry(self, exporter: Exporter) -> None:
        if not self._handed_over and exporter.listener is None and exporter.try_open():
            log.info("metrics at %s", exporter.url())

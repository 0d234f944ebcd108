"""Accepting connections on a listening socket, with a ceiling and a back-off: what ``loop.create_server`` cannot do.

An asyncio (or uvloop) ``Server`` accepts whenever the socket is readable; it cannot pause. Two things need it to:

* ``worker_connections``: at the limit a worker must stop *accepting*, not accept and answer 503, so the kernel's
  listen backlog holds the next connections for this worker or another one sharing the socket (gunicorn's
  ``worker_connections``). But idle keep-alive connections must not keep waiting clients out for a whole
  ``keepalive_timeout``: at the limit the socket stays watched, and when it is readable (a client waits) the
  longest-idle keep-alive connections close to make room, as nginx reuses its connections
  (``ConnectionRegistry.make_room``), unless another worker sharing the socket accepts the client within
  ``HANDOFF``. With none idle, accepting pauses until a connection goes, looking again every ``RECHECK`` seconds
  in case one has become idle meanwhile.
* Running out of descriptors (EMFILE, ENFILE) or kernel memory (ENOBUFS, ENOMEM): libuv's answer is to accept each
  waiting connection on a reserve descriptor and close it at once, silently. CPython's selector loop logs it and
  stops accepting for a second instead (``BaseSelectorEventLoop._accept_connection``); so do we, and the
  connections wait in the backlog until descriptors free up.

So :class:`Acceptor` watches the socket with ``loop.add_reader``, calls ``accept()`` itself and hands each socket to
``loop.connect_accepted_socket``. Pausing is ``remove_reader``; the registry says when a connection goes. Call
contract: :func:`start_server` once per listening socket (it takes the socket over, as ``create_server(sock=...)``
does), then ``close()`` to stop accepting and ``await wait_closed()`` before the registry's ``shutdown``, which
closes the connections themselves.

Closing accepts what is queued first. The accept queue belongs to the socket, not to a descriptor: several
workers (and the master) share it, and when the last copy closes the kernel resets every connection still in it,
connections whose clients have already sent their request. A closing worker cannot know whether its copy is the
last, so each one empties the queue before it lets go (gunicorn's workers and nginx's close without accepting
what is queued). What it accepts then is served like any connection of a draining worker: answered with
``Connection: close``. ``close(accept_queued=False)`` is for a socket the service manager keeps open (socket
activation): connections queued there wait for the next start.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import logging
import select
import socket
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from .proxy_protocol import ProxyProtocolError, TrustedPeers, UntrustedProxyHeader, read_proxy_header

if TYPE_CHECKING:
    from .registry import ConnectionRegistry

__all__ = ["Acceptor", "start_server"]

log = logging.getLogger("prefork.server")

# The peer went away between the handshake and accept(): nothing to do but take the next one.
_GONE_ERRORS = frozenset((errno.ECONNABORTED, errno.EPROTO, errno.EPERM))
# How long accepting pauses after a resource error (asyncio waits 1 s; the retry is one accept() call).
BACKOFF = 0.5
# Connections accepted per wake-up: enough for a burst, few enough that other workers on the socket get theirs.
BATCH = 64
# At the limit, how long a waiting client is left for another worker with room before idle connections close.
HANDOFF = 0.02
# At the limit with no idle connection to close: how soon to look again whether a client still waits.
RECHECK = 0.1
# How long a client has to complete the TLS handshake: until then the connection holds a place under
# worker_connections (it counts as pending) without having sent a request, so it is kept short.
HANDSHAKE_TIMEOUT = 10.0
# Once close() is called, how long a connection still has for its PROXY header (else header_timeout would hold a
# stop): a proxy sends it right after connecting, so one still missing then is a silent client or a health check.
CLOSING_HEADER_WAIT = 1.0
# The most connections close() accepts from the queue: more than any listen backlog the kernel allows by default.
QUEUED_MAX = 65536


class Acceptor:
    """Accepts on one listening socket for ``protocol_factory`` while ``registry`` holds fewer than its
    ``worker_connections``; quacks like the ``asyncio.Server`` it replaces (``close``, ``wait_closed``,
    ``sockets``, ``is_serving``)."""

    def __init__(
        self,
        protocol_factory: Callable[[], asyncio.BaseProtocol],
        sock: socket.socket,
        registry: ConnectionRegistry,
        loop: asyncio.AbstractEventLoop,
        *,
        ssl_context: ssl.SSLContext | None = None,
        ssl_handshake_timeout: float = HANDSHAKE_TIMEOUT,
    ) -> None:
        self._factory = protocol_factory
        self._ssl = ssl_context
        self._handshake_timeout = ssl_handshake_timeout
        self._sock = sock
        self._registry = registry
        self._loop = loop
        self._tcp = sock.family in (socket.AF_INET, socket.AF_INET6)
        settings = registry.settings
        # None when proxy_protocol is off: then a connection costs nothing more than before.
        self._proxy = TrustedPeers(settings.proxy_allow_ips) if settings.proxy_protocol else None
        self._header_reads: set[asyncio.Task[None]] = set()  # connections waiting for their PROXY header
        self._reading = False
        self._at_limit = False
        self._closed = False
        self._backoff: asyncio.TimerHandle | None = None
        self._recheck: asyncio.TimerHandle | None = None
        self._out_of_resources = False
        self._pending = 0  # accepted, not yet in the registry (connection_made comes a loop turn later)
        self._settled: asyncio.Event | None = None  # set when _pending falls to 0 after close()
        self.paused_count = 0  # how often the limit stopped accepting, for tests and stats
        self.reused_count = 0  # idle keep-alive connections closed to make room at the limit

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return () if self._closed else (self._sock,)

    def is_serving(self) -> bool:
        return self._reading

    def start(self) -> None:
        if not self._closed and not self._reading and self._backoff is None:
            self._loop.add_reader(self._sock.fileno(), self._on_readable)
            self._reading = True

    def close(self, *, accept_queued: bool = True) -> None:
        """Stop accepting and close the listening socket; connections already accepted are not touched.

        With ``accept_queued`` the connections already in the socket's accept queue are accepted first, whatever
        ``worker_connections`` says (a stop is no time to turn them away), so that closing the last copy of the
        socket resets none of them. Await :meth:`wait_closed` for them to reach the registry.
        """
        if self._closed:
            return
        self._closed = True
        self._stop()
        self._registry.unwatch(self._on_room)
        if self._backoff is not None:
            self._backoff.cancel()
            self._backoff = None
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        name = _name(self._sock)
        # The socket closes right after its queue was found empty: only a handshake that completes in between (a
        # few microseconds) can still be reset, should this be the socket's last copy.
        accepted = self._accept_queued() if accept_queued else 0
        self._sock.close()
        if self._proxy is not None:
            self._loop.call_later(CLOSING_HEADER_WAIT, self._stop_header_reads)
        if accepted:
            log.info("accepted %d queued connection(s) on %s before closing it", accepted, name)

    async def wait_closed(self) -> None:
        """Wait until every connection accepted before :meth:`close` is in the registry (or failed to set up),
        so that the registry's ``shutdown`` that follows drains it too."""
        if self._pending:
            self._settled = asyncio.Event()
            await self._settled.wait()

    def _accept_queued(self) -> int:
        accepted = 0
        # Bounded: a socket that keeps filling must not keep a stop waiting (the backlog is 2048 by default).
        while accepted < QUEUED_MAX:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                if exc.errno in _GONE_ERRORS:
                    continue
                log.error(
                    "accept() on %s failed while closing it: %s (queued connections are reset)",
                    _name(self._sock),
                    exc,
                )
                break
            accepted += 1
            self._accepted(conn)
        return accepted

    def _stop(self) -> None:
        if self._reading:
            self._loop.remove_reader(self._sock.fileno())
            self._reading = False

    def _on_readable(self) -> None:
        registry = self._registry
        limit = registry.settings.worker_connections
        if self._at_limit and len(registry) + self._pending >= limit:
            # A client waits. Another worker on the socket may have room for it: give it HANDOFF to take it.
            self._stop()
            self._recheck = self._loop.call_later(HANDOFF, self._still_waiting)
            return
        for _ in range(BATCH):
            if len(registry) + self._pending >= limit:
                # Leave the rest in the backlog; the registry calls _on_room when a connection goes. The socket
                # stays watched: readable again means that a client waits, and idle connections make room.
                self._at_limit = True
                self.paused_count += 1
                registry.watch(self._on_room)
                return
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in _GONE_ERRORS:
                    continue
                # Out of descriptors or memory, or an error we do not know: log it once, retry in a while.
                self._back_off(exc)
                return
            if self._out_of_resources:
                self._out_of_resources = False
                log.warning("accepting connections again on %s", _name(self._sock))
            self._accepted(conn)

    def _still_waiting(self) -> None:
        """HANDOFF after a client was seen waiting at the limit: if it still waits, close the longest-idle
        keep-alive connections; their going wakes ``_on_room``. Until then the socket is not watched (it would
        stay readable and wake us at every turn)."""
        self._recheck = None
        if not self._at_limit:
            return  # room came meanwhile; _on_room is accepting again
        if not _readable(self._sock):
            self.start()
            return
        closing = self._registry.make_room()
        self.reused_count += closing
        if not closing:
            # Every connection is busy: look again later, as one may have become idle without going.
            self._recheck = self._loop.call_later(RECHECK, self._look_again)

    def _look_again(self) -> None:
        self._recheck = None
        self.start()

    def _accepted(self, conn: socket.socket) -> None:
        conn.setblocking(False)
        if self._tcp:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as asyncio and uvloop do for their own
        self._pending += 1
        self._loop.create_task(self._connect(conn))

    async def _connect(self, conn: socket.socket) -> None:
        factory = self._factory
        try:
            if self._proxy is not None:
                task = asyncio.current_task()
                assert task is not None
                self._header_reads.add(task)
                try:
                    proxied = await self._proxied(conn)
                finally:
                    self._header_reads.discard(task)
                if proxied is None:
                    return  # closed, unanswered
                factory = proxied
            if self._ssl is None:
                await self._loop.connect_accepted_socket(factory, conn)
            else:
                # Returns once the handshake is done: the protocol sees only connections that completed it.
                await self._loop.connect_accepted_socket(
                    factory, conn, ssl=self._ssl, ssl_handshake_timeout=self._handshake_timeout
                )
        except OSError as exc:
            if self._ssl is None:
                log.exception("could not set up an accepted connection")
            else:
                # A failed handshake is the client's business (plain HTTP on this port, an old TLS version, no
                # client certificate, a scanner, a timeout): the transport has closed the connection already.
                log.debug("TLS handshake with a client failed: %s", exc)
            conn.close()
        except Exception:
            log.exception("could not set up an accepted connection")
            conn.close()
        finally:
            self._pending -= 1
            if self._settled is not None and not self._pending:
                self._settled.set()
            # Paused at the limit counting this one, which never reached the registry: no discard will wake us.
            if self._at_limit and len(self._registry) + self._pending < self._registry.settings.worker_connections:
                self._on_room()

    async def _proxied(self, conn: socket.socket) -> Callable[[], asyncio.BaseProtocol] | None:
        """Read the PROXY header ahead of everything else on ``conn``, the TLS handshake included (the header
        precedes it on the wire); the factory whose protocol names the client the header names, or None when
        the connection is closed instead, unanswered (see :mod:`.proxy_protocol`)."""
        assert self._proxy is not None
        try:
            trusted = self._proxy.trust(conn)
            info = await read_proxy_header(
                conn, trusted=trusted, timeout=self._registry.settings.header_timeout, loop=self._loop
            )
        except UntrustedProxyHeader as exc:
            log.info("closing a connection: %s", exc)
        except ProxyProtocolError as exc:
            log.debug("closing a connection from a trusted proxy: %s", exc)
        except TimeoutError:
            log.debug(
                "closing a connection: no PROXY header within %ss (header_timeout)",
                self._registry.settings.header_timeout,
            )
        except OSError as exc:
            log.debug("a connection closed before its PROXY header: %s", exc)
        except asyncio.CancelledError:
            conn.close()  # the loop is going away: so is the connection, not left to the garbage collector
            raise
        else:
            if info is None or info.source is None:
                return self._factory
            return functools.partial(_named, self._factory, info.source)
        conn.close()
        return None

    def _stop_header_reads(self) -> None:
        """CLOSING_HEADER_WAIT after close(): the connections still without their PROXY header close."""
        for task in list(self._header_reads):
            task.cancel()

    def _back_off(self, exc: OSError) -> None:
        self._stop()
        if not self._out_of_resources:
            # Once per episode: a worker out of descriptors would otherwise log twice a second.
            self._out_of_resources = True
            log.error(
                "accept() on %s failed: %s; open connections: %d; not accepting for %.1fs "
                "(the connections wait in the listen backlog)",
                _name(self._sock),
                exc,
                len(self._registry),
                BACKOFF,
            )
        self._backoff = self._loop.call_later(BACKOFF, self._retry)

    def _retry(self) -> None:
        self._backoff = None
        self.start()

    def _on_room(self) -> None:
        """The registry dropped below the limit."""
        self._at_limit = False
        self._registry.unwatch(self._on_room)
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None
        self.start()


async def start_server(
    protocol_factory: Callable[[], asyncio.BaseProtocol],
    sock: socket.socket,
    registry: ConnectionRegistry,
    *,
    backlog: int = 2048,
    ssl: ssl.SSLContext | None = None,
    ssl_handshake_timeout: float = HANDSHAKE_TIMEOUT,
) -> Acceptor:
    """Serve ``sock`` (bound; listened on here) with ``protocol_factory``, whose connections ``registry`` tracks:
    the drop-in for ``loop.create_server(protocol_factory, sock=sock, backlog=backlog, ssl=ssl,
    ssl_handshake_timeout=...)``; with ``ssl``, every connection is TLS, handed over once its handshake is done."""
    loop = asyncio.get_running_loop()
    sock.setblocking(False)
    sock.listen(backlog)
    acceptor = Acceptor(
        protocol_factory, sock, registry, loop, ssl_context=ssl, ssl_handshake_timeout=ssl_handshake_timeout
    )
    acceptor.start()
    return acceptor


def _named(factory: Callable[[], asyncio.BaseProtocol], peername: object) -> asyncio.BaseProtocol:
    """``factory()``'s protocol, told the client's address before ``connection_made``: ``HttpProtocol`` takes a
    ``peername`` already set over the transport's (that of the proxy)."""
    protocol = factory()
    protocol.peername = peername  # type: ignore[attr-defined]
    return protocol


def _readable(sock: socket.socket) -> bool:
    """A connection waits in the listen queue (poll, not select: descriptors may exceed FD_SETSIZE)."""
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))


def _name(sock: socket.socket) -> str:
    try:
        return str(sock.getsockname())
    except OSError:
        return "a closed socket"

"""The live connections of one server, their deadlines, and their graceful close."""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from . import dateheader
from .accesslog import AccessLogger
from .exchange import RequestAccounting
from .protocol import Phase

if TYPE_CHECKING:
    from .protocol import HttpProtocol
    from .settings import ServerSettings

__all__ = ["ConnectionRegistry", "release_all_held", "reusable"]

# At most this many idle connections close per waiting client noticed, as nginx's ngx_drain_connections.
REUSE_MAX = 32


class _Phased(Protocol):
    phase: Phase
    deadline: float | None
    closed: bool

    def close(self) -> None: ...


def reusable(connections: Iterable[_Phased], limit: int = REUSE_MAX) -> list[_Phased]:
    """The keep-alive connections to close so that a waiting client can be served: the ones idle the longest (the
    earliest keep-alive deadline), an eighth of the idle ones, at least one and at most ``limit`` (nginx's
    proportion). A connection with a request in progress, or that has not finished its first one, never is:
    only ``Phase.IDLE`` ones between two requests are, whose client may reopen and retry (RFC 9112 §9.3.1). Equal
    deadlines go in the order of ``connections`` (``heapq.nsmallest`` is stable)."""
    idle = [c for c in connections if c.phase is Phase.IDLE and not c.closed and c.deadline is not None]
    count = max(1, min(limit, len(idle) // 8))
    return heapq.nsmallest(count, idle, key=_deadline) if idle else []


def _deadline(connection: _Phased) -> float:
    assert connection.deadline is not None  # reusable() takes only the connections that have one
    return connection.deadline


log = logging.getLogger("prefork.server")


def release_all_held() -> None:
    """Write every answer held for the end of a loop's pass now: for a worker that exits from a signal handler
    while its loop is blocked (the heartbeat's SIGABRT), the answers its handlers had finished still go out."""
    for registry in list(_HOLDING):
        registry.release_held()


class ConnectionRegistry:
    """Every open connection of one protocol factory.

    One ticker per registry enforces the header and keep-alive deadlines of all its connections, instead of a timer
    per request: arming and cancelling a timer handle on every request costs more than a sweep a second.
    """

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        # A dict, for its order: connections idle since the same millisecond (the loop's clock) are reclaimed in the
        # order they were accepted, as sorting by deadline alone would leave to chance.
        self.connections: dict[HttpProtocol, None] = {}
        self.closing = False
        self.grace_deadline = 0.0
        # requests_count and access_logger (the properties below), shared with the connections.
        self.accounting = RequestAccounting(
            AccessLogger(settings.access_log, settings.access_log_format) if settings.access_log is not None else None
        )
        self._ticker: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._empty: asyncio.Event | None = None
        self._orphans: set[asyncio.Task[Any]] = set()
        self._aborted = False  # a shutdown's timeout passed: handlers of connections lost from then on are cancelled
        self._room_watchers: list[Callable[[], None]] = []
        self._limit = settings.worker_connections
        self._held: list[HttpProtocol] = []  # connections holding an answer for the end of the loop's pass
        # Handlers in flight: started, their task not ended (HttpProtocol._kick counts them, server/answer.py
        # uncounts them). An answer is held only while another is in flight: alone, there is nothing to write with.
        self.handling = 0
        # keepalive_timeout 0: no keep-alive, so no idle deadline to check for it.
        shortest = min(settings.header_timeout, settings.keepalive_timeout or settings.header_timeout)
        self.tick = max(0.01, min(1.0, shortest / 4))

    @property
    def requests_count(self) -> int:
        """The requests answered on this registry's connections."""
        return self.accounting.requests_count

    @requests_count.setter
    def requests_count(self, value: int) -> None:
        self.accounting.requests_count = value

    @property
    def access_logger(self) -> Any:
        """What each answer is logged to (an :class:`.accesslog.AccessLogger`, or a wrapper of one), or None; it may
        be replaced while connections are open."""
        return self.accounting.access_logger

    @access_logger.setter
    def access_logger(self, value: Any) -> None:
        self.accounting.access_logger = value

    def __len__(self) -> int:
        return len(self.connections)

    def __iter__(self) -> Iterator[HttpProtocol]:
        return iter(list(self.connections))

    def add(self, protocol: HttpProtocol) -> None:
        self.connections[protocol] = None
        if self._ticker is None:
            dateheader.refresh()  # the lines may be from before an idle spell
            self._loop = protocol.loop
            self._ticker = self._loop.call_later(self.tick, self._on_tick)

    def discard(self, protocol: HttpProtocol) -> None:
        self.connections.pop(protocol, None)
        if self._room_watchers and len(self.connections) < self._limit:
            for callback in list(self._room_watchers):
                callback()
        if not self.connections and self._empty is not None:
            self._empty.set()

    def hold(self, protocol: HttpProtocol) -> None:
        """``protocol`` holds an answer (:meth:`HttpProtocol.hold`): write it in :meth:`release_held`, which the
        first connection to hold one in a pass of the loop schedules (``call_soon``: after the callbacks already
        ready, so after the other handlers of this pass)."""
        held = self._held
        if not held:
            protocol.loop.call_soon(self.release_held)
            _HOLDING.add(self)
        held.append(protocol)

    def release_held(self) -> None:
        """Write the answers the connections hold, in the order they were finished."""
        held = self._held
        self._held = []
        _HOLDING.discard(self)
        for protocol in held:
            protocol.release()

    def outlive(self, task: asyncio.Task[Any]) -> None:
        """A lost connection's handler, still running (it may outlive its cancellation): :meth:`shutdown` waits for
        it too, as aiohttp's ``Server`` keeps such a connection until its handler ends."""
        self._orphans.add(task)
        task.add_done_callback(self._orphans.discard)
        if self._aborted:
            task.cancel()  # its connection was aborted by a shutdown's timeout (connection_lost comes after abort())

    def watch(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once a connection goes while fewer than ``worker_connections`` remain (an acceptor
        paused at the limit); it stays registered until :meth:`unwatch`."""
        if callback not in self._room_watchers:
            self._room_watchers.append(callback)

    def unwatch(self, callback: Callable[[], None]) -> None:
        if callback in self._room_watchers:
            self._room_watchers.remove(callback)

    def make_room(self) -> int:
        """Close the longest-idle keep-alive connections (see :func:`reusable`) for clients waiting at
        ``worker_connections``; return how many are closing. Their ``discard`` wakes the watchers."""
        victims = reusable(self.connections)
        for protocol in victims:
            protocol.close()
        if victims:
            log.debug("closed %d idle keep-alive connection(s) to make room for new ones", len(victims))
        return len(victims)

    def _on_tick(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        dateheader.refresh()
        for protocol in list(self.connections):
            deadline = protocol.deadline
            if deadline is not None and deadline <= now:
                try:
                    protocol.on_deadline(now)
                except Exception:
                    log.exception("error closing a connection past its deadline")
        if self.connections:
            self._ticker = loop.call_later(self.tick, self._on_tick)
        else:
            self._ticker = None

    def begin_shutdown(self, grace: float) -> None:
        """The first, synchronous half of :meth:`shutdown`: every connection drains from now on, including one
        accepted later (the listen queue a closing acceptor empties, see ``Acceptor.close``), so that its answer
        carries ``Connection: close``; idle ones close ``grace`` seconds from now."""
        loop = asyncio.get_running_loop()
        self._loop = self._loop or loop
        self.closing = True
        self.grace_deadline = loop.time() + grace
        for protocol in list(self.connections):
            protocol.begin_drain(self.grace_deadline)
        if self.connections and self._ticker is None:
            self._ticker = loop.call_later(self.tick, self._on_tick)

    async def shutdown(self, timeout: float = 30.0, grace: float = 1.0) -> None:
        """Close every connection gracefully.

        In-flight and already-pipelined requests are answered, the last answer on each connection carrying
        ``Connection: close``. An idle keep-alive connection stays open for ``grace`` seconds so that a request
        already on the wire is still served (with ``Connection: close``); then it closes. Upgraded connections are
        told to shut down (websockets close with 1001). The handlers of connections already lost are waited for
        too (:meth:`outlive`). Whatever is still open after ``timeout`` is aborted, such handlers cancelled.
        """
        self.begin_shutdown(min(grace, timeout))
        if self._empty is None:
            self._empty = asyncio.Event()
        if not self.connections and not self._orphans:
            return
        try:
            async with asyncio.timeout(timeout):
                if self.connections:
                    await self._empty.wait()
                while self._orphans:
                    await asyncio.wait(set(self._orphans))
        except TimeoutError:
            log.warning("%d connection(s) still open after %.1fs; aborting them", len(self.connections), timeout)
            for protocol in list(self.connections):
                protocol.abort()
            self._aborted = True
            for task in list(self._orphans):
                task.cancel()
            await asyncio.sleep(0)


# The registries whose connections hold answers for the end of the loop's pass (release_all_held).
_HOLDING: set[ConnectionRegistry] = set()

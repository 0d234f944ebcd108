"""How a connection handles an ``Upgrade`` request: the bytes held behind a pending one, the hand-over to a sink,
and a declined one, after which a fresh parser goes on in HTTP/1.1 (llhttp stops for good at any upgrade).

:class:`UpgradeHandling` is a part of :class:`server.protocol.HttpProtocol`; the ``Upgrade`` sub-states and their
transitions are in the table of :mod:`server.protocol`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httptools

from .errors import UnsupportedUpgrade
from .exchange import Exchange, UpgradeSink
from .states import MIXIN_SLOTS, Phase, Upgrade

if TYPE_CHECKING:
    import asyncio
    import collections

    from .errors import HttpProtocolError
    from .settings import ServerSettings
    from .streams import FlowControlStreamReader

log = logging.getLogger("prefork.server")

_NO_UPGRADE, _RESUMING, _PENDING, _TAKEN_OVER = Upgrade.NONE, Upgrade.RESUMING, Upgrade.PENDING, Upgrade.TAKEN_OVER

_CHUNKED_HEAD = b"Transfer-Encoding: chunked\r\n\r\n"


class UpgradeHandling:
    """The ``Upgrade`` sub-state of a connection and the bytes it holds."""

    __slots__ = MIXIN_SLOTS  # see ParserCallbacks

    # Set by HttpProtocol.__init__; listed here as the state this part reads and writes.
    settings: ServerSettings
    loop: asyncio.AbstractEventLoop
    queue: collections.deque[Exchange]
    phase: Phase
    deadline: float | None
    closed: bool
    draining: bool
    _parser: Any
    _upgrade: Upgrade
    _sink: UpgradeSink | None
    _upgrade_tail: list[bytes]
    _upgrade_tail_size: int
    _stop_parsing: bool
    _body_only: bool

    if TYPE_CHECKING:

        def _reject(self, error: HttpProtocolError) -> None: ...  # HttpProtocol's

        def _feed(self, data: bytes) -> None: ...

        def pause_reason(self, reason: str) -> None: ...

        def resume_reason(self, reason: str) -> None: ...

    def _on_upgrade(self, data: bytes, offset: int) -> bytes:
        """llhttp stopped at an upgrade request; returns the bytes after it when they are to be parsed as HTTP/1.1
        (the upgrade was ignored), else b''."""
        if self._upgrade is _RESUMING:
            self._upgrade = _NO_UPGRADE
            return b"" if self._stop_parsing and not self._body_only else data[offset:]
        exchange = self.queue[-1] if self.queue else None
        if exchange is None or not exchange.upgrade:
            self._reject(UnsupportedUpgrade("Unsupported upgrade"))
            return b""
        self._upgrade = _PENDING
        tail = data[offset:]
        if tail:
            self._hold_tail(tail)
        return b""

    def _hold_tail(self, data: bytes) -> None:
        """Keep bytes that arrive behind a pending upgrade: the new protocol's, or HTTP/1.1 requests if the
        handler declines. Reading pauses once ``read_high_water`` of them wait, so they cannot grow unbounded."""
        self._upgrade_tail.append(data)
        self._upgrade_tail_size += len(data)
        if self._upgrade_tail_size > self.settings.read_high_water:
            self.pause_reason("upgrade tail")

    def _decline_upgrade(self) -> None:
        """The handler of the pending upgrade answered without taking the connection over: it stays HTTP/1.1
        (RFC 9110 §7.8), and what arrived behind the upgrade request is parsed by a fresh parser, as llhttp stops
        for good at an upgrade. A parse error there is answered (400) after the answer just sent."""
        self._upgrade = _NO_UPGRADE
        tail = b"".join(self._upgrade_tail)
        self._upgrade_tail.clear()
        self._upgrade_tail_size = 0
        self.resume_reason("upgrade tail")
        self._parser = httptools.HttpRequestParser(self)
        if tail and not self.closed:
            self._feed(tail)

    def stand_in_upgrade(self, exchange: Exchange) -> None:
        """Queue ``exchange``, made without parsing (:func:`server.detached.detached_exchange`), as the upgrade
        request this connection waits on, so that a handler under test can take the connection over."""
        self.queue.append(exchange)
        self._upgrade = _PENDING

    def upgrade_to(self, exchange: Exchange, sink: UpgradeSink) -> bytes:
        if self._upgrade is not _PENDING or not self.queue or self.queue[0] is not exchange:
            raise RuntimeError("connection is not waiting for an upgrade")
        self._upgrade = _TAKEN_OVER
        self._sink = sink
        self.phase = Phase.ANSWERING
        self.deadline = None
        if self.draining:
            # begin_drain told the connections to go before this one was upgraded: tell it now, once the caller
            # has handed it the bytes that followed the upgrade request.
            self.loop.call_soon(self._shutdown_sink)
        tail = b"".join(self._upgrade_tail)
        self._upgrade_tail.clear()
        self._upgrade_tail_size = 0
        self.resume_reason("upgrade tail")
        return tail

    def _resume_after_declined(self, exchange: Exchange | None, body: FlowControlStreamReader | None) -> None:
        """llhttp ended the message of a declined upgrade after its head: a fresh parser reads its ``body`` (if any)
        and the requests after it (called from ``on_message_complete``)."""
        # llhttp stops at an upgrade for good, and reads no body of one: a fresh parser reads the requests
        # after the ignored one, and first its body, framed by a head standing in for the real one.
        self._upgrade = _RESUMING
        self._parser = httptools.HttpRequestParser(self)
        if body is not None:
            self._body_only = True
            framing = exchange.headers.get("Content-Length") if exchange is not None else None
            self._parser.feed_data(
                b"POST / HTTP/1.1\r\nHost: h\r\n"
                + (b"Content-Length: %d\r\n\r\n" % int(framing) if framing else _CHUNKED_HEAD)
            )

    def _shutdown_sink(self) -> None:
        """Tell the protocol that took the connection over that the server is draining (a websocket: 1001)."""
        if self._sink is None or self.closed:
            return
        try:
            self._sink.shutdown()
        except Exception:
            log.exception("error shutting down an upgraded connection")

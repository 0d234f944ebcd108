"""One request/response exchange on a connection: what ``web`` sees of the server.

The connection creates an :class:`Exchange` once a request head is parsed and hands it to the application
handler. The handler reads the request attributes and ``body``, then answers through the response methods. Call
contract: ``write_head`` once (or ``send`` once, for a complete response in one write), any number of ``write``
calls for body bytes already framed by the caller, then ``finish``. After a ``101`` head, ``upgrade_to`` hands the
transport to another protocol.
"""

from __future__ import annotations

import asyncio
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Protocol

from multidict import CIMultiDict

from .streams import FlowControlStreamReader

if TYPE_CHECKING:
    from .protocol import HttpProtocol
    from .settings import ServerSettings

__all__ = ["Exchange", "HttpVersion", "HttpVersion10", "HttpVersion11", "UpgradeSink"]

HttpVersion = namedtuple("HttpVersion", ["major", "minor"])
HttpVersion10 = HttpVersion(1, 0)
HttpVersion11 = HttpVersion(1, 1)


class UpgradeSink(Protocol):
    """The protocol that takes over a connection after ``101 Switching Protocols``."""

    def data_received(self, data: bytes) -> None: ...

    def eof_received(self) -> None: ...

    def connection_lost(self, exc: BaseException | None) -> None: ...

    def shutdown(self) -> None: ...


class Exchange:
    """A parsed request head, its body stream, and the way to answer it."""

    __slots__ = (
        "_headers",
        "_keep_alive_final",
        "_protocol",
        "body",
        "bytes_sent",
        "client_keep_alive",
        "finished",
        "head_sent",
        "method",
        "must_close",
        "start_time",
        "status",
        "target",
        "transport",
        "upgrade",
        "version",
    )

    def __init__(
        self,
        protocol: HttpProtocol,
        method: str,
        target: str,
        version: HttpVersion,
        headers: CIMultiDict[str] | list[tuple[str, str]],
        keep_alive: bool,
        upgrade: bool,
        body: FlowControlStreamReader,
        start_time: float,
    ) -> None:
        self._protocol = protocol
        self.transport = protocol.transport
        self.method = method
        self.target = target
        self.version = version
        self._headers = headers
        self.client_keep_alive = keep_alive
        self.upgrade = upgrade
        self.body = body
        self.start_time = start_time
        self.must_close = False
        self.head_sent = False
        self.finished = False
        self.status: int | None = None
        self.bytes_sent = 0
        self._keep_alive_final = False

    def __repr__(self) -> str:
        return f"<Exchange {self.method} {self.target} status={self.status}>"

    # -- request side ----------------------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDict[str]:
        """The request's header fields. The connection may hand over the parsed list, made a ``CIMultiDict`` on
        first read: most handlers never read one."""
        headers = self._headers
        if headers.__class__ is list:
            headers = self._headers = CIMultiDict(headers)  # type: ignore[arg-type]
        return headers  # type: ignore[return-value]

    @property
    def keep_alive(self) -> bool:
        """May the connection stay open after this response? Read it when writing the head: it turns False when
        the server starts draining and this is the last request it will answer on the connection."""
        if not self.client_keep_alive or self.must_close or self.body._exception is not None:
            return False
        protocol = self._protocol
        if protocol.draining:
            # Requests already pipelined behind this one are still answered; the last answer announces the close.
            return len(protocol.queue) > 1
        # A client holding its body back for a 100 Continue that no read asked for leaves the connection unusable:
        # we cannot know whether the body will still follow (RFC 9110 §10.1.1).
        return not self.body._expect_continue  # expecting_continue, without the property call

    @property
    def settings(self) -> ServerSettings:
        return self._protocol.settings

    @property
    def peername(self) -> Any:
        return self._protocol.peername

    @property
    def sockname(self) -> Any:
        return self.transport.get_extra_info("sockname")

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._protocol.loop

    # -- response side ---------------------------------------------------------------------------------------

    def write_head(self, status: int, head: bytes, *, keep_alive: bool) -> None:
        """Send the encoded status line and headers. ``keep_alive`` is what the head announced."""
        if self.head_sent:
            raise RuntimeError("response head already sent")
        protocol = self._protocol
        if protocol.closed:
            raise ConnectionResetError("connection lost")
        self.head_sent = True
        self.status = status
        self._keep_alive_final = keep_alive
        protocol.transport.write(head)

    def send(self, status: int, head: bytes, body: bytes, *, keep_alive: bool) -> None:
        """Send a whole response in one write and finish the exchange."""
        if self.head_sent:
            raise RuntimeError("response head already sent")
        protocol = self._protocol
        if protocol.closed:
            raise ConnectionResetError("connection lost")
        self.head_sent = True
        self.status = status
        self._keep_alive_final = keep_alive
        if body and self.method != "HEAD":
            self.bytes_sent = len(body)
            protocol.transport.write(head + body)
        else:
            protocol.transport.write(head)
        self.finished = True
        protocol.exchange_finished(self)

    def write(self, data: bytes) -> None:
        """Send body bytes (already framed by the caller). Nothing is sent for HEAD requests."""
        protocol = self._protocol
        if protocol.closed:
            raise ConnectionResetError("connection lost")
        if self.finished:
            raise RuntimeError("response already finished")
        if self.method != "HEAD":
            self.bytes_sent += len(data)
            protocol.transport.write(data)

    async def drain(self) -> None:
        """Wait until the transport's write buffer is below its low-water mark."""
        await self._protocol.drain()

    def finish(self) -> None:
        """The response is complete; the connection may go on with the next request."""
        if not self.finished:
            self.finished = True
            self._protocol.exchange_finished(self)

    # -- upgrades --------------------------------------------------------------------------------------------

    def upgrade_to(self, sink: UpgradeSink) -> bytes:
        """Hand the connection to ``sink`` after a 101 head; returns bytes received after the upgrade request."""
        if not self.upgrade:
            raise RuntimeError("the request did not ask for an upgrade")
        if self.status != 101:
            raise RuntimeError("write a 101 head before upgrading")
        return self._protocol.upgrade_to(self, sink)

    def pause_reading(self) -> None:
        self._protocol.pause_reason("upgrade")

    def resume_reading(self) -> None:
        self._protocol.resume_reason("upgrade")

    def close(self) -> None:
        """Close the connection (after the write buffer is flushed)."""
        self._protocol.close()

    def abort(self) -> None:
        """Drop the connection at once."""
        self._protocol.abort()

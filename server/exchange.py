"""One request/response exchange on a connection: what ``web`` sees of the server.

The connection creates an :class:`Exchange` once a request head is parsed and hands it to the application
handler. The handler reads the request attributes and ``body``, then answers through the response methods. Call
contract: ``write_head`` once (or ``send`` once, for a complete response in one write), any number of ``write``
(or ``sendfile``) calls for body bytes already framed by the caller, then ``finish``. Between writes, ``drain``
waits out the client's flow control, which ``write_paused`` tells without waiting. After a ``101`` head,
``upgrade_to`` hands the transport to another protocol.

The exchange is all that ``web`` holds of a connection: what it needs of the server (``settings``, the write
buffer's state, the zero-copy file send) is a public member here.
"""

from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Final, Protocol

from multidict import CIMultiDict, CIMultiDictProxy

from .streams import FlowControlStreamReader
from .waits import sendfile

if TYPE_CHECKING:
    from .protocol import HttpProtocol
    from .settings import ServerSettings

__all__ = ["Exchange", "HttpVersion", "HttpVersion10", "HttpVersion11", "RequestAccounting", "UpgradeSink", "printable"]


def printable(value: str) -> str:
    """A request header value fit for a log line or a response body: a byte that was not UTF-8 (a lone surrogate,
    as the parser decodes a value, as aiohttp does) written ``\\xNN``, as Python shows bytes. As it is, such a
    value cannot be encoded to UTF-8 at all."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


HttpVersion = namedtuple("HttpVersion", ["major", "minor"])
HttpVersion10: Final = HttpVersion(1, 0)
HttpVersion11: Final = HttpVersion(1, 1)


class UpgradeSink(Protocol):
    """The protocol that takes over a connection after ``101 Switching Protocols``."""

    def data_received(self, data: bytes) -> None: ...

    def eof_received(self) -> None: ...

    def connection_lost(self, exc: BaseException | None) -> None: ...

    def shutdown(self) -> None: ...


class RequestAccounting:
    """What every answer of one registry's connections counts and reports to: the requests answered, and the access
    logger (None: no access log), which may be replaced while connections are open (a worker's metrics wrap it).

    :class:`.registry.ConnectionRegistry` holds one, shown as its ``requests_count`` and ``access_logger``, and each
    connection keeps a reference to it: the request path reads it once per request (:meth:`Exchange.send`,
    ``on_headers_complete``). A class of this compiled module, so that the compiled build reads and counts in its
    struct, where it would reach into the (interpreted) registry's attributes by name at each use; pure Python
    reads slots as it read the registry's attributes.
    """

    __slots__ = ("access_logger", "requests_count")

    def __init__(self, access_logger: Any) -> None:
        self.requests_count = 0
        self.access_logger: Any = access_logger


class Exchange:
    """A parsed request head, its body stream, and the way to answer it."""

    __slots__ = (
        "_keep_alive_final",
        "_protocol",
        "body",
        "bytes_sent",
        "client_keep_alive",
        "expect",
        "fields",
        "finished",
        "head_sent",
        "method",
        "must_close",
        "route",
        "settings",
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
        #: The server's settings (a plain attribute: the response fast path reads ``server_header`` from it).
        self.settings: ServerSettings = protocol.settings
        self.method = method
        self.target = target
        self.version = version
        #: The header fields: the parsed list of (name, value) pairs the connection may hand over, or the
        #: ``CIMultiDict`` it or ``web`` made of them, replaced by the ``CIMultiDictProxy`` that :attr:`headers`
        #: builds on first read (most handlers never read one). ``web`` reads it without the property's call on its
        #: hot paths, building the multidict (or the proxy) the same way.
        self.fields: CIMultiDict[str] | CIMultiDictProxy[str] | list[tuple[str, str]] = headers
        self.client_keep_alive = keep_alive
        self.upgrade = upgrade
        self.body = body
        self.start_time = start_time
        self.must_close = False
        #: The request carries ``Expect: 100-continue`` (set by the connection; the body stream sends the
        #: ``100 Continue`` on the first read unless an interim answer was written first).
        self.expect = False
        self.head_sent = False
        self.finished = False
        self.status: int | None = None
        self.bytes_sent = 0
        self._keep_alive_final = False
        #: What the application resolved the request to (its route), for metrics; opaque to the server.
        self.route: object = None

    def __repr__(self) -> str:
        return f"<Exchange {self.method} {self.target} status={self.status}>"

    # -- request side ----------------------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The request's header fields, read-only. The connection may hand over the parsed list, made a
        ``CIMultiDict`` and its proxy on first read: most handlers never read one."""
        fields = self.fields
        if fields.__class__ is not CIMultiDictProxy:
            fields = self.fields = CIMultiDictProxy(fields if fields.__class__ is CIMultiDict else CIMultiDict(fields))
        return fields

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
    def peername(self) -> Any:
        return self._protocol.peername

    @property
    def protocol(self) -> HttpProtocol:
        """The connection this exchange arrived on; its ``transport`` is ``None`` once the connection is lost."""
        return self._protocol

    @property
    def sockname(self) -> Any:
        return self.transport.get_extra_info("sockname")

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._protocol.loop

    # -- response side ---------------------------------------------------------------------------------------

    def write_interim(self, data: bytes) -> None:
        """Send an encoded 1xx interim response (e.g. ``HTTP/1.1 100 Continue``) before the head; the body
        stream then sends no ``100 Continue`` of its own."""
        if self.head_sent:
            raise RuntimeError("response head already sent")
        protocol = self._protocol
        if protocol.closed:
            raise ConnectionResetError("connection lost")
        self.body.continue_sent()
        if protocol.held is not None:
            protocol.release()
        protocol.transport.write(data)

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
        if self.version is HttpVersion10:
            head = _as_http10(head)
        if protocol.held is not None:
            protocol.release()
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
        if self.version is HttpVersion10:
            head = _as_http10(head)
        if body and self.method != "HEAD":
            size = self.bytes_sent = len(body)
            if size > _JOIN_LIMIT:
                # Head and body as two buffers of one write: uvloop sends them with one writev and keeps the
                # objects, not a copy, of whatever the kernel does not take yet; joining copies the body once.
                if protocol.held is not None:
                    protocol.release()
                protocol.transport.writelines((head, body))
                head = b""
            else:
                # A small body costs less to join than a second buffer costs to send.
                head += body
        if head:
            if keep_alive and protocol.holds and (protocol.registry.handling > 1 or protocol.held is not None):
                # Another handler is in flight: written with its answer once the loop has run it (HttpProtocol.hold).
                protocol.hold(head)
            else:
                if protocol.held is not None:
                    protocol.release()
                protocol.transport.write(head)
        self.finished = True
        accounting = protocol.accounting
        if keep_alive and accounting.access_logger is None and not protocol.draining:
            accounting.requests_count += 1  # all that exchange_finished does for this answer
        else:
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
            if protocol.held is not None:
                protocol.release()
            protocol.transport.write(data)

    @property
    def write_paused(self) -> bool:
        """Is the write buffer above its high-water mark? Then :meth:`drain` waits; else it returns at once."""
        return self._protocol._write_paused

    def drain(self) -> Awaitable[None]:
        """An awaitable that is done when the transport's write buffer is below its low-water mark."""
        return self._protocol.drain()

    def sendfile(self, fileobj: Any, offset: int, count: int) -> Awaitable[bool]:
        """Send ``count`` bytes of the open file ``fileobj`` from ``offset`` as body bytes, zero-copy, after
        :meth:`drain`. Returns False, having sent nothing, where the connection cannot (TLS, no socket, bytes still
        in the write buffer): the caller then writes the bytes itself. Nothing is sent for HEAD requests.

        ``loop.sendfile`` where the loop implements it (asyncio's), else ``os.sendfile`` on a duplicate of the
        socket's descriptor, woken by the loop's writer callbacks (uvloop has no sendfile). A file that ends early
        or a client that goes raises ``ConnectionResetError``; ``bytes_sent`` counts what left. (The coroutine is
        server/waits.py's, outside the compiled build.)"""
        if self._protocol.held is not None:
            self._protocol.release()
        return sendfile(self, fileobj, offset, count)

    def close_after(self) -> None:
        """Close the connection once this answer is out, whatever its head announced: a body that ended short of
        its Content-Length, which the client would otherwise complete with the next answer's bytes."""
        self._keep_alive_final = False

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


def _as_http10(head: bytes) -> bytes:
    # An HTTP/1.0 client gets an HTTP/1.0 status line, as aiohttp answers: RFC 9110 §6.2 lets a server send its
    # highest version, but a 1.0 client then reads no 1.1 features into the answer (the heads carry none for it).
    return b"HTTP/1.0" + head[8:] if head[:8] == b"HTTP/1.1" else head


# The largest body Exchange.send joins to its head: bigger ones go to ``writelines`` uncopied (below this size the
# copy costs less than the second buffer, measured on uvloop 0.23 against a socket pair).
_JOIN_LIMIT: Final = 16 * 1024

"""The HTTP/1.1 connection: an asyncio Protocol around httptools (llhttp).

The connection's state is two enums, :class:`Phase` (where the request cycle is, which the registry's ticker and
its idle reclaim read) and :class:`Upgrade` (how an ``Upgrade`` request is being handled), plus three flags that
only ever go one way: ``closed``, ``draining`` (the server is stopping) and ``_stop_parsing`` (nothing more is
read). Every transition:

=============================  ==========================================  ==========================================
Phase, event                   next phase (``deadline``)                   and
=============================  ==========================================  ==========================================
(new) ``connection_made``      AWAITING_HEAD (``header_timeout``)          a drain already begun applies at once
IDLE, first byte of a head     AWAITING_HEAD (``header_timeout``)
AWAITING_HEAD, head parsed     ANSWERING (none)                            the exchange is queued; reading pauses at
                                                                           ``max_pipeline`` queued
ANSWERING, handler settled     see "what follows a handler" below
ANSWERING, answer complete,    AWAITING_HEAD (``header_timeout``) if the   ``pipeline`` pause lifts below
queue empty, kept alive        next head is arriving, else IDLE             ``max_pipeline``
                               (``keepalive_timeout``, or the drain's
                               grace deadline when draining)
ANSWERING, ``upgrade_to``      ANSWERING (none)                            Upgrade TAKEN_OVER: the sink owns the bytes
IDLE, deadline passed          closed                                      the registry may also close the longest
                                                                           idle ones for clients waiting at
                                                                           ``worker_connections`` (RFC 9112 §9.3.1)
AWAITING_HEAD, deadline        closed; 408 if a head was partly read and   nothing queued is answered
passed                         nothing is queued
any, ``begin_drain``           unchanged (IDLE: the grace deadline)        answers announce the close once the queue
                                                                           holds one; a TAKEN_OVER sink is told to
                                                                           shut down (a websocket: 1001)
=============================  ==========================================  ==========================================

What follows a handler (``HttpProtocol._settle``), first match wins:

=============================================  =================================================================
handler outcome                                what follows
=============================================  =================================================================
raised ConnectionResetError / cancelled        abort (the client is gone or the handler was cancelled)
raised a BaseException (SystemExit...)         abort; the task already raised it into the loop
raised an Exception, nothing sent yet          500 with ``Connection: close``, then as an unfinished answer
answer not finished                            500 if no head was sent; close (the framing is unknown)
body left unread                               discard up to ``max_drain`` bytes in a task (``_DRAIN``), then
                                               as below; close if that fails or is too much (a lingering close,
                                               ``_linger``: FIN, then discard until the client closes)
answer announced the close                     close; nothing after this request is answered (RFC 9112 §9.6)
queue empty, a protocol error pending          answer the error, close
queue empty, the client sent EOF               close
otherwise                                      the next queued request (``_NEXT``)
=============================================  =================================================================

Keep-alive or close, decided when the head is written (``Exchange.keep_alive``): close if the client asked
(``Connection: close``, or HTTP/1.0 without keep-alive), the request's body broke, the
client still waits for a ``100 Continue``, or the server is draining and this is the last queued request.

Upgrade sub-states (``_upgrade``): NONE; DECLINED, an upgrade we do not speak, or one with a body, is ignored
(RFC 9110 §7.8), and a fresh parser replaces llhttp's, which stops at any upgrade (and reads no body of one), once
its message ends; the fresh parser reads the body under a stand-in head (``_body_only``); RESUMING, the fresh parser
is in place and the old parser's stop is passed over; PENDING, llhttp stopped at a websocket upgrade and the bytes
after it are held (reading pauses above ``read_high_water`` of them) until the handler takes the connection over or
answers without doing so: then a fresh parser reads them as HTTP/1.1, as aiohttp does; TAKEN_OVER, ``upgrade_to``
handed the connection to a sink, which gets every byte, the EOF and the loss.

Rules the connection keeps, in one place. The code is in three parts of one class: this module (the asyncio
callbacks, flow control, the request loop, deadlines, closing), :mod:`.parser_callbacks` (the request head's rules
and limits) and :mod:`.upgrade` (the ``Upgrade`` sub-states); the enums are in :mod:`.states`.

* Requests are answered strictly in order. Parsed requests queue as :class:`Exchange` objects; the head of the
  queue is answered by its handler, in an ``asyncio.Task`` of its own from the handler's first line (scheduled for
  the loop's next turn, see :mod:`.tasks`) and in a copy of the connection's context. Reading pauses while
  ``max_pipeline`` requests wait.
* The parser stops at the first error, which is answered with its status and a close: after a framing error
  nothing further on the wire can be trusted (request smuggling).
* Limits that llhttp does not enforce are counted in the callbacks: request line (414), header count and field
  size (400, as aiohttp answers), Content-Length over ``client_max_size`` (413, before the handler runs). HTTP/0.9
  and versions other than 1.x are refused; an HTTP/1.1 request must carry exactly one Host, an HTTP/1.0 one at
  most one (RFC 9112 §3.2).
* Timeouts: the request head must arrive within ``header_timeout`` of its first byte (or of the connection);
  an idle keep-alive connection closes after ``keepalive_timeout``. Deadlines are checked by the registry's
  ticker rather than a timer per request. A client that leaves the write buffer above its high-water mark for
  ``write_timeout`` is aborted (a timer per pause of writing, which the common request never reaches).
* A client going away does not cancel the handler (unless ``handler_cancellation`` is set): its body reads,
  writes and ``drain()`` raise ``ConnectionResetError``, and queued pipelined requests are dropped.
* A client that sends EOF (a half-close) gets the answers to what it sent (RFC 9112 §9.6); its body, if one is
  still arriving, fails with ``ConnectionResetError``. An EOF while the answer to its last, whole request is
  already streaming closes the connection, as aiohttp closes on EOF: the client went away, and the handler sees
  it (``transport`` None; cancelled with ``handler_cancellation``).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final

import httptools

from .answer import NEXT, answer
from .errors import BadRequest, HeadersTooLarge, HttpProtocolError, RequestTimeout
from .exchange import Exchange, UpgradeSink
from .parser_callbacks import _EMPTY_BODY, _TRANSFER_ENCODING, QUIET, ParserCallbacks, _parser_message
from .states import Phase, Upgrade
from .streams import FlowControlStreamReader
from .tasks import task_starter
from .upgrade import UpgradeHandling
from .waits import READY, drain_body, lost
from .writer import error_response

if TYPE_CHECKING:
    from .registry import ConnectionRegistry
    from .settings import ServerSettings

__all__ = ["HttpProtocol", "Phase", "Upgrade"]

log = logging.getLogger("prefork.server")

Handler = Callable[[Exchange], Coroutine[Any, Any, None]]

_CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"
_QUIET_READ: Final = 8186  # the longest read whose heads are QUIET, whatever max_field_size (see _quiet_size)
_LONGEST_METHOD: Final = 32  # more than any method llhttp parses (UPDATEREDIRECTREF, 17)

# Module-level names for the hot path: a global lookup and an identity test, as cheap as the ints they replace.
# (Final: C statics in the compiled build, not a module-dict lookup at each use.)
_AWAITING_HEAD: Final = Phase.AWAITING_HEAD
_IDLE: Final = Phase.IDLE
_NO_UPGRADE: Final = Upgrade.NONE
_PENDING: Final = Upgrade.PENDING
_TAKEN_OVER: Final = Upgrade.TAKEN_OVER


class HttpProtocol(ParserCallbacks, UpgradeHandling, asyncio.Protocol):
    """One HTTP/1.1 connection: the asyncio callbacks, flow control, the request loop, deadlines and closing here;
    the parser callbacks in :class:`.parser_callbacks.ParserCallbacks`, the ``Upgrade`` handling in
    :class:`.upgrade.UpgradeHandling`."""

    # Slots, not an instance __dict__: a connection has more attributes than CPython's shared-key instance dict
    # keeps (30), so each of its instances had a dict of its own and every attribute read and write on the request
    # path went through a dict lookup; a slot is a fixed offset (2.5k fewer instructions per hello request on 3.11,
    # 2.9k on 3.13; bench/README.md, "Twelfth round"). aiohttp's RequestHandler has __slots__ too. Every attribute
    # __init__ sets is listed; one set anywhere else fails at once.
    __slots__ = (
        "_body",
        "_body_drain",
        "_body_only",
        "_context",
        "_counted",
        "_drain_waiter",
        "_exchange",
        "_fed_body",
        "_field_limit",
        "_framing",
        "_head_limit",
        "_header_count",
        "_header_timeout",
        "_headers",
        "_keepalive_timeout",
        "_kicking",
        "_line_bytes",
        "_lingering",
        "_max_headers",
        "_max_line",
        "_max_name_value",
        "_max_pipeline",
        "_parser",
        "_pause_reasons",
        "_pending_error",
        "_quiet_size",
        "_refused_body",
        "_short_url",
        "_sink",
        "_start_task",
        "_stop_parsing",
        "_task",
        "_upgrade",
        "_upgrade_tail",
        "_upgrade_tail_size",
        "_url",
        "_valid_host",
        "_write_paused",
        "_write_timer",
        "accounting",
        "closed",
        "deadline",
        "draining",
        "handler",
        "held",
        "holds",
        "loop",
        "peername",
        "phase",
        "queue",
        "registry",
        "settings",
        "transport",
    )

    def __init__(
        self,
        handler: Handler,
        settings: ServerSettings,
        registry: ConnectionRegistry,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.handler = handler
        self.settings = settings
        self.registry = registry
        self.accounting = registry.accounting  # its requests_count and access_logger, for the request path
        self.loop = loop or asyncio.get_running_loop()
        self.transport: Any = None
        self.peername: Any = None
        self.queue: collections.deque[Exchange] = collections.deque()
        self.closed = False
        self.draining = False
        self.deadline: float | None = None
        self.phase = _AWAITING_HEAD
        self._parser: Any = None
        self._task: asyncio.Task[None] | asyncio.Task[bool] | None = None  # the handler, or the body drain after it
        self._body_drain: asyncio.Task[bool] | None = None  # _task while it is the body drain
        self._kicking = False  # in _kick's loop (see there)
        self._counted = False  # is this connection's handler among the registry's in flight (registry.handling)?
        self._context = contextvars.Context()
        self._drain_waiter: asyncio.Future[None] | None = None
        self._write_paused = False
        self._write_timer: asyncio.TimerHandle | None = None
        self._pause_reasons: set[str] = set()
        self._stop_parsing = False
        self._upgrade = _NO_UPGRADE
        self._sink: UpgradeSink | None = None  # the protocol that took the connection over (TAKEN_OVER)
        self._upgrade_tail: list[bytes] = []  # what arrived after the upgrade request (PENDING)
        self._upgrade_tail_size = 0
        self._pending_error: HttpProtocolError | None = None
        # Per-request parser state.
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._header_count = 0
        self._framing = 0
        self._max_headers = settings.max_headers
        # max_headers while a head is parsed, 0 otherwise: on_header takes its slow path once the head holds this
        # many fields (so a trailer takes it), and it is the one record of "a head is being parsed" (the settings
        # refuse max_headers < 1, so it is never 0 inside a head). QUIET (-1) for a head begun in a read no longer
        # than _quiet_size, until the read ends (see data_received): on_header measures no field of it.
        self._field_limit = 0
        # What on_message_begin sets _field_limit to: QUIET, or max_headers while _feed parses.
        self._head_limit = QUIET
        # max_field_size less a field line's ": " and CRLF: the most a name and its value may add up to.
        self._max_name_value = settings.max_field_size - 4
        # The longest read whose heads are QUIET (data_received): none of its fields can be longer than
        # max_field_size, and at most 8 KiB, so that the fields of one such read, counted only when the head ends,
        # are at most some 2,000 (a field line is 4 bytes or more) however large max_field_size is set.
        self._quiet_size = min(self._max_name_value, _QUIET_READ)
        # The bytes of the head's (or trailer section's) unfinished line so far, whether the last read brought body
        # bytes, and the longest line the limits allow, with its CR (see _bound_line).
        self._line_bytes = 0
        self._fed_body = False
        self._max_line = max(settings.max_field_size, settings.max_request_line + 2)  # a field line's size has its CRLF
        # A target up to this long fits the request line whatever the method (see _LONGEST_METHOD): on_url reads
        # the method only beyond it.
        self._short_url = settings.max_request_line - 10 - _LONGEST_METHOD
        # What the request path reads of the settings (see ParserCallbacks).
        self._header_timeout = settings.header_timeout
        self._keepalive_timeout = settings.keepalive_timeout
        self._max_pipeline = settings.max_pipeline
        self._body: FlowControlStreamReader | None = None
        self._exchange: Exchange | None = None
        self._body_only = False  # the parser reads the body of a declined upgrade under a stand-in head
        self._valid_host = b""  # the last Host value found valid (empty is valid: RFC 9112 §3.2)
        # close() lingers (see _linger) when a request body is still arriving: the body being parsed is unfinished,
        # or a head was refused with a 413 (_refused_body) and its body follows, or a line too long (_bound_line)
        # and the rest of it follows.
        self._refused_body = False
        self._lingering = False
        self._start_task = task_starter(self.loop)
        # A whole answer written at the end of the loop's pass (see hold), and whether answers are held at all.
        self.held: bytes | None = None
        self.holds = True

    def __repr__(self) -> str:
        # aiohttp's RequestHandler's repr: this class is web.RequestHandler, and a log line names its state.
        return f"<RequestHandler {'disconnected' if self.transport is None else 'connected'}>"

    # -- asyncio callbacks -----------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        settings = self.settings
        transport.set_write_buffer_limits(  # type: ignore[attr-defined]
            high=settings.write_high_water, low=settings.write_low_water
        )
        if self.peername is None:  # else a PROXY header named the client (server/proxy_protocol.py)
            self.peername = transport.get_extra_info("peername")
        self._context = contextvars.copy_context()  # each request's task starts in a copy of it
        self._parser = httptools.HttpRequestParser(self)
        # The first head's deadline: header_timeout, or keepalive_timeout when shorter, as aiohttp closes a
        # connection that sends nothing after keepalive_timeout from its start (0: keep-alive off, no such bound).
        first = settings.keepalive_timeout
        self.deadline = self.loop.time() + (first if 0.0 < first < settings.header_timeout else settings.header_timeout)
        self.phase = _AWAITING_HEAD
        self.registry.add(self)
        if self.registry.closing:
            self.begin_drain(self.registry.grace_deadline)

    def data_received(self, data: bytes) -> None:
        upgrade = self._upgrade
        if upgrade is _TAKEN_OVER:
            self._sink.data_received(data)  # type: ignore[union-attr]
            return
        if upgrade is _PENDING:
            self._hold_tail(data)
            return
        if (self._stop_parsing and not self._body_only) or self.closed:
            return
        if len(data) <= self._quiet_size:
            # No field line in data is longer than max_field_size: a head begun in it (QUIET) is parsed without a
            # measure of each field. One it does not end is measured from the next read on (_bound_line).
            try:  # _parse, inline: this is once per request
                self._parser.feed_data(data)
            except (httptools.HttpParserUpgrade, httptools.HttpParserError) as exc:
                stopped = exc
            else:
                if self._field_limit or self._body is not None:
                    self._bound_line(data)  # a head or a body is unfinished
                if self.queue and self._task is None:
                    self._kick()
                return
            self._parser_stopped(data, stopped)  # outside the handler: see _parser_stopped
        else:
            self._feed(data)
        if self.queue and self._task is None:
            self._kick()

    def _feed(self, data: bytes) -> None:
        """Parse ``data``: the requests in it are queued, an upgrade or an error stops the parser. Every field of
        every head is measured (on_header), as data may be longer than a field may be (or than _quiet_size)."""
        self._head_limit = self._max_headers
        try:
            stopped = self._parse(data)
            if stopped is not None:
                self._parser_stopped(data, stopped)
        finally:
            self._head_limit = QUIET

    def _parse(self, data: bytes) -> Exception | None:
        """Feed ``data`` to the parser and bound the line it leaves unfinished; returns the exception the parser
        stopped with (an upgrade, an error), for the caller to hand to _parser_stopped outside this except block.
        (data_received has this inline.)"""
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserUpgrade, httptools.HttpParserError) as exc:
            return exc
        if self._field_limit or self._body is not None:
            self._bound_line(data)  # a head or a body is unfinished
        return None

    def _bound_line(self, data: bytes) -> None:
        """A head, or a chunked body, is unfinished at the end of ``data``: refuse a line that grows past
        ``max_line`` before it ends.

        httptools keeps the bytes of a header field (or a trailer) until its line ends, and only then hands the
        field to on_header, whose limits apply from there: a field that never ends grew without bound (50 MB of one
        header value took 60 MB of the worker's memory, and 2 s of CPU copying it, until header_timeout; aiohttp's
        parser and gunicorn's refuse such a line as it grows). So the bytes of the line the head (or a chunked
        body's framing or trailer section) ends in are counted here from one read to the next, and past the longest
        line the limits allow (max_field_size, or max_request_line if longer) the request is refused with
        on_header's 400. A read that brought body bytes starts the count again (the line after them is counted from
        the next read): a chunk's data is no line, and a body's bytes cannot be told from the lines around them.

        A QUIET head (on_header) it does not end is measured field by field from here on: a field of it may have
        begun in data and end in the next read."""
        if self._field_limit < 0:
            self._field_limit = self._max_headers
        if self._fed_body:
            self._fed_body = False
            self._line_bytes = 0
            return
        if not self._field_limit and not (self._framing & _TRANSFER_ENCODING or self._body_only):
            return  # a body of a Content-Length: no field follows it
        end = data.rfind(b"\n") + 1
        size = self._line_bytes = len(data) - end if end else self._line_bytes + len(data)
        if size > self._max_line:
            # The rest of the line is still on its way: the close lingers (see close), so that the client, which
            # may write all it has before it reads, gets the answer rather than a reset.
            self._refused_body = True
            self._reject(HeadersTooLarge("Header field too long"))

    def _parser_stopped(self, data: bytes, exc: Exception) -> None:
        """``feed_data(data)`` raised ``exc``: an upgrade, or the first (sticky) error, which is answered.

        Called outside the ``except`` block that caught ``exc``: what follows an ignored upgrade is parsed here, and
        a callback's error raised while another exception is being handled would have that one as its context
        (Python sets it on raise), where httptools put the callback's own error, which the answer is made of."""
        while isinstance(exc, httptools.HttpParserUpgrade):
            data = self._on_upgrade(data, exc.args[0] if exc.args else len(data))
            if not data:
                return
            # What follows an ignored upgrade, for the fresh parser; a loop, as a client may send thousands. (The
            # rest of the read being parsed: its heads are QUIET only when the read is short, see data_received.)
            again = self._parse(data)
            if again is None:
                return
            exc = again
        if isinstance(exc, httptools.HttpParserCallbackError):
            cause = exc.__context__
            if isinstance(cause, HttpProtocolError):
                self._reject(cause)
            else:
                log.exception("error in HTTP parser callback", exc_info=cause)
                self._reject(BadRequest("Bad Request"))
        else:
            self._reject(BadRequest(_parser_message(exc)))

    def eof_received(self) -> bool | None:
        if self._lingering:
            return None  # the client has sent all it meant to: asyncio closes the transport
        # asyncio's and uvloop's TLS transports close after the peer's close_notify whatever this returns (and
        # warn when it is True): half-open is for plain TCP only.
        half_open = None if self.transport.get_extra_info("sslcontext") else True
        if self._upgrade is _TAKEN_OVER:
            self._sink.eof_received()  # type: ignore[union-attr]
            return half_open
        # A half-closed client may still read our answers to what it sent (RFC 9112 §9.6).
        self._stop_parsing = True
        self._refused_body = False  # nothing more comes: a close need not linger
        if self._body is not None and not self._body.is_eof():
            self._body.set_exception(ConnectionResetError("client closed the connection mid-body"))
        queue = self.queue
        if not queue or self.settings.handler_cancellation:
            # With handler_cancellation the FIN is the client going away, as in aiohttp (which closes on every
            # FIN): the connection closes, and connection_lost cancels the handler.
            self.close()
            return None
        if len(queue) == 1 and queue[0].head_sent and not queue[0].finished and queue[0].body.is_eof():
            # The last request is whole and its response is under way (a stream, an event source): the FIN now
            # says the client went away. Nothing more can come, and the handler may wait for nothing but this
            # (aiohttp-sse waits for the transport to go). On the wire this cannot be told from a client that
            # half-closed to read a long answer; aiohttp closes on every FIN, so the answer stops there as it
            # does in aiohttp. A FIN before the answer begins, or behind pipelined requests, still gets them.
            self.close()
            return None
        return half_open

    def connection_lost(self, exc: BaseException | None) -> None:
        self.closed = True
        self.held = None
        # Its handler, if it runs on, has no connection to answer: no longer one whose answer others wait for (and a
        # task cancelled before its first step never runs answer(), which would uncount it).
        self.uncount()
        # As aiohttp's RequestHandler: a handler (aiohttp-sse) tells a lost connection by its ``transport`` None.
        self.transport = None
        self.registry.discard(self)
        if self._sink is not None:
            sink, self._sink = self._sink, None
            sink.connection_lost(exc)
        reset = ConnectionResetError("connection lost")
        for exchange in self.queue:
            if not exchange.body.is_eof():
                exchange.body.set_exception(reset)
        if self._body is not None and not self._body.is_eof():
            self._body.set_exception(reset)
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_exception(reset)
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None
        task = self._task
        if task is not None and not task.done():
            if self.settings.handler_cancellation and self.queue:
                task.cancel()
            self.registry.outlive(task)

    def pause_writing(self) -> None:
        self._write_paused = True
        timeout = self.settings.write_timeout
        if timeout:
            # A timer per pause, not per request: only a response bigger than the buffer to a slow client pauses.
            self._write_timer = self.loop.call_later(timeout, self._on_write_timeout)

    def resume_writing(self) -> None:
        self._write_paused = False
        timer = self._write_timer
        if timer is not None:
            self._write_timer = None
            timer.cancel()
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- flow control ----------------------------------------------------------------------------------------

    def pause_body(self) -> None:
        self.pause_reason("body")

    def resume_body(self) -> None:
        self.resume_reason("body")

    def send_continue(self) -> None:
        if not self.closed:
            if self.held is not None:
                self.release()
            self.transport.write(_CONTINUE)

    def pause_reason(self, reason: str) -> None:
        if not self._pause_reasons and not self.closed:
            self.transport.pause_reading()
        self._pause_reasons.add(reason)

    def resume_reason(self, reason: str) -> None:
        if reason in self._pause_reasons:
            self._pause_reasons.discard(reason)
            if not self._pause_reasons and not self.closed:
                self.transport.resume_reading()

    def drain(self) -> Awaitable[None]:
        """An awaitable that is done when the write buffer is below its low-water mark; awaiting it raises
        ConnectionResetError once the connection is lost. Not a coroutine of this module: see server/waits.py."""
        if self.closed:
            return lost()
        if not self._write_paused:
            return READY
        waiter = self._drain_waiter
        if waiter is None or waiter.done():
            waiter = self._drain_waiter = self.loop.create_future()
        return asyncio.shield(waiter)

    # -- the request loop ------------------------------------------------------------------------------------

    def _kick(self) -> None:
        """Start the head of the queue's task, unless a handler (or a body drain) is already running.

        Each handler gets a task of its own (see :func:`.tasks.task_starter`) in a copy of the connection's context,
        as aiohttp starts one per request. The task settles its request itself at its end and starts the next one
        (server/answer.py): a done callback would cost a scheduled callback per request, and 18-23% more CPU per
        request over sockets when the compiled build settled its handlers that way (bench/README.md, "Tenth
        round"). Where the loop's task factory starts tasks eagerly (``asyncio.eager_task_factory``, Python 3.12+,
        as an application may set), a handler that never waits has ended, settled, when its task is returned: the
        next request starts here, in this loop, rather than in a call from that task's end, which returns at once
        (``_kicking``) so that pipelined requests do not nest a call each.
        """
        if self._task is not None or self._kicking:
            return
        self._kicking = True
        try:
            queue = self.queue
            start_task = self._start_task  # a slot's callable called from a local (see answer())
            while queue and not self.closed and self._task is None:
                # Counted among the registry's handlers in flight until answer() ends (Exchange.send reads it).
                self._counted = True
                self.registry.handling += 1
                task = start_task(answer(self, queue[0]), context=self._context.copy())
                if not task.done():
                    self._task = task
        finally:
            self._kicking = False

    def _handler_returned(self, exchange: Exchange, error: BaseException | None) -> object:
        """Settle the handler of ``exchange``, which returned or raised ``error``; start the body drain when that
        follows."""
        if error is None and exchange.finished and exchange.body is _EMPTY_BODY and not self.closed:
            return self._advance(exchange)  # what _settle decides for this, the common case
        verdict = self._settle(exchange, error)
        if verdict is _DRAIN:
            # In the connection's context, as each handler's task starts, not in the finished handler's.
            self._task = self._body_drain = drain = self.loop.create_task(
                drain_body(self, exchange), context=self._context.copy()
            )
            drain.add_done_callback(self._drained)
        return verdict

    def _drained(self, task: asyncio.Task[bool]) -> None:
        """The unread body of the head of the queue is discarded (or could not be): go on, or close."""
        self._task = self._body_drain = None
        if self.closed:
            return
        if task.cancelled() or task.exception() is not None or not task.result():
            self.close()
        elif self._advance(self.queue[0]) is _NEXT:
            self._kick()

    def _settle(self, exchange: Exchange, error: BaseException | None) -> object:
        """Decide what follows a handler that returned (or raised ``error``): the next request, a body drain, or
        the end of the connection."""
        if error is not None:
            if isinstance(error, (ConnectionResetError, asyncio.CancelledError)):
                if not self.closed:
                    log.debug("handler stopped: %r", error)
                    self.abort()
                return _DONE
            if not isinstance(error, Exception):
                # KeyboardInterrupt, SystemExit: its task has already raised it into the event loop.
                self.abort()
                return _DONE
            log.error("unhandled error answering %s %s", exchange.method, exchange.target, exc_info=error)
            if not exchange.head_sent and not self.closed:
                exchange.send(500, _500(self.settings.server_header), b"", keep_alive=False)
        if self.closed:
            return _DONE
        if not exchange.finished:
            # The handler neither completed nor announced the end of its response: the framing is unknown, so
            # the connection cannot carry another response.
            if not exchange.head_sent:
                exchange.send(500, _500(self.settings.server_header), b"", keep_alive=False)
            self.close()
            return _DONE
        body = exchange.body
        if body is not _EMPTY_BODY:
            if not body.is_eof():
                return _DRAIN
            body.discard()
        return self._advance(exchange)

    def _advance(self, exchange: Exchange) -> object:
        """The answer to ``exchange`` is complete: go on with the next request, or close."""
        queue = self.queue
        queue.popleft()
        if not exchange._keep_alive_final:
            # The answer announced the close: nothing the client sent after this request is answered, not even
            # the error it caused (RFC 9112 §9.6).
            self.close()
            return _DONE
        if self._upgrade is _PENDING and exchange.upgrade:
            self._decline_upgrade()
            if self.closed:
                return _DONE
        if not queue:
            if self._pending_error is not None:
                self._send_error(self._pending_error)
                return _DONE
            if self._stop_parsing:
                # Nothing more is read on this connection (the client sent EOF, RFC 9112 §9.6): its last answer is
                # out, so it closes now rather than holding a worker connection for keepalive_timeout.
                self.close()
                return _DONE
        if "pipeline" in self._pause_reasons and len(queue) < self._max_pipeline:
            self.resume_reason("pipeline")
        if not queue:
            if self._field_limit:
                # The next request's head is already arriving (pipelined, partial).
                self.phase = _AWAITING_HEAD
                self.deadline = self.loop.time() + self._header_timeout
            elif self.draining:
                self.phase = _IDLE
                self.deadline = self.registry.grace_deadline
            else:
                self.phase = _IDLE
                self.deadline = self.loop.time() + self._keepalive_timeout
        return _NEXT

    def exchange_finished(self, exchange: Exchange) -> None:
        accounting = self.accounting
        accounting.requests_count += 1
        if accounting.access_logger is not None:
            accounting.access_logger.log(exchange, self.loop.time() - exchange.start_time)
        if exchange._keep_alive_final and self.draining and len(self.queue) <= 1:
            exchange._keep_alive_final = False
        if not exchange._keep_alive_final:
            self._stop_parsing = True

    # -- errors, draining, deadlines, closing ----------------------------------------------------------------

    def _reject(self, error: HttpProtocolError) -> None:
        """Answer a protocol error once, after the responses already owed, then close."""
        self._stop_parsing = True
        self._field_limit = 0  # no head is being parsed
        if error.status == 413:
            self._refused_body = True  # a body too large to take is still on its way: close() lingers
        body = self._body
        queue = self.queue
        if body is not None:
            # The body of the newest queued request is broken.
            self._body = None
            body.set_exception(error)
            if len(queue) == 1 and self._task is not None:
                # Its handler is running: it sees the error when it reads, and the connection closes after its
                # answer.
                queue[-1].must_close = True
                return
            # Its handler has not started (the error came in the read that brought its head, or it waits behind
            # others): the request is refused as a whole, as aiohttp refuses it, rather than served with a 200
            # by a handler that never reads the body (RFC 9112 s6.3: the framing is invalid).
            queue.pop()
            self._exchange = None
        if queue:
            # A broken request behind valid pipelined ones: answer those first, then this one, then close.
            self._pending_error = error
        else:
            self._send_error(error)

    def _send_error(self, error: HttpProtocolError) -> None:
        if self.closed:
            return
        log.debug("rejecting request from %s: %s %s", self.peername, error.status, error.message)
        if self.held is not None:
            self.release()
        self.transport.write(
            error_response(error.status, f"{error.status} {error.message}", server_header=self.settings.server_header)
        )
        self.close()

    def begin_drain(self, grace_deadline: float) -> None:
        """Stop taking new work: answer what is queued, announcing the close; idle connections get a grace."""
        if self.draining or self.closed:
            return
        self.draining = True
        if self._upgrade is _TAKEN_OVER:
            self._shutdown_sink()
        elif self.phase is _IDLE:
            self.deadline = grace_deadline
        elif self._body_drain is not None and len(self.queue) == 1:
            # The last answer is out and the rest of its request's body was read only to keep the connection for
            # another request, which will not be served now: close (a lingering close, within the grace).
            self._body_drain.cancel()

    def on_deadline(self, now: float) -> None:
        """Called by the registry's ticker once ``deadline`` has passed."""
        self.deadline = None
        if self.phase is _IDLE:
            self.close()
        elif self.phase is _AWAITING_HEAD:
            if self._field_limit or self.queue:
                self._stop_parsing = True
                if not self.queue:
                    self._send_error(RequestTimeout("Request Timeout"))
                else:
                    self.close()
            else:
                # Connected but never sent a byte: no one to answer.
                self.close()

    def _on_write_timeout(self) -> None:
        # The client read nothing for write_timeout: closing would wait for a flush that never comes, so abort.
        # connection_lost then fails the handler's drain() with ConnectionResetError.
        self._write_timer = None
        log.info("dropping %s: it read nothing for %ss (write_timeout)", self.peername, self.settings.write_timeout)
        self.abort()

    def close(self) -> None:
        transport = self.transport
        if not self.closed and transport is not None and not transport.is_closing():
            if self.held is not None:
                self.release()
            body = self._body
            if not self._lingering and (
                self._refused_body or (body is not None and not body.is_eof() and body.exception() is None)
            ):
                # The client is still sending a body (not one it broke off with an EOF or a framing error).
                self._linger(transport)
            else:
                transport.close()

    def force_close(self) -> None:
        """Close the connection now, as aiohttp's ``RequestHandler.force_close()`` (``request.protocol``): the answer
        in progress is not sent, so the client sees the connection drop (and may retry an idempotent request)."""
        transport = self.transport
        if transport is not None and not transport.is_closing():
            if self.held is not None:
                self.release()  # an earlier answer, complete: sent as if it had been written at once
            transport.close()
        # At once, as aiohttp's (its transport is None from here): the handler's next write or drain() raises
        # ConnectionResetError instead of going to a closing transport, which drops it silently.
        self.closed = True

    def _linger(self, transport: asyncio.Transport) -> None:
        """Close while the client is still sending a request body, without destroying the answer it is owed.

        Closing a socket with unread bytes in it makes the kernel send a reset, and a client still writing its body
        (Python's http.client and requests write all of it before reading) then fails its write with
        ``ECONNRESET``/``EPIPE`` and never reads the 401 or 413 it was sent. So the answer is followed by a FIN
        (``write_eof``), and what the client still sends is read and discarded until it closes its side or
        ``lingering_time`` passes (aiohttp's setting of that name, and nginx's lingering close). The connection
        waits as an idle one, so the ticker closes it at the deadline and a client waiting for a connection slot
        may reclaim it first."""
        seconds = self.settings.lingering_time
        if not seconds or self._upgrade in (_PENDING, _TAKEN_OVER) or not transport.can_write_eof():
            transport.close()  # TLS: its close_notify, not a FIN; an upgrade's bytes are the handler's
            return
        self._lingering = True
        self._stop_parsing = True  # data_received discards what comes
        self._body_only = False
        transport.write_eof()  # after the answer still buffered
        if self._pause_reasons:
            self._pause_reasons.clear()
            transport.resume_reading()
        self.phase = _IDLE
        deadline = self.loop.time() + seconds
        self.deadline = min(deadline, self.registry.grace_deadline) if self.draining else deadline

    def abort(self) -> None:
        if self.transport is not None:
            if self.held is not None:
                self.release()  # as a write at once would have, it goes to the socket before the reset
            self.transport.abort()
        self.closed = True

    def uncount(self) -> None:
        """This connection's handler is no longer among the registry's in flight (counted by :meth:`_kick`)."""
        if self._counted:
            self._counted = False
            self.registry.handling -= 1

    # -- answers written at the end of the loop's pass -------------------------------------------------------

    def hold(self, data: bytes) -> None:
        """Write ``data``, a whole answer after which the connection stays open, once the event loop has run the
        callbacks ready with this one (the other handlers of this pass), with the answers they finish. Exchange.send
        holds an answer only while another handler of the registry is in flight (``registry.handling``): a lone
        one is written at once, as there is nothing to write it with, and waiting a loop pass would cost one.

        Written at once, each answer to a client that waits for it (a load balancer, nginx in front, a benchmark
        client) wakes that client on its own, and on a virtual machine the wake-up of an idle CPU (an
        inter-processor interrupt, taken in the writer's ``write``) costs more than the write: 15 µs of kernel time
        per request on POST /items (bench/hello.py's, 17k requests a second, one worker). Written together, the
        first wakes the client and the rest find it awake. Redis writes its replies in one go before its loop
        sleeps, and Netty's FlushConsolidationHandler flushes once per read loop, alike. The registry's
        :meth:`~.registry.ConnectionRegistry.release_held`, scheduled when the first answer of a pass is held,
        writes them. Anything else written to the connection, or its close, first sends the held answer
        (:meth:`release`), so the bytes, their order and the connection's end are those of a write at once
        (tests/server/test_held_answers.py); only a connection lost in between drops it, as the socket would. A
        handler that blocks the loop delays the answers finished before it in its pass (a worker the heartbeat
        aborts still writes them: :func:`~.registry.release_all_held`)."""
        held = self.held
        if held is None:
            self.held = data
            self.registry.hold(self)
        else:
            self.held = held + data

    def release(self) -> None:
        """Write the answer :meth:`hold` holds now."""
        held = self.held
        if held is not None:
            self.held = None
            transport = self.transport
            if not self.closed and transport is not None and not transport.is_closing():
                transport.write(held)


# What follows a handler (see HttpProtocol._settle).
_NEXT: Final = NEXT  # answer the next queued request
_DRAIN: Final = object()  # first discard what the handler left of the request body
_DONE: Final = object()  # the connection is finished


def _500(server_header: str | None) -> bytes:
    return error_response(500, "500 Internal Server Error", server_header=server_header)

"""Access log lines in gunicorn's format language, from a format compiled once into one function per logger.

Two ways to the log, one output:

* **General**: ``logger.info(line, extra={"atoms": atoms})``, so that whatever the user configured on the logger
  (handlers, filters, formatters, propagation) sees a ``LogRecord``. The record carries its atoms as
  ``record.atoms``, a mapping that computes an atom on first lookup, for formatters that write fields rather than
  the line (supervisor/journal.py's JSON).
* **Direct**: when the logger's only destination is one plain stream or file handler whose formatter prints the
  message alone (what ``prefork --access-logfile`` sets up, and gunicorn's access log), the lines of an
  event-loop iteration are gathered, with no ``LogRecord``, and at the iteration's end written to the handler's
  stream in one write and flushed: once per iteration instead of once per line, under the handler's lock as
  ``Handler.handle`` takes it around ``emit``, so that another thread's record to the same handler (or another
  logger's sharing it) never lands inside them. What the file receives is byte for byte what the general path
  writes (tests/server/test_accesslog_fast.py compares them). The check runs at the first line of each loop
  iteration, so logging configured meanwhile takes effect from the next iteration on.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import re
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from multidict import istr

from .exchange import printable as _printable

if TYPE_CHECKING:
    from .exchange import Exchange

__all__ = ["AccessLogger", "compile_format", "flush_pending", "plain_handler"]

Remote = Callable[["Exchange"], "str | None"]
LineFunction = Callable[["Exchange", float], str]

_INFO = logging.INFO
_clock = time.time
_stamp_second = -1
_stamp = ""


def _now() -> str:
    """``%(t)s``: gunicorn's ``[02/Dec/2026:05:02:23 +0000]`` in local time, formatted once per second."""
    global _stamp_second, _stamp
    second = int(_clock())
    if second != _stamp_second:
        _stamp = time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(second))
        _stamp_second = second
    return _stamp


class _Protocols(dict):  # type: ignore[type-arg]
    """``HTTP/1.1`` for an ``HttpVersion``, each made once."""

    def __missing__(self, version: tuple[int, int]) -> str:
        value = self[version] = f"HTTP/{version[0]}.{version[1]}"
        return value


_protocols = _Protocols()


def _user(authorization: str | None) -> str:
    if not authorization or authorization[:6].lower() != "basic ":
        return "-"
    try:
        return base64.b64decode(authorization[6:].strip()).decode("utf-8").split(":", 1)[0] or "-"
    except (ValueError, UnicodeDecodeError):
        return "-"


def _peer(exchange: Exchange) -> str:
    """``%(h)s`` without a ``remote``, or when it has no answer: the TCP peer's address."""
    peer = exchange.peername
    return peer[0] if isinstance(peer, tuple) else (peer or "-")  # type: ignore[no-any-return]


def _header(expression: str) -> str:
    # An ASCII value (nearly every one) as it is, without a call; a byte that was not UTF-8 as \xNN (printable).
    return f"(v if (v := {expression}).isascii() else _printable(v))"


# The value of each atom, as an expression of ``x`` (the exchange) and ``d`` (the duration in seconds); the same
# table computes an atom for the general path's lazy mapping and for the compiled line.
_ATOMS = {
    "h": "(_remote is not None and _remote(x) or _peer(x))",
    "l": "'-'",
    "u": "(_user(v) if (v := x.headers.get(_AUTHORIZATION)) else '-')",
    "t": "_now()",
    "r": "f'{x.method} {x.target} {_protocols[x.version]}'",
    "s": "x.status",
    "b": "x.bytes_sent or '-'",
    "B": "x.bytes_sent",
    "f": "x.headers.get(_REFERER, '-')",
    "a": "x.headers.get(_USER_AGENT, '-')",
    "T": "int(d)",
    "D": "int(d * 1_000_000)",
    "L": "f'{d:.6f}'",
    "p": "f'<{_getpid()}>'",
    "m": "x.method",
    "U": "x.target.split('?', 1)[0]",
    "q": "x.target.partition('?')[2]",
    "H": "_protocols[x.version]",
}
_NAMESPACE = {
    "_peer": _peer,
    "_printable": _printable,
    "_user": _user,
    "_now": _now,
    "_protocols": _protocols,
    "_getpid": os.getpid,
    "_environ": os.environ,
    # istr keys: the multidict looks them up without folding the name's case per line
    "_AUTHORIZATION": istr("Authorization"),
    "_REFERER": istr("Referer"),
    "_USER_AGENT": istr("User-Agent"),
}


def _expression(key: str, escape: bool = True) -> str:
    """The expression of one atom; with ``escape``, a header (or environment) value's bytes that are not UTF-8 are
    written ``\\xNN`` (the compiled line escapes its whole text once instead: one check per line)."""
    expression = _ATOMS.get(key)
    if expression is not None:
        return _header(expression) if escape and key in ("f", "a") else expression
    if key.startswith("{") and key.endswith("}i"):
        expression = f"x.headers.get({key[1:-2]!r}, '-')"
    elif key.startswith("{") and key.endswith("}e"):
        expression = f"_environ.get({key[1:-2]!r}, '-')"
    else:
        return "'-'"
    return _header(expression) if escape else expression


class _Atoms(dict):  # type: ignore[type-arg]
    """``format % atoms`` asks only for the keys the format names; each is computed on first use."""

    __slots__ = ("duration", "exchange", "remote")

    _getters: dict[str, Callable[[Exchange, float, Remote | None], Any]] = {}

    def __init__(self, exchange: Exchange, duration: float, remote: Remote | None) -> None:
        super().__init__()
        self.exchange = exchange
        self.duration = duration
        self.remote = remote

    def __missing__(self, key: str) -> Any:
        getter = self._getters.get(key)
        if getter is None:
            getter = self._getters[key] = eval(f"lambda x, d, _remote: {_expression(key)}", dict(_NAMESPACE))
        value = self[key] = getter(self.exchange, self.duration, self.remote)
        return value


# A conversion after ``%(key)``: printf's flags, width, precision, length modifier and type, without ``*`` (which
# would read its number from the arguments, not from the mapping).
_SPEC = re.compile(r"[#0 +\-]*\d*(?:\.\d*)?[hlL]?[diouxXeEfFgGcrsa]")


class _Split(NamedTuple):
    positional: str  # the format with every ``%(key)`` turned into a bare ``%``
    keys: list[str]  # the keys, in order
    specs: list[str]  # each conversion's spec after its key: ``s``, ``5s``, ``06d``...
    texts: list[str]  # the text around the conversions (one more than keys), ``%%`` read as ``%``


def _split_format(log_format: str) -> _Split | None:
    """``log_format`` taken apart at its ``%(key)spec`` conversions; None when a conversion has no key or an
    unusual spec (then ``format % mapping`` decides, as Python's ``%`` parses)."""
    parts: list[str] = []
    keys: list[str] = []
    specs: list[str] = []
    texts: list[str] = []
    text: list[str] = []
    i = t = 0  # where the positional part and the text go on from
    n = len(log_format)
    while True:
        j = log_format.find("%", i)
        if j < 0:
            break
        if log_format.startswith("%%", j):
            parts.append(log_format[i : j + 2])
            text.append(log_format[t : j + 1])
            i = t = j + 2
            continue
        if not log_format.startswith("%(", j):
            return None
        # the key ends at the parenthesis that balances the first one, as in Python's own parser
        depth, k = 1, j + 2
        while depth:
            if k >= n:
                return None
            depth += {"(": 1, ")": -1}.get(log_format[k], 0)
            k += 1
        spec = _SPEC.match(log_format, k)
        if spec is None:
            return None
        keys.append(log_format[j + 2 : k - 1])
        specs.append(spec.group())
        parts.append(log_format[i : j + 1])
        text.append(log_format[t:j])
        texts.append("".join(text))
        text = []
        i, t = k, spec.end()
    parts.append(log_format[i:])
    text.append(log_format[t:])
    texts.append("".join(text))
    return _Split("".join(parts), keys, specs, texts)


# The conversions whose ``%`` formatting is the f-string's: ``'%s' % v`` is ``str(v)``, as ``f'{v!s}'`` is.
_CONVERSIONS = {"s": "!s", "r": "!r", "a": "!a"}


def _fstring(split: _Split, slots: list[int]) -> str:
    """The source of an f-string (adjacent literals, joined by the compiler) that builds what
    ``split.positional % (v<slot>, ...)`` does, when every spec is a bare conversion."""
    pieces = []
    for text, spec, slot in zip(split.texts, split.specs, slots, strict=False):
        if text:
            pieces.append("f" + repr(text.replace("{", "{{").replace("}", "}}")))
        pieces.append(f"f'{{v{slot}{_CONVERSIONS[spec]}}}'")
    if split.texts[-1]:
        pieces.append("f" + repr(split.texts[-1].replace("{", "{{").replace("}", "}}")))
    return " ".join(pieces) or "''"


def compile_format(log_format: str, remote: Remote | None = None) -> LineFunction:
    """A function of ``(exchange, duration)`` giving ``log_format % atoms`` (gunicorn's ``access_log_format``),
    with each atom the format names computed once, in order, and nothing else."""
    split = _split_format(log_format)
    if split is None:
        return lambda x, d: log_format % _Atoms(x, d, remote)
    keys = split.keys
    distinct = list(dict.fromkeys(keys))
    lines = [f"    v{i} = {_expression(key, escape=False)}" for i, key in enumerate(distinct)]
    if sum(line.count("x.headers") for line in lines) > 1:  # the property once, not per header atom
        lines = ["    h = x.headers", *(line.replace("x.headers", "h") for line in lines)]
    slots = [distinct.index(key) for key in keys]
    if all(spec in _CONVERSIONS for spec in split.specs):
        # gunicorn's default and most formats: an f-string joins the line without parsing a format per line.
        result = _fstring(split, slots)
    else:
        result = "_format % (" + "".join(f"v{slot}, " for slot in slots) + ")"
    # A character the line could not be written in UTF-8 with (a header's byte that was not UTF-8) as \\xNN: any
    # other character is unchanged by _printable, so escaping the line is escaping each header atom.
    source = (
        "def line(x, d):\n" + "\n".join(lines) + f"\n    return r if (r := {result}).isascii() else _printable(r)\n"
    )
    namespace: dict[str, Any] = {**_NAMESPACE, "_remote": remote, "_format": split.positional}
    exec(compile(source, f"<access log format {log_format!r}>", "exec"), namespace)
    line: LineFunction = namespace["line"]
    return line


# What plain_handler compares with, fetched once: these are the implementations whose behaviour the direct path
# reproduces (a later patch of, say, StreamHandler.emit is not one of them, and takes the general path).
_Logger, _LogRecord, _StreamHandler = logging.Logger, logging.LogRecord, logging.StreamHandler
_STREAM_EMIT, _FILE_EMIT, _FLUSH = logging.StreamHandler.emit, logging.FileHandler.emit, logging.StreamHandler.flush
_HANDLE, _FORMAT = logging.Handler.handle, logging.Handler.format
_Formatter, _PercentStyle = logging.Formatter, logging.PercentStyle
_getLogRecordFactory = logging.getLogRecordFactory


def plain_handler(logger: logging.Logger) -> logging.StreamHandler[Any] | None:
    """The handler the logger's INFO records end in, when nothing else sees them and it writes the message alone
    plus its terminator to its stream: one ``StreamHandler``/``FileHandler`` (or a subclass that keeps their
    ``emit`` and ``flush``), no filter, no propagation, the standard record factory and a ``%(message)s``
    formatter. None otherwise: the record must then be made, for whatever else is configured."""
    if logger.__class__ is not _Logger or logger.filters or logger.propagate:
        return None
    if _getLogRecordFactory() is not _LogRecord:
        return None
    handlers = logger.handlers
    if len(handlers) != 1:
        return None
    handler = handlers[0]
    cls = type(handler)
    if (
        not isinstance(handler, _StreamHandler)
        or ((emit := cls.emit) is not _STREAM_EMIT and emit is not _FILE_EMIT)
        or cls.flush is not _FLUSH
        or cls.handle is not _HANDLE
        or cls.format is not _FORMAT
        or handler.filters
        or handler.level > _INFO
        or handler.stream is None  # a FileHandler opened on first emit, or closed: emit opens it
    ):
        return None
    formatter = handler.formatter
    if formatter is not None and (
        formatter.__class__ is not _Formatter
        or formatter._style.__class__ is not _PercentStyle
        or formatter._fmt != "%(message)s"
    ):
        return None
    return handler


class AccessLogger:
    """Writes one line per finished response to ``logger`` at INFO, in gunicorn's ``access_log_format``.

    ``remote``, when set, gives ``%(h)s`` for an exchange (the client behind a trusted proxy: the application
    layer knows who is trusted, the server does not); None, or a falsy answer, means the TCP peer.
    """

    __slots__ = ("__weakref__", "_handler", "_line", "_lines", "_remote", "format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str, remote: Remote | None = None) -> None:
        self.logger = logger
        self.format = log_format
        self._remote = remote
        self._line = compile_format(log_format, remote)
        # This loop iteration's destination: None before its first line, a handler to write to directly, or False
        # for the general path.
        self._handler: logging.StreamHandler[Any] | bool | None = None
        # The lines of this loop iteration that go to _handler, written by flush().
        self._lines: list[str] = []
        _loggers.add(self)

    @property
    def remote(self) -> Remote | None:
        return self._remote

    @remote.setter
    def remote(self, remote: Remote | None) -> None:
        self._remote = remote
        self._line = compile_format(self.format, remote)

    def log(self, exchange: Exchange, duration: float) -> None:
        logger = self.logger
        if not logger.isEnabledFor(_INFO):
            return  # nothing is built for a disabled logger
        handler = self._handler
        if handler is None:
            handler = self._begin()
        if handler is not False:
            if handler.stream is not None:  # type: ignore[union-attr]
                try:
                    line = self._line(exchange, duration)
                except Exception:
                    logger.exception("bad access log format %r", self.format)
                    return
                self._lines.append(line)
                return
            # Closed meanwhile (a reload): the general path finds the new one, after the lines before this one.
            self._handler = False
            self._write(handler)  # type: ignore[arg-type]
        atoms = _Atoms(exchange, duration, self._remote)
        try:
            logger.info(self.format % atoms, extra={"atoms": atoms})
        except Exception:
            logger.exception("bad access log format %r", self.format)

    def _begin(self) -> logging.StreamHandler[Any] | bool:
        """Choose this loop iteration's path; the iteration's end flushes and forgets the choice."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False  # no loop to end the batch: every line its own record
        handler = plain_handler(self.logger)
        self._handler = handler if handler is not None else False
        loop.call_soon(self.flush)
        return self._handler

    def flush(self) -> None:
        """Write this loop iteration's lines to the handler's stream and flush it (the iteration's end)."""
        handler = self._handler
        self._handler = None
        if handler:
            self._write(handler)  # type: ignore[arg-type]

    def _write(self, handler: logging.StreamHandler[Any]) -> None:
        lines = self._lines
        if not lines:
            return
        self._lines = []
        terminator = handler.terminator
        text = terminator.join(lines) + terminator
        lock = handler.lock
        if lock is not None:  # None only after a subclass's createLock() chose none
            lock.acquire()
        try:
            stream = handler.stream
            if stream is not None:
                try:
                    stream.write(text)
                    # StreamHandler.flush (plain_handler checked it is the class's), without taking the lock again.
                    stream = handler.stream
                    if stream and hasattr(stream, "flush"):
                        stream.flush()
                except Exception:
                    self._write_failed(handler, text)
                return
        finally:
            if lock is not None:
                lock.release()
        for line in lines:  # the stream closed since these lines were gathered: the logger's handlers now
            self.logger.info(line)

    def _write_failed(self, handler: logging.Handler, line: str) -> None:
        # As StreamHandler.emit: the error goes to handleError (a traceback on stderr), the server carries on.
        record = self.logger.makeRecord(self.logger.name, _INFO, "(access log)", 0, line, (), None)
        handler.handleError(record)


# Every AccessLogger, for flush_pending(): the lines each gathers wait for the end of the loop iteration, which a
# process that exits from a signal handler (the worker's heartbeat abort) or after its loop stopped never reaches.
_loggers: weakref.WeakSet[AccessLogger] = weakref.WeakSet()


def flush_pending() -> None:
    """Write now the lines every access logger holds for the end of the current loop iteration. Call contract: the
    last thing before ``logging.shutdown()`` and ``os._exit`` in a process that may not return to its loop."""
    for logger in list(_loggers):
        logger.flush()

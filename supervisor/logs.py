"""The error log and the access log: files (or stdout/stderr), a level, and reopening on USR1.

The error log is the root logger, so the app's own logging and the server's (``prefork.server``) land there too.
The access log is ``prefork.access``, handed to the app's handler factory; it does not propagate. Reopening
swaps each file handler's stream under its lock, so logrotate can move the files and send USR1 (no
``copytruncate`` needed); the master reopens its own and signals every worker to reopen theirs.

Under systemd, a log written to the journal's stream (``$JOURNAL_STREAM``, see :mod:`supervisor.journal`) drops the
timestamp and prefixes each line with its ``<N>`` priority, so that ``journalctl -p warning`` works.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import IO, Any

from .journal import access_formatter, error_formatter

__all__ = ["ACCESS_LOGGER", "ERROR_FORMAT", "Logs"]

ACCESS_LOGGER = "prefork.access"
ERROR_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"


class _Formatter(logging.Formatter):
    """gunicorn's timestamp plus milliseconds: restarts take tens of milliseconds, so seconds hide the story."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        ct = self.converter(record.created)
        return f"{time.strftime('%Y-%m-%d %H:%M:%S', ct)}.{int(record.msecs):03d} {time.strftime('%z', ct)}"


class ReopenableFileHandler(logging.FileHandler):
    """A FileHandler whose file can be reopened in place (after logrotate moved it)."""

    def reopen(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            old = self.stream
            self.stream = self._open()
            if old is not None:
                old.close()


class Logs:
    """Owns the log handlers of one process (the master; forked workers inherit and reopen them)."""

    def __init__(self) -> None:
        self.error_handler: logging.Handler | None = None
        self.access_handler: logging.Handler | None = None
        self.access_logger = logging.getLogger(ACCESS_LOGGER)

    def setup(self, errorlog: str | None, loglevel: str, accesslog: str | None, *, access_json: bool = False) -> None:
        """(Re)configure both logs; called at start and again when HUP reloads the config. ``access_json``
        writes each access line as a JSON object."""
        root = logging.getLogger()
        error_handler = self._handler(errorlog or "-", sys.stderr)
        error_handler.setFormatter(error_formatter(error_handler.stream, _Formatter(ERROR_FORMAT)))
        self._swap(root, "error_handler", error_handler)
        root.setLevel(loglevel.upper())

        self.access_logger.propagate = False
        self.access_logger.setLevel(logging.INFO)
        access_handler = None
        if accesslog:
            access_handler = self._handler(accesslog, sys.stdout)
            access_handler.setFormatter(access_formatter(access_handler.stream, json_lines=access_json))
        self._swap(self.access_logger, "access_handler", access_handler)

    def _swap(self, logger: logging.Logger, attr: str, handler: logging.Handler | None) -> None:
        old = getattr(self, attr)
        if old is not None:
            logger.removeHandler(old)
            old.close()
        if handler is not None:
            logger.addHandler(handler)
        setattr(self, attr, handler)

    @staticmethod
    def _handler(target: str, stream: IO[str]) -> logging.StreamHandler[Any]:
        if target == "-":
            return logging.StreamHandler(stream)
        return ReopenableFileHandler(target, encoding="utf-8")

    @property
    def access_log(self) -> logging.Logger | None:
        """The logger for ``make_handler(access_log=...)``, or None when access logging is off."""
        return self.access_logger if self.access_handler is not None else None

    def chown(self, uid: int | None, gid: int | None) -> None:
        """Give the log files to the workers' user, so that they can reopen them on USR1."""
        if uid is None and gid is None:
            return
        for handler in (self.error_handler, self.access_handler):
            if isinstance(handler, ReopenableFileHandler):
                os.chown(handler.baseFilename, -1 if uid is None else uid, -1 if gid is None else gid)

    def reopen(self) -> None:
        """USR1: reopen every log file of this process."""
        for handler in (self.error_handler, self.access_handler):
            if isinstance(handler, ReopenableFileHandler):
                handler.reopen()

    def error_stream(self) -> Any:
        """The error log's file object, for faulthandler's stack dumps."""
        handler = self.error_handler
        if isinstance(handler, logging.StreamHandler):
            return handler.stream
        return sys.stderr

"""The error log and the access log: files (or stdout/stderr), a level, and reopening on USR1.

The error log is the root logger, so the app's own logging and the server's (``prefork.server``) land there too.
The access log is ``prefork.access``, handed to the app's handler factory; it does not propagate. Reopening
swaps each file handler's stream under its lock, so logrotate can move the files and send USR1 (no
``copytruncate`` needed); the master reopens its own and signals every worker to reopen theirs.

The settings gunicorn operators carry over (:meth:`Logs.configure`): ``logconfig_dict``, ``logconfig_json`` and
``logconfig`` are applied after prefork's own handlers are in place, so they can replace them (the root logger is
the error log, ``prefork.access`` the access log) or add to them; ``capture_output`` points the process's stdout and
stderr (descriptors 1 and 2, inherited by the workers) at the error log file; ``statsd_host`` adds a
:class:`~supervisor.statsd.LogCounter` to the root logger and holds the :class:`~supervisor.statsd.Statsd` client
the master and the workers send with.

Under systemd, a log written to the journal's stream (``$JOURNAL_STREAM``, see :mod:`supervisor.journal`) drops the
timestamp and prefixes each line with its ``<N>`` priority, so that ``journalctl -p warning`` works.
"""

from __future__ import annotations

import contextlib
import json
import logging
import logging.config
import os
import sys
import time
from typing import IO, Any

from server.accesslog import flush_pending

from .errors import ConfigError
from .journal import access_formatter, error_formatter
from .statsd import LogCounter, Statsd

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
        self.configured = False  # a logconfig* setting was applied
        self.statsd: Statsd | None = None
        self.log_counter: LogCounter | None = None
        self.capture_path: str | None = None  # capture_output: the file descriptors 1 and 2 point at
        self._saved_fds: tuple[int, int] | None = None  # the original stdout and stderr, while capturing
        self._cfg: Any = None  # the config of the last configure() that succeeded

    def configure(self, cfg: Any) -> None:
        """Apply every logging setting of ``cfg``: at start, and again when HUP reloads the config. Raise
        :class:`ConfigError` naming the setting when a logging configuration cannot be applied, or when a log file
        cannot be opened; the logging of the previous successful call (if any) is then restored."""
        previous = self._cfg
        try:
            try:
                self._apply(cfg)
            except OSError as exc:
                raise ConfigError(f"cannot open a log file: {exc}") from None
        except ConfigError:
            if previous is not None:
                self._apply(previous)
            else:
                self.release_capture()
            raise
        self._cfg = cfg

    def _apply(self, cfg: Any) -> None:
        self.setup(cfg.errorlog, cfg.loglevel, cfg.accesslog, access_json=cfg.access_json)
        self.configured = apply_logging_config(cfg)
        for handler in (self.error_handler, self.access_handler):
            # dictConfig and fileConfig close every handler there is; a file of ours reopens, for faulthandler too
            if isinstance(handler, ReopenableFileHandler) and handler.stream is None:
                handler.stream = handler._open()
        self._set_statsd(cfg)
        self._capture(cfg.errorlog if cfg.capture_output else None)

    def _set_statsd(self, cfg: Any) -> None:
        root = logging.getLogger()
        if self.log_counter is not None:
            root.removeHandler(self.log_counter)
            self.log_counter = None
        if self.statsd is not None:
            self.statsd.close()
            self.statsd = None
        if not cfg.statsd_host:
            return
        try:
            self.statsd = Statsd(cfg.statsd_host, cfg.statsd_prefix, cfg.dogstatsd_tags)
        except OSError as exc:
            # a monitoring sink that cannot be reached must not keep the server from serving; HUP tries again
            logging.getLogger("prefork.master").error("statsd_host %s: %s; no StatsD metrics", cfg.statsd_host, exc)
            return
        self.log_counter = LogCounter(self.statsd)
        root.addHandler(self.log_counter)

    def _capture(self, errorlog: str | None) -> None:
        """``capture_output``: descriptors 1 and 2 write to the error log file (workers inherit them)."""
        if errorlog in (None, "-"):
            self.release_capture()
            return
        assert errorlog is not None
        if self._saved_fds is None:
            _flush_std()
            self._saved_fds = (os.dup(1), os.dup(2))
        self.capture_path = errorlog
        self._point_std_at(errorlog)
        with contextlib.suppress(AttributeError, ValueError):
            # each print() reaches the file as it happens, between the log lines it belongs with
            sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    @staticmethod
    def _point_std_at(path: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        _flush_std()
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)

    def release_capture(self) -> None:
        """Point stdout and stderr back where they were before ``capture_output`` (for the command's last line)."""
        saved, self._saved_fds = self._saved_fds, None
        self.capture_path = None
        if saved is None:
            return
        _flush_std()
        for fd, original in zip((1, 2), saved, strict=True):
            os.dup2(original, fd)
            os.close(original)

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
        # A request header's byte that is not UTF-8 reaches the app as a lone surrogate (as in aiohttp): a message
        # quoting one is written with the byte as \udcNN rather than lost to an encoding error.
        return ReopenableFileHandler(target, encoding="utf-8", errors="backslashreplace")

    @property
    def access_log(self) -> logging.Logger | None:
        """The logger for ``make_handler(access_log=...)``, or None when access logging is off: no access log file
        and no handler for ``prefork.access`` from a logconfig setting (gunicorn logs access lines then too)."""
        if self.access_handler is not None or (self.configured and self.access_logger.hasHandlers()):
            return self.access_logger
        return None

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
        if self.capture_path is not None:
            self._point_std_at(self.capture_path)

    def error_stream(self) -> Any:
        """The error log's file object, for faulthandler's stack dumps."""
        handler = self.error_handler
        if isinstance(handler, logging.StreamHandler):
            return handler.stream
        return sys.stderr


def shutdown() -> None:
    """Before ``os._exit``: write the access lines gathered for the end of the loop iteration (an exit from a signal
    handler, or after the loop stopped, never reaches it), then flush and close every handler."""
    try:
        flush_pending()
    except Exception:  # the exit goes on: a failed write is what a broken log file costs, not a stuck worker
        logging.getLogger(__name__).exception("could not write the pending access log lines")
    logging.shutdown()


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.flush()


def apply_logging_config(cfg: Any) -> bool:
    """Apply ``logconfig_dict``, else ``logconfig_json``, else ``logconfig`` (gunicorn's precedence); return
    whether one was. Existing loggers stay enabled and keep what the configuration does not name. Raise
    :class:`ConfigError` naming the setting."""
    base = {"version": 1, "disable_existing_loggers": False}
    if cfg.logconfig_dict:
        _dict_config("logconfig_dict", {**base, **cfg.logconfig_dict})
    elif cfg.logconfig_json:
        _dict_config(f"logconfig_json {cfg.logconfig_json}", {**base, **read_json_config(cfg.logconfig_json)})
    elif cfg.logconfig:
        path = cfg.logconfig
        check_ini_config(path)
        try:
            logging.config.fileConfig(
                path,
                defaults={"__file__": path, "here": os.path.dirname(os.path.abspath(path))},
                disable_existing_loggers=False,
            )
        except Exception as exc:
            raise ConfigError(f"logconfig {path}: {_one_line(exc)}") from None
    else:
        return False
    return True


def _dict_config(name: str, config: dict[str, Any]) -> None:
    try:
        logging.config.dictConfig(config)
    except Exception as exc:  # dictConfig wraps most errors in ValueError; a bad class name can be anything
        raise ConfigError(f"{name}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    # fileConfig reports a missing section as a bare KeyError: 'logger_root'
    text = f"missing {exc}" if isinstance(exc, KeyError) else str(exc) or type(exc).__name__
    return " ".join(text.split())


def read_json_config(path: str) -> dict[str, Any]:
    """``logconfig_json``'s file: a JSON object. Raise :class:`ConfigError` naming the setting."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise ConfigError(f"logconfig_json {path}: cannot read it: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(f"logconfig_json {path}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"logconfig_json {path}: expected a JSON object for logging.config.dictConfig")
    return data


def check_ini_config(path: str) -> None:
    """``logconfig``'s file: readable, and an ini file with the sections fileConfig requires."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except OSError as exc:
        raise ConfigError(f"logconfig {path}: cannot read it: {exc.strerror}") from None
    except configparser.Error as exc:
        raise ConfigError(f"logconfig {path}: not an ini file: {_one_line(exc)}") from None
    for section in ("loggers", "handlers", "formatters"):
        if not parser.has_option(section, "keys"):
            raise ConfigError(f"logconfig {path}: no [{section}] section with keys= (logging.config.fileConfig)")

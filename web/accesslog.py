"""``web.AccessLogger``: aiohttp 3's access log (``aiohttp.web_log``), in aiohttp's format language.

Two languages name the fields of an access line, and web takes both:

* **aiohttp's** (this module): ``%a %t %P %r %s %b %T %Tf %D %{Name}i %{Name}o %{Name}e``, as aiohttp's
  ``AccessLogger`` parses it, and its default ``'%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'``. The default
  of ``access_log_format`` in web's API (``run_app``, ``AppRunner``, ``Server``, ``make_handler``). Lines go to
  ``logger.info(line, extra=...)`` with aiohttp's ``extra`` fields (``remote_address``, ``request_header``...),
  from the ``Request`` and the response, after each answer (``web.handler``'s general path).
* **gunicorn's** (``server.accesslog``): ``%(h)s %(l)s %(u)s %(t)s "%(r)s"...``, what the ``prefork`` command's
  ``--access-logformat`` takes. Every gunicorn atom is ``%(name)s``, and aiohttp's language has no ``%(``: a format
  with a ``%(`` conversion, or with no atom of aiohttp's, is gunicorn's (:func:`is_gunicorn_format`), and with
  the default ``access_log_class`` it is compiled by ``server.accesslog`` and written from the exchange, on the
  server's fast path, one line per answer as ``prefork --access-logfile`` writes it.

Any ``access_log_class`` other than :class:`AccessLogger` (a ``web.abc.AbstractAccessLogger`` subclass) gets the
format as it was given, and the general path.
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
import re
import time as time_mod
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from .abc import AbstractAccessLogger

if TYPE_CHECKING:
    from .request import Request
    from .response import StreamResponse

__all__ = ["AccessLogger", "is_gunicorn_format"]


def is_gunicorn_format(log_format: str) -> bool:
    """Is ``log_format`` in gunicorn's language (``%(h)s``...) rather than aiohttp's (``%a``...)? gunicorn's atoms
    are all ``%(name)s``, and aiohttp's language has no ``%(``; a format naming no atom of aiohttp's (text alone)
    is left to the server too."""
    return "%(" in log_format or AccessLogger.FORMAT_RE.search(log_format) is None


class KeyMethod(NamedTuple):
    key: str | tuple[str, str]
    method: Callable[[Any, Any, float], Any]


class AccessLogger(AbstractAccessLogger):
    """Helper object to log access (aiohttp's ``AccessLogger``).

    Usage::

        log = logging.getLogger("spam")
        access_logger = AccessLogger(log, "%a %{User-Agent}i")
        access_logger.log(request, response, time)

    Format:
        %%  The percent sign
        %a  Remote IP-address (IP-address of proxy if using reverse proxy)
        %t  Time when the request was started to process
        %P  The process ID of the child that serviced the request
        %r  First line of request
        %s  Response status code
        %b  Size of response in bytes, including HTTP headers
        %T  Time taken to serve the request, in seconds
        %Tf Time taken to serve the request, in seconds with floating fraction in .06f format
        %D  Time taken to serve the request, in microseconds
        %{FOO}i  request.headers['FOO']
        %{FOO}o  response.headers['FOO']
        %{FOO}e  os.environ['FOO']
    """

    LOG_FORMAT_MAP: ClassVar[dict[str, str]] = {
        "a": "remote_address",
        "t": "request_start_time",
        "P": "process_id",
        "r": "first_request_line",
        "s": "response_status",
        "b": "response_size",
        "T": "request_time",
        "Tf": "request_time_frac",
        "D": "request_time_micro",
        "i": "request_header",
        "o": "response_header",
    }

    LOG_FORMAT: ClassVar[str] = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    FORMAT_RE: ClassVar[re.Pattern[str]] = re.compile(r"%(\{([A-Za-z0-9\-_]+)\}([ioe])|[atPrsbOD]|Tf?)")
    CLEANUP_RE: ClassVar[re.Pattern[str]] = re.compile(r"(%[^s])")
    _FORMAT_CACHE: ClassVar[dict[str, tuple[str, list[KeyMethod]]]] = {}

    # The local UTC offset for %t, looked up again every half hour (a DST change happens at :00 or :30).
    _cached_tz: ClassVar[datetime.timezone | None] = None
    _cached_tz_expires: ClassVar[float] = 0.0

    __slots__ = ("_log_format", "_methods")

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format=log_format)
        compiled = AccessLogger._FORMAT_CACHE.get(log_format)
        if not compiled:
            compiled = AccessLogger._FORMAT_CACHE[log_format] = self.compile_format(log_format)
        self._log_format, self._methods = compiled

    def compile_format(self, log_format: str) -> tuple[str, list[KeyMethod]]:
        """``log_format`` as a ``%s`` format, and the method giving each of its atoms' values, in order."""
        methods = []
        for atom in self.FORMAT_RE.findall(log_format):
            if atom[1] == "":
                methods.append(KeyMethod(self.LOG_FORMAT_MAP[atom[0]], getattr(AccessLogger, f"_format_{atom[0]}")))
            else:
                method = functools.partial(getattr(AccessLogger, f"_format_{atom[2]}"), atom[1])
                methods.append(KeyMethod((self.LOG_FORMAT_MAP[atom[2]], atom[1]), method))
        log_format = self.FORMAT_RE.sub(r"%s", log_format)
        log_format = self.CLEANUP_RE.sub(r"%\1", log_format)
        return log_format, methods

    @staticmethod
    def _format_i(key: str, request: Request | None, response: StreamResponse, time: float) -> str:
        if request is None:
            return "(no headers)"
        return request.headers.get(key, "-")

    @staticmethod
    def _format_o(key: str, request: Request, response: StreamResponse, time: float) -> str:
        return response.headers.get(key, "-")

    @staticmethod
    def _format_e(key: str, request: Request, response: StreamResponse, time: float) -> str:
        return os.environ.get(key, "-")

    @staticmethod
    def _format_a(request: Request | None, response: StreamResponse, time: float) -> str:
        if request is None:
            return "-"
        ip = request.remote
        return ip if ip is not None else "-"

    @classmethod
    def _get_local_time(cls) -> datetime.datetime:
        if cls._cached_tz is None or time_mod.time() >= cls._cached_tz_expires:
            gmtoff = time_mod.localtime().tm_gmtoff
            cls._cached_tz = tz = datetime.timezone(datetime.timedelta(seconds=gmtoff))
            now = datetime.datetime.now(tz)
            later = now + datetime.timedelta(minutes=30)
            later = later.replace(minute=30 if later.minute >= 30 else 0, second=0, microsecond=0)
            cls._cached_tz_expires = later.timestamp()
            return now
        return datetime.datetime.now(cls._cached_tz)

    @staticmethod
    def _format_t(request: Request, response: StreamResponse, time: float) -> str:
        start_time = AccessLogger._get_local_time() - datetime.timedelta(seconds=time)
        return start_time.strftime("[%d/%b/%Y:%H:%M:%S %z]")

    @staticmethod
    def _format_P(request: Request, response: StreamResponse, time: float) -> str:
        return f"<{os.getpid()}>"

    @staticmethod
    def _format_r(request: Request | None, response: StreamResponse, time: float) -> str:
        if request is None:
            return "-"
        version = request.version
        return f"{request.method} {request.path_qs} HTTP/{version.major}.{version.minor}"

    @staticmethod
    def _format_s(request: Request, response: StreamResponse, time: float) -> int:
        return response.status

    @staticmethod
    def _format_b(request: Request, response: StreamResponse, time: float) -> int:
        return response.body_length  # the head included: "Size of response in bytes, including HTTP headers"

    @staticmethod
    def _format_T(request: Request, response: StreamResponse, time: float) -> str:
        return str(round(time))

    @staticmethod
    def _format_Tf(request: Request, response: StreamResponse, time: float) -> str:
        return f"{time:06f}"

    @staticmethod
    def _format_D(request: Request, response: StreamResponse, time: float) -> str:
        return str(round(time * 1000000))

    def _format_line(
        self, request: Request, response: StreamResponse, time: float
    ) -> Iterable[tuple[str | tuple[str, str], Any]]:
        return [(key, method(request, response, time)) for key, method in self._methods]

    @property
    def enabled(self) -> bool:
        """Check if logger is enabled: the line is not formatted when the logger would drop it."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: Request, response: StreamResponse, time: float) -> None:
        """Log one answer: ``logger.info(line, extra=...)``, each atom's value also in ``extra`` under its
        ``LOG_FORMAT_MAP`` name (headers as a dict per kind). An error is logged, not raised."""
        try:
            values = []
            extra: dict[str, Any] = {}
            for key, value in self._format_line(request, response, time):
                values.append(value)
                if isinstance(key, str):
                    extra[key] = value
                else:
                    kind, name = key
                    found = extra.get(kind, {})
                    found[name] = value
                    extra[kind] = found
            self.logger.info(self._log_format % tuple(values), extra=extra)
        except Exception:
            self.logger.exception("Error in logging")

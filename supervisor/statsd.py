"""StatsD output (``--statsd-host``), under gunicorn's metric names so that its dashboards carry over.

What goes out, each name after ``statsd_prefix`` and each line followed by ``|#dogstatsd_tags`` when set:

==================================================  =======  =========================================================
``gunicorn.requests``                               counter  requests answered
``gunicorn.request.status.<code>``                  counter  by exact status code
``gunicorn.request.duration``                       timer    milliseconds, from the request head to the response's end
``gunicorn.workers``                                gauge    workers serving (ready), from the master every second
``gunicorn.log.critical``, ``.error``, ``.warning``,  counter  error-log records at that level (``.exception``: an
``.exception``                                               error with a traceback), sent as they are logged
==================================================  =======  =========================================================

gunicorn sends three datagrams per request from the worker that served it. Here each worker appends one tuple per
request (:class:`StatsdRecorder`, in the connection registry's access-log seam as
:class:`~supervisor.metrics.Recorder` is) and sends what it recorded once per heartbeat, as counter deltas and
timer samples packed into as few datagrams as fit: counting stays in the worker, and the master, one process for
all workers, carries no per-request traffic. A draining worker flushes once more before it exits, so a HUP, a
``max_requests`` recycle or a TERM loses nothing; a worker killed by SIGKILL loses at most one heartbeat's worth.
Above :data:`MAX_SAMPLES` requests per heartbeat, the timer is a random sample of that many, sent with its rate
(``|@0.25``): a StatsD server scales the count back by the rate, and the percentiles of a uniform sample are those
of the whole (the StatsD protocol's own way of bounding timer traffic).

Sending never blocks and never fails the caller: a full socket buffer or an absent server drops the datagram, as
UDP would.
"""

from __future__ import annotations

import collections
import logging
import random
import socket
from collections.abc import Iterable
from typing import Any

__all__ = [
    "MAX_SAMPLES",
    "LogCounter",
    "Statsd",
    "StatsdRecorder",
    "dogstatsd_tags",
    "request_lines",
    "statsd_address",
    "statsd_prefix",
]

DEFAULT_PORT = 8125  # StatsD's and gunicorn's
UDP_PAYLOAD = 1432  # StatsD's advice for a commodity intranet: one Ethernet frame without fragmentation
UNIX_PAYLOAD = 8192
MAX_SAMPLES = 500  # timer samples per worker per heartbeat; more are sampled down (see the module docstring)

REQUESTS = "gunicorn.requests"
STATUS = "gunicorn.request.status."
DURATION = "gunicorn.request.duration"
WORKERS = "gunicorn.workers"
LOG = "gunicorn.log."


# -- the settings' validators --------------------------------------------------------------------------------------


def statsd_address(value: Any) -> str | None:
    """``HOST:PORT``, ``HOST`` (port 8125), ``[IPv6]:PORT`` or ``unix:PATH`` (gunicorn's ``unix://PATH`` too);
    normalised to ``HOST:PORT`` or ``unix:PATH``. None: off."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected HOST:PORT or unix:PATH, got {value!r}")
    if value.startswith("unix:"):
        path = value.removeprefix("unix:").removeprefix("//")  # unix:///run/x and unix:/run/x alike
        if not path:
            raise ValueError(f"expected unix:PATH, got {value!r}")
        return f"unix:{path}"
    host, port = _host_port(value)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _host_port(text: str) -> tuple[str, int]:
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":") if rest else str(DEFAULT_PORT)
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"expected [IPv6]:PORT, got {text!r}")
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    elif ":" not in text:
        host, port_text = text, str(DEFAULT_PORT)
    else:
        raise ValueError(f"expected HOST:PORT (an IPv6 address in brackets), got {text!r}")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"expected HOST:PORT with a port from 1 to 65535, got {text!r}")
    return host, int(port_text)


def statsd_prefix(value: Any) -> str:
    """A metric name prefix; one trailing ``.`` is added when missing, as gunicorn does."""
    text = "" if value is None else value
    if not isinstance(text, str) or any(c in text for c in ":|@#\n") or not text.isascii():
        raise ValueError(f"expected an ASCII name without ':', '|', '@', '#' or newlines, got {value!r}")
    text = text.rstrip(".")
    return f"{text}." if text else ""


def dogstatsd_tags(value: Any) -> str:
    """``tag:value,tag2:value2`` (DogStatsD's datagram format); empty: none."""
    text = "" if value is None else value
    if not isinstance(text, str) or any(c in text for c in "|#@\n ") or not text.isascii():
        raise ValueError(f"expected comma-separated ASCII tags such as 'env:prod,service:api', got {value!r}")
    return text


# -- the client ------------------------------------------------------------------------------------------------------


class Statsd:
    """A StatsD client on one non-blocking datagram socket; created in the master, inherited by the workers.

    Raises :class:`OSError` when ``address`` cannot be resolved (a UDP host name is resolved once, here).
    """

    def __init__(self, address: str, prefix: str = "", tags: str = "") -> None:
        self.address = address
        self.prefix = prefix
        self.suffix = f"|#{tags}" if tags else ""
        self.dropped = 0  # datagrams lost to a full buffer or an absent server
        self.target: Any = None
        if address.startswith("unix:"):
            # sendto the path each time: a StatsD server that starts (or restarts) later is reached
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.target = address.removeprefix("unix:")
            self.payload = UNIX_PAYLOAD
        else:
            host, port = _host_port(address)
            family, _, _, _, sockaddr = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_DGRAM)[0]
            self.sock = socket.socket(family, socket.SOCK_DGRAM)
            self.payload = UDP_PAYLOAD
            try:
                self.sock.connect(sockaddr)
            except OSError:
                self.sock.close()
                raise
        self.sock.setblocking(False)

    def line(self, name: str, value: Any, kind: str) -> str:
        """One StatsD line: ``prefix.name:value|kind|#tags``."""
        return f"{self.prefix}{name}:{value}|{kind}{self.suffix}"

    def send(self, lines: Iterable[str]) -> None:
        """Send ``lines`` packed into as few datagrams as fit (lines joined by newlines, as StatsD servers read)."""
        batch: list[str] = []
        size = 0
        for line in lines:
            if batch and size + len(line) + 1 > self.payload:
                self._send("\n".join(batch))
                batch, size = [], 0
            batch.append(line)
            size += len(line) + 1
        if batch:
            self._send("\n".join(batch))

    def _send(self, text: str) -> None:
        data = text.encode("ascii", "replace")
        try:
            if self.target is None:
                self.sock.send(data)
            else:
                self.sock.sendto(data, self.target)
        except OSError:  # full buffer, nobody listening (ECONNREFUSED from an earlier datagram's ICMP), no socket
            self.dropped += 1

    def gauge(self, name: str, value: float) -> None:
        self.send((self.line(name, value, "g"),))

    def increment(self, name: str, value: int = 1) -> None:
        self.send((self.line(name, value, "c"),))

    def close(self) -> None:
        self.sock.close()


# -- in the worker: requests -----------------------------------------------------------------------------------------


def request_lines(
    statsd: Statsd, finished: list[tuple[int | None, float, bool]], rng: random.Random | Any = random
) -> list[str]:
    """The lines for the exchanges ``finished`` since the last flush, each ``(status, seconds, upgraded)``: the
    request counter, a counter per status code, and the duration samples (at most :data:`MAX_SAMPLES`, with their
    rate when sampled). A websocket session's duration is left out of the timer, as it lasts minutes."""
    if not finished:
        return []
    line = statsd.line
    lines = [line(REQUESTS, len(finished), "c")]
    statuses = collections.Counter(status for status, _, _ in finished if status is not None)
    lines += [line(f"{STATUS}{status}", count, "c") for status, count in sorted(statuses.items())]
    durations = [seconds for _, seconds, upgraded in finished if not upgraded]
    if len(durations) > MAX_SAMPLES:
        rate = f"|@{MAX_SAMPLES / len(durations):.6g}"
        durations = rng.sample(durations, MAX_SAMPLES)
    else:
        rate = ""
    lines += [line(DURATION, f"{seconds * 1000:.3f}", f"ms{rate}") for seconds in durations]
    return lines


class StatsdRecorder:
    """Records finished exchanges in a worker for StatsD; an access logger for the connection registry (``log``).

    ``access`` is the logger it takes the place of (the real access log, or the Prometheus
    :class:`~supervisor.metrics.Recorder`), called after recording; :meth:`flush` runs on the worker's heartbeat.
    """

    __slots__ = ("access", "finished", "statsd")

    def __init__(self, statsd: Statsd, access: Any = None) -> None:
        self.statsd = statsd
        self.access = access
        self.finished: list[tuple[int | None, float, bool]] = []

    def log(self, exchange: Any, duration: float) -> None:
        """Record one finished exchange; then the next logger's."""
        self.finished.append((exchange.status, duration, exchange.upgrade))
        access = self.access
        if access is not None:
            access.log(exchange, duration)

    def flush(self) -> None:
        """Send what was recorded since the last flush."""
        finished, self.finished = self.finished, []
        self.statsd.send(request_lines(self.statsd, finished))


# -- in every process: error-log records -----------------------------------------------------------------------------


class LogCounter(logging.Handler):
    """On the root logger (the error log): one ``gunicorn.log.<level>`` increment per record of WARNING and above,
    sent at once (a worker about to crash has no next heartbeat)."""

    def __init__(self, statsd: Statsd) -> None:
        super().__init__(logging.WARNING)
        self.statsd = statsd

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.CRITICAL:
            level = "critical"
        elif record.levelno >= logging.ERROR:
            level = "exception" if record.exc_info else "error"
        else:
            level = "warning"
        self.statsd.increment(f"{LOG}{level}")

"""The pipe protocol between a worker and its master; both sides import this module and nothing else for it.

Worker -> master: one pipe per worker, written only by the worker. Each message is one JSON object on one line,
shorter than ``PIPE_BUF`` so that a write is atomic and a reader never sees half of it:

* :class:`Ready` once the app factory and ``on_startup`` succeeded and the worker serves every listener. The
  master's rolling restart waits for it before it drains the worker being replaced.
* :class:`Beat` from a timer inside the worker's event loop (never from a thread: a blocked loop must go silent),
  carrying the requests answered so far and the resident set size, from which the master's policy decides
  recycling (``max_requests``, ``max_worker_memory``).
* :class:`Stats` on the same timer, with ``--metrics-bind``: the worker's metric series that changed since its
  last report, cumulative values (supervisor/metrics.py), split by :func:`stats_messages` into as many messages
  as the pipe's atomic write size needs.
* :class:`BootFailed` just before a worker that could not boot exits, with the exit code and a one-line reason
  the master reports (and exits with, when no worker ever booted).

Master -> worker: signals, because they also reach a worker whose loop is stuck.

* ``SIG_DRAIN`` (TERM): stop accepting, finish in-flight requests, run the app's shutdown hooks, exit 0.
* ``SIG_QUICK`` (QUIT): the same with no grace and a short timeout.
* ``SIG_REOPEN`` (USR1): reopen log files.
* ``SIG_ABORT`` (ABRT): the heartbeat timed out; dump every thread's stack to the error log, then exit.

Workers ignore the signals that are the master's business (``IGNORED``), e.g. a terminal's Ctrl-C that reaches
the whole process group: the master decides and tells them.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass

__all__ = [
    "IGNORED",
    "PIPE_LIMIT",
    "SIG_ABORT",
    "SIG_DRAIN",
    "SIG_QUICK",
    "SIG_REOPEN",
    "Beat",
    "BootFailed",
    "Decoder",
    "Message",
    "Ready",
    "Stats",
    "encode",
    "stats_messages",
]

SIG_DRAIN = signal.SIGTERM
SIG_QUICK = signal.SIGQUIT
SIG_REOPEN = signal.SIGUSR1
SIG_ABORT = signal.SIGABRT
IGNORED = (signal.SIGINT, signal.SIGHUP, signal.SIGUSR2, signal.SIGTTIN, signal.SIGTTOU, signal.SIGWINCH)

# POSIX guarantees atomic pipe writes up to PIPE_BUF (at least 512 bytes; 4096 on Linux).
PIPE_LIMIT = 512
_MAX_LINE = 64 * 1024  # a reader drops a line that grows past this: the writer is not speaking the protocol


@dataclass(frozen=True, slots=True)
class Ready:
    """The worker booted: app factory and on_startup succeeded, every listener is served."""


@dataclass(frozen=True, slots=True)
class Beat:
    """The worker's loop is alive; ``requests`` answered so far, ``rss`` in bytes."""

    requests: int = 0
    rss: int = 0


@dataclass(frozen=True, slots=True)
class BootFailed:
    """The worker could not boot and exits with ``code``; ``reason`` is one line for the operator."""

    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class Stats:
    """Metric series of the worker: (series, cumulative value) pairs; see supervisor/metrics.py."""

    items: tuple[tuple[str, float], ...] = ()


Message = Ready | Beat | BootFailed | Stats


def _stats_line(items: list[tuple[str, float]]) -> bytes:
    obj = {"t": "stats", "s": items}
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def stats_messages(values: dict[str, float]) -> list[Stats]:
    """``values`` packed into as few :class:`Stats` as fit :data:`PIPE_LIMIT` each; a series too long to fit
    alone (not one the worker makes: route labels are cut) is left out."""
    out: list[Stats] = []
    batch: list[tuple[str, float]] = []
    size = len(_stats_line([]))
    for key, value in values.items():
        item = (key, value)
        cost = len(_stats_line([item])) - len(_stats_line([])) + 1  # the comma
        if len(_stats_line([])) + cost >= PIPE_LIMIT:
            continue
        if size + cost >= PIPE_LIMIT:
            out.append(Stats(tuple(batch)))
            batch, size = [], len(_stats_line([]))
        batch.append(item)
        size += cost
    if batch:
        out.append(Stats(tuple(batch)))
    return out


def encode(message: Message) -> bytes:
    """One line for the pipe, always shorter than :data:`PIPE_LIMIT` (a long reason is cut)."""
    if isinstance(message, Ready):
        obj: dict[str, object] = {"t": "ready"}
    elif isinstance(message, Beat):
        obj = {"t": "beat", "requests": message.requests, "rss": message.rss}
    elif isinstance(message, Stats):
        obj = {"t": "stats", "s": [list(item) for item in message.items]}
    else:
        reason = " ".join(message.reason.split())[:300]
        obj = {"t": "boot-failed", "code": message.code, "reason": reason}
    line = json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"
    assert len(line) < PIPE_LIMIT, line
    return line


def _decode(line: bytes) -> Message | None:
    try:
        obj = json.loads(line)
        kind = obj["t"]
        if kind == "beat":
            return Beat(int(obj["requests"]), int(obj["rss"]))
        if kind == "ready":
            return Ready()
        if kind == "stats":
            items = []
            for key, value in obj["s"]:
                # a series is one exposition line's name and labels: a line break would forge other lines
                if not isinstance(key, str) or "\n" in key or type(value) not in (int, float):
                    return None
                items.append((key, value))
            return Stats(tuple(items))
        if kind == "boot-failed":
            return BootFailed(int(obj["code"]), str(obj["reason"]))
    except (ValueError, KeyError, TypeError):
        pass
    return None  # unknown or malformed: ignored, so an older master tolerates a newer worker


class Decoder:
    """Turns the bytes read from a worker's pipe into messages; feed it whatever ``os.read`` returned."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> list[Message]:
        """Return the complete messages in ``data`` plus what was buffered; keep a trailing partial line."""
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        if len(self._buffer) > _MAX_LINE:
            self._buffer = b""
        messages = []
        for line in lines:
            message = _decode(line)
            if message is not None:
                messages.append(message)
        return messages

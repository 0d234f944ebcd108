"""The pipe protocol between a worker and its master; both sides import this module and nothing else for it.

Worker -> master: one pipe per worker, written only by the worker. Each message is one JSON object on one line,
shorter than ``PIPE_BUF`` so that a write is atomic and a reader never sees half of it:

* :class:`Ready` once the app factory and ``on_startup`` succeeded and the worker serves every listener. The
  master's rolling restart waits for it before it drains the worker being replaced.
* :class:`Beat` from a timer inside the worker's event loop (never from a thread: a blocked loop must go silent),
  carrying the requests answered so far and the resident set size, from which the master's policy decides
  recycling (``max_requests``, ``max_worker_memory``).
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
    "encode",
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


Message = Ready | Beat | BootFailed


def encode(message: Message) -> bytes:
    """One line for the pipe, always shorter than :data:`PIPE_LIMIT` (a long reason is cut)."""
    if isinstance(message, Ready):
        obj: dict[str, object] = {"t": "ready"}
    elif isinstance(message, Beat):
        obj = {"t": "beat", "requests": message.requests, "rss": message.rss}
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

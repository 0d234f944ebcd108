"""Log lines for where they end up: the systemd journal (priorities, no timestamp) or a machine (JSON).

**The journal.** Under systemd, stdout and stderr are usually a stream to journald, which stamps every line
with its own time, pid and unit. ``$JOURNAL_STREAM`` (``"<st_dev>:<st_ino>"``, systemd.exec(5)) says which
stream that is; a log handler writing to a descriptor with that very device and inode talks to the journal,
while one whose output was redirected elsewhere (``2>file``) does not. Lines sent to the journal drop our
timestamp and start with ``<N>``, the syslog priority, which journald turns into the entry's ``PRIORITY=``
(sd-daemon(3)): ``journalctl -p warning`` then works. Each line of a traceback gets the prefix, since journald
reads the stream one line at a time.

**JSON access log.** :class:`JsonAccessFormatter` writes one JSON object per request. It reads the access log's
atoms (gunicorn's ``h``, ``s``, ``D``...) from ``record.atoms`` when the access logger passes them as
``extra={"atoms": atoms}``; values are then real types (status and sizes are numbers), and quotes in a
User-Agent cannot break the line the way they break a hand-written JSON ``access_log_format``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Mapping
from typing import IO, Any

__all__ = [
    "DEFAULT_JSON_FIELDS",
    "JournalFormatter",
    "JsonAccessFormatter",
    "access_formatter",
    "error_formatter",
    "is_journal_stream",
    "syslog_priority",
]

JOURNAL_FORMAT = "%(name)s: %(message)s"  # journald adds the time, the pid and the unit itself

# sd-daemon(3) / syslog(3): 2 crit, 3 err, 4 warning, 5 notice, 6 info, 7 debug.
_PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))

# JSON key -> access-log atom (server/accesslog.py, gunicorn's letters).
DEFAULT_JSON_FIELDS: Mapping[str, str] = {
    "remote": "h",
    "user": "u",
    "method": "m",
    "path": "U",
    "query": "q",
    "protocol": "H",
    "status": "s",
    "bytes": "B",
    "duration_us": "D",
    "referer": "f",
    "user_agent": "a",
}


_NUMERIC_ATOMS = frozenset("sbBDT")


def syslog_priority(levelno: int) -> int:
    """The syslog priority for a logging level (custom levels round down to the nearest standard one)."""
    for level, priority in _PRIORITIES:
        if levelno >= level:
            return priority
    return 7


def is_journal_stream(stream: IO[Any] | int, environ: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` (a file object or a descriptor) is the journal stream systemd connected us to."""
    env = os.environ if environ is None else environ
    dev, sep, ino = env.get("JOURNAL_STREAM", "").partition(":")
    if not (sep and dev.isdigit() and ino.isdigit()):
        return False
    try:
        fd = stream if isinstance(stream, int) else stream.fileno()
        st = os.fstat(fd)
    except (OSError, ValueError, AttributeError):
        return False  # closed, or not backed by a descriptor (pytest's capture, io.StringIO)
    return (st.st_dev, st.st_ino) == (int(dev), int(ino))


class JournalFormatter(logging.Formatter):
    """``<N>logger: message``, with no timestamp, and the ``<N>`` prefix repeated on every line."""

    def __init__(self, fmt: str = JOURNAL_FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{syslog_priority(record.levelno)}>"
        text = super().format(record)
        if "\n" not in text:
            return prefix + text
        return "\n".join(prefix + line for line in text.split("\n"))


class JsonAccessFormatter(logging.Formatter):
    """One JSON object per access-log record: ``time``, ``pid``, then ``fields`` (JSON key -> atom).

    Without atoms on the record (an access logger that does not pass them), the object carries the formatted
    line as ``message``. ``"-"``, the access log's "not known", becomes ``null``; numeric atoms become numbers.
    ``journal=True`` prefixes ``<6>`` for journald.
    """

    def __init__(self, fields: Mapping[str, str] | None = None, *, journal: bool = False) -> None:
        super().__init__()
        self.fields = dict(DEFAULT_JSON_FIELDS if fields is None else fields)
        self.prefix = f"<{syslog_priority(logging.INFO)}>" if journal else ""

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        entry: dict[str, Any] = {"time": f"{seconds}.{int(record.msecs):03d}Z", "pid": record.process}
        atoms = getattr(record, "atoms", None)
        if isinstance(atoms, Mapping):
            for key, atom in self.fields.items():
                entry[key] = _json_value(atoms[atom], atom in _NUMERIC_ATOMS)
        else:
            entry["message"] = record.getMessage()
        return self.prefix + json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _json_value(value: Any, numeric: bool) -> Any:
    if value == "-" or value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return int(text) if numeric and text.isdigit() else text


def error_formatter(stream: IO[Any] | int, default: logging.Formatter) -> logging.Formatter:
    """The error log's formatter: :class:`JournalFormatter` when ``stream`` is the journal, else ``default``."""
    return JournalFormatter() if is_journal_stream(stream) else default


def access_formatter(stream: IO[Any] | int, *, json_lines: bool = False) -> logging.Formatter:
    """The access log's formatter: JSON objects when asked, each line ``<6>``-prefixed when going to the journal."""
    journal = is_journal_stream(stream)
    if json_lines:
        return JsonAccessFormatter(journal=journal)
    return JournalFormatter("%(message)s") if journal else logging.Formatter("%(message)s")

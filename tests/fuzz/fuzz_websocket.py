"""atheris target: the sans-IO websocket frame codec in ``server/websocket.py``.

Property: whatever bytes arrive, in whatever pieces, the codec either returns frames/events or raises its own
protocol error (an exception class defined in ``server.websocket`` or ``server.errors``). Any other exception
(IndexError, struct.error, UnicodeDecodeError, zlib.error, MemoryError...) is a bug.

Run on demand (see README.md)::

    python tests/fuzz/fuzz_websocket.py -runs=200000 -max_len=2048

The codec is written by another issue; until its API is pinned this target finds the reading side by shape: the
first class in ``server.websocket`` with a ``receive_data``, ``feed_data`` or ``feed`` method, constructed with no
arguments or with a server/client flag. Pin it here once the codec lands.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import atheris

sys.path.append(str(Path(__file__).resolve().parents[2]))  # after PYTHONPATH: a patched copy may be tried

with atheris.instrument_imports(include=["server"]):
    import server.websocket as codec

    import server.errors

FEEDERS = ("receive_data", "feed_data", "feed")


def _own_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = []
    for module in (codec, server.errors):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Exception) and obj.__module__ == module.__name__:
                found.append(obj)
    return tuple(found)


ERRORS = _own_errors()


def _reader_class() -> tuple[type, str]:
    for _, cls in inspect.getmembers(codec, inspect.isclass):
        if cls.__module__ != codec.__name__:
            continue
        for name in FEEDERS:
            if callable(getattr(cls, name, None)):
                return cls, name
    raise SystemExit("server.websocket has no class with receive_data/feed_data/feed: pin the API in this target")


READER, FEED = _reader_class()


def _new_reader() -> Any:
    for kwargs in ({}, {"is_client": False}, {"client": False}, {"mask": False}):
        try:
            return READER(**kwargs)
        except TypeError:
            continue
    raise SystemExit(f"cannot construct {READER.__name__}: pin the API in this target")


def one_input(data: bytes) -> None:
    if not data:
        return
    step = data[0] % 16 + 1  # feed in pieces of 1..16 bytes, or whole
    payload = data[1:]
    reader = _new_reader()
    feed = getattr(reader, FEED)
    pieces = [payload] if data[0] >= 240 else [payload[i : i + step] for i in range(0, len(payload), step)]
    try:
        for piece in pieces:
            result = feed(piece)
            if result is not None and not isinstance(result, (bytes, str, int)):
                # Drain lazily produced events: a generator must not raise foreign errors either.
                try:
                    for _ in result:
                        pass
                except TypeError:
                    pass
        for name in ("events_received", "receive_eof", "data_to_send"):
            method = getattr(reader, name, None)
            if callable(method):
                try:
                    method()
                except TypeError:
                    pass
    except ERRORS:
        return


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

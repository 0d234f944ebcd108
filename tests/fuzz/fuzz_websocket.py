"""atheris target: the sans-IO websocket codec (``server.websocket.WebSocketConnection``).

Its contract: ``receive_data`` never raises for bad input; a broken rule ends the returned list with an ERROR
message, queues the failing close frame (``data_to_send``) and moves to CLOSED. This target checks that, plus:
every message is a ``Message`` of a known type, a TEXT message is a str, nothing is delivered after ERROR or
after CLOSED, what the codec keeps between calls stays small (a partial frame header or control frame), and a
message never exceeds ``max_msg_size``. Run on demand (see README.md)::

    python tests/fuzz/fuzz_websocket.py -max_total_time=300 -max_len=4096

Input layout: byte 0 picks the variant (bit 0: permessage-deflate; bit 1: unmasked frames allowed) and bits 2-7
the piece size (1-63 bytes, 0: whole); the rest is what the client sends after the 101.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.append(str(Path(__file__).resolve().parents[2]))  # after PYTHONPATH: a patched copy may be tried

with atheris.instrument_imports(include=["server"]):
    from server.websocket import (
        CLOSED,
        DeflateOptions,
        Message,
        WebSocketConnection,
        WebSocketError,
        WSMsgType,
        negotiate_deflate,
    )

MAX_MSG = 4096
# A partial frame header (at most 14 bytes) or a partial control frame (at most 2 + 4 + 125 + 8): 139 bytes, per
# the codec's docstring; a little slack for the header of the frame that follows.
MAX_KEPT = 160


def _connection(variant: int) -> WebSocketConnection:
    deflate = negotiate_deflate(["permessage-deflate"], DeflateOptions()) if variant & 1 else None
    return WebSocketConnection(max_msg_size=MAX_MSG, deflate=deflate, require_mask=not variant & 2)


def one_input(data: bytes) -> None:
    if not data:
        return
    variant, step = data[0] & 3, data[0] >> 2
    payload = data[1:]
    pieces = [payload[i : i + step] for i in range(0, len(payload), step)] if step else [payload]
    conn = _connection(variant)
    ended = False
    for piece in pieces:
        events = conn.receive_data(piece)
        out = conn.data_to_send()
        assert isinstance(out, bytes)
        if ended:
            assert events == [], f"delivered after the end: {events!r}"
        for i, event in enumerate(events):
            assert isinstance(event, Message), event
            kind = WSMsgType(event.tp)
            if kind is WSMsgType.ERROR:
                assert isinstance(event.data, WebSocketError), event
                assert i == len(events) - 1, "messages after ERROR"
                assert conn.state == CLOSED
                ended = True
            elif kind is WSMsgType.TEXT:
                assert isinstance(event.data, str) and len(event.data.encode()) <= MAX_MSG
            elif kind is WSMsgType.BINARY:
                assert isinstance(event.data, bytes) and len(event.data) <= MAX_MSG
            elif kind is WSMsgType.CLOSE:
                ended = True
            else:
                assert kind in (WSMsgType.PING, WSMsgType.PONG), kind
        assert len(conn._buf) <= MAX_KEPT, len(conn._buf)
    conn.receive_eof()
    assert conn.state == CLOSED
    assert conn.receive_data(b"\x81\x80\x00\x00\x00\x00") == []


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

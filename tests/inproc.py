"""A connection fed its client's bytes read by read, in this process: what the server does as each read arrives.

Where the bytes of a request are cut decides what the connection measures and when (a head in one read or in
several, a body's bytes with a head's), so tests of the limits send the same request cut every way. A socket cannot
choose its reads; here each element of ``reads`` is one ``data_received`` call on a :class:`RecordingTransport`,
and the loop runs the handler's task (and its body read) between them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import Any

from server.detached import RecordingTransport

PEER = ("127.0.0.1", 40000)


async def feed_reads(protocol: Any, reads: Iterable[bytes], *, turns: int = 4, settle: int = 6) -> tuple[bytes, bool]:
    """Feed ``reads`` to ``protocol`` (a connection not yet made), ``turns`` loop turns after each and ``settle``
    after the last; return what was written (each ``Date`` value masked as ``D``) and whether the connection
    closed. Reads after the close are not fed, as a closed socket reads nothing more."""
    transport = RecordingTransport({"peername": PEER, "sockname": PEER})
    protocol.connection_made(transport)
    for data in reads:
        if transport.is_closing():
            break
        protocol.data_received(data)
        for _ in range(turns):
            await asyncio.sleep(0)
    for _ in range(settle):  # what the last read started: the handler, its answer, the close
        await asyncio.sleep(0)
    closed = transport.is_closing()
    protocol.connection_lost(None)
    return re.sub(rb"Date: [^\r]+", b"Date: D", bytes(transport.written)), closed


def cut(data: bytes, size: int) -> list[bytes]:
    """``data`` in reads of ``size`` bytes (the last one shorter)."""
    return [data[i : i + size] for i in range(0, len(data), size)]

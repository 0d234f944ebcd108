"""Our side of the differential audit (test_parser_differential.py): each case sent to a real server on
127.0.0.1, followed by the pipelined follow-up request and the client's EOF, and what came back read as a
:class:`Transcript`, like the independent readers' (differential_oracles.py).

The handler echoes what it saw (method, target, version, header fields in order and as bytes, body) as JSON,
either as a plain ``Response`` (the server's fast path: the cached head) or streamed through ``StreamResponse``;
``unread`` answers without reading the body, which the server then discards itself.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))  # as tests/server/test_corpus.py does
from differential_oracles import CLOSE, ERROR, Request, Transcript
from hostile import OneRouteRouter
from http_client import RawConnection, parse_responses

# A case the server neither answers nor closes within this long is a hang: a failure, never a wait.
CASE_TIMEOUT = 10.0
CONCURRENCY = 16


@dataclass(frozen=True)
class Outcome:
    """What the server did with a case: the statuses it answered, what its handler saw, and the transcript."""

    statuses: tuple[int, ...]
    transcript: Transcript
    closed: bool

    def brief(self) -> str:
        return f"{list(self.statuses)} {self.transcript.brief()}" + ("" if self.closed else " (left open)")


async def _seen(request: Any, *, read: bool = True) -> bytes:
    body = await request.read() if read else b""
    return json.dumps(
        {
            "method": request.method,
            "target": request._exchange.target,
            "version": f"{request.version.major}.{request.version.minor}",
            "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in request.raw_headers],
            "body": body.decode("latin-1"),
        }
    ).encode()


async def plain(request: Any) -> Any:
    from web import Response

    return Response(body=await _seen(request), content_type="application/json")


async def unread(request: Any) -> Any:
    """The echo without the body, which is left for the server to discard before the next request."""
    from web import Response

    return Response(body=await _seen(request, read=False), content_type="application/json")


async def streamed(request: Any) -> Any:
    from web import StreamResponse

    seen = await _seen(request)
    response = StreamResponse()
    response.content_type = "application/json"
    await response.prepare(request)
    await response.write(seen)
    await response.write_eof()
    return response


def echo_app(handler: Any) -> Any:
    from web import Application

    return Application(router=OneRouteRouter(handler))


def _request(body: bytes) -> Request:
    seen = json.loads(body)
    return Request(
        seen["method"],
        seen["target"].encode("latin-1"),
        seen["version"],
        tuple((n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in seen["headers"]),
        seen["body"].encode("latin-1"),
    )


async def send(port: int, data: bytes) -> Outcome:
    """Send ``data`` and the EOF, wait for the close (at most CASE_TIMEOUT), and read the answers."""
    conn = await RawConnection.open(port)
    try:
        conn.write(data)
        if conn.transport is not None and not conn.transport.is_closing():
            conn.transport.write_eof()
        closed = await conn.wait_closed(CASE_TIMEOUT)
    finally:
        conn.close()
    responses = parse_responses(bytes(conn.data))
    requests = []
    end = CLOSE
    for response in responses:
        if response.status != 200:
            end = ERROR
            break
        requests.append(_request(response.body))
    return Outcome(tuple(r.status for r in responses), Transcript(tuple(requests), end), closed)


async def send_all(port: int, datas: dict[str, bytes]) -> dict[str, Outcome]:
    """``send`` every stream, a few connections at a time; the outcomes by name."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(data: bytes) -> Outcome:
        async with limit:
            return await send(port, data)

    outcomes = await asyncio.gather(*(one(data) for data in datas.values()))
    return dict(zip(datas, outcomes, strict=True))

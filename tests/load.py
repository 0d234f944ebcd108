"""A bounded load client for the process tests: keep-alive connections sending requests back to back, every
request counted exactly once.

Used while a master reloads, upgrades or stops (tests/supervisor) and through nginx (tests/deploy): a request
the server drops shows up in ``failed``.
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable

from http_client import read_response


def _last_word(headers: dict[str, str], body: bytes) -> str:
    """The demo app answers "hello from <pid>": the pid is the last word of the body."""
    return body.decode(errors="replace").rsplit(" ", 1)[-1]


class Load:
    """``concurrency`` keep-alive connections sending requests to ``path`` until stopped or bounded (in
    requests and seconds).

    Every request written is counted exactly once: in ``statuses`` by its answer's status, or in ``errors`` by
    why there was none (refused, reset, EOF before the full response, a timeout, a malformed response).
    ``ok`` counts the 200s, ``failed`` everything else, and ``errors`` also names the other statuses
    (``"status 503"``), so one counter explains ``failed``. A connection that the server closed
    (``Connection: close``) is reopened for the next request.

    With ``post=True`` each request is a POST with its own body, which the app must echo: an answer with another
    body counts in ``mismatched``. ``served_by`` counts answers by ``server_id(headers, body)`` (by default the
    last word of the body, the demo app's pid); :meth:`recount` starts it afresh with the requests written from then
    on (an answer read later to a request written before may come from a worker that has exited since).
    """

    def __init__(
        self,
        port: int,
        *,
        concurrency: int = 8,
        path: str = "/",
        post: bool = False,
        host: str = "t",
        server_id: Callable[[dict[str, str], bytes], str] | None = _last_word,
        max_requests: int = 100_000,
        max_seconds: float = 30.0,
    ) -> None:
        self.port, self.concurrency, self.path, self.post, self.host = port, concurrency, path, post, host
        self.server_id = server_id
        self.max_requests, self.max_seconds = max_requests, max_seconds
        self.statuses: collections.Counter[int] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.served_by: collections.Counter[str] = collections.Counter()
        self.mismatched = 0
        self._epoch = 0  # recount()'s: served_by counts the answers to requests written in the current one
        self._no_answer = 0
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def ok(self) -> int:
        return self.statuses[200]

    @property
    def failed(self) -> int:
        return self.sent - self.ok

    @property
    def sent(self) -> int:
        return self.statuses.total() + self._no_answer

    def start(self) -> Load:
        self._tasks = [asyncio.create_task(self._connection(i)) for i in range(self.concurrency)]
        return self

    async def stop(self) -> Load:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        return self

    def recount(self) -> None:
        """Empty ``served_by``, which then counts only the answers to requests written from now on."""
        self._epoch += 1
        self.served_by.clear()

    async def until(self, ok: int, timeout: float = 20.0) -> None:
        """Wait until at least ``ok`` more requests succeeded."""
        target = self.ok + ok
        async with asyncio.timeout(timeout):
            while self.ok < target:
                await asyncio.sleep(0.01)

    def _request(self, index: int, n: int) -> tuple[bytes, bytes | None]:
        """The request bytes, and the body the answer must echo (POST) or None."""
        if not self.post:
            return f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode(), None
        body = f"{index}:{n}:".encode() + b"x" * (100 + n % 900)
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body, body

    async def _connection(self, index: int) -> None:
        deadline = time.monotonic() + self.max_seconds
        writer = None
        n = 0
        while not self._stop.is_set() and self.sent < self.max_requests and time.monotonic() < deadline:
            n += 1
            request, echo = self._request(index, n)
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                epoch = self._epoch
                writer.write(request)
                async with asyncio.timeout(10):
                    status, headers, body = await read_response(reader, "POST" if self.post else "GET")
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                self._no_answer += 1
                self.errors[type(exc).__name__] += 1
                writer = await close_writer(writer)
                await asyncio.sleep(0.01)  # a refused or reset connection: a short pause, not a busy loop
                continue
            self.statuses[status] += 1
            if status == 200:
                if echo is not None and body != echo:
                    self.mismatched += 1
                if self.server_id is not None and epoch == self._epoch:
                    self.served_by[self.server_id(headers, body)] += 1
            else:
                self.errors[f"status {status}"] += 1
            if headers.get("connection", "").lower() == "close":
                writer = await close_writer(writer)
        await close_writer(writer)


async def close_writer(writer: asyncio.StreamWriter | None) -> None:
    """Close ``writer`` (if any) and wait for it, ignoring the errors of a connection already gone; returns None,
    so ``writer = await close_writer(writer)`` forgets it."""
    if writer is not None:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    return None

"""Process-test tools: a real ``prefork`` master in a subprocess, and a bounded load client that counts every
request it sends.

A module with its own name, not ``conftest``: when pytest is given several test directories at once, the last
``conftest`` it loads is the one ``from conftest import ...`` would find, and tests/dx has one too.
"""

from __future__ import annotations

import asyncio
import collections
import time
from pathlib import Path

from http_client import read_response
from prefork_process import PreforkProcess
from waiting import until

APPS = str(Path(__file__).parent / "apps")


class Prefork(PreforkProcess):
    """A master serving the apps of ``tests/supervisor/apps`` on ``port``; the demo app's markers (see
    ``apps/demo.py``) go to ``self.markers``."""

    def __init__(self, tmp_path: Path, port: int) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        super().__init__(tmp_path, log_path=tmp_path / "error.log", output=tmp_path / "output.txt")
        self.port = port
        self.markers = tmp_path / "markers"
        self.markers.mkdir(exist_ok=True)

    def start(
        self,
        *args: str,
        app: str = "demo:create_app",
        env: dict[str, str] | None = None,
        bind: bool = True,
        wait: int | None = None,
        pass_fds: tuple[int, ...] = (),
    ) -> Prefork:
        """Start the master; with ``wait=N``, return once N workers are ready."""
        argv = ["--chdir", APPS]
        if bind:
            argv += ["-b", f"127.0.0.1:{self.port}"]
        full_env = {**self.base_env(), "DEMO_MARKERS": str(self.markers), **(env or {})}
        self.launch([*argv, *args, app], cwd=self.tmp_path, env=full_env, pass_fds=pass_fds)
        if wait:
            self.wait_log(r"ready: \d+ worker", timeout=15)
            self.wait_workers(wait)
        return self

    def finish_markers(self) -> dict[int, int]:
        """pid -> how many times its finish() ran."""
        return {int(p.name.split("-")[1]): len(p.read_text().splitlines()) for p in self.markers.glob("finish-*")}

    def started_markers(self) -> set[int]:
        return {int(p.name.split("-")[1]) for p in self.markers.glob("started-*")}

    def slow_begun(self) -> int:
        """How many ``/slow`` requests have reached a worker's handler (each appends to its ``slow-<pid>``)."""
        return sum(len(p.read_text().splitlines()) for p in self.markers.glob("slow-*"))

    async def wait_slow(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``count`` ``/slow`` requests in all have reached a worker's handler."""
        await until(lambda: self.slow_begun() >= count, timeout, what=f"{count} /slow request(s) in a handler")


async def get(port: int, path: str, *, timeout: float = 10.0, headers: str = "") -> tuple[int, dict[str, str], bytes]:
    """One request on its own connection: (status, headers, body). ``headers``: extra ``Name: value\\r\\n`` lines."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\n{headers}Connection: close\r\n\r\n".encode())
        async with asyncio.timeout(timeout):
            return await read_response(reader)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


class Load:
    """``concurrency`` keep-alive connections sending GETs back to back until stopped or bounded.

    Every request written is counted exactly once: ``ok`` (a complete 200 response) or ``failed`` (anything
    else: refused, reset, EOF before the full response, another status), with the reason kept in ``errors``.
    A connection that the server closed (``Connection: close``) is reopened for the next request.
    """

    def __init__(
        self,
        port: int,
        *,
        concurrency: int = 8,
        path: str = "/",
        max_requests: int = 100_000,
        max_seconds: float = 30.0,
    ) -> None:
        self.port, self.concurrency, self.path = port, concurrency, path
        self.max_requests, self.max_seconds = max_requests, max_seconds
        self.ok = 0
        self.failed = 0
        self.errors: collections.Counter[str] = collections.Counter()
        self.served_by: collections.Counter[str] = collections.Counter()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def sent(self) -> int:
        return self.ok + self.failed

    def start(self) -> Load:
        self._tasks = [asyncio.create_task(self._connection()) for _ in range(self.concurrency)]
        return self

    async def stop(self) -> Load:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        return self

    async def until(self, ok: int, timeout: float = 20.0) -> None:
        """Wait until at least ``ok`` more requests succeeded."""
        target = self.ok + ok
        async with asyncio.timeout(timeout):
            while self.ok < target:
                await asyncio.sleep(0.01)

    async def _connection(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        request = f"GET {self.path} HTTP/1.1\r\nHost: t\r\n\r\n".encode()
        writer = None
        while not self._stop.is_set() and self.sent < self.max_requests and time.monotonic() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(request)
                async with asyncio.timeout(10):
                    status, headers, body = await read_response(reader)
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                self.failed += 1
                self.errors[type(exc).__name__] += 1
                writer = await self._close(writer)
                await asyncio.sleep(0.01)
                continue
            if status == 200:
                self.ok += 1
                self.served_by[body.decode().rsplit(" ", 1)[-1]] += 1
            else:
                self.failed += 1
                self.errors[f"status {status}"] += 1
            if headers.get("connection", "").lower() == "close":
                writer = await self._close(writer)
        await self._close(writer)

    @staticmethod
    async def _close(writer: asyncio.StreamWriter | None) -> None:
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
        return None


async def in_thread(func, *args, **kwargs):
    """Run a blocking harness call (waiting on the log, signalling) without stalling the load."""
    return await asyncio.to_thread(func, *args, **kwargs)

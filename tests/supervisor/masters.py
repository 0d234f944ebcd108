"""Process-test tools: a real ``prefork`` master serving tests/supervisor/apps (tests/prefork_process.py runs
it), and small clients. The bounded load client is tests/load.py's.

A module with its own name, not ``conftest``: when pytest is given several test directories at once, the last
``conftest`` it loads is the one ``from conftest import ...`` would find, and tests/dx has one too.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from http_client import read_response
from load import close_writer
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
        await close_writer(writer)


async def in_thread(func, *args, **kwargs):
    """Run a blocking harness call (waiting on the log, signalling) without stalling the load."""
    return await asyncio.to_thread(func, *args, **kwargs)

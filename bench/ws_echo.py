"""Websocket echo throughput: prefork's WebSocketResponse vs aiohttp's, in the same run.

    python bench/ws_echo.py                    # 64 B and 64 KiB text messages, 3 s each, both servers
    python bench/ws_echo.py --seconds 5 --window 1 --connections 8   # request/response instead of pipelined
    python bench/ws_echo.py --mask             # the masking micro-benchmark behind server/websocket_frames.py

Each server runs the same echo handler (bench/ws_echo_app.py) in its own process on uvloop. The client is kept
cheap so that it measures the server: it writes ``--window`` pre-masked frames in one write, then counts echoed
bytes (every echo has a known size) before sending the next batch; ``--connections`` clients run at once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import subprocess
import sys
import time
import timeit
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from server.websocket_frames import encode_frame  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(use_aiohttp: bool) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    cmd = [sys.executable, str(HERE / "ws_echo_app.py"), "--port", str(port)]
    if use_aiohttp:
        cmd.append("--aiohttp")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


class EchoClient(asyncio.Protocol):
    """Sends a batch of frames, waits for all their echoes (counted in bytes), repeats until told to stop."""

    def __init__(self, batch: bytes, expect: int, count: int) -> None:
        self.batch = batch
        self.expect = expect
        self.count = count
        self.received = 0
        self.messages = 0
        self.head = b""
        self.upgraded = asyncio.get_running_loop().create_future()
        self.stopped = False
        self.done = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16))
        transport.write(  # type: ignore[attr-defined]
            b"GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"
        )

    def data_received(self, data: bytes) -> None:
        if not self.upgraded.done():
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            assert self.head.startswith(b"HTTP/1.1 101"), self.head[:100]
            self.upgraded.set_result(None)
            data = self.head[end + 4 :]
            self.transport.write(self.batch)  # type: ignore[union-attr]
            if not data:
                return
        self.received += len(data)
        while self.received >= self.expect:
            self.received -= self.expect
            self.messages += self.count
            if self.stopped:
                if not self.done.done():
                    self.done.set_result(None)
                return
            self.transport.write(self.batch)  # type: ignore[union-attr]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def measure(port: int, size: int, window: int, connections: int, seconds: float, binary: bool) -> float:
    """Echoed messages per second over ``seconds`` (after a short warm-up)."""
    loop = asyncio.get_running_loop()
    payload = (b"\x01" if binary else b"a") * size
    frame = encode_frame(2 if binary else 1, payload, mask=b"\x11\x22\x33\x44")
    echo_len = len(encode_frame(2 if binary else 1, payload))
    clients = []
    for _ in range(connections):
        _, client = await loop.create_connection(
            lambda: EchoClient(frame * window, echo_len * window, window), "127.0.0.1", port
        )
        clients.append(client)
    await asyncio.gather(*(c.upgraded for c in clients))
    await asyncio.sleep(min(0.5, seconds / 4))  # warm-up
    start_counts = sum(c.messages for c in clients)
    start = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - start
    count = sum(c.messages for c in clients) - start_counts
    for c in clients:
        c.stopped = True
    await asyncio.wait([c.done for c in clients], timeout=5)
    for c in clients:
        c.transport.close()  # type: ignore[union-attr]
    return count / elapsed


def mask_bench() -> None:
    from server.websocket_frames import _apply_mask_c, _apply_mask_int

    mask = os.urandom(4)
    print(f"{'size':>8}  {'int.from_bytes':>15}  {'websockets C':>13}")
    for size in (64, 1024, 65536, 1 << 20):
        data = os.urandom(size)
        number = 20000 if size < 100_000 else 200
        t_int = timeit.timeit(lambda data=data: _apply_mask_int(data, mask), number=number) / number
        t_c = timeit.timeit(lambda data=data: _apply_mask_c(data, mask), number=number) / number if _apply_mask_c else 0
        print(f"{size:>8}  {t_int * 1e6:>12.2f} us  {t_c * 1e6:>10.2f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--window", type=int, default=0, help="frames per batch (default 100 for 64 B, 8 for 64 KiB)")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--binary", action="store_true", help="binary messages instead of text")
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 65536])
    parser.add_argument("--mask", action="store_true", help="run the masking micro-benchmark only")
    args = parser.parse_args()
    if args.mask:
        mask_bench()
        return
    import uvloop

    results: dict[tuple[str, int], float] = {}
    for name in ("prefork", "aiohttp"):
        proc, port = start_server(name == "aiohttp")
        try:
            for size in args.sizes:
                window = args.window or (100 if size <= 1024 else 8)
                rate = uvloop.run(measure(port, size, window, args.connections, args.seconds, args.binary))
                results[name, size] = rate
                print(f"{name:8} {size:>6} B  window {window:>3} x {args.connections} conn: {rate:>10,.0f} msg/s")
        finally:
            proc.terminate()
            proc.wait(5)
    for size in args.sizes:
        ratio = results["prefork", size] / results["aiohttp", size]
        print(f"{size:>6} B: prefork / aiohttp = {ratio:.2f}x")


if __name__ == "__main__":
    main()

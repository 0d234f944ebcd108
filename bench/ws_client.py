"""A cheap websocket echo client for bench/ws_echo.py: raw sockets, one epoll loop, frames masked once.

    python bench/ws_client.py --port 9001 --size 64 --window 1 --connections 8 --seconds 5

It is its own process (bench/ws_echo.py pins it to another CPU than the server's) so that the client's work never
competes with the server's, and it does as little as it can per message: every connection sends ``--window``
frames built and masked before the run in one ``send``, then counts echoed bytes (every echo has a known size)
into one reusable buffer with ``recv_into`` and sends the next batch once the whole batch came back. With
``--window 1`` that is the request/response pattern of a chat or an RPC: one message in flight per connection.

The run, driven over stdin/stdout by the parent:

1. connect and upgrade every connection, check one echo byte for byte, warm up for ``--warmup`` seconds;
2. stop sending, wait for every echo still in flight, print ``ready`` and wait for a line on stdin (the parent
   samples the server's CPU time here, while the server is idle);
3. run for ``--seconds``, then stop sending and wait for the echoes in flight, so every message counted was also
   served within the parent's two CPU samples; print one JSON line ``{"messages", "elapsed", "client_cpu"}``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import select
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.websocket_frames import encode_frame

__all__ = ["EchoRun", "main"]

_MASK = b"\x11\x22\x33\x44"


def _upgrade(port: int) -> socket.socket:
    """A connected, upgraded socket (blocking); raises if the server does not answer 101."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    key = base64.b64encode(os.urandom(16))
    sock.sendall(
        b"GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + b"\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("server closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(f"no 101: {head[:200]!r}")
    if head.index(b"\r\n\r\n") + 4 != len(head):
        raise ConnectionError("unexpected bytes after the 101 head")
    return sock


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("server closed")
        out += chunk
    return bytes(out)


class EchoRun:
    """``connections`` upgraded sockets echoing ``window`` frames of ``size`` bytes at a time."""

    def __init__(self, port: int, size: int, window: int, connections: int, binary: bool) -> None:
        opcode = 2 if binary else 1
        payload = (b"\x01" if binary else b"a") * size
        frame = encode_frame(opcode, payload, mask=_MASK)
        echo = encode_frame(opcode, payload)
        self.batch = frame * window
        self.expect = len(echo) * window
        self.window = window
        self.socks: dict[int, socket.socket] = {}
        for _ in range(connections):
            sock = _upgrade(port)
            # Check the server really echoes (one whole frame, byte for byte) before counting bytes only.
            sock.sendall(frame)
            got = _recv_exactly(sock, len(echo))
            if got != echo:
                raise AssertionError(f"bad echo: {got[:40]!r}... != {echo[:40]!r}...")
            sock.setblocking(False)
            self.socks[sock.fileno()] = sock
        self.poll = select.epoll()
        for fd in self.socks:
            self.poll.register(fd, select.EPOLLIN)
        # Per connection: echo bytes still expected of the batch in flight (0: idle), and unsent batch bytes.
        self.waiting = dict.fromkeys(self.socks, 0)
        self.unsent: dict[int, memoryview] = {}
        self.buf = bytearray(max(1 << 18, self.expect))

    def _send(self, fd: int) -> None:
        sock = self.socks[fd]
        n = sock.send(self.batch)
        self.waiting[fd] = self.expect
        if n < len(self.batch):
            self.unsent[fd] = memoryview(self.batch)[n:]
            self.poll.modify(fd, select.EPOLLIN | select.EPOLLOUT)

    def run(self, seconds: float) -> tuple[int, float]:
        """Echo for ``seconds``, then let the batches in flight finish; returns (messages, elapsed seconds)."""
        waiting = self.waiting
        unsent = self.unsent
        socks = self.socks
        buf = self.buf
        window = self.window
        poll = self.poll.poll
        perf = time.perf_counter
        messages = 0
        start = perf()
        end = start + seconds
        for fd in socks:
            self._send(fd)
        in_flight = len(socks)
        sending = True
        now = start
        while in_flight:
            events = poll(10.0)
            if not events:
                raise TimeoutError("no echo for 10 s")
            for fd, ev in events:
                if ev & select.EPOLLOUT:
                    rest = unsent[fd]
                    n = socks[fd].send(rest)
                    if n < len(rest):
                        unsent[fd] = rest[n:]
                    else:
                        del unsent[fd]
                        self.poll.modify(fd, select.EPOLLIN)
                if not ev & (select.EPOLLIN | select.EPOLLERR | select.EPOLLHUP):
                    continue
                n = socks[fd].recv_into(buf)
                if not n:
                    raise ConnectionError("server closed the connection")
                left = waiting[fd] - n
                if left > 0:
                    waiting[fd] = left
                    continue
                if left < 0:
                    raise AssertionError("more echo bytes than were sent")
                messages += window
                if sending:
                    self._send(fd)
                else:
                    waiting[fd] = 0
                    in_flight -= 1
            now = perf()
            if sending and now >= end:
                sending = False
        return messages, now - start

    def close(self) -> None:
        self.poll.close()
        for sock in self.socks.values():
            sock.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--window", type=int, default=1)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--binary", action="store_true")
    parser.add_argument("--no-wait", action="store_true", help="measure at once instead of waiting for stdin")
    args = parser.parse_args(argv)
    run = EchoRun(args.port, args.size, args.window, args.connections, args.binary)
    try:
        run.run(args.warmup)
        if not args.no_wait:
            print("ready", flush=True)
            sys.stdin.readline()
        cpu = time.process_time()
        messages, elapsed = run.run(args.seconds)
        cpu = time.process_time() - cpu
    finally:
        run.close()
    print(json.dumps({"messages": messages, "elapsed": elapsed, "client_cpu": cpu}), flush=True)


if __name__ == "__main__":
    main()

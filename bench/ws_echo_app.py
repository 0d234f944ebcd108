"""A websocket echo app: what bench/autobahn.py and bench/ws_echo.py serve.

Run it on its own with ``python bench/ws_echo_app.py [--port 9001] [--aiohttp | --floor]``: ``--aiohttp`` serves
the same echo with aiohttp's ``WebSocketResponse``, for comparisons in the same run; ``--floor`` serves it with a
bare uvloop protocol (:class:`FloorEcho`), the least any Python server on this stack pays per message.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from server.websocket_frames import apply_mask


def make_app(max_msg_size: int = 16 * 1024 * 1024):
    """prefork's echo: every text and binary message comes back unchanged."""
    import web
    from web.websocket import MSG_BINARY, MSG_TEXT, WebSocketResponse

    async def echo(request):
        ws = WebSocketResponse(max_msg_size=max_msg_size)
        await ws.prepare(request)
        async for msg in ws:
            if msg.tp is MSG_TEXT:
                await ws.send_str(msg.data)
            elif msg.tp is MSG_BINARY:
                await ws.send_bytes(msg.data)
            else:
                break
        return ws

    async def echo_receive(request):
        """The same echo written with ``await ws.receive()``."""
        ws = WebSocketResponse(max_msg_size=max_msg_size)
        await ws.prepare(request)
        while True:
            msg = await ws.receive()
            if msg.tp is MSG_TEXT:
                await ws.send_str(msg.data)
            elif msg.tp is MSG_BINARY:
                await ws.send_bytes(msg.data)
            else:
                break
        return ws

    app = web.Application()
    app.router.add_route("GET", "/", echo)
    app.router.add_route("GET", "/receive", echo_receive)
    return app


def make_aiohttp_app(max_msg_size: int = 16 * 1024 * 1024):
    """The same echo on aiohttp, for the benchmark's baseline."""
    from aiohttp import WSMsgType, web

    async def echo(request):
        ws = web.WebSocketResponse(max_msg_size=max_msg_size)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            else:
                break
        return ws

    async def echo_receive(request):
        ws = web.WebSocketResponse(max_msg_size=max_msg_size)
        await ws.prepare(request)
        while True:
            msg = await ws.receive()
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            else:
                break
        return ws

    app = web.Application()
    app.router.add_get("/", echo)
    app.router.add_get("/receive", echo_receive)
    return app


class FloorEcho(asyncio.Protocol):
    """The floor of bench/ws_echo.py: the handshake by hand, then each masked frame unmasked and echoed from
    ``data_received``, with no message objects, no queue and no task. Enough protocol for the benchmark's client
    (whole frames, no control frames, no fragmentation), not a websocket server."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.upgraded = False
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        data = self.buf + data if self.buf else data
        if not self.upgraded:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.buf = data
                return
            head, data = data[:end], data[end + 4 :]
            key = next(
                (
                    line.split(b":", 1)[1].strip()
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"sec-websocket-key:")
                ),
                None,
            )
            if key is None:
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                self.transport.close()
                return
            from server.websocket_handshake import accept_key

            self.transport.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                b"Sec-WebSocket-Accept: " + accept_key(key.decode()).encode() + b"\r\n\r\n"
            )
            self.upgraded = True
        out = []
        pos = 0
        n = len(data)
        while n - pos >= 6:
            b0, length = data[pos], data[pos + 1] & 0x7F
            start = pos + 2
            if length == 126:
                length = int.from_bytes(data[start : start + 2], "big")
                start += 2
            elif length == 127:
                length = int.from_bytes(data[start : start + 8], "big")
                start += 8
            end = start + 4 + length
            if end > n:
                break
            payload = apply_mask(data[start + 4 : end], data[start : start + 4])
            if length < 126:
                out.append(bytes((b0, length)))
            elif length < 65536:
                out.append(bytes((b0, 126)) + length.to_bytes(2, "big"))
            else:
                out.append(bytes((b0, 127)) + length.to_bytes(8, "big"))
            out.append(payload)
            pos = end
        self.buf = data[pos:]
        if out:
            self.transport.write(b"".join(out))


async def serve(port: int, use_aiohttp: bool, ready: asyncio.Event | None = None, floor: bool = False) -> None:
    if floor:
        await asyncio.get_running_loop().create_server(FloorEcho, "127.0.0.1", port)
    elif use_aiohttp:
        from aiohttp import web as aioweb

        runner = aioweb.AppRunner(make_aiohttp_app(), access_log=None)
        await runner.setup()
        site = aioweb.TCPSite(runner, "127.0.0.1", port)
        await site.start()
    else:
        loop = asyncio.get_running_loop()
        await loop.create_server(make_app().make_handler(), "127.0.0.1", port)
    print(f"serving on 127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


async def inproc(
    messages: int, size: int, server: str, callgrind: bool = False, binary: bool = False, receive: bool = False
) -> None:
    """Echo ``messages`` masked text frames of ``size`` bytes through the upgraded protocol with a fake transport
    (no sockets, no kernel), one frame per ``data_received`` and one loop iteration each (the handler's task
    runs in it), as a request/response client drives it: the Python cost per message.

    With ``callgrind`` (the script under ``valgrind --tool=callgrind --instr-atstart=no``), the ``messages`` are
    counted in instructions instead of timed, as bench/inproc_instructions.py counts requests: divide valgrind's
    ``Collected`` by ``messages``. ``binary`` sends BINARY frames (``send_bytes``) instead of TEXT; ``receive`` echoes
    with the handler that calls ``await ws.receive()`` instead of ``async for``."""
    import statistics
    import time

    from server.detached import RecordingTransport
    from server.websocket_frames import encode_frame

    if server == "aiohttp":
        from aiohttp import web as aioweb

        runner = aioweb.AppRunner(make_aiohttp_app(), access_log=None)
        await runner.setup()
        protocol = runner.server()
    else:
        protocol = FloorEcho() if server == "floor" else make_app().make_handler()()
    # Writes are counted and dropped.
    transport = RecordingTransport({"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 40000)}, keep=False)
    protocol.connection_made(transport)
    path = b"/receive" if receive else b"/"
    protocol.data_received(
        b"GET " + path + b" HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    for _ in range(3):
        await asyncio.sleep(0)
    frame = encode_frame(2 if binary else 1, b"a" * size, mask=b"\x11\x22\x33\x44")
    sleep = asyncio.sleep
    for _ in range(2000):  # warm-up
        protocol.data_received(frame)
        await sleep(0)
    if callgrind:
        from bench.inproc_instructions import instrument

        before = transport.writes
        await sleep(0)
        instrument("on")
        # The request/response pattern: one frame in, the loop runs until its echo is written, then the next.
        for _ in range(messages):
            protocol.data_received(frame)
            await sleep(0)
        instrument("off")
        if transport.writes - before != messages:
            raise RuntimeError(f"{transport.writes - before} echoes for {messages} messages")
        return
    # Blocks of 10,000 messages: on a shared machine the fastest block is the steadiest estimate of the cost.
    blocks = []
    harness = []
    before = transport.writes
    for _ in range(max(1, messages // 10_000)):
        t0 = time.process_time()
        for _ in range(10_000):
            protocol.data_received(frame)
            await sleep(0)
        blocks.append((time.process_time() - t0) / 10_000)
        t0 = time.process_time()
        for _ in range(10_000):
            await sleep(0)
        harness.append((time.process_time() - t0) / 10_000)
    echoed = transport.writes - before
    if echoed != len(blocks) * 10_000:
        raise RuntimeError(f"{echoed} echoes for {len(blocks) * 10_000} messages")
    print(
        f"{server} {size} B: {min(blocks) * 1e6:.2f} us CPU/message in Python (fastest "
        f"block of 10,000; median {statistics.median(blocks) * 1e6:.2f}), of which the harness's loop iteration "
        f"{min(harness) * 1e6:.2f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--aiohttp", action="store_true", help="serve with aiohttp instead of prefork")
    parser.add_argument("--floor", action="store_true", help="serve with a bare uvloop protocol (the floor)")
    parser.add_argument("--inproc", type=int, metavar="N", help="time N messages without sockets, then exit")
    parser.add_argument("--size", type=int, default=64, help="for --inproc: payload bytes")
    parser.add_argument("--binary", action="store_true", help="for --inproc: BINARY frames instead of TEXT")
    parser.add_argument("--receive", action="store_true", help="for --inproc: the handler awaits ws.receive()")
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="for --inproc under valgrind --tool=callgrind --instr-atstart=no: count N messages' instructions",
    )
    parser.add_argument("--profile", metavar="FILE", help="run under cProfile, write the pstats to FILE at the end")
    args = parser.parse_args()
    from bench.common import run_profiled

    if args.inproc:
        server = "aiohttp" if args.aiohttp else "floor" if args.floor else "prefork"
        run = inproc(args.inproc, args.size, server, args.callgrind, args.binary, args.receive)
    else:
        run = serve(args.port, args.aiohttp, floor=args.floor)
    if args.profile:
        import signal

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # serve() has no signal handling: end with the stats
    run_profiled(run, args.profile)


if __name__ == "__main__":
    main()

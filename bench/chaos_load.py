"""The clients of the chaos and memory soaks (bench/chaos.py, bench/soak.py): keep-alive HTTP connections and
websockets on 127.0.0.1 that count every request exactly once.

Every request carries an id that the answer must echo (app: tests/supervisor/apps/chaos_app.py), so a request is
``ok``, or a failure of a named kind. A keep-alive connection the server closed while it was idle is no failure
(the client opens a new one before writing); a request written that gets no full answer is, unless it was on a
connection a SIGKILLed worker held (:attr:`Peer.killed`: those are counted apart, as ``excused``). A websocket
message is "lost with close" when a close frame came before its echo (the client reconnects, as 1001 asks) and
"lost" when the connection ended without one.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

# bench/ as a package, and the process-test tools, which the soaks share
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "supervisor"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # http_client, the shared test kit
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from masters import read_response

ROOT = Path(__file__).resolve().parents[1]

KINDS = {"hello": 60, "echo": 30, "big": 10}  # weights of the request kinds; a quarter of the clients only wait
SLOW = {"slow": 1}
ECHO_SIZE = 4096
BIG_SIZE = 256 * 1024
REQUEST_TIMEOUT = 20.0  # above the soaks' --graceful-timeout: an answer that never comes is a failure, not a hang


@dataclass
class Tally:
    """Everything the clients counted; one instance for the whole run."""

    ok: collections.Counter[str] = field(default_factory=collections.Counter)  # answered, by kind
    failed: collections.Counter[str] = field(default_factory=collections.Counter)  # by "kind: why"
    excused: collections.Counter[str] = field(default_factory=collections.Counter)  # on the SIGKILLed worker
    idle_closed: int = 0  # keep-alive connections found closed before a request was written: reopened
    server_closed: int = 0  # answers with Connection: close
    refused_after_stop: int = 0
    ws_sent: int = 0
    ws_echoed: int = 0
    ws_lost_with_close: int = 0
    ws_lost: collections.Counter[str] = field(default_factory=collections.Counter)  # no close frame first
    ws_close_codes: collections.Counter[str] = field(default_factory=collections.Counter)
    ws_sessions: int = 0

    def requests(self) -> int:
        return sum(self.ok.values()) + sum(self.failed.values()) + sum(self.excused.values())


class Run:
    """Shared state of one chaos run: the port, the tally, and what the clients must know about the chaos."""

    def __init__(self, port: int, seed: int) -> None:
        self.port = port
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.next_id = 0
        self.peers: dict[int, Peer] = {}  # the open client connections, by local port
        self.stopping = False  # TERM sent: a refused connection ends a client
        self.t0 = time.monotonic()
        self.samples: list[str] = []  # the first failures, with when and where, to match against the events

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def fail(self, kind: str, why: str, peer: Peer) -> None:
        (self.tally.excused if peer.killed else self.tally.failed)[f"{kind}: {why}"] += 1
        if not peer.killed:
            self.sample(f"{kind}: {why} ({peer.describe()})")

    def sample(self, text: str) -> None:
        if len(self.samples) < 100:
            self.samples.append(f"[{time.monotonic() - self.t0:7.1f}s] {text}")


class Peer:
    """One open client connection, named by its local port in the server's tables while it is open."""

    def __init__(self, run: Run, port: int) -> None:
        self.run, self.port = run, port
        self.pid = 0  # the worker that answered on it, once known
        self.killed = False  # held by a worker when it was SIGKILLed
        run.peers[port] = self

    def forget(self) -> None:
        if self.run.peers.get(self.port) is self:
            del self.run.peers[self.port]

    def __str__(self) -> str:
        return f"client port {self.port}, worker {self.pid or 'unknown'}"

    def describe(self) -> str:
        return str(self)


# -- the clients ---------------------------------------------------------------------------------------------------


class Connection(Peer):
    """One keep-alive HTTP client connection."""

    def __init__(
        self, run: Run, sock: socket.socket, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        super().__init__(run, sock.getsockname()[1])
        self.sock, self.reader, self.writer = sock, reader, writer
        self.answered = 0  # answers received on it
        self.last_answer = time.monotonic()

    @classmethod
    async def open(cls, run: Run) -> Connection:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", run.port))
            reader, writer = await asyncio.open_connection(sock=sock, limit=2**20)
        except BaseException:
            sock.close()
            raise
        return cls(run, sock, reader, writer)

    def closed_by_server(self) -> bool:
        """Whether the server has closed (or reset) the connection, as the kernel knows it right now: asked just
        before a request is written, this tells a keep-alive connection closed while idle from a request dropped."""
        if self.reader.at_eof() or self.writer.is_closing():
            return True
        try:
            return self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False  # open, nothing to read: the normal case
        except OSError:
            return True

    def describe(self) -> str:
        """For a failure report: how long the connection was idle before the request, and its history."""
        return f"{self}, {self.answered} answer(s) before, idle {time.monotonic() - self.last_answer:.3f}s"

    async def close(self) -> None:
        self.forget()
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def build_request(kind: str, rid: int, rng: random.Random) -> tuple[bytes, bytes]:
    """The request bytes of one ``kind`` with id ``rid``, and the body its answer must carry."""
    if kind == "echo":
        body = f"id={rid};".encode().ljust(ECHO_SIZE, b"e")
        head = f"POST /echo?id={rid} HTTP/1.1\r\nHost: chaos\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode() + body, body
    if kind == "slow":
        path = f"/slow?id={rid}&t={rng.uniform(0.1, 1.0):.2f}"
    elif kind == "big":
        path = f"/big?id={rid}"
    else:
        path = f"/hello?id={rid}"
    expected = f"id={rid}".encode()
    return f"GET {path} HTTP/1.1\r\nHost: chaos\r\n\r\n".encode(), expected


def answer_problem(kind: str, rid: int, expected: bytes, status: int, headers: dict[str, str], body: bytes) -> str:
    """Why an answer does not belong to the request, or ``""``."""
    if status != 200:
        return f"status {status}"
    if headers.get("x-id") != str(rid):
        return "answer of another request"
    if kind == "big":
        return "" if len(body) == BIG_SIZE and body.startswith(expected + b"\n") else "wrong body"
    return "" if body == expected else "wrong body"


async def http_client(run: Run, stop: asyncio.Event, kinds: dict[str, int]) -> None:
    """Requests of random ``kinds`` (name: weight), one at a time on a keep-alive connection, until ``stop``."""
    tally, rng = run.tally, run.rng
    names, weights = list(kinds), list(kinds.values())
    conn: Connection | None = None
    while not stop.is_set():
        kind = rng.choices(names, weights)[0]
        rid = run.new_id()
        request, expected = build_request(kind, rid, rng)
        if conn is not None and conn.closed_by_server():  # asked last, so that nothing runs between it and the write
            tally.idle_closed += 1
            conn = await _drop(conn)
        if conn is None:
            try:
                conn = await Connection.open(run)
            except OSError as exc:
                if run.stopping:
                    tally.refused_after_stop += 1
                    return
                tally.failed[f"connect: {type(exc).__name__}"] += 1
                await asyncio.sleep(0.05)
                continue
        try:
            conn.writer.write(request)
            async with asyncio.timeout(REQUEST_TIMEOUT):
                status, headers, body = await read_response(conn.reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as exc:
            run.fail(kind, "no answer" if not isinstance(exc, TimeoutError) else "timeout", conn)
            conn = await _drop(conn)
            continue
        conn.pid = int(headers.get("x-pid", 0))
        conn.answered += 1
        conn.last_answer = time.monotonic()
        problem = answer_problem(kind, rid, expected, status, headers, body)
        if problem:
            run.fail(kind, problem, conn)
        else:
            tally.ok[kind] += 1
        if headers.get("connection", "").lower() == "close":
            tally.server_closed += 1
            conn = await _drop(conn)
    if conn is not None:
        await conn.close()


async def _drop(conn: Connection) -> None:
    await conn.close()
    return None


async def ws_client(run: Run, stop: asyncio.Event, session: aiohttp.ClientSession, n: int) -> None:
    """Text messages echoed one at a time; a close frame means reconnect."""
    tally = run.tally
    url = f"http://127.0.0.1:{run.port}/ws"
    seq = 0
    while not stop.is_set():
        try:
            ws = await session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=5.0))
        except aiohttp.ClientConnectorError as exc:  # refused: no handshake was sent
            if run.stopping:
                tally.refused_after_stop += 1
                return
            tally.failed[f"ws connect: {type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)
            continue
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:  # the handshake got no (good) answer
            tally.failed[f"ws handshake: {type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)
            continue
        tally.ws_sessions += 1
        peer = Peer(run, ws.get_extra_info("sockname")[1])
        try:
            while not stop.is_set():
                seq += 1
                text = f"{n}-{seq}-" + "w" * (seq % 200)
                try:
                    await ws.send_str(text)
                except (ConnectionError, aiohttp.ClientError):
                    # the transport closed under us; if a close frame came first the next receive says so
                    seq -= 1
                    text = ""
                else:
                    tally.ws_sent += 1
                try:
                    async with asyncio.timeout(REQUEST_TIMEOUT):
                        msg = await ws.receive()
                except TimeoutError:
                    _ws_lost(peer, text, "timeout")
                    break
                if msg.type is aiohttp.WSMsgType.TEXT:
                    if msg.data == text:
                        tally.ws_echoed += 1
                    else:
                        run.fail("ws", "wrong echo", peer)
                    continue
                if msg.type is aiohttp.WSMsgType.CLOSE:
                    tally.ws_close_codes[str(ws.close_code)] += 1
                    tally.ws_lost_with_close += 1 if text else 0
                else:
                    _ws_lost(peer, text, f"ended without a close frame ({msg.type.name})")
                break
        finally:
            peer.forget()
            await ws.close()


def _ws_lost(peer: Peer, text: str, why: str) -> None:
    tally = peer.run.tally
    if peer.killed:
        tally.excused[f"ws: {why}"] += 1
        return
    if text:
        tally.ws_lost[why] += 1
    else:
        tally.failed[f"ws: {why}, no message outstanding"] += 1
    peer.run.sample(f"ws: {why} ({peer})")


class Load:
    """``http`` + ``ws`` clients until :meth:`stop`."""

    def __init__(self, run: Run, http: int, ws: int) -> None:
        self.run, self.http, self.ws = run, http, ws
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> Load:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        self.tasks = [
            asyncio.create_task(http_client(self.run, self.stop_event, SLOW if n % 4 == 3 else KINDS))
            for n in range(self.http)
        ]
        self.tasks += [
            asyncio.create_task(ws_client(self.run, self.stop_event, self.session, n)) for n in range(self.ws)
        ]
        return self

    async def until(self, ok: int, timeout: float = 30.0) -> None:
        """Wait until ``ok`` more HTTP answers came back."""
        target = sum(self.run.tally.ok.values()) + ok
        async with asyncio.timeout(timeout):
            while sum(self.run.tally.ok.values()) < target:
                await asyncio.sleep(0.02)

    async def stop(self, timeout: float = REQUEST_TIMEOUT + 10) -> None:
        self.stop_event.set()
        try:
            async with asyncio.timeout(timeout):
                await asyncio.gather(*self.tasks)
        finally:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            await self.session.close()


def problems_of_tally(tally: Tally) -> list[str]:
    """What the clients saw go wrong: failed requests, websocket messages lost without a close frame."""
    found = []
    if tally.failed:
        found.append(f"failed requests: {dict(tally.failed)}")
    if tally.ws_lost:
        found.append(f"websocket messages lost without a close frame: {dict(tally.ws_lost)}")
    return found

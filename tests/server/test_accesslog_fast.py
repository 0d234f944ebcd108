"""The access log's direct path (no LogRecord, lines written to the file handler's stream and flushed per loop
iteration) writes byte for byte what the general path (``logger.info``) writes, and both write what the access
log wrote before either existed (``reference_line``: the lazy atom mapping of gunicorn's letters, formatted with
``format % atoms``), over real requests, odd ones included.

Every exchange goes to three loggers at once (``Tee``): the one the server made (direct path: its logger's only
handler is a plain FileHandler), one for the general path (the same handler and format, plus a filter that passes
everything, which is user configuration the direct path must not skip), and the reference line. The clock of
``%(t)s`` is frozen so that the three agree on the second.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import uvloop
from hypothesis import given, settings
from hypothesis import strategies as st

import server.accesslog
import web
from server.accesslog import AccessLogger, compile_format, plain_handler
from server.detached import detached_exchange

FROZEN = 1_790_000_000.0  # a fixed second for %(t)s

EVERY_ATOM = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(B)s "%(f)s" "%(a)s" %(T)s %(D)s %(L)s %(p)s %(m)s %(U)s %(q)s '
    "%(H)s %({X-Custom}i)s %({x-custom}i)s %({ACCESSLOG_TEST_VAR}e)s %({UNSET_VAR_XYZ}e)s %(zz)s %(s)s %(t)s"
)
FORMATS = [
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"',  # gunicorn's default
    EVERY_ATOM,
    "%(s)5s|%(B)-8d|%(D)06d|%(L).3s|100%% %(m)r",  # printf specs and a literal percent
    "%(a(b))s %(h)s",  # a key with parentheses, as Python's % parses it
]


def reference_line(log_format: str, exchange: Any, duration: float, remote: Any) -> str:
    """The access log's line as it was computed before the compiled formats: ``format % atoms`` over a mapping
    that computes each of gunicorn's atoms on first lookup (its code, with ``time.strftime`` at the frozen second)."""

    class Atoms(dict):
        def __missing__(self, key: str) -> Any:
            value: Any
            if key == "h":
                value = remote(exchange) if remote is not None else None
                if not value:
                    peer = exchange.peername
                    value = peer[0] if isinstance(peer, tuple) else (peer or "-")
            elif key == "l":
                value = "-"
            elif key == "u":
                value = _user(exchange.headers.get("Authorization"))
            elif key == "t":
                value = time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(FROZEN))
            elif key == "r":
                value = f"{exchange.method} {exchange.target} HTTP/{exchange.version[0]}.{exchange.version[1]}"
            elif key == "s":
                value = exchange.status
            elif key == "b":
                value = exchange.bytes_sent or "-"
            elif key == "B":
                value = exchange.bytes_sent
            elif key == "f":
                value = exchange.headers.get("Referer", "-")
            elif key == "a":
                value = exchange.headers.get("User-Agent", "-")
            elif key == "T":
                value = int(duration)
            elif key == "D":
                value = int(duration * 1_000_000)
            elif key == "L":
                value = f"{duration:.6f}"
            elif key == "p":
                value = f"<{os.getpid()}>"
            elif key == "m":
                value = exchange.method
            elif key == "U":
                value = exchange.target.split("?", 1)[0]
            elif key == "q":
                value = exchange.target.partition("?")[2]
            elif key == "H":
                value = f"HTTP/{exchange.version[0]}.{exchange.version[1]}"
            elif key.startswith("{") and key.endswith("}i"):
                value = exchange.headers.get(key[1:-2], "-")
            elif key.startswith("{") and key.endswith("}e"):
                value = os.environ.get(key[1:-2], "-")
            else:
                value = "-"
            self[key] = value
            return value

    return log_format % Atoms()


def _user(authorization: str | None) -> str:
    if not authorization or authorization[:6].lower() != "basic ":
        return "-"
    try:
        return base64.b64decode(authorization[6:].strip()).decode("utf-8").split(":", 1)[0] or "-"
    except (ValueError, UnicodeDecodeError):
        return "-"


class Tee:
    """The registry's access logger: each finished exchange to the direct and the general logger, and its
    reference line kept."""

    def __init__(self, direct: AccessLogger, general: AccessLogger, *, reference: bool = True) -> None:
        self.direct = direct
        self.general = general
        self.reference: list[str] | None = [] if reference else None
        self.remote = direct.remote

    def log(self, exchange: Any, duration: float) -> None:
        self.direct.log(exchange, duration)
        self.general.log(exchange, duration)
        if self.reference is not None:
            self.reference.append(reference_line(self.direct.format, exchange, duration, self.direct.remote) + "\n")


def _file_logger(name: str, path: Path) -> tuple[logging.Logger, logging.FileHandler]:
    # Outside the logging manager's registry: pytest (9.2 on) adds its capture handler to every registered
    # non-propagating logger, which is configuration that rightly sends the lines down the general path.
    logger = logging.Logger(name)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, handler


@pytest.fixture
def loggers(tmp_path):
    """The direct path's logger (its one handler a plain FileHandler) and the general path's (the same, plus a
    filter passing everything); the direct one refuses records, so a line that took the general path fails."""
    direct, direct_handler = _file_logger("prefork.test.accesslog.direct", tmp_path / "direct.log")
    general, general_handler = _file_logger("prefork.test.accesslog.general", tmp_path / "general.log")
    general.addFilter(lambda record: True)
    records: list[logging.LogRecord] = []
    direct.handle = records.append  # type: ignore[method-assign]  # an instance attribute: the class is untouched
    yield direct, general, records
    direct_handler.close()
    general_handler.close()


def _app() -> web.Application:
    async def hello(request):
        return web.Response(text="hi")

    async def echo(request):
        return web.Response(body=await request.read())

    async def boom(request):
        raise RuntimeError("boom")

    async def forbidden(request):
        raise web.HTTPForbidden()

    async def stream(request):
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for chunk in (b"one ", "twö ".encode(), b"three"):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def empty_stream(request):
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write_eof()
        return response

    async def ws(request):
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            await socket.send_str(message.data)
        return socket

    app = web.Application()
    app.router.add_route("GET", "/", hello)
    app.router.add_route("HEAD", "/", hello)
    app.router.add_route("GET", "/café/✓", hello)
    app.router.add_route("POST", "/echo", echo)
    app.router.add_route("GET", "/boom", boom)
    app.router.add_route("GET", "/forbidden", forbidden)
    app.router.add_route("GET", "/stream", stream)
    app.router.add_route("GET", "/empty-stream", empty_stream)
    app.router.add_route("GET", "/ws", ws)
    return app


BASIC = "Basic " + base64.b64encode(b"alice:secret").decode()
ODD_REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: t\r\n\r\n",  # no Referer, no User-Agent
    b'GET /?q=1&x=%22 HTTP/1.1\r\nHost: t\r\nUser-Agent: probe "quoted" 1.0\r\nReferer: http://r/\xc3\xa9\r\n\r\n',
    b"GET /caf%C3%A9/%E2%9C%93?q=%E2%9C%93 HTTP/1.1\r\nHost: t\r\n\r\n",  # unicode, percent-encoded
    b"GET /caf\xc3\xa9/\xe2\x9c\x93 HTTP/1.1\r\nHost: t\r\n\r\n",  # and raw (refused: RFC 3986 section 2)
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: t\r\nX-Custom: a\r\nx-custom: b\r\n\r\n",
    b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n",  # 500
    b"GET /missing HTTP/1.1\r\nHost: t\r\nAuthorization: " + BASIC.encode() + b"\r\n\r\n",  # 404, %(u)s alice
    b"GET /forbidden HTTP/1.1\r\nHost: t\r\nAuthorization: Basic !!notbase64\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n",  # unknown length, chunked
    b"GET /empty-stream HTTP/1.1\r\nHost: t\r\n\r\n",  # nothing sent: %(b)s is '-'
    b"GET /stream HTTP/1.0\r\n\r\n",  # unknown length, to the close
    b"GET / HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.7\r\n\r\n",  # a trusted proxy's client
    b"DELETE / HTTP/1.1\r\nHost: t\r\n\r\n",  # 405
    b"GET " + b"/long" * 200 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
]


async def _send(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        if b"HTTP/1.0" not in payload.split(b"\r\n", 1)[0] or b"keep-alive" in payload:
            writer.write(b"GET /?last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.parametrize("log_format", FORMATS)
async def test_direct_path_writes_what_the_general_path_and_the_reference_write(
    tmp_path, loggers, monkeypatch, log_format
):
    monkeypatch.setattr(server.accesslog, "_clock", lambda: FROZEN)
    monkeypatch.setenv("ACCESSLOG_TEST_VAR", "from the environment")
    direct, general, records = loggers
    factory = _app().make_handler(access_log=direct, access_log_format=log_format)
    fast = factory.connections.access_logger
    assert fast is not None and plain_handler(direct) is not None and plain_handler(general) is None
    tee = Tee(fast, AccessLogger(general, log_format, fast.remote))
    factory.connections.access_logger = tee  # type: ignore[assignment]
    srv = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        for _ in range(3):
            answers = await asyncio.gather(*(_send(port, payload) for payload in ODD_REQUESTS))
            assert all(answer.startswith(b"HTTP/1.") for answer in answers), answers
            # a keep-alive connection with pipelined requests, and many in one loop iteration
            await _send(port, b"".join(ODD_REQUESTS[i] for i in (0, 1, 5, 6, 9, 12)) * 20)
        url = f"http://127.0.0.1:{port}/ws"
        async with aiohttp.ClientSession() as session, session.ws_connect(url, headers={"User-Agent": "ws/1"}) as ws:
            await ws.send_str("ping")
            assert (await ws.receive()).data == "ping"
    finally:
        srv.close()
        await factory.shutdown(timeout=5, grace=0)
        await srv.wait_closed()
    await asyncio.sleep(0)  # the loop iteration's flush has run: nothing is left in a buffer
    assert records == []  # every line took the direct path
    assert tee.reference is not None
    expected = "".join(tee.reference)
    assert len(tee.reference) > 3 * len(ODD_REQUESTS) + 120
    assert "%(r)s" not in log_format or "/ws HTTP/1.1" in expected  # the websocket's, written when it closed
    direct_text = (tmp_path / "direct.log").read_bytes()
    general_text = (tmp_path / "general.log").read_bytes()
    assert direct_text == general_text
    assert direct_text == expected.encode()


async def test_configured_logging_takes_the_general_path_from_the_next_loop_iteration(tmp_path, loggers):
    direct, _, records = loggers
    factory = _app().make_handler(access_log=direct, access_log_format="%(r)s %(s)s")
    srv = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        await _send(port, ODD_REQUESTS[0])
        assert records == []
        extra = logging.Handler()  # a user adds a handler: each line must now reach both as a record
        direct.addHandler(extra)
        try:
            await _send(port, ODD_REQUESTS[0])
        finally:
            direct.removeHandler(extra)
    finally:
        srv.close()
        await factory.shutdown(timeout=5, grace=0)
        await srv.wait_closed()
    assert [r.getMessage() for r in records] == ["GET / HTTP/1.1 200", "GET /?last HTTP/1.1 200"]
    assert (tmp_path / "direct.log").read_text() == "GET / HTTP/1.1 200\nGET /?last HTTP/1.1 200\n"


@pytest.mark.parametrize("log_format", ["%(h)s %s", "%(s)d %(h)d", "%(h)s %(s", "%(s)*d", "100%"])
async def test_a_bad_format_is_reported_alike_on_both_paths(loggers, log_format):
    direct, general, records = loggers
    general_records: list[logging.LogRecord] = []
    general.handle = general_records.append  # type: ignore[method-assign]
    factory = _app().make_handler(access_log=direct, access_log_format=log_format)
    fast = factory.connections.access_logger
    tee = Tee(fast, AccessLogger(general, log_format, fast.remote), reference=False)
    factory.connections.access_logger = tee  # type: ignore[assignment]
    srv = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
    try:
        await _send(srv.sockets[0].getsockname()[1], ODD_REQUESTS[0])
    finally:
        srv.close()
        await factory.shutdown(timeout=5, grace=0)
        await srv.wait_closed()
    summary = [(r.levelname, r.getMessage(), r.exc_info[0]) for r in records]  # type: ignore[index]
    assert summary == [(r.levelname, r.getMessage(), r.exc_info[0]) for r in general_records]  # type: ignore[index]
    assert summary == [("ERROR", f"bad access log format {log_format!r}", summary[0][2])] * 2


async def test_a_handler_with_its_own_flush_gets_a_record_per_line(tmp_path):
    # The direct path runs StreamHandler.flush's body itself: a subclass's flush must see every line, as a record.
    flushed: list[str] = []

    class Flushing(logging.FileHandler):
        def flush(self) -> None:
            flushed.append("flush")
            super().flush()

    logger = logging.Logger("prefork.test.accesslog.flushing")
    handler = Flushing(tmp_path / "flushing.log", encoding="utf-8")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    assert plain_handler(logger) is None
    access = AccessLogger(logger, "%(m)s %(U)s")
    loop = asyncio.get_running_loop()
    exchange = detached_exchange("GET", "/x", [("Host", "t")], too_large=lambda *_: ValueError(), loop=loop)
    access.log(exchange, 0.001)
    access.log(exchange, 0.001)
    await asyncio.sleep(0)
    assert flushed == ["flush", "flush"]
    handler.close()
    assert (tmp_path / "flushing.log").read_text() == "GET /x\nGET /x\n"


class _WatchedLock:
    """A handler's lock that tells when someone asks for it."""

    def __init__(self, lock: Any, asked: threading.Event) -> None:
        self.lock, self.asked = lock, asked

    def acquire(self, *args: Any) -> bool:
        self.asked.set()
        return self.lock.acquire(*args)

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


async def test_the_direct_path_writes_under_the_handlers_lock(tmp_path):
    """Another thread's record to the same handler, written under its lock (as ``Handler.handle`` does), stays
    whole: the iteration's lines wait for the lock instead of landing inside it."""
    logger, handler = _file_logger("prefork.test.accesslog.locked", tmp_path / "locked.log")
    access = AccessLogger(logger, "%(m)s %(U)s")
    loop = asyncio.get_running_loop()
    exchange = detached_exchange("GET", "/x", [("Host", "t")], too_large=lambda *_: ValueError(), loop=loop)
    held, asked = threading.Event(), threading.Event()

    def other_thread() -> None:
        with handler.lock:
            handler.stream.write("other record: ")
            held.set()
            asked.wait(10)  # the loop's flush is waiting for the lock (bounded: a flush that never asks fails below)
            handler.stream.write("whole\n")

    thread = threading.Thread(target=other_thread)
    thread.start()
    try:
        await asyncio.to_thread(held.wait, 10)
        handler.lock = _WatchedLock(handler.lock, asked)  # type: ignore[assignment]
        access.log(exchange, 0.001)
        access.log(exchange, 0.001)
        await asyncio.sleep(0)  # the iteration's flush runs, waiting for the other thread's record
    finally:
        thread.join(10)
        handler.close()
    assert (tmp_path / "locked.log").read_text() == "other record: whole\nGET /x\nGET /x\n"


async def test_lines_gathered_before_the_handler_closes_go_first(tmp_path):
    """A handler closed in the middle of a loop iteration (a reload): the lines gathered for it reach the logger
    before the first line that finds it closed, in order, none lost."""
    logger, handler = _file_logger("prefork.test.accesslog.closing", tmp_path / "closing.log")
    access = AccessLogger(logger, "%(U)s")
    loop = asyncio.get_running_loop()
    first, second, third = (
        detached_exchange("GET", path, [("Host", "t")], too_large=lambda *_: ValueError(), loop=loop)
        for path in ("/1", "/2", "/3")
    )
    access.log(first, 0.001)
    access.log(second, 0.001)
    handler.close()  # a FileHandler reopens its file on the next record
    access.log(third, 0.001)
    await asyncio.sleep(0)
    handler.close()
    assert (tmp_path / "closing.log").read_text() == "/1\n/2\n/3\n"


_ATOM_KEYS = [*server.accesslog._ATOMS, "{User-Agent}i", "{x-custom}i", "{ACCESSLOG_TEST_VAR}e", "zz", "a(b)"]
_TEXT = st.text(alphabet=st.sampled_from(list("ab {}()'\"\\N%é✓\n\t")), max_size=6).map(lambda t: t.replace("%", "%%"))
_CONVERSION = st.tuples(st.sampled_from(_ATOM_KEYS), st.sampled_from(["s", "s", "r", "a", "5s", "-3s", "d"]))


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.tuples(_TEXT, _CONVERSION), max_size=8),
    tail=_TEXT,
    fields=st.lists(st.sampled_from([("User-Agent", 'ua "1"'), ("X-Custom", "{c}"), ("Referer", "r\\é")]), max_size=3),
)
def test_a_compiled_line_is_format_percent_atoms(pieces, tail, fields) -> None:
    # Bare s/r/a conversions are joined by an f-string, others by %: both as ``format % atoms`` (the general path),
    # including the exception a conversion raises (%d of a '-').
    log_format = "".join(f"{text}%({key}){spec}" for text, (key, spec) in pieces) + tail
    loop = uvloop.new_event_loop()
    try:
        exchange = detached_exchange(
            "GET", "/p?q={1}", [("Host", "t"), *fields], too_large=lambda *_: ValueError(), loop=loop
        )
        exchange.status, exchange.bytes_sent = 200, 0
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(server.accesslog, "_clock", lambda: FROZEN)
            try:
                expected: Any = log_format % server.accesslog._Atoms(exchange, 0.25, None)
            except Exception as exc:
                expected = (type(exc), str(exc))
            try:
                line: Any = compile_format(log_format)(exchange, 0.25)
            except Exception as exc:
                line = (type(exc), str(exc))
        assert line == expected
    finally:
        loop.close()

"""web.runner.run_app: a real process, stopped by a signal, runs every shutdown step in order.

Each test writes a small app script into a temp dir and runs it with this interpreter. The app appends to a marker
file from its on_shutdown, register_on_finish and on_cleanup callbacks, so the test sees what ran after the exit.
"""

import os
import selectors
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest

import web
from web.runner import run_app

ROOT = Path(__file__).resolve().parents[2]

APP = """
import asyncio, os, sys
sys.path.insert(0, {root!r})
import web
from web.runner import run_app

MARKS = {marks!r}

def mark(what):
    with open(MARKS, "a") as f:
        f.write(what + "\\n")

async def hello(request):
    return web.Response(text="hello")

async def slow(request):
    mark("slow-start")
    await asyncio.sleep(0.5)
    return web.Response(text="slow done")

async def on_startup(app):
    mark("startup")

async def on_shutdown(app):
    mark("shutdown")

async def on_cleanup(app):
    mark("cleanup")

async def create_app():
    app = web.Application()
    app.router.add_route("GET", "/", hello)
    app.router.add_route("GET", "/slow", slow)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    app.register_on_finish(mark, "finish")
    return app

{run}
"""


def start(tmp_path: Path, run: str) -> tuple[subprocess.Popen[str], Path]:
    marks = tmp_path / "marks.txt"
    script = tmp_path / "serve.py"
    script.write_text(APP.format(root=str(ROOT), marks=str(marks), run=textwrap.dedent(run)))
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path
    )
    return proc, marks


def read_banner(proc: subprocess.Popen[str], timeout: float = 10.0) -> list[str]:
    """The banner's lines, read as they come (bounded wait); the URLs are in the ``Running on`` lines."""
    # Raw reads on the descriptor: a buffered readline could swallow the next line where select() cannot see it.
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while b"(Press CTRL+C to quit)\n" not in data and time.monotonic() < deadline:
            if not sel.select(deadline - time.monotonic()):
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    lines = data.decode().splitlines()
    if "(Press CTRL+C to quit)" not in lines:
        proc.kill()
        raise AssertionError(f"no banner within {timeout}s: {lines}, stderr: {proc.communicate()[1]}")
    return lines


def url_of(lines: list[str]) -> str:
    line = next(line for line in lines if line.startswith("======== Running on "))
    return line.removeprefix("======== Running on ").removesuffix(" ========")


def get(url: str, timeout: float = 5.0) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, resp.read().decode(), resp.headers.get("Connection", "")


def stop(proc: subprocess.Popen[str], signum: int) -> tuple[int, str]:
    proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_it_and_every_shutdown_step_runs(tmp_path: Path, signum: int) -> None:
    proc, marks = start(tmp_path, "run_app(create_app(), host='127.0.0.1', port=0)")
    lines = read_banner(proc)
    url = url_of(lines)
    assert url.startswith("http://127.0.0.1:")
    assert lines[-1] == "(Press CTRL+C to quit)"
    assert get(url + "/")[:2] == (200, "hello")
    code, err = stop(proc, signum)
    assert code == 0, err
    assert marks.read_text().split() == ["startup", "shutdown", "finish", "cleanup"]


def test_a_request_in_flight_is_answered_before_the_stop(tmp_path: Path) -> None:
    proc, marks = start(tmp_path, "run_app(create_app(), host='127.0.0.1', port=0)")
    url = url_of(read_banner(proc))
    result: list[tuple[int, str, str]] = []
    client = threading.Thread(target=lambda: result.append(get(url + "/slow")))
    client.start()
    deadline = time.monotonic() + 5
    while "slow-start" not in (marks.read_text() if marks.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.01)
    code, err = stop(proc, signal.SIGINT)
    client.join(5)
    assert code == 0, err
    assert result == [(200, "slow done", "close")]
    assert marks.read_text().split()[-3:] == ["shutdown", "finish", "cleanup"]


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "not-debug"])
def test_access_log_goes_to_stderr_in_debug_mode(tmp_path: Path, debug: bool) -> None:
    # As aiohttp's run_app: the default access logger, left unconfigured, is shown on a loop in debug mode only.
    run = f"""
    loop = asyncio.new_event_loop()
    loop.set_debug({debug})
    run_app(create_app(), host='127.0.0.1', port=0, loop=loop)
    """
    proc, _ = start(tmp_path, run)
    url = url_of(read_banner(proc))
    get(url + "/?x=1")
    _, err = stop(proc, signal.SIGINT)
    assert ('"GET /?x=1 HTTP/1.1" 200' in err) is debug


def test_a_unix_socket_is_served_and_removed(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    proc, _ = start(tmp_path, f"run_app(create_app(), path={str(path)!r}, access_log=None)")
    lines = read_banner(proc)
    assert url_of(lines) == f"http://unix:{path}:"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"hello")
    code, err = stop(proc, signal.SIGINT)
    assert code == 0, err
    assert not path.exists()


def test_an_already_bound_socket(tmp_path: Path) -> None:
    run = """
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    run_app(create_app(), sock=sock)
    """
    proc, _ = start(tmp_path, run)
    url = url_of(read_banner(proc))
    assert get(url + "/")[1] == "hello"
    assert stop(proc, signal.SIGINT)[0] == 0


def test_without_signal_handlers_ctrl_c_is_a_graceful_stop(tmp_path: Path) -> None:
    # As aiohttp's run_app: the KeyboardInterrupt ends the run, which returns after the shutdown.
    run = """
    try:
        run_app(create_app(), host="127.0.0.1", port=0, handle_signals=False)
    except KeyboardInterrupt:
        mark("KeyboardInterrupt")
    else:
        mark("returned")
    """
    proc, marks = start(tmp_path, run)
    url = url_of(read_banner(proc))
    assert get(url + "/")[1] == "hello"
    code, err = stop(proc, signal.SIGINT)
    assert code == 0, err
    assert marks.read_text().split() == ["startup", "shutdown", "finish", "cleanup", "returned"]


def test_print_none_is_silent_and_print_can_be_replaced(tmp_path: Path) -> None:
    run = """
    import signal, threading
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    run_app(create_app(), host="127.0.0.1", port=0, print=None)
    print("(Press CTRL+C to quit)", flush=True)
    """
    proc, _ = start(tmp_path, run)
    assert read_banner(proc) == ["(Press CTRL+C to quit)"]  # only the script's own line: run_app printed nothing
    proc.communicate(timeout=10)


# -- in-process: what is refused before anything listens -----------------------------------------------------------


def test_a_factory_instead_of_an_application_is_named() -> None:
    async def create_app() -> web.Application:
        return web.Application()

    with pytest.raises(TypeError, match=r"got function: pass web.Application\(\) or create_app\(\), not create_app"):
        run_app(create_app, print=None, handle_signals=False)


def test_a_failing_startup_propagates_after_cleanup() -> None:
    app = web.Application()
    ran: list[str] = []

    async def on_startup(app: web.Application) -> None:
        raise RuntimeError("database unreachable")

    async def on_cleanup(app: web.Application) -> None:
        ran.append("cleanup")

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    with pytest.raises(RuntimeError, match="database unreachable"):
        run_app(app, host="127.0.0.1", port=0, print=None, handle_signals=False)
    assert ran == ["cleanup"]


def test_signal_handlers_are_gone_after_the_run() -> None:
    app = web.Application()

    async def on_startup(app: web.Application) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # served for an instant, then stopped by our own handler

    app.on_startup.append(on_startup)
    before = signal.getsignal(signal.SIGTERM)
    run_app(app, host="127.0.0.1", port=0, print=None)
    assert signal.getsignal(signal.SIGTERM) == before

"""Socket activation: descriptors from 3 up, as systemd (and its own ``systemd-socket-activate``) pass them.

The parser runs in a child process that arranges its descriptors the way systemd does, since the test process's
own fd 3 belongs to someone else. The process tests run the real ``prefork`` under ``systemd-socket-activate``,
and under a stand-in for a ``.socket`` unit that restarts the service while the socket stays open.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from http_client import read_response
from load import Load
from masters import APPS, get, in_thread

ROOT = str(Path(__file__).resolve().parents[2])

needs_tool = pytest.mark.skipif(
    shutil.which("systemd-socket-activate") is None, reason="systemd-socket-activate not installed (Debian: systemd)"
)

# Runs in a child: move the given descriptors to 3, 4, ... as systemd would, then report what listen_fds() sees.
PROBE = textwrap.dedent(
    """
    import fcntl, json, os, socket, sys
    sys.path.insert(0, sys.argv[1])
    from supervisor.activation import listen_fds, is_listening
    if os.environ.get("PROBE_ARRANGE"):
        sources = [int(fd) for fd in os.environ.pop("PROBE_ARRANGE").split(",")]
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in sources]
        for fd in sources:
            os.close(fd)
        for offset, fd in enumerate(high):
            os.dup2(fd, 3 + offset)
            os.close(fd)
        if os.environ.get("LISTEN_PID") == "self":
            os.environ["LISTEN_PID"] = str(os.getpid())
    try:
        found = listen_fds()
    except Exception as exc:
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
        sys.exit(0)
    print(json.dumps({
        "sockets": [
            [name, sock.family.name, sock.type.name, is_listening(sock), sock.fileno(),
             bool(fcntl.fcntl(sock.fileno(), fcntl.F_GETFD) & fcntl.FD_CLOEXEC)]
            for name, sock in found
        ],
        "env": sorted(k for k in os.environ if k.startswith("LISTEN_")),
    }))
    """
)


def probe(fds: list, env: dict[str, str]) -> dict:
    numbers = [f if isinstance(f, int) else f.fileno() for f in fds]
    full_env = {**os.environ, **env, "PROBE_ARRANGE": ",".join(map(str, numbers))}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, ROOT], env=full_env, pass_fds=numbers, capture_output=True, timeout=10, check=True
    )
    return json.loads(out.stdout)


@pytest.fixture
def listeners(tmp_path):
    tcp4 = socket.create_server(("127.0.0.1", 0))
    tcp6 = socket.create_server(("::1", 0), family=socket.AF_INET6)
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(str(tmp_path / "s.sock"))
    unix.listen()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    socks = [tcp4, tcp6, unix, udp]
    yield socks
    for sock in socks:
        sock.close()


def test_family_type_and_names_come_from_the_descriptors(listeners):
    got = probe(listeners, {"LISTEN_FDS": "4", "LISTEN_PID": "self", "LISTEN_FDNAMES": "web:web6:local:metrics"})
    assert got["sockets"] == [
        ["web", "AF_INET", "SOCK_STREAM", True, 3, True],
        ["web6", "AF_INET6", "SOCK_STREAM", True, 4, True],
        ["local", "AF_UNIX", "SOCK_STREAM", True, 5, True],
        ["metrics", "AF_INET", "SOCK_DGRAM", False, 6, True],  # not a listener an HTTP server can use
    ]
    assert got["env"] == []  # unset once read, as sd_listen_fds(unset_environment=1)


def test_names_default_to_unknown(listeners):
    got = probe(listeners[:2], {"LISTEN_FDS": "2", "LISTEN_PID": "self"})
    assert [s[0] for s in got["sockets"]] == ["unknown", "unknown"]


def test_a_name_count_that_does_not_line_up_is_ignored(listeners):
    got = probe(listeners[:2], {"LISTEN_FDS": "2", "LISTEN_PID": "self", "LISTEN_FDNAMES": "only-one"})
    assert [s[0] for s in got["sockets"]] == ["unknown", "unknown"]


@pytest.mark.parametrize("listen_pid", ["1", "", "junk"])
def test_sockets_meant_for_another_process_are_left_alone(listeners, listen_pid):
    got = probe(listeners[:1], {"LISTEN_FDS": "1", "LISTEN_PID": listen_pid})
    assert got == {"sockets": [], "env": []}


def test_not_a_socket_is_an_error_naming_the_descriptor():
    r, w = os.pipe()
    try:
        got = probe([r], {"LISTEN_FDS": "1", "LISTEN_PID": "self", "LISTEN_FDNAMES": "oops"})
    finally:
        os.close(r)
        os.close(w)
    assert got["error"] == "ActivationError"
    assert "fd 3 (oops) is not a socket" in got["message"]


def test_no_variables_no_sockets():
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
    out = subprocess.run([sys.executable, "-c", PROBE, ROOT], env=env, capture_output=True, timeout=10, check=True)
    assert json.loads(out.stdout) == {"sockets": [], "env": []}


def test_keeps_the_variables_when_asked():
    from supervisor.activation import listen_fds

    env = {"LISTEN_FDS": "1", "LISTEN_PID": "1"}
    assert listen_fds(env, unset=False) == []
    assert env == {"LISTEN_FDS": "1", "LISTEN_PID": "1"}


@needs_tool
def test_systemd_socket_activate_hands_over_what_it_says(tmp_path, unused_port):
    port = unused_port()
    path = tmp_path / "a.sock"
    tool = subprocess.Popen(
        [
            "systemd-socket-activate",
            "-l",
            f"127.0.0.1:{port}",
            "-l",
            str(path),
            "--fdname=web:local",
            sys.executable,
            "-c",
            PROBE,
            ROOT,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        with _connect_when_listening(port):  # the tool execs the service on the first connection
            out, _ = tool.communicate(timeout=10)
    finally:
        tool.kill()
        tool.wait()
    got = json.loads(out)
    assert got["sockets"] == [
        ["web", "AF_INET", "SOCK_STREAM", True, 3, True],
        ["local", "AF_UNIX", "SOCK_STREAM", True, 4, True],
    ]


def _connect_when_listening(port: int, timeout: float = 5.0) -> socket.socket:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


# -- the real prefork under socket activation --------------------------------------------------------------------

# A stand-in for systemd with a .socket unit: it holds the passed sockets and runs the service as a child that
# receives them (LISTEN_PID set to the child's own pid). SIGUSR1 stops the service (TERM, wait);
# SIGUSR2 starts it again: what `systemctl restart` does while the socket unit stays up.
MANAGER = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    count = int(os.environ.pop("LISTEN_FDS"))
    os.environ.pop("LISTEN_PID", None)
    fds = tuple(range(3, 3 + count))
    status = sys.argv[1]
    command = sys.argv[2:]
    child = None

    def note(text):
        with open(status, "a") as f:
            f.write(text + "\\n")

    def start():
        global child
        env = dict(os.environ, LISTEN_FDS=str(count))
        child = subprocess.Popen(
            ["sh", "-c", 'export LISTEN_PID=$$; exec "$0" "$@"', *command], env=env, pass_fds=fds
        )
        note(f"started {child.pid}")

    def stop():
        child.send_signal(signal.SIGTERM)
        note(f"stopped {child.pid} {child.wait()}")

    pending = []
    signal.signal(signal.SIGUSR1, lambda *a: pending.append(stop))
    signal.signal(signal.SIGUSR2, lambda *a: pending.append(start))
    signal.signal(signal.SIGTERM, lambda *a: pending.append(None))
    start()
    while True:
        while not pending:
            time.sleep(0.01)
        action = pending.pop(0)
        if action is None:
            if child.poll() is None:
                stop()
            break
        action()
    """
)


class Activated:
    """``systemd-socket-activate -l 127.0.0.1:PORT`` running the manager above, which runs prefork."""

    def __init__(self, tmp_path: Path, port: int, args: tuple[str, ...] = ("-w", "2")) -> None:
        self.port = port
        self.status = tmp_path / "status.txt"
        self.log = tmp_path / "error.log"
        self.markers = tmp_path / "markers"
        self.markers.mkdir()
        script = tmp_path / "manager.py"
        script.write_text(MANAGER)
        prefork = [sys.executable, "-m", "supervisor", "--chdir", APPS, "--error-logfile", str(self.log)]
        prefork += [*args, "--drain-grace", "0.3", "demo:create_app"]
        env = {k: v for k, v in os.environ.items() if k != "PREFORK_CMD_ARGS"}
        env["PYTHONPATH"] = ROOT
        self.proc = subprocess.Popen(
            [
                "systemd-socket-activate",
                "-l",
                f"127.0.0.1:{port}",
                f"--setenv=DEMO_MARKERS={self.markers}",  # the tool passes on only what it is told to
                sys.executable,
                str(script),
                str(self.status),
                *prefork,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def lines(self) -> list[str]:
        return self.status.read_text().splitlines() if self.status.exists() else []

    def wait_line(self, prefix: str, count: int = 1, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines() if line.startswith(prefix)]
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.02)
        raise AssertionError(f"{prefix!r} x{count} not in {self.lines()}")

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def wait_ready(self, count: int = 1, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.log_text().count("ready: ") < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"not ready x{count}:\n{self.log_text()[-2000:]}")
            time.sleep(0.02)

    def masters(self) -> list[int]:
        try:
            return [p.pid for p in psutil.Process(self.proc.pid).children() if p.status() != psutil.STATUS_ZOMBIE]
        except psutil.NoSuchProcess:
            return []

    def close(self) -> None:
        try:
            family = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            family = []
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        for proc in family:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        self.proc.wait(5)


def _activate(tmp_path: Path, port: int, args: tuple[str, ...] = ("-w", "2")):
    if shutil.which("systemd-socket-activate") is None:
        pytest.skip("systemd-socket-activate not installed (Debian: systemd)")
    service = Activated(tmp_path, port, args)
    try:
        # The tool listens, then starts the service on the first connection; this one just wakes it up.
        _connect_when_listening(service.port).close()
        service.wait_line("started")
    except BaseException:
        service.close()
        raise
    yield service
    service.close()


@pytest.fixture
def activated(tmp_path, unused_port):
    yield from _activate(tmp_path, unused_port())


@pytest.fixture
def activated_at_limit(tmp_path, unused_port):
    """One worker that serves one connection at a time: the next ones wait in the listen queue."""
    yield from _activate(tmp_path, unused_port(), ("-w", "1", "--worker-connections", "1"))


async def test_prefork_serves_the_passed_socket_instead_of_binding_its_own(activated):
    status, _, body = await get(activated.port, "/", timeout=15)
    assert status == 200
    assert body.startswith(b"hello from ")
    await in_thread(activated.wait_ready)
    assert f"listening at http://127.0.0.1:{activated.port} " in activated.log_text()
    assert "127.0.0.1:8000" not in activated.log_text()  # no bind of its own (the default): the passed socket is used


async def test_a_request_sent_while_prefork_is_down_is_served_after_the_restart(activated):
    assert (await get(activated.port, "/", timeout=15))[0] == 200
    os.kill(activated.proc.pid, signal.SIGUSR1)  # systemctl stop: the service goes, the socket stays
    await in_thread(activated.wait_line, "stopped")
    assert activated.wait_line("stopped").endswith(" 0")  # the master stopped cleanly

    reader, writer = await asyncio.open_connection("127.0.0.1", activated.port)  # the kernel queues it
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        await writer.drain()  # on loopback the request is in the kernel's queue now; nobody is accepting
        os.kill(activated.proc.pid, signal.SIGUSR2)  # systemctl start
        async with asyncio.timeout(15):
            status, _, body = await read_response(reader)
    finally:
        writer.close()
        await writer.wait_closed()
    assert status == 200
    second = int(activated.wait_line("started", 2).split()[1])
    served_by = int(body.decode().rsplit(" ", 1)[1])
    assert psutil.Process(served_by).ppid() == second  # a worker of the new master answered


async def test_a_restart_under_load_fails_nothing(activated):
    assert (await get(activated.port, "/", timeout=15))[0] == 200
    await in_thread(activated.wait_ready)
    load = Load(activated.port, concurrency=6).start()
    try:
        await load.until(100)
        os.kill(activated.proc.pid, signal.SIGUSR1)
        os.kill(activated.proc.pid, signal.SIGUSR2)  # queued: start right after the stop, as a restart does
        await in_thread(activated.wait_line, "started", 2)
        await in_thread(activated.wait_ready, 2)
        await load.until(100)
    finally:
        await load.stop()
    assert load.failed == 0, load.errors


async def test_connections_queued_in_systemds_socket_at_a_stop_wait_for_the_next_start(activated_at_limit):
    """The socket is systemd's: a stop leaves what is queued in it to the next start, and resets nothing."""
    activated = activated_at_limit
    assert (await get(activated.port, "/", timeout=15))[0] == 200
    await in_thread(activated.wait_ready)
    busy_r, busy_w = await asyncio.open_connection("127.0.0.1", activated.port)
    queued_r, queued_w = await asyncio.open_connection("127.0.0.1", activated.port)
    try:
        busy_w.write(b"GET /slow?t=0.5 HTTP/1.1\r\nHost: t\r\n\r\n")  # the one worker's one connection
        await in_thread(_wait_until, lambda: list(activated.markers.glob("slow-*")))
        queued_w.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")  # waits in the listen queue
        await queued_w.drain()
        os.kill(activated.proc.pid, signal.SIGUSR1)  # systemctl stop, while the worker is at its limit
        async with asyncio.timeout(10):
            status, _, body = await read_response(busy_r)
        assert status == 200 and body.startswith(b"slow done")
        assert (await in_thread(activated.wait_line, "stopped")).endswith(" 0")
        with pytest.raises(TimeoutError):  # neither answered nor reset: still queued in systemd's socket
            async with asyncio.timeout(0.3):
                await queued_r.read(1)
        os.kill(activated.proc.pid, signal.SIGUSR2)  # systemctl start
        async with asyncio.timeout(15):
            status, _, body = await read_response(queued_r)
    finally:
        busy_w.close()
        queued_w.close()
    assert status == 200
    second = int(activated.wait_line("started", 2).split()[1])
    assert psutil.Process(int(body.decode().rsplit(" ", 1)[1])).ppid() == second  # the new master's worker


def _wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)

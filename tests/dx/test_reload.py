"""supervisor.reload: an edited source file restarts the server within a bounded wait, never a fixed sleep.

The end-to-end tests run ``python -m supervisor.reload -- python -m supervisor ...`` (the ``prefork`` command) on
an app in a temp dir, edit the app, and poll over HTTP until the new code answers.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from supervisor.reload import Reloader, describe, python_filter

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0  # the bound of every wait below; a pass takes well under a second of it


def until(
    condition: Callable[[], object],
    what: str,
    timeout: float = WAIT,
    poke: Callable[[], None] | None = None,
    poke_every: float = 3.0,
):
    """Poll ``condition`` until it is truthy; every ``poke_every`` s call ``poke`` (write the file again, in case
    the watcher was not running yet when it was written; not more often, or the restarts would never settle)."""
    deadline = time.monotonic() + timeout
    next_poke = time.monotonic() + poke_every
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        if poke is not None and time.monotonic() >= next_poke:
            poke()
            next_poke = time.monotonic() + poke_every
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# -- the watcher itself --------------------------------------------------------------------------------------------


def test_reloader_reports_an_edited_python_file(tmp_path: Path) -> None:
    batches: list[set] = []
    fired = threading.Event()
    reloader = Reloader([tmp_path], lambda changes: (batches.append(changes), fired.set())).start()
    try:
        target = tmp_path / "views.py"
        # The watcher needs a moment to start: write again until it has seen a write (bounded).
        until(
            fired.is_set,
            "the reloader to see views.py",
            poke=lambda: target.write_text(f"x = {time.time()}\n"),
            poke_every=0.2,
        )
    finally:
        reloader.stop()
    assert any(path == str(target) for batch in batches for _, path in batch)


def test_reloader_ignores_files_that_are_not_source(tmp_path: Path) -> None:
    seen: list[str] = []
    fired = threading.Event()

    def on_change(changes: set) -> None:
        seen.extend(path for _, path in changes)
        fired.set()

    reloader = Reloader([tmp_path], on_change).start()
    try:
        (tmp_path / "__pycache__").mkdir()
        sentinel = tmp_path / "zz_sentinel.py"

        def poke() -> None:
            (tmp_path / "notes.txt").write_text(str(time.time()))
            (tmp_path / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"x")
            (tmp_path / "views.py.swp").write_text("x")
            sentinel.write_text(f"x = {time.time()}\n")  # written last: once it is seen, the others were too

        until(fired.is_set, "the sentinel", poke=poke, poke_every=0.2)
    finally:
        reloader.stop()
    assert set(seen) == {str(sentinel)}


def test_extra_extensions_are_watched() -> None:
    from watchfiles import Change

    assert python_filter([".html"])(Change.modified, "/app/templates/page.html")
    assert python_filter(["toml"])(Change.modified, "/app/settings.toml")
    assert not python_filter()(Change.modified, "/app/templates/page.html")
    assert python_filter()(Change.added, "/app/views.py")


def test_describe_names_a_few_files() -> None:
    changes = {(1, f"/app/m{i}.py") for i in range(5)}
    assert describe(changes, "/app") == "m0.py, m1.py, m2.py (+2 more)"


def test_stop_returns_promptly(tmp_path: Path) -> None:
    reloader = Reloader([tmp_path], lambda changes: None).start()
    started = time.monotonic()
    reloader.stop()
    assert time.monotonic() - started < 2
    assert reloader._thread is not None and not reloader._thread.is_alive()


# -- the runner around a real command ------------------------------------------------------------------------------

APP = """
import web

async def hello(request):
    return web.Response(text={text!r})

app = web.Application()
app.router.add_route("GET", "/", hello)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
            return resp.read().decode()
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "myapp.py").write_text(APP.format(text="v1"))
    return tmp_path


@pytest.fixture
def run_reloader(project: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []

    def run(*args: str) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "supervisor.reload", "--path", str(project), *args],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        procs.append(proc)
        return proc

    yield run
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


def prefork(port: int, *extra: str) -> list[str]:
    return ["--", sys.executable, "-m", "supervisor", "--bind", f"127.0.0.1:{port}", "--workers", "1", *extra]


def edit(project: Path, text: str) -> Callable[[], None]:
    """Write the app with ``text``; returned as a poke so that a write the watcher missed is repeated."""

    def write() -> None:
        (project / "myapp.py").write_text(APP.format(text=text))

    write()
    return write


@pytest.mark.parametrize("mode", [[], ["--hup"]], ids=["restart", "hup"])
def test_an_edit_is_served_within_seconds(project: Path, run_reloader, mode: list[str]) -> None:
    port = free_port()
    proc = run_reloader(*mode, *prefork(port, "myapp:app"))
    until(lambda: fetch(port) == "v1", "the first version")
    poke = edit(project, "v2")
    until(lambda: fetch(port) == "v2", "the edited version", poke=poke)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out
    assert "myapp.py changed" in out
    assert fetch(port) is None  # the whole process group is gone


@pytest.mark.parametrize("mode", [[], ["--hup"]], ids=["restart", "hup"])
def test_a_broken_edit_recovers_at_the_next_save(project: Path, run_reloader, mode: list[str]) -> None:
    port = free_port()
    proc = run_reloader(*mode, *prefork(port, "myapp:app"))
    until(lambda: fetch(port) == "v1", "the first version")
    flag = project / "broken.flag"  # not a source file: writing it triggers nothing

    def write_broken() -> None:
        (project / "myapp.py").write_text(
            f"import pathlib\npathlib.Path({str(flag)!r}).touch()\nraise ValueError('broken on purpose')\n"
        )

    write_broken()
    until(flag.exists, "the broken version to be imported", poke=write_broken)
    if mode:
        # HUP: the new worker could not boot, so the old one is still serving the old code
        assert fetch(port) == "v1"
    else:
        until(lambda: fetch(port) is None, "the broken version to stop the server")
    poke = edit(project, "v3")
    until(lambda: fetch(port) == "v3", "the fixed version", poke=poke)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=15)
    assert "broken on purpose" in out, out


def test_run_app_scripts_reload_too(project: Path, run_reloader) -> None:
    port = free_port()
    script = project / "serve.py"
    script.write_text(
        f"from web.runner import run_app\nfrom myapp import app\nrun_app(app, host='127.0.0.1', port={port})\n"
    )
    proc = run_reloader("--", sys.executable, str(script))
    until(lambda: fetch(port) == "v1", "the first version")
    poke = edit(project, "v2")
    until(lambda: fetch(port) == "v2", "the edited version", poke=poke)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0, out


SIGNAL_LOGGER = """
import os, signal, sys, time
log = open({log!r}, "a", buffering=1)
log.write(f"start {{os.getpid()}} {{os.getpgid(0)}}\\n")

def on_signal(signum, frame):
    log.write(signal.Signals(signum).name + "\\n")
    if signum != signal.SIGHUP:
        time.sleep(0.3)  # a second signal arriving now would be logged before the exit
        sys.exit(0)

for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(signum, on_signal)
while True:
    time.sleep(0.05)
"""


@pytest.mark.parametrize(("mode", "on_change"), [([], "SIGINT"), (["--hup"], "SIGHUP")], ids=["restart", "hup"])
def test_ctrl_c_reaches_the_command_once(project: Path, mode: list[str], on_change: str) -> None:
    """A terminal's Ctrl-C signals the runner's whole process group: the command, in a group of its own, gets
    exactly one SIGINT, from the runner. A change before that restarts it (SIGINT) or, with --hup, HUPs it."""
    log = project / "signals.log"
    script = project / "command.py"
    script.write_text(SIGNAL_LOGGER.format(log=str(log)))
    runner = subprocess.Popen(
        [sys.executable, "-m", "supervisor.reload", "--path", str(project), *mode, "--", sys.executable, str(script)],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the runner leads a group, as a shell's foreground job does
    )
    try:
        lines = lambda: log.read_text().splitlines() if log.exists() else []  # noqa: E731
        until(lambda: lines(), "the command to start")
        pid, group = lines()[0].split()[1:]
        assert pid == group and int(group) != runner.pid  # the leader of a group of its own
        poke = lambda: (project / "views.py").write_text(f"x = {time.time()}\\n")  # noqa: E731
        until(lambda: on_change in lines(), "a change to reach the command", poke=poke, poke_every=1.0)
        if not mode:
            until(lambda: len([line for line in lines() if line.startswith("start")]) == 2, "the restart")
        before = len(lines())
        os.killpg(runner.pid, signal.SIGINT)
        out, _ = runner.communicate(timeout=15)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.communicate()
    assert runner.returncode == 0, out
    assert lines()[before:] == ["SIGINT"], (lines(), out)


def test_a_command_that_cannot_start_is_one_line(project: Path) -> None:
    output = project / "runner.out"
    missing = project / "no-such-command"
    with output.open("w") as out:
        runner = subprocess.Popen(
            [sys.executable, "-m", "supervisor.reload", "--path", str(project), "--", str(missing)],
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        until(lambda: "cannot run" in output.read_text(), "the command to fail")
        runner.send_signal(signal.SIGINT)
        runner.wait(timeout=15)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    text = output.read_text()
    assert runner.returncode == 0, text
    assert f"cannot run {missing}: No such file or directory" in text and "Traceback" not in text, text


def test_hup_refuses_preload(run_reloader) -> None:
    proc = run_reloader("--hup", *prefork(free_port(), "--preload", "myapp:app"))
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert "--hup cannot work with --preload" in out


def test_a_missing_command_is_explained(run_reloader) -> None:
    proc = run_reloader()
    out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert "missing the command to run" in out


# -- the watch-only mode a master runs as its child ----------------------------------------------------------------

FAKE_MASTER = """
import os, signal, subprocess, sys, time
hups = {hups!r}
signal.signal(signal.SIGHUP, lambda *a: open(hups, "a").write("HUP\\n"))
watcher = subprocess.Popen(
    [sys.executable, "-m", "supervisor.reload", "--notify-pid", str(os.getpid()), "--path", {path!r}]
)
open({watcher_pid!r}, "w").write(str(watcher.pid))
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    time.sleep(0.05)
"""


def test_notify_pid_sends_hup_to_the_master_and_does_not_outlive_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    hups, watcher_pid = tmp_path / "hups.txt", tmp_path / "watcher.pid"
    script = tmp_path / "master.py"
    script.write_text(FAKE_MASTER.format(hups=str(hups), path=str(src), watcher_pid=str(watcher_pid)))
    master = subprocess.Popen([sys.executable, str(script)], env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        until(watcher_pid.exists, "the watcher to start")
        until(
            hups.exists,
            "a HUP after an edit",
            poke=lambda: (src / "views.py").write_text(f"x = {time.time()}\n"),
            poke_every=0.3,
        )
        pid = int(watcher_pid.read_text())
    finally:
        master.kill()
        master.wait()

    def gone() -> bool:
        # an exited watcher may stay a zombie if this container's init does not reap orphans: that counts
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
        except (FileNotFoundError, ProcessLookupError):
            return True

    until(gone, "the watcher to exit after its master was killed")


def test_notify_pid_takes_no_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "supervisor.reload", "--notify-pid", "1", "--", "prefork", "x:app"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert proc.returncode == 2
    assert "--notify-pid runs no command" in proc.stderr


# -- prefork --reload: the master runs the watch-only child itself -------------------------------------------------


def test_prefork_reload_serves_an_edit_within_seconds(project: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "supervisor", "--reload", "--bind", f"127.0.0.1:{port}", "--workers", "1", "myapp:app"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        until(lambda: fetch(port) == "v1", "the first version")
        poke = edit(project, "v2")
        until(lambda: fetch(port) == "v2", "the edited version", poke=poke)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "myapp.py changed; sending HUP" in out and "reload done" in out
    watcher = int(re.search(r"\(watcher (\d+)\)", out)[1])  # type: ignore[index]
    until(lambda: not psutil.pid_exists(watcher), "the watcher to go with its master", timeout=5)


def test_prefork_reload_refuses_preload(project: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "supervisor", "--reload", "--preload", "--bind", "127.0.0.1:0", "myapp:app"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "--reload cannot work with --preload" in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr

"""The ``prefork`` command: one-line errors with distinct exit codes, informational commands, precedence."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig

import pytest
from masters import APPS, in_thread


async def test_missing_module_is_one_line_before_any_fork(prefork):
    prefork.start(app="no_such_module:app")
    assert await in_thread(prefork.wait) == 4
    assert (
        prefork.output.read_text() == "prefork: error: cannot import 'no_such_module': no module named "
        "'no_such_module'\n"
    )


async def test_precedence_in_a_real_process(prefork):
    (prefork.tmp_path / "prefork.conf.py").write_text("workers = 3\ntimeout = 7\nbacklog = 64\nkeepalive = 90\n")
    prefork.start(env={"PREFORK_CMD_ARGS": "-w 2 -t 9 --backlog 32"}, wait=2)
    assert len(prefork.workers()) == 2
    # each level over the one below it: defaults < config file < PREFORK_CMD_ARGS < command line
    shown = prefork.make()
    shown.tmp_path.joinpath("prefork.conf.py").write_text((prefork.tmp_path / "prefork.conf.py").read_text())
    shown.start("--print-config", "--backlog", "16", env={"PREFORK_CMD_ARGS": "-w 2 -t 9 --backlog 32"})
    assert await in_thread(shown.wait) == 0
    lines = shown.output.read_text().splitlines()
    assert "graceful_timeout = 30.0" in lines  # default
    assert "keepalive = 90.0  # prefork.conf.py:4" in lines  # config file
    assert "timeout = 9.0  # PREFORK_CMD_ARGS" in lines and "workers = 2  # PREFORK_CMD_ARGS" in lines
    assert "backlog = 16  # command line" in lines


async def test_one_line_errors_and_informational_commands(prefork):
    conf = prefork.tmp_path / "bad.conf.py"
    conf.write_text("workers = 2\nwokers = 3\n")
    cases = [
        (["--wokers", "3"], 2, "prefork: error: command line: unrecognized arguments: --wokers demo:create_app\n"),
        (["-c", str(conf)], 2, f"prefork: error: {conf}:2: unknown setting 'wokers' (did you mean 'workers'?)\n"),
    ]
    for args, code, output in cases:
        master = prefork.make()
        master.start(*args, bind=False)
        assert await in_thread(master.wait) == code
        assert master.output.read_text() == output

    master = prefork.make()
    master.start("--check-config", "--keep-alive", "5")
    assert await in_thread(master.wait) == 0
    text = master.output.read_text()
    assert "warning: keepalive 5s is shorter than nginx's 60s" in text and "config OK" in text

    master = prefork.make()
    master.start("--check-config", app="broken:app")
    assert await in_thread(master.wait) == 4
    assert master.output.read_text().startswith("prefork: error: cannot import 'broken'")

    master = prefork.make()
    master.start("--print-config", "-w", "5")
    assert await in_thread(master.wait) == 0
    assert "workers = 5  # command line" in master.output.read_text()

    master = prefork.make()
    master.start("--version")
    assert await in_thread(master.wait) == 0
    assert master.output.read_text().startswith("prefork ")


async def test_address_in_use_is_one_line_and_exit_5(prefork):
    first = prefork.start("-w", "1", wait=1)
    second = prefork.make()
    second.port = first.port
    second.start()
    assert await in_thread(second.wait) == 5
    assert second.output.read_text() == (
        f"prefork: error: cannot bind 127.0.0.1:{first.port}: Address already in use\n"
    )


def test_the_console_script_is_the_same_command():
    script = os.path.join(sysconfig.get_path("scripts"), "prefork")
    if not os.path.exists(script):
        pytest.skip("prefork is not installed as a console script here")
    done = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0 and done.stdout.startswith("prefork ")


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (
            ["--chdir", APPS, "-p", "/nonexistent/p.pid", "demo:app"],
            {},
            "cannot write the pid file /nonexistent/p.pid: No such file",
        ),
        (["--chdir", "/nonexistent", "demo:app"], {}, "chdir '/nonexistent': No such file or directory"),
        (["--chdir", APPS, "--error-logfile", "/nonexistent/e.log", "demo:app"], {}, "cannot open a log file"),
        (["-u", "nosuchuser", "demo:app"], {}, "command line: --user: no such user: 'nosuchuser'"),
        ([], {}, "missing APP: give module:name"),
        (["a:b"], {"PREFORK_CMD_ARGS": "--bogus"}, "PREFORK_CMD_ARGS: unrecognized arguments: --bogus"),
        (["-w", "0", "demo:app"], {}, "command line: --workers: expected an integer >= 1, got '0'"),
        (["--metrics-bind", "fd://3", "demo:app"], {}, "command line: --metrics-bind: expected HOST:PORT or unix"),
        (["--metrics-bind", "::1:9100", "demo:app"], {}, "command line: --metrics-bind: '::1:9100': write an IPv6"),
        (["--health-path", "healthz", "demo:app"], {}, "command line: --health-path: expected a path such as"),
        (["--drain-delay", "-1", "demo:app"], {}, "command line: --drain-delay: expected a number >= 0, got '-1'"),
        (["--proxy-allow-from", "10.0.0.0/33", "demo:app"], {}, "command line: --proxy-allow-from: expected IP"),
    ],
)
def test_every_startup_error_is_one_line_with_exit_2(tmp_path, args, env, line):
    done = subprocess.run(
        [sys.executable, "-m", "supervisor", "-b", "127.0.0.1:0", *args],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=tmp_path,
        env={**os.environ, "PREFORK_CMD_ARGS": "", **env},
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"prefork: error: {line}") and done.stderr.count("\n") == 1, done.stderr
    assert done.stdout == ""

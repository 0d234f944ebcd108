"""gunicorn's settings that operators carry over, on a real ``prefork``: raw_env (``--env``), logconfig_dict,
``--log-config``, ``--log-config-json``, ``--capture-output`` and ``--worker-tmp-dir``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from masters import APPS, get, in_thread
from waiting import until

APP = "parity_app:create_app"


def run_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``prefork ARGS`` expected to stop before serving: its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "supervisor", "--chdir", APPS, "-b", "127.0.0.1:0", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("prefork: error: "), proc.stderr
    return lines[0]


async def text(port: int, path: str) -> str:
    status, _, body = await get(port, path)
    assert status == 200, body
    return body.decode()


def contains(path: Path, pattern: str) -> bool:
    return path.exists() and re.search(pattern, path.read_text(errors="replace")) is not None


# -- raw_env ---------------------------------------------------------------------------------------------------------


async def test_env_from_the_config_file_reaches_the_workers_and_a_hup_replaces_it(prefork, tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text('raw_env = ["PARITY_A=1", "PARITY_B=x=y"]\n')
    prefork.start("-c", str(conf), "-w", "1", app=APP, wait=1)
    assert await text(prefork.port, "/env?key=PARITY_A") == "1"
    assert await text(prefork.port, "/env?key=PARITY_B") == "x=y"  # split at the first '='

    conf.write_text('raw_env = ["PARITY_A=2"]\n')
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    await in_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)")  # the old one, which may still accept
    assert await text(prefork.port, "/env?key=PARITY_A") == "2"
    assert await text(prefork.port, "/env?key=PARITY_B") == "(unset)"  # dropped from the config: unset


@pytest.mark.parametrize(
    ("args", "conf", "expected"),
    [
        (["--env", "NOEQUALS"], None, "command line: --env: expected KEY=VALUE, got 'NOEQUALS'"),
        (["-e", "=value"], None, "command line: --env: expected KEY=VALUE, got '=value'"),
        ([], 'raw_env = ["A=1", "B"]\n', "conf.py:1: raw_env: expected KEY=VALUE, got 'B'"),
    ],
)
def test_a_malformed_env_is_one_line_naming_it(tmp_path, args, conf, expected):
    if conf is not None:
        (tmp_path / "conf.py").write_text(conf)
        args = ["-c", str(tmp_path / "conf.py"), *args]
    line = one_error_line(run_command(*args, APP, cwd=tmp_path))
    assert line.endswith(expected), line


# -- logging configuration ---------------------------------------------------------------------------------------


BAD_LOGGING = [
    # (files to write, arguments ({tmp}: the test's directory), what the error line says)
    ({}, ["--log-config", "{tmp}/missing.ini"], r"command line: --log-config: .*missing\.ini: cannot read it"),
    ({"bad.ini": "[loggers]\nkeys=root\n"}, ["--log-config", "{tmp}/bad.ini"], r"no \[handlers\] section"),
    ({"bad.ini": "not an ini file"}, ["--log-config", "{tmp}/bad.ini"], r"--log-config: .*not an ini file"),
    # an ini that parses, but that fileConfig refuses (no [logger_root]): only applying it tells
    (
        {"bad.ini": "[loggers]\nkeys=root\n[handlers]\nkeys=\n[formatters]\nkeys=\n"},
        ["--log-config", "{tmp}/bad.ini"],
        r"logconfig .*bad\.ini: ",
    ),
    ({"l.json": "{nope"}, ["--log-config-json", "{tmp}/l.json"], r"--log-config-json: .*not JSON"),
    ({"l.json": "[1, 2]"}, ["--log-config-json", "{tmp}/l.json"], r"expected a JSON object"),
    ({"conf.py": "logconfig_dict = ['a']\n"}, ["-c", "{tmp}/conf.py"], r"conf\.py:1: logconfig_dict: expected a dict"),
    (
        {"conf.py": "logconfig_dict = {'handlers': {'h': {'class': 'no.such.Handler'}}}\n"},
        ["-c", "{tmp}/conf.py"],
        r"logconfig_dict: Unable to configure handler 'h'",
    ),
]


@pytest.mark.parametrize(("files", "args", "expected"), BAD_LOGGING)
def test_a_bad_logging_config_stops_the_command_with_one_line_before_any_fork(tmp_path, files, args, expected):
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    error_log = tmp_path / "error.log"
    args = [arg.format(tmp=tmp_path) for arg in args]
    line = one_error_line(run_command("--error-logfile", str(error_log), *args, APP, cwd=tmp_path))
    assert re.search(expected, line), line
    assert "listening" not in (error_log.read_text() if error_log.exists() else "")  # nothing bound, no fork


async def test_logconfig_dict_reformats_the_error_log_and_routes_the_access_log(prefork, tmp_path):
    access = tmp_path / "access.log"
    conf = tmp_path / "conf.py"
    conf.write_text(
        "logconfig_dict = {\n"
        "    'formatters': {'mine': {'format': 'MINE %(levelname)s %(name)s: %(message)s'}},\n"
        "    'handlers': {\n"
        f"        'error': {{'class': 'logging.FileHandler', 'filename': {str(prefork.log_path)!r},"
        " 'formatter': 'mine'},\n"
        f"        'access': {{'class': 'logging.FileHandler', 'filename': {str(access)!r}, 'formatter': 'mine'}},\n"
        "    },\n"
        "    'root': {'level': 'INFO', 'handlers': ['error']},\n"
        "    'loggers': {'prefork.access': {'level': 'INFO', 'handlers': ['access'], 'propagate': False}},\n"
        "}\n"
    )
    # no --access-logfile: a handler for prefork.access from the logging config turns the access log on
    prefork.start("-c", str(conf), "-w", "1", app=APP)
    await in_thread(prefork.wait_log, r"MINE INFO prefork\.master: ready: 1 worker")
    assert await text(prefork.port, "/env?key=HOME")
    await until(lambda: contains(access, r'MINE INFO prefork\.access: .*"GET /env\?key=HOME HTTP/1\.1" 200'))
    assert not contains(prefork.log_path, r"GET /env")


async def test_log_config_ini_replaces_the_error_and_access_handlers(prefork):
    prefork.start("--log-config", str(Path(APPS) / "logging.ini"), "--access-logfile", "-", "-w", "1", app=APP)
    output = prefork.output  # the ini sends both logs to the master's stderr and stdout
    await until(lambda: contains(output, r"INI prefork\.master ready: 1 worker"), 15, what="the ready line")
    assert await text(prefork.port, "/env?key=HOME")
    await until(lambda: contains(output, r'INI prefork\.access .*"GET /env\?key=HOME HTTP/1\.1" 200'))
    assert len(re.findall(r"GET /env", output.read_text())) == 1  # once: the ini's handler replaced ours


async def test_log_config_json_adds_to_the_error_log(prefork):
    prefork.start("--log-config-json", str(Path(APPS) / "logging.json"), "-w", "1", app=APP, wait=1)
    assert await text(prefork.port, "/env?key=HOME")
    await until(lambda: contains(prefork.output, r'JSON prefork\.access .*"GET /env\?key=HOME HTTP/1\.1" 200'))
    assert "[INFO] prefork.master: ready" in prefork.log()  # the root logger, not named in the JSON, is ours


async def test_a_hup_with_a_broken_logconfig_keeps_the_current_logging(prefork, tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text("workers = 1\n")
    prefork.start("-c", str(conf), app=APP, wait=1)
    conf.write_text("workers = 1\nlogconfig_dict = {'root': {'handlers': ['missing']}}\n")
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload: the new config is invalid, keeping the current one: .*logconfig_dict")
    await in_thread(prefork.wait_log, r"\[INFO\] prefork\.master: reload done")  # still logging, in our format
    assert await text(prefork.port, "/env?key=HOME")


def test_check_config_warns_about_gunicorns_logger_names_and_a_useless_capture(tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text("capture_output = True\nlogconfig_dict = {'loggers': {'gunicorn.access': {'level': 'INFO'}}}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "supervisor", "--check-config", "-c", str(conf), "--chdir", APPS, APP],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "'gunicorn.access', which prefork never logs to: use prefork.access" in proc.stderr
    assert "capture_output has no effect" in proc.stderr


# -- capture_output --------------------------------------------------------------------------------------------------


async def test_capture_output_sends_a_handlers_print_to_the_error_log_and_usr1_reopens_it(prefork):
    prefork.start("--capture-output", "-w", "1", app=APP, wait=1)
    assert await text(prefork.port, "/print?id=first") == "printed"
    await in_thread(prefork.wait_log, r"printed by \d+: first")
    await in_thread(prefork.wait_log, r"to stderr from \d+")
    assert "printed by" not in prefork.output.read_text()

    prefork.log_path.rename(prefork.log_path.with_suffix(".1"))  # logrotate
    prefork.signal(signal.SIGUSR1)
    await in_thread(prefork.wait_log, r"USR1: reopened log files")
    assert await text(prefork.port, "/print?id=after") == "printed"
    await in_thread(prefork.wait_log, r"printed by \d+: after")  # in the new file


# -- worker_tmp_dir -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directory", "expected"),
    [
        ("/nonexistent/prefork", "--worker-tmp-dir: '/nonexistent/prefork' is not an existing directory"),
        ("/proc/self", "--worker-tmp-dir: '/proc/self' is not writable"),
    ],
)
def test_a_worker_tmp_dir_that_cannot_be_used_is_one_line(tmp_path, directory, expected):
    line = one_error_line(run_command("--worker-tmp-dir", directory, APP, cwd=tmp_path))
    assert line.endswith(expected), line


async def test_a_usable_worker_tmp_dir_is_accepted(prefork, tmp_path):
    shm = tmp_path / "shm"
    shm.mkdir()
    prefork.start("--worker-tmp-dir", str(shm), "-w", "1", app=APP, wait=1)
    assert await text(prefork.port, "/env?key=HOME")
    assert list(shm.iterdir()) == []  # the heartbeat is a pipe message: nothing is written there

"""systemd/ units and deploy/ files: systemd's own verifier, and the numbers the files must agree on."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from harness import APPS, NGINX_CONF, ROOT

SERVICE = ROOT / "systemd" / "prefork.service"
SOCKET = ROOT / "systemd" / "prefork.socket"
CONF = ROOT / "deploy" / "prefork.conf.py"


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def conf_values() -> dict[str, object]:
    """The literal top-level assignments of deploy/prefork.conf.py."""
    values = {}
    for node in ast.parse(CONF.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


def seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+)\s*(s|min)?", text.strip())
    assert match, text
    return float(match[1]) * (60 if match[2] == "min" else 1)


def installable_copies(tmp_path: Path) -> list[Path]:
    """The units with ExecStart pointing at the installed prefork and WorkingDirectory at an existing directory."""
    prefork = shutil.which("prefork") or sys.executable
    service = SERVICE.read_text().replace("/usr/local/bin/prefork", prefork).replace("/srv/prefork", str(tmp_path))
    (tmp_path / "prefork.service").write_text(service)
    shutil.copy(SOCKET, tmp_path / "prefork.socket")
    return [tmp_path / "prefork.socket", tmp_path / "prefork.service"]


@pytest.fixture
def analyze():
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze not installed (Debian: systemd)")
    return tool


def test_systemd_analyze_verify_finds_nothing(analyze, tmp_path):
    units = installable_copies(tmp_path)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units)], capture_output=True, text=True, cwd=tmp_path, timeout=30
    )
    if "Failed to initialize manager" in result.stderr or "Failed to open" in result.stderr:
        pytest.skip(f"systemd-analyze verify cannot run here: {result.stderr.strip()[:200]}")
    # verify exits 0 on unknown keys and bad values, which it only prints: nothing printed means clean
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    assert result.stdout.strip() == ""


def test_systemd_analyze_security_rates_the_service_ok(analyze, tmp_path):
    service = installable_copies(tmp_path)[1]
    result = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(service)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=30,
    )
    if result.returncode != 0 and "offline" in result.stderr:
        pytest.skip("this systemd-analyze has no --offline")
    match = re.search(r"Overall exposure level for prefork\.service: ([\d.]+)", result.stdout + result.stderr)
    assert match, result.stdout[-500:] + result.stderr[-500:]
    assert float(match[1]) <= 2.5  # "OK" in systemd's words; 1.7 when written


def test_the_service_is_what_the_issue_asks_for():
    service = unit(SERVICE)["Service"]
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "all"  # MAINPID/READY from a USR2 master, a child of the main pid
    assert re.fullmatch(r"(/bin/|/usr/bin/)?kill -HUP \$MAINPID", service["ExecReload"])
    assert service["KillMode"] == "mixed"
    for hardening in ("NoNewPrivileges", "PrivateTmp", "DynamicUser"):
        assert service[hardening] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert "RuntimeDirectory" not in service  # it would delete the socket file prefork.socket listens on
    assert unit(SERVICE)["Unit"]["Requires"] == "prefork.socket"


def test_timeouts_agree_with_the_config_file():
    service = unit(SERVICE)["Service"]
    conf = conf_values()
    # a stop must leave the graceful drain time to finish before systemd's SIGKILL
    assert seconds(service["TimeoutStopSec"]) > float(conf["graceful_timeout"])  # type: ignore[arg-type]
    # the master withholds WATCHDOG=1 while a worker is stuck, and replaces it itself after `timeout`
    assert seconds(service["WatchdogSec"]) > float(conf["timeout"])  # type: ignore[arg-type]


def test_the_socket_nginx_and_the_config_name_the_same_address():
    listen = unit(SOCKET)["Socket"]["ListenStream"]
    assert conf_values()["bind"] == [f"unix:{listen}"]
    assert f"server unix:{listen};" in NGINX_CONF.read_text()


def test_prefork_keeps_idle_connections_longer_than_nginx():
    nginx_keepalive = [seconds(v) for v in re.findall(r"^\s*keepalive_timeout (\w+);", NGINX_CONF.read_text(), re.M)]
    assert nginx_keepalive
    assert float(conf_values()["keepalive"]) > max(nginx_keepalive)  # type: ignore[arg-type]


def test_body_limit_agrees_with_nginx():
    match = re.search(r"client_max_body_size (\d+)m;", NGINX_CONF.read_text())
    assert match
    assert conf_values()["client_max_size"] == int(match[1]) * 1024 * 1024


# -- deploy/prefork.conf.py through the real command ---------------------------------------------------------------


def run_prefork(*args: str) -> subprocess.CompletedProcess[str]:
    env_cmd = [sys.executable, "-m", "supervisor", *args]
    return subprocess.run(env_cmd, capture_output=True, text=True, cwd=ROOT, timeout=30)


def test_check_config_passes_without_warnings():
    result = run_prefork("-c", str(CONF), "--check-config", "--chdir", APPS, "proxied:create_app")
    assert result.returncode == 0, result.stderr
    assert "config OK" in result.stdout
    assert "warning" not in result.stderr


def test_check_config_with_the_file_as_its_argument():
    result = run_prefork("--check-config", str(CONF))
    assert result.returncode == 0, result.stderr
    assert f"config OK ({CONF}, no app given)" in result.stdout
    assert "warning" not in result.stderr


def test_every_assignment_is_a_setting_from_the_file():
    result = run_prefork("-c", str(CONF), "--print-config", "proxied:create_app")
    assert result.returncode == 0, result.stderr
    from_file = {line.split(" = ")[0] for line in result.stdout.splitlines() if f"# {CONF}:" in line}
    assert set(conf_values()) - {"app"} <= from_file


def test_the_config_file_serves(tmp_path, unused_port):
    port = unused_port()
    out = tmp_path / "out.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFORK_CMD_ARGS", "NOTIFY_SOCKET", "JOURNAL_STREAM")}
    argv = [sys.executable, "-m", "supervisor", "-c", str(CONF), "-b", f"127.0.0.1:{port}", "-w", "1"]
    with open(out, "wb") as f:
        proc = subprocess.Popen([*argv, "--chdir", APPS, "proxied:create_app"], cwd=ROOT, env=env, stdout=f, stderr=f)
    try:
        wait_for(lambda: "ready: 1 worker" in out.read_text(), proc, out)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nUser-Agent: probe\r\nConnection: close\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200 ")
        wait_for(lambda: '"GET / HTTP/1.1" 200' in out.read_text(), proc, out)  # accesslog = "-": stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    text = out.read_text()
    assert re.search(r'"GET / HTTP/1\.1" 200 \d+ "-" "probe" \d+us', text), text


def wait_for(condition, proc: subprocess.Popen[bytes], out: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
        time.sleep(0.02)

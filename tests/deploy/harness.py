"""A real nginx configured from ``deploy/nginx/prefork.conf``, a real ``prefork`` behind it, and a POST load client.

nginx runs as the current user with its own prefix, pid file, logs and temp directories under the test's
``tmp_path``; the shipped config is used verbatim except for the lines marked ADJUST (ports, paths).
"""

from __future__ import annotations

import asyncio
import collections
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from http_client import read_response
from load import Load, close_writer
from prefork_process import PreforkProcess

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx" / "prefork.conf"
APPS = str(Path(__file__).parent / "apps")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


def wait_for_port(proc: subprocess.Popen[Any], port: int, log: Callable[[], str], timeout: float = 10.0) -> None:
    """Return once 127.0.0.1:``port`` accepts a connection: ``proc`` (a server just started) is listening. Fail
    with ``log()`` (what the server wrote) if it exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{Path(str(proc.args[0])).name} did not start:\n{log()}") from None
            time.sleep(0.02)


def stop_process(proc: subprocess.Popen[Any] | None, sig: int, timeout: float = 5.0) -> None:
    """Stop ``proc`` (if started and still running) with ``sig``; kill it if it has not exited ``timeout`` seconds
    later."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def site_config(*, port: int, unix_path: str, tcp_port: int, static_root: str, upstream: str = "prefork") -> str:
    """The shipped site config with its ADJUST lines pointed at this test's sockets and directories."""
    text = NGINX_CONF.read_text()
    replacements = [
        ("server unix:/run/prefork/prefork.sock;", f"server unix:{unix_path};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{tcp_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:80;", f"listen [::1]:{port};" if ipv6_loopback() else ""),
        ("alias /srv/prefork/static/;", f"alias {static_root.rstrip('/')}/;"),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/prefork.conf no longer contains {old!r}: update the test harness"
        text = text.replace(old, new)
    if upstream != "prefork":
        text = text.replace("proxy_pass http://prefork;", f"proxy_pass http://{upstream};")
    return text


class Nginx:
    """``nginx -p PREFIX -c nginx.conf`` in the foreground, serving the shipped site config on ``port``."""

    def __init__(self, tmp_path: Path, port: int, site: str) -> None:
        self.prefix = tmp_path / "nginx"
        self.port = port
        self.prefix.mkdir(parents=True, exist_ok=True)
        (self.prefix / "site.conf").write_text(site)
        temp = {name: self.prefix / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        for path in temp.values():
            path.mkdir(exist_ok=True)
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
        (self.prefix / "nginx.conf").write_text(
            f"""
            {user}
            worker_processes 1;
            daemon off;
            pid {self.prefix}/nginx.pid;
            error_log {self.prefix}/error.log info;
            events {{ worker_connections 1024; }}
            http {{
                access_log {self.prefix}/access.log;
                client_body_temp_path {temp["client_body"]};
                proxy_temp_path {temp["proxy"]};
                fastcgi_temp_path {temp["fastcgi"]};
                uwsgi_temp_path {temp["uwsgi"]};
                scgi_temp_path {temp["scgi"]};
                include {self.prefix}/site.conf;
            }}
            """
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def test_config(self) -> subprocess.CompletedProcess[str]:
        assert NGINX is not None
        return subprocess.run(
            [NGINX, "-t", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e", "stderr"],
            capture_output=True,
            text=True,
            timeout=10,
        )

    def start(self) -> Nginx:
        assert NGINX is not None
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e", f"{self.prefix}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.proc, self.port, self.error_log)
        return self

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_statuses(self) -> collections.Counter[str]:
        path = self.prefix / "access.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return collections.Counter(re.findall(r'" (\d{3}) ', text))

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGQUIT)  # graceful


class Prefork(PreforkProcess):
    """A master serving ``tests/deploy/apps/proxied.py`` on a unix socket and a TCP port."""

    def __init__(self, tmp_path: Path, tcp_port: int) -> None:
        super().__init__(tmp_path, log_path=tmp_path / "prefork-error.log", output=tmp_path / "prefork-output.txt")
        self.tcp_port = tcp_port
        self.unix_path = str(tmp_path / "prefork.sock")

    def start(self, *args: str, trusted: str = "127.0.0.1,::1", workers: int = 2) -> Prefork:
        argv = ["--chdir", APPS, "-b", f"unix:{self.unix_path}", "-b", f"127.0.0.1:{self.tcp_port}"]
        argv += ["-w", str(workers), "--forwarded-allow-ips", trusted, *args, "proxied:create_app"]
        env = {**self.base_env("NOTIFY_SOCKET"), "PROXIED_TRUSTED": trusted, "PYTHONPATH": str(ROOT)}
        self.launch(argv, cwd=ROOT, env=env)
        self.wait_log(r"ready: \d+ worker", timeout=15)
        return self


class PostLoad(Load):
    """``concurrency`` keep-alive connections POSTing a body to ``/echo`` until stopped (see :class:`load.Load`).

    POST because nginx never retries it on another upstream connection: a request prefork drops shows up here
    (a 502 from nginx is a status, a reset from nginx an error).
    """

    def __init__(self, port: int, *, concurrency: int = 8, path: str = "/echo", max_seconds: float = 30.0) -> None:
        super().__init__(
            port,
            concurrency=concurrency,
            path=path,
            post=True,
            host="app.test",
            server_id=lambda headers, body: headers.get("x-worker", "?"),
            max_seconds=max_seconds,
        )


async def request(
    port: int, raw: bytes, *, source: str | None = None, host: str = "127.0.0.1", timeout: float = 10.0
) -> tuple[int, dict[str, str], bytes]:
    """One raw request on its own connection, optionally from another loopback address (``source``)."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0) if source else None)
    try:
        writer.write(raw)
        async with asyncio.timeout(timeout):
            return await read_response(reader)
    finally:
        await close_writer(writer)

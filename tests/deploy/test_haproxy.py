"""prefork ``--proxy-protocol`` behind the real HAProxy (Debian's ``haproxy``), in TCP mode as load balancers run it.

HAProxy forwards the client's bytes untouched and starts each upstream connection with a PROXY header
(``send-proxy``: v1, ``send-proxy-v2``: v2). Clients connect from 127.0.0.2 and HAProxy from 127.0.0.1 (or over
a unix socket), so the client the app names (``request.remote``) and the peer it talks to (the proxy) differ, as
in production. HAProxy runs in the foreground (``-db``) from a config in the test's ``tmp_path``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import ssl
import subprocess
from pathlib import Path

import aiohttp
import pytest
from harness import Prefork, request, stop_process, wait_for_port

HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
NO_HAPROXY = "haproxy is not installed (Debian: haproxy)"

CLIENT = "127.0.0.2"
WHOAMI = b"GET /whoami HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n"


class HAProxy:
    """``haproxy -db -f haproxy.cfg``: TCP mode, one frontend on ``port``, one backend ``server``."""

    def __init__(self, tmp_path: Path, port: int, server: str) -> None:
        self.dir = tmp_path / "haproxy"
        self.dir.mkdir(exist_ok=True)
        self.port = port
        self.config = self.dir / "haproxy.cfg"
        self.config.write_text(
            f"""
global
    log stderr format raw local0 info
defaults
    mode tcp
    log global
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend front
    bind 127.0.0.1:{port}
    default_backend back
backend back
    server app {server}
"""
        )
        self.output = self.dir / "output.txt"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> HAProxy:
        assert HAPROXY is not None
        with open(self.output, "wb") as output:
            self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(self.config)], stdout=output, stderr=output)
        wait_for_port(self.proc, self.port, self.log)
        return self

    def log(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGTERM)


@pytest.fixture
def haproxy(tmp_path, unused_port):
    """``haproxy(server_line)``: start HAProxy in front of whatever ``server_line`` names."""
    if HAPROXY is None:
        pytest.skip(NO_HAPROXY)
    started: list[HAProxy] = []

    def start(server: str) -> HAProxy:
        proxy = HAProxy(tmp_path, unused_port(), server)
        started.append(proxy)
        return proxy.start()

    yield start
    for proxy in started:
        proxy.stop()


def upstream(prefork: Prefork, kind: str, option: str) -> str:
    address = f"127.0.0.1:{prefork.tcp_port}" if kind == "tcp" else f"unix@{prefork.unix_path}"
    return f"{address} {option}"


@pytest.mark.skipif(HAPROXY is None, reason=NO_HAPROXY)
def test_the_config_passes_haproxy_c(tmp_path):
    proxy = HAProxy(tmp_path, 8080, "127.0.0.1:8000 send-proxy-v2")
    result = subprocess.run([HAPROXY, "-c", "-f", str(proxy.config)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["tcp", "unix"])
@pytest.mark.parametrize("option", ["send-proxy", "send-proxy-v2"])
async def test_the_app_names_the_client_haproxy_names_and_not_haproxy(prefork, haproxy, option, kind):
    prefork.start("--proxy-protocol", workers=1)
    proxy = haproxy(upstream(prefork, kind, option))
    status, _, body = await request(proxy.port, WHOAMI, source=CLIENT)
    assert status == 200, body
    seen = json.loads(body)
    assert seen["remote"] == CLIENT
    # The peer prefork talks to is HAProxy: 127.0.0.1 over TCP, nothing over a unix socket.
    assert seen["peer"] == ("127.0.0.1" if kind == "tcp" else None)


@pytest.mark.parametrize("option", ["send-proxy", "send-proxy-v2"])
async def test_keep_alive_requests_of_an_aiohttp_client_through_haproxy(prefork, haproxy, option):
    prefork.start("--proxy-protocol", workers=1)
    proxy = haproxy(upstream(prefork, "tcp", option))
    connector = aiohttp.TCPConnector(local_addr=(CLIENT, 0), limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(5):
            async with session.get(f"http://127.0.0.1:{proxy.port}/whoami") as response:
                assert response.status == 200
                seen = await response.json()
                assert (seen["remote"], seen["peer"]) == (CLIENT, "127.0.0.1")
        async with session.post(f"http://127.0.0.1:{proxy.port}/echo", data=b"x" * 100_000) as response:
            assert await response.read() == b"x" * 100_000


async def test_tls_passes_through_haproxy_after_the_header(tmp_path, prefork, haproxy):
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "server.pem"))
    prefork.start("--proxy-protocol", "--certfile", str(tmp_path / "server.pem"), workers=1)
    proxy = haproxy(upstream(prefork, "tcp", "send-proxy-v2"))
    context = ssl.create_default_context()
    ca.configure_trust(context)
    reader, writer = await asyncio.open_connection(
        "127.0.0.1", proxy.port, ssl=context, server_hostname="127.0.0.1", local_addr=(CLIENT, 0)
    )
    try:
        writer.write(WHOAMI)
        async with asyncio.timeout(10):
            data = await reader.read()
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), data[:200]
    seen = json.loads(body)
    assert (seen["remote"], seen["scheme"], seen["peer"]) == (CLIENT, "https", "127.0.0.1")


async def test_without_send_proxy_the_connection_closes_unanswered(prefork, haproxy):
    prefork.start("--proxy-protocol", workers=1)
    proxy = haproxy(f"127.0.0.1:{prefork.tcp_port}")
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port, local_addr=(CLIENT, 0))
    try:
        writer.write(WHOAMI)
        async with asyncio.timeout(10):
            # no HTTP answer: prefork closed (a reset: the request is unread), and HAProxy closed the client
            with contextlib.suppress(ConnectionResetError):
                assert await reader.read() == b""
    finally:
        writer.close()


async def test_the_settings_reach_the_workers_without_haproxy_too(prefork):
    """The same wiring checked with hand-written headers, so that it is tested where haproxy is missing."""
    prefork.start("--proxy-protocol", "--proxy-allow-from", "127.0.0.1", workers=1)
    v2 = b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" + bytes([198, 51, 100, 9, 127, 0, 0, 1, 0, 80, 0, 80])
    status, _, body = await request(prefork.tcp_port, v2 + WHOAMI)
    assert status == 200, body
    assert json.loads(body)["remote"] == "198.51.100.9"
    # 127.0.0.2 is not in --proxy-allow-from: served as plain HTTP, and its PROXY header refused unanswered.
    status, _, body = await request(prefork.tcp_port, WHOAMI, source=CLIENT)
    assert json.loads(body)["remote"] == CLIENT
    for source, payload in ((CLIENT, v2 + WHOAMI), (None, WHOAMI)):
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", prefork.tcp_port, local_addr=(source, 0) if source else None
        )
        try:
            writer.write(payload)
            async with asyncio.timeout(10):
                # closed with our bytes unread: the kernel resets the connection, or the FIN comes first
                with contextlib.suppress(ConnectionResetError):
                    assert await reader.read() == b""
        finally:
            writer.close()
    prefork.wait_log("a PROXY header from 127.0.0.2, not in proxy_allow_ips")

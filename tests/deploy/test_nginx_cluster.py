"""deploy/nginx/cluster.conf: the real nginx balancing over several upstream hosts, all on 127.0.0.1 here.

The shipped file is used with only its ADJUST lines changed (the hosts become local ports, the listen address a
test port). The hosts: a real prefork, a port nothing listens on (a stopped or dead host), and a host that reads
each request and closes the connection without an answer (a host that crashed under the request).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from harness import NGINX, Nginx, ipv6_loopback, request

CLUSTER_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "cluster.conf"
HOSTS = ["10.0.0.11:8000", "10.0.0.12:8000", "10.0.0.13:8000"]

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: nginx-light)")


def cluster_config(port: int, upstreams: list[int], *, never_out: bool = False) -> str:
    """cluster.conf listening on ``port``, balancing over 127.0.0.1:``upstreams`` (at most three); ``never_out``:
    with ``max_fails=0``, so that a failing host keeps getting its share of requests."""
    text = CLUSTER_CONF.read_text()
    if never_out:
        text = re.sub(r"max_fails=\d+", "max_fails=0", text)
    replacements = [("listen 80;", f"listen 127.0.0.1:{port};")]
    replacements.append(("listen [::]:80;", f"listen [::1]:{port};" if ipv6_loopback() else ""))
    for host, upstream in zip(HOSTS, upstreams, strict=False):
        replacements.append((f"server {host} ", f"server 127.0.0.1:{upstream} "))
    for old, new in replacements:
        assert old in text, f"deploy/nginx/cluster.conf no longer contains {old!r}: update the test"
        text = text.replace(old, new)
    for host in HOSTS[len(upstreams) :]:
        text = re.sub(rf"\n\s*server {re.escape(host)} [^\n]*", "", text)
    return text


def directive(name: str) -> str:
    """The arguments of ``name`` in cluster.conf (it appears once)."""
    (found,) = re.findall(rf"^\s*{name}\s+([^;]*);", CLUSTER_CONF.read_text(), re.M)
    return found


class Hangup:
    """A host that reads a request head and closes the connection without answering; counts the methods."""

    def __init__(self) -> None:
        self.methods: list[str] = []
        self.server: asyncio.Server | None = None

    async def start(self, port: int) -> Hangup:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.methods.append(head.split(b" ", 1)[0].decode())
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
def nginx_site(tmp_path, unused_port):
    started: list[Nginx] = []

    def start(upstreams: list[int], **options: bool) -> Nginx:
        port = unused_port()
        server = Nginx(tmp_path / f"n{len(started)}", port, cluster_config(port, upstreams, **options))
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n".encode()


def post(path: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: app.test\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


def test_the_cluster_config_passes_nginx_t(tmp_path):
    result = Nginx(tmp_path, 8080, cluster_config(8080, [8001, 8002, 8003])).test_config()
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_retries_are_bounded_and_never_resend_a_non_idempotent_request():
    assert "non_idempotent" not in directive("proxy_next_upstream")
    assert set(directive("proxy_next_upstream").split()) >= {"error", "timeout"}
    assert int(directive("proxy_next_upstream_tries")) >= 2
    assert re.fullmatch(r"\d+s", directive("proxy_next_upstream_timeout"))
    for server in re.findall(r"^\s*server \S+:\d+ ([^;]*);", CLUSTER_CONF.read_text(), re.M):
        assert "max_fails=" in server and "fail_timeout=" in server
    assert int(directive("keepalive")) > 0


async def test_a_host_that_is_down_costs_no_request_and_is_taken_out(prefork, nginx_site, unused_port):
    """Refused connections: every request, POST included (it was never sent), goes to the live host; after
    max_fails failures the dead host is left out for fail_timeout."""
    prefork.start(workers=1)
    dead = unused_port()
    proxy = nginx_site([dead, prefork.tcp_port])
    statuses = []
    for i in range(12):
        raw = get("/") if i % 2 else post("/echo", b"payload %d" % i)
        statuses.append((await request(proxy.port, raw))[0])
    assert statuses == [200] * 12
    refused = proxy.error_log().count("Connection refused) while connecting to upstream")
    max_fails = int(re.search(r"max_fails=(\d+)", CLUSTER_CONF.read_text()).group(1))
    assert 1 <= refused <= max_fails
    if refused == max_fails:
        assert "upstream server temporarily disabled" in proxy.error_log()


async def test_a_request_the_host_dropped_is_retried_only_when_idempotent(prefork, nginx_site, unused_port):
    """A host that closes the connection after reading the request: the GET goes on to the next host; the POST
    may have run there, so nginx answers 502 instead of sending it again. (max_fails=0 keeps the dropping host in
    the rotation until it has seen both methods; with the shipped max_fails it would soon be left out.)"""
    prefork.start(workers=1)
    hangup = await Hangup().start(unused_port())
    try:
        proxy = nginx_site([hangup.server.sockets[0].getsockname()[1], prefork.tcp_port], never_out=True)
        results = []
        # two POSTs in a row: one of them lands on each host, whatever the round-robin's phase
        for method in ["GET", "POST", "POST"] * 5:
            raw = post("/echo", b"payload") if method == "POST" else get("/")
            results.append((method, (await request(proxy.port, raw))[0]))
            if {"GET", "POST"} <= set(hangup.methods):
                break
    finally:
        await hangup.stop()
    assert {"GET", "POST"} <= set(hangup.methods), hangup.methods  # the dropping host saw both kinds
    assert all(status == 200 for method, status in results if method == "GET")
    dropped_posts = hangup.methods.count("POST")
    assert [status for method, status in results if method == "POST"].count(502) == dropped_posts

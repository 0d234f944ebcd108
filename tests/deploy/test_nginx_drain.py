"""Stopping one of two prefork nodes behind a real nginx under load: no client sees an error.

nginx balances an upstream of two prefork masters (TCP). One gets TERM with ``--drain-delay``: its health path says
503 at once while it keeps serving what nginx sends; then it drains (in-flight answered with ``Connection: close``,
the listeners closed) and nginx's connections to it are refused, so nginx sends the requests to the other node.
The load is POST, which nginx never resends once it has sent it: a request the stopping node dropped would show.
"""

from __future__ import annotations

import asyncio
import signal

import pytest
from harness import NGINX, Nginx, PostLoad, Prefork, request

SITE = """
upstream pair {{
    server 127.0.0.1:{a};
    server 127.0.0.1:{b};
    keepalive 16;
    keepalive_timeout 60s;
}}
server {{
    listen 127.0.0.1:{port};
    location / {{
        proxy_pass http://pair;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
    }}
}}
"""

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: nginx-light)")


async def test_term_one_of_two_nodes_under_post_load_fails_nothing(tmp_path, unused_port):
    nodes = [Prefork(tmp_path / name, unused_port()) for name in ("a", "b")]
    port = unused_port()
    proxy = Nginx(tmp_path / "nginx", port, SITE.format(a=nodes[0].tcp_port, b=nodes[1].tcp_port, port=port))
    try:
        for node in nodes:
            node.tmp_path.mkdir()
            node.start("--health-path", "/healthz", "--drain-delay", "1", "--drain-grace", "0.5", workers=2)
        proxy.start()
        load = PostLoad(port, concurrency=8).start()
        try:
            await load.until(200)
            stopping = nodes[0]
            stopping.signal(signal.SIGTERM)
            await asyncio.to_thread(stopping.wait_log, r"health answers 503")
            health = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            assert (await request(stopping.tcp_port, health))[0] == 503  # the node still listens, and says so
            assert (await request(nodes[1].tcp_port, health))[0] == 200
            await load.until(100)  # served during the delay
            assert await asyncio.to_thread(stopping.wait, 20) == 0
            await load.until(200)  # and by the other node alone afterwards
        finally:
            await load.stop()
        assert load.failed == 0, (load.statuses, load.errors, proxy.error_log()[-2000:])
        assert load.mismatched == 0
        assert proxy.access_statuses().get("502", 0) == 0
        print(f"nginx, TERM one of two nodes: {load.ok} POSTs answered, {load.failed} failed")
    finally:
        proxy.stop()
        for node in nodes:
            node.stop()

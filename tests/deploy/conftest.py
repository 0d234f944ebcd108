"""Fixtures of the deploy tests: a real nginx from deploy/nginx/prefork.conf and a real prefork behind it."""

from __future__ import annotations

import pytest
from harness import NGINX, Nginx, Prefork, site_config


@pytest.fixture
def prefork(tmp_path, unused_port):
    """``prefork.start(*args, trusted=...)``: the proxied test app on a unix socket and a TCP port."""
    server = Prefork(tmp_path, unused_port())
    yield server
    server.stop()


@pytest.fixture
def nginx(tmp_path, unused_port, prefork):
    """``nginx(upstream="prefork")``: start nginx with the shipped site config, proxying to ``prefork``."""
    if NGINX is None:
        pytest.skip("nginx is not installed (Debian: nginx-light)")
    started: list[Nginx] = []

    def start(upstream: str = "prefork") -> Nginx:
        static = tmp_path / "static"
        static.mkdir(exist_ok=True)
        port = unused_port()
        site = site_config(
            port=port,
            unix_path=prefork.unix_path,
            tcp_port=prefork.tcp_port,
            static_root=str(static),
            upstream=upstream,
        )
        server = Nginx(tmp_path / f"n{len(started)}", port, site)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()

"""prefork behind the real nginx, configured by the shipped deploy/nginx/prefork.conf (only ports and paths changed).

Clients connect from 127.0.0.2 where the client's address matters, so that "the client" and "the proxy"
(127.0.0.1, or a unix socket) are different addresses, as they are in production.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import re
import signal

import aiohttp
import pytest
from harness import NGINX, Nginx, PostLoad, Prefork, request, site_config

CLIENT = "127.0.0.2"
UPSTREAMS = ["prefork", "prefork_tcp"]  # unix socket, TCP


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


def get(path: str, *headers: str, host: str = "app.test") -> bytes:
    extra = "".join(f"{h}\r\n" for h in headers)
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode()


def post(path: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: app.test\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: nginx-light)")
def test_the_shipped_config_passes_nginx_t(tmp_path):
    site = site_config(port=8080, unix_path=str(tmp_path / "p.sock"), tcp_port=8000, static_root=str(tmp_path))
    result = Nginx(tmp_path, 8080, site).test_config()
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.mark.parametrize("upstream", UPSTREAMS)
async def test_get_and_post_with_a_body(prefork, nginx, upstream):
    prefork.start()
    proxy = nginx(upstream)
    status, _, body = await request(proxy.port, get("/"))
    assert status == 200
    assert body.startswith(b"hello from ")
    payload = bytes(range(256)) * 1000  # 256 kB: nginx buffers it, then passes it on in one go
    status, headers, body = await request(proxy.port, post("/echo", payload))
    assert status == 200
    assert body == payload
    assert headers["x-worker"].isdigit()


async def test_a_body_over_client_max_size_is_refused_by_nginx_itself(prefork, nginx):
    prefork.start()
    proxy = nginx()
    status, _, _ = await request(proxy.port, post("/echo", b"x" * (1024 * 1024 + 1)))
    assert status == 413
    assert "POST /echo" not in prefork.log()


async def test_static_files_are_served_by_nginx(prefork, nginx, tmp_path):
    prefork.start()
    proxy = nginx()
    (tmp_path / "static" / "app.css").write_text("body { color: teal }\n")
    status, headers, body = await request(proxy.port, get("/static/app.css"))
    assert status == 200  # the app has no /static route: a 404 would mean the request went to prefork
    assert body == b"body { color: teal }\n"
    assert "max-age=3600" in headers.get("cache-control", "")
    assert (await request(proxy.port, get("/static/missing.css")))[0] == 404


async def test_upstream_connections_are_kept_alive(prefork, nginx):
    prefork.start(workers=1)
    proxy = nginx("prefork_tcp")
    peers = set()
    for _ in range(20):
        status, _, body = await request(proxy.port, get("/whoami"))  # a new client connection each time
        assert status == 200
        seen = json.loads(body)
        assert seen["headers"]["Connection"] is None  # the empty Connection header is not sent at all
        peers.add(seen["peer_port"])
    # One upstream connection served all 20: nginx spoke HTTP/1.1 without "Connection: close", and put the
    # connection back in its keepalive pool after each response.
    assert len(peers) == 1


@pytest.mark.parametrize("upstream", UPSTREAMS)
async def test_x_forwarded_headers_reach_the_app(prefork, nginx, upstream):
    prefork.start(trusted="127.0.0.1")  # nginx's address; unix-socket peers are trusted as well
    proxy = nginx(upstream)
    forged = ("X-Forwarded-For: 6.6.6.6", "X-Forwarded-Proto: https", "Forwarded: for=7.7.7.7;proto=https")
    status, _, body = await request(proxy.port, get("/whoami", *forged), source=CLIENT)
    assert status == 200
    seen = json.loads(body)
    assert seen["headers"]["X-Forwarded-For"] == f"6.6.6.6, {CLIENT}"  # nginx appended the address it saw
    assert seen["headers"]["X-Forwarded-Proto"] == "http"  # nginx's own, the forged one replaced
    assert seen["headers"]["X-Forwarded-Host"] == "app.test"
    assert seen["headers"]["Forwarded"] is None  # cleared by the config
    assert seen["resolved"] == {"remote": CLIENT, "scheme": "http", "host": "app.test"}


@pytest.mark.parametrize("upstream", UPSTREAMS)
async def test_request_remote_scheme_and_host_are_the_clients(prefork, nginx, upstream):
    prefork.start(trusted="127.0.0.1")
    proxy = nginx(upstream)
    status, _, body = await request(proxy.port, get("/whoami", "X-Forwarded-For: 6.6.6.6"), source=CLIENT)
    assert status == 200
    seen = json.loads(body)
    assert (seen["remote"], seen["scheme"], seen["host"]) == (CLIENT, "http", "app.test")


async def test_the_access_log_names_the_client_behind_nginx(prefork, nginx, tmp_path):
    access = tmp_path / "access.log"
    prefork.start("--access-logfile", str(access), trusted="127.0.0.1")
    proxy = nginx()
    assert (await request(proxy.port, get("/", "X-Forwarded-For: 6.6.6.6"), source=CLIENT))[0] == 200
    assert (await request(prefork.tcp_port, get("/", "X-Forwarded-For: 6.6.6.6"), source=CLIENT))[0] == 200
    async with asyncio.timeout(5):
        while len(access.read_text().splitlines()) < 2 if access.exists() else True:
            await asyncio.sleep(0.02)
    # through nginx, and straight from an untrusted peer with a forged header: the client both times
    assert [line.split()[0] for line in access.read_text().splitlines()] == [CLIENT, CLIENT]


async def test_a_forged_header_sent_straight_to_prefork_changes_nothing(prefork):
    prefork.start(trusted="127.0.0.1")
    forged = ("X-Forwarded-For: 6.6.6.6", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.example")
    status, _, body = await request(prefork.tcp_port, get("/whoami", *forged), source=CLIENT)
    assert status == 200
    seen = json.loads(body)
    assert seen["resolved"] == {"remote": CLIENT, "scheme": None, "host": None}
    assert (seen["remote"], seen["scheme"], seen["host"]) == (CLIENT, "http", "app.test")


async def test_a_websocket_through_nginx(prefork, nginx):
    prefork.start()
    proxy = nginx()
    async with aiohttp.ClientSession() as session, session.ws_connect(f"http://127.0.0.1:{proxy.port}/ws") as ws:
        await ws.send_str("hi")
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.data == "echo: hi"
        await ws.close()


async def test_a_websocket_through_nginx_is_closed_with_1001_on_reload_and_reconnects(prefork, nginx):
    prefork.start("--drain-grace", "0.2")
    proxy = nginx()
    url = f"http://127.0.0.1:{proxy.port}/ws"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            prefork.signal(signal.SIGHUP)
            msg = await asyncio.wait_for(ws.receive(), 10)
            assert msg.type == aiohttp.WSMsgType.CLOSE
            assert ws.close_code == 1001  # going away: the client should reconnect, and it can
        async with session.ws_connect(url) as ws:
            await ws.send_str("again")
            assert (await asyncio.wait_for(ws.receive(), 5)).data == "echo: again"


# -- restarts through nginx --------------------------------------------------------------------------------------


async def _restart_under_load(prefork: Prefork, proxy, sig: signal.Signals, times: int) -> PostLoad:
    load = PostLoad(proxy.port, concurrency=8).start()
    try:
        await load.until(150)
        for n in range(1, times + 1):
            prefork.signal(sig)
            if sig == signal.SIGHUP:
                await asyncio.to_thread(prefork.wait_log, r"reload done", n, 15)
                # every old worker finished its drain (grace included) while the load went on
                await asyncio.to_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 2 * n, 15)
            else:
                new = int((await asyncio.to_thread(prefork.wait_log, r"USR2: started new master (\d+)", n, 15))[-1])
                prefork.extra_masters.append(new)
                await asyncio.to_thread(prefork.proc.wait, 15)  # the old master handed over and left
            await load.until(150)
    finally:
        await load.stop()
    return load


@pytest.mark.parametrize("upstream", UPSTREAMS)
async def test_hup_twice_under_post_load_through_nginx_fails_nothing(prefork, nginx, upstream):
    prefork.start("--drain-grace", "0.5")
    proxy = nginx(upstream)
    load = await _restart_under_load(prefork, proxy, signal.SIGHUP, 2)
    assert load.failed == 0, (load.statuses, load.errors, _upstream_errors(proxy))
    assert load.mismatched == 0
    assert proxy.access_statuses().get("502", 0) == 0


async def test_usr2_under_post_load_through_nginx_fails_nothing(prefork, nginx):
    prefork.start("--drain-grace", "0.5")
    proxy = nginx()
    load = await _restart_under_load(prefork, proxy, signal.SIGUSR2, 1)
    assert load.failed == 0, (load.statuses, load.errors, _upstream_errors(proxy))
    assert load.mismatched == 0
    assert proxy.access_statuses().get("502", 0) == 0


async def test_hups_between_bursts_fail_nothing(prefork, nginx):
    """Bursts with idle gaps leave idle connections in nginx's keepalive pool when an old worker's drain grace
    ends: the case where a proxy sends a request on a connection the server is closing, if anything is wrong."""
    prefork.start("--drain-grace", "0.3")
    proxy = nginx()
    outcomes: collections.Counter[object] = collections.Counter()
    stop = asyncio.Event()
    rng = random.Random(6)

    async def client() -> None:
        while not stop.is_set():
            try:
                outcomes[(await request(proxy.port, post("/echo", b"abc")))[0]] += 1
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                outcomes[type(exc).__name__] += 1
            await asyncio.sleep(rng.uniform(0.0, 0.5))

    tasks = [asyncio.create_task(client()) for _ in range(24)]
    try:
        for n in range(1, 4):
            await asyncio.sleep(rng.uniform(0.1, 0.4))
            prefork.signal(signal.SIGHUP)
            await asyncio.to_thread(prefork.wait_log, r"reload done", n, 15)
        await asyncio.to_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 6, 15)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    assert set(outcomes) == {200}, (outcomes, _upstream_errors(proxy))
    assert outcomes[200] > 50


def _upstream_errors(proxy) -> list[str]:
    return [line for line in proxy.error_log().splitlines() if re.search(r"\[(error|crit)\]", line)][-5:]

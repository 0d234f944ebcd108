"""``--metrics-bind``, ``--health-path`` and ``--drain-delay`` on a real master with real signals."""

from __future__ import annotations

import asyncio
import re
import signal

from http_client import read_response
from load import close_writer
from masters import get, in_thread
from waiting import until

ROOT_OK = 'prefork_http_requests_total{method="GET",status="2xx",route="/"}'


async def scrape(address: int | str) -> dict[str, float]:
    """GET /metrics from a port or a unix socket path: {series: value}."""
    if isinstance(address, int):
        reader, writer = await asyncio.open_connection("127.0.0.1", address)
    else:
        reader, writer = await asyncio.open_unix_connection(address)
    try:
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        async with asyncio.timeout(10):
            status, headers, body = await read_response(reader)
    finally:
        await close_writer(writer)
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    values = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            values[key] = float(value)
    return values


async def wait_metric(address, key: str, predicate, timeout: float = 15.0) -> dict[str, float]:
    """Scrape until ``predicate(value of key)`` holds (the workers report on their heartbeat)."""
    seen: dict[str, float] = {}

    async def check() -> bool:
        seen.clear()
        seen.update(await scrape(address))
        return predicate(seen.get(key, 0))

    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{key} = {seen.get(key)} after {timeout}s")
        await asyncio.sleep(0.1)
    return seen


async def requests(port: int, count: int, path: str = "/") -> None:
    for _ in range(count):
        status, _, _ = await get(port, path)
        assert status == 200


async def test_one_scrape_counts_every_worker_and_a_hup_loses_nothing(prefork, unused_port):
    metrics = unused_port()
    prefork.start("-w", "2", "--metrics-bind", f"127.0.0.1:{metrics}", wait=2)
    await requests(prefork.port, 30)
    values = await wait_metric(metrics, ROOT_OK, lambda v: v >= 30)
    assert values[ROOT_OK] == 30
    assert values['prefork_workers{stage="ready"}'] == 2
    assert values['prefork_master_state{state="serving"}'] == 1
    assert len([k for k in values if k.startswith("prefork_worker_rss_bytes")]) == 2
    assert values["prefork_http_request_duration_seconds_count"] == 30

    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    await in_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 2, 15)
    values = await wait_metric(metrics, 'prefork_worker_restarts_total{reason="hup"}', lambda v: v == 2)
    assert values[ROOT_OK] == 30  # the old workers' counts were folded in once

    await requests(prefork.port, 10)
    values = await wait_metric(metrics, ROOT_OK, lambda v: v >= 40)
    assert values[ROOT_OK] == 40
    assert values["prefork_http_request_duration_seconds_count"] == 40
    status, _, _ = await get(prefork.port, "/no/such/path/123")
    assert status == 404
    values = await wait_metric(
        metrics, 'prefork_http_requests_total{method="GET",status="4xx",route="(unmatched)"}', lambda v: v == 1
    )
    assert not any("/no/such/path" in key for key in values)  # never the raw path


async def test_recycled_workers_are_counted_on_a_unix_socket_endpoint(prefork, tmp_path):
    path = str(tmp_path / "metrics.sock")
    prefork.start("-w", "1", "--max-requests", "10", "--metrics-bind", f"unix:{path}", wait=1)
    for n in (1, 2):  # each batch takes the worker past its limit: it is replaced once the batch is done
        await requests(prefork.port, 12)
        await in_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", n, 15)
    values = await wait_metric(path, 'prefork_worker_restarts_total{reason="max_requests"}', lambda v: v >= 2)
    assert values['prefork_worker_restarts_total{reason="max_requests"}'] == 2
    assert values[ROOT_OK] == 24


async def test_the_endpoint_answers_only_get_metrics(prefork, unused_port):
    metrics = unused_port()
    prefork.start("-w", "1", "--metrics-bind", f"127.0.0.1:{metrics}", wait=1)
    assert (await get(metrics, "/"))[0] == 404
    reader, writer = await asyncio.open_connection("127.0.0.1", metrics)
    try:
        writer.write(b"POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        status, headers, _ = await read_response(reader)
    finally:
        await close_writer(writer)
    assert status == 405 and headers["allow"] == "GET, HEAD"


async def test_a_metrics_address_in_use_stops_the_command_with_one_line(prefork, unused_port):
    prefork.start("-w", "1", "--metrics-bind", f"127.0.0.1:{prefork.port}")  # the same port as -b
    assert await in_thread(prefork.wait, 15) == 5
    assert "cannot bind 127.0.0.1" in prefork.output.read_text()


async def test_health_answers_200_then_503_from_term_while_the_drain_delay_keeps_serving(prefork, unused_port):
    metrics = unused_port()
    prefork.start(
        "-w", "2", "--health-path", "/healthz", "--drain-delay", "3", "--metrics-bind", f"127.0.0.1:{metrics}", wait=2
    )
    status, headers, body = await get(prefork.port, "/healthz")
    assert (status, body) == (200, b"ok\n") and headers["cache-control"] == "no-store"
    assert (await get(prefork.port, "/healthz?probe=1"))[0] == 200
    reader, writer = await asyncio.open_connection("127.0.0.1", prefork.port)  # a keep-alive client
    try:
        prefork.signal(signal.SIGTERM)
        await until(lambda: "health answers 503" in prefork.log(), 10, what="TERM handled")
        status, _, body = await get(prefork.port, "/healthz")
        assert (status, body) == (503, b"draining\n")
        # the listeners are open and the app serves, on new and existing connections, for the whole delay
        assert (await get(prefork.port, "/"))[0] == 200
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        assert (await read_response(reader))[0] == 200
        assert (await read_response(reader))[0] == 503
        values = await scrape(metrics)
        assert values['prefork_master_state{state="draining"}'] == 1
        assert "stopping gracefully\n" not in prefork.log()
    finally:
        await close_writer(writer)
    assert await in_thread(prefork.wait, 15) == 0
    log = prefork.log()
    delay = _seconds(log, r"health answers 503"), _seconds(log, r"TERM: stopping gracefully")
    assert delay[1] - delay[0] >= 2.9


async def test_health_is_for_get_and_head_other_methods_reach_the_app(prefork):
    prefork.start("-w", "1", "--health-path", "/healthz", wait=1)
    reader, writer = await asyncio.open_connection("127.0.0.1", prefork.port)
    try:
        writer.write(b"HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        writer.write(b"POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        status, headers, body = await read_response(reader, "HEAD")
        assert (status, headers["content-length"], body) == (200, "3", b"")
        assert (await read_response(reader))[0] in (404, 405)  # the app's answer: it has no such route
    finally:
        await close_writer(writer)
    assert (await get(prefork.port, "/healthzz"))[0] == 404


def _seconds(log: str, pattern: str) -> float:
    for line in log.splitlines():
        if re.search(pattern, line):
            stamp = re.match(r"\[\d{4}-\d\d-\d\d (\d\d):(\d\d):(\d\d\.\d+)", line)
            assert stamp
            h, m, s = stamp.groups()
            return int(h) * 3600 + int(m) * 60 + float(s)
    raise AssertionError(f"no line matches {pattern!r}")


async def test_after_usr2_the_new_master_takes_the_metrics_address_over(prefork, unused_port):
    metrics = unused_port()
    prefork.start("-w", "1", "--metrics-bind", f"127.0.0.1:{metrics}", wait=1)
    slow = asyncio.create_task(get(prefork.port, "/slow?t=8", timeout=20))  # keeps the old master draining
    await prefork.wait_slow()
    prefork.signal(signal.SIGUSR2)
    new = int((await in_thread(prefork.wait_log, r"USR2: started new master (\d+)"))[-1])
    prefork.extra_masters.append(new)
    # the old master gives the address up as it hands over, not when its last worker has drained
    await in_thread(prefork.wait_log, rf"\[{new}\] \[INFO\] prefork.master: metrics at", 1, 15)
    assert prefork.proc.poll() is None, "the old master is still draining"
    await requests(prefork.port, 5)
    values = await wait_metric(metrics, ROOT_OK, lambda v: v >= 5)
    assert values[ROOT_OK] == 5 and values['prefork_master_state{state="serving"}'] == 1
    assert (await slow)[0] == 200
    assert await in_thread(prefork.wait, 15) == 0

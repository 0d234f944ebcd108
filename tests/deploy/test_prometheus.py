"""A real Prometheus (Debian's ``prometheus``) scraping the master's ``--metrics-bind`` endpoint every second.

Its query API must give the counts of a known load, across a HUP that replaces every worker, with no counter reset
(so ``rate()`` and ``increase()`` stay right), and the restarts the HUP caused.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess

import aiohttp
import pytest
from harness import Prefork, stop_process

PROMETHEUS = shutil.which("prometheus")
ROOT = 'prefork_http_requests_total{method="GET",status="2xx",route="/"}'

pytestmark = pytest.mark.skipif(PROMETHEUS is None, reason="prometheus is not installed (Debian: prometheus)")


@pytest.fixture
def prometheus(tmp_path, unused_port):
    """``prometheus(target_port)``: a Prometheus scraping 127.0.0.1:target_port/metrics every second; its port."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(target: int) -> int:
        port = unused_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            f"scrape_configs:\n  - job_name: prefork\n    static_configs:\n      - targets: ['127.0.0.1:{target}']\n"
        )
        log = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115 - open for the life of the process
        procs.append(
            subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        log.close()
        return port

    yield start
    for proc in procs:
        stop_process(proc, signal.SIGTERM, timeout=10)


async def query(session: aiohttp.ClientSession, port: int, promql: str) -> float | None:
    """The value of an instant query with one result (None: no result, or Prometheus not up yet)."""
    try:
        async with session.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": promql}) as response:
            data = await response.json()
    except (aiohttp.ClientError, OSError):
        return None
    result = data.get("data", {}).get("result", [])
    return float(result[0]["value"][1]) if len(result) == 1 else None


async def until_value(session, port: int, promql: str, expected: float, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    value = None
    while loop.time() < deadline:
        value = await query(session, port, promql)
        if value == expected:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{promql} = {value}, expected {expected}")


async def load(port: int, count: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            async with session.get(f"http://127.0.0.1:{port}/") as response:
                assert response.status == 200
                await response.read()


async def test_prometheus_counts_a_known_load_across_a_hup(tmp_path, unused_port, prometheus):
    metrics = unused_port()
    prefork = Prefork(tmp_path, unused_port())
    try:
        prefork.start("--metrics-bind", f"127.0.0.1:{metrics}", workers=2)
        prom = prometheus(metrics)
        async with aiohttp.ClientSession() as session:
            await until_value(session, prom, 'up{job="prefork"}', 1)
            await load(prefork.tcp_port, 50)
            await until_value(session, prom, ROOT, 50)
            await until_value(session, prom, 'sum(prefork_workers{stage="ready"})', 2)

            prefork.signal(signal.SIGHUP)
            await asyncio.to_thread(prefork.wait_log, r"reload done")
            await asyncio.to_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 2, 15)
            await until_value(session, prom, 'prefork_worker_restarts_total{reason="hup"}', 2)
            await load(prefork.tcp_port, 20)
            await until_value(session, prom, ROOT, 70)
            # the old workers' counts were folded into the master's: Prometheus saw no counter go down
            assert await query(session, prom, f"resets({ROOT}[5m])") == 0
            assert await query(session, prom, f"max_over_time({ROOT}[5m])") == 70
            assert await query(session, prom, "prefork_http_request_duration_seconds_count") == 70
    finally:
        prefork.stop()

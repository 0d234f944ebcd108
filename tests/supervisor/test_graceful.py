"""The promise: restarts drop nothing. Real masters, real signals, a client that counts every request."""

from __future__ import annotations

import asyncio
import os
import signal

from conftest import Load, get, in_thread, read_response


async def test_hup_twice_under_load_fails_no_request(prefork):
    prefork.start("-w", "2", "--drain-grace", "0.5", wait=2)
    first = prefork.workers()
    load = Load(prefork.port, concurrency=16).start()
    await load.until(300)
    for n in (1, 2):
        prefork.signal(signal.SIGHUP)
        await in_thread(prefork.wait_log, r"reload done in", n, 15)
        await load.until(300)
    current = await in_thread(prefork.wait_workers, 2)
    load.served_by.clear()
    await load.until(300)
    await load.stop()
    assert load.failed == 0, load.errors
    assert not set(first) & set(current)  # the old pids are gone
    assert all(prefork.finish_markers()[pid] == 1 for pid in first)  # each ran finish() once
    assert {int(pid) for pid in load.served_by} <= set(current)  # and only the new ones serve
    assert load.ok > 1200


async def test_max_requests_recycles_without_failures(prefork):
    prefork.start(
        "-w", "2", "--max-requests", "150", "--max-requests-jitter", "50", "--drain-grace", "0.3", "-t", "2", wait=2
    )
    load = Load(prefork.port, concurrency=8, max_seconds=3.0).start()
    await in_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 4, 15)
    await load.stop()
    assert load.failed == 0, load.errors
    recycled = [int(n) for n in prefork.wait_log(r"due for recycling \(max_requests: (\d+) requests")]
    assert len(recycled) >= 4
    assert min(recycled) >= 150  # never before its limit; past it only while the replacement boots
    assert len(load.served_by) >= 5  # several generations answered
    finished = prefork.finish_markers()
    exited = [int(pid) for pid in prefork.wait_log(r"worker (\d+) exited \(code 0\)", 4)]
    assert all(finished[pid] == 1 for pid in exited)


async def test_ttou_drains_one_worker_without_failures_and_ttin_adds_one(prefork):
    prefork.start("-w", "3", "--drain-grace", "0.3", wait=3)
    load = Load(prefork.port, concurrency=8).start()
    await load.until(200)
    prefork.signal(signal.SIGTTOU)
    await in_thread(prefork.wait_workers, 2)
    await load.until(200)
    prefork.signal(signal.SIGTTOU)
    await in_thread(prefork.wait_workers, 1)
    prefork.signal(signal.SIGTTOU)  # never below one
    await load.until(200)
    # one signal at a time: the kernel merges a second TTIN sent before the first is handled
    prefork.signal(signal.SIGTTIN)
    await in_thread(prefork.wait_workers, 2)
    prefork.signal(signal.SIGTTIN)
    await in_thread(prefork.wait_workers, 3)
    await load.until(200)
    await load.stop()
    assert load.failed == 0, load.errors
    assert prefork.wait_log(r"TTOU: 1 -> 1 workers")


async def test_memory_ceiling_recycles_the_fat_worker_without_failures(prefork):
    prefork.start("-w", "1", "--max-worker-memory", "120", "--drain-grace", "0.3", "-t", "2", wait=1)
    (fat,) = prefork.workers()
    load = Load(prefork.port, concurrency=4).start()
    await load.until(100)
    status, _, _ = await get(prefork.port, "/grow?mb=150")
    assert status == 200
    await in_thread(prefork.wait_log, rf"worker {fat} is due for recycling \(memory")
    await in_thread(prefork.wait_log, rf"worker {fat} exited \(code 0\)")
    await load.until(100)
    await load.stop()
    assert load.failed == 0, load.errors
    assert fat not in prefork.workers()
    assert prefork.finish_markers()[fat] == 1


async def test_term_lets_a_slow_in_flight_request_complete(prefork):
    prefork.start("-w", "2", "--graceful-timeout", "10", wait=2)
    slow = asyncio.create_task(get(prefork.port, "/slow?t=1.5"))
    await asyncio.sleep(0.3)
    prefork.signal(signal.SIGTERM)
    status, _, body = await slow
    assert status == 200 and body.startswith(b"slow done")
    assert await in_thread(prefork.wait) == 0
    started = prefork.started_markers()
    assert prefork.finish_markers() == dict.fromkeys(started, 1)


async def test_pipelined_requests_are_all_answered_during_a_drain(prefork):
    prefork.start("-w", "1", "--graceful-timeout", "10", wait=1)
    reader, writer = await asyncio.open_connection("127.0.0.1", prefork.port)
    request = b"GET /slow?t=0.8 HTTP/1.1\r\nHost: t\r\n\r\n"
    writer.write(request + b"GET / HTTP/1.1\r\nHost: t\r\n\r\n" * 2)
    await asyncio.sleep(0.2)
    prefork.signal(signal.SIGHUP)
    answers = [await read_response(reader) for _ in range(3)]
    writer.close()
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert answers[-1][1].get("connection") == "close"
    assert await reader.read() == b""  # and then the connection closes
    await in_thread(prefork.wait_log, r"reload done")


async def test_sigkill_of_one_worker_fails_only_its_in_flight_requests(prefork):
    prefork.start("-w", "2", wait=2)
    victim = prefork.workers()[0]
    load = Load(prefork.port, concurrency=8).start()
    await load.until(200)

    os.kill(victim, signal.SIGKILL)
    await in_thread(prefork.wait_log, rf"worker {victim} died.*\(signal SIGKILL\)")
    workers = await in_thread(prefork.wait_workers, 2)
    assert victim not in workers
    await load.until(200)
    await load.stop()
    # at most one in-flight request per connection the dead worker held
    assert load.failed <= load.concurrency, load.errors

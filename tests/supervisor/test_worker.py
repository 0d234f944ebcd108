"""The worker against real processes: the drain (slow and pipelined requests finish, finish() runs once on
every exit but SIGKILL), quick stops, the heartbeat catching a blocked loop, boot failures, app factories."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time

import psutil
from http_client import read_response
from masters import get, in_thread


async def test_term_lets_a_slow_in_flight_request_complete(prefork):
    prefork.start("-w", "2", "--graceful-timeout", "10", wait=2)
    slow = asyncio.create_task(get(prefork.port, "/slow?t=1.5"))
    await prefork.wait_slow()
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
    await prefork.wait_slow()  # the worker has read the three requests: they came in one segment
    prefork.signal(signal.SIGHUP)
    answers = [await read_response(reader) for _ in range(3)]
    writer.close()
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert answers[-1][1].get("connection") == "close"
    assert await reader.read() == b""  # and then the connection closes
    await in_thread(prefork.wait_log, r"reload done")


async def test_int_is_a_quick_stop_that_still_runs_finish(prefork):
    prefork.start("-w", "2", "--graceful-timeout", "20", wait=2)
    slow = asyncio.create_task(get(prefork.port, "/slow?t=10"))
    await prefork.wait_slow()
    started = time.monotonic()
    prefork.signal(signal.SIGINT)
    assert await in_thread(prefork.wait) == 0
    assert time.monotonic() - started < 4  # not the 10 s the request wanted, nor graceful_timeout
    try:
        await slow
    except (OSError, asyncio.IncompleteReadError):
        pass
    assert prefork.finish_markers() == dict.fromkeys(prefork.started_markers(), 1)


async def test_quit_is_a_quick_stop(prefork):
    prefork.start("-w", "1", wait=1)
    prefork.signal(signal.SIGQUIT)
    assert await in_thread(prefork.wait) == 0
    assert prefork.finish_markers() == dict.fromkeys(prefork.started_markers(), 1)


async def test_workers_ignore_the_masters_signals(prefork):
    """INT, HUP, USR2, TTIN, TTOU and WINCH are the master's business (a terminal's Ctrl-C reaches the whole
    process group): a worker that receives one directly keeps serving, and the master still hears its own."""
    prefork.start("-w", "1", wait=1)
    (worker,) = prefork.workers()
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGUSR2, signal.SIGTTIN, signal.SIGTTOU, signal.SIGWINCH):
        os.kill(worker, sig)
    # The point is that nothing happens: an absence has no event to wait for, so a wrongly handled signal gets
    # this long to take the worker down before the checks.
    await asyncio.sleep(0.2)
    assert (await get(prefork.port, "/"))[2] == f"hello from {worker}".encode()
    assert prefork.workers() == [worker] and not prefork.finish_markers()
    prefork.signal(signal.SIGINT)
    assert await in_thread(prefork.wait) == 0  # the master's quick stop, which still runs finish()
    assert prefork.finish_markers() == {worker: 1}


async def test_blocked_loop_is_detected_and_its_stack_dumped(prefork):
    prefork.start("-w", "1", "-t", "1", wait=1)
    (stuck,) = prefork.workers()
    blocked = asyncio.create_task(get(prefork.port, "/block?t=30"))
    await in_thread(prefork.wait_log, rf"WORKER TIMEOUT \(pid {stuck}\)")
    log = (await in_thread(prefork.wait_log, r"(?s)most recent call first.*line \d+ in block"))[0]
    assert "demo.py" in log
    await in_thread(prefork.wait_log, rf"worker {stuck} was stuck and has been stopped")
    (replacement,) = await in_thread(prefork.wait_workers, 1)
    assert replacement != stuck
    status, _, body = await get(prefork.port, "/")
    assert status == 200 and body == f"hello from {replacement}".encode()
    try:
        await blocked
    except (OSError, asyncio.IncompleteReadError):
        pass


async def test_master_death_makes_workers_drain_and_run_finish(prefork):
    prefork.start("-w", "2", "-t", "1", wait=2)
    workers = prefork.workers()
    os.kill(prefork.pid, signal.SIGKILL)
    prefork.wait()
    _, alive = await in_thread(psutil.wait_procs, [psutil.Process(p) for p in workers], 5)
    assert not alive
    assert prefork.finish_markers() == dict.fromkeys(workers, 1)


async def test_first_boot_failure_exits_3_with_the_reason(prefork):
    prefork.start("-w", "4", env={"DEMO_FAIL_STARTUP": "1"})
    assert await in_thread(prefork.wait) == 3
    log = prefork.log()
    assert "exiting with code 3: RuntimeError: on_startup refused to start" in log
    assert (
        prefork.output.read_text() == "prefork: error: RuntimeError: on_startup refused to start (DEMO_FAIL_STARTUP)\n"
    )
    assert len(re.findall(r"failed to boot", log)) == 2  # only the probe forked: one line from it, one from us
    assert not prefork.started_markers()


async def test_app_that_cannot_import_in_the_worker_exits_4(prefork):
    prefork.start("-w", "2", app="broken:app")
    assert await in_thread(prefork.wait) == 4
    assert "exiting with code 4: cannot import 'broken'" in prefork.log()
    assert "this_module_does_not_exist" in prefork.log()
    assert prefork.output.read_text().startswith("prefork: error: cannot import 'broken': ModuleNotFoundError")
    assert prefork.output.read_text().count("\n") == 1


async def test_missing_attribute_exits_4(prefork):
    prefork.start(app="demo:nothing_here")
    assert await in_thread(prefork.wait) == 4
    assert "'demo' has no attribute 'nothing_here'" in prefork.log()


async def test_async_factory(prefork):
    prefork.start("-w", "1", app="demo:create_app_async", wait=1)
    assert (await get(prefork.port, "/"))[0] == 200


async def test_preload_imports_in_the_master_and_runs_hooks_in_workers(prefork):
    prefork.start("-w", "2", "--preload", app="demo:app", wait=2)
    assert prefork.pid not in prefork.started_markers()
    status, _, _ = await get(prefork.port, "/")
    assert status == 200
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    assert prefork.finish_markers() == dict.fromkeys(prefork.started_markers(), 1)
    assert len(prefork.started_markers()) == 2


async def test_int_during_a_graceful_drain_cuts_it_short_and_still_runs_finish(prefork):
    prefork.start("-w", "1", "--graceful-timeout", "30", wait=1)
    slow = asyncio.create_task(get(prefork.port, "/slow?t=20"))
    await prefork.wait_slow()
    prefork.signal(signal.SIGTERM)
    await in_thread(prefork.wait_log, r"graceful stop, draining 1 connection")
    started = time.monotonic()
    prefork.signal(signal.SIGINT)
    assert await in_thread(prefork.wait) == 0
    assert time.monotonic() - started < 3
    assert "quick stop during the drain" in prefork.log()
    assert "killing worker" not in prefork.log()
    try:
        await slow
    except (OSError, asyncio.IncompleteReadError):
        pass
    assert prefork.finish_markers() == dict.fromkeys(prefork.started_markers(), 1)


async def test_forwarded_headers_are_believed_only_from_forwarded_allow_ips(prefork):
    proxy = "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\n"
    prefork.start("-w", "1", "--forwarded-allow-ips", "127.0.0.1", wait=1)  # a local nginx
    assert (await get(prefork.port, "/whois", headers=proxy))[2] == b"203.0.113.7 https shop.example"
    untrusting = prefork.make()  # gunicorn's variable, naming another proxy: our forged headers change nothing
    untrusting.start("-w", "1", env={"FORWARDED_ALLOW_IPS": "192.0.2.1"}, wait=1)
    assert (await get(untrusting.port, "/whois", headers=proxy))[2] == b"127.0.0.1 http t"


async def test_by_default_the_workers_trust_no_proxy_not_even_loopback(prefork):
    # As aiohttp (and gunicorn's aiohttp worker, which ignores forwarded_allow_ips): the app's own middleware,
    # aiohttp-remotes say, reads the headers and must find request.remote to be the peer.
    proxy = "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\n"
    prefork.start("-w", "1", wait=1)
    assert (await get(prefork.port, "/whois", headers=proxy))[2] == b"127.0.0.1 http t"


async def test_worker_connections_holds_the_next_client_in_the_backlog_not_a_503(prefork):
    prefork.start("-w", "1", "--worker-connections", "2", wait=1)
    held = [await asyncio.open_connection("127.0.0.1", prefork.port) for _ in range(2)]
    for (_, writer), seconds in zip(held, (1.5, 4), strict=True):  # both are the worker's, each one busy
        writer.write(f"GET /slow?t={seconds} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    await prefork.wait_slow(2)
    reader, writer = await asyncio.open_connection("127.0.0.1", prefork.port)  # the kernel completes the handshake
    writer.write(b"GET /?third HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    waiting = asyncio.ensure_future(read_response(reader))
    await asyncio.sleep(0.5)  # the point: the third is not served meanwhile (an absence has no event to wait for)
    assert not waiting.done(), "a third connection was accepted over worker_connections=2"
    # The first request is answered and its connection idles: it makes room for the waiting one.
    assert (await asyncio.wait_for(read_response(held[0][0]), 5))[0] == 200
    status, _, _ = await asyncio.wait_for(waiting, 5)
    assert status == 200
    assert await asyncio.wait_for(held[0][0].read(), 5) == b""  # closed between two requests for the room
    for _, w in [*held, (reader, writer)]:
        w.close()
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0

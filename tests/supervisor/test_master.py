"""The master against real processes and real signals: restarts that drop nothing (HUP, max_requests, TTOU,
the memory ceiling, USR2), every signal, crash loops, hooks, and its own files."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys

import psutil
from load import Load
from masters import APPS, get, in_thread
from waiting import until


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
    load.recount()
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
    load = Load(prefork.port, concurrency=8, max_seconds=20.0).start()
    await in_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 4, 15)
    # The load runs until a fifth generation has answered (a busy machine serves fewer requests per second, so
    # a fixed load time would see fewer recycles), bounded by its own max_seconds.
    async with asyncio.timeout(15):
        while len(load.served_by) < 5:
            await asyncio.sleep(0.05)
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


async def test_crash_loop_backs_off_exponentially(prefork):
    prefork.start("-w", "1", "--restart-backoff", "0.1", env={"DEMO_CRASH_AFTER": "0.05"}, wait=None)
    delays = await in_thread(prefork.wait_log, r"after it was ready; next attempt in ([\d.]+)s", 4)
    assert [float(d) for d in delays[:4]] == [0.1, 0.2, 0.4, 0.8]
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0


async def test_hup_with_a_broken_new_generation_keeps_the_old_workers(prefork):
    prefork.start("-w", "1", "--restart-backoff", "0.2", wait=1)
    (old,) = prefork.workers()
    # The demo reads DEMO_FAIL_STARTUP from the environment: a config file can flip it for the new generation.
    conf = prefork.tmp_path / "prefork.conf.py"
    conf.write_text("import os\nos.environ['DEMO_FAIL_STARTUP'] = '1'\n")
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"failed to boot", 4)
    status, _, body = await get(prefork.port, "/")
    assert (status, body) == (200, f"hello from {old}".encode()), prefork.log()  # the old worker still serves
    conf.write_text("import os\nos.environ.pop('DEMO_FAIL_STARTUP', None)\n")
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    (new,) = await in_thread(prefork.wait_workers, 1)
    assert new != old


async def test_access_logformat_json_writes_one_json_object_per_request(prefork):
    access = prefork.tmp_path / "access.log"
    prefork.start("-w", "1", "--access-logfile", str(access), "--access-logformat", "json", wait=1)
    status, _, _ = await get(prefork.port, "/?q=1")
    assert status == 200
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    (line,) = access.read_text().splitlines()
    entry = json.loads(line)
    assert (entry["method"], entry["status"], entry["remote"]) == ("GET", 200, "127.0.0.1"), entry
    assert entry["path"] == "/" and entry["pid"] > 0, entry


async def test_usr1_reopens_the_logs_of_master_and_workers(prefork, tmp_path):
    access = prefork.tmp_path / "access.log"
    prefork.start("-w", "1", "--access-logfile", str(access), wait=1)
    (worker,) = prefork.workers()
    await get(prefork.port, "/?before")
    os.rename(prefork.log_path, str(prefork.log_path) + ".1")
    os.rename(access, str(access) + ".1")
    prefork.signal(signal.SIGUSR1)
    await in_thread(prefork.wait_log, r"USR1: reopened log files")
    # The worker handles its USR1 on its loop: it has reopened once it holds the files at their old names again.
    logs = {str(access), str(prefork.log_path)}
    await until(lambda: logs <= {f.path for f in psutil.Process(worker).open_files()}, what="the worker's reopen")
    await get(prefork.port, "/?after")
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    assert f"worker {worker} exiting" in prefork.log()  # the worker wrote to the new file
    assert "GET /?before" in (prefork.tmp_path / "access.log.1").read_text()
    assert "GET /?after" in access.read_text()


async def test_usr2_upgrades_the_master_without_failed_requests(prefork):
    pidfile = prefork.tmp_path / "prefork.pid"
    prefork.start("-w", "2", "-p", str(pidfile), "--drain-grace", "0.3", wait=2)
    old_workers = prefork.workers()
    load = Load(prefork.port, concurrency=8).start()
    await load.until(200)
    prefork.signal(signal.SIGUSR2)
    await in_thread(prefork.wait_log, r"upgrade complete; stopping the old master")
    new_master = int((await in_thread(prefork.wait_log, r"\[(\d+)\] \[INFO\] prefork.master: upgrade complete"))[0])
    prefork.extra_masters.append(new_master)
    assert new_master != prefork.pid
    assert await in_thread(prefork.wait) == 0  # the old master left once the new one was ready
    await load.until(200)
    await load.stop()
    assert load.failed == 0, load.errors
    assert int(pidfile.read_text()) == new_master
    assert not (prefork.tmp_path / "prefork.pid.oldbin").exists()
    new_workers = await in_thread(prefork.wait_workers, 2, 10, new_master)
    assert not set(new_workers) & set(old_workers)
    assert all(not psutil.pid_exists(p) for p in old_workers)


async def test_unix_socket_pidfile_and_process_titles(prefork):
    path = prefork.tmp_path / "app.sock"
    pidfile = prefork.tmp_path / "app.pid"
    prefork.start(
        "-w", "2", "-b", f"unix:{path}", "--unix-socket-mode", "600", "-p", str(pidfile), "-n", "shop", wait=2
    )
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert int(pidfile.read_text()) == prefork.pid
    assert psutil.Process(prefork.pid).cmdline()[0] == "prefork: master [shop]"
    assert {psutil.Process(p).cmdline()[0] for p in prefork.workers()} == {"prefork: worker [shop]"}
    reader, writer = await asyncio.open_unix_connection(str(path))
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (await reader.read()).startswith(b"HTTP/1.1 200 OK")
    writer.close()
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    assert not path.exists() and not pidfile.exists()


HOOKS = """
import os
_out = os.path.join(os.path.dirname(__file__), "hooks.txt")

def _note(*words):
    with open(_out, "a") as f:
        f.write(" ".join(map(str, words)) + "\\n")

def on_starting(server): _note("on_starting", server.pid)
def when_ready(server): _note("when_ready")
def pre_fork(server, worker): _note("pre_fork", worker.age)
def post_fork(server, worker): _note("post_fork", worker.age, worker.pid)
def post_worker_init(worker): _note("post_worker_init", worker.pid)
def worker_int(worker): _note("worker_int", worker.pid)
def worker_exit(server, worker): _note("worker_exit", worker.pid)
def on_reload(server): _note("on_reload")
def nworkers_changed(server, new, old): _note("nworkers_changed", new, old)
def on_exit(server): _note("on_exit")
"""


async def test_server_hooks_from_the_config_file(prefork):
    conf = prefork.tmp_path / "prefork.conf.py"
    conf.write_text(HOOKS)
    prefork.start("-w", "1", wait=1)
    prefork.signal(signal.SIGTTIN)
    await in_thread(prefork.wait_workers, 2)
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    prefork.signal(signal.SIGINT)
    assert await in_thread(prefork.wait) == 0
    notes = (prefork.tmp_path / "hooks.txt").read_text().splitlines()
    kinds = [line.split()[0] for line in notes]
    assert kinds[0] == "on_starting" and kinds[-1] == "on_exit"
    assert notes[0] == f"on_starting {prefork.pid}"
    assert kinds.count("when_ready") == 1 and kinds.count("on_reload") == 1
    assert "nworkers_changed 2 1" in notes
    assert kinds.count("pre_fork") == kinds.count("post_fork") == kinds.count("post_worker_init") == 4
    assert kinds.count("worker_exit") == 4 and kinds.count("worker_int") == 2  # the last two quit on INT


RELOADABLE = """
from web import Application, Response

async def version(request):
    return Response(text="{version}")

def create_app():
    app = Application()
    app.router.add_route("GET", "/", version)
    return app
"""


async def test_hup_reloads_the_app_code(prefork):
    code = prefork.tmp_path / "reloadable.py"
    code.write_text(RELOADABLE.format(version="v1"))
    prefork.start("-w", "2", "--chdir", str(prefork.tmp_path), app="reloadable:create_app", wait=2)
    assert (await get(prefork.port, "/"))[2] == b"v1"
    code.write_text(RELOADABLE.format(version="v2-longer"))  # a new size: .pyc mtimes have 1 s resolution
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    assert (await get(prefork.port, "/"))[2] == b"v2-longer"


async def test_usr2_with_a_new_master_that_fails_keeps_the_old_one(prefork):
    conf = prefork.tmp_path / "prefork.conf.py"
    conf.write_text("workers = 1\n")
    pidfile = prefork.tmp_path / "p.pid"
    prefork.start("-p", str(pidfile), wait=1)
    (worker,) = prefork.workers()
    conf.write_text("wokers = 1\n")  # the new master will refuse this config
    prefork.signal(signal.SIGUSR2)
    try:
        await in_thread(prefork.wait_log, r"the new master exited with 2 before taking over")
    finally:
        prefork.extra_masters.extend(int(p) for p in re.findall(r"USR2: started new master (\d+)", prefork.log()))
    assert int(pidfile.read_text()) == prefork.pid
    assert "unknown setting 'wokers'" in prefork.output.read_text()
    assert (await get(prefork.port, "/"))[2] == f"hello from {worker}".encode()


async def test_service_manager_hears_ready_reloading_ready_stopping(prefork):
    record = prefork.tmp_path / "notify.txt"
    prefork.command = [sys.executable, os.path.join(APPS, "notify_recorder.py")]
    prefork.start("-w", "2", env={"NOTIFY_RECORD": str(record)}, wait=2)
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    assert record.read_text().split() == ["READY", "RELOADING", "READY", "STOPPING"]


async def test_a_storm_of_hups_under_load_fails_nothing_and_settles_on_the_last_generation(prefork):
    prefork.start("-w", "2", "--drain-grace", "0.3", wait=2)
    load = Load(prefork.port, concurrency=8).start()
    await load.until(100)
    for _ in range(6):
        prefork.signal(signal.SIGHUP)
        await asyncio.sleep(0.03)
    prefork.signal(signal.SIGUSR1)  # logged once the HUPs before it were handled
    await in_thread(prefork.wait_log, r"USR1: reopened")
    # the kernel merges HUPs that arrive before the master handles one: count those it saw
    hups = len(prefork.wait_log(r"HUP: reloading"))
    await in_thread(prefork.wait_log, rf"generation {hups} serves")  # the last HUP's generation serves
    workers = await in_thread(prefork.wait_workers, 2)
    load.recount()
    await load.until(300)
    await load.stop()
    assert load.failed == 0, load.errors
    assert {int(pid) for pid in load.served_by} <= set(workers)
    assert len(prefork.wait_log(r"HUP: reloading")) == hups


async def test_fd_and_ipv6_binds(prefork):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    fd_port = sock.getsockname()[1]
    v6 = socket.socket(socket.AF_INET6)
    v6.bind(("::1", 0))
    v6_port = v6.getsockname()[1]
    v6.close()
    try:
        prefork.start(
            "-w",
            "1",
            "-b",
            f"fd://{sock.fileno()}",
            "-b",
            f"[::1]:{v6_port}",
            bind=False,
            pass_fds=(sock.fileno(),),
            wait=1,
        )
    finally:
        sock.close()  # the master has its own copy now
    assert (await get(fd_port, "/"))[0] == 200
    reader, writer = await asyncio.open_connection("::1", v6_port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (await reader.read()).startswith(b"HTTP/1.1 200 OK")
    writer.close()


async def test_hup_under_an_aiohttp_client_pool_fails_nothing(prefork):
    """A third-party client that pools keep-alive connections, as a proxy or a service client would."""
    import aiohttp

    prefork.start("-w", "2", "--drain-grace", "0.5", wait=2)
    url = f"http://127.0.0.1:{prefork.port}/"
    counts = {"ok": 0, "failed": 0}
    stop = asyncio.Event()

    async def client(session):
        while not stop.is_set():
            try:
                async with session.get(url) as response:
                    await response.read()
                    counts["ok" if response.status == 200 else "failed"] += 1
            except aiohttp.ClientError:
                counts["failed"] += 1

    async def served(more):
        target = counts["ok"] + more
        async with asyncio.timeout(10):
            while counts["ok"] < target:
                await asyncio.sleep(0.01)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=8)) as session:
        tasks = [asyncio.create_task(client(session)) for _ in range(8)]
        for n in (1, 2):
            await served(100)
            prefork.signal(signal.SIGHUP)
            await in_thread(prefork.wait_log, r"reload done", n)
        await served(100)
        stop.set()
        await asyncio.gather(*tasks)
    assert counts["failed"] == 0 and counts["ok"] > 200, counts

"""Every signal, every failure mode of booting, and the master's own files, against real processes."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time

import psutil
from conftest import Load, get, in_thread


async def test_int_is_a_quick_stop_that_still_runs_finish(prefork):
    prefork.start("-w", "2", "--graceful-timeout", "20", wait=2)
    slow = asyncio.create_task(get(prefork.port, "/slow?t=10"))
    await asyncio.sleep(0.2)
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


async def test_first_boot_failure_exits_3_with_the_reason(prefork):
    prefork.start("-w", "4", env={"DEMO_FAIL_STARTUP": "1"})
    assert await in_thread(prefork.wait) == 3
    log = prefork.log()
    assert "exiting with code 3: RuntimeError: on_startup refused to start" in log
    assert len(re.findall(r"failed to boot", log)) == 2  # only the probe forked: one line from it, one from us
    assert not prefork.started_markers()


async def test_app_that_cannot_import_in_the_worker_exits_4(prefork):
    prefork.start("-w", "2", app="broken:app")
    assert await in_thread(prefork.wait) == 4
    assert "exiting with code 4: cannot import 'broken'" in prefork.log()
    assert "this_module_does_not_exist" in prefork.log()


async def test_missing_attribute_exits_4(prefork):
    prefork.start(app="demo:nothing_here")
    assert await in_thread(prefork.wait) == 4
    assert "'demo' has no attribute 'nothing_here'" in prefork.log()


async def test_missing_module_is_one_line_before_any_fork(prefork):
    prefork.start(app="no_such_module:app")
    assert await in_thread(prefork.wait) == 4
    assert (
        prefork.output.read_text() == "prefork: error: cannot import 'no_such_module': no module named "
        "'no_such_module'\n"
    )


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


async def test_master_death_makes_workers_drain_and_run_finish(prefork):
    prefork.start("-w", "2", "-t", "1", wait=2)
    workers = prefork.workers()
    os.kill(prefork.pid, signal.SIGKILL)
    prefork.wait()
    _, alive = await in_thread(psutil.wait_procs, [psutil.Process(p) for p in workers], 5)
    assert not alive
    assert prefork.finish_markers() == dict.fromkeys(workers, 1)


async def test_usr1_reopens_the_logs_of_master_and_workers(prefork, tmp_path):
    access = prefork.tmp_path / "access.log"
    prefork.start("-w", "1", "--access-logfile", str(access), wait=1)
    (worker,) = prefork.workers()
    await get(prefork.port, "/?before")
    os.rename(prefork.log_path, str(prefork.log_path) + ".1")
    os.rename(access, str(access) + ".1")
    prefork.signal(signal.SIGUSR1)
    await in_thread(prefork.wait_log, r"USR1: reopened log files")
    await asyncio.sleep(0.3)  # the worker handles its USR1 on its loop
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
    prefork.also_kill.append(new_master)
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


async def test_preload_imports_in_the_master_and_runs_hooks_in_workers(prefork):
    prefork.start("-w", "2", "--preload", app="demo:app", wait=2)
    assert prefork.pid not in prefork.started_markers()
    status, _, _ = await get(prefork.port, "/")
    assert status == 200
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    assert prefork.finish_markers() == dict.fromkeys(prefork.started_markers(), 1)
    assert len(prefork.started_markers()) == 2


async def test_async_factory(prefork):
    prefork.start("-w", "1", app="demo:create_app_async", wait=1)
    assert (await get(prefork.port, "/"))[0] == 200


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


async def test_precedence_in_a_real_process(prefork):
    (prefork.tmp_path / "prefork.conf.py").write_text("workers = 3\ntimeout = 7\n")
    prefork.start(env={"PREFORK_CMD_ARGS": "-w 2"}, wait=2)
    assert len(prefork.workers()) == 2


async def test_one_line_errors_and_informational_commands(prefork):
    conf = prefork.tmp_path / "bad.conf.py"
    conf.write_text("workers = 2\nwokers = 3\n")
    cases = [
        (["--wokers", "3"], 2, "prefork: error: command line: unrecognized arguments: --wokers demo:create_app\n"),
        (["-c", str(conf)], 2, f"prefork: error: {conf}:2: unknown setting 'wokers' (did you mean 'workers'?)\n"),
    ]
    for args, code, output in cases:
        master = prefork.make()
        master.start(*args, bind=False)
        assert await in_thread(master.wait) == code
        assert master.output.read_text() == output

    master = prefork.make()
    master.start("--check-config", "--keep-alive", "5")
    assert await in_thread(master.wait) == 0
    text = master.output.read_text()
    assert "warning: keepalive 5s is shorter than nginx's 60s" in text and "config OK" in text

    master = prefork.make()
    master.start("--check-config", app="broken:app")
    assert await in_thread(master.wait) == 4
    assert master.output.read_text().startswith("prefork: error: cannot import 'broken'")

    master = prefork.make()
    master.start("--print-config", "-w", "5")
    assert await in_thread(master.wait) == 0
    assert "workers = 5  # command line" in master.output.read_text()

    master = prefork.make()
    master.start("--version")
    assert await in_thread(master.wait) == 0
    assert master.output.read_text().startswith("prefork ")


async def test_address_in_use_is_one_line_and_exit_5(prefork):
    first = prefork.start("-w", "1", wait=1)
    second = prefork.make()
    second.port = first.port
    second.start()
    assert await in_thread(second.wait) == 5
    assert second.output.read_text() == (
        f"prefork: error: cannot bind 127.0.0.1:{first.port}: Address already in use\n"
    )


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
        prefork.also_kill.extend(int(p) for p in re.findall(r"USR2: started new master (\d+)", prefork.log()))
    assert int(pidfile.read_text()) == prefork.pid
    assert "unknown setting 'wokers'" in prefork.output.read_text()
    assert (await get(prefork.port, "/"))[2] == f"hello from {worker}".encode()

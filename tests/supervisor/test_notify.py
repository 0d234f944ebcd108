"""sd_notify over a real AF_UNIX datagram socket standing in for systemd's NOTIFY_SOCKET.

The socket records each datagram with the sender's pid (SO_PASSCRED, as systemd does), so the process tests
check not only the sequence READY / RELOADING / READY / STOPPING but also who sent it: with systemd's default
``NotifyAccess=main``, only the main pid is listened to.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import time
import uuid

import pytest
from load import Load
from masters import get, in_thread

from supervisor import notify
from supervisor.notify import Notifier, SdNotifier, from_environ

_CREDS = struct.Struct("iII")  # struct ucred: pid, uid, gid


class NotifySocket:
    """A bound ``SOCK_DGRAM`` unix socket; ``recv()`` -> list of (sender pid, {key: value}) datagrams."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.bind(address.replace("@", "\0", 1) if address.startswith("@") else address)
        self.received: list[tuple[int, dict[str, str]]] = []
        self.cursor = 0  # wait_for() looks at datagrams from here on

    def env(self, **extra: str) -> dict[str, str]:
        return {"NOTIFY_SOCKET": self.address, **extra}

    def poll(self, timeout: float = 0.0) -> list[tuple[int, dict[str, str]]]:
        """Read whatever arrived (waiting up to ``timeout`` for the first datagram)."""
        self.sock.settimeout(timeout if timeout > 0 else None)
        if timeout <= 0:
            self.sock.setblocking(False)
        new = []
        try:
            while True:
                data, ancdata, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(_CREDS.size))
                pid = next(
                    (_CREDS.unpack(d[: _CREDS.size])[0] for lvl, typ, d in ancdata if typ == socket.SCM_CREDENTIALS),
                    0,
                )
                fields = dict(line.split("=", 1) for line in data.decode().split("\n") if line)
                new.append((pid, fields))
                self.sock.setblocking(False)
        except (BlockingIOError, TimeoutError):
            pass
        self.received.extend(new)
        return new

    def wait_for(self, key: str, value: str | None = None, timeout: float = 10.0) -> tuple[int, dict[str, str]]:
        """The next datagram, after the one the previous call returned, that sets ``key`` (to ``value``)."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(self.cursor, len(self.received)):
                pid, fields = self.received[index]
                if key in fields and (value is None or fields[key] == value):
                    self.cursor = index + 1
                    return pid, fields
            if time.monotonic() > deadline:
                raise AssertionError(f"no {key}={value} within {timeout}s; received {self.received}")
            self.poll(0.05)

    def events(self) -> list[str]:
        """The lifecycle keys in order (STATUS and WATCHDOG left out)."""
        names = ("READY", "RELOADING", "STOPPING", "MAINPID")
        return [f"{k}={v}" if k == "MAINPID" else k for _, f in self.received for k, v in f.items() if k in names]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path):
    ns = NotifySocket(str(tmp_path / "notify.sock"))
    yield ns
    ns.close()


@pytest.fixture
def abstract_socket():
    ns = NotifySocket(f"@prefork-test-{uuid.uuid4().hex}")
    yield ns
    ns.close()


# -- the protocol -------------------------------------------------------------------------------------------------


def test_notify_sends_one_datagram_to_a_path(notify_socket):
    assert notify.notify("READY=1\nSTATUS=up", notify_socket.env())
    assert notify_socket.poll(1.0) == [(os.getpid(), {"READY": "1", "STATUS": "up"})]


def test_notify_reaches_the_abstract_namespace(abstract_socket):
    assert notify.ready("2 workers", abstract_socket.env())
    assert abstract_socket.poll(1.0) == [(os.getpid(), {"READY": "1", "STATUS": "2 workers"})]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda env: notify.ready(environ=env), {"READY": "1"}),
        (lambda env: notify.stopping(env), {"STOPPING": "1"}),
        (lambda env: notify.status("3 workers\nREADY=1", env), {"STATUS": "3 workers READY=1"}),
        (lambda env: notify.mainpid(4242, env), {"MAINPID": "4242"}),
        (lambda env: notify.watchdog(env), {"WATCHDOG": "1"}),
    ],
)
def test_each_helper_sends_its_assignment(notify_socket, call, expected):
    assert call(notify_socket.env())
    assert notify_socket.poll(1.0) == [(os.getpid(), expected)]


def test_reloading_carries_the_monotonic_clock_in_microseconds(notify_socket):
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert notify.reloading(notify_socket.env())
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    ((_, fields),) = notify_socket.poll(1.0)
    assert fields["RELOADING"] == "1"
    assert before <= int(fields["MONOTONIC_USEC"]) <= after


@pytest.mark.parametrize("value", ["", "relative/path", "@", "vsock:2:1234"])
def test_unset_or_unusable_socket_is_a_silent_no_op(value):
    assert notify.notify("READY=1", {"NOTIFY_SOCKET": value} if value else {}) is False


def test_a_socket_nobody_listens_on_never_raises(tmp_path):
    env = {"NOTIFY_SOCKET": str(tmp_path / "gone.sock")}
    assert notify.ready("x", env) is False
    assert notify.stopping(env) is False
    SdNotifier(env).ready("x")  # the master's view: no exception, whatever happens to systemd


def test_reads_os_environ_by_default(notify_socket, monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", notify_socket.address)
    assert notify.stopping()
    assert notify_socket.poll(1.0)[0][1] == {"STOPPING": "1"}


# -- watchdog ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "junk"}, None),
        ({"WATCHDOG_USEC": "20000000"}, 20.0),
        ({"WATCHDOG_USEC": "1500000", "WATCHDOG_PID": str(os.getpid())}, 1.5),
        ({"WATCHDOG_USEC": "1500000", "WATCHDOG_PID": "1"}, None),  # meant for another process
    ],
)
def test_watchdog_interval(env, expected):
    assert notify.watchdog_interval(env) == expected


def test_notifier_feeds_the_watchdog_only_when_asked_to(notify_socket):
    quiet = SdNotifier(notify_socket.env())
    quiet.watchdog()
    assert notify_socket.poll(0.2) == []
    SdNotifier(notify_socket.env(WATCHDOG_USEC="2000000")).watchdog()
    assert notify_socket.poll(1.0)[0][1] == {"WATCHDOG": "1"}


def test_a_reexeced_master_feeds_the_watchdog_once_it_is_the_main_pid(notify_socket):
    notifier = SdNotifier(notify_socket.env(WATCHDOG_USEC="2000000", WATCHDOG_PID="1"))
    notifier.watchdog()
    assert notify_socket.poll(0.2) == []
    notifier.mainpid(os.getpid())
    notifier.watchdog()
    assert [f for _, f in notify_socket.poll(1.0)] == [{"MAINPID": str(os.getpid())}, {"WATCHDOG": "1"}]


def test_status_is_sent_only_when_it_changed(notify_socket):
    notifier = SdNotifier(notify_socket.env())
    notifier.ready("2 worker(s) ready")
    notifier.status("2 worker(s) ready")
    notifier.status("2 worker(s) ready, 5 requests")
    notifier.status("2 worker(s) ready, 5 requests")
    got = [f for _, f in notify_socket.poll(1.0)]
    assert got == [{"READY": "1", "STATUS": "2 worker(s) ready"}, {"STATUS": "2 worker(s) ready, 5 requests"}]


def test_from_environ_picks_the_notifier():
    assert type(from_environ({})) is Notifier
    assert type(from_environ({"NOTIFY_SOCKET": "relative"})) is Notifier
    assert isinstance(from_environ({"NOTIFY_SOCKET": "/run/systemd/notify"}), SdNotifier)
    assert isinstance(from_environ({"NOTIFY_SOCKET": "@abstract"}), SdNotifier)


# -- the real master ---------------------------------------------------------------------------------------------


async def test_master_says_ready_reloading_ready_stopping_from_its_own_pid(prefork, notify_socket):
    prefork.start("-w", "2", env=notify_socket.env(), wait=2)
    pid, ready = await in_thread(notify_socket.wait_for, "READY")
    assert pid == prefork.pid
    assert ready["STATUS"].startswith("2 worker(s) ready")
    workers = prefork.workers()
    assert len(workers) == 2  # READY came once both workers reported ready, not at fork time

    prefork.signal(signal.SIGHUP)
    _, reloading = await in_thread(notify_socket.wait_for, "RELOADING")
    assert int(reloading["MONOTONIC_USEC"]) <= time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    await in_thread(notify_socket.wait_for, "READY")
    new_workers = await in_thread(prefork.wait_workers, 2)
    assert not set(new_workers) & set(workers)  # the second READY means the new generation serves

    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait) == 0
    notify_socket.poll(0.2)
    assert notify_socket.events() == ["READY", "RELOADING", "READY", "STOPPING"]
    assert {pid for pid, _ in notify_socket.received} == {prefork.pid}


async def test_master_reports_status_and_feeds_the_watchdog(prefork, notify_socket):
    prefork.start("-w", "1", env=notify_socket.env(WATCHDOG_USEC="3000000"), wait=1)
    await in_thread(notify_socket.wait_for, "READY")
    assert (await get(prefork.port, "/"))[0] == 200
    _, status = await in_thread(notify_socket.wait_for, "STATUS", timeout=5)
    assert re.fullmatch(r"1 worker\(s\) ready, \d+ requests served by the current workers", status["STATUS"])
    pid, _ = await in_thread(notify_socket.wait_for, "WATCHDOG", timeout=5)
    assert pid == prefork.pid


async def test_master_without_watchdog_usec_never_pings(prefork, notify_socket):
    prefork.start("-w", "1", env=notify_socket.env(), wait=1)
    await in_thread(notify_socket.wait_for, "READY")
    # The master's once-a-second turn sends STATUS when it changed, then WATCHDOG if enabled. Two turns' STATUS,
    # after one request each: the second comes after anything the first turn sent.
    for served in (1, 2):
        assert (await get(prefork.port, "/"))[0] == 200
        await in_thread(
            notify_socket.wait_for, "STATUS", f"1 worker(s) ready, {served} requests served by the current workers"
        )
    assert not [f for _, f in notify_socket.received if "WATCHDOG" in f]


async def test_usr2_new_master_announces_mainpid_then_ready_and_the_old_one_says_nothing_more(prefork, notify_socket):
    prefork.start("-w", "2", env=notify_socket.env(), wait=2)
    await in_thread(notify_socket.wait_for, "READY")
    load = Load(prefork.port, concurrency=4).start()
    try:
        await load.until(50)
        prefork.signal(signal.SIGUSR2)
        pid, fields = await in_thread(notify_socket.wait_for, "MAINPID", timeout=15)
        new_master = int(fields["MAINPID"])
        prefork.extra_masters.append(new_master)
        assert pid == new_master != prefork.pid  # sent by the new master: the unit needs NotifyAccess=all
        ready_pid, _ = await in_thread(notify_socket.wait_for, "READY")
        assert ready_pid == new_master
        assert await in_thread(prefork.wait, 15) == 0  # the old master drained and left
        await load.until(50)
    finally:
        await load.stop()
    assert load.failed == 0, load.errors
    notify_socket.poll(0.2)
    assert notify_socket.events() == ["READY", f"MAINPID={new_master}", "READY"]  # no STOPPING: the service goes on

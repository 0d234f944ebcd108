"""StatsD output: the address syntax, the lines and datagrams on a real socket, and a real ``prefork`` whose counts
a UDP listener on 127.0.0.1 adds up across a HUP."""

from __future__ import annotations

import collections
import logging
import os
import random
import select
import shutil
import signal
import socket
import tempfile
import time

import pytest
from masters import get, in_thread

from supervisor.statsd import (
    MAX_SAMPLES,
    UDP_PAYLOAD,
    LogCounter,
    Statsd,
    dogstatsd_tags,
    request_lines,
    statsd_address,
    statsd_prefix,
)

APP = "parity_app:create_app"


class Receiver:
    """A StatsD server's socket: UDP on 127.0.0.1 or a unix datagram socket; it keeps every datagram."""

    def __init__(self, path: str | None = None) -> None:
        if path is None:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", 0))
            self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(path)
            self.address = f"unix:{path}"
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self.datagrams: list[bytes] = []

    def drain(self, wait: float = 0.0) -> None:
        """Read what has arrived; wait up to ``wait`` seconds for the first datagram."""
        while select.select([self.sock], [], [], wait)[0]:
            self.datagrams.append(self.sock.recv(65536))
            wait = 0.0

    def lines(self) -> list[str]:
        return [line for datagram in self.datagrams for line in datagram.decode().split("\n")]

    def wait_for(self, predicate, timeout: float = 15.0) -> list[str]:
        """Receive until ``predicate(lines)`` holds."""
        deadline = time.monotonic() + timeout
        while not predicate(self.lines()):
            if time.monotonic() > deadline:
                raise AssertionError(f"not received after {timeout}s: {self.lines()[-20:]}")
            self.drain(0.1)
        return self.lines()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def short_dir():
    """A directory whose paths fit a unix socket address (108 bytes), unlike pytest's tmp_path at times."""
    path = tempfile.mkdtemp(prefix="statsd-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def totals(lines: list[str], prefix: str = "") -> collections.Counter[str]:
    """Counter values summed by name, and the timer samples counted (scaled back by their rate)."""
    out: collections.Counter[str] = collections.Counter()
    for line in lines:
        name, _, rest = line.partition(":")
        value, kind, *extra = rest.split("|")
        name = name.removeprefix(prefix)
        if kind == "c":
            out[name] += int(value)
        elif kind == "ms":
            rate = next((float(e[1:]) for e in extra if e.startswith("@")), 1.0)
            out[f"{name} samples"] += 1
            out[f"{name} count"] += round(1 / rate)
    return out


# -- the settings ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("127.0.0.1:9125", "127.0.0.1:9125"),
        ("statsd.local", "statsd.local:8125"),
        ("[::1]:9125", "[::1]:9125"),
        ("[::1]", "[::1]:8125"),
        ("unix:/run/statsd.sock", "unix:/run/statsd.sock"),
        ("unix:///run/statsd.sock", "unix:/run/statsd.sock"),  # gunicorn's spelling
        ("", None),
        (None, None),
    ],
)
def test_statsd_addresses(given, expected):
    assert statsd_address(given) == expected


@pytest.mark.parametrize("given", ["::1:8125", "host:0", "host:x", "host:70000", ":8125", "unix:", "[::1", 8125])
def test_bad_statsd_addresses_are_refused(given):
    with pytest.raises(ValueError, match="expected"):
        statsd_address(given)


def test_the_prefix_gets_one_trailing_dot_and_tags_are_checked():
    assert statsd_prefix("app") == "app." and statsd_prefix("app...") == "app." and statsd_prefix("") == ""
    assert statsd_prefix("a") == "a."
    assert dogstatsd_tags("env:prod,service:api") == "env:prod,service:api"
    for bad in ("a|b", "a:b\n", "été"):
        with pytest.raises(ValueError):
            statsd_prefix(bad)
        with pytest.raises(ValueError):
            dogstatsd_tags(bad)


# -- lines and datagrams ---------------------------------------------------------------------------------------------


def test_request_lines_count_requests_statuses_and_time_all_but_websockets(receiver):
    statsd = Statsd(receiver.address, "app.", "env:t")
    finished = [(200, 0.0015, False), (200, 0.002, False), (404, 0.001, False), (101, 5.0, True), (None, 0.5, False)]
    lines = request_lines(statsd, finished)
    assert lines[:4] == [
        "app.gunicorn.requests:5|c|#env:t",
        "app.gunicorn.request.status.101:1|c|#env:t",
        "app.gunicorn.request.status.200:2|c|#env:t",
        "app.gunicorn.request.status.404:1|c|#env:t",
    ]
    assert lines[4:] == [
        f"app.gunicorn.request.duration:{ms}|ms|#env:t" for ms in ("1.500", "2.000", "1.000", "500.000")
    ]
    assert request_lines(statsd, []) == []
    statsd.close()


def test_above_max_samples_the_timer_is_a_sample_sent_with_its_rate(receiver):
    statsd = Statsd(receiver.address)
    finished = [(200, i / 1000, False) for i in range(4 * MAX_SAMPLES)]
    lines = request_lines(statsd, finished, random.Random(7))
    timers = [line for line in lines if "|ms" in line]
    assert len(timers) == MAX_SAMPLES and all(line.endswith("|ms|@0.25") for line in timers)
    assert totals(lines)["gunicorn.request.duration count"] == 4 * MAX_SAMPLES
    assert totals(lines)["gunicorn.requests"] == 4 * MAX_SAMPLES
    statsd.close()


def test_send_packs_lines_into_datagrams_that_fit_one_frame(receiver):
    statsd = Statsd(receiver.address, "app.")
    lines = [statsd.line(f"metric{i}", i, "c") for i in range(300)]
    statsd.send(lines)
    receiver.wait_for(lambda got: len(got) == 300)
    assert receiver.lines() == lines  # in order, none lost
    assert all(len(d) <= UDP_PAYLOAD for d in receiver.datagrams) and 1 < len(receiver.datagrams) < 300
    statsd.close()


def test_sending_to_nobody_never_raises():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    address = f"127.0.0.1:{probe.getsockname()[1]}"
    probe.close()  # nobody listens there now: ICMP port unreachable turns the next send into ECONNREFUSED
    statsd = Statsd(address)
    for _ in range(3):
        statsd.increment("gunicorn.requests")
    assert statsd.dropped >= 1
    statsd.close()
    unix = Statsd("unix:/nonexistent/statsd.sock")
    unix.gauge("gunicorn.workers", 2)
    assert unix.dropped == 1
    unix.close()


def test_log_counter_counts_warning_error_exception_and_critical(receiver):
    statsd = Statsd(receiver.address)
    logger = logging.getLogger("test_statsd.counter")
    logger.propagate = False
    counter = LogCounter(statsd)
    logger.addHandler(counter)
    try:
        logger.info("not counted")
        logger.warning("w")
        logger.error("e")
        try:
            raise ValueError("x")
        except ValueError:
            logger.exception("x")
        logger.critical("c")
    finally:
        logger.removeHandler(counter)
        statsd.close()
    lines = receiver.wait_for(lambda got: len(got) == 4)
    assert lines == [f"gunicorn.log.{level}:1|c" for level in ("warning", "error", "exception", "critical")]


# -- a real prefork ------------------------------------------------------------------------------------------------


async def requests(port: int, paths: list[str]) -> None:
    for path in paths:
        status, _, _ = await get(port, path)
        assert status == int(path.rsplit("/", 1)[1])


async def test_every_request_is_counted_once_across_a_hup(prefork, receiver):
    prefork.start(
        "-w", "2", "--statsd-host", receiver.address, "--statsd-prefix", "app", "--dogstatsd-tags", "env:test",
        app=APP, wait=2,
    )  # fmt: skip
    await requests(prefork.port, ["/status/200"] * 20 + ["/status/503"] * 3)
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done")
    await in_thread(prefork.wait_log, r"worker \d+ exited \(code 0\)", 2, 15)  # the old ones, flushed as they left
    await requests(prefork.port, ["/status/200"] * 10 + ["/status/404"])
    # The gauge goes out once a second: wait for one that counts the new workers before stopping them.
    await in_thread(receiver.wait_for, lambda lines: any(line.startswith("app.gunicorn.workers:2|") for line in lines))
    prefork.signal(signal.SIGTERM)
    assert await in_thread(prefork.wait, 15) == 0
    receiver.drain()

    lines = receiver.lines()
    assert all(line.startswith("app.gunicorn.") and line.endswith("|#env:test") for line in lines), lines[:5]
    counts = totals([line.removesuffix("|#env:test") for line in lines], "app.")
    assert counts["gunicorn.requests"] == 34
    assert counts["gunicorn.request.status.200"] == 30
    assert counts["gunicorn.request.status.503"] == 3
    assert counts["gunicorn.request.status.404"] == 1
    assert counts["gunicorn.request.duration samples"] == 34
    gauges = [line for line in lines if line.startswith("app.gunicorn.workers:")]
    assert "app.gunicorn.workers:2|g|#env:test" in gauges


async def test_a_unix_socket_receives_the_log_counters_of_a_worker(prefork, short_dir):
    receiver = Receiver(os.path.join(short_dir, "statsd.sock"))
    try:
        prefork.start("-w", "1", "--statsd-host", receiver.address, app=APP, wait=1)
        status, _, _ = await get(prefork.port, "/log")
        assert status == 200
        lines = await in_thread(
            receiver.wait_for, lambda got: totals(got)["gunicorn.requests"] == 1 and "gunicorn.log.critical:1|c" in got
        )
        counts = totals(lines)
        assert counts["gunicorn.log.exception"] == 1 and counts["gunicorn.log.critical"] == 1
        assert counts["gunicorn.log.error"] >= 1 and counts["gunicorn.log.warning"] >= 1
        assert counts["gunicorn.request.status.200"] == 1
    finally:
        receiver.close()

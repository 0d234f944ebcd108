"""Log lines for the journal (``<N>`` priorities, no timestamp) and JSON access-log lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import sys
import time

import pytest
from masters import get
from waiting import until

from server.settings import DEFAULT_ACCESS_LOG_FORMAT
from supervisor import journal
from supervisor.journal import JournalFormatter, JsonAccessFormatter, is_journal_stream, syslog_priority


def stream_id(path) -> str:
    st = os.stat(path)
    return f"{st.st_dev}:{st.st_ino}"


def record(level=logging.INFO, msg="hello %s", args=("world",), name="prefork.master", exc_info=None, **extra):
    rec = logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)
    rec.__dict__.update(extra)
    return rec


# -- JOURNAL_STREAM ----------------------------------------------------------------------------------------------


def test_the_stream_systemd_connected_is_recognised(tmp_path):
    path = tmp_path / "stream"
    with open(path, "w") as f:
        assert is_journal_stream(f, {"JOURNAL_STREAM": stream_id(path)})
        assert is_journal_stream(f.fileno(), {"JOURNAL_STREAM": stream_id(path)})


def test_a_redirected_stream_is_not_the_journal(tmp_path):
    (tmp_path / "journal").write_text("")
    with open(tmp_path / "redirected", "w") as f:  # e.g. ExecStart=... 2>/var/log/x: the variable is inherited
        assert not is_journal_stream(f, {"JOURNAL_STREAM": stream_id(tmp_path / "journal")})


@pytest.mark.parametrize("value", ["", "12", "a:b", "1:2:3", ":"])
def test_no_or_malformed_journal_stream(tmp_path, value):
    with open(tmp_path / "f", "w") as f:
        assert not is_journal_stream(f, {"JOURNAL_STREAM": value} if value else {})


def test_streams_without_a_descriptor_are_not_the_journal():
    assert not is_journal_stream(io.StringIO(), {"JOURNAL_STREAM": "1:2"})
    closed = open(os.devnull, "w")  # noqa: SIM115
    closed.close()
    assert not is_journal_stream(closed, {"JOURNAL_STREAM": "1:2"})


# -- priorities --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.CRITICAL, 2),
        (logging.ERROR, 3),
        (logging.WARNING, 4),
        (logging.INFO, 6),
        (logging.DEBUG, 7),
        (logging.INFO + 5, 6),  # a custom level rounds down
        (logging.NOTSET, 7),
    ],
)
def test_syslog_priority(level, priority):
    assert syslog_priority(level) == priority


def test_journal_lines_carry_the_priority_and_no_timestamp():
    assert JournalFormatter().format(record(logging.WARNING)) == "<4>prefork.master: hello world"
    assert JournalFormatter().format(record(logging.ERROR)) == "<3>prefork.master: hello world"


def test_every_line_of_a_traceback_carries_the_priority():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        rec = record(logging.ERROR, "request failed", (), exc_info=sys.exc_info())
    lines = JournalFormatter().format(rec).split("\n")
    assert len(lines) > 3
    assert all(line.startswith("<3>") for line in lines)
    assert lines[-1] == "<3>RuntimeError: boom"


def test_error_formatter_switches_only_for_the_journal(tmp_path, monkeypatch):
    default = logging.Formatter("%(asctime)s %(message)s")
    path = tmp_path / "stream"
    with open(path, "w") as f:
        monkeypatch.setenv("JOURNAL_STREAM", stream_id(path))
        assert isinstance(journal.error_formatter(f, default), JournalFormatter)
        monkeypatch.setenv("JOURNAL_STREAM", "0:0")
        assert journal.error_formatter(f, default) is default


# -- JSON access log ---------------------------------------------------------------------------------------------

ATOMS = {
    "h": "198.51.100.1",
    "u": "-",
    "m": "POST",
    "U": "/orders",
    "q": "id=7",
    "H": "HTTP/1.1",
    "s": 201,
    "B": 17,
    "D": 1234,
    "f": "-",
    "a": 'curl "quoted" \\ agent',
}


def test_json_access_line_from_the_atoms():
    rec = record(msg="the text line", args=(), name="prefork.access", atoms=ATOMS)
    entry = json.loads(JsonAccessFormatter().format(rec))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry.pop("time"))
    assert entry == {
        "pid": os.getpid(),
        "remote": "198.51.100.1",
        "user": None,
        "method": "POST",
        "path": "/orders",
        "query": "id=7",
        "protocol": "HTTP/1.1",
        "status": 201,
        "bytes": 17,
        "duration_us": 1234,
        "referer": None,
        "user_agent": 'curl "quoted" \\ agent',
    }


def test_json_numbers_stay_numbers_only_where_they_are_numbers():
    atoms = {**ATOMS, "s": "200", "q": "123", "B": "-"}
    entry = json.loads(JsonAccessFormatter().format(record(args=(), atoms=atoms)))
    assert entry["status"] == 200
    assert entry["query"] == "123"
    assert entry["bytes"] is None


def test_json_fields_can_be_chosen():
    line = JsonAccessFormatter({"ip": "h", "code": "s"}).format(record(args=(), atoms=ATOMS))
    entry = json.loads(line)
    assert set(entry) == {"time", "pid", "ip", "code"}


def test_json_without_atoms_keeps_the_message():
    entry = json.loads(JsonAccessFormatter().format(record()))
    assert entry["message"] == "hello world"


def test_json_for_the_journal_is_prefixed_with_info():
    line = JsonAccessFormatter(journal=True).format(record(args=(), atoms=ATOMS))
    assert line.startswith("<6>{")
    json.loads(line[3:])


def test_access_formatter_choices(tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    plain = io.StringIO()
    assert journal.access_formatter(plain).format(record()) == "hello world"
    assert isinstance(journal.access_formatter(plain, json_lines=True), JsonAccessFormatter)
    path = tmp_path / "stream"
    with open(path, "w") as f:
        monkeypatch.setenv("JOURNAL_STREAM", stream_id(path))
        assert journal.access_formatter(f).format(record()) == "<6>hello world"


def test_json_through_a_real_logger():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonAccessFormatter())
    logger = logging.getLogger("prefork.test.json-access")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        logger.info("ignored text", extra={"atoms": ATOMS})
    finally:
        logger.removeHandler(handler)
    assert json.loads(out.getvalue())["status"] == 201


# -- the real master ---------------------------------------------------------------------------------------------


async def test_under_the_journal_the_master_logs_priorities_without_timestamps(prefork):
    prefork.output.write_text("")  # the master's stdout+stderr: created now, so its inode is known
    env = {"JOURNAL_STREAM": stream_id(prefork.output)}
    prefork.start("-w", "1", "--error-logfile", "-", "--access-logfile", "-", env=env)
    deadline = time.monotonic() + 10
    while "ready: 1 worker" not in prefork.output.read_text():
        assert time.monotonic() < deadline, prefork.output.read_text()
        await asyncio.sleep(0.02)
    assert (await get(prefork.port, "/"))[0] == 200
    await until(lambda: "GET /" in prefork.output.read_text(), what="the access line")
    lines = [line for line in prefork.output.read_text().splitlines() if line]
    assert lines
    assert all(re.match(r"<[2-7]>", line) for line in lines), lines
    assert not any(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line) for line in lines)
    assert any(line.startswith("<6>prefork.master: ready: 1 worker") for line in lines)


async def test_json_access_lines_from_the_real_server(make_server):
    from web import Application, Response

    async def hello(request):
        return Response(text="hi")

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonAccessFormatter())
    logger = logging.getLogger("prefork.test.json-server")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    app = Application()
    app.router.add_route("GET", "/", hello)
    try:
        server = await make_server(app, access_log=logger, access_log_format=DEFAULT_ACCESS_LOG_FORMAT)
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b'GET /?q=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: say "hi"\r\nConnection: close\r\n\r\n')
        await reader.read()
        writer.close()
        await writer.wait_closed()
        await server.close()
    finally:
        logger.removeHandler(handler)
    entry = json.loads(out.getvalue().splitlines()[0])
    assert (entry["method"], entry["path"], entry["query"], entry["status"]) == ("GET", "/", "q=1", 200)
    assert entry["bytes"] > 0
    assert entry["user_agent"] == 'say "hi"'
    assert entry["remote"] == "127.0.0.1"

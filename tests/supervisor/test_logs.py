"""Log files: levels, the access log apart from the error log, reopening after a move (USR1)."""

from __future__ import annotations

import logging
import os

import pytest

from supervisor.logs import Logs


@pytest.fixture
def logs():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    made = Logs()
    yield made
    made._swap(root, "error_handler", None)
    made._swap(made.access_logger, "access_handler", None)
    root.handlers[:], root.level = saved


def test_error_and_access_logs_go_to_their_files_and_reopen(logs, tmp_path):
    error, access = tmp_path / "error.log", tmp_path / "access.log"
    logs.setup(str(error), "warning", str(access))
    logging.getLogger("app").info("hidden")
    logging.getLogger("app").warning("shown")
    logs.access_log.info("GET / 200")
    os.rename(error, tmp_path / "error.log.1")
    os.rename(access, tmp_path / "access.log.1")
    logs.reopen()
    logging.getLogger("app").error("after")
    logs.access_log.info("GET /after 200")
    assert "shown" in (tmp_path / "error.log.1").read_text()
    assert "hidden" not in (tmp_path / "error.log.1").read_text()
    assert "after" in error.read_text()
    assert (tmp_path / "access.log.1").read_text() == "GET / 200\n"
    assert access.read_text() == "GET /after 200\n"
    assert "GET" not in error.read_text()  # the access log does not propagate


def test_a_message_quoting_a_byte_that_is_not_utf8_is_written_escaped(logs, tmp_path):
    # A request header's byte that is not UTF-8 is a lone surrogate (as in aiohttp); a message quoting one, also
    # after the files are reopened, is written with the surrogate backslash-escaped, the rest of the line intact.
    error = tmp_path / "error.log"
    logs.setup(str(error), "info", None)
    logging.getLogger("app").error("bad header: caf\udce9 ok")
    logs.reopen()
    logging.getLogger("app").error("again: \udcff")
    text = error.read_text("utf-8")
    assert "bad header: caf\\udce9 ok" in text
    assert "again: \\udcff" in text


def test_no_access_log_by_default(logs, tmp_path):
    logs.setup(str(tmp_path / "e.log"), "info", None)
    assert logs.access_log is None
    assert logs.error_stream().name == str(tmp_path / "e.log")

"""supervisor/pidfile.py: the pid file's life through a start, a USR2 upgrade (and its failure) and an exit."""

from __future__ import annotations

import os

import pytest

from supervisor.errors import ConfigError
from supervisor.pidfile import Pidfile


def test_create_writes_the_pid_and_unlink_removes_only_our_own(tmp_path):
    pidfile = Pidfile(str(tmp_path / "app.pid"), 4242)
    pidfile.create()
    assert (tmp_path / "app.pid").read_text() == "4242\n"
    assert os.listdir(tmp_path) == ["app.pid"]  # the temporary file was renamed into place
    (tmp_path / "app.pid").write_text("5151\n")  # a new master wrote its own
    pidfile.unlink()
    assert (tmp_path / "app.pid").read_text() == "5151\n"
    (tmp_path / "app.pid").write_text("4242\n")
    pidfile.unlink()
    assert not (tmp_path / "app.pid").exists()
    pidfile.unlink()  # already gone: nothing to do


def test_usr2_steps_aside_to_oldbin_and_a_failed_upgrade_restores_it(tmp_path):
    pidfile = Pidfile(str(tmp_path / "app.pid"), 4242)
    pidfile.create()
    pidfile.rename_oldbin()
    assert pidfile.path == str(tmp_path / "app.pid.oldbin")
    assert sorted(os.listdir(tmp_path)) == ["app.pid.oldbin"]
    pidfile.restore()
    assert pidfile.path == str(tmp_path / "app.pid")
    assert (tmp_path / "app.pid").read_text() == "4242\n"
    pidfile.restore()  # not renamed: nothing to do
    assert pidfile.path == str(tmp_path / "app.pid")


def test_a_pid_file_that_cannot_be_written_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot write the pid file .*missing/app\.pid"):
        Pidfile(str(tmp_path / "missing" / "app.pid"), 4242).create()


def test_a_relative_path_is_kept_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pidfile = Pidfile("app.pid", 4242)
    monkeypatch.chdir("/")
    pidfile.create()
    assert (tmp_path / "app.pid").read_text() == "4242\n"

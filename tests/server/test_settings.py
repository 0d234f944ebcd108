"""ServerSettings: each setting's default and the values its validator refuses."""

from __future__ import annotations

import sys

import pytest

from server.settings import ServerSettings


def test_defaults_of_the_write_timeout_and_worker_connections():
    settings = ServerSettings()
    assert settings.write_timeout == 60.0
    assert settings.worker_connections == 1000


@pytest.mark.parametrize("value", [None, 0, 0.5, 60.0])
def test_write_timeout_accepts_none_zero_and_positive(value):
    assert ServerSettings(write_timeout=value).write_timeout == value


def test_write_timeout_refuses_negative():
    with pytest.raises(ValueError, match="write_timeout"):
        ServerSettings(write_timeout=-1.0)


@pytest.mark.parametrize(("value", "ok"), [(1, True), (10_000, True), (0, False), (-5, False)])
def test_worker_connections_is_at_least_one(value, ok):
    if ok:
        assert ServerSettings(worker_connections=value).worker_connections == value
    else:
        with pytest.raises(ValueError, match="worker_connections"):
            ServerSettings(worker_connections=value)


@pytest.mark.parametrize(("value", "cap"), [(None, sys.maxsize), (0, sys.maxsize), (1, 1), (1024, 1024)])
def test_client_max_size_none_or_zero_is_no_cap(value, cap):
    # As nginx's client_max_body_size 0: no server-wide cap on request bodies.
    assert ServerSettings.from_kwargs(client_max_size=value).client_max_size == cap


def test_client_max_size_refuses_negative():
    with pytest.raises(ValueError, match="client_max_size"):
        ServerSettings(client_max_size=-1)


def test_unknown_setting_is_named():
    with pytest.raises(TypeError, match="write_timout"):
        ServerSettings.from_kwargs(write_timout=1.0)

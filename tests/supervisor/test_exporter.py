"""supervisor/exporter.py's MetricsEndpoint: when the master's metrics endpoint binds, retries, hands its address
over and answers, on real sockets at 127.0.0.1 driven by a real selector (as the master's loop drives it)."""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from supervisor.errors import BindError
from supervisor.exporter import MetricsEndpoint


@pytest.fixture
def selector() -> Iterator[selectors.BaseSelector]:
    with selectors.DefaultSelector() as sel:
        yield sel


@pytest.fixture
def holder() -> Iterator[socket.socket]:
    """A listening socket holding a port, as the old master holds the metrics address during a USR2 upgrade."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


def _render() -> bytes:
    return b"prefork_up 1\n"


def _scrape(endpoint: MetricsEndpoint, selector: selectors.BaseSelector) -> bytes:
    assert endpoint.exporter is not None and endpoint.exporter.listener is not None
    address = endpoint.exporter.listener.sock.getsockname()
    with socket.create_connection(address, timeout=5) as client:
        client.sendall(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        client.setblocking(False)
        answer = b""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for key, _ in selector.select(0.1):
                key.data()
            try:
                chunk = client.recv(65536)
            except BlockingIOError:
                continue
            if not chunk:
                return answer
            answer += chunk
    raise AssertionError(f"no complete answer: {answer!r}")


def test_no_address_makes_every_step_a_no_op(selector):
    endpoint = MetricsEndpoint("", _render, selector)
    endpoint.open(upgrading=False)
    endpoint.tick(time.monotonic())
    endpoint.hand_over()
    endpoint.forget()
    endpoint.close()
    assert endpoint.exporter is None
    assert not selector.get_map()


def test_a_taken_address_at_start_stops_the_command(selector, holder):
    endpoint = MetricsEndpoint(f"127.0.0.1:{holder.getsockname()[1]}", _render, selector)
    with pytest.raises(BindError):
        endpoint.open(upgrading=False)


def test_an_upgrading_master_binds_once_the_old_one_lets_go(selector, holder):
    endpoint = MetricsEndpoint(f"127.0.0.1:{holder.getsockname()[1]}", _render, selector)
    endpoint.open(upgrading=True)
    endpoint.tick(time.monotonic())
    assert endpoint.exporter is not None and endpoint.exporter.listener is None
    holder.close()  # the old master hands over
    endpoint.tick(time.monotonic())
    try:
        assert endpoint.exporter.listener is not None
        assert b"prefork_up 1" in _scrape(endpoint, selector)
    finally:
        endpoint.close()


def test_a_master_that_handed_over_never_binds_again(selector):
    endpoint = MetricsEndpoint("127.0.0.1:0", _render, selector)
    endpoint.open(upgrading=False)
    assert endpoint.exporter is not None and endpoint.exporter.listener is not None
    assert _scrape(endpoint, selector).startswith(b"HTTP/1.1 200 ")
    endpoint.hand_over()
    assert endpoint.exporter.listener is None
    endpoint.tick(time.monotonic())
    assert endpoint.exporter.listener is None
    assert not selector.get_map()

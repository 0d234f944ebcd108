"""Bind addresses, binding, and handing sockets over by descriptor."""

from __future__ import annotations

import os
import socket

import pytest

from supervisor.errors import BindError, ConfigError
from supervisor.sockets import (
    Address,
    close_all,
    export_fds,
    inherited_fds,
    open_listeners,
    parse_address,
    take_inherited,
)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1:80", Address("tcp", host="127.0.0.1", port=80)),
        ("localhost", Address("tcp", host="localhost", port=8000)),
        (":8080", Address("tcp", host="0.0.0.0", port=8080)),
        ("[::1]:8080", Address("tcp", host="::1", port=8080)),
        ("[::]", Address("tcp", host="::", port=8000)),
        ("unix:/run/app.sock", Address("unix", path="/run/app.sock")),
        ("unix:///run/app.sock", Address("unix", path="/run/app.sock")),
        ("fd://3", Address("fd", fd=3)),
    ],
)
def test_parse_address(text, address):
    assert parse_address(text) == address


@pytest.mark.parametrize("text", ["::1:80", "host:port", "h:70000", "[::1", "[::1]x", "unix:", "fd://x"])
def test_bad_addresses(text):
    with pytest.raises(ConfigError):
        parse_address(text)


def test_bind_tcp_v4_v6_and_unix(tmp_path, unused_port):
    port = unused_port()
    path = str(tmp_path / "s.sock")
    listeners = open_listeners([f"127.0.0.1:{port}", "[::1]:0", f"unix:{path}"], unix_mode=0o600)
    try:
        assert listeners[0].sock.getsockname() == ("127.0.0.1", port)
        assert listeners[1].sock.family == socket.AF_INET6
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # the kernel queues it: the socket listens
    finally:
        close_all(listeners, unlink=True)
    assert not os.path.exists(path)


def test_stale_unix_socket_is_replaced_but_a_live_one_is_refused(tmp_path):
    path = str(tmp_path / "s.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens
    first = open_listeners([f"unix:{path}"])
    try:
        with pytest.raises(BindError, match="another process is listening"):
            open_listeners([f"unix:{path}"])
    finally:
        close_all(first, unlink=True)


def test_address_in_use_is_a_bind_error(unused_port):
    port = unused_port()
    first = open_listeners([f"127.0.0.1:{port}"])
    try:
        with pytest.raises(BindError, match=f"cannot bind 127.0.0.1:{port}"):
            open_listeners([f"127.0.0.1:{port}"])
    finally:
        close_all(first, unlink=True)


def test_inherited_fds_are_reused_for_their_address(tmp_path, unused_port):
    """What a USR2 re-exec does: the new master finds the old sockets by address and binds nothing twice."""
    port = unused_port()
    path = str(tmp_path / "s.sock")
    old = open_listeners([f"127.0.0.1:{port}", f"unix:{path}"])
    env: dict[str, str] = {}
    fds = export_fds(old, env)
    dups = [os.dup(fd) for fd in fds]  # stand-ins for the descriptors exec would keep
    env["PREFORK_FDS"] = ",".join(map(str, dups))
    inherited = inherited_fds(env)
    assert inherited == dups and "PREFORK_FDS" not in env
    new = open_listeners([f"unix:{path}", f"127.0.0.1:{port}"], inherited=inherited)
    try:
        assert [listener.sock.fileno() for listener in new] == [dups[1], dups[0]]
    finally:
        close_all(new, unlink=False)
        close_all(old, unlink=True)


def test_systemd_fds_only_for_this_pid():
    env = {"LISTEN_FDS": "2", "LISTEN_PID": str(os.getpid()), "LISTEN_FDNAMES": "a:b"}
    assert inherited_fds(env) == [3, 4] and env == {}
    assert inherited_fds({"LISTEN_FDS": "2", "LISTEN_PID": "1"}) == []


def test_systemds_sockets_are_external_and_stay_so_across_a_re_exec(unused_port):
    """systemd holds its sockets open too: a stop must leave their queue alone, in this master and the next."""
    env = {"LISTEN_FDS": "2", "LISTEN_PID": str(os.getpid()), "PREFORK_FDS": "7"}
    assert take_inherited(env) == ([7, 3, 4], frozenset({3, 4})) and env == {}
    sock = socket.create_server(("127.0.0.1", 0))
    (listener,) = open_listeners([], inherited=[sock.fileno()], binds_given=False, external=[sock.fileno()])
    try:
        assert listener.external
        env = {}
        export_fds([listener], env)
        assert env == {"PREFORK_FDS": str(sock.fileno()), "PREFORK_EXTERNAL_FDS": str(sock.fileno())}
        assert take_inherited(env) == ([sock.fileno()], frozenset({sock.fileno()}))
    finally:
        listener.sock.detach()
        sock.close()


def test_sockets_prefork_binds_are_its_own(unused_port):
    (listener,) = open_listeners([f"127.0.0.1:{unused_port()}"])
    try:
        assert not listener.external
        env: dict[str, str] = {}
        export_fds([listener], env)
        assert "PREFORK_EXTERNAL_FDS" not in env
        assert take_inherited(env)[1] == frozenset()
    finally:
        close_all([listener], unlink=True)


def test_fd_bind_wraps_an_existing_socket(unused_port):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    listeners = open_listeners([f"fd://{sock.fileno()}"])
    try:
        assert listeners[0].sock.getsockname() == sock.getsockname()
    finally:
        listeners[0].sock.detach()
        sock.close()

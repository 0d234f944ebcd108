"""Settings: one table, four sources (defaults < config file < PREFORK_CMD_ARGS < command line)."""

from __future__ import annotations

import logging
import os
import shlex
from pathlib import Path

import pytest
import trustme

from supervisor.config import Config, build_parser, load, load_file, settings_markdown
from supervisor.errors import ConfigError
from supervisor.settings import SETTINGS

APPS = Path(__file__).parent / "apps"


def write(tmp_path, text, name="prefork.conf.py"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg, command = load(["app:x"], {})
    assert cfg.workers == (os.cpu_count() or 1)
    assert cfg.bind == ["127.0.0.1:8000"]
    assert cfg.timeout == 30 and cfg.graceful_timeout == 30 and cfg.keepalive == 75
    assert cfg.config_file is None
    assert not command.check_config
    assert all(origin == "default" for name, origin in cfg.origin.items() if name != "app")


def test_precedence_defaults_file_env_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "workers = 2\ntimeout = 5\nkeepalive = 61\nbacklog = 10\n")
    env = {"PREFORK_CMD_ARGS": "--timeout 6 -w 3"}
    cfg, _ = load(["-w", "4", "app:x"], env)
    assert (cfg.workers, cfg.timeout, cfg.keepalive, cfg.backlog) == (4, 6.0, 61.0, 10)
    assert cfg.origin["workers"] == "command line"
    assert cfg.origin["timeout"] == "PREFORK_CMD_ARGS"
    assert cfg.origin["keepalive"] == "prefork.conf.py:3"
    assert cfg.origin["graceful_timeout"] == "default"


def test_config_file_from_env_and_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = write(tmp_path, "workers = 5\n", "a.py")
    b = write(tmp_path, "workers = 6\n", "b.py")
    assert load(["app:x"], {"PREFORK_CMD_ARGS": f"-c {a}"})[0].workers == 5
    assert load(["-c", b, "app:x"], {"PREFORK_CMD_ARGS": f"-c {a}"})[0].workers == 6


def test_check_config_takes_a_lone_config_file_as_the_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    conf = write(tmp_path, "workers = 5\n", "site.conf.py")
    cfg, command = load(["--check-config", conf], {})
    assert command.check_config and cfg.config_file == conf and cfg.app is None and cfg.workers == 5
    cfg, _ = load(["--check-config", "-c", conf, "app:x"], {})
    assert (cfg.config_file, cfg.app) == (conf, "app:x")
    with pytest.raises(ConfigError, match="expected module:name"):
        load([conf], {})  # only --check-config reads a path there: starting a server needs an APP
    with pytest.raises(ConfigError, match="expected module:name"):
        load(["--check-config", "missing.py"], {})  # not an existing file: still an APP, and a wrong one


def test_forwarded_allow_ips_defaults_to_unset_or_its_environment_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load(["a:b"], {})[0].forwarded_allow_ips is None  # nobody trusted, as in aiohttp
    assert load(["a:b"], {"FORWARDED_ALLOW_IPS": ""})[0].forwarded_allow_ips == []  # set: unix peers trusted
    cfg, _ = load(["a:b"], {"FORWARDED_ALLOW_IPS": "10.0.0.0/8,*"})
    assert (cfg.forwarded_allow_ips, cfg.origin["forwarded_allow_ips"]) == (["10.0.0.0/8", "*"], "FORWARDED_ALLOW_IPS")
    write(tmp_path, "forwarded_allow_ips = ['192.0.2.1']\n")  # like gunicorn: the variable is only the default
    assert load(["a:b"], {"FORWARDED_ALLOW_IPS": "*"})[0].forwarded_allow_ips == ["192.0.2.1"]
    with pytest.raises(ConfigError, match="FORWARDED_ALLOW_IPS: expected IP addresses"):
        load(["a:b"], {"FORWARDED_ALLOW_IPS": "10.0.0.300"})


def test_reload_refuses_preload_from_any_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^command line: --reload cannot work with --preload"):
        load(["--reload", "--preload", "a:b"], {})
    write(tmp_path, "preload_app = True\n")
    with pytest.raises(ConfigError, match=r"^command line and prefork\.conf\.py:1: --reload cannot"):
        load(["--reload", "a:b"], {})


def test_repeatable_bind_and_boolean_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "preload_app = True\n")
    cfg, _ = load(["-b", "127.0.0.1:1", "-b", "[::1]:2", "-b", "unix:/tmp/x.sock", "--no-preload", "a:b"], {})
    assert cfg.bind == ["127.0.0.1:1", "[::1]:2", "unix:/tmp/x.sock"]
    assert cfg.preload_app is False


def test_config_file_hooks_helpers_and_imports(tmp_path):
    path = write(
        tmp_path,
        "import os\nfrom os import path as p\n_base = 2\nworkers = _base * 2\n\n"
        "def when_ready(server):\n    pass\n\ndef post_fork(server, worker):\n    pass\n",
    )
    found = load_file(path)
    assert found["workers"] == (4, f"{path}:4")
    assert callable(found["when_ready"][0]) and found["post_fork"][1] == f"{path}:9"
    assert "os" not in found and "p" not in found and "_base" not in found


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("workers = 2\nwokers = 3\n", 2, "unknown setting 'wokers' (did you mean 'workers'?)"),
        ("timeout = 'soon'\n", 1, "timeout: expected a number > 0, got 'soon'"),
        ("\n\nworkers = 0\n", 3, "workers: expected an integer >= 1, got 0"),
        ("workers = (\n", 1, "syntax error"),
        ("x = 1\n", 1, "unknown setting 'x'"),
        ("\nraise RuntimeError('no')\n", 2, "RuntimeError: no"),
        ("def when_ready():\n    pass\n", 1, "when_ready: expected a function of 1 argument(s)"),
        ("bind = ['nohost:port']\n", 1, "port must be a number"),
        ("loglevel = 'loud'\n", 1, "loglevel: expected one of debug"),
        ("umask = '999'\n", 1, "expected an octal mode"),
        ("forwarded_allow_ips = '10.0.0.0/33'\n", 1, "expected IP addresses or CIDR"),
        ("proxy_allow_ips = '127.0.0.1,10.0.0.0/33'\n", 1, "proxy_allow_ips: expected IP addresses or CIDR"),
    ],
)
def test_config_file_errors_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load(["-c", path, "a:b"], {})
    text = str(info.value)
    assert text.startswith(f"{path}:{line}: "), text
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--wokers", "3", "a:b"], "command line: unrecognized arguments: --wokers"),
        (["-w", "x", "a:b"], "command line: --workers: expected an integer >= 1, got 'x'"),
        (["--max-requests", "-1", "a:b"], "--max-requests: expected an integer >= 0"),
        (["-b", "::1:80", "a:b"], "IPv6 address in brackets"),
        (["nocolon"], "APP: expected module:name"),
        (["-c", "/nonexistent/conf.py", "a:b"], "/nonexistent/conf.py: cannot read the config file"),
    ],
)
def test_bad_command_line_is_one_clear_line(tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load(argv, {})
    assert message in str(info.value) and "\n" not in str(info.value)


def test_bad_env_args_say_where_they_come_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^PREFORK_CMD_ARGS: --timeout: expected a number > 0"):
        load(["a:b"], {"PREFORK_CMD_ARGS": "--timeout 0"})


def test_print_config_round_trips_through_the_loader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg, _ = load(["-w", "3", "--umask", "027", "-b", "[::1]:9", "app:x"], {})
    path = write(tmp_path, cfg.render(), "printed.py")
    again, _ = load(["-c", path], {})
    for s in SETTINGS:
        assert getattr(again, s.name) == getattr(cfg, s.name), s.name


def test_every_setting_is_in_the_cli_and_the_docs():
    parser_dests = {a.dest for a in build_parser()._actions}
    table = settings_markdown()
    for s in SETTINGS:
        assert f"`{s.name}`" in table
        if s.flags:
            assert s.name in parser_dests
        assert s.help.endswith("."), s.name


def test_warnings_for_risky_combinations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg, _ = load(["--keep-alive", "5", "-b", "unix:/tmp/a.sock", "--preload", "a:b"], {})
    warnings = "\n".join(cfg.warnings())
    assert "shorter than nginx's 60s" in warnings
    assert "preload_app" in warnings
    cfg, _ = load(["--keep-alive", "75", "a:b"], {})
    assert cfg.warnings() == []
    # 0 turns keep-alive off (gunicorn's keepalive 0): every answer closes its connection, so nginx never reuses one.
    cfg, _ = load(["--keep-alive", "0", "-b", "unix:/tmp/a.sock", "a:b"], {})
    assert cfg.keepalive == 0 and cfg.server_kwargs()["keepalive_timeout"] == 0
    assert cfg.warnings() == []


def test_server_kwargs_use_the_server_settings_names(tmp_path, monkeypatch):
    from server.settings import ServerSettings

    monkeypatch.chdir(tmp_path)
    cfg, _ = load(["--limit-request-line", "100", "--client-max-size", "5", "a:b"], {})
    settings = ServerSettings.from_kwargs(**cfg.server_kwargs())
    assert settings.max_request_line == 100 and settings.client_max_size == 5


def test_server_header_names_prefork_unless_set_and_empty_sends_none(tmp_path, monkeypatch):
    from server.settings import ServerSettings

    monkeypatch.chdir(tmp_path)
    cfg, _ = load(["a:b"], {})
    assert ServerSettings.from_kwargs(**cfg.server_kwargs()).server_header == "prefork"
    cfg, _ = load(["--server-header", "", "a:b"], {})
    assert ServerSettings.from_kwargs(**cfg.server_kwargs()).server_header is None
    cfg, _ = load(["--server-header", "edge (internal)", "a:b"], {})
    assert ServerSettings.from_kwargs(**cfg.server_kwargs()).server_header == "edge (internal)"
    with pytest.raises(ConfigError, match=r"server.header.*visible ASCII"):
        load(["--server-header", "a\r\nSet-Cookie: x=1", "a:b"], {})


def test_no_server_wide_body_cap_unless_the_operator_sets_one(tmp_path, monkeypatch):
    # As under gunicorn's aiohttp worker: the app's Application(client_max_size=...) bounds what read() and post()
    # collect, and nothing bounds a streamed upload, unless client_max_size is set (nginx's client_max_body_size).
    import sys

    import web

    monkeypatch.chdir(tmp_path)
    cfg, _ = load(["a:b"], {})
    assert cfg.client_max_size is None
    factory = web.Application(client_max_size=8 * 1024 * 1024).make_handler(**cfg.server_kwargs())
    assert factory.settings.client_max_size == sys.maxsize
    cfg, _ = load(["--client-max-size", "0", "a:b"], {})
    assert web.Application().make_handler(**cfg.server_kwargs()).settings.client_max_size == sys.maxsize


# One valid command-line value per setting and what it resolves to; a new setting without a row fails the test.
SAMPLES = {
    "bind": (["-b", "[::1]:9000"], ["[::1]:9000"]),
    "backlog": (["--backlog", "64"], 64),
    "reuse_port": (["--reuse-port"], True),
    "unix_socket_mode": (["--unix-socket-mode", "600"], 0o600),
    "workers": (["-w", "3"], 3),
    "timeout": (["-t", "2.5"], 2.5),
    "graceful_timeout": (["--graceful-timeout", "7"], 7.0),
    "drain_grace": (["--drain-grace", "0"], 0.0),
    "keepalive": (["--keep-alive", "90"], 90.0),
    "worker_connections": (["--worker-connections", "64"], 64),
    "write_timeout": (["--write-timeout", "0"], 0.0),
    "max_requests": (["--max-requests", "1000"], 1000),
    "max_requests_jitter": (["--max-requests-jitter", "50"], 50),
    "max_worker_memory": (["--max-worker-memory", "512"], 512.0),
    "preload_app": (["--preload"], True),
    "restart_backoff": (["--restart-backoff", "0.1"], 0.1),
    "restart_backoff_max": (["--restart-backoff-max", "5"], 5.0),
    "pidfile": (["-p", "/run/p.pid"], "/run/p.pid"),
    "user": (["-u", "0"], 0),
    "group": (["-g", "root"], 0),
    "umask": (["--umask", "027"], 0o27),
    "chdir": (["--chdir", "/srv"], "/srv"),
    "proc_name": (["-n", "shop"], "shop"),
    "accesslog": (["--access-logfile", "-"], "-"),
    "access_log_format": (["--access-logformat", "%(r)s"], "%(r)s"),
    "errorlog": (["--error-logfile", "/tmp/e.log"], "/tmp/e.log"),
    "loglevel": (["--log-level", "DEBUG"], "debug"),
    "raw_env": (["-e", "A=1", "--env", "B=x=y"], ["A=1", "B=x=y"]),
    "worker_tmp_dir": (["--worker-tmp-dir", "/tmp"], "/tmp"),
    "capture_output": (["--capture-output"], True),
    "logconfig": (["--log-config", str(APPS / "logging.ini")], str(APPS / "logging.ini")),
    "logconfig_json": (["--log-config-json", str(APPS / "logging.json")], str(APPS / "logging.json")),
    "statsd_host": (["--statsd-host", "unix:///run/statsd.sock"], "unix:/run/statsd.sock"),
    "statsd_prefix": (["--statsd-prefix", "shop.."], "shop."),
    "dogstatsd_tags": (["--dogstatsd-tags", "env:prod,service:api"], "env:prod,service:api"),
    "limit_request_line": (["--limit-request-line", "4094"], 4094),
    "limit_request_fields": (["--limit-request-fields", "50"], 50),
    "limit_request_field_size": (["--limit-request-field-size", "100"], 100),
    "client_max_size": (["--client-max-size", "0"], 0),
    "server_header": (["--server-header", "edge/1"], "edge/1"),
    "forwarded_allow_ips": (["--forwarded-allow-ips", "10.0.0.0/8, 127.0.0.1"], ["10.0.0.0/8", "127.0.0.1"]),
    "proxy_protocol": (["--proxy-protocol"], True),
    "proxy_allow_ips": (["--proxy-allow-from", "10.0.0.0/8, *"], ["10.0.0.0/8", "*"]),
    "metrics_bind": (["--metrics-bind", "unix:/run/prefork/metrics.sock"], "unix:/run/prefork/metrics.sock"),
    "health_path": (["--health-path", "/healthz"], "/healthz"),
    "drain_delay": (["--drain-delay", "5"], 5.0),
    "reload": (["--reload"], True),
    "aiohttp_alias": (["--aiohttp-alias", "no"], False),
    # The ssl settings other than certfile need it (tls.pem: a certificate and its key, written by the test).
    "certfile": (["--certfile", "tls.pem"], "tls.pem"),
    "keyfile": (["--certfile", "tls.pem", "--keyfile", "tls.pem"], "tls.pem"),
    "ca_certs": (["--certfile", "tls.pem", "--ca-certs", "ca.pem"], "ca.pem"),
    "cert_reqs": (["--certfile", "tls.pem", "--ca-certs", "ca.pem", "--cert-reqs", "2"], 2),
    "ssl_ciphers": (["--certfile", "tls.pem", "--ssl-ciphers", "ECDHE+AESGCM"], "ECDHE+AESGCM"),
}


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.flags], ids=lambda s: s.name)
def test_every_option_reaches_its_setting(setting, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, expected = SAMPLES[setting.name]
    context = ""
    if setting.section == "ssl":
        ca = trustme.CA()
        ca.cert_pem.write_to_path("ca.pem")
        ca.issue_cert("localhost").private_key_and_cert_chain_pem.write_to_path("tls.pem")
        context = "" if setting.name == "certfile" else "certfile = 'tls.pem'\n"
        context += "ca_certs = 'ca.pem'\n" if setting.name == "cert_reqs" else ""
    cfg, _ = load([*argv, "a:b"], {})
    assert getattr(cfg, setting.name) == expected
    assert cfg.origin[setting.name] == "command line"
    # the same value from the environment variable and from a config file
    env_cfg, _ = load(["a:b"], {"PREFORK_CMD_ARGS": shlex.join(argv)})
    assert getattr(env_cfg, setting.name) == expected
    write(tmp_path, f"{context}{setting.name} = {expected!r}\n")
    file_cfg, _ = load(["a:b"], {})
    assert getattr(file_cfg, setting.name) == expected


def test_run_hook_calls_a_set_hook_and_logs_what_it_raises(caplog):
    calls = []

    def broken(server):
        calls.append(server)
        raise ValueError("hook bug")

    cfg = Config({"on_starting": broken, "on_exit": None}, {}, None)
    log = logging.getLogger("prefork.test.hooks")
    with caplog.at_level(logging.ERROR, logger="prefork.test.hooks"):
        cfg.run_hook("on_starting", "the server", log=log)  # raises nothing
        cfg.run_hook("on_exit", "the server", log=log)  # unset: nothing happens
    assert calls == ["the server"]
    assert [(r.getMessage(), r.exc_info[1].args) for r in caplog.records] == [  # type: ignore[index]
        ("the on_starting hook failed", ("hook bug",))
    ]

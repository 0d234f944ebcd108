"""The table of every setting of the ``prefork`` command: :data:`SETTINGS`, one :class:`Setting` each.

Add a setting here and the CLI flag, the config-file key, ``--print-config`` and the docs table all follow.
Names are gunicorn's where gunicorn has the setting.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.settings import DEFAULT_ACCESS_LOG_FORMAT

from .statsd import dogstatsd_tags, statsd_address, statsd_prefix
from .validators import (
    LOG_LEVELS,
    app_spec,
    binds,
    boolean,
    cert_reqs,
    env_list,
    group_id,
    hook,
    ip_networks,
    log_dict,
    log_level,
    non_negative_float,
    non_negative_int,
    octal,
    optional_address,
    optional_octal,
    optional_str,
    optional_url_path,
    positive_float,
    positive_int,
    user_id,
)

__all__ = ["BY_NAME", "SETTINGS", "Setting"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: ``name`` is the config-file key; ``flags`` the CLI options (none: config file only)."""

    name: str
    flags: tuple[str, ...]
    default: Any
    convert: Callable[[Any], Any]
    help: str
    section: str
    metavar: str | None = None
    kind: str = "value"  # "value", "flag" (boolean option), "append" (repeatable), "hook"
    env: str | None = None  # an environment variable that replaces the default (gunicorn's FORWARDED_ALLOW_IPS)

    def default_value(self) -> Any:
        return self.default() if callable(self.default) and self.kind != "hook" else self.default


def _optional_ip_networks(value: Any) -> list[str] | None:
    """``forwarded_allow_ips``: None (unset, nobody trusted) stays None; anything else is a list of IPs/CIDRs."""
    return None if value is None else ip_networks(value)


def _optional_size(value: Any) -> int | None:
    """``client_max_size``: None (unset, no server-wide cap) stays None; anything else is a byte count >= 0."""
    return None if value is None else non_negative_int(value)


def _server_header(value: Any) -> str:
    """``server_header``: the Server field's value, visible ASCII and spaces only (RFC 9110 §10.2.4's product
    tokens and comments); empty for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    if not all(" " <= char <= "~" for char in value):
        raise ValueError(f"must be visible ASCII characters and spaces, got {value!r}")
    return value.strip()


def _cpus() -> int:
    return os.cpu_count() or 1


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # -- server socket
    S(
        name="app",
        flags=(),
        default=None,
        convert=app_spec,
        help="The application, module:name (an Application, or a sync or async callable "
        "returning one, called in each worker after the fork). Given as the command's argument.",
        section="app",
    ),
    S(
        name="bind",
        flags=("-b", "--bind"),
        default=lambda: ["127.0.0.1:8000"],
        convert=binds,
        help="Address to listen on: HOST:PORT, [::1]:PORT, unix:PATH or fd://N. Repeat for several.",
        section="socket",
        metavar="ADDRESS",
        kind="append",
    ),
    S(
        name="backlog",
        flags=("--backlog",),
        default=2048,
        convert=positive_int,
        help="Pending connections the kernel queues per socket.",
        section="socket",
        metavar="INT",
    ),
    S(
        name="reuse_port",
        flags=("--reuse-port",),
        default=False,
        convert=boolean,
        help="Set SO_REUSEPORT on TCP sockets, so another process may bind the same address.",
        section="socket",
        kind="flag",
    ),
    S(
        name="unix_socket_mode",
        flags=("--unix-socket-mode",),
        default=0o660,
        convert=octal,
        help="Permissions of unix sockets (octal).",
        section="socket",
        metavar="MODE",
    ),
    # -- workers
    S(
        name="workers",
        flags=("-w", "--workers"),
        default=_cpus,
        convert=positive_int,
        help="Number of worker processes (default: CPUs).",
        section="worker",
        metavar="INT",
    ),
    S(
        name="timeout",
        flags=("-t", "--timeout"),
        default=30.0,
        convert=positive_float,
        help="Seconds without a heartbeat from a worker's "
        "event loop before the master dumps its stacks (SIGABRT) and replaces it; also the boot timeout.",
        section="worker",
        metavar="SECONDS",
    ),
    S(
        name="graceful_timeout",
        flags=("--graceful-timeout",),
        default=30.0,
        convert=positive_float,
        help="Seconds a draining worker has to finish its requests and shutdown hooks before it is killed.",
        section="worker",
        metavar="SECONDS",
    ),
    S(
        name="drain_grace",
        flags=("--drain-grace",),
        default=1.0,
        convert=non_negative_float,
        help="Seconds an idle keep-alive connection "
        "stays open after a drain starts, so a request already on the wire is still served.",
        section="worker",
        metavar="SECONDS",
    ),
    S(
        name="keepalive",
        flags=("--keep-alive",),
        default=75.0,
        convert=non_negative_float,
        help="Seconds an idle keep-alive connection stays open; 0 turns keep-alive off, as in gunicorn. Keep it above "
        "your proxy's (nginx: 60).",
        section="worker",
        metavar="SECONDS",
    ),
    S(
        name="worker_connections",
        flags=("--worker-connections",),
        default=1000,
        convert=positive_int,
        help="Most open connections per worker; at the limit the worker stops accepting and new connections "
        "wait in the listen backlog for it or another worker (never a 503).",
        section="worker",
        metavar="INT",
    ),
    S(
        name="write_timeout",
        flags=("--write-timeout",),
        default=60.0,
        convert=non_negative_float,
        help="Seconds a client may leave a response's write buffer full (reading nothing) before it is dropped; "
        "0: never.",
        section="worker",
        metavar="SECONDS",
    ),
    S(
        name="max_requests",
        flags=("--max-requests",),
        default=0,
        convert=non_negative_int,
        help="Recycle a worker after this many requests (0: never).",
        section="worker",
        metavar="INT",
    ),
    S(
        name="max_requests_jitter",
        flags=("--max-requests-jitter",),
        default=0,
        convert=non_negative_int,
        help="Add up to this many requests at random to each worker's max_requests, so workers do not "
        "recycle together.",
        section="worker",
        metavar="INT",
    ),
    S(
        name="max_worker_memory",
        flags=("--max-worker-memory",),
        default=0.0,
        convert=non_negative_float,
        help="Recycle a worker whose resident memory exceeds this many MB (0: never).",
        section="worker",
        metavar="MB",
    ),
    S(
        name="preload_app",
        flags=("--preload",),
        default=False,
        convert=boolean,
        help="Import the app in the master before forking. The app's hooks (on_startup, finish) still run "
        "in each worker.",
        section="worker",
        kind="flag",
    ),
    S(
        name="aiohttp_alias",
        flags=("--aiohttp-alias",),
        default=True,
        convert=boolean,
        help="Answer the app's and its libraries' imports of aiohttp.web (aiohttp-session, aiohttp-cors...) with "
        "web (web.as_aiohttp), so that they share one web and an unchanged aiohttp app is served; false leaves "
        "aiohttp.web to aiohttp.",
        section="worker",
        metavar="BOOL",
    ),
    S(
        name="reload",
        flags=("--reload",),
        default=False,
        convert=boolean,
        help="Development: watch the working directory's source files (watchfiles) and reload the workers on a "
        "change, as HUP does. Not with preload_app.",
        section="worker",
        kind="flag",
    ),
    S(
        name="restart_backoff",
        flags=("--restart-backoff",),
        default=0.5,
        convert=positive_float,
        help="First delay before respawning a worker that died right after boot; doubles on each further failure.",
        section="worker",
        metavar="SECONDS",
    ),
    S(
        name="restart_backoff_max",
        flags=("--restart-backoff-max",),
        default=30.0,
        convert=positive_float,
        help="Longest such delay.",
        section="worker",
        metavar="SECONDS",
    ),
    # -- process
    S(
        name="pidfile",
        flags=("-p", "--pid"),
        default=None,
        convert=optional_str,
        help="Write the master's pid to this file.",
        section="process",
        metavar="FILE",
    ),
    S(
        name="user",
        flags=("-u", "--user"),
        default=None,
        convert=user_id,
        help="Switch workers to this user (name or uid).",
        section="process",
        metavar="USER",
    ),
    S(
        name="group",
        flags=("-g", "--group"),
        default=None,
        convert=group_id,
        help="Switch workers to this group (name or gid).",
        section="process",
        metavar="GROUP",
    ),
    S(
        name="umask",
        flags=("--umask",),
        default=None,
        convert=optional_octal,
        help="Set the master's umask (octal).",
        section="process",
        metavar="MODE",
    ),
    S(
        name="chdir",
        flags=("--chdir",),
        default=None,
        convert=optional_str,
        help="Change to this directory before loading the app.",
        section="process",
        metavar="DIR",
    ),
    S(
        name="proc_name",
        flags=("-n", "--name"),
        default=None,
        convert=optional_str,
        help="Name in the process titles: 'prefork: master [NAME]' (default: the app).",
        section="process",
        metavar="NAME",
    ),
    # -- logging
    S(
        name="accesslog",
        flags=("--access-logfile",),
        default=None,
        convert=optional_str,
        help="Access log file ('-': stdout; default: none).",
        section="logging",
        metavar="FILE",
    ),
    S(
        name="access_log_format",
        flags=("--access-logformat",),
        default=DEFAULT_ACCESS_LOG_FORMAT,
        convert=optional_str,
        help="Access log line, in gunicorn's atoms; 'json' for one JSON object per line.",
        section="logging",
        metavar="FORMAT",
    ),
    S(
        name="errorlog",
        flags=("--error-logfile", "--log-file"),
        default="-",
        convert=optional_str,
        help="Error log file ('-': stderr).",
        section="logging",
        metavar="FILE",
    ),
    S(
        name="loglevel",
        flags=("--log-level",),
        default="info",
        convert=log_level,
        help="Error log level: " + ", ".join(LOG_LEVELS) + ".",
        section="logging",
        metavar="LEVEL",
    ),
    # -- HTTP limits
    S(
        name="limit_request_line",
        flags=("--limit-request-line",),
        default=8190,
        convert=positive_int,
        help="Longest request line, bytes (414 above).",
        section="http",
        metavar="BYTES",
    ),
    S(
        name="limit_request_fields",
        flags=("--limit-request-fields",),
        default=100,
        convert=positive_int,
        help="Most header fields per request (400 above).",
        section="http",
        metavar="INT",
    ),
    S(
        name="limit_request_field_size",
        flags=("--limit-request-field-size",),
        default=8190,
        convert=positive_int,
        help="Longest header field, bytes (400 above).",
        section="http",
        metavar="BYTES",
    ),
    S(
        name="client_max_size",
        flags=("--client-max-size",),
        # Unset, request bodies are bounded as aiohttp bounds them (gunicorn has no such limit): by the app's
        # Application(client_max_size=...) where the handler collects one (read(), post()), not when it streams one.
        default=None,
        convert=_optional_size,
        help="Largest request body for every route, bytes, as nginx's client_max_body_size: 413 before the "
        "handler runs for a Content-Length over it, and a body stream that grows past it fails, streamed uploads "
        "included. Unset or 0: no server-wide cap; the app's Application(client_max_size=...) bounds what "
        "request.read() and post() collect, as in aiohttp.",
        section="http",
        metavar="BYTES",
    ),
    S(
        name="server_header",
        flags=("--server-header",),
        default="prefork",
        convert=_server_header,
        help="The Server field of every response (aiohttp, gunicorn and uvicorn send their names too); empty: "
        "none. A handler's own Server field, or an on_response_prepare callback that changes or removes it, "
        "decides for its response.",
        section="http",
        metavar="TEXT",
    ),
    S(
        name="forwarded_allow_ips",
        flags=("--forwarded-allow-ips",),
        # Unset, nobody is trusted and request.remote/scheme/host are what aiohttp gives (gunicorn's aiohttp worker
        # ignores gunicorn's "127.0.0.1,::1" default too): an app's aiohttp-remotes must not find them rewritten.
        default=None,
        convert=_optional_ip_networks,
        help="Peers (IPs or CIDR, comma-separated, * for any) trusted to send X-Forwarded-* and Forwarded, which "
        "then set request.remote, scheme and host; unix socket peers are trusted too once it is set. Unset: "
        "nobody, as in aiohttp.",
        section="http",
        metavar="IPS",
        env="FORWARDED_ALLOW_IPS",
    ),
    S(
        name="proxy_protocol",
        flags=("--proxy-protocol",),
        default=False,
        convert=boolean,
        help="Connections from proxy_allow_ips start with a PROXY header (v1 or v2, as HAProxy's send-proxy and "
        "TCP load balancers send it) naming the client: request.remote is that client; a connection without "
        "one closes unanswered.",
        section="http",
        kind="flag",
    ),
    S(
        name="proxy_allow_ips",
        flags=("--proxy-allow-from",),
        default="127.0.0.1,::1",
        convert=ip_networks,
        help="Peers (IPs or CIDR, comma-separated, * for any) that must send a PROXY header with proxy_protocol; "
        "unix socket peers too. A PROXY header from any other peer closes its connection.",
        section="http",
        metavar="IPS",
    ),
    # -- ssl: TLS on every bound address (gunicorn's names)
    S(
        name="certfile",
        flags=("--certfile",),
        default=None,
        convert=optional_str,
        help="PEM certificate (chain) to serve TLS with on every address; HUP reads it again.",
        section="ssl",
        metavar="FILE",
    ),
    S(
        name="keyfile",
        flags=("--keyfile",),
        default=None,
        convert=optional_str,
        help="PEM private key of certfile (default: in certfile itself).",
        section="ssl",
        metavar="FILE",
    ),
    S(
        name="ca_certs",
        flags=("--ca-certs",),
        default=None,
        convert=optional_str,
        help="PEM CA certificates that client certificates are verified against (see cert_reqs).",
        section="ssl",
        metavar="FILE",
    ),
    S(
        name="cert_reqs",
        flags=("--cert-reqs",),
        default=0,
        convert=cert_reqs,
        help="Client certificates: 0 not asked for, 1 optional (verified when sent), 2 required (1, 2: set ca_certs).",
        section="ssl",
        metavar="INT",
    ),
    S(
        name="ssl_ciphers",
        flags=("--ssl-ciphers",),
        default=None,
        convert=optional_str,
        help="OpenSSL cipher list for TLS 1.2 (default: Python's). TLS 1.0 and 1.1 are never offered.",
        section="ssl",
        metavar="CIPHERS",
    ),
    # -- operating: metrics and health
    S(
        name="metrics_bind",
        flags=("--metrics-bind",),
        default=None,
        convert=optional_address,
        help="Serve Prometheus metrics at http://ADDRESS/metrics from the master (HOST:PORT or unix:PATH), one "
        "scrape for every worker; counters survive worker restarts. Default: off.",
        section="operating",
        metavar="ADDRESS",
    ),
    S(
        name="health_path",
        flags=("--health-path",),
        default=None,
        convert=optional_url_path,
        help="Answer GET and HEAD for this path before the app's router: 200 while the node serves, 503 from the "
        "moment a graceful stop begins (for a load balancer's health check). Default: off.",
        section="operating",
        metavar="PATH",
    ),
    S(
        name="drain_delay",
        flags=("--drain-delay",),
        default=0.0,
        convert=non_negative_float,
        help="Seconds to keep serving after TERM, listeners open and the health path answering 503, before the "
        "graceful stop begins, so that load balancers stop sending first.",
        section="operating",
        metavar="SECONDS",
    ),
    # -- server hooks (config file only), as gunicorn has them
    S(
        name="on_starting",
        flags=(),
        default=None,
        convert=hook(1),
        help="on_starting(server): before the master binds and forks.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="when_ready",
        flags=(),
        default=None,
        convert=hook(1),
        help="when_ready(server): the first workers are all ready.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="on_reload",
        flags=(),
        default=None,
        convert=hook(1),
        help="on_reload(server): on HUP, before the rolling restart.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="pre_fork",
        flags=(),
        default=None,
        convert=hook(2),
        help="pre_fork(server, worker): in the master, before a worker forks.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="post_fork",
        flags=(),
        default=None,
        convert=hook(2),
        help="post_fork(server, worker): in the worker, just after the fork.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="post_worker_init",
        flags=(),
        default=None,
        convert=hook(1),
        help="post_worker_init(worker): in the worker, once it is ready.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="worker_int",
        flags=(),
        default=None,
        convert=hook(1),
        help="worker_int(worker): in the worker, on a quick stop (INT or QUIT to the master).",
        section="hooks",
        kind="hook",
    ),
    S(
        name="worker_abort",
        flags=(),
        default=None,
        convert=hook(1),
        help="worker_abort(worker): in the worker, on SIGABRT (timeout).",
        section="hooks",
        kind="hook",
    ),
    S(
        name="worker_exit",
        flags=(),
        default=None,
        convert=hook(2),
        help="worker_exit(server, worker): in the worker, as it exits.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="nworkers_changed",
        flags=(),
        default=None,
        convert=hook(3),
        help="nworkers_changed(server, new, old): TTIN/TTOU changed the count.",
        section="hooks",
        kind="hook",
    ),
    S(
        name="on_exit",
        flags=(),
        default=None,
        convert=hook(1),
        help="on_exit(server): the master is about to exit.",
        section="hooks",
        kind="hook",
    ),
    # -- gunicorn parity: environment, logging configuration, output capture, statsd (issue 17)
    S(
        name="raw_env",
        flags=("-e", "--env"),
        default=list,
        convert=env_list,
        help="Set KEY=VALUE in the master's environment before the app loads (workers inherit it). Repeat for "
        "several; HUP unsets the previous ones and sets the new config's.",
        section="process",
        metavar="KEY=VALUE",
        kind="append",
    ),
    S(
        name="worker_tmp_dir",
        flags=("--worker-tmp-dir",),
        default=None,
        convert=optional_str,
        help="Accepted for gunicorn configs and checked (an existing writable directory), but prefork writes "
        "nothing there: its heartbeat is a message on a pipe, not a file on disk, so the disk stall this setting "
        "avoids in gunicorn cannot happen.",
        section="process",
        metavar="DIR",
    ),
    S(
        name="capture_output",
        flags=("--capture-output",),
        default=False,
        convert=boolean,
        help="Send the stdout and stderr of the master and workers (print(), stray tracebacks) to the error log "
        "file; without an error log file it has no effect.",
        section="logging",
        kind="flag",
    ),
    S(
        name="logconfig",
        flags=("--log-config",),
        default=None,
        convert=optional_str,
        help="A logging.config.fileConfig (ini) file, applied over prefork's logs (loggers: root = the error log, "
        "prefork.access, prefork.master, prefork.worker, prefork.server).",
        section="logging",
        metavar="FILE",
    ),
    S(
        name="logconfig_json",
        flags=("--log-config-json",),
        default=None,
        convert=optional_str,
        help="A JSON file holding a logging.config.dictConfig dictionary, applied like logconfig.",
        section="logging",
        metavar="FILE",
    ),
    S(
        name="logconfig_dict",
        flags=(),
        default=dict,
        convert=log_dict,
        help="A logging.config.dictConfig dictionary (version 1 and disable_existing_loggers False unless given); "
        "takes precedence over logconfig_json and logconfig.",
        section="logging",
    ),
    S(
        name="statsd_host",
        flags=("--statsd-host",),
        default=None,
        convert=statsd_address,
        help="Send StatsD metrics under gunicorn's names to HOST[:PORT] (UDP, port 8125 by default) or unix:PATH "
        "(a datagram socket): each worker sends once per heartbeat, the master its gauge every second.",
        section="operating",
        metavar="ADDRESS",
    ),
    S(
        name="statsd_prefix",
        flags=("--statsd-prefix",),
        default="",
        convert=statsd_prefix,
        help="Prefix of every StatsD metric name (a trailing '.' is added).",
        section="operating",
        metavar="PREFIX",
    ),
    S(
        name="dogstatsd_tags",
        flags=("--dogstatsd-tags",),
        default="",
        convert=dogstatsd_tags,
        help="DogStatsD tags appended to every StatsD line, comma-separated: 'env:prod,service:api'.",
        section="operating",
        metavar="TAGS",
    ),
)
del S
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

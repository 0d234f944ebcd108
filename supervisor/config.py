"""Every setting of the ``prefork`` command, defined once.

Each :class:`Setting` holds a name (the config-file key, gunicorn's name where gunicorn has one), its CLI flags,
a default, a converter that validates and normalises a value, and help text. The argument parser, the config-file
loader, ``--print-config`` and the documentation table (``python -m supervisor.config``) are all generated from
:data:`SETTINGS`, so they cannot disagree.

Precedence, lowest first: defaults < config file < ``PREFORK_CMD_ARGS`` < command line. A few settings, as in
gunicorn, also read an environment variable of their own (``FORWARDED_ALLOW_IPS``) that replaces the default.
The config file is ``-c FILE`` (from the command line, else from ``PREFORK_CMD_ARGS``), else ``./prefork.conf.py``
when it exists. With ``--check-config``, a lone argument that is an existing ``*.py`` file is the config file, as
in gunicorn. It is Python: top-level assignments and ``def``s of setting names. Names starting with ``_`` and
imported names are the file's own helpers; any other unknown name is an error reported as ``file:line``.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import logging
import os
import shlex
import ssl
import sys
import traceback
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from server.settings import DEFAULT_ACCESS_LOG_FORMAT

from .errors import ConfigError
from .logs import ACCESS_LOGGER, check_ini_config, read_json_config
from .settings import BY_NAME, SETTINGS, Setting
from .tls import server_context

__all__ = ["SETTINGS", "Config", "Setting", "apply_env", "load", "original_environ", "settings_markdown"]

ENV_ARGS = "PREFORK_CMD_ARGS"
DEFAULT_CONFIG_FILE = "prefork.conf.py"
NGINX_UPSTREAM_KEEPALIVE = 60.0  # nginx's keepalive_timeout for upstream connections


class Config:
    """Resolved settings, read as attributes (``cfg.workers``); ``origin[name]`` says where each came from."""

    def __init__(self, values: Mapping[str, Any], origin: Mapping[str, str], config_file: str | None) -> None:
        self.values = dict(values)
        self.origin = dict(origin)
        self.config_file = config_file
        # The TLS context built from the ssl settings (supervisor/tls.py); None: plain HTTP.
        self.ssl_context: ssl.SSLContext | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def server_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``app.make_handler()``: the HTTP limits, in ServerSettings' names."""
        return {
            "keepalive_timeout": self.keepalive,
            "max_request_line": self.limit_request_line,
            "max_headers": self.limit_request_fields,
            "max_field_size": self.limit_request_field_size,
            "client_max_size": self.client_max_size,
            "worker_connections": self.worker_connections,
            "write_timeout": self.write_timeout or None,
            "server_header": self.server_header or None,
            # "json": the lines are JSON objects built from the atoms (supervisor/journal.py), not from a format
            "access_log_format": DEFAULT_ACCESS_LOG_FORMAT if self.access_json else self.access_log_format,
        }

    def run_hook(self, name: str, *args: Any, log: logging.Logger) -> None:
        """Call the server hook ``name`` (``on_starting``, ``post_fork``...) with ``args`` when one is set. An
        exception it raises is logged to ``log`` and goes no further: a broken hook does not take the master or a
        worker down."""
        func = self.values.get(name)
        if func is None:
            return
        try:
            func(*args)
        except Exception:
            log.exception("the %s hook failed", name)

    @property
    def access_json(self) -> bool:
        """True when ``access_log_format`` is ``json``: one JSON object per access-log line."""
        return self.access_log_format == "json"

    def warnings(self) -> list[str]:
        """Risky but legal combinations, reported by ``--check-config`` and at start."""
        found = []
        behind_proxy = any(b.startswith("unix:") for b in self.bind) or any(
            b.startswith(("127.", "[::1]", "localhost")) for b in self.bind
        )
        if behind_proxy and 0 < self.keepalive < NGINX_UPSTREAM_KEEPALIVE:  # 0: no keep-alive, no race
            found.append(
                f"keepalive {self.keepalive:g}s is shorter than nginx's {NGINX_UPSTREAM_KEEPALIVE:g}s upstream "
                "keep-alive: the proxy may send a request on a connection we are closing (502)"
            )
        if self.max_requests and self.max_requests_jitter > self.max_requests:
            found.append("max_requests_jitter is larger than max_requests")
        if self.preload_app:
            found.append("preload_app: HUP reloads the config but not the app's code; use USR2 to upgrade code")
        if self.graceful_timeout <= self.drain_grace:
            found.append("graceful_timeout is not longer than drain_grace: idle connections are cut")
        if "*" in (self.forwarded_allow_ips or ()):
            found.append("forwarded_allow_ips is *: any client can forge its address and scheme")
        found += self._parity_warnings()
        return found

    def _parity_warnings(self) -> list[str]:
        """gunicorn settings carried over that do less here than there."""
        found = []
        if self.capture_output and self.errorlog in (None, "-"):
            found.append("capture_output has no effect: the error log is stderr already (set errorlog to a file)")
        named = set(self.logconfig_dict.get("loggers") or ()) if isinstance(self.logconfig_dict, dict) else set()
        for gunicorn_name, ours in (("gunicorn.error", "the root logger"), ("gunicorn.access", ACCESS_LOGGER)):
            if gunicorn_name in named:
                found.append(f"logconfig_dict configures {gunicorn_name!r}, which prefork never logs to: use {ours}")
        return found

    def render(self) -> str:
        """The resolved settings as a config file (``--print-config``), each with where it came from."""
        lines = []
        for setting in SETTINGS:
            value = self.values[setting.name]
            origin = self.origin[setting.name]
            if setting.kind == "hook":
                if value is not None:
                    lines.append(f"# {setting.name} = {getattr(value, '__qualname__', value)}  # {origin}")
                continue
            octal_mode = setting.name in ("umask", "unix_socket_mode") and value is not None
            text = oct(value) if octal_mode else repr(value)
            lines.append(f"{setting.name} = {text}" + (f"  # {origin}" if origin != "default" else ""))
        return "\n".join(lines) + "\n"


# -- the argument parser ------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise ConfigError(message)


def build_parser() -> argparse.ArgumentParser:
    """The CLI, generated from :data:`SETTINGS`; every default is SUPPRESS so only given options appear."""
    parser = _Parser(
        prog="prefork",
        description="Serve an aiohttp.web-style application from pre-forked uvloop workers.",
        allow_abbrev=False,
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("app", nargs="?", metavar="APP", help=BY_NAME["app"].help)
    parser.add_argument(
        "-c", "--config", metavar="FILE", help=f"Python config file (default: ./{DEFAULT_CONFIG_FILE} if it exists)."
    )
    parser.add_argument(
        "--check-config",
        action="store_true",
        help="Load and validate the config and the app, print warnings, and exit.",
    )
    parser.add_argument("--print-config", action="store_true", help="Print the resolved config and exit.")
    parser.add_argument("--version", action="store_true", help="Print the version and exit.")
    groups: dict[str, argparse._ArgumentGroup] = {}
    for setting in SETTINGS:
        if not setting.flags:
            continue
        group = groups.get(setting.section) or parser.add_argument_group(setting.section)
        groups[setting.section] = group
        if setting.kind == "flag":
            group.add_argument(
                *setting.flags, dest=setting.name, action=argparse.BooleanOptionalAction, help=setting.help
            )
        else:
            group.add_argument(
                *setting.flags,
                dest=setting.name,
                metavar=setting.metavar,
                action="append" if setting.kind == "append" else "store",
                help=setting.help,
            )
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str], where: str) -> dict[str, Any]:
    try:
        namespace = parser.parse_args(argv)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return vars(namespace)


# -- the config file -----------------------------------------------------------------------------------------------


def _bound_names(tree: ast.Module) -> tuple[dict[str, int], set[str]]:
    """Top-level names the file binds, with their line, and the names bound by imports."""
    lines: dict[str, int] = {}
    imported: set[str] = set()
    for node in tree.body:
        targets: Iterable[ast.AST] = ()
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = (node.target,)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            lines.setdefault(node.name, node.lineno)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                imported.add((alias.asname or alias.name).split(".")[0])
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    lines.setdefault(sub.id, node.lineno)
    return lines, imported


def load_file(path: str) -> dict[str, tuple[Any, str]]:
    """Run a config file; return ``{name: (converted value, "file:line")}``. Errors carry ``file:line``."""
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        tree = ast.parse(source, path)
    except SyntaxError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    lines, imported = _bound_names(tree)
    namespace: dict[str, Any] = {"__file__": os.path.abspath(path), "__name__": "__prefork_config__"}
    try:
        exec(compile(tree, path, "exec"), namespace)
    except Exception as exc:
        line = next((f.lineno for f in reversed(traceback.extract_tb(exc.__traceback__)) if f.filename == path), "?")
        raise ConfigError(f"{path}:{line}: {type(exc).__name__}: {exc}") from None
    found: dict[str, tuple[Any, str]] = {}
    for name, value in namespace.items():
        if name.startswith("_") or name in imported or isinstance(value, types.ModuleType):
            continue
        where = f"{path}:{lines.get(name, '?')}"
        setting = BY_NAME.get(name)
        if setting is None:
            close = difflib.get_close_matches(name, BY_NAME, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown setting {name!r}{hint}")
        try:
            found[name] = (setting.convert(value), where)
        except ValueError as exc:
            raise ConfigError(f"{where}: {name}: {exc}") from None
    return found


# -- putting it together ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Command:
    """What the command line asks for besides settings."""

    check_config: bool = False
    print_config: bool = False
    version: bool = False


def load(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> tuple[Config, Command]:
    """Resolve the settings: defaults < config file < PREFORK_CMD_ARGS < ``argv``. Raise :class:`ConfigError`."""
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    parser = build_parser()
    cli = _parse(parser, argv, "command line")
    env = _parse(parser, shlex.split(environ.get(ENV_ARGS, "")), ENV_ARGS) if environ.get(ENV_ARGS) else {}
    command = Command(
        check_config=bool(cli.pop("check_config", False) or env.pop("check_config", False)),
        print_config=bool(cli.pop("print_config", False) or env.pop("print_config", False)),
        version=bool(cli.pop("version", False) or env.pop("version", False)),
    )
    if command.check_config and "config" not in cli and _is_config_file(cli.get("app")):
        # gunicorn's habit: ``prefork --check-config prefork.conf.py`` checks that file (an APP is never a path)
        cli["config"] = cli.pop("app")
    cli_config, env_config = cli.pop("config", None), env.pop("config", None)
    config_file = cli_config or env_config
    if config_file is None and os.path.isfile(DEFAULT_CONFIG_FILE):
        config_file = DEFAULT_CONFIG_FILE

    values = {s.name: s.convert(s.default_value()) for s in SETTINGS}  # normalised like any other source
    origin = dict.fromkeys(values, "default")
    for setting in SETTINGS:
        if setting.env and environ.get(setting.env) is not None:
            try:
                values[setting.name] = setting.convert(environ[setting.env])
            except ValueError as exc:
                raise ConfigError(f"{setting.env}: {exc}") from None
            origin[setting.name] = setting.env
    if config_file is not None:
        for name, (value, where) in load_file(config_file).items():
            values[name], origin[name] = value, where
    for where, given in ((ENV_ARGS, env), ("command line", cli)):
        for name, raw in given.items():
            setting = BY_NAME[name]
            try:
                values[name] = setting.convert(raw)
            except ValueError as exc:
                flag = setting.flags[-1] if setting.flags else "APP"
                raise ConfigError(f"{where}: {flag}: {exc}") from None
            origin[name] = where
    _check_combinations(values, origin)
    _check_files(values, origin)
    cfg = Config(values, origin, config_file)
    cfg.ssl_context = server_context(values, origin)
    return cfg, command


def _check_combinations(values: Mapping[str, Any], origin: Mapping[str, str]) -> None:
    """Settings that are valid alone but cannot work together: refused with both names and the fix."""
    if values["reload"] and values["preload_app"]:
        where = " and ".join(dict.fromkeys((origin["reload"], origin["preload_app"])))
        raise ConfigError(
            f"{where}: --reload cannot work with --preload: the master would hand every new worker the app it "
            "imported at start; drop --preload while developing"
        )


def _check_files(values: Mapping[str, Any], origin: Mapping[str, str]) -> None:
    """The directory and files the settings name, read from where the app runs (after ``chdir``), so that a
    missing or broken one stops the command (or is refused by HUP) with one line, before any fork."""
    base = os.path.join(os.getcwd(), values["chdir"] or "")

    def refuse(name: str, message: str) -> ConfigError:
        setting = BY_NAME[name]
        where = origin[name]
        label = setting.flags[-1] if where in ("command line", ENV_ARGS) and setting.flags else name
        return ConfigError(f"{where}: {label}: {message}")

    tmp_dir = values["worker_tmp_dir"]
    if tmp_dir is not None:
        path = os.path.join(base, tmp_dir)
        if not os.path.isdir(path):
            raise refuse("worker_tmp_dir", f"{tmp_dir!r} is not an existing directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise refuse("worker_tmp_dir", f"{tmp_dir!r} is not writable")
    for name, check in (("logconfig_json", read_json_config), ("logconfig", check_ini_config)):
        if values[name] is not None:
            try:
                check(os.path.join(base, values[name]))
            except ConfigError as exc:
                raise refuse(name, str(exc).removeprefix(f"{name} ")) from None


# -- raw_env: the environment the app loads in ------------------------------------------------------------------------

_env_before: dict[str, str | None] = {}  # each name raw_env set, with its value before (None: unset)


def apply_env(raw_env: Iterable[str]) -> None:
    """Set raw_env's ``KEY=VALUE`` pairs in this process's environment (workers inherit it), after undoing what
    the previous call set: a HUP that drops a pair unsets it, as gunicorn's reload does."""
    for key, before in _env_before.items():
        if before is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = before
    _env_before.clear()
    for item in raw_env:
        key, _, value = item.partition("=")
        _env_before.setdefault(key, os.environ.get(key))
        os.environ[key] = value


def original_environ() -> dict[str, str]:
    """The environment without what raw_env set: a USR2's new master starts from it and applies its own."""
    environ = dict(os.environ)
    for key, before in _env_before.items():
        if before is None:
            environ.pop(key, None)
        else:
            environ[key] = before
    return environ


def _is_config_file(arg: Any) -> bool:
    return isinstance(arg, str) and arg.endswith(".py") and os.path.isfile(arg)


def settings_markdown() -> str:
    """The documentation table of every setting, generated from :data:`SETTINGS`."""
    rows = ["| setting | command line | default | what it does |", "|---|---|---|---|"]
    for s in SETTINGS:
        flags = ", ".join(f"`{f}`" for f in s.flags) or ("`APP`" if s.name == "app" else "config file")
        default = s.default_value()
        shown = "CPUs" if s.name == "workers" else ("" if s.kind == "hook" else f"`{default!r}`")
        if s.env:
            shown += f" (or `${s.env}`)"
        rows.append(f"| `{s.name}` | {flags} | {shown} | {s.help} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(settings_markdown())

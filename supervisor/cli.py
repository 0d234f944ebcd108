"""The ``prefork`` command: ``prefork [OPTIONS] APP``.

Every failure before the master starts is one line on stderr, ``prefork: error: ...`` (with ``file:line`` for
config-file errors), and a distinct non-zero exit code (see :mod:`supervisor.errors`).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator

from . import config
from .errors import EXIT_CONFIG, EXIT_OK, AppLoadError, ConfigError, SupervisorError

__all__ = ["main"]


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("prefork")
    except Exception:
        return "unknown"


def _error(message: str, code: int) -> int:
    print(f"prefork: error: {message}", file=sys.stderr)
    return code


@contextlib.contextmanager
def _cwd(path: str) -> Iterator[None]:
    here = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(here)


def _check_importable(spec: str) -> None:
    """Fail fast, without running the app's module, when its top-level package does not exist."""
    top = spec.partition(":")[0].split(".")[0]
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise AppLoadError(f"cannot import {spec.partition(':')[0]!r}: no module named {top!r}")


def _config_ok(cfg: config.Config, app: str) -> int:
    """``--check-config`` passed: print the warnings, then the OK line."""
    for warning in cfg.warnings():
        print(f"prefork: warning: {warning}", file=sys.stderr)
    print(f"prefork: config OK ({cfg.config_file or 'no config file'}, {app})")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    start_cwd = os.getcwd()
    try:
        cfg, command = config.load(argv)
    except ConfigError as exc:
        return _error(str(exc), exc.exit_code)
    if command.version:
        import server

        print(f"prefork {_version()} ({'compiled with mypyc' if server.COMPILED else 'pure Python'})")
        return EXIT_OK
    if command.print_config:
        sys.stdout.write(cfg.render())
        return EXIT_OK
    if cfg.app is None and command.check_config:
        # the config file alone (``prefork --check-config prefork.conf.py``): the app is given at start
        return _config_ok(cfg, "no app given")
    if cfg.app is None:
        return _error("missing APP: give module:name as the argument or set app in the config file", EXIT_CONFIG)
    try:
        if cfg.umask is not None:
            os.umask(cfg.umask)
        if cfg.chdir:
            try:
                os.chdir(cfg.chdir)
            except OSError as exc:
                raise ConfigError(f"chdir {cfg.chdir!r}: {exc.strerror}") from None
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())  # the app is found from the working directory, as in gunicorn
        config.apply_env(cfg.raw_env)  # before the app is imported, here or (inherited) in the workers
        if command.check_config:
            from .loader import import_target

            import_target(cfg.app, aiohttp_alias=cfg.aiohttp_alias)
            return _config_ok(cfg, f"app {cfg.app}")
        _check_importable(cfg.app)
    except SupervisorError as exc:
        return _error(str(exc), exc.exit_code)

    from .logs import Logs
    from .master import Master
    from .notify import from_environ

    logs = Logs()
    try:
        logs.configure(cfg)
    except ConfigError as exc:
        return _error(str(exc), exc.exit_code)

    def reload_config() -> config.Config:
        with _cwd(start_cwd):
            return config.load(argv)[0]

    try:
        master = Master(
            cfg, logs, argv=argv, reload_config=reload_config, start_cwd=start_cwd, notifier=from_environ(os.environ)
        )
        code = master.run()
    except SupervisorError as exc:
        logs.release_capture()
        return _error(str(exc), exc.exit_code)
    logs.release_capture()  # capture_output: the last line goes where the command's stderr went
    if code and cfg.errorlog not in (None, "-"):
        # the error log is a file: the terminal or the service manager still gets the one-line reason
        return _error(master.exit_reason, code)
    return code

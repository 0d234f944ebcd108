"""Errors of the supervisor, and the exit codes the ``prefork`` command ends with.

Tree::

    SupervisorError                 every error below names the rule that was broken
    ├── ConfigError                 a bad option, an unknown key, an invalid value (with file:line when from a file)
    ├── BindError                   an address could not be bound or an inherited fd is not a socket
    └── AppLoadError                APP is not ``module:name``, cannot be imported, or is not an Application
    HaltServer (BaseException)      stop the master now with a code and a reason; the app must not swallow it

Exit codes are distinct so that an init system or a deploy script can tell why the master stopped, the way
gunicorn's ``WORKER_BOOT_ERROR`` (3) and ``APP_LOAD_ERROR`` (4) do.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1  # an unexpected error in the master itself
EXIT_CONFIG = 2  # bad option, unknown key, invalid value: fix the command line or the config file
EXIT_BOOT = 3  # the first worker could not boot (app factory or on_startup failed, or it died before ready)
EXIT_APP_LOAD = 4  # APP cannot be imported or is not an Application / factory
EXIT_BIND = 5  # an address could not be bound


class SupervisorError(Exception):
    """Root of the supervisor's errors; ``exit_code`` is what the command exits with."""

    exit_code = EXIT_ERROR


class ConfigError(SupervisorError):
    """A setting is unknown or invalid; the message starts with ``file:line:`` when it comes from a file."""

    exit_code = EXIT_CONFIG


class BindError(SupervisorError):
    """A listening address could not be bound, or an inherited descriptor is unusable."""

    exit_code = EXIT_BIND


class AppLoadError(SupervisorError):
    """APP cannot be imported, does not exist, or is neither an Application nor a callable returning one."""

    exit_code = EXIT_APP_LOAD


class HaltServer(BaseException):
    """Stop the master now with ``exit_code`` (gunicorn's name); a BaseException, so no handler swallows it."""

    def __init__(self, reason: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(reason)
        self.reason = reason
        self.exit_code = exit_code

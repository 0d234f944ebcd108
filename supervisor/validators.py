"""Validators for settings: each takes a value from the CLI (a string) or a config file (any object) and
returns it normalised, or raises ``ValueError("expected ...")`` naming what a valid value looks like."""

from __future__ import annotations

import grp
import inspect
import ipaddress
import os
import pwd
from collections.abc import Callable
from typing import Any


def _integer(value: Any, minimum: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected an integer >= {minimum}, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected an integer >= {minimum}, got {value!r}") from None
    if number < minimum or (isinstance(value, float) and value != number):
        raise ValueError(f"expected an integer >= {minimum}, got {value!r}")
    return number


def positive_int(value: Any) -> int:
    return _integer(value, 1)


def non_negative_int(value: Any) -> int:
    return _integer(value, 0)


def _number(value: Any, *, positive: bool) -> float:
    bound = "> 0" if positive else ">= 0"
    if isinstance(value, bool):
        raise ValueError(f"expected a number {bound}, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number {bound}, got {value!r}") from None
    if number != number or number < 0 or (positive and number == 0):  # NaN fails the first test
        raise ValueError(f"expected a number {bound}, got {value!r}")
    return number


def positive_float(value: Any) -> float:
    return _number(value, positive=True)


def non_negative_float(value: Any) -> float:
    return _number(value, positive=False)


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def optional_str(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise ValueError(f"expected a string, got {value!r}")
    return os.fspath(value) or None


def app_spec(value: Any) -> str | None:
    spec = optional_str(value)
    if spec is None:
        return None
    module, sep, name = spec.partition(":")
    if not sep or not module or not name or not all(part.isidentifier() for part in name.split(".")):
        raise ValueError(f"expected module:name, got {spec!r}")
    return spec


def octal(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        try:
            number = int(str(value), 8)
        except ValueError:
            raise ValueError(f"expected an octal mode such as 0o660 or 660, got {value!r}") from None
    if not 0 <= number <= 0o777:
        raise ValueError(f"expected an octal mode between 0 and 0o777, got {value!r}")
    return number


def optional_octal(value: Any) -> int | None:
    return None if value is None else octal(value)


def binds(value: Any) -> list[str]:
    items = [value] if isinstance(value, str) else list(value)
    if not items:
        raise ValueError("expected at least one address")
    for item in items:
        if not isinstance(item, str) or not item:
            raise ValueError(f"expected addresses as strings, got {item!r}")
        # the full syntax check lives next to the code that binds
        from .errors import ConfigError
        from .sockets import parse_address

        try:
            parse_address(item)
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
    return items


def ip_networks(value: Any) -> list[str]:
    items = [s.strip() for s in value.split(",") if s.strip()] if isinstance(value, str) else list(value)
    for item in items:
        if item == "*":
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except (TypeError, ValueError):
            raise ValueError(f"expected IP addresses or CIDR networks (or *), got {item!r}") from None
    return [item for item in items if item]


def user_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    try:
        return pwd.getpwnam(str(value)).pw_uid
    except KeyError:
        raise ValueError(f"no such user: {value!r}") from None


def group_id(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    try:
        return grp.getgrnam(str(value)).gr_gid
    except KeyError:
        raise ValueError(f"no such group: {value!r}") from None


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def log_level(value: Any) -> str:
    text = str(value).lower()
    if text not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return text


def env_list(value: Any) -> list[str]:
    """gunicorn's ``raw_env``: ``KEY=VALUE`` strings (one string alone is a list of one)."""
    items = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError(f"expected a list of KEY=VALUE strings, got {value!r}")
    for item in items:
        key, sep, _ = item.partition("=") if isinstance(item, str) else ("", "", "")
        if not sep or not key or "\0" in item:
            raise ValueError(f"expected KEY=VALUE, got {item!r}")
    return list(items)


def log_dict(value: Any) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary; empty: none. Its content is checked when it is applied."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"expected a dict for logging.config.dictConfig, got {value!r}")
    return value


def hook(arity: int) -> Callable[[Any], Callable[..., Any] | None]:
    def convert(value: Any) -> Callable[..., Any] | None:
        if value is None:
            return None
        if not callable(value):
            raise ValueError(f"expected a function of {arity} argument(s), got {value!r}")
        try:
            inspect.signature(value).bind(*range(arity))
        except TypeError:
            raise ValueError(f"expected a function of {arity} argument(s)") from None
        except ValueError:
            pass  # builtins without a signature: trust them
        return value  # type: ignore[no-any-return]

    return convert


def optional_address(value: Any) -> str | None:
    """One address to listen on, ``HOST:PORT``, ``[IPv6]:PORT`` or ``unix:PATH`` (not ``fd://``); None: off."""
    text = optional_str(value)
    if text is None:
        return None
    from .errors import ConfigError
    from .sockets import parse_address

    try:
        address = parse_address(text)
    except ConfigError as exc:
        raise ValueError(str(exc).removeprefix("bind ")) from None
    if address.kind == "fd":
        raise ValueError(f"expected HOST:PORT or unix:PATH, got {text!r}")
    return text


def optional_url_path(value: Any) -> str | None:
    """An absolute URL path such as ``/healthz`` (RFC 9110 §4.1: printable ASCII, no query); None: off."""
    text = optional_str(value)
    if text is None:
        return None
    if not text.startswith("/") or "?" in text or "#" in text or not all(33 <= ord(c) < 127 for c in text):
        raise ValueError(f"expected a path such as /healthz, got {text!r}")
    return text


def cert_reqs(value: Any) -> int:
    """gunicorn's ``cert_reqs``: 0 (``ssl.CERT_NONE``), 1 (``CERT_OPTIONAL``) or 2 (``CERT_REQUIRED``)."""
    try:
        number = _integer(value, 0)
    except ValueError:
        number = -1
    if number not in (0, 1, 2):
        raise ValueError(f"expected 0 (none), 1 (optional) or 2 (required), got {value!r}")
    return number

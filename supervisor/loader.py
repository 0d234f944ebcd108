"""Find the application named by ``module:name`` and turn it into an Application.

``name`` may be an Application (anything with ``make_handler``), or a callable, sync or async, that returns one.
Calling it happens in each worker after the fork, so per-worker resources (DB pools, clients) are created in the
process that uses them.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
from typing import Any

from .errors import AppLoadError

__all__ = ["build_app", "import_target", "is_application"]


def is_application(obj: Any) -> bool:
    """Duck-typed: the worker needs ``make_handler`` and the lifecycle coroutines, nothing else."""
    return callable(getattr(obj, "make_handler", None))


def _one_line(exc: BaseException) -> str:
    """The innermost frame's place plus the error: what an operator needs to fix a broken import."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def import_target(spec: str, *, reload: bool = False) -> Any:
    """Import ``module`` and return ``module.name``; raise :class:`AppLoadError` with one clear line."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise AppLoadError(f"APP must be module:name, got {spec!r}")
    try:
        if reload and module_name in sys.modules:
            module = importlib.reload(sys.modules[module_name])
        else:
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise AppLoadError(f"cannot import {module_name!r}: no module named {exc.name!r}") from None
        raise AppLoadError(f"cannot import {module_name!r}: {_one_line(exc)}") from None
    except Exception as exc:
        raise AppLoadError(f"cannot import {module_name!r}: {_one_line(exc)}") from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise AppLoadError(f"{module_name!r} has no attribute {attr!r}") from None
    if not is_application(obj) and not callable(obj):
        raise AppLoadError(f"{spec} is {type(obj).__name__}, not an Application or a callable returning one")
    return obj


async def build_app(target: Any) -> Any:
    """Return the Application: ``target`` itself, or what calling it (and awaiting, if needed) returns."""
    if is_application(target):
        return target
    app = target()
    if inspect.isawaitable(app):
        app = await app
    if not is_application(app):
        raise AppLoadError(f"the app factory returned {type(app).__name__}, not an Application")
    return app

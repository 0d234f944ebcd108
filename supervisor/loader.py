"""Find the application named by ``module:name`` and turn it into an Application.

``name`` may be an Application (anything with ``make_handler``: :class:`.app_protocol.MakesHandler`), or a callable,
sync or async, that returns one.
Calling it happens in each worker after the fork, so per-worker resources (DB pools, clients) are created in the
process that uses them.

Every failure is one :class:`AppLoadError` line that names the place to fix: the innermost frame of the app's own
files for an import error (not the library frame that raised it), the factory's ``file:line`` when it returns
something else, and the Applications and factories the module does have when the name is wrong.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import os
import sys
import sysconfig
import traceback
import types
from typing import Any

from .app_protocol import Application, MakesHandler
from .errors import AppLoadError

__all__ = ["build_app", "import_target", "is_application"]


def is_application(obj: Any) -> bool:
    """Whether ``obj`` has ``make_handler``, what tells an Application from a factory that returns one (the worker
    then also awaits its ``startup``, ``shutdown``, ``finish`` and ``cleanup``: :class:`.app_protocol.Application`)."""
    return isinstance(obj, MakesHandler)


def _library_dirs() -> tuple[str, ...]:
    """Where Python's own and installed packages live: frames there are not the app's code."""
    paths = sysconfig.get_paths()
    found = {os.path.realpath(paths[key]) + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    found.add(os.path.dirname(os.path.realpath(__file__)) + os.sep)  # the supervisor itself
    return tuple(found)


def _place(exc: BaseException) -> str:
    """``file:line`` of the innermost frame in the app's own files (else the innermost frame), or ``""``."""
    if isinstance(exc, SyntaxError) and exc.filename:  # the broken file never ran, so it has no frame
        return f"{exc.filename}:{exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith("<")]
    if not frames:
        return ""
    library = _library_dirs()
    own = [f for f in frames if not os.path.realpath(f.filename).startswith(library)]
    frame = (own or frames)[-1]
    return f"{frame.filename}:{frame.lineno}"


def _one_line(exc: BaseException) -> str:
    """The error plus where to fix it: what an operator needs to mend a broken import."""
    where = _place(exc)
    text = exc.msg if isinstance(exc, SyntaxError) else str(exc)  # str() repeats "(file, line N)"
    message = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {message}" + (f" ({where})" if where else "")


def _definition(obj: Any) -> str:
    """``file:line`` where a function (or a callable's class) is defined, or ``""``."""
    try:
        func = inspect.unwrap(obj)
        code = getattr(func, "__code__", None)
        if code is not None:
            return f"{code.co_filename}:{code.co_firstlineno}"
        target = func if inspect.isclass(func) else type(func)
        return f"{inspect.getsourcefile(target)}:{inspect.getsourcelines(target)[1]}"
    except (TypeError, OSError, ValueError):
        return ""


def _takes_no_argument(obj: Any) -> bool:
    try:
        inspect.signature(obj).bind()
    except (TypeError, ValueError):
        return False
    return True


def _candidates(module: types.ModuleType, wanted: str) -> list[str]:
    """The module's Applications, then its factories (its own functions that take no argument): the names a
    ``module:name`` could mean, the closest to ``wanted`` first."""
    apps, factories = [], []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if is_application(obj):
            apps.append(name)
        elif inspect.isfunction(obj) and obj.__module__ == module.__name__ and _takes_no_argument(obj):
            factories.append(name)
    ranked = apps + factories
    close = difflib.get_close_matches(wanted, ranked, n=1, cutoff=0.6)
    return close + [name for name in ranked if name not in close]


def _suggestion(module: types.ModuleType, module_name: str, wanted: str) -> str:
    names = _candidates(module, wanted)
    where = getattr(module, "__file__", None) or module_name
    if not names:
        return f"; {where} defines no Application nor a function returning one"
    listed = ", ".join(f"{module_name}:{name}" for name in names)
    return f"; did you mean {module_name}:{names[0]}? ({where} has {listed})"


def import_target(spec: str, *, reload: bool = False, aiohttp_alias: bool = False) -> Any:
    """Import ``module`` and return ``module.name``; raise :class:`AppLoadError` with one clear line. With
    ``aiohttp_alias`` (the setting), ``aiohttp.web`` imported from then on is ``web`` (``web.as_aiohttp``)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise AppLoadError(f"APP must be module:name, got {spec!r}")
    if aiohttp_alias:
        from web.as_aiohttp import install_on_import

        install_on_import()
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
            hint = _suggestion(module, module_name, attr) if obj is module else ""
            raise AppLoadError(f"{module_name!r} has no attribute {attr!r}{hint}") from None
    if not is_application(obj) and not callable(obj):
        hint = _suggestion(module, module_name, attr)
        raise AppLoadError(f"{spec} is {type(obj).__name__}, not an Application or a callable returning one{hint}")
    return obj


async def build_app(target: Any) -> Application:
    """Return the Application: ``target`` itself, or what calling it (and awaiting, if needed) returns."""
    if is_application(target):
        return _ours(target)
    app = target()
    if inspect.isawaitable(app):
        app = await app
    if not is_application(app):
        where = _definition(target)
        name = getattr(target, "__qualname__", type(target).__name__)
        raise AppLoadError(
            f"the app factory returned {type(app).__name__}, not an Application"
            + (f" ({name} at {where}): make it return the web.Application it builds" if where else "")
        )
    return _ours(app)


def _ours(app: Any) -> Application:
    """``app``, unless it is aiohttp's own ``aiohttp.web.Application`` (it has a ``make_handler`` too, of another
    signature), which prefork cannot serve: then one line saying what to do."""
    if type(app).__module__.startswith("aiohttp."):
        raise AppLoadError(
            f"the app is aiohttp's own {type(app).__module__}.{type(app).__qualname__}, which prefork cannot serve: "
            "change `from aiohttp import web` to `import web`, or leave the aiohttp_alias setting on"
        )
    return app  # type: ignore[no-any-return]

"""The compat harness: aiohttp 3's own server tests, unmodified, run against our ``web`` (or, as a check, theirs).

Run it with ``python -m pytest -c tests/compat/pytest.ini`` (``--compat-mode=prefork``, the default) or with
``--compat-mode=mirror``; ``python tests/compat/report.py`` runs both and prints the figures.

How the swap works, in ``prefork`` mode:

* While each vendored test module is imported, the names it imports from aiohttp's server side resolve to ours:
  ``from aiohttp import web`` gives our ``web`` (see ``_aliases()``; ``aiohttp.web_log`` is ``web.accesslog``;
  ``aiohttp.web_fileresponse`` gives our ``FileResponse``; ``aiohttp.abc`` our ABCs and aiohttp's client-side
  ones; ``aiohttp.multipart`` gives our readers and Content-Disposition parse (also where ``aiohttp`` itself exports
  them, ``aiohttp.BodyPartReader``...) and aiohttp's writer, ``aiohttp.test_utils`` our ``make_mocked_request``,
  which builds a server-side request, and aiohttp's client side). The files are never edited, and aiohttp's client
  and test utilities, imported before, keep their own ``aiohttp.web``: the swap lasts for that import only.
* A module that patches a server-side name by its dotted path (``mocker.patch("aiohttp.web.run_app")``, in
  ``_PATCHED_BY_NAME``) keeps the swap while each of its tests runs, so the patch lands on ours.
* ``aiohttp_client`` and ``aiohttp_server`` (``prefork_fixtures.py``) serve our application with our
  ``app.make_handler()`` on ``loop.create_server``, wrapped in aiohttp's real ``TestClient`` (so the client side is
  aiohttp's own), and run the application's life cycle as aiohttp's ``AppRunner`` does.
  ``aiohttp_raw_server`` serves a bare handler with our ``web.Server``. A test module that makes its own servers and
  clients from ``aiohttp.test_utils`` (``TestServer``, ``RawTestServer``, ``TestClient``, ``AioHTTPTestCase``) gets
  ``web.testing``'s.
* Tests that poke aiohttp's private internals are deselected (in both modes); tests that fail against ours are
  marked ``xfail(strict=True)`` with their reason (prefork mode only). Both lists live in ``expectations.py``.

In ``mirror`` mode nothing is swapped and aiohttp's own fixtures serve aiohttp's own ``web``: every selected test
must pass, which shows the harness (selection, fixtures, configuration) loses nothing by itself. The exceptions are
the few tests that fail against aiohttp itself on some Python version other than CI's 3.11 (``MIRROR_XFAIL`` in
``expectations.py``, built for the running version): marked ``xfail(strict=True)`` there, in mirror mode only.

In the project's main test run (``python -m pytest`` from the root) this directory collects nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import types
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))  # tests/: suite_harness, shared with tests/extensions

from suite_harness import in_run, listed, select, summarize  # noqa: E402


def _in_compat_run(config: pytest.Config) -> bool:
    return in_run(config, HERE)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not _in_compat_run(config):
        return True
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--compat-mode",
        choices=("prefork", "mirror"),
        default="prefork",
        help="prefork: aiohttp's tests against our web; mirror: against aiohttp.web itself",
    )


def _mode(config: pytest.Config) -> str:
    return str(config.getoption("--compat-mode"))


def pytest_configure(config: pytest.Config) -> None:
    if _in_compat_run(config) and _mode(config) == "prefork":
        from prefork_fixtures import PreforkFixtures

        # Registered after aiohttp's pytest plugin, so its aiohttp_client/aiohttp_server take their place.
        config.pluginmanager.register(PreforkFixtures(), "prefork-compat-fixtures")


# -- the import-time swap --------------------------------------------------------------------------------------


# aiohttp.multipart holds both sides: the readers a server gets from ``await request.multipart()`` are ours, with
# the Content-Disposition parse they name a part by and the wrapper from_response returns; the writer and the
# payloads stay aiohttp's (the client side, which builds the requests these tests send). aiohttp exports most of
# these names at its top level too (``aiohttp.BodyPartReader``): those are swapped as well. The names are those
# web.as_aiohttp gives a user's application from web.multipart (its MULTIPART).

_TEST_UTILS_SERVER_SIDE = ("make_mocked_request",)


def _aliases() -> dict[str, Any]:
    """What each aiohttp server-side name a test module imports resolves to, in prefork mode."""
    import web
    import web.abc
    import web.accesslog
    import web.as_aiohttp
    import web.multipart
    import web.router
    import web.testing

    # Each module answers with our name where we have it, else with aiohttp's (a test using a name we lack then
    # fails, and is listed): web.as_aiohttp's alias, built here per module because the swap is narrower than install().
    alias = web.as_aiohttp._Alias
    real = sys.modules
    # aiohttp.web_urldispatcher: ours in web, else in web.router (MatchInfoError, SystemRoute), else aiohttp's.
    urldispatcher = alias(alias(real["aiohttp.web_urldispatcher"], web.router), web)
    # aiohttp.multipart: only the server-side readers are ours (web.as_aiohttp's MULTIPART).
    multipart = alias(real["aiohttp.multipart"], web.multipart, web.as_aiohttp.MULTIPART)
    # aiohttp.web_request's, web_ws's and web_fileresponse's server-side names (FileField, Request, WebSocketReady,
    # FileResponse...) are ours, their private ones (constants, NOSENDFILE...) aiohttp's.
    web_request = alias(real["aiohttp.web_request"], web)
    web_ws = alias(real["aiohttp.web_ws"], web)
    web_fileresponse = alias(real["aiohttp.web_fileresponse"], web)
    # aiohttp.test_utils' make_mocked_request builds a server-side Request: ours (web.testing), as the extensions
    # harness gives it; the rest of test_utils (the client side) stays aiohttp's.
    test_utils = alias(real["aiohttp.test_utils"], web.testing, _TEST_UTILS_SERVER_SIDE)
    # aiohttp.abc's server-side ABCs are ours, its client-side ones (AbstractResolver, AbstractCookieJar...)
    # aiohttp's, as web.as_aiohttp gives them.
    abc = alias(real["aiohttp.abc"], web.abc)
    return {
        "web": web,
        "abc": abc,
        "web_log": web.accesslog,
        "web_urldispatcher": urldispatcher,
        "multipart": multipart,
        "web_request": web_request,
        "web_ws": web_ws,
        "web_fileresponse": web_fileresponse,
        "test_utils": test_utils,
    }


def _top_level_aliases(aiohttp: types.ModuleType) -> dict[str, Any]:
    """The server-side names of aiohttp.multipart that ``aiohttp`` itself exports, as ours."""
    import web.as_aiohttp
    import web.multipart

    return {name: getattr(web.multipart, name) for name in web.as_aiohttp.MULTIPART if hasattr(aiohttp, name)}


# The test servers and clients of aiohttp.test_utils serve a server-side application: ours (web.testing), read by
# the lambda above when a module imports them. Its other helpers (loop_context, get_port_socket, make_mocked_coro,
# unittest_run_loop) touch no server and stay aiohttp's.
_TEST_UTILS_SERVER_SIDE += ("AioHTTPTestCase", "RawTestServer", "TestClient", "TestServer")


@contextlib.contextmanager
def _swapped() -> Iterator[None]:
    """``aiohttp.web`` (and the other aliased names) resolve to ours for the duration of the block."""
    import aiohttp
    import aiohttp.abc
    import aiohttp.multipart
    import aiohttp.pytest_plugin
    import aiohttp.test_utils
    import aiohttp.web
    import aiohttp.web_fileresponse
    import aiohttp.web_log
    import aiohttp.web_request
    import aiohttp.web_urldispatcher
    import aiohttp.web_ws  # loaded now, so the swap never sees aiohttp load them

    aliases = _aliases()
    top_level = _top_level_aliases(aiohttp)
    saved_attrs = {name: getattr(aiohttp, name) for name in [*aliases, *top_level]}
    saved_modules = {f"aiohttp.{name}": sys.modules[f"aiohttp.{name}"] for name in aliases}
    try:
        for name, target in aliases.items():
            setattr(aiohttp, name, target)
            sys.modules[f"aiohttp.{name}"] = target
        for name, target in top_level.items():
            setattr(aiohttp, name, target)
        yield
    finally:
        for name, value in saved_attrs.items():
            setattr(aiohttp, name, value)
        sys.modules.update(saved_modules)


def _runtime_view(aiohttp: types.ModuleType, aliases: dict[str, Any]) -> types.ModuleType:
    """The ``aiohttp`` a test module sees while its tests run: the aliased names (``aiohttp.web``...) are ours,
    as they were while it imported, and every other name is aiohttp's."""
    view = types.ModuleType("aiohttp")
    view.__getattr__ = lambda name: aliases[name] if name in aliases else getattr(aiohttp, name)  # type: ignore[method-assign]
    return view


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    config = collector.config
    if isinstance(collector, pytest.Module) and _in_compat_run(config) and _mode(config) == "prefork":
        with _swapped():
            report = yield
        # A test that names ``aiohttp.web.json_response`` in its body means the server side, as its
        # ``from aiohttp import web`` does: the module's global ``aiohttp`` is rebound to the view.
        import aiohttp

        if report.passed and getattr(collector.obj, "aiohttp", None) is aiohttp:
            collector.obj.aiohttp = _runtime_view(aiohttp, {**_aliases(), **_top_level_aliases(aiohttp)})
        return report
    return (yield)


# Modules whose tests patch the server side by its dotted name (``mocker.patch("aiohttp.web.run_app")``): while each
# of their tests runs, ``sys.modules`` keeps the swap the import had, so the name reaches ours.
_PATCHED_BY_NAME = frozenset({"test_web_cli.py"})


@pytest.fixture(autouse=True)
def _swapped_for_patches_by_name(request: pytest.FixtureRequest) -> Iterator[None]:
    if _mode(request.config) == "prefork" and request.node.path.name in _PATCHED_BY_NAME:
        with _swapped():
            yield
    else:
        yield


class _SwappedSubRun:
    """The plugin a pytester sub-run of prefork mode is given: its test modules import our ``web`` as
    ``aiohttp.web``, as the vendored modules do here."""

    @staticmethod
    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(collector: pytest.Collector) -> Any:
        if isinstance(collector, pytest.Module):
            with _swapped():
                return (yield)
        return (yield)


@pytest.fixture(autouse=True)
def _pytester_sub_runs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test running pytest inside itself (``testdir``: test_pytest_plugin.py writes test files for aiohttp's
    plugin and runs them with ``runpytest()``) gets the mode in its in-process sub-runs.

    Such a sub-run is a new pytest configuration in this process: it sees none of this conftest, and loads the
    entry-point plugins anew, prefork's among them (``web.pytest_plugin``), which puts ``web.pytest_aiohttp_plugin``
    after aiohttp's plugin, for ``web`` apps. In prefork mode its test modules' ``from aiohttp import web`` gives
    ours, so they run as a project that kept aiohttp's plugin and switched to ``web``; in mirror mode prefork's
    plugin is left out (``-p no:prefork``), as in the run itself, and everything is aiohttp's.
    """
    if "testdir" not in request.fixturenames and "pytester" not in request.fixturenames:
        return
    pytester = request.getfixturevalue("pytester")
    inline_run = pytester.inline_run
    prefork = _mode(request.config) == "prefork"

    def in_mode(*args: Any, plugins: Any = (), **kwargs: Any) -> Any:
        if prefork:
            return inline_run(*args, plugins=[*plugins, _SwappedSubRun()], **kwargs)
        return inline_run("-p", "no:prefork", *args, plugins=plugins, **kwargs)

    monkeypatch.setattr(pytester, "inline_run", in_mode)


_AFTER_KNOWN_FAILURE: list[str] = []


@pytest.fixture(autouse=True)
def _collect_what_known_failures_leave(request: pytest.FixtureRequest) -> Any:
    """After a test expected to fail against ours, collect what it left behind, its ResourceWarnings ignored.

    Such a test stops at its first failing assert, before it closes its sockets (or its loop); aiohttp's loop
    teardown would report them in whichever later test runs the garbage collector. Leaks of tests that pass are
    still reported.
    Set up after the test's loop (when it has one), so this runs before the loop closes."""
    if _AFTER_KNOWN_FAILURE:
        # What the last one left may have been held by its report until now.
        _AFTER_KNOWN_FAILURE.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
    if "loop" in request.fixturenames:
        request.getfixturevalue("loop")
    yield
    if request.node.get_closest_marker("xfail") is None:
        return
    _AFTER_KNOWN_FAILURE.append(request.node.nodeid)
    # pytest keeps the failure's traceback (sys.last_*, for post-mortem debugging), and with it the test's frames.
    for name in ("last_exc", "last_type", "last_value", "last_traceback"):
        if hasattr(sys, name):
            setattr(sys, name, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        if "loop" not in request.fixturenames:
            # An async test without the loop fixture runs in a loop aiohttp's plugin makes and, when the test
            # raises, never closes (its context manager has no finally).
            leaked = asyncio.get_event_loop_policy().get_event_loop()
            if not leaked.is_running() and not leaked.is_closed():
                leaked.close()
            asyncio.set_event_loop(None)
        gc.collect()


# -- selection -------------------------------------------------------------------------------------------------


def _key(item: pytest.Item) -> str:
    """``file::name[params]`` of a test, relative to the vendored suite."""
    return item.nodeid.split("aiohttp-3.14.5/tests/", 1)[-1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _in_compat_run(config):
        return
    from expectations import DESELECTED, MIRROR_XFAIL, UNREADABLE_AS_ROOT, XFAIL

    if os.geteuid() == 0:
        for item in items:
            reason = listed(_key(item), UNREADABLE_AS_ROOT)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"run as root: {reason}"))
    prefork = _mode(config) == "prefork"
    select(config, items, _key, deselected=DESELECTED, xfail=XFAIL, mirror_xfail=MIRROR_XFAIL, prefork=prefork)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _in_compat_run(config):
        summarize(terminalreporter, "compat", _mode(config), "aiohttp 3 compat")

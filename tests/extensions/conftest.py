"""The extensions harness: widely used aiohttp extension libraries' own test suites, unmodified, on our ``web``.

Each library's ``tests/`` directory is vendored as released (see ``README.md`` for versions and sources) and runs
in its own pytest process, as in its own CI:

    python -m pytest -c tests/extensions/pytest.ini tests/extensions/aiohttp-sse-3.0                   (prefork)
    python -m pytest -c tests/extensions/pytest.ini tests/extensions/aiohttp-sse-3.0 --ext-mode=mirror

``python tests/extensions/report.py`` runs every library in both modes and prints the figures.

What a user of prefork does to such a library's suite is what ``prefork`` mode does: ``aiohttp.web`` becomes our
``web``. The libraries (installed from PyPI, unmodified) and their tests are imported with these names resolving to
ours, for the whole run, as ``web.as_aiohttp.install()`` makes them for a user's application (and ``prefork`` for
the application it serves):

* ``aiohttp.web`` and every ``aiohttp.web_*`` module -> ``web``;
* ``aiohttp.abc`` -> ``web.abc``;
* ``aiohttp.multipart``'s readers (also ``aiohttp.BodyPartReader``...) -> ``web.multipart``'s.

A name ``web`` lacks falls through to aiohttp's (a library using it then meets aiohttp's class, and the test that
shows it is listed). aiohttp's client, its ``test_utils`` and ``pytest_aiohttp`` are imported before the swap and
keep their own ``aiohttp.web``: the client side of every test stays aiohttp's. ``test_utils.make_mocked_request``,
which builds a server-side request, is ours (``web.testing``). The suites' ``aiohttp_client``,
``aiohttp_server`` and ``aiohttp_raw_server`` are prefork's (``web.pytest_aiohttp``: our app on our server),
registered after pytest-aiohttp's so they take their place; so are ``test_utils.TestServer``, ``RawTestServer`` and
``TestClient`` (``web.testing``), for suites that start a server themselves.

A test that runs pytest inside itself (pytester, as pytest-aiohttp's own suite does) gets the same in its
in-process sub-runs: they see the swapped modules, and are given the plugin that registers our fixtures there
(``_pytester_sub_runs``).

In ``mirror`` mode nothing is swapped and pytest-aiohttp serves aiohttp's own ``web``: every selected test must
pass, which shows the harness (selection, plugins, configuration) loses nothing by itself.

A library whose async tests run on another plugin than pytest-asyncio in ``auto`` mode (aiohttp-deps: anyio's) gets
its own pytest-asyncio mode, in both modes (``ASYNCIO_MODE`` in ``expectations.py``).

Tests needing what cannot run here (Docker, a browser) are left out in both modes, and tests failing against ours
are strict xfails with their reason, in prefork mode only (or xfails not run, where a failure leaves behind state
that fails the tests after it): the lists are in ``expectations.py``.

In the project's main test run (``python -m pytest`` from the root) this directory collects nothing.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))  # tests/: suite_harness, shared with tests/compat

from suite_harness import in_run, select, summarize  # noqa: E402


def _in_ext_run(config: pytest.Config) -> bool:
    return in_run(config, HERE)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not _in_ext_run(config):
        return True
    from expectations import IGNORED_FILES

    return True if _relative(collection_path) in IGNORED_FILES else None


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    parser.addoption(
        "--ext-mode",
        choices=("prefork", "mirror"),
        default="prefork",
        help="prefork: the libraries' tests against our web; mirror: against aiohttp.web itself",
    )
    # The swap happens here, when this conftest is registered: pytest imports a library's tests/conftest.py (a
    # ``test*`` directory under the path given) with the initial conftests, before pytest_configure, and a
    # ``from aiohttp import web`` there must already give ours (aiohttp-apigami's conftest builds its apps).
    config = pluginmanager.get_plugin("pytestconfig")
    if config is not None and _in_ext_run(config):
        known = parser.parse_known_args([*config.invocation_params.args])
        if known.ext_mode == "prefork":
            _swap()


def _mode(config: pytest.Config) -> str:
    return str(config.getoption("--ext-mode"))


def _relative(path: Path) -> str:
    return path.resolve().relative_to(HERE).as_posix() if path.resolve().is_relative_to(HERE) else str(path)


# -- the swap --------------------------------------------------------------------------------------------------


def _swap() -> None:
    """From now on, ``import aiohttp.web`` (and the rest of ``web.as_aiohttp.MODULES``) gives ours."""
    import web.as_aiohttp

    if web.as_aiohttp.installed():
        return
    with warnings.catch_warnings():
        # aiohttp's test utilities and plugin, loaded with aiohttp's own web before it is swapped.
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in ("aiohttp.web", "aiohttp.test_utils", "aiohttp.pytest_plugin", "pytest_aiohttp.plugin"):
            importlib.import_module(name)
    # What a user's application gets from web.as_aiohttp.install() (prefork does it for the app it serves).
    web.as_aiohttp.install()
    # make_mocked_request builds a server-side Request, TestServer and RawTestServer serve the app, and TestClient
    # starts its TestServer: ours, while the rest of test_utils stays aiohttp's client side.
    import web.testing

    test_utils = sys.modules["aiohttp.test_utils"]
    for name in ("make_mocked_request", "TestServer", "RawTestServer", "TestClient"):
        setattr(test_utils, name, getattr(web.testing, name))


def pytest_configure(config: pytest.Config) -> None:
    if not _in_ext_run(config):
        return
    _library_asyncio_mode(config)
    if _mode(config) != "prefork":
        return
    _swap()
    _register_fixtures(config)


def _register_fixtures(config: pytest.Config) -> None:
    """Our ``aiohttp_*`` fixtures for this run, registered after pytest-aiohttp (an entry point, loaded before any
    ``pytest_configure``), so they take its fixtures' place. In a pytester sub-run prefork's own plugin may have
    done it already: with web.as_aiohttp installed it registers them after pytest-aiohttp too (``aiohttp_alias``)."""
    import web.pytest_aiohttp

    if not config.pluginmanager.is_registered(web.pytest_aiohttp):
        config.pluginmanager.register(web.pytest_aiohttp, "prefork-extensions-fixtures")


class _SubRunFixtures:
    """The plugin a pytester sub-run of prefork mode is given: our ``aiohttp_*`` fixtures there too."""

    @staticmethod
    def pytest_configure(config: pytest.Config) -> None:
        _register_fixtures(config)


def _library_asyncio_mode(config: pytest.Config) -> None:
    """The library's own pytest-asyncio mode (``ASYNCIO_MODE``), unless ``--asyncio-mode`` is given; runs before
    pytest-asyncio reads it, at collection."""
    from expectations import ASYNCIO_MODE

    libraries = {
        _relative(Path(config.invocation_params.dir, arg.split("::", 1)[0])).split("/", 1)[0] for arg in config.args
    }
    modes = {ASYNCIO_MODE[library] for library in libraries if library in ASYNCIO_MODE}
    if len(modes) == 1 and config.getoption("asyncio_mode") is None:
        config.option.asyncio_mode = modes.pop()


@pytest.fixture(autouse=True)
def _library_root(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its library's directory, as in the library's own CI (run from its repository's root):
    aiohttp-asgi's CLI tests start ``python -m aiohttp_asgi tests.cli_app:application`` from there."""
    relative = _relative(Path(request.node.path))
    if "/" in relative:
        monkeypatch.chdir(HERE / relative.split("/", 1)[0])


@pytest.fixture(autouse=True)
def _pytester_sub_runs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, _library_root: None) -> None:
    """A test running pytest inside itself (``pytester``, ``testdir``: pytest-aiohttp's own suite) gets prefork mode
    in its in-process sub-runs, as its library's tests get it.

    Such a sub-run (``runpytest()``, ``inline_run()``) is a new pytest configuration in this process: it sees the
    swapped ``sys.modules`` (its test files' ``from aiohttp import web`` gives ours), but none of this conftest, and
    loads the entry-point plugins anew, pytest-aiohttp's among them, whose fixtures would serve our apps on
    aiohttp's test server. ``inline_run`` is given the plugin that registers ours after it, as ``pytest_configure``
    does here. A sub-run in a subprocess (``runpytest_subprocess()``) is another interpreter, without the swap: it
    runs aiohttp's ``web`` and pytest-aiohttp's fixtures, and is left so.
    """
    if _mode(request.config) != "prefork" or "pytester" not in request.fixturenames:
        return
    # After _library_root's chdir: pytester's own goes to its directory, where the sub-runs collect.
    pytester = request.getfixturevalue("pytester")
    inline_run = pytester.inline_run

    def with_ours(*args: Any, plugins: Any = (), **kwargs: Any) -> Any:
        return inline_run(*args, plugins=[*plugins, _SubRunFixtures()], **kwargs)

    monkeypatch.setattr(pytester, "inline_run", with_ours)


@pytest_asyncio.fixture
async def _test_loop() -> None:
    """Nothing but the test's loop: pytest-asyncio sets it up, and current, before an async fixture (set up first
    for the tests of a library in ``LOOP_BEFORE_FIXTURES``, see ``pytest_collection_modifyitems``)."""


@pytest.fixture
def event_loop(_test_loop: None) -> asyncio.AbstractEventLoop:
    """pytest-asyncio 0.x's ``event_loop`` (removed in 1.0), for suites written for it (aiohttp-graphql's): the
    test's loop."""
    return asyncio.get_event_loop()


@pytest.fixture
async def test_client(aiohttp_client: Any) -> Any:
    """aiohttp's own pytest plugin's ``test_client`` (``aiohttp.pytest_plugin``, which pytest-aiohttp 0.x loaded),
    for suites written for that plugin (aiohttp-csrf2's): ``aiohttp_client`` (the mode's: prefork's or
    pytest-aiohttp's), whose first argument may also be an app factory, called as ``factory(loop, *args,
    **kwargs)``. That plugin cannot be loaded beside pytest-aiohttp 1.x and pytest-asyncio (its ``loop`` fixture and
    its way of running coroutine tests clash with theirs), so the fixture is given here, without the
    DeprecationWarning aiohttp's emits (the suite's own configuration does not make warnings errors)."""
    loop = asyncio.get_running_loop()

    async def go(param: Any, *args: Any, **kwargs: Any) -> Any:
        if inspect.isroutine(param):
            return await aiohttp_client(param(loop, *args, **kwargs))
        return await aiohttp_client(param, *args, **kwargs)

    return go


# -- selection -------------------------------------------------------------------------------------------------


def _key(item: pytest.Item) -> str:
    """``lib/tests/file::name[params]`` of a test, relative to this directory."""
    path, _, rest = item.nodeid.partition("::")
    return f"{_relative(Path(item.config.rootpath, path))}::{rest}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _in_ext_run(config):
        return
    from expectations import DESELECTED, FILTERWARNINGS, LOOP_BEFORE_FIXTURES, NOT_RUN, XFAIL

    for item in items:
        library = _key(item).split("/", 1)[0]
        # The library's own warning filters (its setup.cfg or pyproject.toml), on top of pytest.ini's.
        for spec in FILTERWARNINGS.get(library, ()):
            item.add_marker(pytest.mark.filterwarnings(spec))
        if library in LOOP_BEFORE_FIXTURES and isinstance(item, pytest.Function):
            # The test's event loop current before the library's own fixtures: pytest-asyncio 1.x sets it when the
            # first async fixture (or the test) needs it, and a sync fixture set up before that finds no current
            # loop (aiohttp-graphql's executor builds graphql-core's AsyncioExecutor, which keeps
            # asyncio.get_event_loop() and runs the schema's coroutines on it). Fixtures are set up in this order.
            item.fixturenames.insert(0, "_test_loop")
    select(config, items, _key, deselected=DESELECTED, xfail=XFAIL, not_run=NOT_RUN, prefork=_mode(config) == "prefork")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _in_ext_run(config):
        summarize(terminalreporter, "extensions", _mode(config), "extensions")

"""prefork's pytest plugin, the ``pytest11`` entry point ``prefork``: fixtures, and nothing that runs tests.

An installed prefork gives every project ``make_server``, ``make_client`` and ``unused_port`` (see
:mod:`web.pytest_fixtures`), and pytest-aiohttp's ``aiohttp_client``, ``aiohttp_server``, ``aiohttp_raw_server``,
``aiohttp_unused_port`` and ``aiohttp_client_cls`` for ``web`` apps (see :mod:`web.pytest_aiohttp`) unless
pytest-aiohttp is loaded and owns those names.

Async tests are pytest-asyncio's (or anyio's) to run: this plugin claims no test, wraps no fixture and sets no
event loop, so a project's tests run the same with it as with ``-p no:prefork``. To run them on uvloop, give
pytest-asyncio the loop factory in the project's conftest.py::

    import uvloop

    def pytest_asyncio_loop_factories(config, item):
        return {"uvloop": uvloop.new_event_loop}

A project whose libraries import ``aiohttp.web`` themselves (aiohttp-session, aiohttp-cors...) sets
``aiohttp_alias = true`` in its pytest configuration (or runs ``pytest --aiohttp-alias``; ``--no-aiohttp-alias``
overrides the ini): the plugin then calls :func:`web.as_aiohttp.install` before the project's conftest.py files are
imported, as ``prefork`` does for the application it serves, so that the application, its libraries and its tests
share one ``web``. It is off by default: it changes ``aiohttp.web`` for the whole test process, which a project
testing aiohttp's own server too would not want.
"""

from __future__ import annotations

import pytest

from . import as_aiohttp, pytest_aiohttp, pytest_aiohttp_plugin
from ._testserver import TestServer as TestServer
from .pytest_fixtures import make_client as make_client
from .pytest_fixtures import make_server as make_server
from .pytest_fixtures import unused_port as unused_port

__all__ = ["TestServer", "make_client", "make_server", "unused_port"]

# The names pytest-aiohttp is registered under: its entry point, and its modules when a conftest lists them.
_PYTEST_AIOHTTP = ("aiohttp", "pytest_aiohttp", "pytest_aiohttp.plugin")


def pytest_addoption(parser: pytest.Parser) -> None:
    help = (
        "answer imports of aiohttp.web (by the project's libraries: aiohttp-session, aiohttp-cors...) with web, "
        "as prefork does for the app it serves (web.as_aiohttp)"
    )
    parser.addini("aiohttp_alias", help, type="bool", default=False)
    group = parser.getgroup("prefork")
    group.addoption("--aiohttp-alias", action="store_true", default=None, help=help + " (the aiohttp_alias ini option)")
    group.addoption(
        "--no-aiohttp-alias",
        action="store_false",
        dest="aiohttp_alias",
        default=None,
        help="leave aiohttp.web to aiohttp",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """With ``aiohttp_alias``, swap ``aiohttp.web`` for ``web`` before any conftest.py or test module imports it."""
    option = early_config.known_args_namespace.aiohttp_alias
    if not (early_config.getini("aiohttp_alias") if option is None else option):
        return
    try:
        as_aiohttp.install()
    except ImportError as exc:
        raise pytest.UsageError(f"aiohttp_alias: needs aiohttp installed ({exc})") from None


def pytest_plugin_registered(plugin: object, manager: pytest.PytestPluginManager) -> None:
    """Right after aiohttp's own plugin (``pytest_plugins = "aiohttp.pytest_plugin"``), register its server
    fixtures for ``web`` apps (:mod:`web.pytest_aiohttp_plugin`), which take the place of its own."""
    if getattr(plugin, "__name__", None) == "aiohttp.pytest_plugin" and not manager.is_registered(
        pytest_aiohttp_plugin
    ):
        manager.register(pytest_aiohttp_plugin, pytest_aiohttp_plugin.__name__)


def pytest_configure(config: pytest.Config) -> None:
    """Add the ``aiohttp_*`` fixtures, unless pytest-aiohttp (or a conftest) registered them already and
    ``aiohttp_alias`` is off."""
    manager = config.pluginmanager
    if manager.is_registered(pytest_aiohttp):
        return
    # With aiohttp_alias on, aiohttp.web is web, so the fixtures serve web apps even where pytest-aiohttp is loaded
    # (whose own took aiohttp's Application before the alias could answer, and refuse web's).
    if not as_aiohttp.installed() and any(manager.has_plugin(name) for name in _PYTEST_AIOHTTP):
        return
    manager.register(pytest_aiohttp, pytest_aiohttp.__name__)

"""``aiohttp.web`` answered by ``web``, for the libraries an application is built with.

An application moves to prefork by changing ``from aiohttp import web`` to ``import web``; the libraries it uses
(aiohttp-session, aiohttp-security, aiohttp-cors, aiohttp-jinja2...) still import ``aiohttp.web`` themselves. Their
middlewares then check a response against aiohttp's ``StreamResponse`` (``isinstance`` is false for ours: "Expect
response, not <class 'web.response.Response'>") and raise aiohttp's ``HTTPForbidden``, which our server cannot tell
from any other exception (a 500). :func:`install` makes ``aiohttp.web`` and its server-side modules
(``aiohttp.web_*``, ``aiohttp.abc``, and ``aiohttp.multipart``'s readers) answer with ours, so that the
application and its libraries share one ``web``; a name ``web`` does not have is aiohttp's own. aiohttp's client
is untouched.

It must run before the libraries are imported (a module that did ``from aiohttp import web`` keeps what it got).
The ``prefork`` command does it for the application it serves (:func:`install_on_import`, before importing it; the
``aiohttp_alias`` setting turns it off); an application started otherwise (``web.run_app``) calls it first::

    import web.as_aiohttp

    web.as_aiohttp.install()

    import aiohttp_session  # now built on web

With it, an application that still says ``from aiohttp import web`` is served by ``web`` too.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
import warnings
from typing import Any

__all__ = ["MODULES", "TEST_UTILS", "install", "install_on_import", "installed"]

#: The aiohttp modules answered by ours: every server-side module of aiohttp 3 is ``web``; ``aiohttp.abc`` (whose
#: client-side classes, such as ``AbstractCookieJar``, web.abc does not have and so stay aiohttp's) is ``web.abc``.
MODULES = {
    "aiohttp.web": "web",
    "aiohttp.web_app": "web",
    "aiohttp.web_exceptions": "web",
    "aiohttp.web_fileresponse": "web",
    "aiohttp.web_log": "web",
    "aiohttp.web_middlewares": "web",
    "aiohttp.web_protocol": "web",
    "aiohttp.web_request": "web",
    "aiohttp.web_response": "web",
    "aiohttp.web_routedef": "web",
    "aiohttp.web_runner": "web",
    "aiohttp.web_server": "web",
    "aiohttp.web_urldispatcher": "web",
    "aiohttp.web_ws": "web",
    "aiohttp.abc": "web.abc",
    "aiohttp.multipart": "web.multipart",
}

#: Of ``aiohttp.multipart`` (the client's writer and the server's readers in one module), only the readers' names are
#: ours, also where the ``aiohttp`` package exports them (``aiohttp.BodyPartReader``): a view that checks a part
#: with ``isinstance(part, aiohttp.multipart.BodyPartReader)`` (strawberry's, graphql-server's) gets ours.
MULTIPART = (
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BodyPartReader",
    "MultipartReader",
    "MultipartResponseWrapper",
    "content_disposition_filename",
    "parse_content_disposition",
)


#: Of ``aiohttp.test_utils``, the names that serve or build a server-side application are ours (``web.testing``),
#: so that aiohttp's testing docs' ``AioHTTPTestCase``, ``TestServer(app)`` and ``make_mocked_request`` work on an
#: application of ``web``; its other helpers (``loop_context``, ``make_mocked_coro``...) stay aiohttp's.
TEST_UTILS = ("AioHTTPTestCase", "RawTestServer", "TestClient", "TestServer", "make_mocked_request")


# The modules whose first import installs the aliases (the server side's, which aiohttp's client never imports).
_TRIGGERS = frozenset(name for name in MODULES if name == "aiohttp.web" or name.startswith("aiohttp.web_"))


class _Alias(types.ModuleType):
    """An ``aiohttp`` module answering with our name where we have it, else with aiohttp's."""

    def __init__(self, real: types.ModuleType, ours: types.ModuleType, only: tuple[str, ...] | None = None) -> None:
        super().__init__(real.__name__, ours.__doc__)
        self.__dict__["_real"] = real
        self.__dict__["_ours"] = ours
        self.__dict__["_only"] = only  # the names taken from ours (None: every name ours has)
        self.__dict__["__all__"] = sorted(set(getattr(ours, "__all__", ())) | set(getattr(real, "__all__", ())))

    def __getattr__(self, name: str) -> Any:
        if self._only is None or name in self._only:
            try:
                return getattr(self._ours, name)
            except AttributeError:
                pass
        return getattr(self._real, name)


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return isinstance(sys.modules.get("aiohttp.web"), _Alias)


def install() -> None:
    """From now on, importing ``aiohttp.web`` (or another module of :data:`MODULES`) gives ours; idempotent.

    aiohttp's own modules are imported first, as they are, so that aiohttp's internals and client keep their own
    classes; then the names are swapped in ``sys.modules`` and on the ``aiohttp`` package."""
    if installed():
        return
    _remove_hook()
    import aiohttp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        real = {name: importlib.import_module(name) for name in MODULES}
    for name, target in MODULES.items():
        module = _Alias(real[name], importlib.import_module(target), MULTIPART if name == "aiohttp.multipart" else None)
        sys.modules[name] = module
        setattr(aiohttp, name.rpartition(".")[2], module)
    ours = sys.modules["web.multipart"]
    for name in MULTIPART:
        if hasattr(aiohttp, name):
            setattr(aiohttp, name, getattr(ours, name))
    # aiohttp.test_utils is not imported here (a served application never needs it): aliased now if something
    # imported it already (pytest-aiohttp does), else when it is first imported.
    if "aiohttp.test_utils" in sys.modules:
        _alias_test_utils(sys.modules["aiohttp.test_utils"])
    else:
        sys.meta_path.insert(0, _TestUtilsHook())


def _alias_test_utils(real: types.ModuleType) -> types.ModuleType:
    import aiohttp

    module = _Alias(real, importlib.import_module("web.testing"), TEST_UTILS)
    sys.modules["aiohttp.test_utils"] = module
    aiohttp.test_utils = module  # type: ignore[attr-defined]
    return module


class _TestUtilsHook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers the first import of ``aiohttp.test_utils`` after :func:`install` with its alias: aiohttp's module is
    loaded as it is, then wrapped."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "aiohttp.test_utils":
            return None
        sys.meta_path[:] = [finder for finder in sys.meta_path if finder is not self]
        _alias_test_utils(importlib.import_module(fullname))
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _Hook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Runs :func:`install` when ``aiohttp.web`` or an ``aiohttp.web_*`` module is first imported, and answers
    that import with the alias. (``aiohttp.abc`` and ``aiohttp.multipart`` do not trigger it: aiohttp's own
    ``__init__`` imports them.)"""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _TRIGGERS:
            return None
        install()
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install_on_import() -> None:
    """:func:`install` as soon as something imports ``aiohttp.web`` (or an ``aiohttp.web_*`` module), and not
    before: a process whose application never imports them does not load aiohttp's server side. At once when
    one of them is imported already."""
    if installed() or any(isinstance(finder, _Hook) for finder in sys.meta_path):
        return
    if any(name in sys.modules for name in _TRIGGERS):
        install()
        return
    sys.meta_path.insert(0, _Hook())


def _remove_hook() -> None:
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _Hook)]

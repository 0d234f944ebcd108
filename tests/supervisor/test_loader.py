"""Finding the app: module:name, factories sync and async, and one-line import errors."""

from __future__ import annotations

import sys

import pytest

from supervisor.errors import AppLoadError
from supervisor.loader import build_app, import_target


@pytest.fixture(autouse=True)
def apps_on_path(monkeypatch):
    from masters import APPS

    monkeypatch.syspath_prepend(APPS)
    yield
    for name in ("demo", "broken"):
        sys.modules.pop(name, None)


async def test_application_factory_and_async_factory():
    app = await build_app(import_target("demo:app"))
    assert callable(app.make_handler)
    made = await build_app(import_target("demo:create_app"))
    assert made is not app and callable(made.make_handler)
    assert callable((await build_app(import_target("demo:create_app_async"))).make_handler)


async def test_factory_returning_something_else():
    with pytest.raises(AppLoadError, match="the app factory returned int, not an Application"):
        await build_app(lambda: 42)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_x:app", "cannot import 'no_such_module_x': no module named 'no_such_module_x'"),
        ("broken:app", "cannot import 'broken': ModuleNotFoundError: No module named 'this_module_does_not_exist'"),
        ("demo:nope", "'demo' has no attribute 'nope'"),
        ("demo:_hog", "demo:_hog is list, not an Application or a callable returning one"),
        ("demo", "APP must be module:name"),
    ],
)
def test_import_errors_are_one_line(spec, message):
    with pytest.raises(AppLoadError) as info:
        import_target(spec)
    assert message in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("source", "spec", "message"),
    [
        ("x = (\n", "m:app", "cannot import 'm': SyntaxError: '(' was never closed ({file}:1)"),
        ("import json\n\njson.loads('{')\n", "m:app", "({file}:3)"),
        ("def helper(request):\n    pass\n", "m:app", "; {file} defines no Application nor a function"),
        ("def create_app():\n    pass\n\ndef build():\n    pass\n", "m:creat_app", "did you mean m:create_app?"),
    ],
    ids=["syntax-error", "own-frame-not-the-library", "nothing-to-suggest", "closest-name-first"],
)
def test_errors_point_at_the_apps_own_file(tmp_path, monkeypatch, source, spec, message):
    (tmp_path / "m.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "m", raising=False)
    with pytest.raises(AppLoadError) as info:
        import_target(spec)
    assert message.format(file=tmp_path / "m.py") in str(info.value) and "\n" not in str(info.value)
    sys.modules.pop("m", None)


async def test_a_factory_returning_something_else_is_named_with_its_place():
    def make():
        return 5

    with pytest.raises(AppLoadError) as info:
        await build_app(make)
    code = make.__code__
    assert "(test_a_factory_returning_something_else_is_named_with_its_place.<locals>.make at " in str(info.value)
    assert f"{code.co_filename}:{code.co_firstlineno})" in str(info.value)


def _members(protocol):
    return {name for name in vars(protocol) if not name.startswith("_")} | set(getattr(protocol, "__annotations__", {}))


def test_web_application_and_its_handler_factory_are_what_the_worker_types():
    from supervisor import app_protocol
    from web import Application

    app = Application()
    assert isinstance(app, app_protocol.MakesHandler)
    for name in _members(app_protocol.Application) | _members(app_protocol.MakesHandler):
        assert callable(getattr(app, name)), name
    handler = app.make_handler()
    for name in _members(app_protocol.HandlerFactory) | {"__call__"}:
        assert hasattr(handler, name), name
    assert handler.requests_count == 0 and len(handler.connections) == 0 and handler.preempt is None

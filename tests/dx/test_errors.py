"""Errors a user understands (issue 9): each names the file, the route or the APP, and the fix: a handler that
returns a non-Response, a handler that cannot be awaited (a generator), a duplicate route name, a wrong APP spec.

A handler whose signature cannot take the request is not refused when added, as aiohttp does not: a library may
replace the route's handler before the application serves (aiohttp-deps, in ``on_startup``); tests/web/test_router.py
checks it is added and fails only when called."""

import inspect
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

import web

ROOT = Path(__file__).resolve().parents[2]
HERE = __file__


def where(func: object) -> str:
    """``file:line`` of a function's definition, as the messages should give it."""
    code = func.__code__  # type: ignore[attr-defined]
    return f"{code.co_filename}:{code.co_firstlineno}"


async def served_error(make_client, caplog, handler: object) -> str:
    """Serve ``handler`` at GET /, request it, and return the message of the error the server logged."""
    app = web.Application()
    app.router.add_route("GET", "/", handler)
    client = await make_client(app)
    with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
        resp = await client.get("/")
        assert resp.status == 500
        # aiohttp's page; the details go to the log, never to the client (unless the server runs with debug=True)
        assert await resp.text() == "500 Internal Server Error\n\nServer got itself in trouble"
    errors = [r for r in caplog.records if r.exc_info]
    assert errors, caplog.text
    return str(errors[-1].exc_info[1])


# -- a handler that returns something else than a response ---------------------------------------------------------


async def returns_a_dict(request: web.Request) -> dict:
    return {"oops": "forgot json_response"}


def returns_none_sync(request: web.Request) -> None:
    pass


async def test_a_handler_returning_a_non_response_is_named_with_its_place_and_the_fix(make_client, caplog) -> None:
    message = await served_error(make_client, caplog, returns_a_dict)
    assert "returns_a_dict" in message
    assert where(returns_a_dict) in message
    assert "returned dict, not a web.StreamResponse" in message
    assert "web.json_response(" in message  # the fix


async def test_a_plain_function_handler_is_named_at_its_own_place(make_client, caplog) -> None:
    message = await served_error(make_client, caplog, returns_none_sync)
    assert where(returns_none_sync) in message
    assert "returned NoneType" in message


# -- routes that cannot work -----------------------------------------------------------------------------------------


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


async def other(request: web.Request) -> web.Response:
    return web.Response(text="other")


def test_a_duplicate_route_name_names_the_name_and_both_routes() -> None:
    app = web.Application()
    app.router.add_route("GET", "/a", hello, name="home")
    with pytest.raises(ValueError) as info:
        app.router.add_route("GET", "/b", other, name="home")
    message = str(info.value)
    assert message.startswith("Duplicate 'home', already handled by")  # aiohttp's words first
    assert "/a" in message


def test_a_duplicate_route_name_says_where_and_how_to_fix() -> None:
    app = web.Application()
    app.router.add_route("GET", "/a", hello, name="home")
    with pytest.raises(ValueError) as info:
        app.router.add_route("GET", "/b", other, name="home")
    message = str(info.value)
    assert where(hello) in message
    assert "/b" in message
    assert "another name" in message


def test_a_path_without_a_slash_is_refused() -> None:
    with pytest.raises(ValueError, match="path should start with '/' or be empty: 'items'"):
        web.Application().router.add_route("GET", "items", hello)


def test_a_handler_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="handler must be callable, got 'hello'"):
        web.Application().router.add_route("GET", "/", "hello")


async def an_async_generator(request: web.Request):
    yield web.Response(text="never")


def a_generator(request: web.Request):
    yield web.Response(text="never")


def test_a_handler_that_cannot_be_awaited_with_a_request_is_refused_when_added() -> None:
    with pytest.raises(TypeError) as info:
        web.Application().router.add_route("GET", "/x", an_async_generator)
    message = str(info.value)
    assert an_async_generator.__name__ in message
    assert where(an_async_generator) in message
    assert "/x" in message


def test_a_bare_generator_handler_warns_as_aiohttp_does() -> None:
    # aiohttp 3 takes a bare generator function (a generator-based coroutine) with a DeprecationWarning.
    with pytest.warns(DeprecationWarning, match="Bare generators are deprecated"):
        web.Application().router.add_route("GET", "/x", a_generator)


def test_a_handler_that_is_not_callable_names_the_route_too() -> None:
    with pytest.raises(TypeError) as info:
        web.Application().router.add_route("GET", "/x", "hello")
    assert "GET /x" in str(info.value)


# -- run_app given the factory instead of the application -----------------------------------------------------------


def test_run_app_given_the_factory_says_to_call_it() -> None:
    from web.runner import run_app

    def create_app() -> web.Application:
        return web.Application()

    with pytest.raises(TypeError, match=r"pass web.Application\(\) or create_app\(\), not create_app"):
        run_app(create_app, print=None, handle_signals=False)


# -- a wrong APP spec given to the prefork command ------------------------------------------------------------------

MYAPP = """
import web

value = 3

async def hello(request):
    return web.Response(text="hi")

app = web.Application()
app.router.add_route("GET", "/", hello)

def make():
    return 5
"""

BADIMPORT = """
import json

settings = json.loads("{")
"""


def prefork(tmp_path: Path, spec: str) -> tuple[int, str]:
    (tmp_path / "myapp.py").write_text(MYAPP)
    (tmp_path / "badimport.py").write_text(BADIMPORT)
    proc = subprocess.run(
        [sys.executable, "-m", "supervisor", "--bind", "127.0.0.1:0", "--workers", "1", spec],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.returncode, proc.stderr


@pytest.mark.parametrize(
    ("spec", "code", "says"),
    [
        ("myapp", 2, "APP: expected module:name, got 'myapp'"),
        ("nosuch:app", 4, "cannot import 'nosuch': no module named 'nosuch'"),
        ("myapp:nothere", 4, "'myapp' has no attribute 'nothere'"),
        ("myapp:value", 4, "myapp:value is int, not an Application or a callable returning one"),
        ("myapp:make", 4, "the app factory returned int, not an Application"),
        ("badimport:app", 4, "cannot import 'badimport': JSONDecodeError"),
    ],
)
def test_a_wrong_app_spec_stops_the_command_with_one_clear_line(tmp_path: Path, spec: str, code: int, says: str):
    rc, err = prefork(tmp_path, spec)
    assert rc == code, err
    assert says in err


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("myapp:nothere", "did you mean myapp:app?"),
        ("myapp:make", "myapp.py:12"),
        ("badimport:app", "badimport.py:4)"),
    ],
)
def test_a_wrong_app_spec_names_the_file_and_the_fix(tmp_path: Path, spec: str, says: str) -> None:
    code, err = prefork(tmp_path, spec)
    assert code == 4, err
    assert says in err
    assert "json/decoder.py" not in err  # the library frame that raised is not where to look
    assert "ready" not in err  # no worker ever served


def test_the_source_of_this_file_is_where_the_messages_point() -> None:
    # guards the helper above: co_firstlineno of a plain def is its own line
    assert where(hello).endswith(f":{inspect.getsourcelines(hello)[1]}")

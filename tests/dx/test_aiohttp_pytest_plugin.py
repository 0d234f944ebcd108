"""A project that keeps aiohttp's own pytest plugin (``pytest_plugins = "aiohttp.pytest_plugin"``) and switches to
``import web``: its ``aiohttp_client``/``aiohttp_server``/``aiohttp_raw_server`` serve web apps
(``web.pytest_aiohttp_plugin``, registered by prefork's plugin right after aiohttp's), with that plugin's contract.

The project runs in a pytest subprocess, with prefork's plugin from its entry point (or ``-p web.pytest_plugin``
when prefork is not installed) and aiohttp's from the project's conftest.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALLED = any(ep.value == "web.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11"))

TESTS = """
import pytest
import web

KEY = web.AppKey("key", str)


async def hello(request):
    return web.Response(text="Hello, world")


def create_app(loop):
    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def test_a_factory_is_called_with_the_loop(aiohttp_client, loop):
    client = await aiohttp_client(create_app)
    resp = await client.get("/")
    assert resp.status == 200
    assert await resp.text() == "Hello, world"


async def test_an_app_and_its_server_kwargs(aiohttp_client, aiohttp_unused_port):
    port = aiohttp_unused_port()
    app = create_app(None)
    client = await aiohttp_client(app, server_kwargs={"port": port})
    assert client.port == port
    assert client.server.app is app
    assert (await client.get("/")).status == 200


async def test_positional_args_are_refused_for_an_app(aiohttp_client):
    with pytest.raises(AssertionError):
        await aiohttp_client(web.Application(), 1)


async def test_a_server_and_a_raw_server(aiohttp_client, aiohttp_server, aiohttp_raw_server):
    server = await aiohttp_server(create_app(None))
    assert (await (await aiohttp_client(server)).get("/")).status == 200
    raw = await aiohttp_raw_server(hello)
    assert await (await (await aiohttp_client(raw)).get("/any/path")).text() == "Hello, world"


async def test_an_aiohttp_app_is_served_by_aiohttp(aiohttp_client):
    from aiohttp import web as aiohttp_web

    async def handler(request):
        return aiohttp_web.Response(text="aiohttp")

    app = aiohttp_web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    assert await (await client.get("/")).text() == "aiohttp"
"""


def test_aiohttp_plugins_fixtures_serve_web_apps(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = "aiohttp.pytest_plugin"\n')
    (tmp_path / "test_project.py").write_text(TESTS)
    plugin = [] if INSTALLED else ["-p", "web.pytest_plugin"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *plugin,
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-q",
            "-W",
            "ignore::DeprecationWarning",
            "--aiohttp-loop=pyloop",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "5 passed" in proc.stdout

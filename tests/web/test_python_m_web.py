"""``python -m web module:function`` (web/cli.py), aiohttp's ``python -m aiohttp.web``: a real process serving
the application the entry function returns, and the parser's refusals."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import aiohttp
import pytest

import web

ROOT = Path(__file__).resolve().parents[2]

APP = """
from web import Application, Response

def make(argv):
    async def handler(request):
        return Response(text=" ".join(argv))

    app = Application()
    app.router.add_get("/", handler)
    return app
"""


def _start(tmp_path: Path, module: str, source: str, *args: str) -> tuple[subprocess.Popen[str], Path]:
    """``python -m web -U <socket> *args`` with ``module`` (its ``source``) importable; returns once it listens."""
    (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
    sock = tmp_path / "s.sock"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    cmd = [sys.executable, "-m", "web", "-U", str(sock), *args]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"python -m web did not listen: {proc.communicate()}")
        time.sleep(0.05)
    return proc, sock


def _stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Ctrl-C, as a developer stops it; returns its output and error output."""
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=10)


def test_python_m_web_serves_the_application_of_the_entry_function(tmp_path):
    proc, sock = _start(tmp_path, "cliapp", APP, "--its-own", "cliapp:make", "two")
    try:
        # The arguments the parser does not know go to the entry function.
        assert asyncio.run(_get(sock)) == (200, "--its-own two")
    finally:
        out, err = _stop(proc)
    assert proc.returncode == 0, err
    assert err.endswith("Stopped\n") and f"unix:{sock}" in out


async def _get(sock: Path, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession(connector=aiohttp.UnixConnector(path=str(sock))) as s,
        s.get("http://localhost/", headers=headers) as r,
    ):
        return r.status, await r.text()


# An application left on aiohttp's import, with a library's middleware raising aiohttp.web's HTTPForbidden.
AIOHTTP_APP = """
from aiohttp import web

@web.middleware
async def guard(request, handler):
    if request.headers.get("X-Token") != "secret":
        raise web.HTTPForbidden(text="no token")
    return await handler(request)

def make(argv):
    async def handler(request):
        return web.Response(text=type(request).__module__)

    app = web.Application(middlewares=[guard])
    app.router.add_get("/", handler)
    return app
"""


def test_python_m_web_serves_an_application_written_for_aiohttp_web(tmp_path):
    # As prefork does (the aiohttp_alias setting): aiohttp.web is web for the application, so it is served by web.
    proc, sock = _start(tmp_path, "aioapp", AIOHTTP_APP, "aioapp:make")
    try:
        assert asyncio.run(_get(sock)) == (403, "no token")
        assert asyncio.run(_get(sock, {"X-Token": "secret"})) == (200, "web.request")
    finally:
        _, err = _stop(proc)
    assert proc.returncode == 0, err


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["nomodule"], "'entry-func' not in 'module:function' syntax"),
        ([":func"], "'entry-func' not in 'module:function' syntax"),
        ([".rel:func"], "relative module names not supported"),
        (["no_such_module_here:func"], "unable to import no_such_module_here: No module named 'no_such_module_here'"),
        (["web:no_such_function"], "module 'web' has no attribute 'no_such_function'"),
    ],
)
def test_main_refuses_an_entry_function_it_cannot_reach(argv, error, capsys):
    with pytest.raises(SystemExit) as exited:
        web.main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err.endswith(f"web: error: {error}\n")


def test_main_passes_host_port_and_path_to_run_app(monkeypatch):
    calls = []
    monkeypatch.setattr(web, "import_module", lambda name: type("M", (), {"f": staticmethod(lambda argv: argv)}))
    monkeypatch.setattr(web, "run_app", lambda app, **kw: calls.append((app, kw)))
    for argv in (["m:f"], ["-H", "h", "-P", "1", "m:f", "x"], ["-U", "p.sock", "m:f"], ["-U", "p", "-H", "h", "m:f"]):
        with pytest.raises(SystemExit):
            web.main(argv)
    assert calls == [
        ([], {"host": "localhost", "port": 8080, "path": None}),
        (["x"], {"host": "h", "port": 1, "path": None}),
        ([], {"host": None, "port": None, "path": "p.sock"}),
        ([], {"host": "h", "port": 8080, "path": "p"}),
    ]

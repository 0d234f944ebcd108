"""The compiled build's modules hold no coroutine that a cancellation can reach (server/waits.py has why: mypyc
passes a thrown exception on with throw()'s three-argument form, which Python 3.12 deprecates): the request's task
runs server/answer.py's, which is interpreted in both builds."""

from __future__ import annotations

import ast
import asyncio
import tomllib
from pathlib import Path

import pytest
import uvloop

import server
from server.detached import RecordingTransport
from web import Application

ROOT = Path(__file__).resolve().parents[2]
# Where the modules run from (an installed wheel ships each compiled module's .py beside its extension).
PACKAGES = Path(server.__file__).resolve().parents[1]


def _compiled_modules() -> list[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    hook = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    return [PACKAGES / name.lstrip("/") for name in hook["include"]]


def test_the_compiled_modules_define_no_coroutine():
    found = []
    for path in _compiled_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.AsyncFunctionDef):
                found.append(f"{path.name}:{node.name}")
    assert found == []
    assert "/server/answer.py" not in [f"/{path.relative_to(PACKAGES)}" for path in _compiled_modules()]


@pytest.mark.parametrize("loop_factory", [asyncio.new_event_loop, uvloop.new_event_loop], ids=["asyncio", "uvloop"])
@pytest.mark.parametrize("paused", [False, True])
def test_drain_is_awaitable_again_and_again_and_raises_once_the_connection_is_lost(loop_factory, paused):
    async def main() -> None:
        protocol = Application().make_handler()()
        protocol.connection_made(RecordingTransport({"peername": ("127.0.0.1", 1)}))
        if paused:
            protocol.pause_writing()
            waits = [asyncio.ensure_future(protocol.drain()) for _ in range(3)]
            await asyncio.sleep(0)
            assert not any(w.done() for w in waits)
            protocol.resume_writing()
            await asyncio.gather(*waits)
        else:
            for _ in range(3):
                assert await protocol.drain() is None
        protocol.connection_lost(None)
        with pytest.raises(ConnectionResetError):
            await protocol.drain()

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(asyncio.wait_for(main(), 10))

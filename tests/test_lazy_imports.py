"""What ``import web`` leaves out: the websocket, multipart and form modules load on first use (issue 16).

A worker that serves plain HTTP should not hold websockets, python_multipart or the frame codec. Each check runs
in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import web

ROOT = Path(__file__).resolve().parents[1]

# Modules a worker serving plain HTTP needs none of.
ON_FIRST_USE = (
    "websockets",
    "python_multipart",
    "web.multipart",
    "web.multipart_parser",
    "web.part_reader",
    "web.content_disposition",
    "web.forms",
    "web.websocket",
    "server.websocket",
    "server.websocket_frames",
    "server.websocket_deflate",
    "web.jsonbody",
    "orjson",
)


def fresh_modules(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
        env=env,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_web_leaves_websocket_and_multipart_modules_out():
    loaded = fresh_modules("import web; web.Application(); web.Response(text='hi')")
    assert sorted(loaded & set(ON_FIRST_USE)) == []


def test_the_websocket_codec_imports_websockets_at_the_first_masked_frame():
    loaded = fresh_modules("import server.websocket")
    assert "server.websocket_frames" in loaded
    assert "websockets" not in loaded
    pytest.importorskip("websockets.speedups")
    loaded = fresh_modules(
        "from server.websocket_frames import apply_mask\nassert apply_mask(b'abcd', b'\\x01\\x01\\x01\\x01') == b'`cbe'"
    )
    assert "websockets.speedups" in loaded


def test_request_json_imports_orjson_at_its_first_parse():
    loaded = fresh_modules(
        "import asyncio\nfrom web.mocked import make_mocked_request\n"
        "async def main():\n"
        "    assert await make_mocked_request('POST', '/', payload=b'[1]').json() == [1]\n"
        "asyncio.run(main())"
    )
    assert {"web.jsonbody", "orjson"} <= loaded


@pytest.mark.parametrize(
    ("name", "module"), [("WebSocketResponse", "websocket"), ("MultipartReader", "multipart"), ("FileField", "forms")]
)
def test_a_name_read_imports_its_module(name, module):
    loaded = fresh_modules(f"import web\nweb.{name}")
    assert f"web.{module}" in loaded


def test_lazy_names_are_the_modules_objects():
    import web.forms
    import web.multipart
    import web.websocket

    for name, module in web._LAZY.items():
        assert getattr(web, name) is getattr(getattr(web, module), name)
        # python -m web's entry point and the two names it reads from web at each call, as aiohttp.web's main reads
        # its module's globals: attributes of aiohttp.web outside its __all__, so outside ours.
        assert (name in web.__all__) is (name not in ("ArgumentParser", "import_module", "main"))


def test_star_import_and_dir_show_every_public_name():
    namespace: dict[str, object] = {}
    exec("from web import *", namespace)
    assert [name for name in web.__all__ if name not in namespace] == []
    assert namespace["WebSocketResponse"] is web.WebSocketResponse
    assert set(web.__all__) <= set(dir(web))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        web.NoSuchThing  # noqa: B018

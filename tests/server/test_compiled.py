"""``server.COMPILED`` and ``prefork --version`` tell the compiled build (README, "Compiled build") from pure Python.

The suite runs these in both modes: pure Python everywhere, and compiled in .ci/run's compiled stage, which sets
``PREFORK_EXPECT_COMPILED=1`` and runs the suite against an installed compiled wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import server

EXPECT_COMPILED = os.environ.get("PREFORK_EXPECT_COMPILED") == "1"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_compiled_says_whether_the_request_path_is_an_extension():
    assert server.COMPILED is EXPECT_COMPILED
    for name in server.COMPILED_MODULES:
        path = sys.modules[f"server.{name}"].__file__
        assert path is not None
        assert path.endswith(tuple(EXTENSION_SUFFIXES)) is EXPECT_COMPILED, path


def test_modules_outside_the_list_stay_python():
    # What mypyc cannot take (server/streams.py's async generators) or what is not on the request path.
    for name in ("streams", "registry", "settings", "upgrade"):
        __import__(f"server.{name}")
        assert sys.modules[f"server.{name}"].__file__.endswith(".py")


def test_version_names_the_build(tmp_path):
    # The same server package this process imported, from a directory that shadows nothing.
    package_parent = Path(server.__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    done = subprocess.run(
        [sys.executable, "-m", "supervisor", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    build = "compiled with mypyc" if EXPECT_COMPILED else "pure Python"
    assert done.stdout.startswith("prefork ") and done.stdout.endswith(f" ({build})\n")


def test_pyproject_compiles_the_listed_modules():
    hook = tomllib.loads(PYPROJECT.read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    assert hook["include"] == [f"/server/{name}.py" for name in server.COMPILED_MODULES]
    # Editable installs and default builds stay pure Python: the hook runs only when asked for.
    assert hook["enable-by-default"] is False

"""prefork's pytest plugin leaves other projects' tests alone, and its fixtures work where a project uses them.

Each project under ``plugin_project/`` is copied to a temporary directory and run by pytest in a subprocess,
once with prefork's plugin loaded (the ``pytest11`` entry point, or ``-p web.pytest_plugin`` when prefork is not
pip-installed) and once without it (``-p no:prefork``); the outcome of every test id must be the same.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = Path(__file__).resolve().parent / "plugin_project"
INSTALLED = any(ep.name == "prefork" for ep in importlib.metadata.entry_points(group="pytest11"))
HAVE_PYTEST_AIOHTTP = importlib.util.find_spec("pytest_aiohttp") is not None

pytest.importorskip("pytest_asyncio")
pytestmark = pytest.mark.slow  # each test starts pytest twice, a second or two each


def run_pytest(project: Path, *args: str, prefork: bool, pythonpath: tuple[Path, ...] = ()) -> tuple[dict, str]:
    """Run pytest on ``project``; return ``{test id: outcome}`` (from its JUnit XML) and its output."""
    junit = project / "junit.xml"
    plugin = ([] if INSTALLED else ["-p", "web.pytest_plugin"]) if prefork else (["-p", "no:prefork"])
    # Hypothesis and pytest-benchmark are plugins of this suite, not of the projects: off, for a faster start.
    others = ["-p", "no:hypothesispytest", "-p", "no:benchmark"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (*pythonpath, ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}", *others, *plugin, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = proc.stdout + proc.stderr
    assert f"prefork plugin loaded: {prefork}" in output or "prefork plugin loaded" not in output, output
    outcomes: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        outcomes[test_id] = "+".join(sorted(kinds)) or "passed"
    junit.unlink()
    return outcomes, output


def copy_project(name: str, tmp_path: Path) -> Path:
    project = tmp_path / name
    shutil.copytree(PROJECTS / name, project)
    return project


# pytest-aiohttp, when installed, is one more plugin of the user's: the same in both runs.
@pytest.mark.parametrize("name", ["strict", "auto"])
def test_a_projects_results_are_the_same_with_and_without_prefork(name: str, tmp_path: Path) -> None:
    pytest.importorskip("anyio")
    project = copy_project(name, tmp_path)
    with_prefork, output = run_pytest(project, prefork=True)
    assert "prefork plugin loaded: True" in output, output
    without, output_without = run_pytest(project, prefork=False)
    assert "prefork plugin loaded: False" in output_without, output_without
    assert with_prefork == without, output
    unclaimed = {test_id for test_id in without if "test_unclaimed_" in test_id}
    assert all(without[test_id] != "passed" for test_id in unclaimed), output_without
    assert all(outcome == "passed" for test_id, outcome in without.items() if test_id not in unclaimed), output
    assert len(without) >= 10


def test_a_project_uses_prefork_fixtures_in_strict_mode(tmp_path: Path) -> None:
    project = copy_project("uses_prefork", tmp_path)
    outcomes, output = run_pytest(project, "-p", "no:aiohttp", prefork=True)
    assert set(outcomes.values()) == {"passed"} and len(outcomes) == 4, output


@pytest.mark.skipif(not HAVE_PYTEST_AIOHTTP, reason="pytest-aiohttp is not installed")
def test_pytest_aiohttp_keeps_its_fixture_names(tmp_path: Path) -> None:
    # With pytest-aiohttp loaded, aiohttp_client is pytest-aiohttp's (for aiohttp's apps): it refuses a web app.
    project = copy_project("uses_prefork", tmp_path)
    outcomes, output = run_pytest(project, prefork=True)
    failed = {test_id for test_id, outcome in outcomes.items() if outcome != "passed"}
    assert failed == {"test_uses_prefork::test_aiohttp_client"}, output
    assert "Unknown argument type" in output


@pytest.mark.skipif(not HAVE_PYTEST_AIOHTTP, reason="pytest-aiohttp is not installed")
def test_a_pytest_aiohttp_module_gives_the_same_results_on_aiohttp_and_on_web(tmp_path: Path) -> None:
    # tests/dx/test_pytest_aiohttp.py with its two imports swapped back runs on aiohttp under pytest-aiohttp.
    source = (Path(__file__).parent / "test_pytest_aiohttp.py").read_text()
    variants = {
        "on_web": source,
        "on_aiohttp": source.replace(
            "import web  # aiohttp: from aiohttp import web", "from aiohttp import web"
        ).replace(
            "from web.testing import TestClient  # aiohttp: from aiohttp.test_utils import TestClient",
            "from aiohttp.test_utils import TestClient",
        ),
    }
    assert sum(line.startswith("from aiohttp") for line in variants["on_aiohttp"].splitlines()) == 2
    results = {}
    for name, text in variants.items():
        project = tmp_path / name
        project.mkdir()
        (project / "pytest.ini").write_text(
            "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
        )
        (project / "test_app.py").write_text(text)
        if name == "on_web":
            results[name] = run_pytest(project, "-p", "no:aiohttp", prefork=True)
        else:
            results[name] = run_pytest(project, prefork=False)
    (on_web, web_output), (on_aiohttp, aiohttp_output) = results["on_web"], results["on_aiohttp"]
    assert set(on_aiohttp.values()) == {"passed"}, aiohttp_output
    assert on_web == on_aiohttp, web_output
    assert len(on_web) >= 10


def shadow_package(tmp_path: Path, name: str) -> Path:
    """A directory whose package ``name`` fails to import, as it does where ``name`` is not installed."""
    shadow = tmp_path / "shadow"
    (shadow / name).mkdir(parents=True)
    (shadow / name / "__init__.py").write_text(f"raise ImportError(\"No module named '{name}'\")\n")
    return shadow


def test_without_pytest_asyncio_pytest_runs_and_the_fixture_says_what_is_missing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    (project / "test_it.py").write_text(
        "def test_sync(unused_port):\n    assert unused_port() > 0\n\n\n"
        "def test_needs_make_client(make_client):\n    pass\n"
    )
    shadow = shadow_package(tmp_path, "pytest_asyncio")
    outcomes, output = run_pytest(project, "-p", "no:asyncio", "-p", "no:aiohttp", prefork=True, pythonpath=(shadow,))
    assert outcomes == {"test_it::test_sync": "passed", "test_it::test_needs_make_client": "error"}, output
    assert "prefork's make_client fixture needs pytest-asyncio: pip install 'prefork[pytest]'" in output


def test_without_aiohttp_make_server_works_and_make_client_says_what_is_missing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\nfilterwarnings = error\n"
    )
    (project / "test_it.py").write_text(
        "import web\n\n\nasync def test_server(make_server):\n"
        "    assert (await make_server(web.Application())).port > 0\n\n\n"
        "async def test_needs_make_client(make_client):\n    pass\n"
    )
    shadow = shadow_package(tmp_path, "aiohttp")
    outcomes, output = run_pytest(project, "-p", "no:aiohttp", prefork=True, pythonpath=(shadow,))
    assert outcomes == {"test_it::test_server": "passed", "test_it::test_needs_make_client": "error"}, output
    assert "prefork's test client needs aiohttp (No module named 'aiohttp'): pip install 'prefork[pytest]'" in output
    assert "During handling" not in output


@pytest.mark.parametrize("pytest_aiohttp", [False, True], ids=["prefork's fixtures", "with pytest-aiohttp"])
def test_aiohttp_alias_gives_a_projects_library_web(pytest_aiohttp: bool, tmp_path: Path) -> None:
    # The project's library (guard.py) says `from aiohttp import web`; its app says `import web`. With
    # aiohttp_alias = true in pytest.ini, the library's HTTPForbidden is a 403 and its isinstance check passes.
    if pytest_aiohttp and not HAVE_PYTEST_AIOHTTP:
        pytest.skip("pytest-aiohttp is not installed")
    project = copy_project("alias", tmp_path)
    outcomes, output = run_pytest(project, *(() if pytest_aiohttp else ("-p", "no:aiohttp")), prefork=True)
    assert set(outcomes.values()) == {"passed"} and len(outcomes) == 3, output


def test_without_aiohttp_alias_the_library_keeps_aiohttps_web(tmp_path: Path) -> None:
    project = copy_project("alias", tmp_path)
    outcomes, output = run_pytest(project, "-p", "no:aiohttp", "--no-aiohttp-alias", prefork=True)
    assert set(outcomes.values()) == {"failure"} and len(outcomes) == 3, output
    assert "assert 500 == 403" in output


def test_aiohttp_alias_without_aiohttp_says_what_is_missing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_it.py").write_text("def test_it():\n    pass\n")
    shadow = shadow_package(tmp_path, "aiohttp")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (shadow, ROOT))
    plugin = [] if INSTALLED else ["-p", "web.pytest_plugin"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:aiohttp", *plugin, "--aiohttp-alias"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "aiohttp_alias: needs aiohttp installed (No module named 'aiohttp')" in proc.stderr

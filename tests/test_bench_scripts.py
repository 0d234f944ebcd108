"""Every bench/ script at least starts: its imports (some reach into tests/ for the shared test kit) resolve when it
is run as a script, as the README tells operators to run it."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Libraries of the scripts (no command line of their own) and content_type.py, a timing that takes no options.
LIBRARIES = ("__init__.py", "common.py", "chaos_load.py", "content_type.py")
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py") if p.name not in LIBRARIES)


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_script_answers_help(script):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage" in proc.stdout.lower()

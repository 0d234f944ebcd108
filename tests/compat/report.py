"""Run the compat suite in both modes and print the figures: selected, passed against ours, passed against aiohttp.

    python tests/compat/report.py              # both modes (about five minutes on two cores)
    python tests/compat/report.py prefork      # one mode

Exits non-zero if a run fails (a strict xfail that passes counts as a failure), so CI can run it as is. The
remaining failures are listed by reason, from ``expectations.py``.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SUITE = HERE / "aiohttp-3.14.5" / "tests"
LINE = re.compile(r"^compat (\w+): (\d+) selected, (\d+) passed .*$", re.M)


def run(mode: str) -> tuple[int, str]:
    """Run one mode; return pytest's exit code and its summary line."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [sys.executable, "-m", "pytest", "-c", str(HERE / "pytest.ini"), str(SUITE), "-q", f"--compat-mode={mode}"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    sys.stdout.write(proc.stdout[-3000:] if proc.returncode else "")
    found = LINE.search(proc.stdout)
    return proc.returncode, found.group(0) if found else f"compat {mode}: no summary (exit {proc.returncode})"


def main(argv: list[str]) -> int:
    modes = argv or ["prefork", "mirror"]
    sys.path.insert(0, str(HERE))
    from expectations import DESELECTED, MIRROR_XFAIL, XFAIL

    worst = 0
    lines = []
    for mode in modes:
        code, line = run(mode)
        worst = max(worst, code)
        lines.append(line)
    print(f"deselected (aiohttp internals): {len(DESELECTED)} tests")
    print(f"xfail against ours: {len(XFAIL)} entries, by reason:")
    for reason, count in collections.Counter(XFAIL.values()).most_common():
        print(f"  {count:4d}  {reason}")
    if MIRROR_XFAIL:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        print(f"xfail against aiohttp itself on Python {version} (mirror mode):")
        for name, reason in MIRROR_XFAIL.items():
            print(f"  {name}: {reason}")
    for line in lines:
        print(line)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run every vendored extension suite in both modes and print the figures: selected, passed against ours, passed
against aiohttp.

    python tests/extensions/report.py                  # every library, both modes
    python tests/extensions/report.py prefork          # one mode
    python tests/extensions/report.py prefork aiohttp-sse-3.0   # one mode, one library

Each library runs in its own pytest process (every suite is a package named ``tests``), a few at a time. Exits
non-zero if a run fails (a strict xfail that passes counts as a failure), so CI can run it as is. The remaining
failures are listed by reason, from ``expectations.py``.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MODES = ("prefork", "mirror")
LINE = re.compile(r"^extensions (\w+): (\d+) selected, (\d+) passed .*$", re.M)


def libraries() -> list[str]:
    """The vendored suites: every directory here with a ``tests/`` subdirectory, named ``<name>-<version>`` (not
    every library's name starts with ``aiohttp-``: aiojobs, prometheus-async, pytest-aiohttp)."""
    return sorted(path.name for path in HERE.iterdir() if (path / "tests").is_dir())


def run(library: str, mode: str) -> tuple[int, str, str]:
    """Run one library in one mode; return pytest's exit code, its summary line and its output's tail."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(HERE / "pytest.ini"),
        str(HERE / library),
        "-q",
        f"--ext-mode={mode}",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    found = LINE.search(proc.stdout)
    line = found.group(0) if found else f"extensions {mode}: no summary (exit {proc.returncode})"
    return proc.returncode, line, proc.stdout[-3000:] + proc.stderr[-2000:]


def main(argv: list[str]) -> int:
    modes = [arg for arg in argv if arg in MODES] or list(MODES)
    chosen = [arg for arg in argv if arg not in MODES] or libraries()
    sys.path.insert(0, str(HERE))
    from expectations import DESELECTED, IGNORED_FILES, NOT_RUN, XFAIL

    jobs = [(library, mode) for library in chosen for mode in modes]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(zip(jobs, pool.map(lambda job: run(*job), jobs), strict=True))
    worst = 0
    for (library, mode), (code, _line, tail) in results.items():
        if code:
            worst = max(worst, code)
            print(f"== {library} ({mode}) exited {code}:\n{tail}")
    print(f"left out in both modes: {len(IGNORED_FILES)} files, {len(DESELECTED)} tests or files")
    print(f"xfail against ours: {len(XFAIL)} entries, {len(NOT_RUN)} not run, by reason:")
    for reason, count in collections.Counter([*XFAIL.values(), *NOT_RUN.values()]).most_common():
        print(f"  {count:4d}  {reason}")
    width = max(len(library) for library in chosen)
    for library in chosen:
        figures = []
        for mode in modes:
            found = LINE.search(results[library, mode][1])
            figures.append(f"{mode} {found.group(3)}/{found.group(2)}" if found else f"{mode} (no summary)")
        print(f"{library:<{width}}  " + "  ".join(figures))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

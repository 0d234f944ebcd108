"""What the two vendored-suite harnesses share: tests/compat (aiohttp 3's own tests) and tests/extensions (the
extension libraries' tests), each run on our ``web`` (prefork mode) or on aiohttp's (mirror mode).

* :func:`select` leaves out the tests listed as DESELECTED (both modes) and, in prefork mode, marks the ones listed
  as XFAIL ``xfail(strict=True)`` with their reason, so a test that starts passing fails the run until its entry
  goes, and the ones listed as NOT_RUN ``xfail(run=False)``: a test whose failure would leave behind state that
  fails the tests after it. In mirror mode, the ones listed as MIRROR_XFAIL (tests that fail against aiohttp's
  ``web`` itself, on some Python version) are marked ``xfail(strict=True)``.
* :func:`summarize` prints one line of figures per run (``<label> <mode>: N selected, P passed (x%), ...``), which
  each suite's ``report.py`` reads.

Both conftests import this module by name: the directory holding it is on ``sys.path``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

#: A test's id relative to its suite, with its parameters: ``file::name[params]``.
Key = Callable[[pytest.Item], str]


def in_run(config: pytest.Config, here: Path) -> bool:
    """Whether this pytest run is the harness's in ``here`` (started with ``-c here/pytest.ini``): in the project's
    main run its conftest collects nothing."""
    return config.inipath is not None and config.inipath.parent == here


def listed(full: str, entries: Mapping[str, str]) -> str | None:
    """The entry ``entries`` holds for the test ``full`` (``file::name[params]``): for that parametrization, else
    for every parametrization of the test, else for every test in its file; None when there is none."""
    base = full.split("[", 1)[0]
    return entries.get(full) or entries.get(base) or entries.get(base.split("::", 1)[0])


def select(
    config: pytest.Config,
    items: list[pytest.Item],
    key: Key,
    *,
    deselected: Mapping[str, str],
    xfail: Mapping[str, str],
    prefork: bool,
    not_run: Mapping[str, str] | None = None,
    mirror_xfail: Mapping[str, str] | None = None,
) -> None:
    """Drop the ``deselected`` tests from ``items`` (reported to pytest as deselected); in ``prefork`` mode, mark
    each test ``xfail`` lists strict xfail with its reason, and each test ``not_run`` lists xfail not run; in mirror
    mode, each test ``mirror_xfail`` lists strict xfail with its reason."""
    kept, dropped = [], []
    for item in items:
        (dropped if listed(key(item), deselected) is not None else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if not prefork:
        for item in items:
            reason = listed(key(item), mirror_xfail or {})
            if reason:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
        return
    for item in items:
        reason = listed(key(item), xfail)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
        reason = listed(key(item), not_run or {})
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, run=False))


def summarize(terminalreporter: Any, label: str, mode: str, title: str) -> None:
    """Write the run's figures under a ``title`` separator: one outcome per test, a failure or error in any phase
    first (a strict xfail that passed is a failure), else xfailed or skipped, else passed."""
    outcome: dict[str, str] = {}
    for key in ("passed", "xpassed", "skipped", "xfailed", "error", "failed"):
        for report in terminalreporter.stats.get(key, []):
            if getattr(report, "nodeid", None) and (key != "passed" or report.when == "call"):
                outcome[report.nodeid] = "failed" if key in ("error", "xpassed") else key
    counts = {key: list(outcome.values()).count(key) for key in ("passed", "xfailed", "failed", "skipped")}
    selected = len(outcome)
    share = 100.0 * counts["passed"] / selected if selected else 0.0
    terminalreporter.write_sep("=", f"{title} ({mode} mode)")
    terminalreporter.write_line(
        f"{label} {mode}: {selected} selected, {counts['passed']} passed ({share:.1f}%), "
        f"{counts['xfailed']} xfailed, {counts['skipped']} skipped, {counts['failed']} failed"
    )

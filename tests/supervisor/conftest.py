"""Fixtures of the process tests; the tools themselves live in ``masters.py``."""

from __future__ import annotations

import os
import signal

import psutil
import pytest
from masters import Prefork


@pytest.fixture
def prefork(tmp_path, unused_port):
    """``prefork.start(*args, wait=N)`` runs a master on a free port; it is stopped after the test."""
    masters: list[Prefork] = []

    def make() -> Prefork:
        master = Prefork(tmp_path / f"m{len(masters)}", unused_port())
        masters.append(master)
        return master

    first = make()
    first.make = make  # type: ignore[attr-defined]
    first.also_kill = []  # type: ignore[attr-defined] - pids of masters the test started indirectly (USR2)
    yield first
    for pid in first.also_kill:  # type: ignore[attr-defined]
        try:
            family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        os.kill(pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(family[:1], timeout=5)
        for proc in alive + family[1:]:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
    for master in masters:
        master.stop()

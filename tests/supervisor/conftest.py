"""Fixtures of the process tests; the tools themselves live in ``masters.py``."""

from __future__ import annotations

import pytest
from masters import Prefork


@pytest.fixture
def prefork(tmp_path, unused_port):
    """``prefork.start(*args, wait=N)`` runs a master on a free port; it is stopped after the test, with the masters
    a USR2 started that the test added to ``prefork.extra_masters``."""
    masters: list[Prefork] = []

    def make() -> Prefork:
        master = Prefork(tmp_path / f"m{len(masters)}", unused_port())
        masters.append(master)
        return master

    first = make()
    first.make = make  # type: ignore[attr-defined]
    yield first
    for master in masters:
        master.stop()

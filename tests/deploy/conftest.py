"""Fixtures of the deployment tests; the tools themselves live in ``harness.py``."""

from __future__ import annotations

import pytest
from harness import Prefork


@pytest.fixture
def prefork(tmp_path, unused_port):
    """``prefork.start(*args, trusted=...)``: the proxied test app on a unix socket and a TCP port; stopped after
    the test."""
    server = Prefork(tmp_path, unused_port())
    yield server
    server.stop()

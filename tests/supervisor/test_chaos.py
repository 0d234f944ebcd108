"""The chaos soak, 30 seconds of it: ``prefork -w 2`` under mixed load (GET, 4 KiB POST echo, a slow handler,
256 KiB answers, websocket echoes) while HUP, TTIN, TTOU, USR2, USR1, a ``--max-requests`` recycle and a SIGKILL
of a worker arrive at seeded random times, then TERM. The run itself is bench/chaos.py's (``--duration 3600``
runs it for an hour); this test holds it to the pass conditions of :func:`bench.chaos.problems`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, where bench/ lives

from bench.chaos import Chaos, problems

SEED = 15
DURATION = 30.0


@pytest.mark.slow
@pytest.mark.timeout(150)
async def test_chaos_soak_fails_no_request_and_leaves_nothing_behind(prefork):
    # execute() kills and reaps whatever the run left (masters started by USR2 included) before it returns
    report = await Chaos(prefork, seed=SEED, duration=DURATION).execute()
    summary = report.summary() + "\n" + "\n".join(report.events)
    # every event happened: each signal was sent, the recycle and the kill took effect
    for name in ("SIGHUP", "SIGTTIN", "SIGTTOU", "SIGUSR2", "SIGUSR1", "SIGTERM"):
        assert any(f"{name} -> master" in line for line in report.events), summary
    assert any("reached --max-requests" in line for line in report.events), summary
    assert any("SIGKILL -> worker" in line for line in report.events), summary
    assert len(report.master_exits) == 2, summary  # the first master (left after USR2) and the second
    # the load was real: every kind of request answered, websocket messages echoed
    assert set(report.ok) >= {"hello", "echo", "slow", "big", "burst"}, summary
    assert report.ws_echoed > 100, summary
    assert problems(report) == [], summary

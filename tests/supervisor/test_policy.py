"""The master's decisions, driven with made-up pids and clocks: no fork, no signal, no sleep."""

from __future__ import annotations

import pytest

from supervisor.policy import (
    Abort,
    Drain,
    Fleet,
    Halt,
    Kill,
    Limits,
    Quit,
    Spawn,
    Stage,
    backoff_delay,
    next_deadline,
    plan,
)

LIMITS = Limits(
    timeout=10,
    graceful_timeout=20,
    quick_timeout=3,
    kill_grace=2,
    max_memory=100,
    backoff=1,
    backoff_max=8,
    min_uptime=1,
)


class Sim:
    """Carries out the policy's actions the way the master does, with fake pids."""

    def __init__(self, target: int) -> None:
        self.fleet = Fleet(target=target)
        self.next_pid = 100
        self.now = 0.0

    def step(self) -> list:
        actions = plan(self.fleet, LIMITS, self.now)
        for action in actions:
            if isinstance(action, Spawn):
                self.next_pid += 1
                self.fleet.spawned(self.next_pid, self.now)
            elif isinstance(action, Drain):
                self.fleet.mark(action.pid, Stage.DRAINING, self.now)
            elif isinstance(action, Quit):
                self.fleet.mark(action.pid, Stage.QUITTING, self.now)
            elif isinstance(action, Abort):
                self.fleet.mark(action.pid, Stage.ABORTING, self.now)
            elif isinstance(action, Kill):
                self.fleet.mark_killed(action.pid)
        return actions

    def ready_all(self) -> None:
        for pid, w in list(self.fleet.workers.items()):
            if w.stage is Stage.BOOTING:
                self.fleet.ready(pid, self.now)

    def boot(self) -> None:
        """Step and mark ready until the fleet settles."""
        for _ in range(20):
            self.step()
            self.ready_all()
            if self.fleet.all_ready():
                return
        raise AssertionError("the fleet never settled")

    def exit(self, pid: int, code: int | None = 0) -> str:
        return self.fleet.exited(pid, self.now, code, LIMITS)[1]

    def pids(self, *stages: Stage) -> list[int]:
        return sorted(p for p, w in self.fleet.workers.items() if not stages or w.stage in stages)


def test_first_start_boots_one_worker_then_the_rest():
    sim = Sim(3)
    assert sim.step() == [Spawn()]
    assert sim.step() == []  # the probe is still booting
    sim.ready_all()
    assert sim.step() == [Spawn(), Spawn()]
    sim.ready_all()
    assert sim.fleet.all_ready()
    assert sim.step() == []


def test_reload_is_a_rolling_restart_that_drains_only_after_replacements_are_ready():
    sim = Sim(2)
    sim.boot()
    old = sim.pids()
    sim.fleet.reload()
    assert sim.step() == [Spawn()]  # the new generation probes with one worker
    assert not any(isinstance(a, Drain) for a in sim.step())  # nothing drains while the new one boots
    new1 = max(sim.pids())
    sim.fleet.ready(new1, sim.now)
    actions = sim.step()
    assert Spawn() in actions and Drain(old[0], "reload") in actions
    assert sim.pids(Stage.READY) == [old[1], new1]  # still two serving
    sim.ready_all()
    assert sim.step() == [Drain(old[1], "reload")]
    assert sim.fleet.all_ready()


def test_a_replacement_that_cannot_boot_leaves_the_old_worker_serving_and_backs_off():
    sim = Sim(1)
    sim.boot()
    (old,) = sim.pids()
    sim.fleet.reload()
    sim.step()
    new = max(sim.pids())
    sim.fleet.boot_failed(new, 3, "on_startup failed")
    assert sim.exit(new, 3) == "boot-failed"
    assert sim.fleet.halt is None  # a worker was ready before: no halt
    assert sim.pids(Stage.READY) == [old]
    assert sim.step() == []  # backing off
    assert sim.fleet.not_before == pytest.approx(1.0)
    sim.now = 1.0
    assert sim.step() == [Spawn()]


def test_first_boot_failure_halts_with_the_workers_code_and_reason():
    sim = Sim(4)
    sim.step()
    (pid,) = sim.pids()
    sim.fleet.boot_failed(pid, 4, "cannot import 'x'")
    assert sim.exit(pid, 4) == "boot-failed"
    assert sim.step() == [Halt(4, "cannot import 'x'")]


def test_first_boot_death_without_a_reason_halts_with_code_3():
    sim = Sim(1)
    sim.step()
    (pid,) = sim.pids()
    sim.exit(pid, -9)
    (halt,) = sim.step()
    assert isinstance(halt, Halt) and halt.code == 3 and str(pid) in halt.reason


@pytest.mark.parametrize(("failures", "delay"), [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (5, 8), (500, 8)])
def test_backoff_doubles_up_to_the_cap(failures, delay):
    assert backoff_delay(failures, LIMITS) == delay


def test_crash_loop_after_boot_backs_off_exponentially_and_uptime_resets_it():
    sim = Sim(1)
    sim.boot()
    delays = []
    for _ in range(4):
        (pid,) = sim.pids()
        sim.now += 0.5  # dies half a second after ready: "right after boot"
        assert sim.exit(pid, 7) == "crash-loop"
        delays.append(sim.fleet.not_before - sim.now)
        assert sim.step() == []
        sim.now = sim.fleet.not_before
        sim.boot()
    assert delays == [1, 2, 4, 8]
    sim.now += 5
    sim.fleet.settled(sim.now, LIMITS)
    assert sim.fleet.failures == 0


def test_a_crash_after_long_uptime_is_replaced_at_once():
    sim = Sim(2)
    sim.boot()
    sim.now = 100
    pid, other = sim.pids()
    sim.fleet.beat(other, sim.now, 0, 0, LIMITS)
    assert sim.exit(pid, -11) == "crashed"
    assert sim.step() == [Spawn()]


def test_max_requests_retires_through_the_rolling_path():
    sim = Sim(2)
    sim.boot()
    a, b = sim.pids()
    sim.fleet.workers[a].max_requests = 50
    assert sim.fleet.beat(a, sim.now, 49, 10, LIMITS) is None
    assert sim.fleet.beat(a, sim.now, 50, 10, LIMITS) == "max_requests"
    assert sim.step() == [Spawn()]  # a keeps serving
    assert sim.pids(Stage.READY) == [a, b]
    sim.ready_all()
    assert sim.step() == [Drain(a, "max_requests")]


def test_memory_ceiling_retires_through_the_rolling_path():
    sim = Sim(1)
    sim.boot()
    (a,) = sim.pids()
    assert sim.fleet.beat(a, sim.now, 1, 101, LIMITS) == "memory"
    assert sim.step() == [Spawn()]
    sim.ready_all()
    assert sim.step() == [Drain(a, "memory")]


def test_ttin_spawns_and_ttou_drains_the_oldest():
    sim = Sim(2)
    sim.boot()
    oldest = sim.pids()[0]
    sim.fleet.resize(3)
    assert sim.step() == [Spawn()]
    sim.ready_all()
    sim.fleet.resize(2)
    assert sim.step() == [Drain(oldest, "too many workers")]
    assert sim.fleet.resize(0) == 2 and sim.fleet.target == 1  # never below one


def test_silent_worker_is_aborted_then_killed_and_replaced_meanwhile():
    sim = Sim(1)
    sim.boot()
    (pid,) = sim.pids()
    sim.now = 10
    actions = sim.step()
    assert isinstance(actions[0], Abort) and actions[0].pid == pid
    assert Spawn() in actions  # the replacement does not wait for the stuck one to die
    sim.now = 12
    assert Kill(pid, "still alive 2s after SIGABRT") in sim.step()
    assert sim.exit(pid, -9) == "timed-out"


def test_booting_worker_past_timeout_is_aborted():
    sim = Sim(1)
    sim.step()
    sim.now = 10
    assert isinstance(sim.step()[0], Abort)


def test_draining_worker_is_killed_after_graceful_timeout():
    sim = Sim(1)
    sim.boot()
    (pid,) = sim.pids()
    sim.fleet.stop(0, "graceful")
    assert sim.step() == [Drain(pid, "stop")]
    sim.now = 19.9
    sim.fleet.beat(pid, sim.now, 0, 0, LIMITS)  # its loop is alive: only the graceful deadline applies
    assert sim.step() == []
    sim.now = 20
    assert sim.step() == [Kill(pid, "still draining after graceful_timeout 20s")]
    assert sim.exit(pid, -9) == "expected"
    assert sim.step() == [Halt(0, "stopped")]


def test_quick_stop_overrides_a_graceful_one_and_escalates_drains():
    sim = Sim(2)
    sim.boot()
    a, b = sim.pids()
    sim.fleet.stop(0, "graceful")
    sim.step()
    sim.fleet.stop(1, "quick")
    assert sim.step() == [Quit(a, "quick stop"), Quit(b, "quick stop")]
    sim.fleet.stop(2, "graceful")
    assert sim.fleet.stopping == "quick"


def test_stopping_spawns_nothing_even_after_a_crash():
    sim = Sim(2)
    sim.boot()
    sim.fleet.stop(0, "graceful")
    sim.step()
    sim.now = 50
    sim.exit(sim.pids()[0], -9)
    assert not any(isinstance(a, Spawn) for a in sim.step())


def test_next_deadline_is_the_earliest_timer():
    sim = Sim(1)
    sim.boot()
    (pid,) = sim.pids()
    assert next_deadline(sim.fleet, LIMITS, 0) == 10  # heartbeat timeout
    sim.fleet.mark(pid, Stage.DRAINING, 3)
    sim.fleet.beat(pid, 3, 0, 0, LIMITS)
    assert next_deadline(sim.fleet, LIMITS, 3) == 13  # its heartbeat still counts
    sim.fleet.beat(pid, 15, 0, 0, LIMITS)
    assert next_deadline(sim.fleet, LIMITS, 15) == 23  # then the graceful deadline
    sim.fleet.workers.clear()
    sim.fleet.not_before = 7
    assert next_deadline(sim.fleet, LIMITS, 3) == 7


def test_a_draining_worker_whose_loop_went_silent_is_aborted_for_its_stacks():
    sim = Sim(1)
    sim.boot()
    (pid,) = sim.pids()
    sim.fleet.stop(0, "graceful")
    sim.step()
    sim.now = 10
    (abort,) = sim.step()
    assert isinstance(abort, Abort) and abort.pid == pid

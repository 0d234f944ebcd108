"""The master's decisions, as pure functions of its state and the clock. No I/O, no signals, no forking.

The master feeds events into a :class:`Fleet` (``spawned``, ``ready``, ``beat``, ``exited``, ``reload``, ...) and
asks :func:`plan` what to do now; it carries out the returned actions and reports back through the same
events. Tests drive the whole policy with made-up pids and times.

Rules, all in this module:

* **One rolling-restart path.** A worker that must go (HUP reload, ``max_requests``, memory ceiling) is only
  *marked* ``retire``. A retiring worker no longer counts towards the target, so a replacement is spawned; it
  keeps serving until enough workers are ready, and only then is it drained. TTOU lowers the target, so the
  surplus ready worker is drained the same way; a crashed worker simply leaves a gap that is filled.
* **Surplus** is drained oldest first, retiring workers before current ones, and never below the target number
  of ready workers: a replacement that cannot boot leaves the old worker serving.
* **Boot probing.** While the current generation has no ready worker yet (first start, after HUP, or after a
  boot failure), only one worker boots at a time: a broken app costs one failed fork, not N.
* **Crash loop.** A worker that dies before it is ready, or within ``min_uptime`` of being ready, is a boot
  failure: the next spawn waits ``backoff * 2**(failures-1)`` (capped). A worker that stays up resets the count.
  If no worker has ever been ready, the first boot failure halts the master with the worker's exit code.
* **Timeouts.** A worker silent for ``timeout`` (booting, serving or draining) is aborted (SIGABRT: stack dump)
  and killed ``kill_grace`` later; a draining worker is killed ``graceful_timeout`` after its drain began; a quick stop
  kills after ``quick_timeout``.
* **Stopping.** Every worker is drained (graceful) or quit (quick); the master halts once none is left.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = [
    "Abort",
    "Action",
    "Drain",
    "Fleet",
    "Halt",
    "Kill",
    "Limits",
    "Quit",
    "Spawn",
    "Stage",
    "Worker",
    "backoff_delay",
    "next_deadline",
    "plan",
]

EXIT_OK = 0
EXIT_BOOT = 3  # same value as errors.EXIT_BOOT; repeated so this module stays import-free


class Stage(enum.Enum):
    BOOTING = "booting"  # forked, not ready yet
    READY = "ready"  # serving
    DRAINING = "draining"  # told to finish and exit (SIGTERM)
    QUITTING = "quitting"  # told to exit quickly (SIGQUIT)
    ABORTING = "aborting"  # heartbeat timed out, SIGABRT sent


LIVE = (Stage.BOOTING, Stage.READY)


@dataclass(frozen=True, slots=True)
class Limits:
    """The settings the policy needs, in seconds and bytes."""

    timeout: float = 30.0
    graceful_timeout: float = 30.0
    quick_timeout: float = 5.0
    kill_grace: float = 2.0
    max_memory: int = 0  # bytes; 0 = no ceiling
    backoff: float = 0.5
    backoff_max: float = 30.0
    min_uptime: float = 1.0


@dataclass(slots=True)
class Worker:
    """What the master knows about one worker process."""

    pid: int
    generation: int
    spawned_at: float
    max_requests: int = 0  # this worker's limit, jitter included; 0 = none
    stage: Stage = Stage.BOOTING
    last_beat: float = 0.0
    ready_at: float | None = None
    stage_since: float = 0.0
    retire: str | None = None  # why it must be replaced: "reload", "max_requests", "memory"
    killed: bool = False
    requests: int = 0
    rss: int = 0
    boot_error: tuple[int, str] | None = None

    def __post_init__(self) -> None:
        self.last_beat = self.last_beat or self.spawned_at
        self.stage_since = self.stage_since or self.spawned_at


# -- actions ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spawn:
    """Fork one worker."""


@dataclass(frozen=True, slots=True)
class Drain:
    """Tell the worker to finish its requests and exit (graceful)."""

    pid: int
    reason: str


@dataclass(frozen=True, slots=True)
class Quit:
    """Tell the worker to exit quickly."""

    pid: int
    reason: str


@dataclass(frozen=True, slots=True)
class Abort:
    """The worker's loop is silent: make it dump its stacks and exit."""

    pid: int
    reason: str


@dataclass(frozen=True, slots=True)
class Kill:
    """SIGKILL: the worker ignored every polite request."""

    pid: int
    reason: str


@dataclass(frozen=True, slots=True)
class Halt:
    """The master exits with ``code``."""

    code: int
    reason: str


Action = Spawn | Drain | Quit | Abort | Kill | Halt


def backoff_delay(failures: int, limits: Limits) -> float:
    """Seconds to wait before the next spawn after ``failures`` consecutive boot failures."""
    if failures <= 0:
        return 0.0
    return float(min(limits.backoff_max, limits.backoff * 2 ** min(failures - 1, 32)))


# -- state and events ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Fleet:
    """The workers and the master's intent. Events mutate it; :func:`plan` only reads it."""

    target: int
    workers: dict[int, Worker] = field(default_factory=dict)
    generation: int = 0
    generation_ready: bool = False  # a worker of the current generation has been ready
    ever_ready: bool = False
    failures: int = 0
    not_before: float = 0.0
    stopping: str | None = None  # "graceful" or "quick"
    stop_since: float = 0.0
    halt: tuple[int, str] | None = None

    # events -----------------------------------------------------------------------------------------------------

    def spawned(self, pid: int, now: float, max_requests: int = 0) -> Worker:
        worker = Worker(pid, self.generation, now, max_requests=max_requests)
        self.workers[pid] = worker
        return worker

    def ready(self, pid: int, now: float) -> Worker | None:
        worker = self.workers.get(pid)
        if worker is None or worker.stage is not Stage.BOOTING:
            return None
        worker.stage, worker.ready_at, worker.last_beat, worker.stage_since = Stage.READY, now, now, now
        self.ever_ready = True
        if worker.generation == self.generation:
            self.generation_ready = True
        return worker

    def beat(self, pid: int, now: float, requests: int, rss: int, limits: Limits) -> str | None:
        """Record a heartbeat; return the reason if this beat makes the worker due for recycling."""
        worker = self.workers.get(pid)
        if worker is None:
            return None
        worker.last_beat, worker.requests, worker.rss = now, requests, rss
        if worker.stage is not Stage.READY or worker.retire is not None:
            return None
        if worker.max_requests and requests >= worker.max_requests:
            worker.retire = "max_requests"
        elif limits.max_memory and rss > limits.max_memory:
            worker.retire = "memory"
        return worker.retire

    def boot_failed(self, pid: int, code: int, reason: str) -> None:
        worker = self.workers.get(pid)
        if worker is not None:
            worker.boot_error = (code, reason)

    def exited(self, pid: int, now: float, code: int | None, limits: Limits) -> tuple[Worker | None, str]:
        """Forget a reaped worker; return it and what its exit means: "expected" (it was told to go),
        "crashed", "boot-failed" (never ready), "crash-loop" (died within ``min_uptime`` of ready) or "timed-out".
        The last three arm the backoff, or the halt when no worker was ever ready."""
        worker = self.workers.pop(pid, None)
        if worker is None:
            return None, "unknown"
        if worker.stage in (Stage.DRAINING, Stage.QUITTING):
            return worker, "expected"
        early = worker.stage is Stage.BOOTING or (
            worker.ready_at is not None and now - worker.ready_at < limits.min_uptime
        )
        if not early:
            self.failures = 0
            return worker, "timed-out" if worker.stage is Stage.ABORTING else "crashed"
        self.failures += 1
        self.not_before = now + backoff_delay(self.failures, limits)
        verdict = "boot-failed" if worker.ready_at is None else "crash-loop"
        if not self.ever_ready and self.stopping is None:
            exit_code, reason = worker.boot_error or (
                EXIT_BOOT,
                f"worker {pid} exited with {code if code is not None else 'a signal'} before it was ready",
            )
            self.halt = (exit_code, reason)
            self.stop(now, "quick")
        return worker, "timed-out" if worker.stage is Stage.ABORTING else verdict

    def settled(self, now: float, limits: Limits) -> None:
        """Reset the crash-loop count once a ready worker has stayed up for ``min_uptime``."""
        if self.failures and any(
            w.ready_at is not None and w.stage is Stage.READY and now - w.ready_at >= limits.min_uptime
            for w in self.workers.values()
        ):
            self.failures = 0

    def reload(self) -> None:
        """HUP: a new generation replaces every live worker through the rolling restart."""
        self.generation += 1
        self.generation_ready = False
        self.failures, self.not_before = 0, 0.0  # the operator acted: try at once
        for worker in self.workers.values():
            if worker.stage in LIVE:
                worker.retire = worker.retire or "reload"

    def resize(self, target: int) -> int:
        old, self.target = self.target, max(1, target)
        return old

    def stop(self, now: float, how: str) -> None:
        if self.stopping != "quick":  # quick wins over graceful, never the reverse
            self.stopping, self.stop_since = how, now

    # transitions the master applies as it carries out actions ---------------------------------------------------

    def mark(self, pid: int, stage: Stage, now: float) -> None:
        worker = self.workers.get(pid)
        if worker is not None:
            worker.stage, worker.stage_since = stage, now

    def mark_killed(self, pid: int) -> None:
        worker = self.workers.get(pid)
        if worker is not None:
            worker.killed = True

    # queries ------------------------------------------------------------------------------------------------------

    def count(self, *stages: Stage) -> int:
        return sum(1 for w in self.workers.values() if w.stage in stages)

    def all_ready(self) -> bool:
        """The target number of current workers serve and nothing else is booting or retiring."""
        current = [w for w in self.workers.values() if w.stage in LIVE and w.retire is None]
        return (
            len(current) == self.target
            and all(w.stage is Stage.READY for w in current)
            and not any(w.retire is not None and w.stage in LIVE for w in self.workers.values())
        )


# -- decisions ------------------------------------------------------------------------------------------------------


def _deadline_actions(fleet: Fleet, limits: Limits, now: float) -> list[Action]:
    actions: list[Action] = []
    for w in fleet.workers.values():
        if w.killed:
            continue
        if w.stage is not Stage.ABORTING and now - w.last_beat >= limits.timeout:
            # a draining loop that went silent is as stuck as a serving one: dump its stacks before the kill
            what = "boot" if w.stage is Stage.BOOTING else "heartbeat"
            actions.append(Abort(w.pid, f"no {what} for {now - w.last_beat:.1f}s (timeout {limits.timeout:g}s)"))
        elif w.stage is Stage.ABORTING and now - w.stage_since >= limits.kill_grace:
            actions.append(Kill(w.pid, f"still alive {limits.kill_grace:g}s after SIGABRT"))
        elif w.stage is Stage.DRAINING and now - w.stage_since >= limits.graceful_timeout:
            actions.append(Kill(w.pid, f"still draining after graceful_timeout {limits.graceful_timeout:g}s"))
        elif w.stage is Stage.QUITTING and now - w.stage_since >= limits.quick_timeout:
            actions.append(Kill(w.pid, f"still alive {limits.quick_timeout:g}s after a quick stop"))
    return actions


def plan(fleet: Fleet, limits: Limits, now: float) -> list[Action]:
    """What the master should do now. Pure: reads ``fleet``, never mutates it."""
    actions = _deadline_actions(fleet, limits, now)
    aborted = {a.pid for a in actions if isinstance(a, Abort)}

    if fleet.stopping is not None:
        for w in fleet.workers.values():
            if w.pid in aborted:
                continue
            if fleet.stopping == "quick" and w.stage in (*LIVE, Stage.DRAINING):
                actions.append(Quit(w.pid, "quick stop"))
            elif fleet.stopping == "graceful" and w.stage in LIVE:
                actions.append(Drain(w.pid, "stop"))
        if not fleet.workers:
            code, reason = fleet.halt or (EXIT_OK, "stopped")
            actions.append(Halt(code, reason))
        return actions

    live = [w for w in fleet.workers.values() if w.stage in LIVE and w.pid not in aborted]
    current = [w for w in live if w.retire is None]
    booting = [w for w in current if w.stage is Stage.BOOTING]
    missing = fleet.target - len(current)
    if missing > 0 and now >= fleet.not_before:
        probing = not fleet.generation_ready or fleet.failures > 0
        allowed = 1 - len(booting) if probing else missing
        actions.extend(Spawn() for _ in range(max(0, min(missing, allowed))))

    ready = [w for w in live if w.stage is Stage.READY]
    surplus = len(ready) - fleet.target
    if surplus > 0:
        # retiring first, then the oldest: the youngest ready workers carry on
        order = sorted(ready, key=lambda w: (w.retire is None, w.spawned_at, w.pid))
        for w in order[:surplus]:
            actions.append(Drain(w.pid, w.retire or "too many workers"))
    return actions


def next_deadline(fleet: Fleet, limits: Limits, now: float) -> float:
    """The earliest time at which :func:`plan` could answer differently without any new event."""
    times = [fleet.not_before] if fleet.not_before > now else []
    for w in fleet.workers.values():
        if w.killed:
            continue
        if w.stage is Stage.ABORTING:
            times.append(w.stage_since + limits.kill_grace)
        else:
            times.append(w.last_beat + limits.timeout)
        if w.stage is Stage.DRAINING:
            times.append(w.stage_since + limits.graceful_timeout)
        elif w.stage is Stage.QUITTING:
            times.append(w.stage_since + limits.quick_timeout)
        if w.ready_at is not None and fleet.failures:
            times.append(w.ready_at + limits.min_uptime)
    return min(times, default=now + 1.0)

"""Metrics: counted in each worker, summed by the master, served in the Prometheus text format (``--metrics-bind``).

The three halves, each a plain object with no I/O of its own:

* :class:`Recorder`, in a worker, counts every finished exchange. It takes the place of the connection registry's
  access logger (the one call the connection makes per finished exchange, with the duration it measured) and
  hands each exchange on to the real access logger, if any. Per request it appends to two lists; the heartbeat
  folds them into counts (``bench/hello.py --servers prefork-cli,prefork-metrics`` measures what that costs).
* :meth:`Recorder.snapshot`, on the worker's heartbeat timer, turns the counts into *series*: a series is the text
  of one exposition line before its value, ``name{label="value",...}``, mapped to a number. Counters are
  cumulative since the worker started, so the master *replaces* a worker's values on every report: a report lost to
  a full pipe is made good by the next one, and nothing is counted twice. :meth:`Recorder.changes` keeps the report
  small by sending only what changed since the last report that went out.
* :class:`Aggregate`, in the master, holds each live worker's latest series and the sum of the counters of the
  workers that exited (folded in when the master reaps them, after it read their last report), so counters never
  go down while the master runs. Gauges (open connections, in-flight requests, websockets) count live workers only.
  :func:`render` writes the exposition text (https://prometheus.io/docs/instrumenting/exposition_formats/).

Cardinality is bounded: the ``route`` label is the route's pattern (``/users/{id}``) or, for a route without a
resource, its name; never the raw path. A request that matched no route is :data:`UNMATCHED`; the health path is
:data:`HEALTH`. Methods outside :data:`METHODS` are ``other``, statuses are classes (``2xx``).
"""

from __future__ import annotations

import bisect
import collections
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "BUCKETS",
    "FAMILIES",
    "HEALTH",
    "METHODS",
    "UNMATCHED",
    "Aggregate",
    "Recorder",
    "changes",
    "family_of",
    "label_value",
    "master_series",
    "render",
    "restart_reason",
    "route_label",
    "series",
]

# Seconds; the default buckets of the Prometheus client libraries, which suit web requests.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"})
UNMATCHED = "(unmatched)"
HEALTH = "(health)"
STAGES = ("booting", "ready", "draining", "quitting", "aborting")  # policy.Stage's values
_MAX_LABEL = 120  # a series must fit one pipe message (messages.PIPE_LIMIT) with room to spare

REQUESTS = "prefork_http_requests_total"
DURATION = "prefork_http_request_duration_seconds"
RECEIVED = "prefork_http_request_body_bytes_total"
SENT = "prefork_http_response_body_bytes_total"
IN_FLIGHT = "prefork_http_requests_in_flight"
CONNECTIONS = "prefork_connections"
WEBSOCKETS = "prefork_websocket_connections"
RESTARTS = "prefork_worker_restarts_total"
RSS = "prefork_worker_rss_bytes"
WORKERS = "prefork_workers"
STATE = "prefork_master_state"

# name -> (type, help); the order is the exposition's.
FAMILIES: dict[str, tuple[str, str]] = {
    REQUESTS: ("counter", "HTTP requests answered, by method, status class and route."),
    DURATION: ("histogram", "Seconds from a request's head to the end of its response (websocket sessions apart)."),
    RECEIVED: ("counter", "Request body bytes received."),
    SENT: ("counter", "Response body bytes sent."),
    IN_FLIGHT: ("gauge", "Requests being answered or queued on their connection (pipelining)."),
    CONNECTIONS: ("gauge", "Open client connections."),
    WEBSOCKETS: ("gauge", "Open websocket connections."),
    RESTARTS: ("counter", "Workers replaced, by reason: hup, max_requests, memory, crash, timeout."),
    RSS: ("gauge", "Resident memory of each live worker, bytes, as of its last heartbeat."),
    WORKERS: ("gauge", "Worker processes, by stage."),
    STATE: ("gauge", "The master's state: 1 for the current one of serving, reloading, draining."),
}
_CUMULATIVE = frozenset(name for name, (kind, _) in FAMILIES.items() if kind in ("counter", "histogram"))
_HISTOGRAM_PARTS = ("_bucket", "_sum", "_count")


def label_value(text: str) -> str:
    """Escape a label value for the text format: backslash, double quote and line feed."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def series(name: str, **labels: str) -> str:
    """``name{a="x",b="y"}``, labels in the order given, values escaped."""
    if not labels:
        return name
    inner = ",".join(f'{key}="{label_value(value)}"' for key, value in labels.items())
    return f"{name}{{{inner}}}"


def family_of(key: str) -> str:
    """The family a series belongs to: its name without labels, and without ``_bucket``/``_sum``/``_count`` for a
    histogram's parts."""
    name = key.partition("{")[0]
    if name not in FAMILIES:
        for suffix in _HISTOGRAM_PARTS:
            if name.endswith(suffix) and name[: -len(suffix)] in FAMILIES:
                return name[: -len(suffix)]
    return name


def route_label(route: Any) -> str:
    """The ``route`` label for what the router matched: its resource's pattern (``/users/{id}``), else its name,
    else :data:`UNMATCHED`; cut to a bounded length."""
    if route is None:
        return UNMATCHED
    if isinstance(route, str):
        return route
    label = None
    resource = getattr(route, "resource", None)
    if resource is not None:
        label = getattr(resource, "canonical", None)
    if not label:
        try:
            info = route.get_info()
        except Exception:  # a third-party route without get_info: its name, if any
            info = {}
        label = info.get("formatter") or info.get("path") or info.get("prefix")
    if not label:
        label = getattr(route, "name", None) or UNMATCHED
    return str(label)[:_MAX_LABEL]


def _status_class(status: int | None) -> str:
    return f"{status // 100}xx" if status is not None and 100 <= status <= 599 else "none"


class Recorder:
    """Counts finished exchanges in a worker; an access logger for the connection registry (``log``).

    ``access`` is the registry's real access logger, called after counting (None: no access log).

    :meth:`log` only appends: one tuple per exchange, one duration. The heartbeat's :meth:`snapshot` folds them
    into the counts with C-level tools (``Counter``, ``sort``, ``bisect``), so what each request pays is two list
    appends (``bench/README.md`` has the figure). Between two heartbeats (at most a second) the lists hold one entry
    per request, and a request body's stream object until it is counted.
    """

    __slots__ = ("access", "buckets", "duration_sum", "durations", "finished", "labels", "received", "requests", "sent")

    def __init__(self, access: Any = None) -> None:
        self.access = access
        self.finished: list[tuple[str, int | None, Any, int, Any]] = []
        self.durations: list[float] = []
        self.requests: dict[tuple[str, int | None, Any], int] = {}
        self.buckets = [0] * (len(BUCKETS) + 1)  # the last one is +Inf
        self.duration_sum = 0.0
        self.received = 0
        self.sent = 0
        self.labels: dict[Any, str] = {}  # route object -> its label, computed once per route

    def log(self, exchange: Any, duration: float) -> None:
        """Record one finished exchange; then the real access log line."""
        self.finished.append((exchange.method, exchange.status, exchange.route, exchange.bytes_sent, exchange.body))
        if not exchange.upgrade:  # a websocket session lasts minutes: it would swamp the request latencies
            self.durations.append(duration)
        access = self.access
        if access is not None:
            access.log(exchange, duration)

    def fold(self) -> None:
        """Fold what :meth:`log` recorded since the last call into the counts."""
        finished, self.finished = self.finished, []
        requests = self.requests
        # Equal tuples collapse: requests without a body share one empty stream; a body's stream is its own.
        for (method, status, route, sent, body), count in collections.Counter(finished).items():
            key = (method, status, route)
            requests[key] = requests.get(key, 0) + count
            self.sent += sent * count
            self.received += body.total_bytes * count
        durations, self.durations = self.durations, []
        if durations:
            durations.sort()
            below = 0
            for index, bound in enumerate(BUCKETS):
                upto = bisect.bisect_right(durations, bound)  # le: the bucket counts durations <= its bound
                self.buckets[index] += upto - below
                below = upto
            self.buckets[-1] += len(durations) - below
            self.duration_sum += math.fsum(durations)

    def snapshot(self, connections: Iterable[Any] = ()) -> dict[str, float]:
        """Every series of this worker now: the counters since it started, and the gauges read off ``connections``
        (the registry's protocols: their ``queue`` of exchanges; a websocket is an unfinished 101)."""
        self.fold()
        out: dict[str, float] = {}
        for (method, status, route), count in self.requests.items():
            label = self.labels.get(route)
            if label is None:
                label = self.labels[route] = route_label(route)
            key = series(
                REQUESTS, method=method if method in METHODS else "other", status=_status_class(status), route=label
            )
            out[key] = out.get(key, 0) + count
        running = 0
        for index, bound in enumerate(BUCKETS):
            running += self.buckets[index]
            out[series(f"{DURATION}_bucket", le=repr(bound))] = running
        running += self.buckets[-1]
        out[series(f"{DURATION}_bucket", le="+Inf")] = running
        out[f"{DURATION}_count"] = running
        out[f"{DURATION}_sum"] = self.duration_sum
        out[RECEIVED] = self.received
        out[SENT] = self.sent
        open_connections = in_flight = websockets = 0
        for protocol in connections:
            open_connections += 1
            queue = protocol.queue
            if queue:
                first = queue[0]
                if first.status == 101 and not first.finished:
                    websockets += 1
                    in_flight += len(queue) - 1
                else:
                    in_flight += len(queue)
        out[CONNECTIONS] = open_connections
        out[IN_FLIGHT] = in_flight
        out[WEBSOCKETS] = websockets
        return out


def changes(current: Mapping[str, float], sent: Mapping[str, float]) -> dict[str, float]:
    """The series of ``current`` whose value differs from what was last ``sent``."""
    return {key: value for key, value in current.items() if sent.get(key) != value}


def restart_reason(retire: str | None, verdict: str) -> str | None:
    """Why a reaped worker had to be replaced, for :data:`RESTARTS`: ``retire`` is the policy's mark (reload,
    max_requests, memory), ``verdict`` what its exit meant (``Fleet.exited``). None when it was not a restart (a
    stop, or TTOU lowering the count)."""
    if verdict == "timed-out":
        return "timeout"
    if verdict in ("crashed", "crash-loop", "boot-failed"):
        return "crash"
    if verdict == "expected" and retire is not None:
        return "hup" if retire == "reload" else retire
    return None


class Aggregate:
    """The master's view: each live worker's latest series plus the counters of the workers that exited."""

    def __init__(self) -> None:
        self.live: dict[int, dict[str, float]] = {}
        self.retired: dict[str, float] = {}
        self.restarts: dict[str, int] = dict.fromkeys(("hup", "max_requests", "memory", "crash", "timeout"), 0)

    def update(self, pid: int, values: Mapping[str, float]) -> None:
        """A worker's report: its cumulative values replace what it reported before."""
        self.live.setdefault(pid, {}).update(values)

    def retire(self, pid: int, reason: str | None = None) -> None:
        """The worker was reaped: fold its counters into the totals, forget its gauges; count the restart."""
        for key, value in self.live.pop(pid, {}).items():
            if family_of(key) in _CUMULATIVE:
                self.retired[key] = self.retired.get(key, 0) + value
        if reason is not None:
            self.restarts[reason] = self.restarts.get(reason, 0) + 1

    def totals(self) -> dict[str, float]:
        """Every worker series summed: counters over all workers ever, gauges over the live ones."""
        out = dict(self.retired)
        for values in self.live.values():
            for key, value in values.items():
                out[key] = out.get(key, 0) + value
        for reason, count in self.restarts.items():
            out[series(RESTARTS, reason=reason)] = count
        return out


def master_series(state: str, workers: Iterable[tuple[int, str, int]]) -> dict[str, float]:
    """The master's own gauges: ``state`` (serving, reloading, draining) and ``workers`` as (pid, stage, rss)."""
    out: dict[str, float] = {}
    for name in ("serving", "reloading", "draining"):
        out[series(STATE, state=name)] = 1 if name == state else 0
    stages = dict.fromkeys(STAGES, 0)  # every stage, 0 when empty: a series that vanishes reads as "no data"
    for pid, stage, rss in sorted(workers):
        stages[stage] = stages.get(stage, 0) + 1
        if rss:
            out[series(RSS, pid=str(pid))] = rss
    for stage, count in sorted(stages.items()):
        out[series(WORKERS, stage=stage)] = count
    return out


def _number(value: float) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 2**53):
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def render(values: Mapping[str, float]) -> bytes:
    """The text exposition format, version 0.0.4: ``# HELP`` and ``# TYPE`` once per family, then its series in a
    stable order (a histogram's buckets in ``le`` order, then its sum and count). Unknown families are left out."""
    by_family: dict[str, list[tuple[str, float]]] = {}
    for key, value in values.items():
        by_family.setdefault(family_of(key), []).append((key, value))
    lines = []
    for name, (kind, text) in FAMILIES.items():
        rows = by_family.get(name)
        if not rows and kind != "histogram":
            continue
        lines.append(f"# HELP {name} {text}")
        lines.append(f"# TYPE {name} {kind}")
        if kind == "histogram":
            rows = rows or []
            buckets = {key: value for key, value in rows if key.startswith(f"{name}_bucket")}
            order = [series(f"{name}_bucket", le=repr(b)) for b in BUCKETS] + [series(f"{name}_bucket", le="+Inf")]
            rows = [(key, buckets.get(key, 0)) for key in order]
            rows += [(f"{name}_sum", values.get(f"{name}_sum", 0)), (f"{name}_count", values.get(f"{name}_count", 0))]
        else:
            rows.sort()
        lines.extend(f"{key} {_number(value)}" for key, value in rows)
    return ("\n".join(lines) + "\n").encode()

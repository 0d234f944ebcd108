"""supervisor/metrics.py: counting in a worker, the master's sums across restarts, and the text format.

Like test_policy.py, these drive the pure objects with made-up pids; the exchanges are plain records with the
attributes the recorder reads (a real server's are counted in test_metrics_process.py, a real Prometheus reads the
text in tests/deploy/test_prometheus.py).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from supervisor.messages import PIPE_LIMIT, Decoder, Stats, encode, stats_messages
from supervisor.metrics import (
    HEALTH,
    UNMATCHED,
    Aggregate,
    Recorder,
    changes,
    family_of,
    master_series,
    render,
    restart_reason,
    route_label,
    series,
)
from web import Application, Response


async def _ok(request):
    return Response(text="ok")


def _routes():
    app = Application()
    user = app.router.add_route("GET", "/users/{id}", _ok)
    named = app.router.add_route("GET", "/a", _ok, name="a")
    return user, named


class Body:
    """A request body stream as the recorder sees it: hashable by identity, with ``total_bytes``."""

    def __init__(self, total_bytes):
        self.total_bytes = total_bytes


EMPTY = Body(0)  # the server shares one stream between every request without a body


def exchange(method="GET", status=200, route=None, body_bytes=0, sent=2, upgrade=False):
    body = Body(body_bytes) if body_bytes else EMPTY
    return SimpleNamespace(method=method, status=status, route=route, bytes_sent=sent, body=body, upgrade=upgrade)


class Access:
    def __init__(self):
        self.lines = []

    def log(self, exchange, duration):
        self.lines.append((exchange.status, duration))


def test_requests_are_counted_by_method_status_class_and_route_pattern_never_the_path():
    user, named = _routes()
    recorder = Recorder()
    for status in (200, 201, 404):
        recorder.log(exchange(route=user, status=status), 0.001)
    recorder.log(exchange(route=named), 0.001)
    recorder.log(exchange(method="PROPFIND", status=404), 0.001)
    recorder.log(exchange(status=None), 0.001)
    values = recorder.snapshot()
    requests = {k: v for k, v in values.items() if k.startswith("prefork_http_requests_total")}
    assert requests == {
        series("prefork_http_requests_total", method="GET", status="2xx", route="/users/{id}"): 2,
        series("prefork_http_requests_total", method="GET", status="4xx", route="/users/{id}"): 1,
        series("prefork_http_requests_total", method="GET", status="2xx", route="/a"): 1,
        series("prefork_http_requests_total", method="other", status="4xx", route=UNMATCHED): 1,
        series("prefork_http_requests_total", method="GET", status="none", route=UNMATCHED): 1,
    }


def test_route_labels_are_bounded_and_escaped():
    assert route_label(None) == UNMATCHED
    assert route_label(HEALTH) == HEALTH
    assert len(route_label(SimpleNamespace(resource=SimpleNamespace(canonical="/" + "x" * 500)))) == 120
    line = series("m", route='/a"b\\c\nd')
    assert line == 'm{route="/a\\"b\\\\c\\nd"}'
    assert "\n" not in line


def test_duration_histogram_bytes_and_the_real_access_log():
    access = Access()
    recorder = Recorder(access)
    recorder.log(exchange(body_bytes=64, sent=10), 0.003)
    recorder.log(exchange(sent=5), 0.2)
    recorder.log(exchange(sent=0), 0.005)  # on a bound: counted in that bucket (le: less than or equal)
    recorder.log(exchange(sent=1), 30.0)
    recorder.log(exchange(status=101, upgrade=True, sent=0), 600.0)  # a websocket session: not a latency
    values = recorder.snapshot()
    assert values['prefork_http_request_duration_seconds_bucket{le="0.005"}'] == 2
    assert values['prefork_http_request_duration_seconds_bucket{le="0.25"}'] == 3
    assert values['prefork_http_request_duration_seconds_bucket{le="10.0"}'] == 3
    assert values['prefork_http_request_duration_seconds_bucket{le="+Inf"}'] == 4
    assert values["prefork_http_request_duration_seconds_count"] == 4
    assert values["prefork_http_request_duration_seconds_sum"] == pytest.approx(30.208)
    assert values["prefork_http_request_body_bytes_total"] == 64
    assert values["prefork_http_response_body_bytes_total"] == 16
    assert [status for status, _ in access.lines] == [200, 200, 200, 200, 101]


def test_gauges_are_read_off_the_open_connections():
    websocket = SimpleNamespace(status=101, finished=False)
    answering = SimpleNamespace(status=None, finished=False)
    connections = [
        SimpleNamespace(queue=[]),  # idle keep-alive
        SimpleNamespace(queue=[answering, answering]),  # one answering, one pipelined
        SimpleNamespace(queue=[websocket]),
    ]
    values = Recorder().snapshot(connections)
    assert values["prefork_connections"] == 3
    assert values["prefork_http_requests_in_flight"] == 2
    assert values["prefork_websocket_connections"] == 1


def test_a_report_carries_only_what_changed_since_the_last_one_sent():
    recorder = Recorder()
    recorder.log(exchange(), 0.001)
    first = recorder.snapshot()
    recorder.log(exchange(status=500), 0.001)
    second = recorder.snapshot()
    delta = changes(second, first)
    assert series("prefork_http_requests_total", method="GET", status="5xx", route=UNMATCHED) in delta
    assert series("prefork_http_requests_total", method="GET", status="2xx", route=UNMATCHED) not in delta
    assert changes(second, second) == {}


def test_reports_fit_atomic_pipe_writes_and_survive_the_pipe():
    values = {series("prefork_http_requests_total", route=f"/r/{i}/" + "y" * 100): i * 7 for i in range(40)}
    values["prefork_http_request_duration_seconds_sum"] = 12.5
    messages = stats_messages(values)
    assert len(messages) > 1
    wire = b"".join(encode(m) for m in messages)
    assert all(len(encode(m)) < PIPE_LIMIT for m in messages)
    got = {}
    for message in Decoder().feed(wire):
        got.update(message.items)
    assert got == values


def test_a_series_with_a_line_break_is_refused_by_the_master():
    assert Decoder().feed(b'{"t":"stats","s":[["x\\ny 1\\nz",1]]}\n') == []
    assert Decoder().feed(b'{"t":"stats","s":[["x","1"]]}\n') == []
    assert Decoder().feed(b'{"t":"stats","s":[["x",2]]}\n') == [Stats((("x", 2),))]


REQ = series("prefork_http_requests_total", method="GET", status="2xx", route="/")


def test_counters_survive_restarts_without_loss_or_double_counting():
    totals = Aggregate()
    totals.update(101, {REQ: 5, "prefork_connections": 3})
    totals.update(101, {REQ: 9})  # a later report replaces, never adds
    totals.update(102, {REQ: 1, "prefork_connections": 1})
    assert totals.totals()[REQ] == 10 and totals.totals()["prefork_connections"] == 4
    totals.update(101, {REQ: 12})  # its final report, read before it is reaped
    totals.retire(101, "max_requests")
    totals.retire(101, None)  # reaping twice (or an unknown pid) changes nothing
    values = totals.totals()
    assert values[REQ] == 13
    assert values["prefork_connections"] == 1  # a gauge leaves with its worker
    assert values[series("prefork_worker_restarts_total", reason="max_requests")] == 1
    totals.update(103, {REQ: 2})
    assert totals.totals()[REQ] == 15


@pytest.mark.parametrize(
    ("retire", "verdict", "reason"),
    [
        ("reload", "expected", "hup"),
        ("max_requests", "expected", "max_requests"),
        ("memory", "expected", "memory"),
        (None, "crashed", "crash"),
        (None, "crash-loop", "crash"),
        (None, "boot-failed", "crash"),
        (None, "timed-out", "timeout"),
        ("reload", "timed-out", "timeout"),
        (None, "expected", None),  # a stop or TTOU: not a restart
    ],
)
def test_restart_reasons(retire, verdict, reason):
    assert restart_reason(retire, verdict) == reason


def test_family_of_a_histogram_part():
    histogram = "prefork_http_request_duration_seconds"
    assert family_of(f'{histogram}_bucket{{le="0.1"}}') == histogram
    assert family_of(f"{histogram}_sum") == histogram
    assert family_of('prefork_http_requests_total{method="GET"}') == "prefork_http_requests_total"


LINE = re.compile(r'^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$')


def test_the_text_format_has_help_and_type_once_per_family_and_valid_lines():
    recorder = Recorder()
    recorder.log(exchange(route=_routes()[0]), 0.02)
    totals = Aggregate()
    totals.update(7, recorder.snapshot())
    values = totals.totals()
    values.update(master_series("reloading", [(7, "ready", 30_000_000), (8, "booting", 0)]))
    text = render(values).decode()
    assert text.endswith("\n")
    families = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(families) == len(set(families))
    for line in text.splitlines():
        assert line.startswith("# ") or LINE.match(line), line
    assert 'prefork_master_state{state="reloading"} 1' in text
    assert 'prefork_master_state{state="serving"} 0' in text
    assert 'prefork_worker_rss_bytes{pid="7"} 30000000' in text
    assert 'prefork_workers{stage="booting"} 1' in text
    buckets = [line for line in text.splitlines() if line.startswith("prefork_http_request_duration_seconds_bucket")]
    assert buckets[-1] == 'prefork_http_request_duration_seconds_bucket{le="+Inf"} 1'
    assert [int(b.rsplit(" ", 1)[1]) for b in buckets] == sorted(int(b.rsplit(" ", 1)[1]) for b in buckets)


def test_an_empty_master_renders_a_valid_histogram():
    text = render({}).decode()
    assert "prefork_http_request_duration_seconds_count 0" in text


def test_every_worker_stage_has_a_series_even_when_empty():
    from supervisor.metrics import STAGES
    from supervisor.policy import Stage

    assert set(STAGES) == {stage.value for stage in Stage}
    values = master_series("serving", [(7, "ready", 1)])
    assert values['prefork_workers{stage="ready"}'] == 1
    assert values['prefork_workers{stage="draining"}'] == 0

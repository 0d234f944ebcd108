"""json_response's default serialisation against ``json.dumps`` itself: the same text, the same errors.

json_response calls the stdlib's C encoder directly when ``dumps`` is ``json.dumps`` (web/response.py); these tests
check it byte for byte against ``json.dumps`` over JSON-like values, and that what json.dumps refuses it refuses
with the same exception and message.
"""

from __future__ import annotations

import decimal
import enum
import json
import math
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import web


class _Str(str):
    pass


class _Int(int):
    pass


class _Float(float):
    pass


class _Colour(enum.IntEnum):
    RED = 1


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.text().map(_Str)
    | st.integers().map(_Int)
    | st.floats().map(_Float)
    | st.just(_Colour.RED)
)
_KEYS = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(_KEYS, inner, max_size=5)
        | st.dictionaries(st.text(), inner, max_size=5).map(OrderedDict)
    ),
    max_leaves=30,
)


def _body(data: Any) -> str:
    return web.json_response(data).text


@settings(max_examples=200, deadline=None)
@given(_VALUES.filter(lambda data: data is not None))  # data=None is "no data": an empty body
def test_json_response_serialises_as_json_dumps(data) -> None:
    assert _body(data) == json.dumps(data)


def _circular_list() -> list[Any]:
    value: list[Any] = [1]
    value.append(value)
    return value


def _circular_dict() -> dict[str, Any]:
    value: dict[str, Any] = {"a": 1}
    value["self"] = {"inner": [value]}
    return value


@pytest.mark.parametrize(
    "data",
    [
        _circular_list(),
        _circular_dict(),
        {"x": object()},
        [1, {2, 3}],
        b"bytes",
        decimal.Decimal("1.5"),
        {(1, 2): "tuple key"},
        {"deep": [[[[complex(1, 2)]]]]},
    ],
    ids=["circular list", "circular dict", "object", "set", "bytes", "decimal", "tuple key", "complex"],
)
def test_json_response_refuses_what_json_dumps_refuses(data) -> None:
    with pytest.raises(Exception) as expected:
        json.dumps(data)
    with pytest.raises(type(expected.value)) as got:
        web.json_response(data)
    assert str(got.value) == str(expected.value)


def test_a_refused_value_leaves_no_trace_for_the_next_call() -> None:
    # The circular-reference markers are each call's own: an error half-way leaves the next call unaffected.
    shared = [1, 2]
    with pytest.raises(TypeError):
        web.json_response([shared, object()])
    assert _body([shared, shared]) == "[[1, 2], [1, 2]]"


@settings(max_examples=100, deadline=None)
@given(st.lists(_VALUES | st.sampled_from(["circular", "object"]), min_size=1, max_size=8))
def test_calls_in_a_row_answer_as_json_dumps_whatever_the_calls_before_raised(values) -> None:
    # Encoders are reused from call to call (web/response.py _ENCODERS): one that raised must leave no marker behind.
    shared = [1, [2]]
    # The same containers each time: a marker left behind by a call that raised would be found by the next.
    refused = {"circular": [shared, _circular_list()], "object": [shared, {"x": object()}]}
    for value in values:
        data = refused[value] if isinstance(value, str) and value in refused else value
        try:
            expected: Any = json.dumps(data)
        except Exception as exc:
            expected = (type(exc), str(exc))
        try:
            got: Any = web.json_response(data).text if data is not None else json.dumps(data)
        except Exception as exc:
            got = (type(exc), str(exc))
        assert got == expected
        assert _body([shared, shared]) == json.dumps([shared, shared])


class _Items(dict):  # type: ignore[type-arg]
    """A dict whose items() (which the C encoder calls for a dict subclass) runs ``hook`` first."""

    hook: Any = None

    def items(self) -> Any:
        type(self).hook()
        return super().items()


def test_a_call_made_while_another_encodes_has_an_encoder_of_its_own(monkeypatch) -> None:
    shared = _Items(a=[1])
    inner: list[str] = []

    def hook() -> None:
        if not inner:
            inner.append("")  # once: the inner call's own items() call comes here too
            inner[0] = _body(shared)

    monkeypatch.setattr(_Items, "hook", staticmethod(hook))
    assert _body([shared, shared]) == '[{"a": [1]}, {"a": [1]}]'
    assert inner == ['{"a": [1]}']  # the same dict, encoded again inside the outer call: not circular


def test_threads_encoding_one_document_at_once_each_have_an_encoder_of_their_own(monkeypatch) -> None:
    import threading

    barrier = threading.Barrier(2, timeout=10)
    monkeypatch.setattr(_Items, "hook", staticmethod(barrier.wait))  # both threads inside their encoder at once
    shared = _Items(a=[1])
    results: list[Any] = []

    def encode() -> None:
        try:
            results.append(_body({"doc": shared}))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=encode) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ['{"doc": {"a": [1]}}'] * 2


def test_nan_and_infinities_are_written_as_json_dumps_writes_them() -> None:
    assert _body([math.nan, math.inf, -math.inf]) == "[NaN, Infinity, -Infinity]"


def test_a_dumps_of_its_own_is_called() -> None:
    seen: list[Any] = []

    def dumps(data: Any) -> str:
        seen.append(data)
        return '"mine"'

    assert web.json_response({"a": 1}, dumps=dumps).text == '"mine"' and seen == [{"a": 1}]
    assert web.json_response({"a": 1}, dumps=lambda d: json.dumps(d, indent=2)).text == '{\n  "a": 1\n}'


def _made(make: Any) -> tuple[Any, ...]:
    """What ``make()`` returns (the instance's own attributes) or raises (type and message)."""
    try:
        response = make()
    except Exception as exc:
        return type(exc), str(exc)
    return type(response), vars(response)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({}, '{"a": "b"}'),
        ({"content_type": "application/problem+json"}, '{"a": "b"}'),
        ({"content_type": "text/json; charset=latin-1"}, '{"a": "b"}'),  # refused: charset in content_type
        ({"content_type": "a/b\r\nX-Evil: 1"}, '{"a": "b"}'),  # refused: CR LF
        ({"content_type": None}, '{"a": "b"}'),  # not a str: the call itself
        ({}, '"\ud800"'),  # refused: a lone surrogate cannot be encoded
        ({}, ""),
    ],
)
def test_json_response_builds_what_response_builds_from_the_text(kwargs, text) -> None:
    # json_response builds Response(text=..., content_type=...)'s fast-path instance without the call.
    content_type = kwargs.get("content_type", "application/json")
    built = _made(lambda: web.json_response(text=text, **kwargs))
    called = _made(lambda: web.Response(text=text, content_type=content_type))
    assert built == called

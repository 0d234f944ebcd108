"""``request.json()``'s orjson path against ``json.loads`` itself: the same value, type for type, or the same error.

web/jsonbody.py parses a UTF-8 body with orjson only where orjson's answer cannot differ from
``json.loads(body.decode())``; elsewhere ``Request.json`` runs the stdlib as before. These tests drive both on
generated and hand-picked bodies: ``parse`` against ``json.loads``, ``Request.json`` with the fast path against
``Request.json`` with it switched off (at every stack depth near the recursion limit too), and a real server.
"""

from __future__ import annotations

import asyncio
import json
import operator
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import web
import web.jsonbody
from web.jsonbody import parse
from web.mocked import make_mocked_request

ROOT = Path(__file__).resolve().parents[2]
UNPARSED = object()


def tagged(value: Any) -> Any:
    """``value`` with every scalar tagged by its type: 1, 1.0 and True differ, NaN equals NaN, -0.0 is not 0.0."""
    if isinstance(value, dict):
        return ("dict", [(key, tagged(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [tagged(item) for item in value])
    return (type(value).__name__, repr(value))


def outcome(call: Any) -> Any:
    """What ``call()`` returns (tagged) or raises (type, message and arguments)."""
    try:
        return ("value", tagged(call()))
    except Exception as exc:
        return ("raises", type(exc), str(exc), exc.args)


def stdlib(body: bytes) -> Any:
    return json.loads(body.decode())


def fast(body: bytes) -> Any:
    """What Request.json's default does with a UTF-8 body: orjson's answer, or the stdlib's where parse declines."""
    value = parse(body, UNPARSED)
    return stdlib(body) if value is UNPARSED else value


# Pieces of JSON and of what is not quite JSON, joined at random.
_TOKENS = (
    *(b"[", b"]", b"{", b"}", b",", b":", b'"', b'"a"', b"\\", b"1", b"-", b"0", b".", b"e", b"E", b"+"),
    *(b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\x00", b"\x1f", b"\x7f", b"true", b"null", b"NaN"),
    *(b"Infinity", b"\\u00e9", b"\\ud800", b"\\udc00", b"\\ud83d\\ude00", b"\xef\xbb\xbf", b"\xff"),
    *(b"\xc3\xa9", b"\xed\xa0\x80", b"1234567890", b"99999999", b"1e400", b"5e-324"),
)


def _json_texts() -> st.SearchStrategy[bytes]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.integers(min_value=-(2**65), max_value=2**65)
        | st.floats()
        | st.text()
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
        max_leaves=20,
    )
    dumped = st.builds(
        lambda value, ascii_only, indent: json.dumps(value, ensure_ascii=ascii_only, indent=indent),
        values,
        st.booleans(),
        st.none() | st.integers(0, 2),
    ).map(lambda text: text.encode("utf-8", "surrogatepass"))  # a lone surrogate unescaped is invalid UTF-8
    digits = st.text("0123456789", min_size=1, max_size=40)
    numbers = st.builds(
        lambda sign, whole, frac, exp: (sign + whole + frac + exp).encode(),
        st.sampled_from(["", "-", "+"]),
        digits | st.just("0"),
        st.just("") | digits.map(lambda d: "." + d) | st.just("."),
        st.just("")
        | st.builds(lambda e, s, d: e + s + d, st.sampled_from("eE"), st.sampled_from(["", "+", "-"]), digits),
    )
    tokens = st.lists(st.sampled_from(_TOKENS), max_size=30).map(b"".join)
    return dumped | numbers | numbers.map(lambda n: b"[" + n + b"]") | tokens | st.binary(max_size=40)


EDGES = [
    b"",
    b" ",
    b"\xef\xbb\xbf{}",
    b"\xef\xbb\xbf",
    b"\xff",
    b'"\xed\xa0\x80"',
    b'"\xc3"',
    b"-0",
    b"-0.0",
    b"0.0",
    b"-0e0",
    b"1E+2",
    b"1e2",
    b"1e-2",
    b"1E400",
    b"-1e400",
    b"1e-400",
    b"-1e-400",
    b"5e-324",
    b"4.9406564584124654e-324",
    b"2.4703282292062327e-324",
    b"2.4703282292062328e-324",
    b"2.2250738585072011e-308",
    b"2.2250738585072014e-308",
    b"1.7976931348623157e308",
    b"1.7976931348623158e308",
    b"1.7976931348623159e308",
    b"0.1000000000000000055511151231257827",
    b"123456789012345678",
    b"-123456789012345678",
    b"999999999999999999",
    b"1234567890123456789",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b"18446744073709551615",
    b"18446744073709551616",
    b"123456789012345678901234567890",
    b"1" * 5000,
    b'"12345678901234567890"',
    b"1e000000000000000001",
    b"1.000000000000000000000000001",
    b"NaN",
    b"-NaN",
    b"Infinity",
    b"-Infinity",
    b"[NaN, Infinity, -Infinity]",
    b'"\\ud800"',
    b'"\\udc00\\ud800"',
    b'"\\ud83d\\ude00"',
    b'"\\u00E9\\/\\b\\f\\n\\r\\t"',
    b'"\x00"',
    b'"\x1f"',
    b'"\x7f"',
    b'"\t"',
    b'{"a": 1, "b": 2, "a": 3}',
    b'{"a": 1, "a": 1.0}',
    b"[1,]",
    b"01",
    b".5",
    b"1.",
    b"+1",
    b"tru",
    b"[] []",
    b"\x0c[]",
    b"[]\x0b",
    b" \t\r\n[1] \t\r\n",
    b"[" * 1024 + b"]" * 1024,
    b"[" * 1025 + b"]" * 1025,
    b"[" * 3000 + b"]" * 3000,
]


@pytest.mark.parametrize("body", EDGES, ids=lambda body: repr(body[:40]))
def test_edge_cases_as_json_loads(body):
    assert outcome(lambda: fast(body)) == outcome(lambda: stdlib(body))


@settings(max_examples=1500, deadline=None)
@given(_json_texts())
@example(b"[18446744073709551616]")
@example(b'{"big": -9223372036854775809}')
def test_generated_bodies_as_json_loads(body):
    assert outcome(lambda: fast(body)) == outcome(lambda: stdlib(body))


# Numbers orjson parses itself (no run of 19 digits): its float rounding against the stdlib's, at the exponents'
# edges (subnormals, overflow) too.
_FLOATS = st.builds(
    lambda sign, whole, frac, marker, exp: f"{sign}{whole}{frac}{marker}{exp}".encode(),
    st.sampled_from(["", "-"]),
    st.text("0123456789", min_size=1, max_size=18).filter(lambda d: d == "0" or d[0] != "0"),
    st.just("") | st.text("0123456789", min_size=1, max_size=18).map(lambda d: "." + d),
    st.sampled_from(["e", "E", "e+", "E-", "e-"]),
    st.integers(0, 400),
)


@settings(max_examples=1000, deadline=None)
@given(_FLOATS)
@example(b"9007199254740993")
@example(b"9007199254740993.0")
@example(b"2.225073858507201e-308")
@example(b"1.7976931348623158e+308")
def test_float_rounding_as_json_loads(body):
    assert outcome(lambda: fast(body)) == outcome(lambda: stdlib(body))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"[1, 12345678901234567890]", "19 digits: orjson would give a float for a big integer"),
        (b'["1234567890123456789"]', "19 digits in a string: the guard is on bytes"),
        (b"1e400", "orjson refuses infinity"),
        (b"NaN", "orjson refuses NaN"),
        (b'"\\ud800"', "orjson refuses a lone surrogate"),
        (b"\xef\xbb\xbf{}", "orjson refuses a BOM"),
        (b"[" * 1025 + b"]" * 1025, "orjson's depth limit"),
        (b"[" * 990 + b"]" * 990, "deeper than the recursion budget left"),
    ],
)
def test_parse_declines(body, why):
    assert parse(body, UNPARSED) is UNPARSED, why


def test_parse_takes_an_ordinary_document():
    assert parse(b'{"a": [1, 2.5, "x", null, true]}', UNPARSED) == {"a": [1, 2.5, "x", None, True]}


def _run(coro: Any) -> Any:
    """Drive ``coro`` to its end without a loop (request.json() on a body that has arrived whole never waits)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("request.json() waited")


_LOOP: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="module", autouse=True)
def _loop():
    # One loop for the module's mocked requests (never run: their bodies have arrived whole), closed at its end.
    _LOOP.append(asyncio.new_event_loop())
    yield
    _LOOP.pop().close()


def _request(body: bytes, content_type: str | None) -> web.Request:
    headers = {} if content_type is None else {"Content-Type": content_type}
    return make_mocked_request("POST", "/", headers, payload=body, loop=_LOOP[0])


CONTENT_TYPES = [
    None,
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=UTF8",
    "application/json; charset=utf-8-sig",
    "application/json; charset=latin-1",
    "text/plain; charset=utf-16",
]


def _both(body: bytes, content_type: str | None, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> tuple[Any, Any]:
    """Request.json(**kwargs)'s outcome with the orjson path, and with it switched off."""
    with_fast = outcome(lambda: _run(_request(body, content_type).json(**kwargs)))
    with monkeypatch.context() as patch:
        patch.setattr(web.jsonbody, "_orjson_loads", None)
        general = outcome(lambda: _run(_request(body, content_type).json(**kwargs)))
    return with_fast, general


@settings(max_examples=300, deadline=None)
@given(_json_texts() | st.sampled_from(EDGES[:-3]), st.sampled_from(CONTENT_TYPES))
def test_request_json_as_without_orjson(body, content_type):
    with pytest.MonkeyPatch.context() as monkeypatch:
        with_fast, general = _both(body, content_type, monkeypatch)
    assert with_fast == general


@pytest.mark.parametrize("body", [b"[1, 2]", b"NaN", b"12345678901234567890123", b"{bad", b"\xff"])
@pytest.mark.parametrize(
    "kwargs", [{}, {"loads": json.loads}, {"loader": json.loads}, {"loads": json.JSONDecoder().decode}]
)
def test_request_json_loads_arguments(body, kwargs, monkeypatch):
    with_fast, general = _both(body, "application/json", monkeypatch, **kwargs)
    assert with_fast == general


def test_a_loads_of_ones_own_is_called_with_the_text():
    seen = []
    assert _run(_request(b"[1]", None).json(loads=lambda text: seen.append(text) or 7)) == 7
    assert seen == ["[1]"]


def test_a_patched_json_loads_is_called(monkeypatch):
    seen = []
    monkeypatch.setattr(json, "loads", lambda text: seen.append(text) or 8)
    assert _run(_request(b"[1]", None).json()) == 8
    assert seen == ["[1]"]


def _at_depth(levels: int, call: Any, through_c: bool) -> Any:
    # ``levels`` more frames below the caller (each entered from C when ``through_c``: from Python 3.12 that spends
    # the C recursion budget too, as json's scanner does), then what ``call`` returns or raises (its outcome is
    # formatted back up the stack).
    if levels:
        if through_c:
            return operator.call(_at_depth, levels - 1, call, through_c)
        return _at_depth(levels - 1, call, through_c)
    try:
        return ("value", call())
    except Exception as exc:
        return ("raises", exc)


def _deep_outcome(levels: int, call: Any, through_c: bool) -> Any:
    kind, result = _at_depth(levels, call, through_c)
    return outcome(lambda: result) if kind == "value" else ("raises", type(result), str(result), result.args)


def _deepest(through_c: bool) -> int:
    # The most levels _at_depth descends before RecursionError stops it.
    low, high = 0, 20_000
    while low < high:
        middle = (low + high + 1) // 2
        try:
            _at_depth(middle, lambda: None, through_c)
        except RecursionError:
            high = middle - 1
        else:
            low = middle
    return low


@pytest.mark.parametrize("through_c", [False, True], ids=["python-frames", "c-entries"])
@pytest.mark.parametrize("nesting", [1, 20, 60, 100])
def test_recursion_near_the_limit_as_without_orjson(nesting, through_c, monkeypatch):
    # json.loads raises RecursionError when the body nests deeper than the recursion budget left, which orjson does
    # not consult: at every stack depth near the limit, the fast path must raise it exactly where the stdlib does.
    body = b'{"a": ' * nesting + b"[1]" + b"}" * nesting
    limit = sys.getrecursionlimit()
    # Low enough for the Python budget to run out first; through C, high enough for the C budget to (from 3.12).
    sys.setrecursionlimit(3000 if through_c else 400)
    try:
        assert parse(body, UNPARSED) is not UNPARSED  # orjson's path is taken at this depth
        results = []
        deepest = _deepest(through_c)
        for levels in range(max(0, deepest - 300), deepest + 1):
            # The request and its json() coroutine made up here: only the coroutine runs down there, at each depth
            # (closed after, in case the descent stopped before it started).
            fast_json = _request(body, None).json()
            fast_outcome = _deep_outcome(levels, lambda coro=fast_json: _run(coro), through_c)
            fast_json.close()
            general_json = _request(body, None).json()
            with monkeypatch.context() as patch:
                patch.setattr(web.jsonbody, "_orjson_loads", None)
                general = _deep_outcome(levels, lambda coro=general_json: _run(coro), through_c)
            general_json.close()
            results.append((fast_outcome[0], general[0]))
            assert fast_outcome == general, levels
    finally:
        sys.setrecursionlimit(limit)
    assert ("value", "value") in results
    assert ("raises", "raises") in results


def test_without_orjson_the_stdlib_parses():
    # orjson is a dependency, but an install without it must still answer request.json(): parse declines always.
    code = """
import asyncio, sys
sys.modules["orjson"] = None  # import orjson raises ImportError
import web, web.jsonbody
from web.mocked import make_mocked_request

async def main():
    request = make_mocked_request("POST", "/", payload=b'{"a": [1, 2.5]}')
    print(await request.json(), web.jsonbody._orjson_loads)

asyncio.run(main())
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, cwd=ROOT, env=env
    )
    assert out.stdout.strip() == "{'a': [1, 2.5]} None"


async def test_through_a_server(make_server):
    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            value = await request.json()
        except ValueError as exc:
            return web.json_response({"error": type(exc).__name__, "message": str(exc)}, status=400)
        return web.json_response({"repr": repr(value), "types": [type(item).__name__ for item in value]})

    app = web.Application()
    app.router.add_route("POST", "/", handler)
    srv = await make_server(app)
    big = 123456789012345678901234567890
    async with aiohttp.ClientSession() as session:
        async with session.post(srv.url("/"), data=b"[%d, -9223372036854775809]" % big) as resp:
            assert await resp.json() == {"repr": f"[{big}, -9223372036854775809]", "types": ["int", "int"]}
        async with session.post(srv.url("/"), data=b"[NaN, 1e400, -0]") as resp:
            assert await resp.json() == {"repr": "[nan, inf, 0]", "types": ["float", "float", "int"]}
        async with session.post(srv.url("/"), json={"a": 1}, headers={"Content-Type": "application/json"}) as resp:
            assert await resp.json() == {"repr": "{'a': 1}", "types": ["str"]}
        async with session.post(srv.url("/"), data=b"[1, 2.5, true]") as resp:
            assert await resp.json() == {"repr": "[1, 2.5, True]", "types": ["int", "float", "bool"]}
        async with session.post(srv.url("/"), data=b"[1,]") as resp:
            assert resp.status == 400
            expected = outcome(lambda: json.loads("[1,]"))[2]  # its words vary with the Python version
            assert await resp.json() == {"error": "InvalidJSONBody", "message": expected}

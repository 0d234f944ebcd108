"""``request.json()``'s default parse on orjson, where orjson returns exactly what ``json.loads`` returns.

orjson (a C/Rust library, well kept) parses a JSON body about twice as fast as the stdlib's ``json.loads``. It is
used only where its answer cannot differ from ``json.loads(data.decode())``; everything else goes to the stdlib,
which then returns or raises exactly what it always did:

- orjson turns an integer beyond 64 bits into a float, silently (``18446744073709551616`` -> ``1.8e19``). Every
  integer of at most 18 digits fits in an i64, so a body with a run of 19 ASCII digits anywhere (in a string too:
  the test is on bytes) goes to the stdlib.
- orjson refuses what ``json.loads`` accepts (``NaN``, ``Infinity``, ``1e400``, lone surrogate escapes, a BOM's
  error message, nesting deeper than 1024): any orjson error goes to the stdlib.
- ``json.loads`` raises ``RecursionError`` for nesting deeper than the interpreter's remaining recursion budget
  (about 970 levels under the default limit of 1000 on Python 3.11), which orjson does not consult: orjson's answer
  is kept only after a C recursion as deep as the body can nest (its count of ``[`` and ``{``, capped at orjson's
  1024) and as many Python frames as json.loads's own have succeeded here. (From Python 3.12 the two are separate
  budgets; the probe spends each the way json.loads does. Python 3.14 counts the C stack in bytes instead, where
  isinstance's levels and the scanner's differ: the probe needs measuring again there.)

orjson is imported with this module, which ``Request.json`` imports on its first call: a worker that never parses
JSON holds neither.
"""

from __future__ import annotations

import sys
from typing import Any

try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - orjson is a dependency; without it the stdlib parses every body
    _orjson_loads = None

__all__ = ["parse"]

# Each byte mapped to its class for the two checks below: ASCII digits to 0, an opening bracket to [, others to x.
_CLASSES = bytes(0x30 if 0x30 <= b <= 0x39 else 0x5B if b in b"[{" else 0x78 for b in range(256))
_NINETEEN_DIGITS = b"0" * 19
# orjson's own depth limit: a document it parses nests at most this deep.
_ORJSON_MAX_DEPTH = 1024
# The stdlib's extra levels before its first container (json.loads, decode, raw_decode, the scanner's call) and the
# probe's own frame, with room to spare: a probe that fails although json.loads would not only costs speed.
_MARGIN = 16
# json.loads's Python frames (json.loads, JSONDecoder.decode, raw_decode) and one to spare, below parse's own. They
# spend a budget of their own from Python 3.12; on 3.11 the one budget is the C probe's.
_PYTHON_FRAMES = 4
_SEPARATE_BUDGETS = sys.version_info >= (3, 12)
# _NESTS[n] is a tuple nested n deep: isinstance() recurses into a tuple of classes one recursion level per tuple,
# in C (about 25 instructions a level, where a Python function's frame costs over 300). Grown on demand.
_NESTS: list[tuple[Any, ...]] = [()]


def _descend(levels: int) -> None:
    # One Python frame a level: the Python recursion budget json.loads's own frames spend.
    if levels:
        _descend(levels - 1)


def _grow_nests(depth: int) -> None:
    nests = _NESTS
    while len(nests) <= depth:
        nests.append((nests[-1],))


def parse(data: bytes, unparsed: Any) -> Any:
    """``json.loads(data.decode())`` when orjson gives exactly that, else ``unparsed`` (then the caller runs the
    stdlib on the body, which returns or raises what it always did). Call it only for a body decoded as UTF-8, one
    frame below the caller's own ``json.loads`` call (its recursion budget is measured here)."""
    if _orjson_loads is None:
        return unparsed
    # The two cheapest C passes found (bench figures in the commit): one translate, then two searches of its
    # result; a re.search(rb"\d{19}") costs 16 times the translate on a 4 KiB document.
    classes = data.translate(_CLASSES)
    # find(), not ``in``: bytes' ``in`` tries its operand as an int first, and the TypeError it raises and clears
    # costs 1.8k instructions on Python 3.11 (find() is 1.4k fewer per request on the items scenario).
    if classes.find(_NINETEEN_DIGITS) != -1:
        return unparsed
    depth = classes.count(b"[")
    if depth > _ORJSON_MAX_DEPTH:
        depth = _ORJSON_MAX_DEPTH
    if depth + _MARGIN >= sys.getrecursionlimit():
        return unparsed
    try:
        value = _orjson_loads(data)
    except Exception:  # anything orjson refuses is the stdlib's to answer
        return unparsed
    depth += _MARGIN
    try:
        if depth >= len(_NESTS):
            _grow_nests(depth)
        isinstance(None, _NESTS[depth])
        if _SEPARATE_BUDGETS:
            _descend(_PYTHON_FRAMES)
    except RecursionError:
        return unparsed
    return value

"""Paired, interleaved A/B of the request-side parsers: another tree's web/cookies.py and web/forms.py against
this tree's, in one process, call by call.

    python bench/cookies_forms.py --baseline-tree /tmp/base -r 21

Each round times every call in both trees back to back (4,000 calls each), so a load change on a shared machine
hits both sides of a pair; the table gives the fastest round of each side and the median and middle half of the
per-pair ratios (after/before). A call that the baseline tree's API cannot make is skipped: before issue 16,
``parse_cookies`` took the list of Cookie headers, hence the adapter.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import statistics
import sys
import timeit
from collections.abc import Callable
from http.cookies import SimpleCookie
from types import ModuleType
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAIN = "session=abc123; theme=dark"
QUOTED = '_ga=GA1.2.1; sid="quoted value"; x=1'
FORM = b"name=Alice+Smith&email=alice%40example.com&age=30&city=Paris&comment=hello+world%21&agree=on"
ATTRS: dict[str, Any] = {"max_age": 3600, "domain": "x.org", "httponly": True, "secure": True, "samesite": "Lax"}


def load(tree: str) -> tuple[ModuleType, ModuleType]:
    """web.cookies and web.forms of ``tree``, imported afresh."""
    for name in [m for m in sys.modules if m in ("web", "server") or m.startswith(("web.", "server."))]:
        del sys.modules[name]
    sys.path.insert(0, tree)
    try:
        return importlib.import_module("web.cookies"), importlib.import_module("web.forms")
    finally:
        sys.path.remove(tree)


def calls(cookies: ModuleType, forms: ModuleType) -> dict[str, Callable[[], object]]:
    one_header = "headers" not in inspect.signature(cookies.parse_cookies).parameters

    def parse(header: str) -> Callable[[], object]:
        return (lambda: cookies.parse_cookies(header)) if one_header else (lambda: cookies.parse_cookies([header]))

    return {
        f"parse_cookies({PLAIN!r})": parse(PLAIN),
        f"parse_cookies({QUOTED!r})": parse(QUOTED),
        "set_cookie(c, 'seen', '1')": lambda: cookies.set_cookie(SimpleCookie(), "seen", "1"),
        "set_cookie with 5 attributes": lambda: cookies.set_cookie(SimpleCookie(), "sid", "abc", **ATTRS),
        "parse_urlencoded(bench form)": lambda: forms.parse_urlencoded(FORM),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-tree", required=True, help="the tree to compare against (e.g. a worktree)")
    parser.add_argument("-r", "--rounds", type=int, default=21)
    parser.add_argument("-n", "--number", type=int, default=4000)
    args = parser.parse_args(argv)
    before, after = calls(*load(args.baseline_tree)), calls(*load(ROOT))
    print("| call | before, fastest round (us) | after (us) | after/before, median of pairs | middle half |")
    print("|---|---:|---:|---:|---:|")
    for label, b_fn in before.items():
        a_fn = after[label]
        rb, ra = [], []
        for _ in range(args.rounds):
            rb.append(timeit.timeit(b_fn, number=args.number) / args.number * 1e6)
            ra.append(timeit.timeit(a_fn, number=args.number) / args.number * 1e6)
        ratios = sorted(a / b for a, b in zip(ra, rb, strict=True))
        quarter = len(ratios) // 4
        print(
            f"| `{label}` | {min(rb):.2f} | {min(ra):.2f} | {statistics.median(ratios):.2f} "
            f"| {ratios[quarter]:.2f}-{ratios[-quarter - 1]:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

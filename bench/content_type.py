"""Per-call cost of ``Request.content_type`` / ``Request.charset`` and of the header-parameter parser under them.

    python bench/content_type.py            # ns per call, best of 7 rounds, CPU time of this process

``Request.content_type`` and ``charset`` do ``parse_content_type(headers.get("Content-Type"))`` on every call, so
the first two columns are what a handler pays per access (a cache hit after the first request with that value).
``parse_options_header`` is the parse itself, what a cache miss and each multipart part's Content-Disposition
cost. CPU time (``time.process_time``) rather than wall time: on a shared machine it is far less noisy.
"""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

from multidict import CIMultiDict

from web.helpers import parse_content_type, parse_options_header

VALUES = {
    "absent": None,
    "json": "application/json",
    "text+charset": "text/plain; charset=utf-8",
    "multipart": "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "disposition": 'form-data; name="file"; filename="report.pdf"',
}


def best(fn: Callable[[], object], number: int = 100_000) -> float:
    """Nanoseconds per call of ``fn``, the best of 7 rounds."""
    return min(timeit.repeat(fn, number=number, repeat=7, timer=time.process_time)) / number * 1e9


def measure(value: str | None) -> tuple[float, float, float]:
    """What ``content_type``, ``charset`` and an uncached parse cost for one Content-Type value."""
    headers = CIMultiDict({"Content-Type": value} if value else {})
    content_type = best(lambda: parse_content_type(headers.get("Content-Type"))[0] or "application/octet-stream")
    charset = best(lambda: parse_content_type(headers.get("Content-Type"))[1].get("charset"))
    parse = best(lambda: parse_options_header(value or ""))
    return content_type, charset, parse


def main() -> None:
    print(f"{'value':14s} {'content_type':>13s} {'charset':>9s} {'uncached parse':>15s}   (ns per call)")
    for name, value in VALUES.items():
        content_type, charset, parse = measure(value)
        print(f"{name:14s} {content_type:13.0f} {charset:9.0f} {parse:15.0f}")


if __name__ == "__main__":
    main()

"""Paired, interleaved in-process runs of two source trees: what one change buys per request, on a shared machine.

    python bench/inproc_pairs.py --base /tmp/base-tree --scenarios hello,user -n 30000 -p 7
    python bench/inproc_pairs.py --base /tmp/base-tree --python /work/main/.ci/venvs/3.12/bin/python

Each pair runs ``python -m bench.apps.prefork_hello --inproc N --scenario S`` once with the base tree first on
``PYTHONPATH`` and once with this tree (the order alternating between pairs), each in a fresh process, and reads
the CPU µs per request it prints. Drift on a busy machine then hits both sides of a pair alike: the figure to quote
is the median of the per-pair ratios (base / this), with their min-max, next to each side's median.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
_FIGURE = re.compile(r"([0-9.]+) us CPU/request")


def run_once(tree: Path, python: str, scenario: str, requests: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run(
        [python, "-m", "bench.apps.prefork_hello", "--inproc", str(requests), "--scenario", scenario],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    match = _FIGURE.search(out)
    if match is None:
        raise SystemExit(f"no figure in the output of {tree}: {out!r}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, type=Path, help="the tree to compare against")
    parser.add_argument("--tree", type=Path, default=HERE, help="the tree under test (default: this one)")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--scenarios", default="hello,user")
    parser.add_argument("-n", "--requests", type=int, default=30000)
    parser.add_argument("-p", "--pairs", type=int, default=7)
    args = parser.parse_args()
    for scenario in args.scenarios.split(","):
        base: list[float] = []
        this: list[float] = []
        for pair in range(args.pairs):
            order = [(args.base, base), (args.tree, this)]
            if pair % 2:
                order.reverse()
            for tree, figures in order:
                figures.append(run_once(tree, args.python, scenario, args.requests))
        ratios = [b / t for b, t in zip(base, this, strict=True)]
        print(
            f"{scenario}: base {statistics.median(base):.2f} us (min {min(base):.2f}), "
            f"this {statistics.median(this):.2f} us (min {min(this):.2f}); "
            f"base/this median {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f}, "
            f"{args.pairs} pairs of {args.requests})",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""Run the Autobahn|Testsuite fuzzing client against prefork's websocket echo app and summarise its report.

    python bench/autobahn.py                      # all 517 cases (about 7 minutes)
    python bench/autobahn.py --cases 1.* 2.* 3.* 4.* 5.* 6.* 7.* 10.*   # the quick ones (about 30 s)
    python bench/autobahn.py --aiohttp            # the same cases against aiohttp, for a baseline

The fuzzing client is Python 2 only: ``autobahntestsuite==25.10.1`` is installed with pyenv's Python 2.7.18
(``~/.pyenv/versions/2.7.18/bin/python2.7 -m pip install --target DIR``) into ``--dir`` (default
``$AUTOBAHN_DIR`` or /tmp/autobahn) when it is not there yet. Exit status 0 when every case is OK (or
INFORMATIONAL, which Autobahn uses for cases that only record behaviour).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON2 = Path.home() / ".pyenv/versions/2.7.18/bin/python2.7"
PACKAGE = "autobahntestsuite==25.10.1"
QUICK_CASES = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"]
PASSING = {"OK", "INFORMATIONAL"}


def default_dir() -> Path:
    """Where the fuzzing client is installed: $PREFORK_AUTOBAHN_DIR (what .ci/run installs into), $AUTOBAHN_DIR,
    or /tmp/autobahn."""
    env = os.environ.get("PREFORK_AUTOBAHN_DIR") or os.environ.get("AUTOBAHN_DIR")
    return Path(env or "/tmp/autobahn")


def python2() -> Path | None:
    """pyenv's Python 2.7, or whatever ``python2.7`` is on PATH."""
    if PYTHON2.exists():
        return PYTHON2
    found = shutil.which("python2.7")
    return Path(found) if found else None


def is_installed(target: Path) -> bool:
    # run() imports autobahntestsuite.wstest from ``target`` itself: pip's bin/wstest script is not needed
    return (target / "autobahntestsuite" / "wstest.py").is_file()


def install(target: Path) -> None:
    """pip-install the fuzzing client into ``target`` (outside the repository)."""
    py2 = python2()
    if py2 is None:
        raise SystemExit("Python 2.7 is needed for the Autobahn fuzzing client (pyenv install 2.7.18)")
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(py2), "-m", "pip", "install", "--quiet", "--target", str(target), PACKAGE], check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the echo app did not listen on port {port} within {timeout} s")


def run(
    cases: list[str],
    *,
    target: Path,
    outdir: Path,
    use_aiohttp: bool = False,
    exclude: list[str] = (),  # type: ignore[assignment]
    timeout: float = 1200.0,
) -> dict[str, dict[str, str]]:
    """Serve the echo app, run the fuzzing client on ``cases``, return ``{case_id: result}`` from its report."""
    py2 = python2()
    if py2 is None or not is_installed(target):
        raise RuntimeError(f"the Autobahn fuzzing client is not installed in {target}")
    port = free_port()
    agent = "aiohttp" if use_aiohttp else "prefork"
    server_cmd = [sys.executable, str(HERE / "ws_echo_app.py"), "--port", str(port)]
    if use_aiohttp:
        server_cmd.append("--aiohttp")
    server = subprocess.Popen(server_cmd, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        outdir.mkdir(parents=True, exist_ok=True)
        spec = {
            "outdir": str(outdir),
            "servers": [{"agent": agent, "url": f"ws://127.0.0.1:{port}"}],
            "cases": cases,
            "exclude-cases": list(exclude),
            "exclude-agent-cases": {},
        }
        spec_path = outdir / "fuzzingclient.json"
        spec_path.write_text(json.dumps(spec))
        # site.addsitedir, not PYTHONPATH: zope.interface is a namespace package declared by a .pth file.
        launcher = (
            "import site, sys; site.addsitedir(sys.argv.pop(1)); sys.argv[0] = 'wstest'; "
            "from autobahntestsuite.wstest import run; sys.exit(run())"
        )
        subprocess.run(
            [str(py2), "-c", launcher, str(target), "-m", "fuzzingclient", "-s", str(spec_path)],
            cwd=outdir,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=timeout,
        )
    finally:
        server.terminate()
        try:
            server.wait(5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    index = json.loads((outdir / "index.json").read_text())
    return index[agent]  # type: ignore[no-any-return]


def _case_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in case_id.split("."))


def summarize(results: dict[str, dict[str, str]]) -> tuple[collections.Counter[str], list[str]]:
    """Counts per behaviour, and the ids of cases whose behaviour or close behaviour is not passing."""
    counts: collections.Counter[str] = collections.Counter()
    bad = []
    for case_id, result in results.items():
        behavior = result["behavior"]
        counts[behavior] += 1
        if behavior not in PASSING or result.get("behaviorClose", "OK") not in PASSING:
            bad.append(case_id)
    return counts, sorted(bad, key=_case_key)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["*"], help="case patterns (default: all)")
    parser.add_argument("--quick", action="store_true", help="only cases 1-7 and 10, as CI runs them")
    parser.add_argument("--exclude", nargs="*", default=[], help="case patterns to skip")
    parser.add_argument("--dir", type=Path, default=default_dir(), help="where the fuzzing client is installed")
    parser.add_argument("--outdir", type=Path, default=None, help="where the report goes (default: a temp dir)")
    parser.add_argument("--aiohttp", action="store_true", help="test aiohttp's WebSocketResponse instead")
    args = parser.parse_args()
    if not is_installed(args.dir):
        print(f"installing {PACKAGE} into {args.dir}", flush=True)
        install(args.dir)
    outdir = args.outdir or Path(tempfile.mkdtemp(prefix="autobahn-report-"))
    cases = QUICK_CASES if args.quick else args.cases
    started = time.monotonic()
    results = run(cases, target=args.dir, outdir=outdir, use_aiohttp=args.aiohttp, exclude=args.exclude)
    counts, bad = summarize(results)
    elapsed = time.monotonic() - started
    agent = "aiohttp" if args.aiohttp else "prefork"
    print(f"{agent}: {len(results)} cases in {elapsed:.0f} s; report in {outdir}/index.html")
    for behavior in ("OK", "NON-STRICT", "FAILED", "INFORMATIONAL", "UNIMPLEMENTED"):
        print(f"  {behavior:<14} {counts.get(behavior, 0)}")
    for behavior, count in sorted(counts.items()):
        if behavior not in ("OK", "NON-STRICT", "FAILED", "INFORMATIONAL", "UNIMPLEMENTED"):
            print(f"  {behavior:<14} {count}")
    if bad:
        print("  not OK: " + " ".join(f"{case_id} ({results[case_id]['behavior']})" for case_id in bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""atheris target: the request path (HttpProtocol + the web handler + an echo app) on a fake transport.

Run on demand (see README.md)::

    python tests/fuzz/fuzz_request.py --make-seeds /tmp/req-seeds
    python tests/fuzz/fuzz_request.py /tmp/req-seeds -runs=200000 -max_len=4096

Input layout: byte 0 picks how many cuts (0-3) split the rest into ``data_received`` calls; each cut is the next
two bytes (big-endian, modulo the payload length); the remainder is what the client sends. Any broken property
(tests/fuzz/request_harness.py: ``check``) raises and atheris keeps the input as a crash file.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parents[2]))  # after PYTHONPATH: a patched copy may be tried

with atheris.instrument_imports(include=["server", "web"]):
    import server.protocol  # noqa: F401
    import web  # noqa: F401

import uvloop
from request_harness import LogCatcher, check, drive, make_factory

_RUNNER = asyncio.Runner(loop_factory=uvloop.new_event_loop)


async def _factory():
    return make_factory(client_max_size=256, max_headers=16, max_field_size=256, max_request_line=256)


_FACTORY = _RUNNER.run(_factory())


def split(data: bytes) -> tuple[bytes, list[bytes]]:
    if not data:
        return b"", [b""]
    count = data[0] % 4
    head, payload = data[1 : 1 + 2 * count], data[1 + 2 * count :]
    cuts = {int.from_bytes(head[i : i + 2], "big") % (len(payload) + 1) for i in range(0, len(head) - 1, 2)}
    points = sorted(cuts | {0, len(payload)})
    pieces = [payload[a:b] for a, b in itertools.pairwise(points) if b > a]
    return payload, pieces or [b""]


def one_input(data: bytes) -> None:
    payload, pieces = split(data)
    with LogCatcher() as logs:
        out, closed = _RUNNER.run(drive(_FACTORY, pieces))
    check(out, closed, logs.records, payload)


def make_seeds(directory: str) -> None:
    from hostile import load_all

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for case in load_all():
        if len(case.raw) <= 4096:
            (path / case.name.replace("/", "__")).write_bytes(b"\x00" + case.raw)
    print(f"wrote seeds to {path}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--make-seeds":
        make_seeds(sys.argv[2])
        return
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

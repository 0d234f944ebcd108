"""The multipart upload path in process: ``await request.post()`` and ``await request.multipart()`` over a body
already received (in 64 KiB pieces, as the connection feeds it), best of N runs per shape.

    python bench/multipart_upload.py [--runs 7]

Shapes: one 8 MiB file; 16 files of 256 KiB; 500 small text fields. ``multipart()`` reads every part's name and filename
and its data through ``read_chunk()`` (the streaming API a handler uses for an upload), ``post()`` builds the whole
form.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from server.streams import FlowControlStreamReader
from web.mocked import make_mocked_request

BOUNDARY = b"----prefork-bench-boundary"
PIECE = 64 * 1024


def body_of(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    out = []
    for name, filename, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.append(b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disp.encode() + b"\r\n\r\n" + data + b"\r\n")
    return b"".join(out) + b"--" + BOUNDARY + b"--\r\n"


SHAPES = {
    "1 file of 8 MiB": body_of([("f", "a.bin", os.urandom(8 << 20))]),
    "16 files of 256 KiB": body_of([(f"f{i}", f"{i}.bin", os.urandom(256 << 10)) for i in range(16)]),
    "500 text fields": body_of([(f"k{i}", None, b"v" * 40) for i in range(500)]),
}


def request_for(body: bytes, loop: asyncio.AbstractEventLoop):  # type: ignore[no-untyped-def]
    stream = FlowControlStreamReader(None, loop, high_water=1 << 30, low_water=1 << 29)
    for i in range(0, len(body), PIECE):
        stream.feed_data(body[i : i + PIECE])
    stream.feed_eof()
    headers = {"Content-Type": "multipart/form-data; boundary=" + BOUNDARY.decode()}
    return make_mocked_request("POST", "/", headers, payload=stream, client_max_size=1 << 30, loop=loop)


async def via_post(request) -> int:  # type: ignore[no-untyped-def]
    form = await request.post()
    return len(form)


async def via_multipart(request) -> int:  # type: ignore[no-untyped-def]
    reader = await request.multipart()
    seen = 0
    while (part := await reader.next()) is not None:
        seen += len(part.name or "") + len(part.filename or "")  # what a handler routes a part by
        while chunk := await part.read_chunk(64 * 1024):
            seen += len(chunk)
    return seen


async def main(runs: int) -> None:
    loop = asyncio.get_running_loop()
    print(f"{'shape':24} {'post()':>12} {'multipart()':>12}")
    for label, body in SHAPES.items():
        cells = []
        for reader in (via_post, via_multipart):
            times = []
            for _ in range(runs):
                request = request_for(body, loop)
                t0 = time.perf_counter()
                await reader(request)
                times.append(time.perf_counter() - t0)
                for cleanup in getattr(request, "_cleanups", None) or ():  # close the spooled files
                    cleanup()
            cells.append(f"{min(times) * 1e3:9.2f} ms")
        print(f"{label:24} {cells[0]:>12} {cells[1]:>12}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    asyncio.run(main(parser.parse_args().runs))

"""Static file throughput: a 1 MB file from prefork's add_static vs nginx serving the same file, with wrk.

Both servers run one process pinned to CPU 0, wrk runs on CPU 1. nginx gets a generated config on a loopback
port (sendfile on, no access log); prefork runs its in-process server (one uvloop loop) in a subprocess.
Usage: ``python bench/static.py [--duration S] [--connections C] [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (
    ROOT,
    ServerSpec,
    format_table,
    free_port,
    median_result,
    ratio,
    run_wrk,
    running_server,
)

PREFORK_APP = """
import asyncio, sys, uvloop
from web.app import Application
app = Application()
app.router.add_static("/static", sys.argv[1])
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(app.make_handler(), "127.0.0.1", int(sys.argv[2]), backlog=1024)
    await server.serve_forever()
uvloop.run(main())
"""

NGINX_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ application/octet-stream bin; }}
    server {{
        listen 127.0.0.1:{port};
        location /static/ {{ alias {root}/; }}
    }}
}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as tmp:
        # nginx's workers run as an unprivileged user: the temporary directory (0700) must be traversable.
        os.chmod(tmp, 0o755)
        root = os.path.join(tmp, "root")
        os.mkdir(root)
        with open(os.path.join(root, "1mb.bin"), "wb") as f:
            f.write(os.urandom(1024 * 1024))
        os.chmod(os.path.join(root, "1mb.bin"), 0o644)
        port_p, port_n = free_port(), free_port()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(tmp=tmp, port=port_n, root=root))
        specs = [
            ServerSpec(
                "prefork",
                [sys.executable, "-c", PREFORK_APP, root, str(port_p)],
                port_p,
                env={"PYTHONPATH": ROOT},
                ready_path="/static/1mb.bin",
            ),
            ServerSpec("nginx", ["nginx", "-c", conf, "-p", tmp], port_n, ready_path="/static/1mb.bin"),
        ]
        rows = []
        results = {}
        for spec in specs:
            with running_server(spec):
                url = f"http://127.0.0.1:{spec.port}/static/1mb.bin"
                runs = [run_wrk(url, duration=args.duration, connections=args.connections) for _ in range(args.runs)]
            best = median_result(runs)
            results[spec.name] = best.requests_per_sec
            rows.append(
                [
                    spec.name,
                    f"{best.requests_per_sec:.0f}",
                    f"{best.requests_per_sec / 1024:.2f}",
                    f"{best.latency_p50_ms:.2f}",
                    f"{best.latency_p99_ms:.2f}",
                    best.errors,
                ]
            )
        for row in rows:
            row.append(ratio(results[row[0]], results["nginx"]))
    print(f"1 MiB file, wrk -c{args.connections}, {args.duration:g}s x {args.runs} (median)")
    print(format_table(["server", "req/s", "GiB/s", "p50 ms", "p99 ms", "errors", "vs nginx"], rows))


if __name__ == "__main__":
    main()

"""The app of tests/supervisor/test_settings_parity.py and test_statsd.py: it prints, logs and reads its
environment, for the settings gunicorn operators carry over (raw_env, capture_output, logconfig*, statsd)."""

from __future__ import annotations

import logging
import os
import sys

from web import Application, Response

log = logging.getLogger("parity_app")


async def env(request):
    return Response(text=os.environ.get(request.query["key"], "(unset)"))


async def printed(request):
    print(f"printed by {os.getpid()}: {request.query.get('id', '')}")  # no flush: capture_output must see it
    print(f"to stderr from {os.getpid()}", file=sys.stderr)
    return Response(text="printed")


async def logged(request):
    """One record at each level that gunicorn counts: warning, error, an exception, critical."""
    log.warning("a warning")
    log.error("an error")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("an exception")
    log.critical("a critical")
    return Response(text="logged")


async def status(request):
    return Response(status=int(request.match_info["code"]), text="as asked")


def create_app() -> Application:
    app = Application()
    app.router.add_route("GET", "/env", env)
    app.router.add_route("GET", "/print", printed)
    app.router.add_route("GET", "/log", logged)
    app.router.add_route("GET", "/status/{code}", status)
    return app

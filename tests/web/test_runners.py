"""aiohttp 3's AppRunner and sites, serving our application in a running loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket

import aiohttp
import pytest

import web
from web.testing import RawTestServer, TestClient


async def test_app_runner_tcp_and_sock_sites_and_cleanup_order(tmp_path):
    events = []

    async def handler(request):
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    app.on_startup.append(lambda a: _note(events, "startup"))
    app.on_shutdown.append(lambda a: _note(events, "shutdown"))
    app.on_cleanup.append(lambda a: _note(events, "cleanup"))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock_site = web.SockSite(runner, sock)
    await sock_site.start()
    unix_site = web.UnixSite(runner, str(tmp_path / "s.sock"))
    await unix_site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as s:
        for url in (f"http://127.0.0.1:{port}/", sock_site.name + "/"):
            async with s.get(url) as r:
                assert await r.text() == "ok"
    await runner.cleanup()
    assert events == ["startup", "shutdown", "cleanup"]
    assert runner.server is None and runner.sites == set()


async def test_tcp_site_port_is_the_bound_one_once_started():
    # aiohttp 3.14's TCPSite.port: the requested port before start(), the kernel's choice for 0 after; name uses it.
    runner = web.AppRunner(web.Application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    assert site.port == 0
    await site.start()
    try:
        port = runner.addresses[0][1]
        assert port != 0 and site.port == port
        assert site.name == f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as s, s.get(site.name + "/") as r:
            assert r.status == 404
    finally:
        await runner.cleanup()


async def _note(events, what):
    events.append(what)


def test_make_handler_takes_aiohttps_settings_and_handler_args():
    import logging

    logger = logging.getLogger("compat-test")
    app = web.Application(handler_args={"max_line_size": 100}, client_max_size=None)
    factory = app.make_handler(logger=logger, read_bufsize=2048)
    assert factory.settings.max_request_line == 100
    # aiohttp's StreamReader(limit=read_bufsize): resume below the limit, pause above twice it.
    assert (factory.settings.read_low_water, factory.settings.read_high_water) == (2048, 4096)
    assert factory.logger is logger
    assert factory.settings.client_max_size > 2**40


async def test_handle_signals_raises_graceful_exit_from_setup_to_cleanup():
    # aiohttp 3's AppRunner(handle_signals=True): SIGINT and SIGTERM raise GracefulExit while the runner is set up.
    original = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        runner = web.AppRunner(web.Application(), handle_signals=True)
        await runner.setup()
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        await runner.cleanup()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        quiet = web.AppRunner(web.Application())  # handle_signals=False, the default: left alone
        await quiet.setup()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        await quiet.cleanup()
    finally:
        signal.signal(signal.SIGTERM, original)


def test_run_app_returns_on_graceful_exit_and_shuts_the_app_down():
    # As aiohttp's run_app: GracefulExit leaving the loop (here from a task during startup) ends the run quietly,
    # after the application's cleanup.
    events = []

    async def leave():
        raise web.GracefulExit()

    async def on_cleanup(app):
        events.append("cleanup")

    app = web.Application()
    app.on_startup.append(lambda a: asyncio.create_task(leave()))
    app.on_cleanup.append(on_cleanup)
    web.run_app(app, host="127.0.0.1", port=0, print=None, access_log=None)
    assert events == ["cleanup"]


async def test_timeout_ceil_threshold_is_taken_in_handler_args():
    # aiohttp's RequestHandler setting, passed with the app; ours has no per-connection timers to round.
    app = web.Application(handler_args={"timeout_ceil_threshold": 2})
    app.router.add_get("/", _ok)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as s, s.get(site.name + "/") as r:
            assert await r.text() == "ok"
    finally:
        await runner.cleanup()


async def _ok(request):
    return web.Response(text="ok")


# -- web.Server's error page, as aiohttp's RequestHandler.handle_error -------------------------------------------


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize(
    ("debug", "accept", "content_type", "expected"),
    [
        (False, None, "text/plain", "500 Internal Server Error\n\nServer got itself in trouble"),
        (True, None, "text/plain", "500 Internal Server Error\n\nTraceback (most recent call last):\n"),
        (
            False,
            "text/html",
            "text/html",
            "<html><head><title>500 Internal Server Error</title></head><body>\n"
            "<h1>500 Internal Server Error</h1>\nServer got itself in trouble\n</body></html>\n",
        ),
        (
            True,
            "text/html",
            "text/html",
            "<html><head><title>500 Internal Server Error</title></head><body>\n"
            "<h1>500 Internal Server Error</h1>\n<h2>Traceback:</h2>\n<pre>Traceback (most recent call last):\n",
        ),
    ],
)
async def test_a_handler_error_answers_aiohttps_500_page(debug, accept, content_type, expected) -> None:
    # aiohttp's page and log line (RequestHandler.handle_error): the traceback only with debug=True (what aiohttp's
    # RawTestServer passes), HTML for a client that accepts it, and "Error handling request from <remote>".
    error = RuntimeError("boom <b>")

    async def handler(request):
        raise error

    logger = logging.getLogger("tests.web.error_page")
    recorder = _Recorder()
    logger.addHandler(recorder)
    try:
        server = RawTestServer(handler, debug=debug, logger=logger)
        async with TestClient(server) as client:
            resp = await client.get("/x", headers={"Accept": accept} if accept else {})
            assert resp.status == 500
            assert resp.content_type == content_type
            text = await resp.text()
    finally:
        logger.removeHandler(recorder)
    assert text.startswith(expected) and (text == expected or debug)
    if debug:
        assert ("boom &lt;b&gt;" if accept else "boom <b>") in text
    (record,) = recorder.records
    assert (record.levelno, record.msg, record.args) == (
        logging.ERROR,
        "Error handling request from %s",
        ("127.0.0.1",),
    )
    assert record.exc_info[1] is error


async def test_server_says_whether_it_cancels_handlers() -> None:
    # aiohttp's web.Server attribute, which AppRunner(handler_cancellation=True) sets.
    runner = web.AppRunner(web.Application(), handler_cancellation=True)
    await runner.setup()
    try:
        assert runner.server.handler_cancellation is True
    finally:
        await runner.cleanup()
    assert web.Server(lambda request: None).handler_cancellation is False


def test_aiohttps_own_application_is_refused_with_what_to_do() -> None:
    # An application built on aiohttp.web without web.as_aiohttp: refused at once, not at startup with an
    # AttributeError ('Application' object has no attribute 'finish') after "Cannot send non-frozen signal".
    from aiohttp import web as aiohttp_web

    with pytest.raises(TypeError, match=r"aiohttp's own .*change `from aiohttp import web` to `import web`"):
        web.AppRunner(aiohttp_web.Application())
    with pytest.raises(TypeError, match=r"web\.as_aiohttp\.install\(\)"):
        web.run_app(aiohttp_web.Application(), port=0)

"""aiohttp 3's AppRunner and sites, serving our application in a running loop."""

from __future__ import annotations

import asyncio
import signal
import socket

import aiohttp

import web


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

"""aiohttp 3's access log (web/accesslog.py): ``web.AccessLogger`` in aiohttp's format language, custom
``web.abc.AbstractAccessLogger`` subclasses, and ``access_log_class``/``access_log_format``/``access_log`` on the
runners, served on 127.0.0.1 and asked with aiohttp's client. gunicorn's format keeps the server's own path
(tests/web/test_access_log.py, tests/server/test_accesslog_fast.py)."""

from __future__ import annotations

import contextvars
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

import server.accesslog
import web
from web.accesslog import is_gunicorn_format

VAR: contextvars.ContextVar[str] = contextvars.ContextVar("VAR", default="unset")


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello", headers={"X-Out": "out"})


@web.middleware
async def set_var(request: web.Request, handler: Any) -> web.StreamResponse:
    VAR.set(f"set by middleware for {request.path}")
    return await handler(request)


def _app() -> web.Application:
    app = web.Application(middlewares=[set_var])
    app.router.add_get("/p", hello)
    return app


def _wire_size(resp: aiohttp.ClientResponse, body: bytes) -> int:
    """The bytes of ``resp`` on the wire: its status line, its fields as received, the blank line and ``body``
    (what aiohttp's ``%b`` counts: "Size of response in bytes, including HTTP headers")."""
    status_line = f"HTTP/{resp.version.major}.{resp.version.minor} {resp.status} {resp.reason}\r\n"
    fields = sum(len(name) + 2 + len(value) + 2 for name, value in resp.raw_headers)
    return len(status_line) + fields + 2 + len(body)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Any]]:
    """``await serve(app, **runner_kwargs)``: an AppRunner on a TCPSite at 127.0.0.1; its base URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application, **kwargs: Any) -> str:
        runner = web.AppRunner(app, **kwargs)
        runners.append(runner)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


class Recording(web.abc.AbstractAccessLogger):
    """Records what each call of log() gets, and the context variable it sees."""

    calls: list[tuple[Any, ...]] = []
    is_enabled = True

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        Recording.calls.append((self.logger, self.log_format, request, response, time, VAR.get()))

    @property
    def enabled(self) -> bool:
        return Recording.is_enabled


@pytest.fixture
def recording() -> Any:
    Recording.calls = []
    Recording.is_enabled = True
    return Recording


@pytest.fixture
def captured() -> Any:
    """A logger at INFO whose records are kept."""
    logger = logging.getLogger("prefork.test.aiohttp-access")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, records
    logger.removeHandler(handler)


async def test_a_custom_logger_gets_our_request_the_response_and_the_time(serve, recording):
    logger = logging.getLogger("prefork.test.custom")
    base = await serve(_app(), access_log=logger, access_log_class=recording, access_log_format="{request}")
    async with aiohttp.ClientSession() as session, session.get(base + "/p?q=1") as resp:
        assert await resp.text() == "hello"
        size = _wire_size(resp, b"hello")
    ((got_logger, log_format, request, response, time, var),) = recording.calls
    assert (got_logger, log_format) == (logger, "{request}")  # access_log_class(access_log, access_log_format)
    assert isinstance(request, web.Request) and request.path_qs == "/p?q=1"
    # body_length counts the head too, as aiohttp's (its writer's output): the logging docs' %b.
    assert isinstance(response, web.Response) and response.status == 200 and response.body_length == size
    assert isinstance(time, float) and 0 <= time < 5  # seconds, as aiohttp's
    assert var == "set by middleware for /p"  # called in the handler's task, after the middlewares ran


async def test_enabled_is_read_once_per_connection(serve, recording):
    recording.is_enabled = False
    base = await serve(_app(), access_log_class=recording)
    async with aiohttp.ClientSession() as session:
        async with session.get(base + "/p") as resp:
            assert resp.status == 200
        recording.is_enabled = True
        async with session.get(base + "/p") as resp:  # the same (keep-alive) connection: still not logged
            assert resp.status == 200
        assert recording.calls == []
    async with aiohttp.ClientSession() as session, session.get(base + "/p") as resp:  # a new connection: logged
        assert resp.status == 200
    assert len(recording.calls) == 1


async def test_access_log_none_logs_nothing(serve, recording):
    base = await serve(_app(), access_log=None, access_log_class=recording)
    async with aiohttp.ClientSession() as session, session.get(base + "/p") as resp:
        assert resp.status == 200
    assert recording.calls == []


async def test_an_async_log_is_awaited_and_an_error_in_log_is_logged(serve, caplog):
    seen = []

    class Async(web.abc.AbstractAccessLogger):
        async def log(self, request: Any, response: Any, time: float) -> None:
            seen.append(request.path)

    class Broken(web.abc.AbstractAccessLogger):
        def log(self, request: Any, response: Any, time: float) -> None:
            raise RuntimeError("broken logger")

    base = await serve(_app(), access_log_class=Async)
    async with aiohttp.ClientSession() as session, session.get(base + "/p") as resp:
        assert resp.status == 200
    assert seen == ["/p"]
    base = await serve(_app(), access_log_class=Broken)
    async with aiohttp.ClientSession() as session:
        for _ in range(2):  # the connection goes on
            async with session.get(base + "/p") as resp:
                assert await resp.text() == "hello"
    assert [r.exc_info[1].args for r in caplog.records if r.exc_info] == [("broken logger",)] * 2  # type: ignore[index]


async def test_aiohttp_format_with_the_default_class(serve, captured):
    logger, records = captured
    log_format = '%a "%r" %s %b "%{User-Agent}i" %{X-Out}o %Tf %D %T %P %t'
    base = await serve(_app(), access_log=logger, access_log_format=log_format)
    headers = {"User-Agent": "probe/1"}
    async with aiohttp.ClientSession() as session, session.get(base + "/p?q=1", headers=headers) as resp:
        assert resp.status == 200
        size = _wire_size(resp, await resp.read())
    (record,) = records
    line = record.getMessage()
    prefix = f'127.0.0.1 "GET /p?q=1 HTTP/1.1" 200 {size} "probe/1" out '
    assert line.startswith(prefix)
    frac, micro, seconds, pid, stamp = line.removeprefix(prefix).split(" ", 4)
    assert float(frac) < 5 and micro.isdigit() and seconds in ("0", "1") and pid.startswith("<")
    assert stamp.startswith("[") and stamp.endswith("]")
    assert record.remote_address == "127.0.0.1"  # type: ignore[attr-defined]
    assert record.first_request_line == "GET /p?q=1 HTTP/1.1"  # type: ignore[attr-defined]
    assert (record.response_status, record.response_size) == (200, size)  # type: ignore[attr-defined]
    assert record.request_header == {"User-Agent": "probe/1"}  # type: ignore[attr-defined]
    assert record.response_header == {"X-Out": "out"}  # type: ignore[attr-defined]


async def test_the_default_is_aiohttps_logger_and_format(serve, caplog):
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    base = await serve(_app())
    headers = {"Referer": "http://r/", "User-Agent": "probe/2"}
    async with aiohttp.ClientSession() as session, session.get(base + "/p", headers=headers) as resp:
        assert resp.status == 200
        size = _wire_size(resp, await resp.read())
    (record,) = [r for r in caplog.records if r.name == "aiohttp.access"]
    head, _, rest = record.getMessage().partition("] ")
    assert head.startswith("127.0.0.1 [")
    assert rest == f'"GET /p HTTP/1.1" 200 {size} "http://r/" "probe/2"'


async def test_a_disabled_default_logger_costs_no_logging_path(serve, monkeypatch):
    # aiohttp.access below INFO (nothing configured): the connection takes the plain handler, nothing is formatted.
    monkeypatch.setattr(web.AccessLogger, "log", lambda *a: pytest.fail("logged"))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        base = await serve(_app())
        async with aiohttp.ClientSession() as session, session.get(base + "/p") as resp:
            assert resp.status == 200
    finally:
        logging.getLogger("aiohttp.access").setLevel(logging.NOTSET)


async def test_gunicorns_format_with_the_default_class_stays_on_the_servers_path(captured):
    logger, _ = captured
    factory = _app().make_handler(access_log=logger, access_log_format='%(h)s "%(r)s" %(s)s')
    assert factory.access_logger is None
    assert isinstance(factory.connections.access_logger, server.accesslog.AccessLogger)
    factory = _app().make_handler(access_log=logger, access_log_format="%a %s")
    assert isinstance(factory.access_logger, web.AccessLogger) and factory.connections.access_logger is None
    # handler_args (aiohttp's way to pass settings with the app) are read the same way
    app = web.Application(handler_args={"access_log": logger, "access_log_format": "%a"})
    assert isinstance(app.make_handler().access_logger, web.AccessLogger)


@pytest.mark.parametrize(
    ("log_format", "gunicorn"),
    [
        ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"', True),
        (web.AccessLogger.LOG_FORMAT, False),
        ("%a %{X-Real-IP}i", False),
        ("%Tf", False),
        ("plain text", True),  # the same line either way; the server's path costs less
        ("100%", True),
    ],
)
def test_which_language_a_format_is_in(log_format, gunicorn):
    assert is_gunicorn_format(log_format) is gunicorn


def test_run_app_and_the_factory_take_aiohttps_arguments_and_defaults():
    for func in (web.run_app, web.RequestHandlerFactory.__init__):
        params = inspect.signature(func).parameters
        assert params["access_log_class"].default is web.AccessLogger
        assert params["access_log_format"].default == '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
        assert params["access_log"].default is logging.getLogger("aiohttp.access")

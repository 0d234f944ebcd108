"""Every sentence of the aiohttp 0.14 API about Application: a dict, router, logger, make_handler and finish()."""

from __future__ import annotations

import asyncio
import logging
import operator
import warnings

import aiohttp
import pytest

import web


def test_application_is_a_dict_registry():
    app = web.Application()
    assert isinstance(app, dict)
    app["database"] = "db"
    assert app["database"] == "db"
    assert {app: 1}[app] == 1  # usable as a key, compared by identity


def test_changing_a_started_applications_registry_warns_as_aiohttp_3():
    app = web.Application()
    app["database"] = "db"  # before it serves: silent
    app.freeze()
    with pytest.warns(DeprecationWarning, match="^Changing state of started or joined application is deprecated$"):
        app["database"] = "other"
    with pytest.warns(DeprecationWarning, match="^Changing state of started or joined application is deprecated$"):
        del app["database"]
    assert "database" not in app


async def test_startup_callbacks_fill_the_registry_silently():
    # As aiohttp's AppRunner: the application is frozen after on_startup, which commonly stores its resources.
    app = web.Application()
    sub = web.Application()

    async def connect(app: web.Application) -> None:
        app["database"] = "db"

    async def context(app: web.Application):  # type: ignore[no-untyped-def]
        app["pool"] = "pool"
        yield

    app.on_startup.append(connect)
    app.cleanup_ctx.append(context)
    sub.on_startup.append(connect)
    app.add_subapp("/sub", sub)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await app.startup()
    assert (app["database"], app["pool"], sub["database"]) == ("db", "pool", "db")
    with pytest.warns(DeprecationWarning, match="^Changing state of started or joined application is deprecated$"):
        sub["database"] = "other"


def test_router_is_a_read_only_url_dispatcher():
    app = web.Application()
    assert isinstance(app.router, web.UrlDispatcher)
    assert isinstance(app.router, web.AbstractRouter)
    with pytest.raises(AttributeError):
        app.router = web.UrlDispatcher()  # type: ignore[misc]
    custom = web.UrlDispatcher()
    assert web.Application(router=custom).router is custom


def test_logger():
    assert isinstance(web.Application().logger, logging.Logger)
    mine = logging.getLogger("mine")
    assert web.Application(logger=mine).logger is mine


async def test_loop_defaults_to_the_running_loop():
    # Deprecated with aiohttp 3's warning, as there.
    with pytest.warns(DeprecationWarning, match=r"^loop property is deprecated$"):
        assert web.Application().loop is asyncio.get_running_loop()


def test_loop_is_none_outside_a_running_loop():
    # aiohttp 3 gives None until a runner sets the loop, rather than raising.
    with pytest.warns(DeprecationWarning, match=r"^loop property is deprecated$"):
        assert web.Application().loop is None


def test_subclassing_the_application_warns_as_in_aiohttp():
    with pytest.warns(DeprecationWarning, match=r"^Inheritance class Custom from web.Application is discouraged$"):

        class Custom(web.Application):
            pass

    assert Custom(x=1)["x"] == 1  # a subclass still works


async def test_make_handler_returns_a_request_handler_factory():
    app = web.Application()
    factory = app.make_handler(keepalive_timeout=10)
    assert isinstance(factory, web.RequestHandlerFactory)
    assert factory.settings.keepalive_timeout == 10


async def test_an_unknown_setting_falls_back_to_the_defaults_with_a_warning(caplog):
    # aiohttp's failsafe (web_server.Server): a setting its handler does not take is logged, and the server runs
    # with the defaults, keeping only access_log_class.
    class Quiet(web.AccessLogger):
        pass

    app = web.Application(handler_args={"no_such_setting": 1, "keepalive_timeout": 10})
    factory = app.make_handler(access_log_class=Quiet, access_log_format="%a %s")
    assert factory.settings == web.RequestHandlerFactory(web.Application()).settings
    assert factory.settings.keepalive_timeout != 10
    assert type(factory.access_logger) is Quiet and factory.access_logger.log_format == web.AccessLogger.LOG_FORMAT
    (record,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "Failed to create request handler with custom kwargs" in record.getMessage()
    assert "no_such_setting" in record.getMessage()


async def test_finish_runs_callbacks_lifo_sync_or_coroutine_with_args():
    app = web.Application()
    calls = []

    async def coro(name, *, tag):
        calls.append((name, tag))

    def sync(name):
        calls.append((name, None))

    app.register_on_finish(sync, "first")
    app.register_on_finish(coro, "second", tag="t")
    app.register_on_finish(sync, "third")
    app.register_on_finish(sync, "third")  # the same function and arguments may be registered twice
    await app.finish()
    assert calls == [("third", None), ("third", None), ("second", "t"), ("first", None)]


async def test_finish_reports_errors_through_the_loop_exception_handler():
    loop = asyncio.get_running_loop()
    reported = []
    loop.set_exception_handler(lambda loop, context: reported.append(context))
    app = web.Application()
    ran = []
    app.register_on_finish(ran.append, "after")
    app.register_on_finish(lambda: 1 / 0)
    await app.finish()
    assert ran == ["after"]  # an error does not stop the others
    (context,) = reported
    assert set(context) >= {"message", "exception", "application"}
    assert isinstance(context["exception"], ZeroDivisionError) and context["application"] is app


async def test_startup_shutdown_cleanup_hooks(make_server):
    events = []
    app = web.Application()
    app.on_startup.append(lambda app: _record(events, "startup"))
    app.on_shutdown.append(lambda app: _record(events, "shutdown"))
    app.on_cleanup.append(lambda app: _record(events, "cleanup"))
    app.register_on_finish(events.append, "finish")
    app.router.add_get("/", lambda request: web.Response(text="ok"))
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
        assert resp.status == 200
    await srv.close()
    assert events == ["startup", "shutdown", "finish", "cleanup"]


async def _record(events, name):
    events.append(name)


async def test_custom_router_only_needs_resolve(make_server):
    class Match(dict):
        route = None

        def __init__(self, handler):
            super().__init__()
            self.handler = handler

    class Traversal(web.AbstractRouter):
        async def resolve(self, request):
            async def handler(request):
                return web.Response(text="/".join(reversed(request.path.strip("/").split("/"))))

            return Match(handler)

    srv = await make_server(web.Application(router=Traversal()))
    async with aiohttp.ClientSession() as session, session.get(srv.url("/a/b/c")) as resp:
        assert await resp.text() == "c/b/a"


async def test_debug_is_aiohttp_3s_deprecated_argument_and_property(make_server):
    # aiohttp-utils' Runner reads app.debug (its reload default). As in aiohttp 3, debug= sets it, not an item of the
    # application's mapping; without it, app.debug is the debug mode of the loop the application runs on.
    async def handler(request):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            debug = request.app.debug
        return web.Response(text=f"{debug} {[str(w.message) for w in caught]}")

    with pytest.warns(DeprecationWarning, match="^debug argument is deprecated$"):
        app = web.Application(debug=True)
    assert "debug" not in app
    app.router.add_get("/", handler)
    quiet = web.Application()
    quiet.router.add_get("/", handler)
    for application, debug in ((app, True), (quiet, asyncio.get_running_loop().get_debug())):
        srv = await make_server(application)
        async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
            assert await resp.text() == f"{debug} ['debug property is deprecated']"
    with pytest.warns(DeprecationWarning, match="^debug argument is deprecated$"):
        off = web.Application(debug=False)
    with pytest.warns(DeprecationWarning, match="^debug property is deprecated$"):
        assert off.debug is False


def test_a_router_argument_warns_as_aiohttp_does_and_is_still_used():
    # Application(router=...) is the aiohttp 0.14 API; aiohttp 3 deprecates it with this warning.
    custom = web.UrlDispatcher()
    with pytest.warns(DeprecationWarning, match="^router argument is deprecated$"):
        app = web.Application(router=custom)
    assert app.router is custom
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        web.Application()


async def test_handle_serves_a_request_as_aiohttps_does():
    # aiohttp 3's Application._handle: the route's response returned (the match info set on the request), the
    # 404/405 of a miss raised; tests of aiohttp applications call it with a mocked request.
    from web.testing import make_mocked_request

    @web.middleware
    async def mark(request, handler):
        response = await handler(request)
        response.headers["X-Mark"] = "1"
        return response

    async def item(request):
        return web.Response(text=request.match_info["id"])

    app = web.Application(middlewares=[mark])
    app.router.add_get("/items/{id}", item)
    request = make_mocked_request("GET", "/items/7", app=app)
    response = await app._handle(request)
    assert (response.status, response.text, response.headers["X-Mark"]) == (200, "7", "1")
    assert request.match_info == {"id": "7"} and request.match_info.route.handler is item
    with pytest.raises(web.HTTPNotFound):
        await app._handle(make_mocked_request("GET", "/nope", app=app))
    with pytest.raises(web.HTTPMethodNotAllowed):
        await app._handle(make_mocked_request("POST", "/items/7", app=app))


def test_two_applications_are_unequal_whatever_they_hold():
    # An application is equal only to itself, as in aiohttp; dict's own != compared the items.
    first, second = web.Application(), web.Application()
    assert (operator.eq(first, first), operator.ne(first, first)) == (True, False)
    assert (operator.eq(first, second), operator.ne(first, second)) == (False, True)


def test_typed_and_str_keys_sort_together_typed_first():
    # aiohttp's keys are total_ordering: sorted(app) mixes them with str keys either way round.
    app = web.Application()
    b, c = web.AppKey("b", str), web.AppKey("c", str)
    app["a"], app[b], app[c], app["d"] = "0", "1", "2", "4"
    assert sorted(app) == [b, c, "a", "d"]
    # str's own comparison gives way to the key's reflected one.
    assert (operator.gt("a", b), operator.lt("a", b)) == (True, False)


async def test_cleanup_ctx_cancelled_in_cleanup_still_cleans_up_the_others():
    # A CancelledError in one context's cleanup is collected as aiohttp does; the earlier contexts still clean up.
    out = []

    def ctx(num, exc=None):
        async def inner(app):
            yield
            out.append(num)
            if exc is not None:
                raise exc(f"fail_{num}")

        return inner

    app = web.Application()
    app.cleanup_ctx.extend([ctx(1), ctx(2, asyncio.CancelledError), ctx(3, asyncio.CancelledError)])
    await app.startup()
    with pytest.raises(web.CleanupError) as raised:
        await app.cleanup()
    assert [str(exc) for exc in raised.value.exceptions] == ["fail_3", "fail_2"]
    assert out == [3, 2, 1]


def test_the_router_says_whether_it_is_frozen():
    app = web.Application()
    assert not app.router.frozen
    app.router.freeze()
    assert app.router.frozen


async def test_a_router_is_frozen_when_the_application_starts(make_server):
    """aiohttp 3 freezes the application's router (``router.freeze()``) as the application freezes, after its
    startup callbacks: a router that prepares its routes then (aiohttp_apiset's SwaggerRouter builds each route's
    validator in its ``freeze()``) has them ready for the first request, and a route added later is refused."""
    frozen = []

    class Preparing(web.UrlDispatcher):
        def freeze(self):
            frozen.append(sorted({resource.canonical for resource in self.resources()}))
            super().freeze()

    async def add_late(app):
        app.router.add_get("/late", handler)

    async def handler(request):
        return web.Response(text=str(frozen))

    app = web.Application(router=Preparing())
    app.router.add_get("/", handler)
    app.on_startup.append(add_late)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session:
        for path in ("/", "/late"):
            async with session.get(srv.url(path)) as resp:
                assert (resp.status, await resp.text()) == (200, "[['/', '/late']]")
    assert app.router.frozen
    with pytest.raises(RuntimeError):
        app.router.add_get("/later", handler)


async def test_a_sub_applications_startup_run_through_its_parents_signal_does_not_start_it() -> None:
    # aiohttp sends a sub-application's on_startup from its parent's and freezes it with the parent, after the
    # parent's startup: code that runs the parent's startup callbacks by hand (aiohttp-apigami's tests, then the
    # sub-application's own) has started nothing, and its callbacks store their results without a warning.
    sub = web.Application()

    async def register(app: web.Application) -> None:
        app["spec"] = "built"

    sub.on_startup.append(register)
    parent = web.Application()
    parent.add_subapp("/api", sub)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for callback in parent.on_startup:
            await callback(parent)
        for callback in sub.on_startup:
            await callback(sub)
    assert sub["spec"] == "built"
    # Started for real, the parent freezes it: a change then warns, as in aiohttp.
    parent2, sub2 = web.Application(), web.Application()
    parent2.add_subapp("/api", sub2)
    await parent2.startup()
    assert sub2.frozen
    with pytest.warns(DeprecationWarning, match="^Changing state of started or joined application is deprecated$"):
        sub2["late"] = 1
    await parent2.cleanup()

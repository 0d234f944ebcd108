"""web.abc: a router and match info written for aiohttp 3's ``aiohttp.abc`` (the way aiohttp-apiset or rororo write
theirs) served by ``web.Application(router=...)`` on a real server, and ones written for the aiohttp 0.14 API."""

from __future__ import annotations

import aiohttp
import pytest

import web
from web.abc import AbstractMatchInfo, AbstractRouter


async def _missing(request):
    raise web.HTTPNotFound()


class PathMatchInfo(AbstractMatchInfo):
    """aiohttp 3's AbstractMatchInfo implemented in full, as a library's router does: the abstract members, and
    current_app, which aiohttp's request.app reads."""

    def __init__(self, handler, http_exception=None, expect_handler=None):
        self._handler = handler
        self._http_exception = http_exception
        self._expect_handler = expect_handler
        self._apps = []
        self._current_app = None
        self._frozen = False

    @property
    def handler(self):
        return self._handler

    @property
    def expect_handler(self):
        return self._expect_handler or self._continue

    async def _continue(self, request):
        return None

    @property
    def http_exception(self):
        return self._http_exception

    def get_info(self):
        return {"router": "path"}

    @property
    def apps(self):
        return tuple(self._apps)

    def add_app(self, app):
        if self._frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps.insert(0, app)

    @property
    def current_app(self):
        return self._current_app

    @current_app.setter
    def current_app(self, app):
        self._current_app = app

    def freeze(self):
        self._frozen = True


class PathRouter(AbstractRouter):
    """A dict of paths to handlers; sub-applications through aiohttp's ``register_resource`` hook, asked first."""

    def __init__(self):
        super().__init__()
        self.app = None
        self.handlers = {}
        self.expect_handlers = {}
        self.resources = []

    def post_init(self, app):
        self.app = app

    def add(self, path, handler, expect_handler=None):
        if self.frozen:
            raise RuntimeError("router is frozen")
        self.handlers[path] = handler
        if expect_handler is not None:
            self.expect_handlers[path] = expect_handler

    def register_resource(self, resource):
        if self.frozen:
            raise RuntimeError("router is frozen")
        self.resources.append(resource)

    async def resolve(self, request):
        for resource in self.resources:
            match_info, _ = await resource.resolve(request)
            if match_info is not None:
                return match_info
        handler = self.handlers.get(request.path)
        if handler is None:
            return PathMatchInfo(_missing, web.HTTPNotFound())
        return PathMatchInfo(handler, expect_handler=self.expect_handlers.get(request.path))


def _seen(request):
    info = request.match_info
    return {
        "type": type(info).__name__,
        "apps": [app["name"] for app in info.apps],
        "frozen_add": _refuses_add_app(info, request.app),
        "app": request.app["name"],
    }


def _refuses_add_app(info, app):
    try:
        info.add_app(app)
    except RuntimeError:
        return True
    return False


async def test_an_aiohttp_3_router_serves_with_its_match_info_recording_the_app(make_server):
    calls = []

    @web.middleware
    async def mw(request, handler):
        calls.append(("mw", request.app["name"]))
        return await handler(request)

    async def hello(request):
        return web.json_response(_seen(request))

    router = PathRouter()
    router.add("/hello", hello)
    with pytest.warns(DeprecationWarning, match="router argument is deprecated"):
        app = web.Application(router=router, middlewares=[mw])
    app["name"] = "root"
    assert router.app is app  # post_init
    assert not router.frozen
    server = await make_server(app)
    assert router.frozen  # the application froze its router when it started
    with pytest.raises(RuntimeError):
        router.add("/late", hello)
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url("/hello")) as resp:
            assert resp.status == 200
            assert await resp.json() == {"type": "PathMatchInfo", "apps": ["root"], "frozen_add": True, "app": "root"}
        async with session.get(server.url("/nope")) as resp:
            assert resp.status == 404
    assert calls == [("mw", "root"), ("mw", "root")]


async def test_an_aiohttp_3_router_s_expect_handler_answers_expect_100_continue(make_server):
    expected = []

    async def refuse(request):
        expected.append(request.path)
        return web.Response(status=401, text="no body wanted")

    async def accept(request):
        expected.append(request.path)
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    async def echo(request):
        return web.Response(body=await request.read())

    router = PathRouter()
    router.add("/refused", echo, refuse)
    router.add("/accepted", echo, accept)
    router.add("/default", echo)
    with pytest.warns(DeprecationWarning):
        app = web.Application(router=router)
    server = await make_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.post(server.url("/refused"), data=b"body", expect100=True) as resp:
            assert resp.status == 401 and await resp.text() == "no body wanted"
        for path in ("/accepted", "/default"):
            async with session.post(server.url(path), data=b"body", expect100=True) as resp:
                assert resp.status == 200 and await resp.read() == b"body"
    assert expected == ["/refused", "/accepted"]


async def test_a_subapp_under_an_aiohttp_3_router(make_server):
    # aiohttp's add_subapp registers a PrefixedSubAppResource with router.register_resource(); a router of the
    # application's own asks it (resource.resolve(request) -> (match_info, allowed)), which records the
    # sub-application (add_app), and the application then records itself.
    calls = []

    def tag(name):
        @web.middleware
        async def mw(request, handler):
            calls.append((name, request.app["name"]))
            return await handler(request)

        return mw

    async def handler(request):
        return web.json_response({**_seen(request), "id": request.match_info["id"], "db": request.config_dict["db"]})

    sub = web.Application(middlewares=[tag("sub")])
    sub["name"] = "sub"
    sub.router.add_get("/item/{id}", handler, name="item")
    router = PathRouter()
    with pytest.warns(DeprecationWarning):
        app = web.Application(router=router, middlewares=[tag("root")])
    app["name"] = "root"
    app["db"] = "root's db"
    resource = app.add_subapp("/sub", sub)
    assert router.resources == [resource]
    assert str(sub.router["item"].url_for(id="7")) == "/sub/item/7"
    server = await make_server(app)
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url("/sub/item/7")) as resp:
            assert resp.status == 200
            assert await resp.json() == {
                "type": "UrlMappingMatchInfo",
                "apps": ["root", "sub"],
                "frozen_add": True,
                "app": "sub",
                "id": "7",
                "db": "root's db",
            }
        async with session.get(server.url("/sub/nope")) as resp:
            assert resp.status == 404
        async with session.post(server.url("/sub/item/7")) as resp:
            assert resp.status == 405 and resp.headers["Allow"] == "GET,HEAD"
        async with session.get(server.url("/elsewhere")) as resp:
            assert resp.status == 404
    assert calls[:2] == [("root", "root"), ("sub", "sub")]


class OldMatchInfo(AbstractMatchInfo):
    """Written against the aiohttp 0.14 API: handler and route, nothing else."""

    def __init__(self, handler):
        self._handler = handler

    @property
    def handler(self):
        return self._handler

    @property
    def route(self):
        return None


class OldRouter(AbstractRouter):
    """Written against the aiohttp 0.14 API: resolve only, no super().__init__(), one shared match info."""

    def __init__(self, handler):
        self.info = OldMatchInfo(handler)

    async def resolve(self, request):
        return self.info


async def test_an_aiohttp_0_14_router_and_match_info_still_work(make_server):
    async def handler(request):
        return web.Response(text=f"{request.app['name']} {request.match_info.apps} {request.match_info.get_info()}")

    router = OldRouter(handler)
    assert not router.frozen
    with pytest.warns(DeprecationWarning):
        app = web.Application(router=router)
    app["name"] = "root"
    server = await make_server(app)
    assert router.frozen
    async with aiohttp.ClientSession() as session:
        for _ in range(2):  # the same match info for every request: recording the app would refuse the second
            async with session.post(server.url("/any"), data=b"x", expect100=True) as resp:
                assert resp.status == 200 and await resp.text() == "root () {}"


class _RecordingInfo(dict):
    """A match info that records every add_app, shared by every request (as tests/corpus/hostile.py's once was)."""

    def __init__(self, handler):
        super().__init__()
        self.handler, self.route, self.http_exception, self.apps = handler, None, None, []

    def get_info(self):
        return {}

    def add_app(self, app):
        self.apps.insert(0, app)

    def freeze(self):
        pass


async def test_a_shared_match_info_recording_the_app_again_and_again_serves_without_nesting(make_server):
    # Its apps grow by one application per request; aiohttp runs each one's middlewares (none here), we must not
    # wrap the handler once per entry (a RecursionError after ~1,000 requests, found by the parser audit).
    async def handler(request):
        return web.Response(text=request.app["name"])

    class SharedRouter:
        def __init__(self):
            self.info = _RecordingInfo(handler)

        async def resolve(self, request):
            return self.info

        def freeze(self):
            pass

    router = SharedRouter()
    app = web.Application(router=router)
    app["name"] = "root"
    server = await make_server(app)
    router.info.apps.extend([app] * 5000)
    async with aiohttp.ClientSession() as session, session.get(server.url("/")) as resp:
        assert resp.status == 200 and await resp.text() == "root"


def test_the_abstract_match_info_s_defaults_behave_as_aiohttp_s():
    info = OldMatchInfo(_missing)
    assert info.http_exception is None and info.get_info() == {} and info.route is None
    assert info.apps == ()
    info.add_app("sub")
    info.add_app("root")
    assert info.apps == ("root", "sub")
    info.freeze()
    with pytest.raises(RuntimeError, match=r"Cannot change apps stack after \.freeze\(\) call"):
        info.add_app("other")
    with pytest.raises(TypeError, match="handler"):

        class NoHandler(AbstractMatchInfo):
            pass

        NoHandler()

"""An application as users write it on aiohttp, unchanged: ``from aiohttp import web`` and libraries built on
``aiohttp.web`` (aiohttp-session's middleware checks the response against ``web.StreamResponse``; a handler raises
``web.HTTPForbidden``). Served by ``prefork`` with its ``aiohttp_alias`` setting
(tests/supervisor/test_aiohttp_alias.py)."""

import aiohttp_session
from aiohttp import web
from aiohttp_session import SimpleCookieStorage, get_session


async def count(request: web.Request) -> web.Response:
    session = await get_session(request)
    session["n"] = session.get("n", 0) + 1
    return web.Response(text=f"{session['n']} {type(request).__module__}")


async def forbidden(request: web.Request) -> web.Response:
    raise web.HTTPForbidden(text="no")


def create_app() -> web.Application:
    app = web.Application()
    aiohttp_session.setup(app, SimpleCookieStorage())
    app.router.add_get("/count", count)
    app.router.add_get("/forbidden", forbidden)
    return app

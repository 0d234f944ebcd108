"""A library built on aiohttp.web, as aiohttp-session and aiohttp-security are: its middleware refuses a request
with aiohttp.web's HTTPForbidden and checks what the handler returns against aiohttp.web's StreamResponse."""

from aiohttp import web


@web.middleware
async def guard(request, handler):
    if request.headers.get("X-Token") != "secret":
        raise web.HTTPForbidden(text="no token")
    response = await handler(request)
    if not isinstance(response, web.StreamResponse):
        raise RuntimeError(f"Expect response, not {type(response)!r}")
    response.headers["X-Guarded"] = "yes"
    return response

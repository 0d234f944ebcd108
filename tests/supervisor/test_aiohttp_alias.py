"""``prefork`` serves an application written for aiohttp, and the libraries built on ``aiohttp.web`` it uses, with
``web`` (its ``aiohttp_alias`` setting, on by default; ``web.as_aiohttp``): a real master, a real worker, the
unchanged app of apps/aiohttp_libs.py (aiohttp-session's middleware and aiohttp's ``HTTPForbidden``)."""

from __future__ import annotations

from masters import get


async def test_an_unchanged_aiohttp_app_and_its_session_library_are_served_by_web(prefork):
    prefork.start("-w", "1", app="aiohttp_libs:create_app", wait=1)
    status, headers, body = await get(prefork.port, "/count")
    # The request is web's, and aiohttp-session's middleware took web's response for one (it raised "Expect
    # response" before) and set its cookie.
    assert (status, body) == (200, b"1 web.request")
    cookie = headers["set-cookie"].split(";")[0]
    status, _, body = await get(prefork.port, "/count", headers=f"Cookie: {cookie}\r\n")
    assert (status, body) == (200, b"2 web.request")
    status, _, body = await get(prefork.port, "/forbidden")
    assert (status, body) == (403, b"no")  # aiohttp's HTTPForbidden is web's: not a 500


async def test_with_the_alias_off_aiohttp_web_stays_aiohttps(prefork):
    # aiohttp's own Application is then what the factory returns, and prefork says it cannot serve it.
    prefork.start("-w", "1", "--aiohttp-alias", "false", app="aiohttp_libs:create_app")
    assert prefork.wait() != 0
    assert "the app is aiohttp's own aiohttp.web_app.Application, which prefork cannot serve" in (
        prefork.log_path.read_text()
    )

"""web.as_aiohttp: ``aiohttp.web`` answered by ``web``, checked in a fresh interpreter each (the swap is for the
whole process, and this one's other tests use aiohttp's own ``aiohttp.web`` as a reference)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_install_gives_webs_names_and_aiohttps_for_the_rest() -> None:
    out = _run(
        """
        import web.as_aiohttp
        web.as_aiohttp.install()
        import web, aiohttp, aiohttp.abc, aiohttp.web, aiohttp.web_exceptions
        from aiohttp import web as imported
        from aiohttp.web_response import StreamResponse
        assert imported is aiohttp.web and aiohttp.web.Response is web.Response
        assert StreamResponse is web.StreamResponse
        assert aiohttp.web_exceptions.HTTPForbidden is web.HTTPForbidden
        assert aiohttp.abc.AbstractView is web.abc.AbstractView
        # Client-side names web has not: aiohttp's own.
        assert aiohttp.abc.AbstractCookieJar.__module__ == "aiohttp.abc"
        assert aiohttp.ClientSession.__module__ == "aiohttp.client"
        # aiohttp.multipart: the readers ours (a view's isinstance check of a part), the writer aiohttp's.
        import aiohttp.multipart, web.multipart
        assert aiohttp.multipart.BodyPartReader is aiohttp.BodyPartReader is web.multipart.BodyPartReader
        assert aiohttp.multipart.MultipartReader is web.multipart.MultipartReader
        assert aiohttp.multipart.MultipartWriter is aiohttp.MultipartWriter
        assert aiohttp.MultipartWriter.__module__ == "aiohttp.multipart"
        print("ok", web.as_aiohttp.installed())
        """
    )
    assert out == "ok True"


def test_install_on_import_waits_for_the_first_import_of_aiohttp_web() -> None:
    out = _run(
        """
        import sys
        import web.as_aiohttp
        web.as_aiohttp.install_on_import()
        import aiohttp  # the client: no swap yet, and aiohttp.web not loaded
        print(web.as_aiohttp.installed(), "aiohttp.web" in sys.modules)
        from aiohttp import web as imported
        import web
        print(web.as_aiohttp.installed(), imported.Application is web.Application)
        """
    )
    assert out.splitlines() == ["False False", "True True"]


def test_a_library_on_aiohttp_web_serves_with_web_and_aiohttps_client_talks_to_it() -> None:
    out = _run(
        """
        import asyncio
        import web.as_aiohttp
        web.as_aiohttp.install()
        import aiohttp, aiohttp_session, web
        from aiohttp_session import SimpleCookieStorage, get_session

        async def count(request):
            session = await get_session(request)
            session["n"] = session.get("n", 0) + 1
            return web.Response(text=str(session["n"]))

        async def forbidden(request):
            raise aiohttp.web.HTTPForbidden(text="no")

        async def main():
            app = web.Application()
            aiohttp_session.setup(app, SimpleCookieStorage())
            app.router.add_get("/", count)
            app.router.add_get("/f", forbidden)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                for path in ("/", "/", "/f"):
                    async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                        print(response.status, await response.text())
            await runner.cleanup()

        asyncio.run(main())
        """
    )
    assert out.splitlines() == ["200 1", "200 2", "403 no"]

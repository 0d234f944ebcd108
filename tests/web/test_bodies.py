"""Response bodies that are not bytes (web.bodies), and Request.clone()."""

from __future__ import annotations

import io

import aiohttp
import pytest

import web


async def test_file_stringio_and_async_iterator_bodies(make_server, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"file body " * 10_000)

    async def chunks():
        for part in (b"a", b"b", b"c"):
            yield part

    async def from_file(request):
        return web.Response(body=path.open("rb"))

    async def from_stringio(request):
        return web.Response(body=io.StringIO("text"))

    async def from_iterator(request):
        return web.Response(body=chunks())

    app = web.Application()
    app.router.add_get("/file", from_file)
    app.router.add_get("/stringio", from_stringio)
    app.router.add_get("/iter", from_iterator)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/file")) as r:
            assert await r.read() == path.read_bytes()
            assert r.headers["Content-Length"] == str(path.stat().st_size)
            assert r.headers["Content-Type"] == "text/plain"
            assert r.headers["Content-Disposition"] == 'attachment; filename="notes.txt"'
        async with s.get(server.url("/stringio")) as r:
            assert await r.text() == "text" and r.headers["Content-Type"] == "text/plain; charset=utf-8"
        async with s.get(server.url("/iter")) as r:
            assert await r.read() == b"abc" and r.headers["Transfer-Encoding"] == "chunked"


async def test_clone_replaces_parts_and_can_prepare_the_response(make_server):
    async def handler(request):
        clone = request.clone(method="POST", rel_url="/other?x=1", headers={"X-A": "1"})
        assert (clone.method, clone.path, clone.query["x"], clone.headers["X-A"]) == ("POST", "/other", "1", "1")
        assert clone.match_info is request.match_info and request.method == "GET"
        response = web.StreamResponse()
        await response.prepare(clone)
        await response.write(b"streamed")
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/")) as r:
        assert r.status == 200 and await r.read() == b"streamed"


async def test_binary_multipart_field_without_filename_stays_bytes(make_server):
    seen = {}

    async def handler(request):
        form = await request.post()
        seen.update(form)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/", handler)
    server = await make_server(app)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="blob"\r\nContent-Type: application/octet-stream\r\n\r\n'
        b'\xff\x00\r\n--b\r\nContent-Disposition: form-data; name="text"\r\n\r\nplain\r\n--b--\r\n'
    )
    async with (
        aiohttp.ClientSession() as s,
        s.post(server.url("/"), data=body, headers={"Content-Type": "multipart/form-data; boundary=b"}) as r,
    ):
        assert r.status == 200
    assert seen == {"blob": b"\xff\x00", "text": "plain"}


async def test_a_returned_file_response_is_prepared_and_sent(make_server, tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes(b"file content")

    async def handler(request):
        return web.FileResponse(path)

    async def missing(request):
        return web.FileResponse(tmp_path / "nope.txt")

    app = web.Application()
    app.router.add_get("/", handler)
    app.router.add_get("/missing", missing)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/")) as r:
            assert r.status == 200 and await r.read() == b"file content"
        async with s.get(server.url("/missing")) as r:
            assert r.status == 404


async def test_an_aiohttp_streamer_is_a_body_called_or_not(make_server):
    # aiohttp.streamer (deprecated by aiohttp itself) builds payloads that write themselves to a writer; aiohttp's
    # payload registry converts them, and web.bodies asks that registry.
    with pytest.warns(DeprecationWarning, match="@streamer is deprecated"):

        @aiohttp.streamer
        async def numbers(writer, count=3):
            for i in range(count):
                await writer.write(b"%d;" % i)

    async def called(request):
        return web.Response(body=numbers(count=5))

    async def uncalled(request):
        return web.Response(body=numbers, headers={"Content-Length": "6"})

    app = web.Application()
    app.router.add_get("/called", called)
    app.router.add_get("/uncalled", uncalled)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/called")) as r:
            assert await r.read() == b"0;1;2;3;4;" and r.headers["Transfer-Encoding"] == "chunked"
        async with s.get(server.url("/uncalled")) as r:
            assert await r.read() == b"0;1;2;" and r.headers["Content-Length"] == "6"


async def test_a_request_part_is_a_body_decoded_with_its_names(make_server):
    # As aiohttp's BodyPartReaderPayload: the part streams back decoded, its name and filename in
    # Content-Disposition (none without them).
    sent = []

    async def echo_first_part(request):
        reader = await request.multipart()
        part = await reader.next()
        sent.append(part.headers.get("Content-Transfer-Encoding"))
        return web.Response(body=part)

    app = web.Application()
    app.router.add_post("/", echo_first_part)
    server = await make_server(app)
    text = "Grüße\r\n".encode() * 5000
    async with aiohttp.ClientSession() as s:
        with aiohttp.MultipartWriter("mixed") as mp:
            # aiohttp's writer applies the Content-Transfer-Encoding it is given: the part travels as base64.
            part = mp.append(text, {"Content-Transfer-Encoding": "base64"})
            part.set_content_disposition("attachment", name="up", filename="notes.txt")
        async with s.post(server.url("/"), data=mp) as r:
            assert r.status == 200 and await r.read() == text
            assert r.headers["Content-Type"] == "application/octet-stream"
            assert aiohttp.multipart.parse_content_disposition(r.headers["Content-Disposition"]) == (
                "attachment",
                {"name": "up", "filename": "notes.txt"},
            )
        with aiohttp.MultipartWriter() as mp:
            mp.append(b"anonymous")
        async with s.post(server.url("/"), data=mp) as r:
            assert await r.read() == b"anonymous" and "Content-Disposition" not in r.headers
    assert sent == ["base64", None]

"""Response bodies that are not bytes (web.bodies), and Request.clone()."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from http_client import read_response
from waiting import until

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


_PART_HEAD = (
    b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
)
_PART_END = b"\r\n--b0undary--\r\n"


async def test_a_streamed_part_s_answer_waits_for_the_part_s_end(make_server):
    # As aiohttp's Response, whose head goes out with the first piece of its body, and whose part reader looks
    # ahead for the boundary: nothing is answered while the client is still sending the part. aiohttp's client
    # closes its request body as soon as an answer's head is in, which left such an answer waiting for the rest
    # of the part forever (aiohttp's own test_response_with_bodypart_named hung that way, now and then).
    requests = []

    async def echo_first_part(request):
        requests.append(request)
        reader = await request.multipart()
        return web.Response(body=await reader.next())

    app = web.Application()
    app.router.add_post("/", echo_first_part)
    server = await make_server(app)
    body = _PART_HEAD + b"test" + _PART_END
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST / HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
        b"Content-Length: %d\r\n\r\n%b" % (len(body), _PART_HEAD)
    )
    sent = len(_PART_HEAD)
    for piece in (b"test", _PART_END[:4], _PART_END[4:]):
        # The handler waits for more of the body, having written nothing: no answer yet.
        await until(lambda n=sent: requests and _waits_after(requests[0].content, n), what=f"{sent} bytes read")
        assert not requests[0]._exchange.head_sent
        writer.write(piece)
        sent += len(piece)
    status, headers, answer = await asyncio.wait_for(read_response(reader), 5)
    assert (status, answer) == (200, b"test") and headers["transfer-encoding"] == "chunked"
    writer.close()


def _waits_after(body, count):
    """True when ``body`` (the request's stream) has had ``count`` bytes and its reader waits for more."""
    return body.total_bytes == count and body._waiter is not None


async def test_a_file_posted_by_aiohttp_s_client_comes_back_as_the_answer(make_server, tmp_path):
    # aiohttp's test_response_with_bodypart_named, repeated: its client writes the part's head, then reads the file
    # in a thread and writes it, then the closing boundary.
    async def echo_first_part(request):
        reader = await request.multipart()
        return web.Response(body=await reader.next())

    app = web.Application(client_max_size=2)
    app.router.add_post("/", echo_first_part)
    server = await make_server(app)
    path = tmp_path / "foobar.txt"
    path.write_text("test", encoding="utf8")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as s:
        for _ in range(30):
            with path.open("rb") as fd:
                async with s.post(server.url("/"), data={"file": fd}) as r:
                    assert (r.status, await r.read()) == (200, b"test")


async def test_a_streamed_body_reads_as_aiohttp_s_payload_of_it(make_server):
    """aiohttp's ``Response.body`` of a file object is the payload its registry made of it (a ``BytesIOPayload``,
    whose ``_value`` is the file): a middleware reading the answer's body before it goes (rororo's response
    validation, ``body._value.getvalue()``) reads it so, and the body is still sent whole."""
    import aiohttp.payload

    seen = []

    @web.middleware
    async def validate(request, handler):
        response = await handler(request)
        body = response.body
        assert body is response.body
        seen.append((type(body), body._value.getvalue() if isinstance(body, aiohttp.payload.IOBasePayload) else None))
        return response

    async def zipped(request):
        return web.Response(body=io.BytesIO(b"PK\x03\x04 zip bytes"), content_type="application/zip")

    app = web.Application(middlewares=[validate])
    app.router.add_get("/download.zip", zipped)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s, s.get(server.url("/download.zip")) as r:
        assert (r.status, r.content_type, await r.read()) == (200, "application/zip", b"PK\x03\x04 zip bytes")
    assert seen == [(aiohttp.payload.BytesIOPayload, b"PK\x03\x04 zip bytes")]

"""``web.FileResponse`` returned by a handler, unprepared or prepared, over a real server and raw sockets.

It must answer exactly as a static file does: Content-Length, validators, conditional requests, ranges, HEAD,
precompressed siblings, the 404/403 of a missing or special file, on every way the body can leave (uvloop's
``os.sendfile``, asyncio's ``loop.sendfile``, chunked reads under TLS).
"""

from __future__ import annotations

import asyncio
import datetime
import gzip
import os
import shutil
import socket
import ssl
import subprocess
import zlib

import pytest

import web

BODY = b"0123456789"
JS = b"console.log(1);" * 100
JS_GZ = gzip.compress(JS)
JS_BR = b"not really brotli, sent verbatim"


@pytest.fixture
def files(tmp_path):
    root = tmp_path / "files"
    (root / "sub").mkdir(parents=True)
    (root / "hello.txt").write_bytes(BODY)
    (root / "app.js").write_bytes(JS)
    (root / "app.js.gz").write_bytes(JS_GZ)
    (root / "app.js.br").write_bytes(JS_BR)
    (root / "only.txt.gz").write_bytes(gzip.compress(b"only compressed"))
    (root / "archive.tar.gz").write_bytes(b"\x1f\x8b not inspected")
    (root / "empty.bin").write_bytes(b"")
    os.mkfifo(root / "fifo")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "sock"))
    sock.close()
    return root


def _file_app(root, **opts):
    async def returned(request):
        return web.FileResponse(root / request.match_info["name"], **opts)

    async def prepared(request):
        response = web.FileResponse(root / request.match_info["name"], **opts)
        await response.prepare(request)
        return response

    app = web.Application()
    app.router.add_route("*", "/returned/{name:.+}", returned)
    app.router.add_route("*", "/prepared/{name:.+}", prepared)
    return app


@pytest.fixture(params=["returned", "prepared"])
async def get(request, make_server, files, raw):
    """``await get(name, *header_lines, method=...)`` -> the http_client.Response of a handler's FileResponse."""
    server = await make_server(_file_app(files))

    async def fetch(name, *headers, method="GET"):
        lines = [f"{method} /{request.param}/{name} HTTP/1.1", "Host: t", "Connection: close", *headers]
        data = await raw(server.port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        (response,) = raw.parse(data, methods=method)
        return response

    return fetch


async def test_file_is_sent_with_length_and_validators(get, files):
    r = await get("hello.txt")
    assert (r.status, r.body) == (200, BODY)
    st = (files / "hello.txt").stat()
    assert r.headers["content-length"] == "10" and "transfer-encoding" not in r.headers
    assert r.headers["content-type"] == "text/plain"
    assert r.headers["etag"] == f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
    assert r.headers["last-modified"] == _http_date(st.st_mtime)
    assert r.headers["accept-ranges"] == "bytes"
    assert "content-encoding" not in r.headers and "vary" not in r.headers


async def test_empty_file(get):
    r = await get("empty.bin")
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"", "0")
    assert r.headers["content-type"] == "application/octet-stream"


async def test_head_sends_the_head_only(get):
    r = await get("hello.txt", method="HEAD")
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"", "10")
    assert "etag" in r.headers


async def test_conditional_requests(get):
    first = await get("hello.txt")
    etag, lm = first.headers["etag"], first.headers["last-modified"]
    old, future = "Mon, 01 Jan 1990 01:01:01 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"
    cases = [
        ([f"If-None-Match: {etag}"], 304),
        ([f'If-None-Match: "x", W/{etag}'], 304),  # weak comparison (RFC 9110 §13.1.2)
        (["If-None-Match: *"], 304),
        (['If-None-Match: "x"'], 200),
        ([f"If-Modified-Since: {lm}"], 304),
        ([f"If-Modified-Since: {future}"], 304),
        ([f"If-Modified-Since: {old}"], 200),
        (["If-Modified-Since: not a date"], 200),
        (['If-None-Match: "x"', f"If-Modified-Since: {lm}"], 200),  # If-None-Match wins (RFC 9110 §13.2.2)
        ([f"If-Match: {etag}"], 200),
        (["If-Match: *"], 200),
        (['If-Match: "x", W/"y"'], 412),
        ([f"If-Match: W/{etag}"], 412),  # strong comparison (RFC 9110 §13.1.1)
        ([f"If-Unmodified-Since: {old}"], 412),
        ([f"If-Unmodified-Since: {future}"], 200),
        (["If-Unmodified-Since: not a date"], 200),
        ([f"If-Match: {etag}", f"If-Unmodified-Since: {old}"], 200),  # If-Match wins (RFC 9110 §13.1.4)
        ([f"If-Unmodified-Since: {old}", "Range: bytes=2-"], 412),
    ]
    for headers, status in cases:
        r = await get("hello.txt", *headers)
        assert r.status == status, headers
        if status == 304:
            assert r.body == b"" and "content-length" not in r.headers
            assert r.headers["etag"] == etag and r.headers["last-modified"] == lm
        if status == 412:
            assert r.body == b""


async def test_if_none_match_on_other_methods_is_412(get):
    etag = (await get("hello.txt")).headers["etag"]
    # RFC 9110 §13.1.2: a false If-None-Match answers 304 to GET and HEAD, 412 to any other method.
    assert (await get("hello.txt", f"If-None-Match: {etag}", method="POST")).status == 412
    assert (await get("hello.txt", f"If-None-Match: {etag}", method="HEAD")).status == 304


@pytest.mark.parametrize(
    ("range_", "status", "body", "content_range"),
    [
        ("bytes=0-3", 206, b"0123", "bytes 0-3/10"),
        ("bytes=2-", 206, b"23456789", "bytes 2-9/10"),
        ("bytes=-3", 206, b"789", "bytes 7-9/10"),
        ("bytes=5-100", 206, b"56789", "bytes 5-9/10"),
        ("bytes=-99999999999999", 206, BODY, "bytes 0-9/10"),
        ("bytes=10-", 416, b"", "bytes */10"),
        ("bytes=-0", 416, b"", "bytes */10"),
        ("bytes=5-2", 416, b"", "bytes */10"),  # invalid: rejected, as aiohttp 3 does (RFC 9110 §14.2 allows it)
        ("bytes=0--1", 416, b"", "bytes */10"),
        ("items=0-3", 200, BODY, None),  # an unknown unit MUST be ignored (RFC 9110 §14.2)
    ],
)
async def test_ranges(get, range_, status, body, content_range):
    r = await get("hello.txt", f"Range: {range_}")
    assert (r.status, r.body, r.headers.get("content-range")) == (status, body, content_range)
    assert r.headers["content-length"] == str(len(body))


async def test_if_range(get):
    first = await get("hello.txt")
    etag, lm = first.headers["etag"], first.headers["last-modified"]
    assert (await get("hello.txt", "Range: bytes=2-3", f"If-Range: {etag}")).status == 206
    assert (await get("hello.txt", "Range: bytes=2-3", f"If-Range: {lm}")).status == 206
    # A stale or weak validator, or any other date, sends the whole file (RFC 9110 §13.1.5).
    for stale in ['"stale"', f"W/{etag}", "Mon, 01 Jan 1990 01:01:01 GMT", "not a date"]:
        r = await get("hello.txt", "Range: bytes=2-3", f"If-Range: {stale}")
        assert (r.status, r.body) == (200, BODY), stale


@pytest.mark.parametrize(
    ("accept", "encoding", "body"),
    [
        ("gzip, deflate, br", "br", JS_BR),
        ("gzip, deflate", "gzip", JS_GZ),
        ("GZIP", "gzip", JS_GZ),  # codings are case-insensitive (RFC 9110 §8.4.1)
        ("x-gzip", "gzip", JS_GZ),  # x-gzip is gzip (RFC 9110 §8.4.1.3)
        ("br;q=0, gzip", "gzip", JS_GZ),
        ("gzip;q=0", None, JS),  # q=0 means not acceptable (RFC 9110 §12.5.3)
        ("deflate", None, JS),
        ("identity", None, JS),
        (None, None, JS),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
async def test_precompressed_siblings(get, accept, encoding, body):
    r = await get("app.js", *([f"Accept-Encoding: {accept}"] if accept else []))
    assert (r.status, r.body, r.headers.get("content-encoding")) == (200, body, encoding)
    assert r.headers["content-type"] == "text/javascript"
    assert r.headers["content-length"] == str(len(body))
    # Both variants name what they vary on, so a cache keeps them apart (RFC 9110 §12.5.5).
    assert r.headers["vary"] == "Accept-Encoding"


async def test_sibling_without_the_plain_file(get):
    r = await get("only.txt", "Accept-Encoding: gzip")
    assert (r.status, r.headers["content-encoding"]) == (200, "gzip")
    assert gzip.decompress(r.body) == b"only compressed"
    assert (await get("only.txt")).status == 404


async def test_sibling_that_is_a_symlink_is_ignored(get, files, tmp_path):
    """The application chose the file, not a link planted next to it (aiohttp 3's rule): the file goes plain."""
    (tmp_path / "elsewhere.gz").write_bytes(JS_GZ)
    (files / "linked.js").write_bytes(JS)
    (files / "linked.js.gz").symlink_to(tmp_path / "elsewhere.gz")
    (files / "linked.js.br").symlink_to("app.js.br")  # even one that stays in the directory
    r = await get("linked.js", "Accept-Encoding: gzip, br")
    assert (r.status, r.body, r.headers.get("content-encoding")) == (200, JS, None)


@pytest.mark.parametrize(
    ("name", "ctype"), [("only.txt.gz", "application/gzip"), ("archive.tar.gz", "application/gzip")]
)
async def test_compressed_file_itself_is_not_content_encoded(get, name, ctype):
    r = await get(name, "Accept-Encoding: gzip")
    assert r.status == 200 and "content-encoding" not in r.headers
    assert r.headers["content-type"] == ctype


@pytest.mark.parametrize(("name", "status"), [("missing.txt", 404), ("sub", 403), ("fifo", 403), ("sock", 403)])
async def test_missing_and_special_files(get, name, status):
    r = await get(name)
    assert (r.status, r.body) == (status, b"")


async def test_custom_headers_stand(make_server, files, raw):
    async def handler(request):
        response = web.FileResponse(files / "app.js", headers={"X-Custom": "1"})
        response.content_type = "application/pdf"
        response.headers["Cache-Control"] = "max-age=60"
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    server = await make_server(app)
    data = await raw(server.port, b"GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
    (r,) = raw.parse(data)
    assert (r.status, r.body, r.headers["content-encoding"]) == (200, JS_GZ, "gzip")
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-custom"] == "1" and r.headers["cache-control"] == "max-age=60"


async def test_enable_compression_compresses_the_file_but_never_a_sibling_again(make_server, files, raw):
    """A FileResponse with enable_compression() sends the file compressed on the way out (not zero-copy: the bytes
    sent are not the file's), and a precompressed sibling as it is, with its own coding (aiohttp 3)."""

    async def handler(request):
        response = web.FileResponse(files / request.match_info["name"])
        response.enable_compression(web.ContentCoding.deflate)
        return response

    app = web.Application()
    app.router.add_get("/{name}", handler)
    server = await make_server(app)
    data = await raw(server.port, b"GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    (r,) = raw.parse(data)
    assert (r.status, r.headers["content-encoding"], zlib.decompress(r.body)) == (200, "deflate", BODY)
    assert "content-length" not in r.headers and r.headers["transfer-encoding"] == "chunked"
    request = b"GET /app.js HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    (r,) = raw.parse(await raw(server.port, request))
    assert (r.status, r.headers["content-encoding"], r.body) == (200, "gzip", JS_GZ)
    assert r.headers["content-length"] == str(len(JS_GZ))


async def test_middleware_sees_the_unprepared_response(make_server, files, raw):
    @web.middleware
    async def stamp(request, handler):
        response = await handler(request)
        assert not response.prepared
        response.headers["X-Stamped"] = "yes"
        return response

    app = _file_app(files)
    app.middlewares.append(stamp)
    server = await make_server(app)
    data = await raw(server.port, b"GET /returned/hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    (r,) = raw.parse(data)
    assert (r.status, r.body, r.headers["x-stamped"]) == (200, BODY, "yes")


async def test_keep_alive_pipelined_file_responses(make_server, files, raw):
    server = await make_server(_file_app(files))
    one = b"GET /returned/hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
    partial = b"GET /returned/hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1\r\n\r\n"
    missing = b"GET /returned/nope HTTP/1.1\r\nHost: t\r\n\r\n"
    last = b"HEAD /prepared/hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    data = await raw(server.port, one + partial + missing + one + last)
    # The HEAD answer's Content-Length announces no body: split it off before parsing the rest.
    head_at = data.rindex(b"HTTP/1.1 200")
    responses = raw.parse(data[:head_at])
    assert [(r.status, r.body) for r in responses] == [(200, BODY), (206, b"01"), (404, b""), (200, BODY)]
    assert data[head_at:].endswith(b"\r\n\r\n") and b"Content-Length: 10" in data[head_at:]


@pytest.fixture
def tls_cert(tmp_path):
    """A self-signed certificate for localhost and its key, made by the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a test certificate with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key)]
    subject = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"]
    subprocess.run(
        [openssl, "req", "-x509", *new_key, "-days", "1", "-out", str(cert), *subject],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return str(cert), str(key)


async def test_chunk_size_under_tls(files, tls_cert):
    """Under TLS (no sendfile) the file goes out in writes of ``chunk_size`` bytes; the body arrives whole."""
    cert, key = tls_cert
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=cert)
    big = os.urandom(100_000)
    (files / "big.bin").write_bytes(big)
    writes = []

    class Recording(web.FileResponse):
        def write(self, data):
            writes.append(len(data))
            return super().write(data)

    async def handler(request):
        return Recording(files / "big.bin", chunk_size=4096)

    app = web.Application()
    app.router.add_get("/", handler)
    factory = app.make_handler()
    loop = asyncio.get_running_loop()
    srv = await loop.create_server(factory, "127.0.0.1", 0, ssl=server_ctx)
    port = srv.sockets[0].getsockname()[1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=client_ctx, server_hostname="localhost")
        writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 10)
        writer.close()
    finally:
        srv.close()
        await factory.shutdown(timeout=1.0)
        await srv.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and body == big
    assert writes == [4096] * (len(big) // 4096) + [len(big) % 4096]


def test_loop_sendfile_on_asyncio(files):
    """On asyncio's own loop the body goes through ``loop.sendfile`` (uvloop, in the other tests, has none)."""

    async def main():
        app = _file_app(files)
        handler = app.make_handler()
        loop = asyncio.get_running_loop()
        srv = await loop.create_server(handler, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /returned/app.js HTTP/1.1\r\nHost: t\r\nRange: bytes=5-\r\nConnection: close\r\n\r\n")
            data = await asyncio.wait_for(reader.read(), 10)
            writer.close()
        finally:
            srv.close()
            await handler.shutdown(timeout=1.0)
            await srv.wait_closed()
        return data

    data = asyncio.run(main())
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 206") and body == JS[5:]


def _http_date(ts):
    return datetime.datetime.fromtimestamp(int(ts), datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


@pytest.mark.parametrize("accept_encoding", [[], ["Accept-Encoding: gzip"]])
async def test_the_status_given_to_file_response_is_sent(make_server, files, raw, accept_encoding):
    # FileResponse(path, status=203), as aiohttp keeps it, for the file and for its .gz sibling.
    server = await make_server(_file_app(files, status=203))
    for how in ("returned", "prepared"):
        lines = [f"GET /{how}/app.js HTTP/1.1", "Host: t", "Connection: close", *accept_encoding]
        (r,) = raw.parse(await raw(server.port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")))
        assert r.status == 203 and r.body == (JS_GZ if accept_encoding else JS)

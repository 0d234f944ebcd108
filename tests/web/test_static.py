"""Static files over a real server: the traversal corpus, content types, conditionals, ranges, HEAD, gzip."""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import sys
from pathlib import Path

import aiohttp
import psutil
import pytest
from yarl import URL

import web
from web.app import Application
from web.response import Response
from web.staticfiles import parse_range
from web.testing import make_mocked_request

SECRET = b"TOP-SECRET-CONTENT"
REPO = str(Path(__file__).resolve().parents[2])


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text("<h1>hi</h1>")
    (root / "hello.txt").write_bytes(b"0123456789")
    (root / "sub" / "data.json").write_text('{"a": 1}')
    (root / "app.js").write_text("console.log(1)" * 100)
    (root / "app.js.gz").write_bytes(gzip.compress((root / "app.js").read_bytes()))
    (root / "empty.bin").write_bytes(b"")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "inside").symlink_to(root / "hello.txt")
    os.mkfifo(root / "fifo")
    return root


async def raw(server, target, headers=(), method="GET"):
    """Send one request byte for byte (no client-side normalization) and read the whole answer."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {server.host}", "Connection: close", *headers]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        hdrs[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), hdrs, body


async def serve(make_server, root, **kwargs):
    app = Application()
    app.router.add_static("/static", root, name="static", **kwargs)
    return await make_server(app)


TRAVERSAL = [
    "/static/../secret.txt",
    "/static/../../etc/passwd",
    "/static/sub/../../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/.%2e/secret.txt",
    "/static/%2e./secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/%2e%2e%2Fsecret.txt",
    "/static/sub%2f..%2f..%2fsecret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/%252e%252e%252fsecret.txt",
    "/static/..\\secret.txt",
    "/static/..%5csecret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%2Fetc/passwd",
    "/static/hello.txt%00.png",
    "/static/%00",
    "/static/..%00/secret.txt",
    "/static/escape",
    "/static/%c0%ae%c0%ae/secret.txt",
    "/static/%uff0e%uff0e/secret.txt",
    "/static/....//secret.txt",
    "/static/sub/./../../secret.txt",
    "/static/fifo",
]


@pytest.mark.parametrize("target", TRAVERSAL)
async def test_traversal_is_refused(make_server, tree, target):
    server = await serve(make_server, tree)
    status, _, body = await raw(server, target)
    # aiohttp 3's answer to a name that leads out of the root is 404, which tells nothing of what lies there;
    # a FIFO in the root is there, and not a regular file: 403.
    assert status == (403 if target == "/static/fifo" else 404), (target, status)
    assert SECRET not in body and b"root:" not in body


async def test_the_prefix_itself_names_the_root(make_server, tree):
    server = await serve(make_server, tree)
    assert (await raw(server, "/static"))[0] == 403
    assert (await raw(server, "/staticx"))[0] == 404
    server = await serve(make_server, tree, show_index=True)
    status, headers, body = await raw(server, "/static")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"<title>Index of /.</title>" in body and b'<a href="/static/hello.txt">hello.txt</a>' in body


async def test_append_version_puts_the_files_hash_in_its_url(make_server, tree):
    # aiohttp 3's cache buster: url_for(filename=..., append_version=True), or add_static(append_version=True),
    # adds ?v= the SHA-256 of the file in URL-safe base64; the URL serves the file (the query is not read). None
    # for a missing file, or one a symlink leads out of the root to without follow_symlinks.
    import base64
    import hashlib

    app = Application()
    route = app.router.add_static("/static", tree, name="static", append_version=True)
    server = await make_server(app)
    digest = base64.urlsafe_b64encode(hashlib.sha256(b"0123456789").digest()).decode()
    url = route.url_for(filename="hello.txt")
    assert url.path == "/static/hello.txt" and url.query["v"] == digest
    assert str(app.router["static"].url_for(filename="hello.txt", append_version=False)) == "/static/hello.txt"
    assert (await raw(server, str(url)))[::2] == (200, b"0123456789")
    assert route.url_for(filename="missing.txt").query_string == ""
    assert route.url_for(filename="escape").query_string == ""  # outside the root, follow_symlinks off
    (tree / "hello.txt").write_bytes(b"changed")
    assert route.url_for(filename="hello.txt").query["v"] != digest


async def test_symlink_out_of_root_allowed_only_with_follow_symlinks(make_server, tree):
    server = await serve(make_server, tree, follow_symlinks=True)
    status, _, body = await raw(server, "/static/escape")
    assert (status, body) == (200, SECRET)
    # Traversal by '..' stays refused even then, with aiohttp 3's 404.
    assert (await raw(server, "/static/../secret.txt"))[0] == 404


async def test_symlink_inside_root_is_served(make_server, tree):
    server = await serve(make_server, tree)
    assert (await raw(server, "/static/inside"))[2] == b"0123456789"


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("index.html", "text/html"),
        ("hello.txt", "text/plain"),
        ("sub/data.json", "application/json"),
        ("app.js", "text/javascript"),
        ("empty.bin", "application/octet-stream"),
    ],
)
async def test_content_type_from_mimetypes(make_server, tree, name, ctype):
    server = await serve(make_server, tree)
    status, headers, body = await raw(server, f"/static/{name}")
    assert status == 200 and headers["content-type"] == ctype
    assert body == (tree / name).read_bytes()
    assert headers["content-length"] == str(len(body))
    assert headers["accept-ranges"] == "bytes"


async def test_directories_are_forbidden_unless_show_index(make_server, tree):
    server = await serve(make_server, tree)
    assert (await raw(server, "/static/sub"))[0] == 403
    assert (await raw(server, "/static/sub/"))[0] == 403
    assert (await raw(server, "/static/"))[0] == 403
    assert (await raw(server, "/static/nope.txt"))[0] == 404
    server2 = await serve(make_server, tree, show_index=True)
    status, headers, body = await raw(server2, "/static/sub/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'href="/static/sub/data.json"' in body  # aiohttp 3's page: links are full paths


async def test_etag_and_last_modified_give_304(make_server, tree):
    server = await serve(make_server, tree)
    _, headers, _ = await raw(server, "/static/hello.txt")
    etag, lm = headers["etag"], headers["last-modified"]
    assert etag.startswith('"') and etag.endswith('"')  # strong
    status, h304, body = await raw(server, "/static/hello.txt", [f"If-None-Match: {etag}"])
    assert (status, body) == (304, b"") and h304["etag"] == etag
    assert (await raw(server, "/static/hello.txt", [f'If-None-Match: W/{etag}, "x"']))[0] == 304
    assert (await raw(server, "/static/hello.txt", ["If-None-Match: *"]))[0] == 304
    assert (await raw(server, "/static/hello.txt", ['If-None-Match: "other"']))[0] == 200
    assert (await raw(server, "/static/hello.txt", [f"If-Modified-Since: {lm}"]))[0] == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert (await raw(server, "/static/hello.txt", [f"If-Modified-Since: {old}"]))[0] == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    hs = ['If-None-Match: "other"', f"If-Modified-Since: {lm}"]
    assert (await raw(server, "/static/hello.txt", hs))[0] == 200
    assert (await raw(server, "/static/hello.txt", ['If-Match: "other"']))[0] == 412
    assert (await raw(server, "/static/hello.txt", [f"If-Unmodified-Since: {old}"]))[0] == 412


@pytest.mark.parametrize(
    ("range_", "status", "body", "content_range"),
    [
        ("bytes=0-3", 206, b"0123", "bytes 0-3/10"),
        ("bytes=2-", 206, b"23456789", "bytes 2-9/10"),
        ("bytes=-3", 206, b"789", "bytes 7-9/10"),
        ("bytes=5-100", 206, b"56789", "bytes 5-9/10"),
        ("bytes=9-9", 206, b"9", "bytes 9-9/10"),
        ("bytes=-100", 206, b"0123456789", "bytes 0-9/10"),
        ("bytes=10-", 416, b"", "bytes */10"),
        ("bytes=10-20", 416, b"", "bytes */10"),
        ("bytes=-0", 416, b"", "bytes */10"),
        ("bytes=5-2", 416, b"", "bytes */10"),  # invalid: rejected, as aiohttp 3 does (RFC 9110 §14.2 allows it)
        ("bytes=0-1,3-4", 200, b"0123456789", None),  # several ranges: ignored, none is unsatisfiable
        ("items=0-3", 200, b"0123456789", None),  # an unknown unit MUST be ignored (RFC 9110 §14.2)
        ("bytes=a-b", 416, b"", "bytes */10"),
        ("bytes=\xb2-", 416, b"", "bytes */10"),  # "²" is a digit to str.isdigit(), not to RFC 9110
    ],
)
async def test_single_ranges(make_server, tree, range_, status, body, content_range):
    server = await serve(make_server, tree)
    got_status, headers, got_body = await raw(server, "/static/hello.txt", [f"Range: {range_}"])
    assert (got_status, got_body) == (status, body)
    assert headers.get("content-range") == content_range


async def test_if_range_mismatch_sends_whole_file(make_server, tree):
    server = await serve(make_server, tree)
    _, headers, _ = await raw(server, "/static/hello.txt")
    hs = ["Range: bytes=0-1", f"If-Range: {headers['etag']}"]
    assert (await raw(server, "/static/hello.txt", hs))[0] == 206
    hs = ["Range: bytes=0-1", 'If-Range: "stale"']
    assert (await raw(server, "/static/hello.txt", hs))[:3:2] == (200, b"0123456789")


async def test_range_on_empty_file_is_416(make_server, tree):
    server = await serve(make_server, tree)
    assert (await raw(server, "/static/empty.bin", ["Range: bytes=0-"]))[0] == 416


async def test_head_has_length_and_no_body(make_server, tree):
    server = await serve(make_server, tree)
    status, headers, body = await raw(server, "/static/hello.txt", method="HEAD")
    assert (status, headers["content-length"], body) == (200, "10", b"")
    assert (await raw(server, "/static/hello.txt", method="POST"))[0] == 405


async def test_set_options_route_answers_options_under_the_prefix_as_aiohttp_3_does(make_server, tree):
    # aiohttp-cors adds its preflight handler to a static resource this way, and recognises the preflight by
    # match_info.route being resource._routes["OPTIONS"] (with the static resource as its resource).
    seen = []

    async def preflight(request):
        seen.append((request.match_info.route, request.match_info["filename"]))
        return Response(text="preflight")

    app = Application()
    static = app.router.add_static("/static", tree, name="static")
    assert static._routes == {"GET": static, "HEAD": static}
    static.set_options_route(preflight)
    options = static._routes["OPTIONS"]
    assert options is not static and options.method == "OPTIONS" and options.resource is static
    assert list(static) == [static, options] and len(static) == 2
    assert list(app.router.resources()) == [static] and list(app.router.keys()) == ["static"]
    with pytest.raises(RuntimeError, match="OPTIONS route was set already"):
        static.set_options_route(preflight)
    server = await make_server(app)
    status, _, body = await raw(server, "/static/sub/data.json", method="OPTIONS")
    assert (status, body) == (200, b"preflight")
    assert seen == [(options, "sub/data.json")]
    assert (await raw(server, "/static/hello.txt"))[:3:2] == (200, b"0123456789")
    status, headers, _ = await raw(server, "/static/hello.txt", method="POST")
    assert status == 405 and set(headers["allow"].split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert (await raw(server, "/elsewhere", method="OPTIONS"))[0] == 404


async def test_precompressed_gz_is_served_for_gzip_clients(make_server, tree):
    server = await serve(make_server, tree)
    status, headers, body = await raw(server, "/static/app.js", ["Accept-Encoding: gzip, br"])
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert headers["content-type"] == "text/javascript" and headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == (tree / "app.js").read_bytes()
    status, headers, body = await raw(server, "/static/app.js")
    assert "content-encoding" not in headers and body == (tree / "app.js").read_bytes()


async def test_keep_alive_after_file_responses(make_server, tree):
    server = await serve(make_server, tree)
    async with aiohttp.ClientSession() as s:
        for name in ["hello.txt", "app.js", "hello.txt", "nope"]:
            async with s.get(server.url(f"/static/{name}"), auto_decompress=False) as r:
                await r.read()
        assert r.status == 404


async def test_big_file_is_served_with_flat_rss(make_server, tmp_path):
    size = 64 * 1024 * 1024
    root = tmp_path / "big"
    root.mkdir()
    os.truncate(_touch(root / "big.bin"), size)  # sparse: no 64 MB write to disk needed
    server = await serve(make_server, root)
    proc = psutil.Process()
    before = proc.memory_info().rss
    peak = before
    total = 0
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(b"GET /static/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while True:
        chunk = await asyncio.wait_for(reader.read(1 << 20), 10)
        if not chunk:
            break
        total += len(chunk)
        peak = max(peak, proc.memory_info().rss)
        await asyncio.sleep(0)  # a slow-ish reader: the server must wait, not buffer
    writer.close()
    await writer.wait_closed()
    assert total > size
    assert peak - before < 16 * 1024 * 1024, f"RSS grew by {(peak - before) >> 20} MiB"


def _touch(path):
    path.touch()
    return path


def test_parse_range_unit():
    assert parse_range("bytes=0-0", 1) == (0, 0)
    assert parse_range("bytes=1-", 1) is False
    assert parse_range("bytes=", 1) is False
    assert parse_range("bytes=-", 1) is False
    assert parse_range("bytes=\xb2-", 1) is False
    assert parse_range("blocks=0-0", 1) is None


# A server whose reads the file modes really stop: root reads through any mode bits (CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH), so as root the server runs in a child process without those two capabilities (util-linux
# setpriv); it stays uid 0 and can still import from a home directory only root may enter.
_UNPRIVILEGED_SERVER = """
import asyncio, sys
from web.app import Application
from web.response import Response

async def main():
    app = Application()
    app.router.add_static("/", sys.argv[1], show_index=True)
    server = await asyncio.get_running_loop().create_server(app.make_handler(), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    parent_gone = loop.create_future()  # the test closes stdin: serve until then, never longer

    class Parent(asyncio.Protocol):
        def connection_lost(self, exc):
            parent_gone.set_result(None)

    await loop.connect_read_pipe(Parent, sys.stdin)
    await parent_gone

asyncio.run(main())
"""


async def test_unreadable_directory_listing_is_403(tmp_path, raw):
    root = tmp_path / "site"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "a.txt").write_text("a")
    (root / "open").mkdir()
    (root / "secret.txt").write_text("s")
    for path in (root / "locked", root / "secret.txt"):
        path.chmod(0)
    command = [sys.executable, "-c", _UNPRIVILEGED_SERVER, str(root)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, and no setpriv to drop CAP_DAC_OVERRIDE with")
        caps = "-dac_override,-dac_read_search"
        command = [setpriv, "--bounding-set", caps, "--inh-caps", caps, *command]
    env = {**os.environ, "PYTHONPATH": REPO}
    proc = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env
    )
    try:
        port = int(await asyncio.wait_for(proc.stdout.readline(), 20))

        async def get(target):
            (response,) = raw.parse(
                await raw(port, f"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
            )
            return response

        listing = await get("/")
        assert listing.status == 200 and b'href="/locked">locked/<' in listing.body
        assert (await get("/open/")).status == 200
        for target in ["/locked/", "/locked"]:
            response = await get(target)
            assert (response.status, response.body) == (403, b"403: Forbidden"), target
        assert (await get("/locked/a.txt")).status == 403
        assert (await get("/secret.txt")).status == 403
    finally:
        proc.stdin.close()  # the child ends when its stdin closes
        try:
            await asyncio.wait_for(proc.wait(), 10)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def test_a_non_ascii_prefix_is_percent_encoded_in_urls(make_server, tree):
    # As aiohttp's: the literal text of a registered path goes into a URL percent-encoded, its %-sequences kept
    # (a static prefix, and the literal parts of a dynamic route); the URL leads back to the route.
    app = Application()
    static = app.router.add_static("/пре фикс", tree, name="static")

    async def item(request):
        return Response(text=request.match_info["id"])

    dynamic = app.router.add_route("GET", "/ит ем/{id}", item)
    server = await make_server(app)
    url = static.url_for(filename="hello.txt")
    assert str(url) == "/%D0%BF%D1%80%D0%B5%20%D1%84%D0%B8%D0%BA%D1%81/hello.txt"
    assert (await raw(server, str(url)))[::2] == (200, b"0123456789")
    url = dynamic.url_for(id="7")
    assert str(url) == "/%D0%B8%D1%82%20%D0%B5%D0%BC/7" and dynamic.url(parts={"id": "7"}) == str(url)
    assert (await raw(server, str(url)))[::2] == (200, b"7")


# -- the static route as aiohttp 3's StaticResource: resolve(), get_info(), made by hand ---------------------------


async def test_a_static_resource_resolves_a_request_under_its_prefix(tree):
    router = web.UrlDispatcher()
    static = router.add_static("/st", tree)
    info, allowed = await static.resolve(make_mocked_request("GET", "/st/sub/a%20b.txt"))
    assert info.route in list(static) and dict(info) == {"filename": "sub/a b.txt"} and allowed == {"GET", "HEAD"}
    assert await static.resolve(make_mocked_request("POST", "/st/x")) == (None, {"GET", "HEAD"})
    assert await static.resolve(make_mocked_request("GET", "/other/x")) == (None, set())
    # A path whose dot segments climb out of the prefix is not the resource's, whatever it names.
    assert await static.resolve(make_mocked_request("GET", "/st/../st2/x")) == (None, set())

    async def options(request):
        return Response()

    static.set_options_route(options)
    info, allowed = await static.resolve(make_mocked_request("OPTIONS", "/st/x"))
    assert info.handler is not None and allowed == {"GET", "HEAD", "OPTIONS"}
    # get_info() lists its routes by method, as aiohttp's does; the OPTIONS route's repr names the resource.
    routes = static.get_info()["routes"]
    assert static.get_info() == {"directory": tree.resolve(), "prefix": "/st", "routes": routes}
    assert list(routes) == ["GET", "HEAD", "OPTIONS"] and set(routes.values()) == set(static)
    assert repr(routes["OPTIONS"]).startswith("<ResourceRoute [OPTIONS] <StaticResource")


def test_a_static_resource_made_by_hand_takes_aiohttp_s_arguments(tree):
    static = web.StaticResource(prefix="/prefix", directory=str(tree), name="files", show_index=True)
    assert (static.canonical, static.name, static.directory) == ("/prefix", "files", tree.resolve())
    app = Application()
    app.router.register_resource(static)
    assert app.router["files"] is static and static.url_for(filename="a.txt") == URL("/prefix/a.txt")

"""Nothing outside a static root leaves the server: every spelling of traversal, every symlink, every sibling.

Requests go out as raw request lines (aiohttp's client would normalise the paths). The root holds symlinks out to
``outside/`` for a file, a directory, a ``.gz`` and a ``.br`` sibling and an ``index.html``; ``outside/`` holds
a file under every name the requests aim at, each containing MARKER. The only acceptable answers are 403 and
404 (400 where the parser refuses the request line), or 200 with the root's own content: never MARKER, never 500.
"""

from __future__ import annotations

import gzip

import pytest

import web

MARKER = b"OUTSIDE-THE-ROOT"
INSIDE = b"inside the root"
CODINGS = [None, "gzip", "br", "gzip, br", "br, gzip, deflate, x-gzip, *"]


@pytest.fixture
def site(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ["secret.txt", "secret.txt.gz", "secret.txt.br", "index.html", "passwd"]:
        (outside / name).write_bytes(MARKER)
    www = tmp_path / "www"
    (www / "sub").mkdir(parents=True)
    (www / "inner").mkdir()
    (www / "file.txt").write_bytes(INSIDE)
    (www / "file.txt.gz").symlink_to(outside / "secret.txt.gz")  # issue 12: the sibling leads out
    (www / "other.txt").write_bytes(INSIDE)
    (www / "other.txt.br").symlink_to(outside / "secret.txt.br")
    (www / "both.txt").write_bytes(INSIDE)
    (www / "both.txt.gz").symlink_to("../outside/secret.txt.gz")  # relative links too
    (www / "both.txt.br").symlink_to(outside / "secret.txt.br")
    (www / "only.txt.gz").symlink_to(outside / "secret.txt.gz")  # no plain file: only the sibling to serve
    (www / "only.txt.br").symlink_to(outside / "secret.txt.br")
    (www / "link.txt").symlink_to(outside / "secret.txt")
    (www / "linkdir").symlink_to(outside)
    (www / "sub" / "index.html").symlink_to(outside / "index.html")
    (www / "chain").symlink_to("sub/../linkdir")  # a link through a link
    # Links that stay inside are served, siblings included.
    (www / "inner" / "real.js").write_bytes(INSIDE)
    (www / "inner" / "real.js.gz").write_bytes(gzip.compress(INSIDE))
    (www / "alias.js").symlink_to("inner/real.js")
    (www / "good.js").write_bytes(INSIDE)
    (www / "good.js.gz").symlink_to("inner/real.js.gz")
    return tmp_path


def _targets(root):
    """Request targets aiming at ``outside/`` (the root is ``<tmp>/www``, served at ``/``)."""
    secret = f"{root}/outside/secret.txt"
    return [
        # symlinks out of the root: the file, a directory, an index, siblings, a chain of links
        "/link.txt",
        "/linkdir",
        "/linkdir/",
        "/linkdir/secret.txt",
        "/linkdir/index.html",
        "/sub/index.html",
        "/chain/secret.txt",
        "/only.txt",
        # '..' in every spelling
        "/../outside/secret.txt",
        "/sub/../../outside/secret.txt",
        "/%2e%2e/outside/secret.txt",
        "/%2E%2E/outside/secret.txt",
        "/.%2e/outside/secret.txt",
        "/%2e./outside/secret.txt",
        "/sub/%2e%2e/%2e%2e/outside/secret.txt",
        # encoded slashes and backslashes
        "/..%2foutside%2fsecret.txt",
        "/..%2Foutside/secret.txt",
        "/%2e%2e%2foutside%2fsecret.txt",
        "/sub%2f..%2f..%2foutside%2fsecret.txt",
        "/..%5coutside%5csecret.txt",
        "/%2e%2e%5coutside%5csecret.txt",
        "/..\\outside\\secret.txt",
        "/sub\\..\\..\\outside\\secret.txt",
        # NUL
        "/file.txt%00.png",
        "/%00",
        "/..%00/outside/secret.txt",
        "/link.txt%00",
        # absolute paths
        f"/{secret}",
        f"/%2f{secret.lstrip('/')}",
        f"/{secret.replace('/', '%2f')}",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        # double encoding, overlong UTF-8, %u
        "/%252e%252e/outside/secret.txt",
        "/%252e%252e%252foutside%252fsecret.txt",
        "/%25%32%65%25%32%65/outside/secret.txt",
        "/%c0%ae%c0%ae/outside/secret.txt",
        "/%uff0e%uff0e/outside/secret.txt",
        "/....//outside/secret.txt",
        "/./.././outside/secret.txt",
        # absolute-form targets (RFC 9112 §3.2.2)
        "http://t/../outside/secret.txt",
        "http://t/link.txt",
    ]


async def _get(raw, server, target, coding, method="GET"):
    lines = [f"{method} {target} HTTP/1.1", "Host: t", "Connection: close"]
    if coding is not None:
        lines.append(f"Accept-Encoding: {coding}")
    data = await raw(server.port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    return raw.parse(data, methods=method)[0] if data else None


async def _serve(make_server, root, **kwargs):
    app = web.Application()
    app.router.add_static("/", root / "www", show_index=True, **kwargs)
    return await make_server(app)


@pytest.mark.parametrize("coding", CODINGS, ids=lambda c: f"ae={c}")
async def test_no_target_reaches_outside(make_server, raw, site, coding):
    server = await _serve(make_server, site)
    for target in _targets(site):
        for method in ("GET", "HEAD"):
            r = await _get(raw, server, target, coding, method)
            assert r is not None, target
            assert r.status in (400, 403, 404), (target, coding, method, r.status)
            assert MARKER not in r.body, (target, coding)


@pytest.mark.parametrize("coding", CODINGS, ids=lambda c: f"ae={c}")
@pytest.mark.parametrize("name", ["file.txt", "other.txt", "both.txt"])
async def test_sibling_out_of_root_is_ignored(make_server, raw, site, coding, name):
    """A sibling leading out is not the file's: the file itself is sent, uncompressed."""
    server = await _serve(make_server, site)
    r = await _get(raw, server, f"/{name}", coding)
    assert (r.status, r.body, r.headers.get("content-encoding")) == (200, INSIDE, None)


@pytest.mark.parametrize("coding", CODINGS[1:], ids=lambda c: f"ae={c}")
async def test_only_sibling_out_of_root_is_404(make_server, raw, site, coding):
    server = await _serve(make_server, site)
    r = await _get(raw, server, "/only.txt", coding)
    assert r.status == 404 and MARKER not in r.body


async def test_symlinks_inside_the_root_are_served(make_server, raw, site):
    server = await _serve(make_server, site)
    r = await _get(raw, server, "/alias.js", None)
    assert (r.status, r.body) == (200, INSIDE)
    r = await _get(raw, server, "/alias.js", "gzip")  # the sibling of the link's target
    assert (r.status, r.headers["content-encoding"], gzip.decompress(r.body)) == (200, "gzip", INSIDE)
    r = await _get(raw, server, "/good.js", "gzip")  # a sibling that links inside
    assert (r.status, r.headers["content-encoding"], gzip.decompress(r.body)) == (200, "gzip", INSIDE)


async def test_directory_listing_stays_inside(make_server, raw, site):
    server = await _serve(make_server, site)
    r = await _get(raw, server, "/", None)
    assert r.status == 200 and b"linkdir" in r.body  # the link's name is the root's; its content is not listed
    for target in ["/linkdir/", "/chain/", "/sub/../linkdir/"]:
        r = await _get(raw, server, target, None)
        assert r.status in (403, 404) and b"secret.txt" not in r.body, target


async def test_follow_symlinks_lets_links_lead_out_but_not_dot_dot(make_server, raw, site):
    server = await _serve(make_server, site, follow_symlinks=True)
    assert (await _get(raw, server, "/link.txt", None)).body == MARKER
    assert (await _get(raw, server, "/linkdir/secret.txt", None)).body == MARKER
    r = await _get(raw, server, "/file.txt", "gzip")
    assert (r.status, r.headers["content-encoding"], r.body) == (200, "gzip", MARKER)
    for target in ["/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/..%2foutside%2fsecret.txt"]:
        r = await _get(raw, server, target, "gzip")
        assert r.status in (400, 403, 404) and MARKER not in r.body, target


async def test_a_link_swapped_in_after_the_route_checked_is_refused(make_server, raw, site):
    """The check is on the descriptor actually opened: a file replaced by a link out between the route's check and
    the open (here by a middleware, deterministically) is refused, and so is such a sibling."""
    www = site / "www"
    (www / "plain.txt").write_bytes(INSIDE)

    @web.middleware
    async def swap(request, handler):
        response = await handler(request)
        name = request.match_info["filename"]
        target = www / (name + ".gz" if request.headers.get("Accept-Encoding") else name)
        target.unlink(missing_ok=True)
        target.symlink_to(site / "outside" / "secret.txt")
        return response

    app = web.Application(middlewares=[swap])
    app.router.add_static("/", www)
    server = await make_server(app)
    r = await _get(raw, server, "/plain.txt", None)
    assert r.status == 404 and MARKER not in r.body  # as the route answers a name leading out
    (www / "fresh.txt").write_bytes(INSIDE)
    r = await _get(raw, server, "/fresh.txt", "gzip")
    assert (r.status, r.body, r.headers.get("content-encoding")) == (200, INSIDE, None)

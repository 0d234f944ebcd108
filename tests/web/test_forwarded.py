"""Proxy headers: only a trusted peer may say who the client is, and then only the rightmost untrusted hop counts."""

import asyncio
import json
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from multidict import CIMultiDict

import web
from web.forwarded import Forwarded, Trusted, parse_forwarded, resolve_forwarded

LOOPBACK = Trusted("127.0.0.1,::1")


def headers(*pairs):
    return CIMultiDict(pairs)


# -- Trusted ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "ip", "expected"),
    [
        ("127.0.0.1,::1", "127.0.0.1", True),
        ("127.0.0.1,::1", "::1", True),
        ("127.0.0.1,::1", "127.0.0.2", False),
        ("127.0.0.1,::1", "10.0.0.1", False),
        ("10.0.0.0/8", "10.1.2.3", True),
        ("10.0.0.0/8", "11.0.0.1", False),
        ("10.0.0.0/8, fd00::/8", "fd12::1", True),
        ("127.0.0.1", "::ffff:127.0.0.1", True),  # IPv4 peer on a dual-stack socket
        ("127.0.0.1", "not-an-ip", False),
        ("*", "203.0.113.9", True),
        ("*", "anything", True),
        ("", "127.0.0.1", False),
    ],
)
def test_trusted_matches_ips_and_networks(spec, ip, expected):
    assert (ip in Trusted(spec)) is expected


def test_trusted_accepts_a_list_as_the_config_gives_it():
    trusted = Trusted(["10.0.0.0/8", "127.0.0.1"])
    assert "10.9.9.9" in trusted
    assert "127.0.0.1" in trusted
    assert "192.168.0.1" not in trusted


@pytest.mark.parametrize("peer", [None, ""])
def test_unix_socket_peers_are_trusted_unless_told_otherwise(peer):
    assert peer in Trusted("127.0.0.1")
    assert peer not in Trusted("127.0.0.1", unix=False)


def test_a_bad_entry_is_named():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP address or CIDR network"):
        Trusted("127.0.0.1, 10.0.0.0/33")


def test_nobody_trusted_is_falsy():
    assert not Trusted("", unix=False)
    assert Trusted("")  # unix peers still trusted


# -- untrusted peers: nothing changes ----------------------------------------------------------------------------

FORGERIES = [
    headers(("X-Forwarded-For", "1.2.3.4")),
    headers(("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example")),
    headers(("Forwarded", "for=1.2.3.4;proto=https;host=evil.example")),
    headers(("X-Forwarded-Proto", "https")),
    headers(("X-Forwarded-Host", "evil.example")),
]


@pytest.mark.parametrize("forged", FORGERIES)
def test_a_forged_header_from_an_untrusted_peer_changes_nothing(forged):
    assert resolve_forwarded("203.0.113.7", forged, LOOPBACK) == Forwarded("203.0.113.7", None, None)


def test_unix_peer_not_trusted_when_unix_is_off():
    forged = headers(("X-Forwarded-For", "1.2.3.4"))
    assert resolve_forwarded(None, forged, Trusted("127.0.0.1", unix=False)) == Forwarded(None, None, None)


# -- X-Forwarded-* -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xff", "trusted", "remote"),
    [
        ("198.51.100.1", "127.0.0.1", "198.51.100.1"),
        # the client forged the left entry; nginx appended the address it really saw
        ("6.6.6.6, 198.51.100.1", "127.0.0.1", "198.51.100.1"),
        # two proxies: 10.0.0.5 is trusted, so the client is the hop before it
        ("198.51.100.1, 10.0.0.5", "127.0.0.1,10.0.0.0/8", "198.51.100.1"),
        ("6.6.6.6, 198.51.100.1, 10.0.0.5", "127.0.0.1,10.0.0.0/8", "198.51.100.1"),
        # every hop trusted: the leftmost is the best we know
        ("10.0.0.9, 10.0.0.5", "127.0.0.1,10.0.0.0/8", "10.0.0.9"),
        ("2001:db8::1", "127.0.0.1", "2001:db8::1"),
        ("[2001:db8::1]:4711", "127.0.0.1", "2001:db8::1"),
        ("198.51.100.1:4711", "127.0.0.1", "198.51.100.1"),
        ("unknown", "127.0.0.1", "unknown"),
        (" 198.51.100.1 ,, ", "127.0.0.1", "198.51.100.1"),
    ],
)
def test_x_forwarded_for_rightmost_untrusted_hop(xff, trusted, remote):
    got = resolve_forwarded("127.0.0.1", headers(("X-Forwarded-For", xff)), Trusted(trusted))
    assert got == Forwarded(remote, None, None)


def test_repeated_x_forwarded_for_headers_are_one_list():
    h = headers(("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.1"))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK).remote == "198.51.100.1"


def test_scheme_and_host_from_a_trusted_proxy():
    h = headers(
        ("X-Forwarded-For", "198.51.100.1"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "shop.example:8443"),
    )
    assert resolve_forwarded("::1", h, LOOPBACK) == Forwarded("198.51.100.1", "https", "shop.example:8443")


def test_scheme_and_host_without_x_forwarded_for():
    h = headers(("X-Forwarded-Proto", "HTTPS"), ("X-Forwarded-Host", "shop.example"))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK) == Forwarded("127.0.0.1", "https", "shop.example")


def test_proto_list_lined_up_with_hops_follows_the_client_hop():
    h = headers(("X-Forwarded-For", "198.51.100.1, 10.0.0.5"), ("X-Forwarded-Proto", "https, http"))
    got = resolve_forwarded("127.0.0.1", h, Trusted("127.0.0.1,10.0.0.0/8"))
    assert got == Forwarded("198.51.100.1", "https", None)


def test_proto_list_not_lined_up_uses_the_nearest_proxy():
    h = headers(("X-Forwarded-For", "6.6.6.6, 198.51.100.1"), ("X-Forwarded-Proto", "https"))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK).scheme == "https"


@pytest.mark.parametrize("proto", ["gopher", "https://", "", "javascript"])
def test_unknown_schemes_are_ignored(proto):
    h = headers(("X-Forwarded-Proto", proto))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK).scheme is None


@pytest.mark.parametrize("host", ["evil.example/path", "a b", "user@host", "host\r\nX: y", "x:99999999"])
def test_malformed_hosts_are_ignored(host):
    h = headers(("X-Forwarded-Host", host))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK).host is None


@pytest.mark.parametrize("host", ["example.com", "example.com:8080", "[::1]:8080", "127.0.0.1", "xn--bcher-kva.ch"])
def test_well_formed_hosts_pass(host):
    assert resolve_forwarded("127.0.0.1", headers(("X-Forwarded-Host", host)), LOOPBACK).host == host


def test_plain_dict_headers_work_too():
    got = resolve_forwarded("127.0.0.1", {"X-Forwarded-For": "198.51.100.1"}, LOOPBACK)
    assert got.remote == "198.51.100.1"


# -- RFC 7239 Forwarded ------------------------------------------------------------------------------------------


def test_parse_forwarded_examples_from_rfc_7239():
    assert parse_forwarded(['for="_gazonk"']) == [{"for": "_gazonk"}]
    assert parse_forwarded(['For="[2001:db8:cafe::17]:4711"']) == [{"for": "[2001:db8:cafe::17]:4711"}]
    assert parse_forwarded(["for=192.0.2.60;proto=http;by=203.0.113.43"]) == [
        {"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"}
    ]
    assert parse_forwarded(["for=192.0.2.43, for=198.51.100.17"]) == [{"for": "192.0.2.43"}, {"for": "198.51.100.17"}]


def test_parse_forwarded_quoted_separators_and_escapes():
    assert parse_forwarded(['for="a,b;c";host="x\\"y"']) == [{"for": "a,b;c", "host": 'x"y'}]


@pytest.mark.parametrize(
    ("values", "elements"),
    [
        # A malformed pair ends its element (the parser skips to the next comma), as aiohttp 3 reads it.
        (["for, =x; proto=https"], [{}, {}]),
        (
            ["for=_1;by=_2", "invalid value", "", "for=_3;by=_4"],
            [{"for": "_1", "by": "_2"}, {}, {}, {"for": "_3", "by": "_4"}],
        ),
        # An unterminated quote cannot swallow the element a proxy appended after it, in one field or the next.
        (['for=_injected;by=", for=_real'], [{"for": "_injected"}, {"for": "_real"}]),
        (['for=_injected;by="', "for=_real;by=_proxy"], [{"for": "_injected"}, {"for": "_real", "by": "_proxy"}]),
        # Two pairs without ';' between them: the rest of the element is dropped.
        (["for=a by=b, for=c"], [{"for": "a"}, {"for": "c"}]),
    ],
)
def test_parse_forwarded_skips_garbage(values, elements):
    assert parse_forwarded(values) == elements


def test_injected_quote_does_not_shadow_the_trusted_proxys_hop():
    h = headers(("Forwarded", 'for=6.6.6.6;by="'), ("Forwarded", "for=198.51.100.1"))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK).remote == "198.51.100.1"


def test_forwarded_element_of_the_client_hop_gives_proto_and_host():
    h = headers(("Forwarded", 'for=6.6.6.6;proto=http, for="[2001:db8::17]:4711";proto=https;host=shop.example'))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK) == Forwarded("2001:db8::17", "https", "shop.example")


def test_forwarded_through_two_trusted_proxies():
    h = headers(("Forwarded", "for=198.51.100.1;proto=https, for=10.0.0.5;proto=http"))
    got = resolve_forwarded("127.0.0.1", h, Trusted("127.0.0.1,10.0.0.0/8"))
    assert got == Forwarded("198.51.100.1", "https", None)


def test_forwarded_without_for():
    h = headers(("Forwarded", "proto=https;host=shop.example"))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK) == Forwarded("127.0.0.1", "https", "shop.example")


def test_x_forwarded_for_wins_over_a_client_sent_forwarded():
    # nginx writes X-Forwarded-For; a Forwarded header it passed along came from the client
    h = headers(("Forwarded", "for=6.6.6.6;proto=https"), ("X-Forwarded-For", "198.51.100.1"))
    assert resolve_forwarded("127.0.0.1", h, LOOPBACK) == Forwarded("198.51.100.1", None, None)


# -- properties --------------------------------------------------------------------------------------------------

_header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@given(xff=_header_text, fwd=_header_text, proto=_header_text, host=_header_text)
def test_untrusted_peers_always_resolve_to_themselves(xff, fwd, proto, host):
    h = headers(("X-Forwarded-For", xff), ("Forwarded", fwd), ("X-Forwarded-Proto", proto), ("X-Forwarded-Host", host))
    assert resolve_forwarded("192.0.2.1", h, LOOPBACK) == Forwarded("192.0.2.1", None, None)


@given(xff=_header_text, fwd=_header_text, proto=_header_text, host=_header_text)
def test_any_header_text_resolves_without_error(xff, fwd, proto, host):
    h = headers(("X-Forwarded-For", xff), ("Forwarded", fwd), ("X-Forwarded-Proto", proto), ("X-Forwarded-Host", host))
    got = resolve_forwarded("127.0.0.1", h, LOOPBACK)
    assert got.scheme in (None, "http", "https")
    assert got.host is None or ("/" not in got.host and " " not in got.host)


@given(client=st.ip_addresses(), forged=st.lists(st.ip_addresses(), max_size=4))
def test_left_of_the_client_is_never_believed(client, forged):
    trusted = Trusted("127.0.0.1", unix=False)
    assume(str(client) not in trusted)
    chain = ", ".join([*(str(ip) for ip in forged), str(client)])
    assert resolve_forwarded("127.0.0.1", headers(("X-Forwarded-For", chain)), trusted).remote == str(client)


# -- through the server: Request.remote / scheme / host / secure --------------------------------------------------
#
# Clients connect from 127.0.0.2 where they must not be the trusted proxy (127.0.0.1): two peers, one machine.

PROXIED = ("X-Forwarded-For: 6.6.6.6, 198.51.100.1", "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example")
CLIENT_SEEN = {"remote": "198.51.100.1", "scheme": "https", "host": "shop.example", "secure": True}


def _direct(remote: str) -> dict:
    return {"remote": remote, "scheme": "http", "host": "direct.test", "secure": False}


async def _whoami(request):
    return web.json_response({"remote": request.remote, "scheme": request.scheme, "host": request.host})


async def _whoami_all(request):
    return web.json_response(
        {
            "remote": request.remote,
            "scheme": request.scheme,
            "host": request.host,
            "secure": request.secure,
            "url": str(request.url),
        }
    )


def _request_bytes(header_lines: tuple[str, ...], host: str | None = "direct.test", path: str = "/") -> bytes:
    extra = "".join(f"{line}\r\n" for line in header_lines)
    if host is None:  # HTTP/1.1 requires Host (RFC 9112 section 3.2): a request without one is HTTP/1.0
        return f"GET {path} HTTP/1.0\r\n{extra}\r\n".encode()
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode()


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes) -> dict:
    try:
        writer.write(payload)
        data = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith((b"HTTP/1.1 200 ", b"HTTP/1.0 200 ")), head
    return json.loads(body)


async def _ask(
    port: int, *header_lines: str, source: str = "127.0.0.1", host: str | None = "direct.test", path: str = "/"
) -> dict:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    return await _exchange(reader, writer, _request_bytes(header_lines, host, path))


async def _ask_unix(path: str, *header_lines: str) -> dict:
    reader, writer = await asyncio.open_unix_connection(path)
    return await _exchange(reader, writer, _request_bytes(header_lines))


async def _serve(make_server, handler=_whoami_all, **kwargs):
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handler)
    return await make_server(app, **kwargs)


def _seen(answer: dict, *keys: str) -> dict:
    return {key: answer[key] for key in keys or ("remote", "scheme", "host", "secure")}


async def test_request_believes_a_trusted_proxy_and_only_it(make_server):
    app = web.Application()
    app.router.add_route("GET", "/", _whoami)
    server = await make_server(app, forwarded_allow_ips="127.0.0.1")
    proxied = ("X-Forwarded-For: 6.6.6.6, 198.51.100.1", "X-Forwarded-Proto: https", "X-Forwarded-Host: shop.example")
    assert await _ask(server.port, *proxied) == {"remote": "198.51.100.1", "scheme": "https", "host": "shop.example"}
    # the same headers from a peer that is not a trusted proxy change nothing
    assert await _ask(server.port, *proxied, source="127.0.0.2") == {
        "remote": "127.0.0.2",
        "scheme": "http",
        "host": "direct.test",
    }


async def test_secure_and_url_follow_a_trusted_proxy_only(make_server):
    server = await _serve(make_server, forwarded_allow_ips="127.0.0.1")
    trusted = await _ask(server.port, *PROXIED, path="/p?q=1")
    assert _seen(trusted) == CLIENT_SEEN
    assert trusted["url"] == "https://shop.example/p?q=1"
    untrusted = await _ask(server.port, *PROXIED, source="127.0.0.2", path="/p?q=1")
    assert _seen(untrusted) == _direct("127.0.0.2")
    assert untrusted["url"] == "http://direct.test/p?q=1"


async def test_rfc_7239_forwarded_from_a_trusted_proxy_only(make_server):
    server = await _serve(make_server, forwarded_allow_ips="127.0.0.1")
    forwarded = ('Forwarded: for=6.6.6.6, for="[2001:db8::17]:4711";proto=https;host=shop.example',)
    assert _seen(await _ask(server.port, *forwarded)) == {**CLIENT_SEEN, "remote": "2001:db8::17"}
    assert _seen(await _ask(server.port, *forwarded, source="127.0.0.2")) == _direct("127.0.0.2")


async def test_a_trusted_peer_without_proxy_headers_is_the_client(make_server):
    server = await _serve(make_server, forwarded_allow_ips="127.0.0.1")
    assert _seen(await _ask(server.port)) == _direct("127.0.0.1")


@pytest.mark.parametrize("source", ["127.0.0.1", "127.0.0.2"])
async def test_host_is_none_without_host_headers_trusted_or_not(make_server, source):
    # the aiohttp 0.14 API: "HOST header of request ... or None"; aiohttp would make one up with socket.getfqdn()
    server = await _serve(make_server, forwarded_allow_ips="127.0.0.1")
    assert (await _ask(server.port, source=source, host=None))["host"] is None


# -- the default: nobody is trusted, as in aiohttp ----------------------------------------------------------------
#
# aiohttp never applies proxy headers: request.remote is the TCP peer, and an application that wants the client
# behind its proxy says so with a middleware (aiohttp-remotes) or request.clone(remote=...). Every entry point
# leaves them alone unless forwarded_allow_ips is given, even from loopback, where a local nginx would be.


def _app() -> web.Application:
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", _whoami_all)
    return app


async def _served_by_make_handler(stack):
    factory = _app().make_handler()
    server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)

    async def close():
        server.close()
        await factory.shutdown(timeout=1, grace=0)
        await server.wait_closed()

    stack.push_async_callback(close)
    return server.sockets[0].getsockname()[1]


async def _served_by_app_runner(stack):
    runner = web.AppRunner(_app())
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner.addresses[0][1]


async def _served_by_server_runner(stack):
    runner = web.ServerRunner(web.Server(_whoami_all))
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner.addresses[0][1]


async def _served_by_test_server(stack):
    from web.testing import TestServer

    server = TestServer(_app())
    await server.start_server()
    stack.push_async_callback(server.close)
    return server.port


@pytest.mark.parametrize(
    "serve", [_served_by_make_handler, _served_by_app_runner, _served_by_server_runner, _served_by_test_server]
)
async def test_by_default_no_peer_is_trusted_not_even_loopback(serve):
    import contextlib

    async with contextlib.AsyncExitStack() as stack:
        port = await serve(stack)
        assert _seen(await _ask(port, *PROXIED)) == _direct("127.0.0.1")
        assert _seen(await _ask(port, 'Forwarded: for=198.51.100.1;proto=https;host="shop.example"')) == _direct(
            "127.0.0.1"
        )


async def test_the_test_client_sees_the_peer_not_the_forwarded_client(make_client):
    client = await make_client(_app())
    async with client.get("/", headers=dict(line.split(": ", 1) for line in PROXIED)) as resp:
        seen = await resp.json()
    assert (seen["remote"], seen["scheme"], seen["host"].partition(":")[0]) == ("127.0.0.1", "http", "127.0.0.1")


async def test_clone_is_how_an_application_applies_the_headers(make_server):
    # aiohttp's way, which the default leaves to the application: the middleware reads the headers it trusts
    @web.middleware
    async def from_proxy(request, handler):
        return await handler(request.clone(remote=request.headers["X-Forwarded-For"].rsplit(",", 1)[-1].strip()))

    app = web.Application(middlewares=[from_proxy])
    app.router.add_route("GET", "/{tail:.*}", _whoami_all)
    server = await make_server(app)
    assert _seen(await _ask(server.port, *PROXIED))["remote"] == "198.51.100.1"


RUN_APP = """
import sys
import web

async def whoami(request):
    return web.json_response({"remote": request.remote, "scheme": request.scheme, "host": request.host,
                              "secure": request.secure})

app = web.Application()
app.router.add_route("GET", "/", whoami)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=lambda *a: print(*a, flush=True))
"""


async def test_run_app_trusts_no_peer_by_default(tmp_path, unused_port):
    import os
    import signal
    import sys

    script = tmp_path / "serve.py"
    script.write_text(RUN_APP)
    port = unused_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")]))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(script), str(port), stdout=asyncio.subprocess.PIPE, env=env
    )
    try:
        async with asyncio.timeout(10):
            while b"Running on" not in await proc.stdout.readline():
                assert not proc.stdout.at_eof(), "run_app exited before serving"
        assert _seen(await _ask(port, *PROXIED)) == _direct("127.0.0.1")
    finally:
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(10):
            await proc.communicate()


@pytest.mark.parametrize(
    ("spec", "believed_from"),
    [
        ("*", {"127.0.0.1", "127.0.0.2"}),
        (["127.0.0.2"], {"127.0.0.2"}),
        (("127.0.0.0/30",), {"127.0.0.1", "127.0.0.2"}),
        ("10.0.0.0/8, 127.0.0.2/32", {"127.0.0.2"}),
        ("", set()),
        (Trusted("127.0.0.2"), {"127.0.0.2"}),
    ],
)
async def test_forwarded_allow_ips_forms(make_server, spec, believed_from):
    server = await _serve(make_server, forwarded_allow_ips=spec)
    one_hop = ("X-Forwarded-For: 198.51.100.1", *PROXIED[1:])
    for source in ("127.0.0.1", "127.0.0.2"):
        expected = CLIENT_SEEN if source in believed_from else _direct(source)
        assert _seen(await _ask(server.port, *one_hop, source=source)) == expected, (spec, source)


async def test_trusting_everyone_believes_even_the_leftmost_hop(make_server):
    # "*" makes every hop a trusted proxy, so the first address is the client: a forged one included (the risk
    # supervisor/config.py warns about)
    server = await _serve(make_server, forwarded_allow_ips="*")
    assert (await _ask(server.port, *PROXIED, source="127.0.0.2"))["remote"] == "6.6.6.6"


@pytest.mark.parametrize(
    ("spec", "unix_trusted"),
    [(None, False), ("", True), ("10.0.0.0/8", True), (Trusted("127.0.0.1", unix=False), False)],
)
async def test_unix_socket_peers_count_as_trusted_once_forwarded_allow_ips_is_set(tmp_path, spec, unix_trusted):
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", _whoami_all)
    factory = app.make_handler(forwarded_allow_ips=spec)
    path = str(tmp_path / "s.sock")
    server = await asyncio.get_running_loop().create_unix_server(factory, path)
    try:
        seen = _seen(await _ask_unix(path, *PROXIED))
    finally:
        server.close()
        await factory.shutdown(timeout=1, grace=0)
        await server.wait_closed()
    assert seen == (
        # Untrusted, a unix socket peer is what aiohttp gives: its empty name (deployment.rst's run_app(path=...)).
        CLIENT_SEEN if unix_trusted else {"remote": "", "scheme": "http", "host": "direct.test", "secure": False}
    )


@pytest.mark.parametrize(
    ("spec", "error", "says"),
    [
        ("127.0.0.1, nginx", ValueError, "'nginx' is not an IP address or CIDR network"),
        (["10.0.0.0/33"], ValueError, "'10.0.0.0/33' is not an IP address or CIDR network"),
        (127, TypeError, "expected a str or a list of IPs/CIDRs, got int"),
    ],
)
def test_a_bad_forwarded_allow_ips_is_refused_by_make_handler(spec, error, says):
    with pytest.raises(error, match=re.escape(says)):
        web.Application().make_handler(forwarded_allow_ips=spec)


async def test_proxy_headers_are_read_only_when_asked_for(make_server, monkeypatch):
    import web.request

    calls = []
    real = web.request.resolve_forwarded

    def counting(*args):
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(web.request, "resolve_forwarded", counting)

    async def hello(request):
        return web.Response(text="hi")

    plain = await _serve(make_server, hello, forwarded_allow_ips="127.0.0.1")
    assert (await _ask_text(plain.port, *PROXIED)) == "hi"
    assert calls == []  # the hot path never looked at the proxy headers
    asking = await _serve(make_server, forwarded_allow_ips="127.0.0.1")
    assert _seen(await _ask(asking.port, *PROXIED)) == CLIENT_SEEN
    assert calls == ["127.0.0.1"]  # once per request, however many properties read it


async def _ask_text(port: int, *header_lines: str) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_request_bytes(header_lines))
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    await writer.wait_closed()
    return data.partition(b"\r\n\r\n")[2].decode()


async def test_request_forwarded_lists_the_raw_elements_whoever_sent_them(make_server):
    async def handler(request):
        return web.json_response([dict(element) for element in request.forwarded])

    server = await _serve(make_server, handler, forwarded_allow_ips="")
    answer = await _ask(server.port, 'Forwarded: for=1.2.3.4;proto=https, for="[::1]"', source="127.0.0.2")
    assert answer == [{"for": "1.2.3.4", "proto": "https"}, {"for": "[::1]"}]

"""The access log as the application serves it: ``%(h)s`` names the client behind a trusted proxy, and every
record carries its atoms (``record.atoms``) for field-writing formatters, built only when the logger is on.

Clients connect from 127.0.0.2 where they must not be the trusted proxy (127.0.0.1).
"""

from __future__ import annotations

import asyncio
import logging

import pytest
import uvloop
from hypothesis import given, settings
from hypothesis import strategies as st

import server.accesslog
import web
from server.accesslog import _Atoms, compile_format
from server.detached import detached_exchange
from server.settings import DEFAULT_ACCESS_LOG_FORMAT
from web.forwarded import Trusted, peer_address, resolve_forwarded

FORGED = "X-Forwarded-For: 6.6.6.6, 198.51.100.1"


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def access():
    """A non-propagating access logger at INFO, and the records it got."""
    logger = logging.getLogger("prefork.test.access-log")
    records = Records()
    logger.addHandler(records)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, records.records
    logger.removeHandler(records)
    logger.setLevel(logging.NOTSET)


def _app() -> web.Application:
    async def hello(request):
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_route("GET", "/", hello)
    return app


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *header_lines: str) -> bytes:
    extra = "".join(f"{line}\r\n" for line in header_lines)
    writer.write(f"GET /?q=1 HTTP/1.1\r\nHost: t\r\n{extra}Connection: close\r\n\r\n".encode())
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


async def _get_tcp(port: int, *header_lines: str, source: str = "127.0.0.1") -> bytes:
    return await _get(*await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), *header_lines)


@pytest.mark.parametrize(
    ("source", "header", "host"),
    [
        ("127.0.0.1", FORGED, "198.51.100.1"),  # the trusted proxy speaks for its client
        ("127.0.0.2", FORGED, "127.0.0.2"),  # anyone else is who they are, whatever they send
        ("127.0.0.1", "X-Other: 1", "127.0.0.1"),  # a trusted peer without proxy headers is the client
    ],
)
async def test_h_is_the_client_behind_a_trusted_proxy_only(make_server, access, source, header, host):
    logger, records = access
    srv = await make_server(_app(), access_log=logger, access_log_format="%(h)s %(s)s", forwarded_allow_ips="127.0.0.1")
    assert (await _get_tcp(srv.port, header, source=source)).startswith(b"HTTP/1.1 200 ")
    assert [r.getMessage() for r in records] == [f"{host} 200"]


@pytest.mark.parametrize(
    ("trusted", "host"), [("127.0.0.1", "198.51.100.1"), (None, "-"), (Trusted("127.0.0.1", unix=False), "-")]
)
async def test_h_for_a_unix_socket_peer(tmp_path, access, trusted, host):
    logger, records = access
    factory = _app().make_handler(access_log=logger, access_log_format="%(h)s", forwarded_allow_ips=trusted)
    path = str(tmp_path / "s.sock")
    srv = await asyncio.get_running_loop().create_unix_server(factory, path)
    try:
        assert (await _get(*await asyncio.open_unix_connection(path), FORGED)).startswith(b"HTTP/1.1 200 ")
    finally:
        srv.close()
        await factory.shutdown(timeout=1, grace=0)
        await srv.wait_closed()
    assert [r.getMessage() for r in records] == [host]


async def test_records_carry_lazy_atoms(make_server, access):
    logger, records = access
    srv = await make_server(_app(), access_log=logger, access_log_format="%(s)s %(m)s")
    await _get_tcp(srv.port, "User-Agent: probe/1")
    (record,) = records
    assert record.getMessage() == "200 GET"
    atoms = record.atoms
    assert dict(atoms) == {"s": 200, "m": "GET"}  # only what the line used was computed
    # the rest on first lookup, as a formatter writing fields asks for them
    assert (atoms["U"], atoms["q"], atoms["a"], atoms["h"], atoms["B"]) == ("/", "q=1", "probe/1", "127.0.0.1", 2)


async def test_nothing_is_built_when_the_logger_is_below_info(make_server, access, monkeypatch):
    logger, records = access
    logger.setLevel(logging.WARNING)

    def no_atoms(*args):
        raise AssertionError("atoms built for a disabled logger")

    monkeypatch.setattr(server.accesslog, "_Atoms", no_atoms)
    srv = await make_server(_app(), access_log=logger, access_log_format=DEFAULT_ACCESS_LOG_FORMAT)
    assert (await _get_tcp(srv.port)).startswith(b"HTTP/1.1 200 ")
    assert records == []


def _h_before(trusted: Trusted, exchange) -> str:
    """``%(h)s`` as it was computed before the shortcuts: resolve_forwarded over every peer, then the TCP peer."""
    value = resolve_forwarded(peer_address(exchange.peername), exchange.headers, trusted).remote
    if not value:
        peer = exchange.peername
        value = peer[0] if isinstance(peer, tuple) else (peer or "-")
    return value


# What transports give as peername: (host, port) or IPv6's 4-tuple, a unix socket's path, or "" (unnamed) / None.
_PEERNAMES = st.one_of(
    st.tuples(st.sampled_from(["127.0.0.1", "127.0.0.2", "10.1.2.3", "198.51.100.1"]), st.integers(1, 65535)),
    st.tuples(st.sampled_from(["::1", "::ffff:127.0.0.1", "2001:db8::5"]), st.just(80), st.just(0), st.just(0)),
    st.sampled_from(["", "/run/prefork.sock", None]),
)
_PROXY_FIELDS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "X-Forwarded-For",
                "x-forwarded-for",
                "Forwarded",
                "FORWARDED",
                "X-Forwarded-Proto",
                "X-Forwarded-Host",
                "User-Agent",
            ]
        ),
        st.sampled_from(["198.51.100.7", "6.6.6.6, 127.0.0.1", "for=203.0.113.9", "https", "", "unknown"]),
    ),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(
    peername=_PEERNAMES,
    trust=st.sampled_from([None, "127.0.0.1", "10.0.0.0/8,::1", "*", Trusted("127.0.0.1", unix=False)]),
    fields=_PROXY_FIELDS,
)
def test_h_without_the_forwarded_lookups_is_what_resolve_forwarded_gives(peername, trust, fields) -> None:
    # Nobody trusted: no remote at all (the TCP peer); an untrusted peer: no header read. Both paths, same %(h)s.
    loop = uvloop.new_event_loop()
    try:
        factory = _app().make_handler(
            access_log=logging.getLogger("prefork.test.access-h"),
            access_log_format=DEFAULT_ACCESS_LOG_FORMAT,
            forwarded_allow_ips=trust,
        )
        access = factory.connections.access_logger
        exchange = detached_exchange("GET", "/", [("Host", "t"), *fields], too_large=lambda *_: ValueError(), loop=loop)
        exchange.protocol.peername = peername
        expected = _h_before(factory.trusted, exchange)
        assert compile_format("%(h)s", access.remote)(exchange, 0.0) == str(expected)  # the direct path's line
        assert str(_Atoms(exchange, 0.0, access.remote)["h"]) == str(expected)  # the general path's atom
    finally:
        loop.close()

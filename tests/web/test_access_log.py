"""The access log as the application serves it: ``%(h)s`` names the client behind a trusted proxy, and every
record carries its atoms (``record.atoms``) for field-writing formatters, built only when the logger is on.

Clients connect from 127.0.0.2 where they must not be the trusted proxy (127.0.0.1).
"""

from __future__ import annotations

import asyncio
import logging

import pytest

import server.accesslog
import web
from web.forwarded import Trusted

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
    srv = await make_server(_app(), access_log=logger)
    assert (await _get_tcp(srv.port)).startswith(b"HTTP/1.1 200 ")
    assert records == []

"""Shared test configuration: prefork's pytest plugin (its fixtures), and uvloop under pytest-asyncio.

Async tests and fixtures are pytest-asyncio's: pyproject.toml sets ``asyncio_mode = "auto"`` for this suite
only, and :func:`pytest_asyncio_loop_factories` runs them on uvloop, the loop prefork serves on.
"""

import importlib.metadata

# When prefork is installed (pip install -e .) the plugin is already loaded through its pytest11 entry point.
_installed = any(ep.value == "web.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11"))
if not _installed:
    pytest_plugins = ["web.pytest_plugin"]

import asyncio  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import pytest  # noqa: E402
import uvloop  # noqa: E402


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    """Every async test and fixture of this suite runs on a uvloop loop (one factory: test ids stay as written)."""
    return {"uvloop": uvloop.new_event_loop}


@dataclass
class RawResponse:
    """One HTTP response parsed from raw bytes."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    header_list: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def parse_responses(data: bytes) -> list[RawResponse]:
    """Split a byte stream into responses (Content-Length, chunked, or close-delimited bodies; 1xx heads too)."""
    out: list[RawResponse] = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError(f"incomplete response head: {data[:200]!r}")
        lines = head.decode("latin-1").split("\r\n")
        _, status, *reason = lines[0].split(" ", 2)
        header_list = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
        headers = {k.lower(): v for k, v in header_list}
        resp = RawResponse(int(status), reason[0] if reason else "", headers, header_list)  # type: ignore[arg-type]
        code = int(status)
        if code < 200 or code in (204, 304):
            data = rest
        elif "content-length" in headers:
            n = int(headers["content-length"])
            resp.body, data = rest[:n], rest[n:]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                if size == 0:
                    _, _, rest = rest.partition(b"\r\n")
                    break
                body += rest[:size]
                rest = rest[size + 2 :]
            resp.body, data = body, rest
        else:
            resp.body, data = rest, b""
        out.append(resp)
    return out


async def raw_exchange(port: int, payload: bytes, *, host: str = "127.0.0.1", timeout: float = 5.0) -> bytes:
    """Send ``payload`` on a fresh connection and read until the server closes it."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass


@pytest.fixture
def raw() -> object:
    """``await raw(port, payload)`` -> bytes until close; ``raw.parse(bytes)`` -> list of RawResponse."""
    raw_exchange.parse = parse_responses  # type: ignore[attr-defined]
    return raw_exchange

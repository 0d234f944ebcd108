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

import pytest  # noqa: E402
import uvloop  # noqa: E402
from http_client import close_writer, parse_responses  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Property tests check what is true, not how fast: on a shared 2-core machine an example can take seconds, so no
# per-example deadline and no "too slow" health check; no example database, so every run starts from the same state.
settings.register_profile(
    "prefork", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None
)
settings.load_profile("prefork")


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    """Every async test and fixture of this suite runs on a uvloop loop (one factory: test ids stay as written)."""
    return {"uvloop": uvloop.new_event_loop}


async def raw_exchange(port: int, payload: bytes, *, host: str = "127.0.0.1", timeout: float = 5.0) -> bytes:
    """Send ``payload`` on a fresh connection and read until the server closes it."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        await close_writer(writer)


@pytest.fixture
def raw() -> object:
    """``await raw(port, payload)`` -> bytes until close; ``raw.parse(bytes, methods=...)`` -> the list of
    http_client.Response in them (h11's reading; raises on anything incomplete or malformed)."""
    raw_exchange.parse = parse_responses  # type: ignore[attr-defined]
    return raw_exchange

"""pytest-asyncio in strict mode: what is marked is pytest-asyncio's, on its loops; what is not is nobody's.

Tests named ``test_unclaimed_*`` must not pass: no plugin may run them (pytest fails an async test that no
plugin claims, and pytest-asyncio warns about a plain async fixture in strict mode).
"""

import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def fixture_loop():
    loop = asyncio.get_running_loop()
    yield loop
    assert asyncio.get_running_loop() is loop


@pytest.mark.asyncio
async def test_marked_test_runs_on_its_fixtures_loop(fixture_loop):
    assert asyncio.get_running_loop() is fixture_loop


@pytest.mark.asyncio
async def test_marked_test_again_on_a_fresh_loop(fixture_loop):
    assert asyncio.get_running_loop() is fixture_loop


@pytest.mark.asyncio
async def test_the_loop_is_pytest_asyncios_default():
    assert type(asyncio.get_running_loop()).__module__.startswith("asyncio.")


async def test_unclaimed_unmarked_async_test():
    pass


@pytest.fixture
async def plain_async_fixture():
    return asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_unclaimed_plain_async_fixture(plain_async_fixture):
    assert asyncio.get_running_loop() is plain_async_fixture


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_server():
    """A module-scoped async fixture: a real server, closed on the module's loop at the module's end."""
    server = await asyncio.start_server(lambda reader, writer: writer.close(), "127.0.0.1", 0)
    yield server, asyncio.get_running_loop()
    assert asyncio.get_running_loop() is server.get_loop()
    server.close()
    await server.wait_closed()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("attempt", [1, 2])
async def test_module_scoped_fixture_on_the_module_loop(module_server, attempt):
    server, loop = module_server
    assert asyncio.get_running_loop() is loop
    reader, writer = await asyncio.open_connection(*server.sockets[0].getsockname()[:2])
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()


# Class-scoped, defined outside the class: pytest 9.2 deprecates class-scoped fixtures that are instance methods.
@pytest_asyncio.fixture(scope="class", loop_scope="class")
async def first_loop():
    return asyncio.get_running_loop()


class TestClassLoop:
    """A pytest-asyncio fixture and tests on the class's loop, not the default (function) one."""

    pytestmark = pytest.mark.asyncio(loop_scope="class")

    @pytest_asyncio.fixture(loop_scope="class")
    async def class_loop(self):
        yield asyncio.get_running_loop()

    async def test_one(self, class_loop, first_loop):
        assert asyncio.get_running_loop() is class_loop is first_loop

    async def test_two(self, class_loop, first_loop):
        assert asyncio.get_running_loop() is class_loop is first_loop


def test_sync():
    assert True

"""pytest-asyncio in auto mode: unmarked async tests and plain async fixtures are pytest-asyncio's."""

import asyncio

import pytest
import pytest_asyncio


@pytest.fixture
async def plain_fixture():
    loop = asyncio.get_running_loop()
    yield loop
    assert asyncio.get_running_loop() is loop


async def test_unmarked_test_and_plain_fixture_share_a_loop(plain_fixture):
    assert asyncio.get_running_loop() is plain_fixture


@pytest.mark.parametrize("n", [1, 2, 3])
async def test_the_same_fixture_again_and_again(plain_fixture, n):
    assert asyncio.get_running_loop() is plain_fixture


async def test_the_loop_is_pytest_asyncios_default():
    assert type(asyncio.get_running_loop()).__module__.startswith("asyncio.")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def module_queue():
    """A module-scoped async fixture whose teardown awaits on the module's loop."""
    queue = asyncio.Queue()
    yield queue, asyncio.get_running_loop()
    assert asyncio.get_running_loop() is queue._get_loop()
    await queue.join()


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("item", ["a", "b"])
async def test_module_scoped_fixture(module_queue, item):
    queue, loop = module_queue
    assert asyncio.get_running_loop() is loop
    await queue.put(item)
    assert await queue.get() == item
    queue.task_done()


class TestOnTheClassLoop:
    pytestmark = pytest.mark.asyncio(loop_scope="class")

    @pytest_asyncio.fixture(loop_scope="class")
    async def on_class_loop(self):
        return asyncio.get_running_loop()

    async def test_one(self, on_class_loop):
        assert asyncio.get_running_loop() is on_class_loop

    async def test_two(self, on_class_loop):
        assert asyncio.get_running_loop() is on_class_loop


def test_sync(plain_fixture):
    assert isinstance(plain_fixture, asyncio.AbstractEventLoop)

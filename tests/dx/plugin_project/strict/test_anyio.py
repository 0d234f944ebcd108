"""anyio's pytest plugin beside pytest-asyncio in strict mode: anyio runs its marked tests and their fixtures."""

import asyncio

import anyio
import anyio.lowlevel
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def anyio_loop():
    loop = asyncio.get_running_loop()
    yield loop
    await anyio.lowlevel.checkpoint()
    assert asyncio.get_running_loop() is loop


async def test_anyio_fixture_shares_the_tests_loop(anyio_loop):
    assert asyncio.get_running_loop() is anyio_loop


async def test_anyio_fixture_again(anyio_loop):
    assert asyncio.get_running_loop() is anyio_loop


async def test_task_group():
    results = []

    async def work(n):
        await anyio.lowlevel.checkpoint()
        results.append(n)

    async with anyio.create_task_group() as group:
        for n in range(3):
            group.start_soon(work, n)
    assert sorted(results) == [0, 1, 2]

"""anyio with a module-scoped backend and a module-scoped async fixture, torn down on the module's loop."""

import asyncio

import anyio
import anyio.lowlevel
import pytest

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
async def module_resource():
    loop = asyncio.get_running_loop()
    yield loop
    await anyio.lowlevel.checkpoint()
    assert asyncio.get_running_loop() is loop


@pytest.mark.parametrize("attempt", [1, 2])
async def test_module_fixture_shares_the_loop(module_resource, attempt):
    assert asyncio.get_running_loop() is module_resource

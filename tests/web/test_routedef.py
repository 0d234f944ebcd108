"""Route definitions (web/routedef.py): what ``web.get(...)``, ``web.static(...)`` and ``RouteTableDef`` hold, show
and register, as aiohttp 3's do."""

from __future__ import annotations

from pathlib import Path

import pytest

from web import Response, UrlDispatcher
from web.routedef import RouteTableDef, get, post, static


async def handler(request):
    return Response(text="ok")


def test_definitions_are_slotted_like_aiohttps():
    assert not hasattr(get("/", handler), "__dict__")
    assert not hasattr(static("/s", Path(__file__).parent), "__dict__")


@pytest.mark.parametrize(
    ("definition", "shown"),
    [
        (post("/p", handler), "<RouteDef POST /p -> 'handler'>"),
        (post("/p", handler, name="p"), "<RouteDef POST /p -> 'handler', name='p'>"),
        (get("/", handler), "<RouteDef GET / -> 'handler', allow_head=True, name=None>"),
        (static("/s", "/srv", name="s", show_index=True), "<StaticDef /s -> /srv, name='s', show_index=True>"),
    ],
)
def test_a_definition_s_repr_lists_its_keyword_arguments_sorted(definition, shown):
    assert repr(definition) == shown


def test_a_get_definition_registers_head_then_get_and_returns_the_get_route():
    router = UrlDispatcher()
    routes = RouteTableDef()

    @routes.get("/deco", name="deco")
    async def deco(request):
        return Response()

    registered = router.add_routes([get("/", handler), *routes])
    assert [(r.method, r.resource.canonical) for r in router.routes()] == [
        ("HEAD", "/"),
        ("GET", "/"),
        ("HEAD", "/deco"),
        ("GET", "/deco"),
    ]
    assert [r.method for r in registered] == ["GET", "GET"]
    assert router["deco"] is registered[1]


def test_a_get_definition_passes_expect_handler_to_both_routes():
    async def expect(request):
        return None

    router = UrlDispatcher()
    router.add_routes([get("/", handler, expect_handler=expect)])
    assert [r.expect_handler for r in router.routes()] == [expect, expect]


def test_a_definition_registers_through_the_routers_shortcut():
    calls = []

    class Recording(UrlDispatcher):
        def add_get(self, path, handler, **kwargs):
            calls.append(("add_get", path, kwargs))
            return super().add_get(path, handler, **kwargs)

    Recording().add_routes([get("/", handler, allow_head=False)])
    assert calls == [("add_get", "/", {"name": None, "allow_head": False})]

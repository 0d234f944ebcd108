"""The public surface of ``web``: every class the aiohttp 0.14 API names, and nothing missing from ``__all__``."""

import web

API_014_NAMES = [
    "Request",
    "StreamResponse",
    "Response",
    "Application",
    "RequestHandlerFactory",
    "UrlDispatcher",
    "AbstractRouter",
    "AbstractMatchInfo",
    "UrlMappingMatchInfo",
    "Route",
    "PlainRoute",
    "DynamicRoute",
    "FileField",
    "FlowControlStreamReader",
    "HttpVersion",
    "HTTPException",
    "HTTPNotFound",
    "HTTPMethodNotAllowed",
    "json_response",
    "StaticRoute",
    "WebSocketResponse",
    "WebSocketDisconnectedError",
    "Message",
    "MSG_TEXT",
    "MSG_BINARY",
    "MSG_PING",
    "MSG_PONG",
    "MSG_CLOSE",
]

# aiohttp 3 names that users of aiohttp 3 reach for.
AIOHTTP_NAMES = ["middleware", "normalize_path_middleware", "run_app", "FileResponse", "WSMsgType", "WSCloseCode"]


def test_aiohttp_014_names_are_exported():
    missing = [name for name in API_014_NAMES if name not in web.__all__ or not hasattr(web, name)]
    assert missing == []


def test_aiohttp_names_are_exported():
    assert [name for name in AIOHTTP_NAMES if name not in web.__all__ or not hasattr(web, name)] == []


def test_aiohttp_014_message_types_are_the_websocket_message_types():
    assert {web.MSG_TEXT, web.MSG_BINARY, web.MSG_PING, web.MSG_PONG, web.MSG_CLOSE} <= set(web.WSMsgType)
    msg = web.Message(web.MSG_TEXT, "hi", None)
    assert (msg.tp, msg.data, msg.extra) == (web.MSG_TEXT, "hi", None)


def test_all_names_exist():
    assert [name for name in web.__all__ if not hasattr(web, name)] == []


def test_every_aiohttp3_web_name_is_exported():
    """Extensions written for aiohttp 3 import these names from ``aiohttp.web`` at module level; each exists in
    ``web`` (where its meaning differs, README's "Differences from aiohttp" says how)."""
    import aiohttp.web

    missing = sorted(name for name in aiohttp.web.__all__ if name not in web.__all__ or not hasattr(web, name))
    assert missing == []


def test_names_extensions_import_at_module_level():
    assert web.ContentCoding.gzip.value == "gzip"
    assert [c.value for c in web.ContentCoding][:3] == ["deflate", "gzip", "identity"]
    key = web.AppKey("db", int)
    app = web.Application()
    app[key] = 1
    assert app[key] == 1 and "db" in repr(key)
    assert web.BaseRequest is web.Request
    assert isinstance(web.Resource, type) and issubclass(web.PlainResource, web.Resource)


def test_every_aiohttp3_name_is_of_the_same_kind():
    """A name can exist and still mean something else: a submodule imported under a name of ``__all__`` replaces
    the package attribute (``web.static`` was the static-files module, not aiohttp's route-definition function)."""
    import types

    import aiohttp.web

    wrong = sorted(
        name
        for name in aiohttp.web.__all__
        if isinstance(getattr(web, name, None), types.ModuleType)
        != isinstance(getattr(aiohttp.web, name), types.ModuleType)
        or callable(getattr(web, name, None)) != callable(getattr(aiohttp.web, name))
    )
    assert wrong == []


def test_static_route_definition():
    route_def = web.static("/s", ".", show_index=True)
    assert (route_def.prefix, route_def.kwargs) == ("/s", {"show_index": True})

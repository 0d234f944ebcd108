"""The public surface of ``web``: every class the seed names, and nothing missing from ``__all__``."""

import web

SEED_NAMES = [
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

# aiohttp 3 names that users of the seed's successor reach for.
AIOHTTP_NAMES = ["middleware", "normalize_path_middleware", "run_app", "FileResponse", "WSMsgType", "WSCloseCode"]


def test_seed_names_are_exported():
    missing = [name for name in SEED_NAMES if name not in web.__all__ or not hasattr(web, name)]
    assert missing == []


def test_aiohttp_names_are_exported():
    assert [name for name in AIOHTTP_NAMES if name not in web.__all__ or not hasattr(web, name)] == []


def test_seed_message_types_are_the_websocket_message_types():
    assert {web.MSG_TEXT, web.MSG_BINARY, web.MSG_PING, web.MSG_PONG, web.MSG_CLOSE} <= set(web.WSMsgType)
    msg = web.Message(web.MSG_TEXT, "hi", None)
    assert (msg.tp, msg.data, msg.extra) == (web.MSG_TEXT, "hi", None)


def test_all_names_exist():
    assert [name for name in web.__all__ if not hasattr(web, name)] == []

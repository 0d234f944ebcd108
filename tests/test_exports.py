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
]


def test_seed_names_are_exported():
    missing = [name for name in SEED_NAMES if name not in web.__all__ or not hasattr(web, name)]
    assert missing == []


def test_all_names_exist():
    assert [name for name in web.__all__ if not hasattr(web, name)] == []

"""prefork's ``web``: the aiohttp.web-style API (Request, responses, Application, router, websockets)."""

from server.exchange import HttpVersion as HttpVersion
from server.exchange import HttpVersion10 as HttpVersion10
from server.exchange import HttpVersion11 as HttpVersion11
from server.streams import EofStream as EofStream
from server.streams import FlowControlStreamReader as FlowControlStreamReader

from .app import Application as Application
from .exceptions import *  # noqa: F403 - the HTTP exception family; its __all__ is the list
from .exceptions import __all__ as _exceptions_all
from .handler import RequestHandlerFactory as RequestHandlerFactory
from .request import InvalidJSONBody as InvalidJSONBody
from .request import Request as Request
from .response import Response as Response
from .response import StreamResponse as StreamResponse
from .response import json_response as json_response

__all__ = [
    "Application",
    "EofStream",
    "FlowControlStreamReader",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "InvalidJSONBody",
    "Request",
    "RequestHandlerFactory",
    "Response",
    "StreamResponse",
    "json_response",
    *_exceptions_all,
]

"""prefork's ``web``: the aiohttp.web-style API (Request, responses, Application, router, websockets)."""

import importlib
from typing import TYPE_CHECKING, Any

from server.exchange import HttpVersion as HttpVersion
from server.exchange import HttpVersion10 as HttpVersion10
from server.exchange import HttpVersion11 as HttpVersion11
from server.protocol import HttpProtocol as RequestHandler
from server.streams import EofStream as EofStream
from server.streams import FlowControlStreamReader as FlowControlStreamReader

from .abc import AbstractAccessLogger as AbstractAccessLogger
from .abc import AbstractMatchInfo as AbstractMatchInfo
from .abc import AbstractRouter as AbstractRouter
from .accesslog import AccessLogger as AccessLogger
from .app import Application as Application
from .app import CleanupError as CleanupError
from .appkey import AppKey as AppKey
from .appkey import NotAppKeyWarning as NotAppKeyWarning
from .appkey import RequestKey as RequestKey
from .appkey import ResponseKey as ResponseKey
from .compression import ContentCoding as ContentCoding
from .exceptions import *  # noqa: F403 - the HTTP exception family; its __all__ is the list
from .exceptions import __all__ as _exceptions_all
from .handler import RequestHandlerFactory as RequestHandlerFactory
from .helpers import aiohttp_access_logger as access_logger  # noqa: F401 - aiohttp.web's, outside its __all__
from .middlewares import middleware as middleware
from .middlewares import normalize_path_middleware as normalize_path_middleware
from .request import BaseRequest as BaseRequest
from .request import InvalidJSONBody as InvalidJSONBody
from .request import PayloadAccessError as PayloadAccessError
from .request import Request as Request
from .request import RequestPayloadError as RequestPayloadError
from .resources import AbstractResource as AbstractResource
from .resources import DynamicResource as DynamicResource
from .resources import PlainResource as PlainResource
from .resources import Resource as Resource
from .response import Response as Response
from .response import StreamResponse as StreamResponse
from .response import json_bytes_response as json_bytes_response
from .response import json_response as json_response
from .routedef import AbstractRouteDef as AbstractRouteDef
from .routedef import RouteDef as RouteDef
from .routedef import RouteTableDef as RouteTableDef
from .routedef import StaticDef as StaticDef
from .routedef import delete as delete
from .routedef import get as get
from .routedef import head as head
from .routedef import options as options
from .routedef import patch as patch
from .routedef import post as post
from .routedef import put as put
from .routedef import route as route
from .routedef import static as static
from .routedef import view as view
from .router import UrlDispatcher as UrlDispatcher
from .router import UrlMappingMatchInfo as UrlMappingMatchInfo
from .routes import DynamicRoute as DynamicRoute
from .routes import PlainRoute as PlainRoute
from .routes import Route as AbstractRoute
from .routes import Route as ResourceRoute
from .routes import Route as Route
from .runner import run_app as run_app
from .runners import AppRunner as AppRunner
from .runners import BaseRunner as BaseRunner
from .runners import BaseSite as BaseSite
from .runners import GracefulExit as GracefulExit
from .runners import NamedPipeSite as NamedPipeSite
from .runners import Server as Server
from .runners import ServerRunner as ServerRunner
from .runners import SockSite as SockSite
from .runners import TCPSite as TCPSite
from .runners import UnixSite as UnixSite
from .staticfiles import FileResponse as FileResponse
from .staticfiles import StaticRoute as StaticResource
from .staticfiles import StaticRoute as StaticRoute
from .subapp import PrefixedSubAppResource as PrefixedSubAppResource
from .views import View as View

if TYPE_CHECKING:  # the names _LAZY imports on first use, for type checkers and editors
    from .cli import ArgumentParser as ArgumentParser
    from .cli import import_module as import_module
    from .cli import main as main
    from .forms import FileField as FileField
    from .forms import FormLimits as FormLimits
    from .multipart import BodyPartReader as BodyPartReader
    from .multipart import MultipartReader as MultipartReader
    from .websocket import MSG_BINARY as MSG_BINARY
    from .websocket import MSG_CLOSE as MSG_CLOSE
    from .websocket import MSG_CLOSED as MSG_CLOSED
    from .websocket import MSG_ERROR as MSG_ERROR
    from .websocket import MSG_PING as MSG_PING
    from .websocket import MSG_PONG as MSG_PONG
    from .websocket import MSG_TEXT as MSG_TEXT
    from .websocket import Message as Message
    from .websocket import WebSocketDisconnectedError as WebSocketDisconnectedError
    from .websocket import WebSocketReady as WebSocketReady
    from .websocket import WebSocketResponse as WebSocketResponse
    from .websocket import WSCloseCode as WSCloseCode
    from .websocket import WSMessage as WSMessage
    from .websocket import WSMsgType as WSMsgType

# Imported on first use (PEP 562): multipart (python_multipart) and websocket (the frame codec, permessage-deflate,
# websockets' masking helper) cost every worker memory and start time while most apps never use them. Reading the
# name (``web.WebSocketResponse``, ``from web import MultipartReader``, ``from web import *``) imports its module.
_LAZY = {
    # python -m web's main(argv), aiohttp.web.main; its parser class and importer, which it reads here, as aiohttp's
    # reads its module's globals (a test patches web.import_module). Not in __all__, as not in aiohttp's.
    "ArgumentParser": "cli",
    "import_module": "cli",
    "main": "cli",
    "FileField": "forms",
    "FormLimits": "forms",
    "BodyPartReader": "multipart",
    "MultipartReader": "multipart",
    "MSG_BINARY": "websocket",
    "MSG_CLOSE": "websocket",
    "MSG_CLOSED": "websocket",
    "MSG_ERROR": "websocket",
    "MSG_PING": "websocket",
    "MSG_PONG": "websocket",
    "MSG_TEXT": "websocket",
    "Message": "websocket",
    "WebSocketDisconnectedError": "websocket",
    "WebSocketReady": "websocket",
    "WebSocketResponse": "websocket",
    "WSCloseCode": "websocket",
    "WSMessage": "websocket",
    "WSMsgType": "websocket",
}

__all__ = [
    "AbstractAccessLogger",
    "AbstractMatchInfo",
    "AccessLogger",
    "AbstractRouter",
    "AppKey",
    "Application",
    "CleanupError",
    "ContentCoding",
    "NotAppKeyWarning",
    "RequestKey",
    "ResponseKey",
    "BodyPartReader",
    "DynamicRoute",
    "FileField",
    "FileResponse",
    "FormLimits",
    "MultipartReader",
    "PlainRoute",
    "Route",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "StaticRoute",
    "UrlDispatcher",
    "UrlMappingMatchInfo",
    "delete",
    "get",
    "head",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
    "EofStream",
    "FlowControlStreamReader",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "InvalidJSONBody",
    "BaseRequest",
    "PayloadAccessError",
    "RequestPayloadError",
    "RequestHandler",
    "AbstractResource",
    "AbstractRoute",
    "Resource",
    "ResourceRoute",
    "PlainResource",
    "DynamicResource",
    "StaticResource",
    "PrefixedSubAppResource",
    "json_bytes_response",
    "Request",
    "RequestHandlerFactory",
    "Response",
    "StreamResponse",
    "json_response",
    "middleware",
    "normalize_path_middleware",
    "run_app",
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "GracefulExit",
    "NamedPipeSite",
    "Server",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
    "View",
    "AbstractRouteDef",
    "options",
    "MSG_BINARY",
    "MSG_CLOSE",
    "MSG_CLOSED",
    "MSG_ERROR",
    "MSG_PING",
    "MSG_PONG",
    "MSG_TEXT",
    "Message",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketDisconnectedError",
    "WebSocketReady",
    "WebSocketResponse",
    *_exceptions_all,
]


def __getattr__(name: str) -> Any:
    """Import a name of ``_LAZY`` from its module on first read and keep it (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

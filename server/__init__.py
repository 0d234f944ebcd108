"""prefork's HTTP/1.1 connection layer: asyncio + uvloop transports, httptools (llhttp) parsing.

Knows nothing of Request or Response objects: it hands each parsed request to a handler as an
:class:`Exchange` and offers the graceful close of all connections through :class:`ConnectionRegistry`.
"""

import sys
from importlib.machinery import EXTENSION_SUFFIXES

from .errors import (
    BadHttpVersion as BadHttpVersion,
)
from .errors import (
    BadRequest as BadRequest,
)
from .errors import (
    HeadersTooLarge as HeadersTooLarge,
)
from .errors import (
    HttpProtocolError as HttpProtocolError,
)
from .errors import (
    LimitExceeded as LimitExceeded,
)
from .errors import (
    PayloadTooLarge as PayloadTooLarge,
)
from .errors import (
    RequestLineTooLong as RequestLineTooLong,
)
from .errors import (
    RequestTimeout as RequestTimeout,
)
from .exchange import Exchange as Exchange
from .exchange import HttpVersion as HttpVersion
from .exchange import HttpVersion10 as HttpVersion10
from .exchange import HttpVersion11 as HttpVersion11
from .protocol import HttpProtocol as HttpProtocol
from .registry import ConnectionRegistry as ConnectionRegistry
from .settings import ServerSettings as ServerSettings
from .streams import EofStream as EofStream
from .streams import FlowControlStreamReader as FlowControlStreamReader
from .writer import HeaderInjectionError as HeaderInjectionError
from .writer import encode_head as encode_head
from .writer import http_date as http_date
from .writer import status_line as status_line

# The modules the compiled build hands to mypyc (pyproject.toml's mypyc hook lists the same files): server/'s request
# path, from the parser callbacks to the response bytes.
COMPILED_MODULES = ("protocol", "parser_callbacks", "exchange", "writer", "tasks", "dateheader")


def _is_extension(module: str) -> bool:
    path = getattr(sys.modules[f"{__name__}.{module}"], "__file__", None) or ""
    return path.endswith(tuple(EXTENSION_SUFFIXES))


# True when this install is the compiled build (README, "Compiled build"): the request path runs as mypyc's C
# extensions, which Python imports in place of the .py files beside them. False for pure Python (the default).
COMPILED: bool = all(_is_extension(module) for module in COMPILED_MODULES)

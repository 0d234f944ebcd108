"""prefork's HTTP/1.1 connection layer: asyncio + uvloop transports, httptools (llhttp) parsing.

Knows nothing of Request or Response objects: it hands each parsed request to a handler as an
:class:`Exchange` and offers the graceful close of all connections through :class:`ConnectionRegistry`.
"""

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

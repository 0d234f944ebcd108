"""The opening handshake, server side (RFC 6455 §4.2): check the request, compute the accept key, pick the
subprotocol. Pure functions of the request head; ``web.WebSocketResponse`` turns the errors into HTTP answers.

Errors; web answers each with 400 Bad Request, as aiohttp does (RFC 6455 §4.2.1 leaves the status to the
server, and §4.4's example for a version is a 400)::

    HandshakeError
    ├── BadHandshakeMethod          not GET (§4.1 item 2)
    ├── BadHandshakeHttpVersion     below HTTP/1.1 (§4.1 item 2)
    ├── MissingUpgradeHeader        no ``Upgrade: websocket`` (§4.2.1 item 3)
    ├── MissingConnectionUpgrade    no ``upgrade`` token in ``Connection`` (§4.2.1 item 4)
    ├── BadWebSocketKey             ``Sec-WebSocket-Key`` missing, repeated or not 16 base64-encoded bytes (§4.2.1)
    └── UnsupportedWebSocketVersion ``Sec-WebSocket-Version`` missing or not one we speak, answered with
                                    ``Sec-WebSocket-Version: 13, 8, 7`` (§4.2.2 item 4, §4.4)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Final

from .exchange import printable

__all__ = [
    "BadHandshakeHttpVersion",
    "BadHandshakeMethod",
    "BadWebSocketKey",
    "HandshakeError",
    "MissingConnectionUpgrade",
    "MissingUpgradeHeader",
    "UnsupportedWebSocketVersion",
    "accept_key",
    "check_request",
    "choose_protocol",
    "header_tokens",
    "offered_protocols",
]

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


class HandshakeError(Exception):
    """The request cannot be upgraded; ``message`` and ``headers`` go into the 400 that answers it."""

    headers: tuple[tuple[str, str], ...] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadHandshakeMethod(HandshakeError):
    """The opening handshake must be a GET (RFC 6455 §4.1)."""


class BadHandshakeHttpVersion(HandshakeError):
    """The opening handshake needs HTTP/1.1 or later (RFC 6455 §4.1)."""


class MissingUpgradeHeader(HandshakeError):
    """No ``websocket`` token in the ``Upgrade`` header (RFC 6455 §4.2.1)."""


class MissingConnectionUpgrade(HandshakeError):
    """No ``upgrade`` token in the ``Connection`` header (RFC 6455 §4.2.1)."""


class BadWebSocketKey(HandshakeError):
    """``Sec-WebSocket-Key`` must be one base64 value of 16 bytes (RFC 6455 §4.2.1 item 5)."""


#: The protocol versions a handshake may ask for: RFC 6455's 13, and the hybi-07/-08 drafts' 7 and 8, whose
#: handshake and framing are the RFC's (RFC 6455 §4.4: a server may support several versions), as aiohttp accepts.
VERSIONS: Final = frozenset({"13", "8", "7"})


class UnsupportedWebSocketVersion(HandshakeError):
    """A version other than those of :data:`VERSIONS`: answer 400 naming them, as aiohttp answers 400. RFC 6455
    §4.2.2 item 4 asks for "an appropriate HTTP error code (such as 426 Upgrade Required)" and a
    ``Sec-WebSocket-Version`` field listing the versions understood; §4.4's example of that answer is a 400."""

    headers = (("Sec-WebSocket-Version", "13, 8, 7"),)


def header_tokens(values: Iterable[str]) -> list[str]:
    """The lower-cased tokens of comma-separated header values, across repeated headers (RFC 9110 §5.6.1)."""
    return [token for value in values for token in (t.strip().lower() for t in value.split(",")) if token]


def check_request(method: str, version: Sequence[int], headers: Any) -> str:
    """Validate an opening handshake request (``headers`` is a case-insensitive multidict); return its
    ``Sec-WebSocket-Key``. Raises a :class:`HandshakeError` naming the first rule broken."""
    if method != "GET":
        raise BadHandshakeMethod(f"WebSocket handshake must be GET, not {method}")
    if tuple(version) < (1, 1):
        raise BadHandshakeHttpVersion("WebSocket handshake needs HTTP/1.1")
    if "websocket" not in header_tokens(headers.getall("Upgrade", ())):
        raise MissingUpgradeHeader(
            'No WebSocket UPGRADE hdr: {}\n Can "Upgrade" only to "WebSocket".'.format(
                printable(headers.get("Upgrade", "None"))
            )
        )
    if "upgrade" not in header_tokens(headers.getall("Connection", ())):
        raise MissingConnectionUpgrade(
            "No CONNECTION upgrade hdr: {}".format(printable(headers.get("Connection", "None")))
        )
    versions = headers.getall("Sec-WebSocket-Version", ())
    if len(versions) != 1 or versions[0].strip() not in VERSIONS:
        raise UnsupportedWebSocketVersion("Unsupported version: {}".format(printable(", ".join(versions)) or "none"))
    keys = headers.getall("Sec-WebSocket-Key", ())
    if len(keys) != 1:
        raise BadWebSocketKey("Handshake error: expected one Sec-WebSocket-Key")
    key = keys[0].strip()
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise BadWebSocketKey(f"Handshake error: {key!r} is not base64") from None
    if len(raw) != 16:
        raise BadWebSocketKey(f"Handshake error: {key!r} is not 16 bytes")
    return key


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's key (RFC 6455 §4.2.2 item 5.4)."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def choose_protocol(headers: Any, protocols: Sequence[str]) -> str | None:
    """The first subprotocol the client offered that is one of the server's ``protocols``, or None: the client
    lists its offer "ordered by preference" (RFC 6455 §4.1) and the server picks one it is willing to use (§4.2.2
    item 5.4, which leaves the choice to the server); aiohttp takes the client's order, and so do we."""
    if not protocols:
        return None
    for protocol in offered_protocols(headers):
        if protocol in protocols:
            return protocol
    return None


def offered_protocols(headers: Any) -> list[str]:
    """The subprotocols the client offered, in its order: every ``Sec-WebSocket-Protocol`` field, split at commas
    (RFC 6455 §4.1, §11.3.4). Names are compared as sent: subprotocol names are case-sensitive."""
    return [token.strip() for value in headers.getall("Sec-WebSocket-Protocol", ()) for token in value.split(",")]

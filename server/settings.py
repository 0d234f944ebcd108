"""Per-server settings of the connection layer: limits, timeouts and buffer marks, one definition each."""

from __future__ import annotations

import dataclasses
import logging
import sys

from .proxy_protocol import TrustedPeers

KiB = 1024
MiB = 1024 * KiB

# gunicorn's default access log line, with %(D)s/%(L)s available for timings.
DEFAULT_ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


@dataclasses.dataclass(slots=True)
class ServerSettings:
    """Limits and timeouts for every connection a factory serves.

    Every limit answers with its status and closes the connection: request line (414), header count and field size
    (400, as aiohttp answers), body size (413). ``client_max_size`` is the server's own cap on every request body,
    as nginx's ``client_max_body_size``: a Content-Length over it is answered 413 before any handler runs, and a
    body stream that grows past it fails with :class:`~.errors.PayloadTooLarge`, whoever reads it and however.
    ``None`` or 0: no cap, which is what the web stack uses unless the operator sets one (``web.Application``'s
    ``client_max_size`` is another limit, aiohttp's: it bounds what ``request.read()`` and ``post()`` collect, not
    the stream). ``keepalive_timeout`` is deliberately longer than nginx's 60 s
    upstream keep-alive, so the proxy, not us, closes idle upstream connections and never races a request against
    our close; 0 turns keep-alive off, as in aiohttp and gunicorn: every response announces ``Connection: close``
    and the connection closes after it. A new connection's first head must arrive within ``header_timeout``, or
    within ``keepalive_timeout`` when that is shorter (aiohttp closes a connection silent from its start after
    ``keepalive_timeout``); later heads get ``header_timeout`` from their first byte.

    ``write_timeout``: a connection whose write buffer stays above ``write_high_water`` that long (the client reads
    nothing) is aborted, and the handler's pending ``drain()`` or next write raises ``ConnectionResetError``; like
    nginx's ``send_timeout`` it runs between two successive drains of the buffer, not over the whole response.
    None or 0 disables it. ``worker_connections``: the most connections the factory holds open at once; at the
    limit :class:`server.acceptor.Acceptor` stops accepting, so further connections wait in the listen backlog for
    this or another worker (gunicorn's setting of the same name). ``auto_decompress`` (aiohttp's setting): a
    request body sent with ``Content-Encoding`` gzip, deflate or br reaches the handler decoded, no faster than it is
    read (the decoded bytes buffered stay near ``read_high_water``), the decoded size counted towards
    ``client_max_size`` (see :mod:`.decompress`). ``proxy_protocol`` (gunicorn's setting): every connection
    from a peer in ``proxy_allow_ips`` (IPs and CIDR networks, ``*`` for any; unix socket peers always) starts
    with a PROXY header, v1 or v2, naming the client (see :mod:`.proxy_protocol`); :mod:`.acceptor` reads it, as
    ``loop.create_server`` cannot read ahead of its transports.

    ``lingering_time`` (aiohttp's setting; nginx's lingering close): a connection that closes while its client is
    still sending a request body (more than ``max_drain`` of it left unread, a 413) sends its answer and a FIN,
    then reads and discards what comes for up to this many seconds, until the client closes: closing at once would
    reset a client that writes its whole body before it reads (http.client, requests) before it read the answer.
    0 closes at once.

    ``server_header``: the ``Server`` field of every response, ``prefork`` by default (aiohttp, gunicorn and uvicorn
    each send their name; RFC 9110 §10.2.4 advises against "needlessly fine-grained detail", so no version). None or
    empty: no Server field. A handler's own ``Server`` field, or an ``on_response_prepare`` callback that removes or
    changes it, decides for its response.
    """

    max_request_line: int = 8190
    max_headers: int = 100
    max_field_size: int = 8190
    client_max_size: int = 1 * MiB  # None (from keyword arguments) or 0: no cap
    keepalive_timeout: float = 75.0
    header_timeout: float = 30.0
    max_pipeline: int = 16
    read_high_water: int = 256 * KiB
    read_low_water: int = 64 * KiB
    write_high_water: int = 64 * KiB
    write_low_water: int = 16 * KiB
    max_drain: int = 256 * KiB
    lingering_time: float = 10.0
    access_log: logging.Logger | None = None
    access_log_format: str = DEFAULT_ACCESS_LOG_FORMAT
    server_header: str | None = "prefork"
    handler_cancellation: bool = False
    write_timeout: float | None = 60.0
    worker_connections: int = 1000
    auto_decompress: bool = True
    proxy_protocol: bool = False
    proxy_allow_ips: str | tuple[str, ...] = "127.0.0.1,::1"

    def __post_init__(self) -> None:
        for name in ("max_request_line", "max_headers", "max_field_size", "max_pipeline", "worker_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)!r}")
        if not self.client_max_size:
            self.client_max_size = sys.maxsize  # no cap: one comparison on the request path either way
        for name in ("client_max_size", "read_low_water", "write_low_water", "max_drain", "lingering_time"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")
        if self.header_timeout <= 0:
            raise ValueError(f"header_timeout must be positive, got {self.header_timeout!r}")
        if self.keepalive_timeout < 0:
            raise ValueError(f"keepalive_timeout must not be negative, got {self.keepalive_timeout!r}")
        if self.write_timeout is not None and self.write_timeout < 0:
            raise ValueError(f"write_timeout must not be negative, got {self.write_timeout!r}")
        if self.server_header is not None and ("\r" in self.server_header or "\n" in self.server_header):
            raise ValueError("server_header must not contain CR or LF")
        TrustedPeers(self.proxy_allow_ips)  # raises ValueError naming a bad entry
        if self.read_high_water < self.read_low_water:
            raise ValueError("read_high_water must not be below read_low_water")
        if self.write_high_water < self.write_low_water:
            raise ValueError("write_high_water must not be below write_low_water")

    @classmethod
    def from_kwargs(cls, **kwargs: object) -> ServerSettings:
        """Build settings from keyword arguments, naming any unknown one."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(kwargs) - fields)
        if unknown:
            raise TypeError(f"unknown server setting(s): {', '.join(unknown)}")
        return cls(**kwargs)  # type: ignore[arg-type]

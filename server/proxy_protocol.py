"""The PROXY protocol, versions 1 and 2: the client's address as a TCP load balancer in front of us saw it.

HAProxy, AWS/GCP/Azure TCP load balancers and stunnel send it (HAProxy's ``proxy-protocol.txt``): one header at
the very start of the connection, before any byte of the stream it carries, TLS included.

* version 1 (§2.1) is one text line of at most 107 bytes: ``PROXY TCP4 <src> <dst> <sport> <dport>\\r\\n``,
  ``TCP6`` likewise, or ``PROXY UNKNOWN ...\\r\\n`` (anything after ``UNKNOWN`` is ignored);
* version 2 (§2.2) is binary: a 12-byte signature, version and command, family and transport, the length of what
  follows, the addresses, then TLVs (skipped here). The ``LOCAL`` command (the balancer's own health check), the
  ``UNSPEC`` family and transports other than STREAM keep the socket's own addresses, as HAProxy itself does.

The version is told from the first byte (``P`` or ``\\r``), never guessed from what the peer would otherwise send:
with the setting on, a connection from a trusted peer must start with a header, and anything else (an HTTP
request, a TLS ClientHello, a malformed header, the header not arriving within ``header_timeout``) closes the
connection without an answer (§2: the receiver "MUST not try to guess whether the protocol header is present or
not"; an HTTP answer would be taken for the proxied server's). A connection from a peer outside
``proxy_allow_ips`` is served as plain HTTP unless it starts with a PROXY header: then it closes too, as a forged
address must not be believed.

:class:`ProxyHeaderReader` is the header's parser, sans-IO: fed bytes, it says how many belong to the header.
:func:`read_proxy_header` is the I/O around it: it reads an accepted socket before any transport owns it, peeking
and then consuming exactly the header's bytes, so the TLS handshake or the HTTP parser that takes the socket over
finds its stream untouched, pipelined requests included.

    ProxyProtocolError              the connection is closed unanswered
    └── UntrustedProxyHeader        a header from a peer outside ``proxy_allow_ips``
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Iterable
from typing import Any, NamedTuple

__all__ = [
    "V1_MAX",
    "V2_SIGNATURE",
    "ProxyHeaderReader",
    "ProxyInfo",
    "ProxyProtocolError",
    "TrustedPeers",
    "UntrustedProxyHeader",
    "read_proxy_header",
    "starts_with_proxy_header",
]

V1_PREFIX = b"PROXY "
V1_MAX = 107  # §2.1: "a receiver ... only [has] to read up to 107 characters", CRLF included
V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
_V2_FIXED = 16  # signature, version/command, family/transport, length
_V2_ADDRESS_SIZES = {1: 12, 2: 36, 3: 216}  # §2.2: AF_INET, AF_INET6, AF_UNIX address blocks
_V2_FAMILIES = {1: "TCP4", 2: "TCP6", 3: "UNIX"}
_STREAM = 1
_UNIX_PATH = 108
_KNOWN_MAX = 1024  # peers whose trust TrustedPeers remembers


class ProxyProtocolError(Exception):
    """The PROXY header is malformed, or missing where one is required: the connection closes unanswered."""


class UntrustedProxyHeader(ProxyProtocolError):
    """A PROXY header from a peer outside ``proxy_allow_ips``: whoever it is may not name another client."""


class ProxyInfo(NamedTuple):
    """What a PROXY header says. ``source`` and ``destination`` are in the form a socket's ``getpeername()``
    takes for the family (``(host, port)``, ``(host, port, 0, 0)``, a unix socket's path), or None when the
    header names none (``LOCAL``, ``UNKNOWN``, ``UNSPEC``): the socket's own addresses then stand."""

    version: int
    command: str  # "PROXY" or "LOCAL"
    family: str  # "TCP4", "TCP6", "UNIX" or "UNKNOWN"
    source: Any = None
    destination: Any = None


_LOCAL_V2 = ProxyInfo(2, "LOCAL", "UNKNOWN")
_UNKNOWN_V1 = ProxyInfo(1, "PROXY", "UNKNOWN")
_UNKNOWN_V2 = ProxyInfo(2, "PROXY", "UNKNOWN")


class ProxyHeaderReader:
    """Reads one PROXY header, of either version, from bytes fed in any pieces.

    Call contract: :meth:`receive_data` with the connection's first bytes, again with the next ones while
    :attr:`result` is None; it returns how many of the bytes given belong to the header (the rest, if any, are
    the stream's own) and raises :class:`ProxyProtocolError` as soon as the bytes cannot start or be a header.
    :attr:`wanted` is the most bytes the header can still take, so that a reader of a socket never takes more.
    """

    __slots__ = ("_buffer", "result")

    def __init__(self) -> None:
        self._buffer = b""
        self.result: ProxyInfo | None = None

    @property
    def wanted(self) -> int:
        """How many more bytes the header may still have (0 once it is read)."""
        buffer = self._buffer
        if self.result is not None:
            return 0
        if buffer[:1] == b"\r":
            if len(buffer) < _V2_FIXED:
                return _V2_FIXED - len(buffer)
            return _V2_FIXED + int.from_bytes(buffer[14:16], "big") - len(buffer)
        return V1_MAX - len(buffer)

    def receive_data(self, data: bytes) -> int:
        """Take ``data``; return how many of its leading bytes are the header's."""
        if self.result is not None or not data:
            return 0
        seen = len(self._buffer)
        buffer = self._buffer + data
        if buffer[:1] == b"\r":
            end = self._v2(buffer)
        elif buffer[:1] == b"P":
            end = self._v1(buffer)
        else:
            raise ProxyProtocolError(f"no PROXY header: the connection starts with {buffer[:16]!r}")
        if end is None:
            self._buffer = buffer
            return len(data)
        self._buffer = b""
        return end - seen

    def _v1(self, buffer: bytes) -> int | None:
        if not buffer.startswith(V1_PREFIX[: len(buffer)]):
            raise ProxyProtocolError(f"no PROXY header: the connection starts with {buffer[:16]!r}")
        end = buffer.find(b"\n", 0, V1_MAX)
        if end < 0:
            if len(buffer) >= V1_MAX:
                raise ProxyProtocolError(f"PROXY v1 line longer than {V1_MAX} bytes")
            return None
        self.result = parse_v1(buffer[: end + 1])
        return end + 1

    def _v2(self, buffer: bytes) -> int | None:
        signature = buffer[: len(V2_SIGNATURE)]
        if not V2_SIGNATURE.startswith(signature):
            raise ProxyProtocolError(f"no PROXY header: the connection starts with {buffer[:16]!r}")
        if len(buffer) > 12 and buffer[12] >> 4 != 2:
            raise ProxyProtocolError(f"PROXY v2 header of version {buffer[12] >> 4}")
        if len(buffer) < _V2_FIXED:
            return None
        end = _V2_FIXED + int.from_bytes(buffer[14:16], "big")
        if len(buffer) < end:
            return None
        self.result = parse_v2(buffer[:end])
        return end


def parse_v1(line: bytes) -> ProxyInfo:
    """The PROXY v1 header ``line`` (its CRLF included), §2.1."""
    if not line.endswith(b"\r\n"):
        raise ProxyProtocolError("PROXY v1 line does not end with CRLF")
    try:
        fields = line[:-2].decode("ascii").split(" ")
    except UnicodeDecodeError:
        raise ProxyProtocolError("PROXY v1 line is not ASCII") from None
    if fields[0] != "PROXY" or len(fields) < 2:
        raise ProxyProtocolError("PROXY v1 line without a protocol")
    if fields[1] == "UNKNOWN":
        return _UNKNOWN_V1  # §2.1: the rest of the line is ignored; the socket's addresses stand
    if len(fields) != 6:
        raise ProxyProtocolError(f"PROXY v1 line of {len(fields)} fields, not 6")
    _, family, source, destination, source_port, destination_port = fields
    if family == "TCP4":
        src, dst = _ip(socket.AF_INET, source), _ip(socket.AF_INET, destination)
        sport, dport = _port(source_port), _port(destination_port)
        return ProxyInfo(1, "PROXY", family, (src, sport), (dst, dport))
    if family == "TCP6":
        src, dst = _ip(socket.AF_INET6, source), _ip(socket.AF_INET6, destination)
        sport, dport = _port(source_port), _port(destination_port)
        return ProxyInfo(1, "PROXY", family, (src, sport, 0, 0), (dst, dport, 0, 0))
    raise ProxyProtocolError(f"PROXY v1 protocol {family!r} is none of TCP4, TCP6, UNKNOWN")


def _ip(family: socket.AddressFamily, text: str) -> str:
    """``text`` as ``getpeername()`` would give it (IPv6 compressed); inet_pton refuses what is not strictly an
    address of ``family``: IPv4 with leading zeros or fewer than four parts, a scope id (``%eth0``)."""
    try:
        return socket.inet_ntop(family, socket.inet_pton(family, text))
    except (OSError, ValueError):
        kind = "IPv4" if family == socket.AF_INET else "IPv6"
        raise ProxyProtocolError(f"PROXY v1 address {text!r} is not an {kind} address") from None


def _port(text: str) -> int:
    # §2.1: "a decimal integer in the range [0..65535]"
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or int(text) > 65535:
        raise ProxyProtocolError(f"PROXY v1 port {text!r} is not in 0..65535")
    return int(text)


def parse_v2(header: bytes) -> ProxyInfo:
    """The whole PROXY v2 ``header`` (signature, fixed part, addresses and TLVs), §2.2."""
    if not header.startswith(V2_SIGNATURE) or len(header) < _V2_FIXED:
        raise ProxyProtocolError("PROXY v2 header without its signature")
    version, command = header[12] >> 4, header[12] & 0x0F
    if version != 2:
        raise ProxyProtocolError(f"PROXY v2 header of version {version}")
    if len(header) != _V2_FIXED + int.from_bytes(header[14:16], "big"):
        raise ProxyProtocolError("PROXY v2 header length does not match its length field")
    if command == 0:
        return _LOCAL_V2  # §2.2: LOCAL uses the real endpoints, the family is ignored
    if command != 1:
        raise ProxyProtocolError(f"PROXY v2 command {command} is neither LOCAL nor PROXY")
    family, transport = header[13] >> 4, header[13] & 0x0F
    if family > 3 or transport > 2:
        raise ProxyProtocolError(f"PROXY v2 address family/transport {header[13]:#04x} is not in the spec")
    if family == 0:
        return _UNKNOWN_V2  # AF_UNSPEC: "the receiver should ignore address information"
    body = memoryview(header)[_V2_FIXED:]
    size = _V2_ADDRESS_SIZES[family]
    if len(body) < size:
        raise ProxyProtocolError(f"PROXY v2 address block of {len(body)} bytes, {_V2_FAMILIES[family]} needs {size}")
    if transport != _STREAM:
        return _UNKNOWN_V2  # a datagram's (or an unspecified transport's) addresses do not name a TCP client
    # What follows the addresses is TLVs (§2.2.7): nothing here needs them.
    if family == 1:
        src, dst = socket.inet_ntop(socket.AF_INET, body[0:4]), socket.inet_ntop(socket.AF_INET, body[4:8])
        sport, dport = int.from_bytes(body[8:10], "big"), int.from_bytes(body[10:12], "big")
        return ProxyInfo(2, "PROXY", "TCP4", (src, sport), (dst, dport))
    if family == 2:
        src, dst = socket.inet_ntop(socket.AF_INET6, body[0:16]), socket.inet_ntop(socket.AF_INET6, body[16:32])
        sport, dport = int.from_bytes(body[32:34], "big"), int.from_bytes(body[34:36], "big")
        return ProxyInfo(2, "PROXY", "TCP6", (src, sport, 0, 0), (dst, dport, 0, 0))
    return ProxyInfo(2, "PROXY", "UNIX", _unix_path(body[:_UNIX_PATH]), _unix_path(body[_UNIX_PATH:size]))


def _unix_path(raw: memoryview) -> str:
    return os.fsdecode(bytes(raw).split(b"\0", 1)[0])


def starts_with_proxy_header(data: bytes) -> bool | None:
    """Whether a connection starting with ``data`` starts with a PROXY header of either version; None while
    ``data`` is too short to tell (``PRO`` may become ``PROPFIND`` or ``PROXY``)."""
    for prefix in (V1_PREFIX, V2_SIGNATURE):
        if data[: len(prefix)] == prefix[: len(data)]:
            return True if len(data) >= len(prefix) else None
    return False


class TrustedPeers:
    """The peers allowed to send a PROXY header (``proxy_allow_ips``): ``ip in peers``.

    ``spec`` is ``"127.0.0.1,::1"``-style text or an iterable of IPs and CIDR networks; ``"*"`` trusts every
    peer. Peers on a unix socket are always trusted: only processes the socket file's permissions let in can
    connect. Raises ValueError naming an entry that is neither.
    """

    __slots__ = ("_known", "everyone", "networks")

    def __init__(self, spec: str | Iterable[str]) -> None:
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        items = [str(item).strip() for item in items if str(item).strip()]
        self.everyone = "*" in items
        networks = []
        for item in items:
            if item != "*":
                try:
                    networks.append(ipaddress.ip_network(item, strict=False))
                except ValueError:
                    raise ValueError(f"proxy_allow_ips: {item!r} is not an IP address or CIDR network") from None
        self.networks = tuple(networks)
        self._known: dict[str, bool] = {}

    def __contains__(self, ip: object) -> bool:
        if self.everyone:
            return True
        text = str(ip)
        known = self._known.get(text)
        if known is None:
            known = self._look_up(text)
            if len(self._known) < _KNOWN_MAX:  # a handful of balancers in practice; never grow without bound
                self._known[text] = known
        return known

    def _look_up(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
        return any(address in network for network in self.networks)

    def trust(self, sock: socket.socket) -> bool:
        """Whether the peer of the accepted ``sock`` is trusted."""
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return True  # a unix socket
        return sock.getpeername()[0] in self


async def read_proxy_header(
    sock: socket.socket, *, trusted: bool, timeout: float, loop: asyncio.AbstractEventLoop | None = None
) -> ProxyInfo | None:
    """Read the PROXY header that starts the accepted, non-blocking ``sock``, taking exactly its bytes.

    From a ``trusted`` peer the header must come within ``timeout`` seconds; from another peer, None is the
    answer once the first bytes show that no header comes (they stay unread). Raises :class:`ProxyProtocolError`
    (:class:`UntrustedProxyHeader`, for a header from an untrusted peer), ``TimeoutError`` or ``ConnectionError``
    (the peer closed first): the caller closes the socket.
    """
    loop = loop or asyncio.get_running_loop()
    async with asyncio.timeout(timeout):
        if trusted:
            return await _read_trusted(loop, sock)
        await _sniff_untrusted(loop, sock)
        return None


async def _read_trusted(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> ProxyInfo:
    reader = ProxyHeaderReader()
    while True:
        # Peek, then take what the header owns: a v1 line's end is only known once seen, and the byte after it
        # belongs to the HTTP parser or the TLS handshake.
        data = await _peek(loop, sock, reader.wanted)
        taken = reader.receive_data(data)
        _take(sock, taken)
        if reader.result is not None:
            return reader.result


async def _sniff_untrusted(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    data = await _peek(loop, sock, len(V2_SIGNATURE))
    verdict = starts_with_proxy_header(data)
    if verdict is None:
        try:
            while verdict is None:
                # A prefix of both a header and a request ("PRO", "\r\n"): wake only once more than it has
                # arrived (SO_RCVLOWAT), as every byte stays unread for the HTTP parser.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, len(data) + 1)
                await _readable(loop, sock)
                data = await _peek(loop, sock, len(V2_SIGNATURE))
                verdict = starts_with_proxy_header(data)
        finally:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1)  # the default, for the transport's reads
    if verdict:
        raise UntrustedProxyHeader(f"a PROXY header from {sock.getpeername()[0]}, not in proxy_allow_ips")


async def _peek(loop: asyncio.AbstractEventLoop, sock: socket.socket, size: int) -> bytes:
    while True:
        try:
            data = sock.recv(size, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            await _readable(loop, sock)
            continue
        if not data:
            raise ConnectionResetError("the peer closed the connection")
        return data


def _take(sock: socket.socket, size: int) -> None:
    """Consume ``size`` bytes already peeked (they are in the socket's buffer: one recv takes them)."""
    while size:
        data = sock.recv(size)
        if not data:
            raise ConnectionResetError("the peer closed the connection inside its PROXY header")
        size -= len(data)


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    waiter: asyncio.Future[None] = loop.create_future()
    fd = sock.fileno()
    loop.add_reader(fd, _wake, waiter)
    try:
        await waiter
    finally:
        loop.remove_reader(fd)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)

"""Proxy headers: who the client really is when a trusted reverse proxy (nginx) forwarded the request.

Behind a proxy the TCP peer is the proxy. The proxy reports the client in ``X-Forwarded-For`` (each proxy appends
the address it received the request from), the scheme in ``X-Forwarded-Proto`` and the requested host in
``X-Forwarded-Host``, or all three in RFC 7239's ``Forwarded: for=...;proto=...;host=...``. Any client can send
these headers too, so:

* they count only when the TCP peer is a trusted proxy (``forwarded_allow_ips``: IPs or CIDR networks, ``*`` for
  any). A forged header from anyone else changes nothing. Unset, nobody is trusted: ``request.remote`` is the TCP
  peer, ``scheme`` and ``host`` the connection's and the ``Host`` header's, as aiohttp gives them (aiohttp never
  reads these headers itself; an application does, with a middleware such as aiohttp-remotes or with
  ``request.clone(remote=...)``, and must not find them already applied);
* in a list of hops, the client is the **rightmost address that is not a trusted proxy** (RFC 7239 section 8.1):
  entries to its left were written by the client itself and are not evidence of anything;
* ``X-Forwarded-For`` wins over ``Forwarded`` when both are present: nginx, as configured in ``deploy/``, writes the
  ``X-Forwarded-*`` family and clears ``Forwarded``; a client-sent ``Forwarded`` must not override it.

Connections over a unix socket have no peer address; only a local process allowed by the socket file's
permissions can connect, which is the proxy, so once ``forwarded_allow_ips`` is set they are trusted (gunicorn does
the same) unless ``Trusted(..., unix=False)``.

The resolution is a pure function, :func:`resolve_forwarded`, of the peer, the headers and the trust list.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

__all__ = [
    "DEFAULT_TRUSTED",
    "Forwarded",
    "Trusted",
    "as_trusted",
    "parse_forwarded",
    "peer_address",
    "resolve_forwarded",
]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 7239 §4: forwarded-pair = token "=" value; value = token / quoted-string (RFC 7230 §3.2.6), and, as aiohttp
# reads them, a ":port" after the value. Used with match() only, so it cannot backtrack into a ReDoS.
_TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z"
_TOKEN = f"[{_TCHAR}]+"
_QDTEXT = "[\t !#-~]"  # HTAB, SP, %x21, %x23-7E: aiohttp's, a backslash included (obs-text excluded)
_QUOTED_PAIR = r"\\[\t !-~]"
_FORWARDED_PAIR_RE = re.compile(rf'({_TOKEN})=({_TOKEN}|"(?:{_QUOTED_PAIR}|{_QDTEXT})*")(:\d{{1,4}})?')
_QUOTED_PAIR_RE = re.compile(r"\\([\t !-~])")
# RFC 7230 section 5.4 Host: uri-host [ ":" port ], uri-host being a reg-name, an IPv4 or a bracketed IP literal.
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?")
_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_CACHE_SIZE = 1024


def _parse_ip(text: str) -> _Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
    return address


class Trusted:
    """The proxies allowed to speak for their clients: ``ip in trusted``.

    ``spec`` is ``"127.0.0.1,::1"``-style text or an iterable of IPs and CIDR networks; ``"*"`` trusts every peer.
    ``unix``: whether a unix socket peer (no address) is trusted. Raises ValueError naming an entry that is neither.
    """

    __slots__ = ("_cache", "everyone", "networks", "unix")

    def __init__(self, spec: str | Iterable[str], *, unix: bool = True) -> None:
        items = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else [str(s).strip() for s in spec]
        items = [item for item in items if item]
        self.everyone = "*" in items
        self.unix = unix
        networks: list[_Network] = []
        for item in items:
            if item == "*":
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"forwarded_allow_ips: {item!r} is not an IP address or CIDR network") from None
        self.networks = tuple(networks)
        self._cache: dict[str, bool] = {}

    def __bool__(self) -> bool:
        """False when nobody is trusted: then the headers need not even be looked at."""
        return self.everyone or self.unix or bool(self.networks)

    def __contains__(self, ip: object) -> bool:
        if not ip:  # a unix socket peer: no address
            return self.unix
        if self.everyone:
            return True
        text = str(ip)
        try:
            return self._cache[text]
        except KeyError:
            pass
        address = _parse_ip(text)
        found = address is not None and any(address in network for network in self.networks)
        if len(self._cache) < _CACHE_SIZE:  # a handful of proxies in practice; never grow without bound
            self._cache[text] = found
        return found

    def __repr__(self) -> str:
        nets = ["*"] if self.everyone else [str(n) for n in self.networks]
        return f"Trusted({','.join(nets)!r}, unix={self.unix})"


#: ``forwarded_allow_ips`` unset: no peer is a proxy, a unix socket's neither, so the headers change nothing
#: (aiohttp's behaviour). Loopback is not trusted by default: an application's own middleware (aiohttp-remotes,
#: aiohttp-middlewares' https_middleware) decides about them, and sees ``request.remote`` as aiohttp gives it.
DEFAULT_TRUSTED = Trusted((), unix=False)


def as_trusted(spec: Trusted | str | Iterable[str] | None) -> Trusted:
    """``forwarded_allow_ips`` as given to ``make_handler``: a :class:`Trusted`, its text or list spec (unix socket
    peers trusted with it, as gunicorn trusts them), or None for the default, :data:`DEFAULT_TRUSTED` (nobody)."""
    if spec is None:
        return DEFAULT_TRUSTED
    if isinstance(spec, Trusted):
        return spec
    if not isinstance(spec, (str, list, tuple, set, frozenset)):
        raise TypeError(f"forwarded_allow_ips: expected a str or a list of IPs/CIDRs, got {type(spec).__name__}")
    return Trusted(spec)


def peer_address(peername: object) -> str | None:
    """The address of a transport's ``peername``: a TCP peer is ``(host, port, ...)``; a unix socket peer has
    none (None, which :class:`Trusted` takes for "unix")."""
    return str(peername[0]) if isinstance(peername, (tuple, list)) and peername else None


class Forwarded(NamedTuple):
    """What the trusted proxies say: ``remote`` (always set), ``scheme`` and ``host`` (None: not forwarded)."""

    remote: str | None
    scheme: str | None
    host: str | None


def _split_list(values: Iterable[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _node(text: str) -> str | None:
    """An ``X-Forwarded-For`` or ``for=`` entry without its port: ``1.2.3.4:80``, ``[::1]:80``, ``unknown``."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        text = text.partition(":")[0]
    return text or None


def _scheme(text: str | None) -> str | None:
    return None if text is None else _SCHEMES.get(text.strip().strip('"').lower())


def _host(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip().strip('"')
    return text if _HOST.fullmatch(text) else None


def _pick(values: list[str], index: int, hops: int) -> str | None:
    """The value of the chosen hop when the list lines up with the hops, else the one nearest to us (rightmost)."""
    if not values:
        return None
    if len(values) == hops:
        return values[index]
    return values[-1]


def _client_index(hops: list[str | None], trusted: Trusted) -> int:
    """Walk from the right past trusted proxies; the first untrusted hop is the client (or the leftmost one)."""
    for index in range(len(hops) - 1, -1, -1):
        hop = hops[index]
        if hop is None or hop not in trusted:
            return index
    return 0


def parse_forwarded(values: Iterable[str]) -> list[dict[str, str]]:
    """RFC 7239 ``Forwarded`` header values -> one dict per element (lower-cased keys, unquoted values), as
    aiohttp 3's ``request.forwarded`` reads them.

    Each field value starts an element, even an empty or malformed one (an empty dict), so the list lines up
    with the proxies that added them. A pair whose value is not a token or a complete quoted-string (RFC 7239
    §4) ends its element: the parser skips to the next comma, so a value with an unterminated quote cannot swallow
    the element a later proxy appended. A repeated key keeps its last value. Malformed pairs are skipped rather
    than failing the request: a proxy header is advice, not the request.
    """
    elements: list[dict[str, str]] = []
    for value in values:
        length = len(value)
        pos = 0
        need_separator = False
        element: dict[str, str] = {}
        elements.append(element)
        while 0 <= pos < length:
            match = _FORWARDED_PAIR_RE.match(value, pos)
            if match is not None:
                if need_separator:  # two pairs without ';' between them: skip to the next element
                    pos = value.find(",", pos)
                    continue
                name, pair_value, port = match.groups()
                if pair_value[0] == '"':
                    pair_value = _QUOTED_PAIR_RE.sub(r"\1", pair_value[1:-1])
                element[name.lower()] = pair_value + (port or "")
                pos += len(match.group(0))
                need_separator = True
            elif value[pos] == ",":
                need_separator = False
                element = {}
                elements.append(element)
                pos += 1
            elif value[pos] == ";":
                need_separator = False
                pos += 1
            elif value[pos] in " \t":  # whitespace between pairs, which RFC 7239 does not allow, is read past
                pos += 1
            else:
                pos = value.find(",", pos)
    return elements


def resolve_forwarded(peer_ip: str | None, headers: Mapping[str, str], trusted: Trusted) -> Forwarded:
    """The client's address, scheme and host, from the proxy headers when ``peer_ip`` is a trusted proxy.

    ``headers`` is the request's case-insensitive multidict (``getall`` is used when present, so repeated
    headers count as one comma-separated list). ``peer_ip`` is the TCP peer's address, or None/"" for a unix
    socket. An untrusted peer gets ``Forwarded(peer_ip, None, None)``, whatever it sent.
    """
    if peer_ip not in trusted or (
        "X-Forwarded-For" not in headers
        and "Forwarded" not in headers
        and "X-Forwarded-Proto" not in headers
        and "X-Forwarded-Host" not in headers
    ):
        # the common cases, kept cheap: the access log's %(h)s asks on every request
        return Forwarded(peer_ip, None, None)
    getall = getattr(headers, "getall", None)

    def values(name: str) -> list[str]:
        if getall is not None:
            return list(getall(name, ()))
        value = headers.get(name)
        return [value] if value is not None else []

    xff = _split_list(values("X-Forwarded-For"))
    if xff:
        hops = [_node(hop) for hop in xff]
        index = _client_index(hops, trusted)
        return Forwarded(
            hops[index] or peer_ip,
            _scheme(_pick(_split_list(values("X-Forwarded-Proto")), index, len(hops))),
            _host(_pick(_split_list(values("X-Forwarded-Host")), index, len(hops))),
        )
    forwarded = values("Forwarded")
    if forwarded:
        elements = parse_forwarded(forwarded)
        with_for = [element for element in elements if "for" in element]
        if with_for:
            hops = [_node(element["for"]) for element in with_for]
            index = _client_index(hops, trusted)
            element = with_for[index]
            # RFC 7239 section 5: proto and host in an element describe the request as that proxy received it.
            return Forwarded(hops[index] or peer_ip, _scheme(element.get("proto")), _host(element.get("host")))
        if elements:
            return Forwarded(peer_ip, _scheme(elements[-1].get("proto")), _host(elements[-1].get("host")))
    # No hop list: a single proxy may still say which scheme and host the client used.
    protos = _split_list(values("X-Forwarded-Proto"))
    hosts = _split_list(values("X-Forwarded-Host"))
    return Forwarded(
        peer_ip,
        _scheme(protos[-1]) if protos else None,
        _host(hosts[-1]) if hosts else None,
    )

"""server.proxy_protocol's reader on bytes alone, against HAProxy's proxy-protocol.txt (v1 §2.1, v2 §2.2).

Every header is fed whole, one byte at a time, split at every byte, and followed by the stream's own bytes (an
HTTP request, a TLS ClientHello's first bytes), which the reader must leave alone.
"""

from __future__ import annotations

import ipaddress
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.proxy_protocol import (
    V1_MAX,
    V2_SIGNATURE,
    ProxyHeaderReader,
    ProxyInfo,
    ProxyProtocolError,
    TrustedPeers,
    starts_with_proxy_header,
)

REQUEST = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
CLIENT_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
FFFF6 = ":".join(["ffff"] * 8)


def v2(command: int, family: int, addresses: bytes = b"", tlvs: bytes = b"", *, version: int = 2) -> bytes:
    body = addresses + tlvs
    return V2_SIGNATURE + bytes([version << 4 | command, family]) + struct.pack("!H", len(body)) + body


def tlv(kind: int, value: bytes) -> bytes:
    return struct.pack("!BH", kind, len(value)) + value


def inet(src: str, dst: str, sport: int, dport: int) -> bytes:
    return ipaddress.ip_address(src).packed + ipaddress.ip_address(dst).packed + struct.pack("!HH", sport, dport)


def unix(src: bytes, dst: bytes) -> bytes:
    return src.ljust(108, b"\0") + dst.ljust(108, b"\0")


def splits(header: bytes, trailing: bytes) -> list[list[bytes]]:
    """The ways a header reaches the reader: whole, byte by byte, and cut at every byte, trailing data after."""
    data = header + trailing
    ways = [[data], [bytes([b]) for b in header] + ([trailing] if trailing else [])]
    ways += [[data[:i], data[i:]] for i in range(1, len(header))]
    return ways


def read(chunks: list[bytes]) -> tuple[ProxyInfo, int, bytes]:
    """Feed ``chunks`` as a socket reader would; the header, how many bytes it took and what is left over."""
    reader = ProxyHeaderReader()
    taken = 0
    rest = b""
    for chunk in chunks:
        if reader.result is not None:
            rest += chunk
            continue
        assert reader.wanted > 0
        used = reader.receive_data(chunk)
        assert 0 <= used <= len(chunk)
        taken += used
        rest += chunk[used:]
    assert reader.result is not None, "the header was not read"
    assert reader.wanted == 0
    return reader.result, taken, rest


VALID = [
    # v1, §2.1's examples and limits
    pytest.param(
        b"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
        ProxyInfo(1, "PROXY", "TCP4", ("192.168.0.1", 56324), ("192.168.0.11", 443)),
        id="v1-tcp4",
    ),
    pytest.param(
        b"PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n",
        ProxyInfo(1, "PROXY", "TCP4", ("255.255.255.255", 65535), ("255.255.255.255", 65535)),
        id="v1-tcp4-longest",
    ),
    pytest.param(
        b"PROXY TCP4 127.0.0.2 127.0.0.1 0 0\r\n",
        ProxyInfo(1, "PROXY", "TCP4", ("127.0.0.2", 0), ("127.0.0.1", 0)),
        id="v1-tcp4-port-0",
    ),
    pytest.param(
        f"PROXY TCP6 {FFFF6} {FFFF6} 65535 65535\r\n".encode(),
        ProxyInfo(1, "PROXY", "TCP6", (FFFF6, 65535, 0, 0), (FFFF6, 65535, 0, 0)),
        id="v1-tcp6-longest",
    ),
    pytest.param(
        b"PROXY TCP6 2001:db8:0:0:0:0:0:1 ::1 4711 80\r\n",
        ProxyInfo(1, "PROXY", "TCP6", ("2001:db8::1", 4711, 0, 0), ("::1", 80, 0, 0)),
        id="v1-tcp6-compressed-as-getpeername",
    ),
    pytest.param(b"PROXY UNKNOWN\r\n", ProxyInfo(1, "PROXY", "UNKNOWN"), id="v1-unknown"),
    pytest.param(
        f"PROXY UNKNOWN {FFFF6} {FFFF6} 65535 65535\r\n".encode(),
        ProxyInfo(1, "PROXY", "UNKNOWN"),
        id="v1-unknown-107-bytes",
    ),
    # v2, §2.2
    pytest.param(
        v2(1, 0x11, inet("192.168.0.1", "192.168.0.11", 56324, 443)),
        ProxyInfo(2, "PROXY", "TCP4", ("192.168.0.1", 56324), ("192.168.0.11", 443)),
        id="v2-tcp4",
    ),
    pytest.param(
        v2(1, 0x21, inet("2001:db8::1", "::1", 4711, 80)),
        ProxyInfo(2, "PROXY", "TCP6", ("2001:db8::1", 4711, 0, 0), ("::1", 80, 0, 0)),
        id="v2-tcp6",
    ),
    pytest.param(
        v2(1, 0x31, unix(b"/run/client.sock", b"/run/haproxy.sock")),
        ProxyInfo(2, "PROXY", "UNIX", "/run/client.sock", "/run/haproxy.sock"),
        id="v2-unix",
    ),
    pytest.param(
        v2(1, 0x11, inet("10.1.2.3", "10.0.0.1", 1234, 443), tlv(0x01, b"h2") + tlv(0x02, b"example.com")),
        ProxyInfo(2, "PROXY", "TCP4", ("10.1.2.3", 1234), ("10.0.0.1", 443)),
        id="v2-tcp4-tlvs-skipped",
    ),
    pytest.param(
        # HAProxy's send-proxy-v2-ssl: an SSL TLV with sub-TLVs, then a CRC32C and padding (NOOP)
        v2(
            1,
            0x21,
            inet("::ffff:10.1.2.3", "::1", 1, 2),
            tlv(0x20, b"\x07\x00\x00\x00\x00" + tlv(0x21, b"TLSv1.3")) + tlv(0x03, b"\0\0\0\0") + tlv(0x04, b"\0" * 9),
        ),
        ProxyInfo(2, "PROXY", "TCP6", ("::ffff:10.1.2.3", 1, 0, 0), ("::1", 2, 0, 0)),
        id="v2-tcp6-ssl-tlvs",
    ),
    pytest.param(v2(0, 0x00), ProxyInfo(2, "LOCAL", "UNKNOWN"), id="v2-local"),
    pytest.param(
        v2(0, 0x11, inet("10.0.0.9", "10.0.0.1", 1, 2)),
        ProxyInfo(2, "LOCAL", "UNKNOWN"),
        id="v2-local-addresses-ignored",
    ),
    pytest.param(v2(0, 0xFF), ProxyInfo(2, "LOCAL", "UNKNOWN"), id="v2-local-family-ignored"),
    pytest.param(v2(1, 0x00), ProxyInfo(2, "PROXY", "UNKNOWN"), id="v2-unspec"),
    pytest.param(v2(1, 0x00, tlv(0x04, b"xyz")), ProxyInfo(2, "PROXY", "UNKNOWN"), id="v2-unspec-with-tlv"),
    pytest.param(
        v2(1, 0x12, inet("10.0.0.9", "10.0.0.1", 1, 2)), ProxyInfo(2, "PROXY", "UNKNOWN"), id="v2-udp4-not-a-client"
    ),
    pytest.param(
        v2(1, 0x10, inet("10.0.0.9", "10.0.0.1", 1, 2)), ProxyInfo(2, "PROXY", "UNKNOWN"), id="v2-inet-unspec-transport"
    ),
]


TRAILING = [b"", REQUEST, REQUEST + REQUEST, CLIENT_HELLO]


@pytest.mark.parametrize("trailing", TRAILING, ids=["none", "http", "pipe", "tls"])
@pytest.mark.parametrize(("header", "expected"), VALID)
def test_a_header_is_read_whole_bytewise_and_split_anywhere_leaving_the_stream_alone(header, expected, trailing):
    for chunks in splits(header, trailing):
        info, taken, rest = read(chunks)
        assert info == expected
        assert taken == len(header)
        assert rest == trailing


def test_v1_longest_lines_are_the_specs_figures():
    assert len(f"PROXY UNKNOWN {FFFF6} {FFFF6} 65535 65535\r\n") == V1_MAX == 107
    assert len(f"PROXY TCP6 {FFFF6} {FFFF6} 65535 65535\r\n") == 104


def test_wanted_never_reaches_past_a_v2_header():
    header = v2(1, 0x11, inet("10.0.0.9", "10.0.0.1", 1, 2), tlv(0x04, b"abc"))
    reader = ProxyHeaderReader()
    assert reader.wanted == V1_MAX  # the version is unknown yet: a v1 line may be this long
    reader.receive_data(header[:1])
    assert reader.wanted == 15
    reader.receive_data(header[1:16])
    assert reader.wanted == len(header) - 16
    reader.receive_data(header[16:])
    assert reader.wanted == 0


MALFORMED = [
    pytest.param(b"GET / HTTP/1.1\r\n\r\n", id="http-request-no-header"),
    pytest.param(CLIENT_HELLO, id="tls-hello-no-header"),
    pytest.param(b"\r\n\r\nGET / HTTP/1.1\r\n", id="http-after-empty-lines"),
    pytest.param(b"PROPFIND / HTTP/1.1\r\n", id="http-method-starting-PRO"),
    pytest.param(b"proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", id="v1-lowercase"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", id="v1-bare-lf"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", id="v1-cr-cr-lf"),
    pytest.param(b"PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", id="v1-double-space"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", id="v1-trailing-space"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", id="v1-missing-port"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n", id="v1-port-too-large"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 -2\r\n", id="v1-negative-port"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 1 0x10\r\n", id="v1-hex-port"),
    pytest.param(b"PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", id="v1-bad-ipv4"),
    pytest.param(b"PROXY TCP4 ::1 ::1 1 2\r\n", id="v1-tcp4-with-ipv6"),
    pytest.param(b"PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", id="v1-tcp6-with-ipv4"),
    pytest.param(b"PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", id="v1-scope-id"),
    pytest.param(b"PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", id="v1-udp"),
    pytest.param(b"PROXY\r\n", id="v1-no-protocol"),
    pytest.param(b"PROXY \r\n", id="v1-empty-protocol"),
    pytest.param(b"PROXY TCP4 1.2.3.4 5.6.7.8 \xd9 2\r\n", id="v1-not-ascii"),
    pytest.param(b"PROXY UNKNOWN " + b"x" * 100 + b"\r\n", id="v1-over-107-bytes"),
    pytest.param(b"PROXY TCP4 " + b"1" * 120, id="v1-no-end-within-107"),
    pytest.param(v2(1, 0x11, inet("1.2.3.4", "5.6.7.8", 1, 2), version=1), id="v2-version-1"),
    pytest.param(v2(1, 0x11, inet("1.2.3.4", "5.6.7.8", 1, 2), version=3), id="v2-version-3"),
    pytest.param(v2(2, 0x11, inet("1.2.3.4", "5.6.7.8", 1, 2)), id="v2-command-2"),
    pytest.param(v2(1, 0x41, inet("1.2.3.4", "5.6.7.8", 1, 2)), id="v2-family-4"),
    pytest.param(v2(1, 0x13, inet("1.2.3.4", "5.6.7.8", 1, 2)), id="v2-transport-3"),
    pytest.param(v2(1, 0x11, inet("1.2.3.4", "5.6.7.8", 1, 2)[:11]), id="v2-inet-too-short"),
    pytest.param(v2(1, 0x21, inet("1.2.3.4", "5.6.7.8", 1, 2)), id="v2-inet6-too-short"),
    pytest.param(v2(1, 0x31, b"/x".ljust(200, b"\0")), id="v2-unix-too-short"),
    pytest.param(b"\r\n\r\n\x00\r\nQUIT\r" + bytes(8), id="v2-bad-signature"),
]


@pytest.mark.parametrize("header", MALFORMED)
def test_a_malformed_header_or_none_at_all_is_an_error_however_it_arrives(header):
    for chunks in splits(header, REQUEST):
        reader = ProxyHeaderReader()
        with pytest.raises(ProxyProtocolError):
            for chunk in chunks:
                reader.receive_data(chunk)
            raise AssertionError(f"accepted {reader.result!r}")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", None),
        (b"P", None),
        (b"PRO", None),
        (b"PROXY", None),
        (b"PROXY ", True),
        (b"PROXY TCP4 1.2.3.4", True),
        (b"PROP", False),
        (b"POST", False),
        (b"GET ", False),
        (b"\r\n", None),
        (b"\r\n\r\n\x00\r\nQUI", None),
        (V2_SIGNATURE, True),
        (b"\r\nGET", False),
        (b"\r\n\r\nG", False),
        (CLIENT_HELLO, False),
    ],
)
def test_a_connection_from_an_untrusted_peer_is_told_by_its_first_bytes(data, expected):
    assert starts_with_proxy_header(data) is expected


def test_trusted_peers():
    peers = TrustedPeers("127.0.0.1, 10.0.0.0/8,::1")
    assert "127.0.0.1" in peers
    assert "10.200.3.4" in peers
    assert "::ffff:10.0.0.1" in peers  # an IPv4 peer of a dual-stack socket
    assert "::1" in peers
    assert "127.0.0.2" not in peers
    assert "" not in peers
    assert "anything" in TrustedPeers("*")
    assert "127.0.0.1" not in TrustedPeers("")
    with pytest.raises(ValueError, match=r"proxy_allow_ips: '10\.0\.0\.0/33'"):
        TrustedPeers("10.0.0.0/33")


@given(st.binary(max_size=300), st.integers(min_value=1, max_value=40))
def test_any_bytes_read_or_fail_cleanly_in_any_pieces(data, size):
    """Arbitrary input either yields a header, taking no byte past it, or raises ProxyProtocolError."""
    reader = ProxyHeaderReader()
    taken = 0
    try:
        for start in range(0, len(data), size):
            chunk = data[start : start + size]
            taken += reader.receive_data(chunk)
            if reader.result is not None:
                break
    except ProxyProtocolError:
        return
    assert taken <= len(data)
    if reader.result is not None:
        whole = ProxyHeaderReader()
        assert whole.receive_data(data) == taken
        assert whole.result == reader.result


@given(
    st.sampled_from([4, 6]),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.integers(0, 65535),
    st.integers(0, 65535),
    st.binary(max_size=40),
)
def test_v1_and_v2_of_the_same_addresses_agree(family, src, dst, sport, dport, trailing):
    if family == 4:
        a, b = ipaddress.IPv4Address(src), ipaddress.IPv4Address(dst)
        line = f"PROXY TCP4 {a} {b} {sport} {dport}\r\n".encode()
        binary = v2(1, 0x11, a.packed + b.packed + struct.pack("!HH", sport, dport))
    else:
        a, b = ipaddress.IPv6Address(src << 96 | dst), ipaddress.IPv6Address(dst << 64 | src)
        line = f"PROXY TCP6 {a.exploded} {b} {sport} {dport}\r\n".encode()
        binary = v2(1, 0x21, a.packed + b.packed + struct.pack("!HH", sport, dport))
    one, taken, rest = read([line + trailing])
    two, taken2, rest2 = read([binary + trailing])
    assert (taken, rest, taken2, rest2) == (len(line), trailing, len(binary), trailing)
    assert one._replace(version=2) == two
    # as getpeername() writes the address (IPv6: RFC 5952's compressed form, IPv4-mapped in dotted quad)
    assert one.source[:2] == (socket.inet_ntop(socket.AF_INET if family == 4 else socket.AF_INET6, a.packed), sport)

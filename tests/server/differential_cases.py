"""The request corpus of the differential audit (test_parser_differential.py): requests mutated along the axes
where HTTP/1.1 parsers disagree and request smuggling lives (RFC 9112 sections 2-7, RFC 9110 sections 5.5 and
5.6), generated, deterministic and bounded.

Each :class:`Case` is one request, named ``<axis>/<what changed>``. The runner sends every case followed by
:data:`FOLLOW_UP`, a well-formed pipelined request, so where each reader thinks the next request starts is part of
the verdict. A framing case's body is followed by :data:`SMUGGLED` (``GET /smuggled``): read as the RFC frames
the body, it is the second request; a reader framing the body otherwise reads it elsewhere or not at all, which
the comparison shows. ``chunk/smuggled-in-data`` carries it inside a chunk, where it is data to every reader.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

FOLLOW_UP = b"GET /next HTTP/1.1\r\nHost: n\r\n\r\n"
SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: s\r\n\r\n"
HOST = b"Host: example.com\r\n"


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes

    @property
    def axis(self) -> str:
        return self.name.split("/", 1)[0]


def _get(*fields: bytes, line: bytes = b"GET / HTTP/1.1") -> bytes:
    return line + b"\r\n" + b"".join(fields) + b"\r\n"


def _post(body: bytes, *fields: bytes, line: bytes = b"POST /p HTTP/1.1") -> bytes:
    return line + b"\r\n" + HOST + b"".join(fields) + b"\r\n" + body


def _show(value: bytes) -> str:
    """``value`` readable in a case name: printable ASCII as is, the rest as \\xHH."""
    return "".join(chr(b) if 0x21 <= b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in value) or "(empty)"


def _request_line() -> list[Case]:
    methods = [b"GET", b"get", b"OPTIONS", b"CONNECT", b"FOO", b"M-SEARCH", b"G@T", b"GE\x00T", b"G\x80T", b""]
    targets = [
        b"/",
        b"/a?b=c",
        b"*",
        b"http://example.com/x",
        b"example.com:80",
        b"//x",
        b"/\x7f",
        b"/\x80\xff",
        b"/\x00",
        b"/%00",
        b"/#frag",
        b"",
        b"a",
        b"http://[::1]/",
        b"s://]ufd/:",
        b"/a\tb",
        b"/" + b"a" * 8100,
        b"/" + b"a" * 9000,
    ]
    versions = [
        b"HTTP/0.9",
        b"HTTP/1.0",
        b"HTTP/1.1",
        b"HTTP/1.2",
        b"HTTP/2.0",
        b"HTTP/1.10",
        b"http/1.1",
        b"HTTP/1",
        b"HTTPS/1.1",
        b"HTTP/ 1.1",
        b"HTTP/1.1 ",
        b"",
    ]

    def line(method: bytes, target: bytes, version: bytes) -> bytes:
        parts = [method, target] + ([version] if version else [])
        return b" ".join(parts)

    def name(what: str, value: bytes) -> str:
        return f"{what}={_show(value[:24])}" + (f"...({len(value)})" if len(value) > 24 else "")

    cases = []
    for method in methods:
        for version in versions:
            cases.append(
                Case(f"line/{name('m', method)},{name('v', version)}", _get(HOST, line=line(method, b"/", version)))
            )
    for target in targets:
        for version in versions:
            cases.append(
                Case(f"line/{name('t', target)},{name('v', version)}", _get(HOST, line=line(b"GET", target, version)))
            )
    for method in methods:
        for target in targets:
            cases.append(
                Case(
                    f"line/{name('m', method)},{name('t', target)}", _get(HOST, line=line(method, target, b"HTTP/1.1"))
                )
            )
    seps = {
        "double-space": b"GET  / HTTP/1.1",
        "space-before-version-twice": b"GET /  HTTP/1.1",
        "tabs": b"GET\t/\tHTTP/1.1",
        "leading-space": b" GET / HTTP/1.1",
        "trailing-space": b"GET / HTTP/1.1 ",
        "trailing-tab": b"GET / HTTP/1.1\t",
        "vertical-tab": b"GET\x0b/ HTTP/1.1",
        "form-feed": b"GET /\x0cHTTP/1.1",
        "nbsp": b"GET\xa0/ HTTP/1.1",
        "cr-inside": b"GET /\r HTTP/1.1",
    }
    cases += [Case(f"line/sep-{k}", _get(HOST, line=v)) for k, v in seps.items()]
    # RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request-line.
    for k, v in {"crlf": b"\r\n", "2crlf": b"\r\n\r\n", "lf": b"\n", "cr": b"\r", "sp-crlf": b" \r\n"}.items():
        cases.append(Case(f"line/leading-{k}", v + _get(HOST)))
    # Line terminators of the request line, a field line and the empty line (RFC 9112 section 2.2: bare CR is
    # invalid; a bare LF MAY be taken).
    ends = {"crlf": b"\r\n", "lf": b"\n", "cr": b"\r", "crcrlf": b"\r\r\n", "lfcr": b"\n\r", "crlfsp": b"\r\n "}
    for a, ea in ends.items():
        for b, eb in ends.items():
            for c, ec in ends.items():
                raw = b"GET / HTTP/1.1" + ea + b"Host: example.com" + eb + b"X: y" + eb + ec
                cases.append(Case(f"line/ends-{a},{b},{c}", raw))
    return cases


def _field_lines() -> list[Case]:
    variants = {
        "space-before-colon": b"X-A : b\r\n",
        "tab-before-colon": b"X-A\t: b\r\n",
        "host-space-before-colon": b"Host : h\r\n",
        "leading-space-name": b" X-A: b\r\n",
        "leading-tab-name": b"\tX-A: b\r\n",
        "obs-fold": b"X-A: b\r\n c\r\n",
        "obs-fold-tab": b"X-A: b\r\n\tc\r\n",
        "obs-fold-empty-first": b"X-A:\r\n c\r\n",
        "empty-name": b": b\r\n",
        "no-colon": b"X-A b\r\n",
        "name-with-space": b"X A: b\r\n",
        "name-with-slash": b"X/A: b\r\n",
        "name-with-at": b"X@A: b\r\n",
        "name-with-brace": b"X{A}: b\r\n",
        "name-with-quote": b'X"A: b\r\n',
        "name-obs-text": b"X\xe9: b\r\n",
        "name-nul": b"X\x00A: b\r\n",
        "value-nul": b"X-A: b\x00c\r\n",
        "value-cr": b"X-A: b\rc\r\n",
        "value-lf": b"X-A: b\nc\r\n",
        "value-del": b"X-A: b\x7fc\r\n",
        "value-ctl": b"X-A: b\x01c\r\n",
        "value-vtab": b"X-A: b\x0bc\r\n",
        # Trailing: on_header strips a value with bytes.rstrip(), which would take these too if llhttp let them in.
        "value-trailing-vtab": b"X-A: b\x0b\r\n",
        "value-trailing-ff": b"X-A: b\x0c\r\n",
        "value-obs-text": b"X-A: caf\xc3\xa9 \xff\r\n",
        "value-empty": b"X-A:\r\n",
        "value-only-ws": b"X-A: \t \r\n",
        "value-inner-ws": b"X-A: b \t c\r\n",
        "value-trailing-ws": b"X-A: b \t\r\n",
        "value-leading-tab": b"X-A:\tb\r\n",
        "value-no-ows": b"X-A:b\r\n",
        "colon-in-value": b"X-A: b:c: d\r\n",
        "double-colon": b"X-A:: b\r\n",
        "mixed-case-dup": b"x-a: 1\r\nX-A: 2\r\n",
        "many-equal-dups": b"X-A: 1\r\n" * 10,
        "connection-close": b"Connection: close\r\n",
        "connection-keep-alive": b"Connection: keep-alive\r\n",
        "connection-close-list": b"Connection: foo, close\r\n",
        "connection-upgrade-no-upgrade": b"Connection: upgrade\r\n",
        "upgrade-unknown": b"Connection: upgrade\r\nUpgrade: foo/2\r\n",
        "proxy-connection-close": b"Proxy-Connection: close\r\n",
    }
    cases = []
    for k, v in variants.items():
        cases.append(Case(f"field/get-{k}", _get(HOST, v)))
        cases.append(Case(f"field/post-{k}", _post(b"hello", v, b"Content-Length: 5\r\n")))
    # Every byte inside a field name and a field value (RFC 9110 section 5.1: a name is a token; section 5.5: a
    # value is VCHAR, SP, HTAB and obs-text).
    for byte in range(256):
        cases.append(Case(f"field/name-byte-{byte:02x}", _get(HOST, b"X" + bytes([byte]) + b"Y: v\r\n")))
        cases.append(Case(f"field/value-byte-{byte:02x}", _get(HOST, b"X: a" + bytes([byte]) + b"b\r\n")))
    for count in (98, 99, 100, 128, 129, 300):
        fields = b"".join(b"X-%d: v\r\n" % i for i in range(count))
        cases.append(Case(f"field/count-{count}+host", _get(HOST, fields)))
    for size in (8000, 8186, 8187, 9000, 20000):
        cases.append(Case(f"field/value-size-{size}", _get(HOST, b"X: " + b"v" * size + b"\r\n")))
        cases.append(Case(f"field/name-size-{size}", _get(HOST, b"X" * size + b": v\r\n")))
    return cases


def _host() -> list[Case]:
    cases = [
        Case("host/missing-1.1", _get()),
        Case("host/missing-1.0", _get(line=b"GET / HTTP/1.0")),
        Case("host/missing-absolute-form", _get(line=b"GET http://example.com/ HTTP/1.1")),
        Case("host/empty", _get(b"Host:\r\n")),
        Case("host/two", _get(HOST, b"Host: other\r\n")),
        Case("host/two-equal", _get(HOST, HOST)),
        Case("host/two-cases", _get(HOST, b"HOST: example.com\r\n")),
        Case("host/two-1.0", _get(HOST, b"Host: other\r\n", line=b"GET / HTTP/1.0")),
        Case("host/absolute-form-other", _get(b"Host: other\r\n", line=b"GET http://example.com/ HTTP/1.1")),
        Case("host/empty-and-one", _get(b"Host:\r\n", HOST)),
    ]
    values = [
        b"example.com:8080",
        b"127.0.0.1",
        b"[::1]:80",
        b"a_b",
        b"xn--e1afmkfd",
        b"%41",
        b"a b",
        b"a/b",
        b"a@b",
        b"a:b:c",
        b"a:port",
        b"[::1",
        b"a?b",
        b"a#b",
        b"a\\b",
        b'a"b',
        b"a,b",
        b"caf\xc3\xa9",
    ]
    cases += [Case(f"host/value-{_show(v)}", _get(b"Host: " + v + b"\r\n")) for v in values]
    return cases


def _content_length() -> list[Case]:
    values = [
        b"5",
        b"+5",
        b"05",
        b"0005",
        b"5,5",
        b"5, 5",
        b"5,6",
        b"-1",
        b"-0",
        b"5 ",
        b" 5",
        b"5\t",
        b"5 5",
        b"0x5",
        b"5.0",
        b"",
        b"1e1",
        b"5a",
        b"0",
        b"4294967301",
        b"18446744073709551621",
        b"99999999999999999999999999",
        b"\xd9\xa5",  # ARABIC-INDIC DIGIT FIVE
        b"\xef\xbc\x95",  # FULLWIDTH DIGIT FIVE
    ]
    body = b"hello" + SMUGGLED
    cases = [Case(f"cl/value-{_show(v)}", _post(body, b"Content-Length: " + v + b"\r\n")) for v in values]
    cases += [
        Case("cl/dup-equal", _post(body, b"Content-Length: 5\r\nContent-Length: 5\r\n")),
        Case("cl/dup-differ", _post(body, b"Content-Length: 5\r\nContent-Length: 6\r\n")),
        Case("cl/dup-cases", _post(body, b"Content-Length: 5\r\ncontent-length: 5\r\n")),
        Case("cl/on-get", _get(HOST, b"Content-Length: 5\r\n") + b"hello"),
        Case("cl/http10", _post(b"hello", b"Content-Length: 5\r\n", line=b"POST /p HTTP/1.0")),
        Case(
            "cl/http10-keep-alive",
            _post(b"hello", b"Content-Length: 5\r\nConnection: keep-alive\r\n", line=b"POST /p HTTP/1.0"),
        ),
        Case("cl/short-body", _post(b"hel", b"Content-Length: 5\r\n")),
        Case("cl/none-on-post", _post(b"")),
        Case("cl/none-body-follows", _post(b"hello" + SMUGGLED)),
        Case("cl/over-client-max-size", _post(b"hello", b"Content-Length: 1048577\r\n")),
        Case("cl/obs-fold", _post(body, b"Content-Length:\r\n 5\r\n")),
        Case("cl/space-before-colon", _post(body, b"Content-Length : 5\r\n")),
    ]
    return cases


_CHUNKED_BODY = b"5\r\nhello\r\n0\r\n\r\n"


def _transfer_encoding() -> list[Case]:
    values = [
        b"chunked",
        b"Chunked",
        b"CHUNKED",
        b" chunked",
        b"chunked ",
        b"\tchunked",
        b"chunked, identity",
        b"identity, chunked",
        b"gzip, chunked",
        b"chunked, gzip",
        b"chunked,",
        b",chunked",
        b"chunked, chunked",
        b"chunked;q=1",
        b"xchunked",
        b"chunke",
        b"chunked\x0b",
        b"\x0bchunked",
        b"identity",
        b"",
        b"gzip",
        b'"chunked"',
        b"chunked\x00",
        b"ch\xc3\xbcnked",
    ]
    body = _CHUNKED_BODY + SMUGGLED
    cases = [Case(f"te/value-{_show(v)}", _post(body, b"Transfer-Encoding: " + v + b"\r\n")) for v in values]
    pairs = {
        "gzip+chunked": (b"gzip", b"chunked"),
        "chunked+chunked": (b"chunked", b"chunked"),
        "chunked+identity": (b"chunked", b"identity"),
        "identity+chunked": (b"identity", b"chunked"),
        "chunked+empty": (b"chunked", b""),
        "empty+chunked": (b"", b"chunked"),
    }
    for k, (a, b) in pairs.items():
        fields = b"Transfer-Encoding: " + a + b"\r\nTransfer-Encoding: " + b + b"\r\n"
        cases.append(Case(f"te/two-fields-{k}", _post(body, fields)))
    cl_te = {
        "cl-then-te": b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n",
        "te-then-cl": b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n",
        "te-then-cl0": b"Transfer-Encoding: chunked\r\nContent-Length: 0\r\n",
        "te-identity-cl": b"Transfer-Encoding: identity\r\nContent-Length: 5\r\n",
    }
    cases += [Case(f"te/{k}", _post(body, v)) for k, v in cl_te.items()]
    cases += [
        Case("te/http10", _post(body, b"Transfer-Encoding: chunked\r\n", line=b"POST /p HTTP/1.0")),
        Case(
            "te/http10-keep-alive",
            _post(body, b"Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n", line=b"POST /p HTTP/1.0"),
        ),
        Case("te/obs-fold", _post(body, b"Transfer-Encoding:\r\n chunked\r\n")),
        Case("te/space-before-colon", _post(body, b"Transfer-Encoding : chunked\r\n")),
        Case("te/on-get", _get(HOST, b"Transfer-Encoding: chunked\r\n") + body),
    ]
    return cases


def _chunks() -> list[Case]:
    te = b"Transfer-Encoding: chunked\r\n"
    sizes = [
        b"5",
        b"05",
        b"0005",
        b"000000000000000000005",
        b" 5",
        b"5 ",
        b"5\t",
        b"0x5",
        b"+5",
        b"-5",
        b"5;ext",
        b"5;ext=v",
        b"5 ;ext=v",
        b"5; ext=v",
        b"5;ext =v",
        b'5;ext="q v"',
        b'5;ext="a\\"b"',
        b'5;ext="unterminated',
        b"5;ext=v;other",
        b"5;",
        b"5;=v",
        b"5;e\x00",
        b"5;a\rb",
        b"5;a\nb",
        b"5;e\x80",
        b"5\x00",
        b"",
        b"g",
        b"fffffffffffffffff5",
        b"10000000000000005",
        b"5\xff",
    ]
    cases = [Case(f"chunk/size-{_show(s)}", _post(s + b"\r\nhello\r\n0\r\n\r\n" + SMUGGLED, te)) for s in sizes]
    data_ends = {"lf": b"\n", "none": b"", "extra": b"XX\r\n", "cr": b"\r", "sp-crlf": b" \r\n"}
    for k, v in data_ends.items():
        cases.append(Case(f"chunk/data-end-{k}", _post(b"5\r\nhello" + v + b"0\r\n\r\n" + SMUGGLED, te)))
    size_ends = {"lf": b"\n", "cr": b"\r", "crcr": b"\r\r\n"}
    for k, v in size_ends.items():
        cases.append(Case(f"chunk/size-end-{k}", _post(b"5" + v + b"hello\r\n0\r\n\r\n" + SMUGGLED, te)))
    last = {
        "ok": b"0\r\n\r\n",
        "missing-final-crlf": b"0\r\n",
        "zeros": b"000\r\n\r\n",
        "ext": b"0;x=y\r\n\r\n",
        "lf-lf": b"0\n\n",
        "crlf-lf": b"0\r\n\n",
        "bare-cr-end": b"0\r\n\r",
        "trailer": b"0\r\nX-T: v\r\n\r\n",
        "trailer-content-type": b"0\r\nContent-Type: text/plain\r\n\r\n",
        "trailer-obs-fold": b"0\r\nX-T: v\r\n w\r\n\r\n",
        "trailer-no-colon": b"0\r\nX-T\r\n\r\n",
        "trailer-space-before-colon": b"0\r\nX-T : v\r\n\r\n",
        "trailer-nul": b"0\r\nX-T: a\x00b\r\n\r\n",
        "trailer-lf": b"0\r\nX-T: v\n\r\n",
    }
    # RFC 9110 section 6.5.1: fields that frame, route or authenticate must not be sent in trailers.
    for name in (b"Content-Length", b"Transfer-Encoding", b"Host", b"Trailer", b"Connection", b"Authorization"):
        last[f"trailer-{name.decode().lower()}"] = b"0\r\n" + name + b": 5\r\n\r\n"
    for k, v in last.items():
        cases.append(Case(f"chunk/last-{k}", _post(b"5\r\nhello\r\n" + v + SMUGGLED, te)))
    cases += [
        Case("chunk/no-last-chunk", _post(b"5\r\nhello\r\n", te)),
        Case("chunk/data-longer", _post(b"3\r\nhello\r\n0\r\n\r\n" + SMUGGLED, te)),
        Case("chunk/data-shorter", _post(b"7\r\nhello\r\n0\r\n\r\n" + SMUGGLED, te)),
        Case("chunk/several", _post(b"1\r\nh\r\n2\r\nel\r\n2\r\nlo\r\n0\r\n\r\n", te)),
        Case("chunk/smuggled-in-data", _post(b"%x\r\n" % len(SMUGGLED) + SMUGGLED + b"\r\n0\r\n\r\n", te)),
    ]
    return cases


def _expect() -> list[Case]:
    values = [b"100-continue", b"100-Continue", b"100-continue ", b"100-continuex", b"foo", b"", b"100-continue, foo"]
    cases = []
    for v in values:
        field = b"Expect: " + v + b"\r\n"
        cases.append(Case(f"expect/post-{_show(v)}", _post(b"hello", field, b"Content-Length: 5\r\n")))
        cases.append(Case(f"expect/get-{_show(v)}", _get(HOST, field)))
        cases.append(
            Case(
                f"expect/post-1.0-{_show(v)}",
                _post(b"hello", field, b"Content-Length: 5\r\n", line=b"POST /p HTTP/1.0"),
            )
        )
    return cases


def _target_forms() -> list[Case]:
    """absolute-form and its look-alikes (RFC 9112 s3.2.2), and fields the server refuses a second copy of."""
    targets = [
        b"http://a:xyz/",
        b"http:///x",
        b"HTTP://A/",
        b"https://a/",
        b"ftp://a/",
        b"http://a",
        b"http://user@a/",
        b"http://a/?q#f",
        b"http://a:80:80/",
        b"http://[::1]:x/",
        b"//a/b",
        b"/a/../b",
        b"/?",
        b"/a%2fb",
    ]
    cases = [Case(f"form/{_show(t)}", _get(HOST, line=b"GET " + t + b" HTTP/1.1")) for t in targets]
    for name in (b"Content-Type", b"User-Agent", b"Content-Location", b"Max-Forwards", b"Authorization", b"Accept"):
        fields = name + b": a\r\n" + name + b": b\r\n"
        cases.append(Case(f"form/two-{name.decode()}", _get(HOST, fields)))
    return cases


def _bodies() -> list[Case]:
    """What a body can say about itself: content codings (decoded by the server, not by the readers here) and
    upgrades the server declines (RFC 9110 s7.8)."""
    gzipped = gzip.compress(b"hello", mtime=0)
    cases = [
        Case("body/gzip", _post(gzipped, b"Content-Encoding: gzip\r\nContent-Length: %d\r\n" % len(gzipped))),
        Case("body/gzip-broken", _post(b"hello", b"Content-Encoding: gzip\r\nContent-Length: 5\r\n")),
        Case("body/deflate-broken", _post(b"hello", b"Content-Encoding: deflate\r\nContent-Length: 5\r\n")),
        Case("body/coding-unknown", _post(b"hello", b"Content-Encoding: zz\r\nContent-Length: 5\r\n")),
        Case("body/coding-identity", _post(b"hello", b"Content-Encoding: identity\r\nContent-Length: 5\r\n")),
        Case(
            "body/gzip-chunked-broken",
            _post(b"5\r\nhello\r\n0\r\n\r\n", b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
        ),
        Case(
            "body/upgrade-h2c-with-body",
            _post(b"hello", b"Connection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 5\r\n"),
        ),
        Case("body/upgrade-websocket-no-key", _get(HOST, b"Connection: Upgrade\r\nUpgrade: websocket\r\n")),
        Case(
            "body/upgrade-websocket-with-body",
            _post(b"hello", b"Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n"),
        ),
        Case("body/upgrade-without-connection", _get(HOST, b"Upgrade: websocket\r\n")),
    ]
    return cases


def all_cases() -> list[Case]:
    """Every case, in a fixed order; names are unique."""
    cases = _request_line() + _field_lines() + _host() + _content_length() + _transfer_encoding() + _chunks()
    cases += _expect() + _target_forms() + _bodies()
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), [n for n in names if names.count(n) > 1][:5]
    return cases

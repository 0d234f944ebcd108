"""A differential audit of how the server reads requests, against independent HTTP/1.1 parsers.

Every case of differential_cases.py (about 1,500 requests mutated along RFC 9112 sections 2-7 and RFC 9110
sections 5.5-5.6), followed by a pipelined request and the client's EOF, goes to a real server on 127.0.0.1 whose
handler echoes what it saw, answered with a plain ``Response`` (the cached-head fast path), streamed, and without
reading the body (which the server then discards itself): the three must read every case alike.
The same bytes go to h11 and to aiohttp's two request parsers (differential_oracles.py). For each case and reader
the transcripts are compared: which requests were parsed (method, target, version, fields, body, so where each
next request starts) and whether the stream was refused.

Where they differ the RFC decides, not the majority. Every difference is listed in :data:`DIFFERENCES` with the
section that decides it and what the server must do there (which pins our verdict); everywhere else the server
must read exactly what every reader reads. A listed difference that no longer occurs anywhere fails too, so the
table stays true.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from differential_cases import FOLLOW_UP, Case, all_cases
from differential_oracles import ERROR, READERS, Request, Transcript
from differential_server import CASE_TIMEOUT, Outcome, echo_app, plain, send_all, streamed, unread

CASES = all_cases()


@dataclass(frozen=True)
class Difference:
    """Where ``readers`` read cases named like ``pattern`` otherwise than the server, and why the server is right
    (or, for ``deviation``, where it is knowingly not). ``statuses``: what the server answers the case, all
    ``(200,)`` for accepted ones."""

    readers: tuple[str, ...]
    pattern: str
    statuses: tuple[int, ...]
    reason: str
    deviation: bool = False


ALL = ("h11", "aiohttp-py", "aiohttp-c")
H11 = ("h11",)
AIO = ("aiohttp-py", "aiohttp-c")
REFUSED = (400,)

DIFFERENCES = [
    # -- request line ---------------------------------------------------------------------------------------
    Difference(
        ALL,
        r"line/.*t=/a+\.\.\.\((8101|9001)\).*",
        (400, 414, 505),
        "the request line limit (max_request_line 8190, as aiohttp and gunicorn): 414 (RFC 9112 s3), or "
        "400 when the line is refused before its end; readers without that limit read on",
    ),
    Difference(
        ALL,
        r"line/.*v=HTTP/(0\.9|2\.0).*",
        (400, 505),
        "RFC 9112 s2.3 / RFC 9110 s15.6.6: a server may refuse a major version it does not speak with 505 "
        "(400 when the line is broken anyway); the readers take the digits as they come",
    ),
    Difference(
        ("aiohttp-c",),
        r"line/.*v=\(empty\).*",
        (400, 505),
        "a request line without a version is HTTP/0.9's simple request, which HTTP/1.1 servers refuse "
        "(RFC 9112 s2.3: 505 for a major version we do not speak); aiohttp's C parser reads it as 0.9",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"line/.*v=HTTP/1\.2.*",
        REFUSED,
        "RFC 9110 s2.5 says a recipient SHOULD read a higher minor version as the highest it speaks "
        "(1.1); llhttp refuses HTTP/1.2 as an invalid version. Refused and closed: no smuggling, but not "
        "the SHOULD",
        deviation=True,
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"line/m=(get|FOO),.*",
        REFUSED,
        "methods are case-sensitive tokens (RFC 9110 s9.1): 'get' and 'FOO' are methods llhttp does not "
        "know and refuses (400); s9.1's SHOULD is 501, a status difference only (refused and closed "
        "either way). aiohttp's Python parser even upper-cases 'get' into GET",
        deviation=True,
    ),
    Difference(
        ("h11", "aiohttp-c"),
        r"line/m=CONNECT,.*",
        (400, 505),
        "CONNECT takes the authority-form only (RFC 9112 s3.2.3) and the server opens no tunnels: 400; "
        "h11 reads any target, aiohttp's C parser hands the stream over as a tunnel",
    ),
    Difference(
        H11,
        r"line/.*t=(\*|example\.com:80|a|s://\]ufd/:),.*|line/m=.*,t=(\*|example\.com:80|a|s://\]ufd/:)",
        (400, 505),
        "RFC 9112 s3.2: GET takes origin-form or absolute-form; the asterisk-form is for OPTIONS only "
        "(s3.2.4), the authority-form for CONNECT only (s3.2.3), and 'a' or 's://]ufd/:' is neither. h11 "
        "checks only the characters",
    ),
    Difference(
        ("aiohttp-py",),
        r"line/.*t=/\\x80\\xff.*",
        (400, 505),
        "a request-target is ASCII (RFC 9112 s3.2, RFC 3986): obs-text in it is refused, as llhttp and h11 refuse it",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"line/sep-(double-space|space-before-version-twice)",
        (200, 200),
        "RFC 9112 s3: recipients MAY parse the request line on whitespace boundaries; the target and "
        "version read are unambiguous, so no second reader can take another request from it",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"line/leading-(crlf|2crlf|lf|cr)",
        (200, 200),
        "RFC 9112 s2.2: a server SHOULD ignore at least one empty line before the request line (and MAY "
        "take a bare LF as one, and a bare CR as SP)",
    ),
    Difference(
        H11,
        r"line/ends-.*",
        REFUSED,
        "RFC 9112 s2.2: a recipient MAY take a bare LF as a line terminator; the server (llhttp, strict) "
        "refuses it, as a front proxy may not split lines there",
    ),
    # -- field lines ----------------------------------------------------------------------------------------
    Difference(
        H11,
        r"field/(get|post)-(obs-fold.*|leading-space-name|leading-tab-name)|(cl|te)/obs-fold"
        r"|chunk/last-trailer-obs-fold",
        REFUSED,
        "RFC 9112 s5.2: a server MUST either reject obs-fold with 400 or replace it with SP; the server "
        "rejects (a line starting with whitespace after a field is obs-fold), h11 unfolds",
    ),
    Difference(
        H11,
        r"field/value-byte-(0[1-8]|0e|0f|1.|7f)|field/(get|post)-value-(del|ctl)",
        REFUSED,
        "RFC 9110 s5.5: CTLs other than HTAB are invalid in a field value (recipients MAY retain them); "
        "the server refuses them, h11 keeps them",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"field/(get|post)-proxy-connection-close",
        (200,),
        "llhttp honours Proxy-Connection: close; a server may close after any response (RFC 9112 s9.6, "
        "announced with Connection: close), so the pipelined request is not answered",
    ),
    Difference(
        ("aiohttp-c",),
        r"field/(get|post)-upgrade-unknown",
        (200, 200),
        "RFC 9110 s7.8: a server MAY ignore an Upgrade it does not speak and go on with HTTP/1.1; "
        "aiohttp's C parser hands the rest of the stream to the protocol never switched to",
    ),
    Difference(
        ("aiohttp-py",),
        r"field/count-(98|99)\+host",
        (200, 200),
        "99 and 100 fields are within max_headers (100); aiohttp's Python parser counts one more",
    ),
    Difference(
        H11,
        r"field/count-(100|128|129|300)\+host",
        REFUSED,
        "the header count limit (max_headers 100, gunicorn's): 400 as aiohttp answers; h11 has none",
    ),
    Difference(
        ALL,
        r"field/(value|name)-size-(8186|8187|9000|20000)",
        REFUSED,
        "the field size limit (max_field_size 8190, counting ': ' and CRLF as gunicorn does): 400; "
        "aiohttp counts the line without them, h11 has no such limit",
    ),
    # -- Host -----------------------------------------------------------------------------------------------
    Difference(
        ALL,
        r"host/value-(a\\x20b|a/b|a@b|a:b:c|a:port|\[::1|a\?b|a#b|a\\x5cb|a\"b)",
        REFUSED,
        "RFC 9112 s3.2: a server MUST answer 400 to a Host field with an invalid value (Host = uri-host "
        "[':' port], RFC 9110 s7.2); no reader checks it, and a proxy and an application may each take "
        "another authority from such a value",
    ),
    # -- target forms and singletons ---------------------------------------------------------------------------
    Difference(
        H11,
        r"form/http(://a:xyz/|:///x|://a:80:80/|://\[::1\]:x/)",
        REFUSED,
        "RFC 9112 s3.2.2: the absolute-form is an absolute-URI, whose port is digits (RFC 3986 s3.2.3), and an "
        "http URI with an empty host MUST be rejected as invalid (RFC 9110 s4.2.1); h11 checks characters only",
    ),
    Difference(
        H11,
        r"form/two-(Content-Type|User-Agent|Content-Location|Max-Forwards)",
        REFUSED,
        "RFC 9110 s5.3: a field that is not a list MUST NOT be sent twice, and two copies can be read two ways: "
        "refused, as aiohttp's parsers refuse them (its SINGLETON_HEADERS); h11 keeps both",
    ),
    # -- content codings and upgrades ---------------------------------------------------------------------------
    Difference(
        H11,
        r"body/gzip",
        (200, 200),
        "the server decodes a request's content coding, as aiohttp.web does (auto_decompress); h11 does not",
    ),
    Difference(
        ("h11", "aiohttp-c"),
        r"body/(gzip|deflate|gzip-chunked)-broken",
        REFUSED,
        "a body that does not decode under its Content-Encoding is refused (RFC 9110 s8.4: the coding is part "
        "of the content); h11 does not decode, aiohttp's C parser leaves the payload unfinished",
    ),
    Difference(
        AIO,
        r"body/upgrade-(h2c-with-body|websocket-no-key|websocket-with-body)",
        (200, 200),
        "RFC 9110 s7.8: the protocol switches only with a 101; answered otherwise, the connection stays HTTP/1.1 "
        "and the next request is read, as aiohttp's server does. Its parsers stop at every Upgrade",
    ),
    # -- Content-Length ---------------------------------------------------------------------------------------
    Difference(
        H11,
        r"cl/(value-5,5|value-5,\\x205|dup-equal|dup-cases)",
        REFUSED,
        "RFC 9110 s8.6: a recipient MAY either reject a list of identical Content-Length values or "
        "replace it with one; the server (llhttp) rejects, h11 merges",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"cl/(value-0|short-body|none-body-follows)",
        (200, 400),
        "the case itself is read alike; the bytes after it start with 'helloGET' or 'T', tokens that "
        "llhttp does not know as methods (see line/m=FOO): 400 for that second request",
    ),
    Difference(
        ALL,
        r"cl/(value-4294967301|over-client-max-size)",
        (413,),
        "a Content-Length over client_max_size is refused before the body (413, RFC 9110 s15.5.14)",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"cl/value-(18446744073709551621|9{26})",
        REFUSED,
        "RFC 9110 s8.6: a recipient MUST anticipate large numerals and prevent overflow; refused",
    ),
    Difference(
        H11,
        r"cl/http10-keep-alive",
        (200, 200),
        "HTTP/1.0 with Connection: keep-alive stays open (RFC 9112 s9.3, Appendix C.2.2); h11 never keeps "
        "an HTTP/1.0 connection",
    ),
    # -- Transfer-Encoding ------------------------------------------------------------------------------------
    Difference(
        AIO,
        r"te/value-(identity,\\x20chunked|gzip,\\x20chunked)",
        (501,),
        "RFC 9112 s6.1: a server SHOULD answer 501 to a transfer coding it does not implement; aiohttp "
        "decodes only chunked and ignores the rest",
    ),
    Difference(
        AIO,
        r"te/value-,chunked",
        REFUSED,
        "RFC 9110 s5.6.1.2 has recipients ignore empty list elements, but an oddly spelled coding list is "
        "where front proxies and servers disagree on chunked: refused, as h11 and nginx refuse it",
        deviation=True,
    ),
    Difference(
        ("aiohttp-py",),
        r"te/value-chunked,\\x20chunked",
        REFUSED,
        "RFC 9112 s6.1: chunked MUST NOT be applied more than once: the framing is invalid (400)",
    ),
    Difference(
        ("aiohttp-c",),
        r"te/value-\(empty\)",
        REFUSED,
        "RFC 9112 s6.3: a request whose Transfer-Encoding does not end in chunked has no reliable length: "
        "the server MUST answer 400 and close; aiohttp's C parser reads no body",
    ),
    Difference(
        H11,
        r"te/(cl-then-te|te-then-cl|te-then-cl0)",
        REFUSED,
        "RFC 9112 s6.3: a request with both Transfer-Encoding and Content-Length MAY be rejected, and the "
        "connection MUST be closed after it; the server rejects, h11 reads it as chunked and goes on",
    ),
    Difference(
        ALL,
        r"te/http10(-keep-alive)?",
        REFUSED,
        "RFC 9112 s6.1: a server MUST treat an HTTP/1.0 message with Transfer-Encoding as faulty framing "
        "and close; the readers decode it",
    ),
    # -- chunked bodies ---------------------------------------------------------------------------------------
    Difference(
        H11,
        r"chunk/size-0{20}5",
        (200, 200, 200),
        "chunk-size is 1*HEXDIG (RFC 9112 s7.1): leading zeros are allowed; h11 caps the digits",
    ),
    Difference(
        H11,
        r"chunk/size-5(\\x20|\\x09)",
        REFUSED,
        "RFC 9112 s7.1: nothing but a chunk-ext may follow the size; h11 allows whitespace",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"chunk/size-5;(\\x20ext=v|ext\\x20=v)",
        REFUSED,
        "RFC 9112 s7.1.1 allows BWS around ';' and '=' in a chunk-ext (a recipient MUST parse it, RFC "
        "9110 s5.6.3); llhttp refuses it. Refused and closed: no smuggling, but not the MUST",
        deviation=True,
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r'chunk/size-5;(ext="unterminated|e\\x00|a\\x0db|e\\x80|)',
        REFUSED,
        "RFC 9112 s7.1.1: a chunk-ext is token [= token / quoted-string]; these are neither (and a bare "
        "CR is never valid, s2.2). The readers skip the extension to the line end",
    ),
    Difference(
        ("h11", "aiohttp-py"),
        r"chunk/size-(f{17}5|10000000000000005)",
        REFUSED,
        "RFC 9112 s7.1: a recipient MUST anticipate large hexadecimal numerals and prevent overflow",
    ),
    Difference(
        H11,
        r"chunk/last-(crlf-lf|trailer-lf)",
        REFUSED,
        "RFC 9112 s2.2: a bare LF MAY be taken as a line end; the server (llhttp) refuses it",
    ),
    Difference(
        ("aiohttp-c",),
        r"chunk/last-trailer(-content-type)?",
        (200, 200, 200),
        "trailer fields end with the message; aiohttp's C parser adds them to the next request's headers",
    ),
    Difference(
        ALL,
        r"chunk/last-trailer-(content-length|transfer-encoding|host|trailer|connection|authorization)",
        REFUSED,
        "RFC 9110 s6.5.1: framing, routing and authentication fields are not allowed in trailers; the "
        "server refuses them (a proxy merging them would smuggle), the readers drop or merge them",
    ),
    # -- Expect -----------------------------------------------------------------------------------------------
    Difference(
        ALL,
        r"expect/(post|get)-(100-continuex|foo|100-continue,\\x20foo)",
        (417,),
        "RFC 9110 s10.1.1: a server MAY answer 417 to an expectation other than 100-continue; a parser "
        "does not read Expect",
    ),
]


# Every answer the corpus may get: the echo, the refusals of malformed or over-limit requests (RFC 9110 s15.5),
# 417, and 501/505 for a transfer coding or a major version the server does not implement. Never a 500.
ANSWERS = {200, 400, 413, 414, 417, 431, 501, 505}


def _difference(reader: str, case: Case) -> Difference | None:
    for difference in DIFFERENCES:
        if reader in difference.readers and re.fullmatch(difference.pattern, case.name):
            return difference
    return None


def _h11_view(transcript: Transcript) -> Transcript:
    """The transcript as h11 reports it: h11 lower-cases Transfer-Encoding's value (RFC 9112 s7: codings are
    case-insensitive)."""

    def request(r: Request) -> Request:
        fields = tuple((n, v.lower() if n == b"transfer-encoding" else v) for n, v in r.headers)
        return Request(r.method, r.target, r.version, fields, r.body)

    return Transcript(tuple(request(r) for r in transcript.requests), transcript.end)


def _key(transcript: Transcript) -> tuple[object, bool]:
    return transcript.requests, transcript.end == ERROR


def _answers_as_listed(statuses: tuple[int, ...], listed: tuple[int, ...]) -> bool:
    """An accepted case's answers are exactly ``listed``; a refused one gets one answer, one of ``listed``."""
    if listed[0] == 200:
        return statuses == listed
    return len(statuses) == 1 and statuses[0] in listed


# What the server did with the corpus, per handler: plain data, kept for the tests after the first that needs it.
_OUTCOMES: dict[object, dict[str, Outcome]] = {}


async def _run_server(make_server: object, handler: object) -> dict[str, Outcome]:
    if handler not in _OUTCOMES:
        server = await make_server(echo_app(handler), header_timeout=5.0)  # type: ignore[operator]
        _OUTCOMES[handler] = await send_all(server.port, {case.name: case.raw + FOLLOW_UP for case in CASES})
    return _OUTCOMES[handler]


def test_the_deviations_from_the_rfcs_are_known():
    """Where the server is stricter than the RFCs, or answers another status than they ask (each refuses and
    closes: no smuggling); each is llhttp's strict mode or a refusal kept on purpose, see its row."""
    assert sorted(d.pattern for d in DIFFERENCES if d.deviation) == [
        r"chunk/size-5;(\\x20ext=v|ext\\x20=v)",
        r"line/.*v=HTTP/1\.2.*",
        r"line/m=(get|FOO),.*",
        r"te/value-,chunked",
    ]


def test_the_corpus_is_bounded_and_covers_every_axis():
    assert 1000 <= len(CASES) <= 3000
    assert {case.axis for case in CASES} == {"line", "field", "host", "cl", "te", "chunk", "expect", "form", "body"}


async def test_the_server_reads_requests_as_the_independent_parsers_do(make_server):
    loop = asyncio.get_running_loop()
    ours = await _run_server(make_server, plain)
    readers = {name: {case.name: read(case.raw + FOLLOW_UP, loop) for case in CASES} for name, read in READERS.items()}
    problems = []
    used = set()
    for case in CASES:
        outcome = ours[case.name]
        if not outcome.closed:
            problems.append(f"{case.name}: still open {CASE_TIMEOUT}s after the client's EOF")
        refusals = [status for status in outcome.statuses if status != 200]
        if refusals and (len(refusals) > 1 or outcome.statuses[-1] == 200):
            problems.append(f"{case.name}: answered after a refusal {outcome.statuses}")  # smuggling
        if not set(outcome.statuses) <= ANSWERS:
            problems.append(f"{case.name}: answered {outcome.statuses}")
        for reader, transcripts in readers.items():
            theirs = transcripts[case.name]
            mine = _h11_view(outcome.transcript) if reader == "h11" else outcome.transcript
            difference = _difference(reader, case)
            if difference is None:
                if _key(mine) != _key(theirs):
                    problems.append(f"{case.name}: ours {outcome.brief()}\n    {reader} {theirs.brief()}")
                continue
            if _key(mine) == _key(theirs):
                continue  # the rule is for the cases of its pattern that differ
            used.add(difference.pattern)
            if not _answers_as_listed(outcome.statuses, difference.statuses):
                problems.append(f"{case.name}: ours {outcome.brief()}, the table says {difference.statuses}")
    unused = [d.pattern for d in DIFFERENCES if d.pattern not in used and set(d.readers) & set(READERS)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
    assert not unused, f"differences that match no case: {unused}"


async def test_the_streamed_answer_reads_every_case_as_the_fast_path(make_server):
    """The cached-head fast path of a plain Response and a streamed response change no verdict. A streamed
    answer to HTTP/1.0 has no length, so it ends the connection (RFC 9112 s6.3): the pipelined request after it
    goes unanswered there."""
    fast = await _run_server(make_server, plain)
    slow = await _run_server(make_server, streamed)
    problems = []
    for case in CASES:
        a, b = fast[case.name], slow[case.name]
        if a.transcript.requests[:1] and a.transcript.requests[0].version == "1.0":
            a = Outcome(a.statuses[:1], Transcript(a.transcript.requests[:1], a.transcript.end), a.closed)
            b = Outcome(b.statuses[:1], Transcript(b.transcript.requests[:1], a.transcript.end), b.closed)
        if (a.statuses, a.transcript) != (b.statuses, b.transcript):
            problems.append(f"{case.name}: plain {a.brief()}\n    streamed {b.brief()}")
    assert not problems, "\n".join(problems[:40])


# What only a read of the body finds: a body that does not decode (RFC 9110 s8.4), and one over the application's
# client_max_size, which aiohttp.web enforces on read (413) and a handler that does not read never meets.
READ_ONLY = r"body/.*-broken|cl/(value-4294967301|over-client-max-size)"


def _without_bodies(outcome: Outcome) -> Outcome:
    requests = tuple(Request(r.method, r.target, r.version, r.headers, b"") for r in outcome.transcript.requests)
    return Outcome(outcome.statuses, Transcript(requests, outcome.transcript.end), outcome.closed)


async def test_a_body_left_unread_ends_where_a_read_one_does(make_server):
    """A handler that answers without reading the body leaves it to the server, which discards it (up to
    max_drain) and reads the next request where the body ends: the same requests follow as when the handler
    reads it, and a body whose framing is broken is refused alike (see READ_ONLY for what only a read finds)."""
    read = await _run_server(make_server, plain)
    left = await _run_server(make_server, unread)
    problems = []
    for case in CASES:
        a, b = _without_bodies(read[case.name]), left[case.name]
        if (a.statuses, a.transcript) != (b.statuses, b.transcript) and not re.fullmatch(READ_ONLY, case.name):
            problems.append(f"{case.name}: read {a.brief()}\n    unread {b.brief()}")
    assert not problems, "\n".join(problems[:40])

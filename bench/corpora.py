"""Replay the public request corpora in ../shared/corpora against a running prefork server and compare.

    python bench/corpora.py [--corpora DIR] [-v]

* gunicorn's tests/requests/{valid,invalid}: every invalid file must be rejected (a 4xx/5xx answer or a close
  without a 2xx) and every valid file accepted with the expected method, target, version, headers and body. The
  server runs with gunicorn's default limits (request line 4094, which the corpus is written against; ours is
  8190). Files whose expectation depends on a gunicorn setting (``cfg.set``) are counted apart: the limits we
  share are mapped onto ours, the others are reported as not applicable.
* HTTP/1.1 files without any Host field are replayed with ``Host: corpus.example`` added after the first request
  line (and that field left out of the comparison): without it each is a 400 (RFC 9112 section 3.2), which would hide
  the rule the file is about. tests/corpus/host checks the missing Host itself.
* A valid request we reject on purpose (HTTP/1.1 without Host, CONNECT, HTTP/0.9, a method llhttp does not know,
  raw non-ASCII in the target) is counted as "rejected by design"; -v says which rule.
* llhttp's test/request/*.md: the strict-mode cases (meta type "request"): an ``error`` in the expected log must be
  rejected, any other case accepted. Lenient-mode cases need parser flags we keep off, and are skipped.

The corpora are read where they are, never copied. The server is the echo app of tests/corpus/hostile.py, so a
reply shows what the server parsed. Prints one line per disagreement and a summary table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
sys.path.insert(0, str(ROOT / "tests"))  # http_client, the shared test kit
sys.path.append(str(ROOT))  # after PYTHONPATH, so a patched copy of server/ can be replayed

from hostile import echo_app  # noqa: E402
from http_client import RawConnection  # noqa: E402

# gunicorn settings with an equivalent of ours; 0 means "no limit" there.
SETTINGS = {"limit_request_line": "max_request_line", "limit_request_fields": "max_headers",
            "limit_request_field_size": "max_field_size"}  # fmt: skip
# gunicorn's corpus is written against gunicorn's default limits; ours differ only in the request line (8190).
GUNICORN_DEFAULTS = {"max_request_line": 4094, "max_headers": 100, "max_field_size": 8190}
# Rejections of requests another parser accepts, which are our rules on purpose (see server/protocol.py).
BY_DESIGN = {
    "More than one Host": "more than one Host (RFC 9112 section 3.2)",
    "requires a Host": "HTTP/1.1 without Host (RFC 9112 section 3.2: a server MUST answer 400)",
    "CONNECT is not supported": "CONNECT is not served",
    "HTTP Version Not Supported": "HTTP/0.9 is refused",
    "Invalid method encountered": "a method outside llhttp's table",
    "Invalid char in url path": "raw non-ASCII in the target (RFC 3986: percent-encode it)",
    "Content-Length can't be present with Transfer-Encoding": "Content-Length with Transfer-Encoding (smuggling)",
    "Upgrade with a request body": "an upgrade we do not speak, with a body to skip",
    "Pause on PRI/Upgrade": "the HTTP/2 preface on an HTTP/1.1 port",
    "is not implemented": "a transfer coding other than chunked: 501, as RFC 9112 section 6.1 advises",
    "asterisk-form is only for OPTIONS": "the asterisk-form for a method other than OPTIONS (RFC 9112 section 3.2.4)",
}
HEADER_TIMEOUT = 1.0
# Many corpus files are HTTP/1.1 without Host, which we answer 400 (RFC 9112 section 3.2). That would hide the rule
# each file is about, so such a file is replayed with this field after the first request line (see with_host).
ADDED_HOST = b"Host: corpus.example\r\n"
_REQUEST_LINE_11 = re.compile(rb"(?:\r\n)*(?!PRI )[!-~]+ [^ \r\n]+ HTTP/1\.1\r\n(?![ \t])")


@dataclass
class Case:
    source: str
    name: str
    raw: bytes
    expect_ok: bool
    expected: list[dict[str, Any]] = field(default_factory=list)  # parsed requests, when expect_ok
    error: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    host_added: bool = False

    def __post_init__(self) -> None:
        raw = with_host(self.raw)
        if raw is not None:
            self.raw, self.host_added = raw, True


def with_host(raw: bytes) -> bytes | None:
    """``raw`` with ``ADDED_HOST`` after its first line, when that is an HTTP/1.1 request line and ``raw`` has no
    Host field at all; else None. Only the first: a request line further on may be body bytes. Not for the HTTP/2
    preface, nor before whitespace that a case puts after the request line on purpose."""
    m = _REQUEST_LINE_11.match(raw)
    if m is None or re.search(rb"(?im)^host[ \t]*:", raw):
        return None
    return raw[: m.end()] + ADDED_HOST + raw[m.end() :]


# -- gunicorn ---------------------------------------------------------------------------------------------------

_GUNICORN_ESCAPES = re.compile(rb"\\(r\\n|0|n|t|x[0-9a-fA-F]{2})")


def gunicorn_bytes(text: bytes) -> bytes:
    """gunicorn's wrapping: real newlines dropped; \\r\\n, \\0, \\n, \\t and \\xHH are those bytes."""
    text = text.replace(b"\n", b"")

    def sub(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        if code == b"r\\n":
            return b"\r\n"
        if code[:1] == b"x":
            return bytes([int(code[1:], 16)])
        return {b"0": b"\0", b"n": b"\n", b"t": b"\t"}[code]

    return _GUNICORN_ESCAPES.sub(sub, text)


class _Names(dict):
    """exec namespace: any unknown name (an error class) evaluates to its own name."""

    def __missing__(self, key: str) -> Any:
        if key in ("__builtins__",):
            raise KeyError(key)
        return key


class _Config:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set(self, name: str, value: Any) -> None:
        self.values[name] = value


def load_gunicorn(root: Path) -> list[Case]:
    cases = []
    for kind in ("valid", "invalid"):
        for http in sorted((root / kind).glob("*.http")):
            spec = http.with_suffix(".py")
            source = "\n".join(
                line for line in spec.read_text().splitlines() if not line.startswith(("from ", "import "))
            )
            names = _Names(uri=lambda s: s, Config=_Config)
            exec(compile(source, str(spec), "exec"), {"__builtins__": __builtins__}, names)
            cfg = names.get("cfg")
            settings, unsupported = dict(GUNICORN_DEFAULTS), []
            for key, value in (cfg.values if isinstance(cfg, _Config) else {}).items():
                if key in SETTINGS and value:
                    settings[SETTINGS[key]] = value
                else:
                    unsupported.append(f"{key}={value!r}")
            request = names["request"]
            case = Case("gunicorn-" + kind, http.stem, gunicorn_bytes(http.read_bytes()), kind == "valid")
            case.settings, case.unsupported = settings, unsupported
            if kind == "valid":
                case.expected = request if isinstance(request, list) else [request]
            else:
                case.error = str(request)
            cases.append(case)
    return cases


# -- llhttp -----------------------------------------------------------------------------------------------------

_BLOCK = re.compile(r"<!-- meta=(\{.*?\}) -->\s*```http\n(.*?)```\s*```log\n(.*?)```", re.S)
_LLHTTP_ESCAPES = re.compile(rb"\\(r|n|t|f|x[0-9a-fA-F]{2}|[0-7]{1,3}|\\)")


def llhttp_bytes(text: str) -> bytes:
    """llhttp's md tests: each line ends in CRLF; \\r, \\n, \\t, \\f, \\xHH and octal escapes are those bytes."""
    raw = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")

    def sub(m: re.Match[bytes]) -> bytes:
        code = m.group(1)
        simple = {b"r": b"\r", b"n": b"\n", b"t": b"\t", b"f": b"\f", b"\\": b"\\"}
        if code in simple:
            return simple[code]
        if code[:1] == b"x":
            return bytes([int(code[1:], 16)])
        return bytes([int(code, 8) & 0xFF])

    return _LLHTTP_ESCAPES.sub(sub, raw)


def load_llhttp(root: Path) -> tuple[list[Case], int]:
    cases, skipped = [], 0
    for md in sorted(root.glob("*.md")):
        text = md.read_text("utf-8")
        titles = [(m.start(), m.group(1)) for m in re.finditer(r"^#+ (.*)$", text, re.M)]
        for i, m in enumerate(_BLOCK.finditer(text)):
            meta = json.loads(m.group(1))
            if meta.get("type") != "request" or "pause" in meta:
                skipped += 1
                continue
            title = next((t for pos, t in reversed(titles) if pos < m.start()), f"#{i}")
            log = m.group(3)
            # A pause on upgrade is llhttp handing over the connection, not an error of the request.
            error = next((line for line in log.splitlines() if " error code=" in line and "Pause on" not in line), "")
            messages = log.count("message complete")
            case = Case("llhttp", f"{md.stem}: {title}", llhttp_bytes(m.group(2)), not error, error=error)
            case.expected = [{}] * max(messages, 1)
            cases.append(case)
    return cases, skipped


# -- replay -----------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    statuses: list[int]
    bodies: list[bytes]
    closed: bool

    @property
    def accepted(self) -> bool:
        return bool(self.statuses) and all(200 <= s < 300 for s in self.statuses)

    def reason(self) -> str:
        bad = [b for s, b in zip(self.statuses, self.bodies, strict=True) if s >= 400]
        if bad:
            return bad[0].decode("latin-1")[:70]
        return "closed without an answer" if self.closed and not self.statuses else "no answer"


async def replay(port: int, case: Case) -> Outcome:
    conn = await RawConnection.open(port)
    try:
        conn.write(case.raw)
        want = len(case.expected) if case.expect_ok else 1
        # Answers to HEAD carry no body: the reader is told each request's method, in order. A rejection always
        # has a body, so a file expected to be rejected is read as GETs.
        found = [m.decode() for m in re.findall(rb"(?m)^([A-Z]+) [^ \r\n]+ HTTP/", case.raw)]
        methods: str | list[str] = found if case.expect_ok and found else "GET"
        responses = await conn.responses(want, timeout=HEADER_TIMEOUT + 1.0, methods=methods)
        if not case.expect_ok or len(responses) < want:
            await conn.wait_closed(HEADER_TIMEOUT + 1.0)
            responses = await conn.responses(want, timeout=0, methods=methods)
        return Outcome([r.status for r in responses], [r.body for r in responses], conn.closed)
    finally:
        conn.close()


def _truncated(raw: bytes) -> bool:
    """The file's body is shorter than its Content-Length: no server can answer it whole."""
    head, _, body = raw.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return m is not None and int(m.group(1)) > len(body)


def field_diffs(expected: dict[str, Any], body: bytes, host_added: bool = False) -> list[str]:
    try:
        got = json.loads(body)
    except ValueError:
        return [f"not the echo app's answer: {body[:60]!r}"]
    diffs = []
    if expected.get("method") not in (None, got["method"]):
        diffs.append(f"method {got['method']!r} != {expected['method']!r}")
    if expected.get("uri") not in (None, got["target"]):
        diffs.append(f"target {got['target']!r} != {expected['uri']!r}")
    if "version" in expected and tuple(got["version"]) != tuple(expected["version"]):
        diffs.append(f"version {got['version']} != {expected['version']}")
    if "headers" in expected:
        want = [(k.upper(), v) for k, v in expected["headers"]]
        # gunicorn drops header names with '_' (its header_map setting, against WSGI environ confusion); we keep
        # them, as aiohttp does: there is no environ to confuse.
        have = [(k.upper(), v) for k, v in got["headers"] if "_" not in k]
        if host_added:
            have = [h for h in have if h != ("HOST", ADDED_HOST[6:-2].decode())]
        if want != have:
            diffs.append(f"headers {have} != {want}")
    want_body = expected.get("body")
    if isinstance(want_body, str):
        want_body = want_body.encode("latin-1")
    if want_body is not None and got["body"].encode("latin-1") != want_body:
        diffs.append(f"body {got['body'][:40]!r} != {expected['body'][:40]!r}")
    return diffs


async def run(corpora: Path, verbose: bool) -> int:
    from web.pytest_plugin import TestServer

    gunicorn = load_gunicorn(corpora / "gunicorn-requests")
    llhttp, llhttp_skipped = load_llhttp(corpora / "llhttp-request-tests")
    servers: dict[str, Any] = {}
    rows: dict[str, dict[str, int]] = {}
    problems = 0

    def count(group: str, key: str) -> None:
        rows.setdefault(group, {}).setdefault(key, 0)
        rows[group][key] += 1

    hosts_added = 0
    try:
        for case in gunicorn + llhttp:
            hosts_added += case.host_added
            if case.unsupported:
                count(f"{case.source} (gunicorn-only settings)", "not applicable")
                continue
            key = json.dumps(case.settings, sort_keys=True)
            if key not in servers:
                servers[key] = await TestServer(echo_app(), header_timeout=HEADER_TIMEOUT, **case.settings).start()
            outcome = await replay(servers[key].port, case)
            mapped = case.settings and case.settings != GUNICORN_DEFAULTS
            group = case.source + (" (mapped settings)" if mapped else "")
            if not case.expect_ok:
                count(group, "rejected" if not outcome.accepted else "ACCEPTED")
                if outcome.accepted:
                    problems += 1
                    print(f"ACCEPTED {case.source}/{case.name} (expected {case.error})")
                elif verbose:
                    print(f"rejected {case.source}/{case.name}: {outcome.reason()}")
                continue
            if not outcome.accepted or len(outcome.statuses) < len(case.expected):
                reason = outcome.reason()
                design = next((why for key, why in BY_DESIGN.items() if key in reason), None)
                if design is not None:
                    count(group, "rejected by design")
                    if verbose:
                        print(f"by design {case.source}/{case.name}: {design}")
                    continue
                if not outcome.statuses and _truncated(case.raw):
                    count(group, "truncated in the corpus")
                    continue
                count(group, "REJECTED")
                problems += 1
                print(f"REJECTED {case.source}/{case.name}: {outcome.statuses} {outcome.reason()}")
                continue
            diffs = [
                d
                for exp, body in zip(case.expected, outcome.bodies, strict=False)
                for d in field_diffs(exp, body, case.host_added)
            ]
            count(group, "accepted, fields differ" if diffs else "accepted")
            if diffs:
                problems += 1
                print(f"FIELDS   {case.source}/{case.name}: {'; '.join(diffs)}")
    finally:
        for server in servers.values():
            await server.close()

    print()
    print(f"{'corpus':42} {'files':>5}  outcome")
    for group, counts in sorted(rows.items()):
        total = sum(counts.values())
        print(f"{group:42} {total:5}  " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    print(
        f"{'llhttp (lenient-mode, pause, finish tests)':42} {llhttp_skipped:5}  skipped: need parser flags we keep off"
    )
    print(
        f"{hosts_added} HTTP/1.1 files without Host were replayed with {ADDED_HOST.decode().strip()!r} after the "
        "request line: without it they are a 400 (RFC 9112 section 3.2), whatever else they test"
    )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print why each rejection was rejected")
    args = parser.parse_args()
    import uvloop

    problems = uvloop.run(run(args.corpora, args.verbose))
    print(f"\n{problems} disagreement(s)")


if __name__ == "__main__":
    main()

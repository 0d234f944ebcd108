"""Header injection: a handler putting CR or LF into a header name or value, a cookie or a reason phrase gets an
exception, and not one byte of the forged response reaches the client (RFC 9110 section 5.5, response splitting)."""

from __future__ import annotations

import logging

import pytest
from http_client import RawConnection

from server.writer import HeaderInjectionError, encode_head, status_line
from web import Application, Response, StreamResponse

GET = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
# Bare CR and bare LF count as well as CRLF: some clients split header lines on either.
BREAKS = ["\r\n", "\n", "\r"]
FORGED = "Injected: yes"


def _app(handler) -> Application:
    app = Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


async def _get(port: int) -> tuple[bytes, bool]:
    conn = await RawConnection.open(port)
    try:
        conn.write(GET)
        await conn.responses(1, timeout=3.0)
        return bytes(conn.data), conn.closed
    finally:
        conn.close()


def _no_forged_line(data: bytes) -> None:
    head = data.partition(b"\r\n\r\n")[0]
    for line in head.replace(b"\r", b"\n").split(b"\n"):
        assert not line.lower().startswith(b"injected"), data
        assert b"evil" not in line, data


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("where", ["value", "name"])
def test_encode_head_refuses_a_line_break_anywhere(brk, where):
    field = ("X-A", f"a{brk}{FORGED}") if where == "value" else (f"X-A{brk}{FORGED}", "a")
    with pytest.raises(HeaderInjectionError):
        encode_head(status_line(200), [("Content-Length", "0"), field])


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
def test_status_line_refuses_a_line_break_in_the_reason(brk):
    with pytest.raises(HeaderInjectionError):
        status_line(200, f"OK{brk}{FORGED}")


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("where", ["value", "name"])
async def test_returned_response_with_a_forged_header_becomes_a_500(make_server, caplog, brk, where):
    async def handler(request):
        response = Response(text="hello")
        if where == "value":
            response.headers["X-A"] = f"a{brk}{FORGED}"
        else:
            response.headers[f"X-A{brk}{FORGED}"] = "a"
        return response

    server = await make_server(_app(handler))
    with caplog.at_level(logging.ERROR):
        data, _ = await _get(server.port)
    assert data.startswith(b"HTTP/1.1 500 "), data
    assert b"hello" not in data
    _no_forged_line(data)
    assert any("HeaderInjectionError" in (r.exc_text or "") or r.exc_info for r in caplog.records)


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
async def test_prepare_raises_in_the_handler_and_sends_nothing(make_server, brk):
    seen: list[BaseException] = []

    async def handler(request):
        response = StreamResponse()
        response.headers["X-A"] = f"a{brk}{FORGED}"
        try:
            await response.prepare(request)
        except ValueError as exc:
            seen.append(exc)
            return Response(text="refused")
        return response

    server = await make_server(_app(handler))
    data, _ = await _get(server.port)
    assert len(seen) == 1 and isinstance(seen[0], HeaderInjectionError)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"refused"), data
    _no_forged_line(data)


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
async def test_reason_with_a_line_break_raises_in_the_handler(make_server, brk):
    seen: list[BaseException] = []

    async def handler(request):
        try:
            return Response(text="x", reason=f"OK{brk}{FORGED}")
        except ValueError as exc:
            seen.append(exc)
        response = Response(text="x")
        try:
            response.set_status(200, f"OK{brk}{FORGED}")
        except ValueError as exc:
            seen.append(exc)
        return Response(text="refused")

    server = await make_server(_app(handler))
    data, _ = await _get(server.port)
    assert len(seen) == 2
    assert data.endswith(b"refused")
    _no_forged_line(data)


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("part", ["name", "value", "path", "domain", "expires", "samesite"])
async def test_cookie_with_a_line_break_raises_when_set(make_server, brk, part):
    """Every part of a cookie is checked by ``set_cookie`` itself, where the handler can still catch it."""
    outcome: list[str] = []

    async def handler(request):
        response = Response(text="body")
        kwargs = {"name": "c", "value": "v"}
        kwargs[part] = f"x{brk}{FORGED}; evil=1"
        try:
            response.set_cookie(kwargs.pop("name"), kwargs.pop("value"), **kwargs)
        except ValueError as exc:  # CookieError is a ValueError too
            outcome.append(type(exc).__name__)
            return Response(text="refused")
        outcome.append("accepted")
        return response

    server = await make_server(_app(handler))
    data, _ = await _get(server.port)
    _no_forged_line(data)
    assert outcome, "the handler did not run"
    assert outcome != ["accepted"], "set_cookie took a line break"
    assert data.endswith(b"refused")


@pytest.mark.parametrize("brk", BREAKS, ids=["crlf", "lf", "cr"])
async def test_content_type_and_charset_with_a_line_break_raise(make_server, brk):
    seen: list[str] = []

    async def handler(request):
        for kwargs in ({"content_type": f"text/plain{brk}{FORGED}"}, {"charset": f"utf-8{brk}{FORGED}"}):
            try:
                Response(text="x", **kwargs)
                seen.append("accepted")
            except (ValueError, LookupError):  # a charset with a line break is not a codec either
                seen.append("raised")
        response = Response(text="x")
        for attr, value in (("content_type", f"text/plain{brk}{FORGED}"), ("charset", f"utf-8{brk}{FORGED}")):
            try:
                setattr(response, attr, value)
                await response.prepare(request)
                seen.append("sent")
            except ValueError:
                seen.append("raised")
        return Response(text="done")

    server = await make_server(_app(handler))
    data, _ = await _get(server.port)
    _no_forged_line(data)
    assert seen == ["raised"] * 4, seen

"""web/forms.py: ``Request.post()`` through a real server, with aiohttp's client and raw sockets."""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import pytest
from hypothesis import given
from hypothesis import strategies as st

from web import Application, Response
from web.forms import (
    FieldTooLarge,
    FileField,
    FormLimits,
    MalformedForm,
    TooManyFields,
    parse_urlencoded,
)

EVERY_BYTE = bytes(range(256))
BOUNDARY = "----prefork-test-boundary"


def open_fds_under(directory: Path) -> list[str]:
    """Files of this process (the server runs in it) that live, or lived before unlinking, under ``directory``."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            found.append(target)
    return found


async def serve(make_server: Any, handler: Callable[[Any], Awaitable[Any]], **app_kwargs: Any) -> Any:
    app = Application(**app_kwargs)
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        app.router.add_route(method, "/", handler)
    return await make_server(app)


async def echo_form(request: Any) -> Response:
    """Answer with the parsed form as text: one ``name=value`` line per field, files summarised."""
    form = await request.post()
    assert request.POST is form and await request.post() is form  # stored, as the aiohttp 0.14 API says
    lines = []
    for name, value in form.items():
        if isinstance(value, FileField):
            data = value.file.read()
            lines.append(f"{name}=file:{value.filename}:{value.content_type}:{len(data)}:{data == EVERY_BYTE * 64}")
        else:
            lines.append(f"{name}={value}")
    return Response(text="\n".join(lines))


async def raw(server: Any, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")),
            0,
        )
        body = await reader.readexactly(length)
        return status, body
    finally:
        writer.close()
        await writer.wait_closed()


def multipart_request(body: bytes, *, boundary: str = BOUNDARY, path: str = "/") -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def multipart_body(*parts: tuple[str, bytes], boundary: str = BOUNDARY, close: bool = True) -> bytes:
    out = b""
    for head, data in parts:
        out += f"--{boundary}\r\n{head}\r\n\r\n".encode() + data + b"\r\n"
    return out + (f"--{boundary}--\r\n".encode() if close else b"")


# -- urlencoded, pure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        (b"", "utf-8", []),
        (b"a=1&a=2&b=3", "utf-8", [("a", "1"), ("a", "2"), ("b", "3")]),
        (b"a+b=c+d%2B%26%3D", "utf-8", [("a b", "c d+&=")]),
        (b"e=%C3%A9", "utf-8", [("e", "é")]),
        (b"e=%E9", "latin-1", [("e", "é")]),
        (b"flag&=x&&y=", "utf-8", [("flag", ""), ("", "x"), ("y", "")]),
        (b"bad=%zz%", "utf-8", [("bad", "%zz%")]),
        (b"raw=\xc3\xa9", "utf-8", [("raw", "é")]),
    ],
)
def test_parse_urlencoded(body: bytes, charset: str, expected: list[tuple[str, str]]) -> None:
    assert parse_urlencoded(body, charset) == expected


def test_parse_urlencoded_limits_on_both_sides() -> None:
    limits = FormLimits(max_fields=3, max_field_size=4)
    assert len(parse_urlencoded(b"a=1&b=2&c=3", limits=limits)) == 3
    with pytest.raises(TooManyFields):
        parse_urlencoded(b"a=1&b=2&c=3&d=4", limits=limits)
    assert parse_urlencoded(b"a=%41%42%43%44", limits=limits) == [("a", "ABCD")]  # 12 bytes encoded, 4 decoded
    with pytest.raises(FieldTooLarge):
        parse_urlencoded(b"a=ABCDE", limits=limits)


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=8), st.sampled_from(["utf-8", "utf-16"]))
def test_parse_urlencoded_inverts_urlencode(pairs: list[tuple[str, str]], charset: str) -> None:
    # urlencode drops nothing but writes an empty name as "=v": skip pairs that are both empty ("&&").
    pairs = [(k, v) for k, v in pairs if k or v]
    body = urllib.parse.urlencode(pairs, encoding=charset).encode("ascii")
    assert parse_urlencoded(body, charset) == pairs


def test_parse_urlencoded_refuses_raw_bytes_invalid_in_charset() -> None:
    with pytest.raises(MalformedForm):
        parse_urlencoded(b"a=\xff", "utf-8")


def test_parse_urlencoded_replaces_escapes_invalid_in_charset() -> None:
    # As aiohttp 3 and the WHATWG urlencoded parser: a %-escape that does not decode is U+FFFD, not an error.
    assert parse_urlencoded(b"a=%FF", "utf-8") == [("a", "\ufffd")]


# -- urlencoded and method/type dispatch through the server -------------------------------------------------


async def test_urlencoded_keeps_repeated_keys(make_server: Any) -> None:
    async def handler(request: Any) -> Response:
        form = await request.post()
        return Response(text=repr((form.getall("a"), form["b c"], form["d"])))

    server = await serve(make_server, handler)
    async with aiohttp.ClientSession() as session:
        data = [("a", "1"), ("a", "2+3 é&"), ("b c", "x"), ("d", "")]
        async with session.post(server.url("/"), data=data) as resp:
            assert resp.status == 200
            assert await resp.text() == repr((["1", "2+3 é&"], "x", ""))


async def test_urlencoded_charset_from_content_type(make_server: Any) -> None:
    server = await serve(make_server, echo_form)
    body = b"name=caf%E9+cr%E8me&raw=\xe9"
    head = b"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: %d\r\n" % len(body)
    ctype = b"Content-Type: application/x-www-form-urlencoded; charset=ISO-8859-1\r\n\r\n"
    assert await raw(server, head + ctype + body) == (200, "name=café crème\nraw=é".encode())


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "undefined", "no-such-charset"])
@pytest.mark.parametrize("kind", ["urlencoded", "multipart"])
async def test_a_charset_that_is_not_a_text_encoding_is_400(make_server: Any, charset: str, kind: str) -> None:
    # Python's codec registry also holds bytes-to-bytes codecs and "undefined": none decodes a form.
    server = await serve(make_server, echo_form)
    if kind == "urlencoded":
        body = b"a=1"
        ctype = f"application/x-www-form-urlencoded; charset={charset}"
    else:
        body = multipart_body(('Content-Disposition: form-data; name="a"', b"1"))
        ctype = f"multipart/form-data; boundary={BOUNDARY}; charset={charset}"
    head = f"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: {ctype}\r\n"
    status, _ = await raw(server, f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    assert status == 400


@pytest.mark.parametrize(
    ("method", "ctype", "parsed"),
    [
        ("POST", "application/x-www-form-urlencoded", True),
        ("PUT", "application/x-www-form-urlencoded", True),
        ("PATCH", "application/x-www-form-urlencoded", True),
        ("POST", None, True),  # no Content-Type: urlencoded, as the aiohttp 0.14 API says
        ("DELETE", "application/x-www-form-urlencoded", False),
        ("GET", "application/x-www-form-urlencoded", False),
        ("POST", "application/json", False),
        ("POST", "text/plain", False),
    ],
)
async def test_methods_and_content_types(make_server: Any, method: str, ctype: str | None, parsed: bool) -> None:
    server = await serve(make_server, echo_form)
    headers = {"Content-Type": ctype} if ctype else {}
    async with (
        aiohttp.ClientSession(skip_auto_headers=["Content-Type"]) as session,
        session.request(method, server.url("/"), data=b"a=1", headers=headers) as resp,
    ):
        assert resp.status == 200
        assert await resp.text() == ("a=1" if parsed else "")


async def test_urlencoded_over_max_fields_is_413(make_server: Any) -> None:
    server = await serve(make_server, echo_form, form_limits=FormLimits(max_fields=2))
    async with aiohttp.ClientSession() as session:
        async with session.post(server.url("/"), data={"a": "1", "b": "2"}) as resp:
            assert resp.status == 200
        async with session.post(server.url("/"), data={"a": "1", "b": "2", "c": "3"}) as resp:
            assert resp.status == 413


@pytest.mark.parametrize(
    ("client_max_fields", "fields", "status", "text"),
    [
        (2, 2, 200, "a0=v"),
        (2, 3, 413, "Maximum number of form fields 2 exceeded."),
        (0, 1001, 200, "a1000=v"),  # 0: no limit, as in aiohttp
        (None, 1000, 200, "a999=v"),
        (None, 1001, 413, "Maximum number of form fields 1000 exceeded."),
    ],
)
@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
async def test_applications_client_max_fields(
    make_server: Any, client_max_fields: int | None, fields: int, status: int, text: str, multipart: bool
) -> None:
    # aiohttp 3's Application(client_max_fields=...), 1000 by default, with aiohttp's answer.
    kwargs = {} if client_max_fields is None else {"client_max_fields": client_max_fields}
    server = await serve(make_server, echo_form, **kwargs)
    form = aiohttp.FormData(default_to_multipart=multipart)
    for i in range(fields):
        form.add_field(f"a{i}", "v")
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=form) as resp:
        assert resp.status == status
        assert text in await resp.text()


@pytest.mark.parametrize("extra", [0, 1])
async def test_client_max_size_on_both_sides(make_server: Any, extra: int) -> None:
    server = await serve(make_server, echo_form, client_max_size=1000)
    body = b"a=" + b"x" * (998 + extra)
    async with (
        aiohttp.ClientSession() as session,
        session.post(server.url("/"), data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}) as resp,
    ):
        assert resp.status == (413 if extra else 200)
        if extra:
            assert "Maximum request body size 1000 exceeded." in await resp.text()  # aiohttp 3's words


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
async def test_a_field_is_bounded_by_client_max_size_alone(make_server: Any, multipart: bool) -> None:
    # As in aiohttp, no per-field bound by default: a 2 MiB field passes under a raised client_max_size.
    async def length(request: Any) -> Response:
        form = await request.post()
        return Response(text=str(len(form["f0"])))

    server = await serve(make_server, length, client_max_size=3 * 1024 * 1024)
    size = 2 * 1024 * 1024
    if multipart:
        request = multipart_request(parts_of(1, size))
    else:
        body = b"f0=" + b"x" * size
        head = "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        request = f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    assert await raw(server, request) == (200, str(size).encode())


# -- multipart through the server ----------------------------------------------------------------------------


def formdata_with_files() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("text", "héllo wörld")
    form.add_field("text", "second")
    form.add_field("bin", io.BytesIO(EVERY_BYTE * 64), filename="all_bytes.bin", content_type="application/x-raw")
    # A file whose bytes contain delimiter-like lines (aiohttp's boundary is random, so use ours too).
    form.add_field("plain", b"--" + BOUNDARY.encode() + b"\r\n--x--", filename="p.txt", content_type="text/plain")
    return form


async def test_multipart_from_aiohttp_formdata(make_server: Any) -> None:
    server = await serve(make_server, echo_form)
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=formdata_with_files()) as resp:
        assert resp.status == 200
        lines = (await resp.text()).split("\n")
    assert lines == [
        "text=héllo wörld",
        "text=second",
        "bin=file:all_bytes.bin:application/x-raw:16384:True",
        f"plain=file:p.txt:text/plain:{len(BOUNDARY) + 9}:False",
    ]


@pytest.mark.parametrize("boundary", ["a;b", 'a"b', "a b;c=d"])
async def test_a_quoted_boundary_with_a_semicolon_is_parsed(make_server: Any, boundary: str) -> None:
    """``boundary="a;b"``: the ";" belongs to the quoted-string (RFC 9110 §5.6.4), so the boundary is ``a;b``."""
    seen: dict[str, Any] = {}

    async def handler(request: Any) -> Response:
        seen["ctype"] = request.headers["Content-Type"]
        seen["content_type"], seen["charset"] = request.content_type, request.charset
        return await echo_form(request)

    server = await serve(make_server, handler)
    with aiohttp.MultipartWriter("form-data", boundary=boundary) as writer:
        writer.append("héllo").set_content_disposition("form-data", name="text")
        disposition = 'form-data; name="f"; filename="a;b.bin"'  # aiohttp would percent-encode the ";"
        writer.append(b"x;y", {"Content-Type": "application/octet-stream", "Content-Disposition": disposition})
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=writer) as resp:
        assert resp.status == 200, await resp.text()
        assert (await resp.text()).split("\n") == ["text=héllo", "f=file:a;b.bin:application/octet-stream:3:False"]
    quoted = boundary.replace("\\", "\\\\").replace('"', '\\"')
    assert seen == {
        "ctype": f'multipart/form-data; boundary="{quoted}"',
        "content_type": "multipart/form-data",
        "charset": None,
    }


async def test_a_semicolon_in_a_quoted_parameter_does_not_make_a_charset(make_server: Any) -> None:
    """``Request.charset`` reads the parameters, not text inside another parameter's quoted-string."""

    async def handler(request: Any) -> Response:
        return Response(text=f"{request.content_type} {request.charset} {await request.text()}")

    server = await serve(make_server, handler)
    body = "é".encode()
    head = f"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
    ctype = 'Content-Type: Text/Plain; CHARSET="utf-8"; x="a;charset=latin-1"\r\n\r\n'
    assert await raw(server, (head + ctype).encode() + body) == (200, "text/plain utf-8 é".encode())


async def test_file_field_details(make_server: Any) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: Any) -> Response:
        form = await request.post()
        field = form["f"]
        seen.update(
            is_file=isinstance(field, FileField),
            name=field.name,
            filename=field.filename,
            content_type=field.content_type,
            position=field.file.tell(),
            data=field.file.read(),
            spooled=isinstance(field.file, tempfile.SpooledTemporaryFile),
            header=field.headers["Content-Disposition"],
        )
        return Response(text="ok")

    server = await serve(make_server, handler)
    # No Content-Type in the part: text/plain by default (RFC 7578 §4.4); boundary text inside the data.
    data = EVERY_BYTE + f"\r\n--{BOUNDARY}-\r\n--{BOUNDARY}x".encode() + EVERY_BYTE
    body = multipart_body(('Content-Disposition: form-data; name="f"; filename="résumé.txt"', data))
    assert await raw(server, multipart_request(body)) == (200, b"ok")
    assert seen == {
        "is_file": True,
        "name": "f",
        "filename": "résumé.txt",
        "content_type": "text/plain",
        "position": 0,
        "data": data,
        "spooled": True,
        "header": 'form-data; name="f"; filename="résumé.txt"',
    }


async def test_field_charset_from_part_and_charset_field(make_server: Any) -> None:
    server = await serve(make_server, echo_form)
    body = multipart_body(
        (
            'Content-Disposition: form-data; name="a"\r\nContent-Type: text/plain; charset=latin-1',
            "é".encode("latin-1"),
        ),
        ('Content-Disposition: form-data; name="_charset_"', b"iso-8859-15"),
        ('Content-Disposition: form-data; name="b"', "€".encode("iso-8859-15")),
    )
    assert await raw(server, multipart_request(body)) == (200, "a=é\n_charset_=iso-8859-15\nb=€".encode())


async def test_streaming_reader_from_a_handler(make_server: Any) -> None:
    async def handler(request: Any) -> Response:
        reader = await request.multipart()
        out = []
        async for part in reader:
            size = 0
            while chunk := await part.read_chunk(1000):
                size += len(chunk)
            out.append(f"{part.name}:{part.filename}:{size}")
        return Response(text=",".join(out))

    server = await serve(make_server, handler)
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=formdata_with_files()) as resp:
        assert await resp.text() == f"text:None:13,text:None:6,bin:all_bytes.bin:16384,plain:p.txt:{len(BOUNDARY) + 9}"


# -- limits, each on both sides ------------------------------------------------------------------------------


def parts_of(count: int, size: int = 1, *, files: bool = False) -> bytes:
    disp = 'Content-Disposition: form-data; name="f{}"' + ('; filename="x"' if files else "")
    return multipart_body(*[(disp.format(i), b"x" * size) for i in range(count)])


@pytest.mark.parametrize(
    ("limits", "body", "status"),
    [
        (FormLimits(max_fields=3), parts_of(3), 200),
        (FormLimits(max_fields=3), parts_of(4), 413),
        (FormLimits(max_fields=3), parts_of(4, files=True), 413),
        (FormLimits(max_field_size=300_000), parts_of(1, 300_000), 200),
        (FormLimits(max_field_size=300_000), parts_of(1, 300_001), 413),
        (FormLimits(max_file_size=300_000), parts_of(1, 300_000, files=True), 200),
        (FormLimits(max_file_size=300_000), parts_of(1, 300_001, files=True), 413),
        (FormLimits(max_file_size=10), parts_of(2, 10, files=True) + b"x" * 1000, 200),  # epilogue ignored
    ],
    ids=["fields=max", "fields>max", "files>max", "field=max", "field>max", "file=max", "file>max", "epilogue"],
)
async def test_form_limits(make_server: Any, limits: FormLimits, body: bytes, status: int) -> None:
    server = await serve(make_server, echo_form, form_limits=limits)
    got, _ = await raw(server, multipart_request(body))
    assert got == status


@pytest.mark.parametrize("extra", [0, 1])
async def test_multipart_client_max_size_on_both_sides(make_server: Any, extra: int) -> None:
    body = parts_of(1, 5000, files=True)
    server = await serve(make_server, echo_form, client_max_size=len(body) - 1 + (1 - extra))
    got, text = await raw(server, multipart_request(body))
    assert got == (413 if extra else 200), text


# -- malformed bodies: 400 -----------------------------------------------------------------------------------

GOOD = multipart_body(('Content-Disposition: form-data; name="a"', b"1"))

MALFORMED = {
    "no boundary parameter": multipart_request(GOOD).replace(f"; boundary={BOUNDARY}".encode(), b""),
    "empty boundary": multipart_request(GOOD).replace(f"boundary={BOUNDARY}".encode(), b'boundary=""'),
    "truncated final boundary": multipart_request(GOOD[:-4]),
    "no final boundary": multipart_request(
        multipart_body(('Content-Disposition: form-data; name="a"', b"1"), close=False)
    ),
    "header without colon": multipart_request(GOOD.replace(b"Content-Disposition:", b"Content-Disposition")),
    "bad header name": multipart_request(GOOD.replace(b"Content-Disposition:", b"Content Disposition:")),
    "part without name": multipart_request(multipart_body(("Content-Disposition: form-data", b"1"))),
    "part without headers": multipart_request(multipart_body(("X-Other: 1", b"1"))),
    "field not in its charset": multipart_request(
        multipart_body(('Content-Disposition: form-data; name="a"', b"\xff\xfe"))
    ),
    "unknown charset": multipart_request(GOOD).replace(
        f"boundary={BOUNDARY}".encode(), f"boundary={BOUNDARY}; charset=klingon".encode()
    ),
    "empty body": multipart_request(b""),
}


@pytest.mark.parametrize("name", list(MALFORMED))
async def test_malformed_multipart_is_400(make_server: Any, name: str) -> None:
    server = await serve(make_server, echo_form)
    status, body = await raw(server, MALFORMED[name])
    assert status == 400, body


# -- temp files: removed in every case, checked on disk ------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "body", "status"),
    [
        ("success", parts_of(3, 5000, files=True), 200),
        ("too many parts after files", parts_of(3, 5000, files=True), 413),
        ("malformed after files", parts_of(2, 5000, files=True)[:-10], 400),
        ("file too large", parts_of(2, 20_000, files=True), 413),
    ],
    ids=["success", "too many parts", "malformed", "file too large"],
)
async def test_temp_files_are_removed(make_server: Any, tmp_path: Path, case: str, body: bytes, status: int) -> None:
    during: list[list[str]] = []

    async def handler(request: Any) -> Response:
        try:
            form = await request.post()
        finally:
            during.append(open_fds_under(tmp_path))
        assert all(isinstance(v, FileField) for v in form.values())
        return Response(text="ok")

    limits = FormLimits(
        spool_size=1000,  # every file of this test goes to disk
        upload_dir=str(tmp_path),
        max_fields=2 if case == "too many parts after files" else 1000,
        max_file_size=10_000,
    )
    server = await serve(make_server, handler, form_limits=limits)
    got, _ = await raw(server, multipart_request(body))
    assert got == status
    if status == 200:
        assert len(during[0]) == 3  # the files were really on disk while the handler ran...
    else:
        assert during == [[]]  # ...and closed before the error reached the handler
    assert open_fds_under(tmp_path) == []  # closed after the response: nothing left open...
    assert os.listdir(tmp_path) == []  # ...nor named on disk


async def test_large_upload_does_not_grow_rss(make_server: Any, tmp_path: Path) -> None:
    """The quick version of ``python bench/multipart.py rss --size 1G``: 96 MiB through post(), in-process."""
    size = 96 * 1024 * 1024
    server = await serve(
        make_server,
        echo_form,
        client_max_size=size + 4096,
        form_limits=FormLimits(upload_dir=str(tmp_path)),
    )
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n'.encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    proc = psutil.Process()
    before = proc.memory_info().rss
    peak = before
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        multipart_request(b"", path="/").replace(
            b"Content-Length: 0", f"Content-Length: {len(head) + size + len(tail)}".encode()
        )
        + head
    )
    block = os.urandom(1 << 20)
    for _ in range(size // len(block)):
        writer.write(block)
        await writer.drain()
        peak = max(peak, proc.memory_info().rss)
    writer.write(tail)
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    assert response.endswith(f"f=file:big:text/plain:{size}:False".encode())
    # The client's writes are bounded by drain() and the server's reads by the stream's high-water mark;
    # the file went to disk. 96 MiB buffered anywhere would show.
    assert peak - before < 24 * 1024 * 1024, (before, peak)


def test_file_field_is_the_aiohttp_014_namedtuple_with_aiohttps_headers_optional():
    field = FileField("upload", "a.txt", io.BytesIO(b"x"), "text/plain")
    assert (field.name, field.filename, field.content_type) == ("upload", "a.txt", "text/plain")
    assert field.file.read() == b"x" and len(field.headers) == 0
    assert FileField._fields[:4] == ("name", "filename", "file", "content_type")


async def test_post_undoes_a_parts_content_transfer_encoding(make_server: Any) -> None:
    """aiohttp's post() decodes a part's base64 or quoted-printable data (RFC 2045 §6), fields and files alike."""
    seen: dict[str, Any] = {}

    async def handler(request: Any) -> Response:
        form = await request.post()
        seen["b64"], seen["qp"] = form["b64"], form["qp"]
        seen["file"] = form["f"].file.read()
        return Response(text="ok")

    server = await serve(make_server, handler)
    # Built by hand: aiohttp's MultipartWriter refuses Content-Transfer-Encoding in form-data (RFC 7578 §4.7).
    parts = [
        ('name="b64"', "text/plain; charset=latin-1", "base64", b"aOlsbG8="),
        ('name="qp"', "text/plain; charset=utf-8", "quoted-printable", b"caf=C3=A9 =\r\nau lait"),
        ('name="f"; filename="b.bin"', "application/octet-stream", "base64", b"AAEC/w=="),
    ]
    body = (
        b"".join(
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\nContent-Type: {ctype}\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n\r\n".encode()
            + data
            + b"\r\n"
            for disposition, ctype, cte, data in parts
        )
        + f"--{BOUNDARY}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=body, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
    assert seen == {"b64": "héllo", "qp": "café au lait", "file": b"\x00\x01\x02\xff"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"a=1&b=2", 200),
        # Empty pieces count as fields, as aiohttp (yarl's query_to_pairs, parse_qsl's max_num_fields) counts them.
        (b"a=1&&b=2", 413),
        (b"a=1&b=2&", 413),
    ],
)
async def test_client_max_fields_counts_empty_pieces(make_server: Any, body: bytes, status: int) -> None:
    server = await serve(make_server, echo_form, client_max_fields=2)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data=body, headers=headers) as resp:
        assert resp.status == status
        if status == 413:
            # aiohttp 3's text, alone.
            assert await resp.text() == "Maximum number of form fields 2 exceeded."


@pytest.mark.parametrize(("client_max_fields", "status"), [(1, 413), (3, 200), (0, 200), (-1, 200), (None, 413)])
async def test_request_client_max_fields(make_server: Any, client_max_fields: int | None, status: int) -> None:
    # request.client_max_fields is the application's unless a clone sets its own (aiohttp 3); 0 or less: no bound.
    seen = []

    async def handler(request: Any) -> Response:
        seen.append(request.client_max_fields)
        if client_max_fields is not None:
            request = request.clone(client_max_fields=client_max_fields)
            seen.append(request.client_max_fields)
        return Response(text=str(len(await request.post())))

    server = await serve(make_server, handler, client_max_fields=2)
    async with aiohttp.ClientSession() as session, session.post(server.url("/"), data={"a": 1, "b": 2, "c": 3}) as r:
        assert r.status == status
    assert seen == [2] if client_max_fields is None else [2, client_max_fields]

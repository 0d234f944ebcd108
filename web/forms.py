"""``Request.post()``: HTML form bodies (urlencoded and multipart/form-data) into a ``MultiDictProxy``, bounded.

``parse_form(request)`` is what ``Request.post()`` returns (and stores; it calls :func:`read_form` with the
request's Content-Type). It reads ``application/x-www-form-urlencoded``
(and a body without Content-Type, as the aiohttp 0.14 API says) with :func:`parse_urlencoded`, a pure function, and
``multipart/form-data`` part by part through :class:`web.multipart_parser.FormReader`, so nothing but the current read
is in memory: non-file fields become ``str`` (bounded by ``client_max_size``, and ``max_field_size`` when set),
file parts are streamed to a ``tempfile.SpooledTemporaryFile`` that moves to disk above ``spool_size``.

Limits (:class:`FormLimits`, from ``Application(form_limits=...)`` when given) answer
``HTTPRequestEntityTooLarge`` (413); a malformed body answers ``HTTPBadRequest`` (400). ``client_max_size`` (the
request's, the application's by default) is checked as aiohttp 3 checks it: by ``request.read()`` for an urlencoded
body, and against the bytes of the body received so far at each multipart part and each piece of its data
(413, "Maximum request body size N exceeded."). A server-wide cap, when the operator sets one, fails the body stream
itself (``server.errors.PayloadTooLarge``, also 413). Whatever happens, the
temp files are closed: at once when parsing fails, and otherwise by the callback ``parse_form`` registers with
``request.add_cleanup()``, which the handler machinery runs after the response. Closing also frees the disk space:
``TemporaryFile`` never has a name on POSIX (``O_TMPFILE`` or unlinked at creation).

Errors (raised as the HTTP exception in brackets, the original as ``__cause__``)::

    web.multipart_parser.MultipartError
    ├── MalformedMultipart        [HTTPBadRequest 400]
    │   └── MalformedForm         a value not valid in its charset, an unknown charset, a part without a name
    └── MultipartLimitExceeded    [HTTPRequestEntityTooLarge 413]
        ├── TooManyFields         more than max_fields pairs or parts
        ├── FieldTooLarge         a non-file value over max_field_size
        └── FileTooLarge          a file part over max_file_size
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import re
import sys
import tempfile
import urllib.parse
from typing import IO, Any, NamedTuple

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from server.errors import PayloadTooLarge

from .helpers import parse_content_type
from .multipart_parser import (
    FormReader,
    MalformedMultipart,
    MultipartError,
    MultipartLimitExceeded,
    _http_error,
)
from .query import parse_text
from .request import _too_large

__all__ = [
    "FieldTooLarge",
    "FileField",
    "FileTooLarge",
    "FormLimits",
    "MalformedForm",
    "TooManyFields",
    "parse_form",
    "parse_urlencoded",
    "read_form",
]

KiB = 1024
MiB = 1024 * KiB

#: Methods whose body ``post()`` reads (the aiohttp 0.14 API's list).
FORM_METHODS = frozenset({"POST", "PUT", "PATCH"})


_NO_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())


class FileField(NamedTuple):
    """A ``multidict`` value of ``Request.POST`` for an uploaded file.

    ``file`` is positioned at 0 and is closed when the request ends; copy it somewhere (``shutil.copyfileobj``)
    to keep it. ``content_type`` is the part's Content-Type, ``'text/plain'`` by default (RFC 7578 §4.4).
    """

    name: str
    filename: str
    file: IO[bytes]
    content_type: str
    #: The part's headers (aiohttp 3); optional, so the four-field ``FileField(name, filename, file,
    #: content_type)`` of the aiohttp 0.14 API still constructs.
    headers: CIMultiDictProxy[str] = _NO_HEADERS

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> dict[str, Any]:
        """A pydantic field of this type takes a ``FileField`` as it is, as one of aiohttp's does (an attrs class,
        an arbitrary type to pydantic: an ``isinstance`` check). Left to itself, pydantic validates a namedtuple
        field by field, and ``file: IO[bytes]`` refuses the spooled file (``typing.IO`` is no ABC of it): a model
        with ``file: web.FileField``, as aiohttp-deps' ``Form()`` validates ``post()`` with, refused every upload.
        The schema is pydantic-core's ``is_instance_schema(cls)``, a plain dict, so nothing here imports pydantic."""
        return {"type": "is-instance", "cls": cls}


@dataclasses.dataclass(frozen=True, slots=True)
class FormLimits:
    """Bounds on what ``post()`` accepts besides ``client_max_size`` (which bounds the whole body).

    ``max_fields`` counts urlencoded pairs and multipart parts alike; ``Application(client_max_fields=...)``
    (aiohttp 3's setting, 0 for no limit) sets it when no ``form_limits`` is given. ``max_field_size`` bounds one
    non-file value in bytes before decoding (``None``, the default, as in aiohttp: only ``client_max_size``; such
    values are held in memory as ``str``, so set it when ``client_max_size`` is raised for large uploads).
    ``max_file_size`` bounds one file part (``None``: only ``client_max_size``). ``spool_size`` is the size above
    which a file part leaves memory for ``upload_dir`` (``None``: ``tempfile``'s default directory).
    """

    max_fields: int = 1000
    max_field_size: int | None = None
    max_file_size: int | None = None
    spool_size: int = 1 * MiB
    upload_dir: str | None = None

    def __post_init__(self) -> None:
        for name in ("max_fields", "spool_size"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")
        for name in ("max_field_size", "max_file_size"):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)!r}")


DEFAULT_LIMITS = FormLimits()


class MalformedForm(MalformedMultipart):
    """A form value that is not valid in its charset, or a part without a field name."""


class TooManyFields(MultipartLimitExceeded):
    """More form fields than ``max_fields``."""

    def http_text(self) -> str:
        """aiohttp 3's 413 text for it: the message alone."""
        return str(self)


class FieldTooLarge(MultipartLimitExceeded):
    """A non-file form value longer than ``max_field_size``."""


class FileTooLarge(MultipartLimitExceeded):
    """An uploaded file larger than ``max_file_size``."""


# -- urlencoded (pure) ---------------------------------------------------------------------------------------

_PAIR = re.compile(rb"[^&]+")


@functools.lru_cache(maxsize=16)
def _ascii_compatible(charset: str) -> bool:
    # Whether the form's bytes can be read as text first: the separators and escapes are the same bytes in it.
    # Cached by charset: _charset gives codec names, a set the codec registry bounds.
    try:
        return b"&=+%azAZ09".decode(charset) == "&=+%azAZ09" and "&=+%azAZ09".encode(charset) == b"&=+%azAZ09"
    except UnicodeError:
        return False


def _form_decode(raw: bytes, charset: str, what: str) -> str:
    # HTML's application/x-www-form-urlencoded parser: '+' is a space, then percent-decoding, then the charset.
    data = urllib.parse.unquote_to_bytes(raw.replace(b"+", b" ")) if raw else b""
    try:
        return data.decode(charset)
    except UnicodeError as exc:  # UnicodeDecodeError, and the "undefined" codec's plain UnicodeError
        raise MalformedForm(f"form {what} is not valid {charset}") from exc


def parse_urlencoded(
    body: bytes, charset: str = "utf-8", *, limits: FormLimits = DEFAULT_LIMITS
) -> list[tuple[str, str]]:
    """Split an ``application/x-www-form-urlencoded`` body into (name, value) pairs, in order, repeats kept.

    What aiohttp 3's ``post()`` answers: trailing whitespace of the body ignored, the body read as text in
    ``charset``, then as a query string (web/query.py: ``+`` is a space, %-escapes not valid in ``charset``
    decode to U+FFFD, as the WHATWG urlencoded parser does). Raises :class:`TooManyFields`/:class:`FieldTooLarge`
    (413), and :class:`MalformedForm` (400) for raw bytes that are not valid in ``charset`` (aiohttp answers 500
    there; an unknown charset is refused by the caller). A charset that is not ASCII-compatible (UTF-16) is
    read the HTML way instead: %-escapes of its bytes, decoded after unescaping."""
    body = body.rstrip()
    if not body:
        return []
    if not _ascii_compatible(charset):
        return _parse_urlencoded_bytes(body, charset, limits)
    try:
        text = body.decode(charset)
    except UnicodeError as exc:
        raise MalformedForm(f"form body is not valid {charset}") from exc
    max_fields = limits.max_fields
    if text.count("&") >= max_fields:  # more than max_fields pieces, empty ones counted, as aiohttp (yarl) counts
        raise TooManyFields(_too_many(max_fields))
    pairs = parse_text(text, charset)
    max_size = limits.max_field_size
    if max_size is not None:
        for field in text.split("&"):
            value = field.partition("=")[2]
            # The encoded length bounds the decoded one from above: check the cheap one first.
            if len(value) > max_size and len(urllib.parse.unquote_to_bytes(value.encode(charset))) > max_size:
                raise FieldTooLarge(f"form field longer than {max_size} bytes")
    return pairs


def _parse_urlencoded_bytes(body: bytes, charset: str, limits: FormLimits) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    max_fields = limits.max_fields
    max_size = limits.max_field_size
    for m in _PAIR.finditer(body):
        if len(pairs) >= max_fields:
            raise TooManyFields(_too_many(max_fields))
        name, _, value = m.group().partition(b"=")
        if max_size is not None and len(value) > max_size:
            decoded = urllib.parse.unquote_to_bytes(value)
            if len(decoded) > max_size:
                raise FieldTooLarge(f"form field longer than {max_size} bytes")
        pairs.append((_form_decode(name, charset, "name"), _form_decode(value, charset, "value")))
    return pairs


# -- entry point ---------------------------------------------------------------------------------------------


def _charset(name: str | None, default: str = "utf-8") -> str:
    """A known text encoding for ``name``, or raise :class:`MalformedForm`."""
    if not name:
        return default
    try:
        codec = codecs.lookup(name).name
        # The registry also holds bytes-to-bytes codecs (base64, zlib, rot13), which str.encode refuses with
        # LookupError, and "undefined", which refuses everything with UnicodeError.
        "".encode(codec)
    except (LookupError, UnicodeError) as exc:
        raise MalformedForm(f"unknown charset {name!r}") from exc
    return codec


def _too_many(max_fields: int) -> str:
    return f"Maximum number of form fields {max_fields} exceeded."  # aiohttp 3's words


def _limits(request: Any) -> FormLimits:
    # ``Application(form_limits=..., client_max_fields=...)`` stores them in the app's mapping (extra keyword
    # arguments do); an attribute of that name, should the application define one, takes precedence. A request's
    # own client_max_fields (clone(client_max_fields=...), make_mocked_request(client_max_fields=...)) beats both.
    cache = getattr(request, "_cache", None)
    own = cache.get("client_max_fields") if cache else None
    app = request.app
    get = getattr(app, "get", None)
    limits = getattr(app, "form_limits", None)
    if limits is None and get is not None:
        limits = get("form_limits")
    # None (neither set, the common case) is asked first, here and below: an isinstance call costs 0.4k instructions.
    if limits is not None and (limits.__class__ is FormLimits or isinstance(limits, FormLimits)):
        return limits if own is None else _with_max_fields(limits, own)
    max_fields = own if own is not None else _app_max_fields(app, get)
    return DEFAULT_LIMITS if max_fields is None else _with_max_fields(DEFAULT_LIMITS, max_fields)


def _with_max_fields(limits: FormLimits, max_fields: int) -> FormLimits:
    # aiohttp 3's client_max_fields=N: 0 (or less) means no limit.
    return dataclasses.replace(limits, max_fields=max_fields if max_fields > 0 else sys.maxsize)


def _app_max_fields(app: Any, get: Any) -> int | None:
    max_fields = getattr(app, "client_max_fields", None)
    if max_fields is None and get is not None:
        max_fields = get("client_max_fields")
    if max_fields is not None and isinstance(max_fields, int) and not isinstance(max_fields, bool):
        return max_fields
    return None


def app_max_fields(app: Any) -> int:
    """``request.client_max_fields`` of a request that sets none: the application's ``client_max_fields``, else
    its ``form_limits``' ``max_fields``, else aiohttp's default, 1000."""
    get = getattr(app, "get", None)
    max_fields = _app_max_fields(app, get)
    if max_fields is not None:
        return max_fields
    limits = getattr(app, "form_limits", None)
    if limits is None and get is not None:
        limits = get("form_limits")
    return limits.max_fields if isinstance(limits, FormLimits) else DEFAULT_LIMITS.max_fields


async def parse_form(request: Any, *, limits: FormLimits | None = None) -> MultiDictProxy[str | FileField]:
    """Read the POST parameters of ``request``: what ``Request.post()`` returns.

    Returns an empty multidict if the method is not POST, PUT or PATCH, or the Content-Type is neither empty,
    ``application/x-www-form-urlencoded`` nor ``multipart/form-data``. Raises ``HTTPRequestEntityTooLarge``
    (413) for a body over ``client_max_size`` or a form over ``limits``, ``HTTPBadRequest`` (400) for a
    malformed one; open temp files are closed before either propagates.
    """
    return await read_form(request, request.headers.get("Content-Type"), limits=limits)


async def read_form(
    request: Any, content_type: str | None, *, limits: FormLimits | None = None
) -> MultiDictProxy[str | FileField]:
    """:func:`parse_form` for a request whose Content-Type header is ``content_type`` (``None``: absent), which
    ``Request.post()`` reads without building ``request.headers``."""
    if request.method not in FORM_METHODS:
        return MultiDictProxy(MultiDict())
    limits = limits or _limits(request)
    ctype, params = parse_content_type(content_type)
    try:
        charset = _charset(params.get("charset"))
        if ctype in ("", "application/x-www-form-urlencoded"):
            body = await request.read()
            return MultiDictProxy(MultiDict(parse_urlencoded(body, charset, limits=limits)))
        if ctype == "multipart/form-data":
            return MultiDictProxy(await _parse_multipart(request, limits, charset))
    except (MultipartError, PayloadTooLarge) as exc:
        raise _http_error(exc) from exc
    return MultiDictProxy(MultiDict())


def read_urlencoded_arrived(request: Any, method: str, stream: Any) -> MultiDictProxy[str] | None:
    """``read_form(request, "application/x-www-form-urlencoded")`` without awaiting, for ``Request.post()``: the
    same form, or the same error, when ``method`` (the request's) is one whose body is read and ``stream`` (its body,
    with ``read_arrived()``) has arrived whole; None otherwise, and then read_form answers."""
    if method not in FORM_METHODS:
        return None
    limits = _limits(request)
    try:
        # That Content-Type has no charset parameter: read_form's charset is then _charset(None), UTF-8.
        body = stream.read_arrived()
        if body is None:
            return None
        if (limit := request._client_max_size) and len(body) > limit:
            raise _too_large(limit, len(body))
        return MultiDictProxy(MultiDict(parse_urlencoded(body, "utf-8", limits=limits)))
    except (MultipartError, PayloadTooLarge) as exc:
        raise _http_error(exc) from exc


def _close_all(files: list[IO[bytes]]) -> None:
    for f in files:
        f.close()


async def _parse_multipart(request: Any, limits: FormLimits, charset: str) -> MultiDict[str | FileField]:
    form: MultiDict[str | FileField] = MultiDict()
    files: list[IO[bytes]] = []
    reader = FormReader(request.headers, request.content)
    # As aiohttp 3: client_max_size bounds the body as received (part headers and encoded data included), checked at
    # each part and each piece of its data, so a single oversized part is refused before it is all spooled.
    limit = request.client_max_size
    stream = request.content
    try:
        count = 0
        async for part in reader:
            _check_received(stream, limit)
            count += 1
            if count > limits.max_fields:
                raise TooManyFields(_too_many(limits.max_fields))
            name = part.name
            if name is None:
                raise MalformedForm("form part without a Content-Disposition name (RFC 7578 §4.2)")
            filename = part.filename
            if filename is not None:
                # Not a with-block: the file outlives this call, until the request's cleanup closes it.
                spool = tempfile.SpooledTemporaryFile(max_size=limits.spool_size, dir=limits.upload_dir)  # noqa: SIM115
                files.append(spool)
                await _copy_file(part, spool, limits.max_file_size, stream, limit)
                spool.seek(0)
                content_type = part.headers.get("Content-Type") or "text/plain"
                form.add(name, FileField(name, filename, spool, content_type, part.headers))  # type: ignore[arg-type]
                continue
            data = bytearray()
            # A field's Content-Transfer-Encoding (base64, quoted-printable; RFC 7578 §4.7) is undone, as aiohttp's
            # post() does; the size limits apply to the decoded data.
            async for chunk in part.iter_decoded():
                _check_received(stream, limit)
                data += chunk
                if limits.max_field_size is not None and len(data) > limits.max_field_size:
                    raise FieldTooLarge(f"form field {name!r} longer than {limits.max_field_size} bytes")
            field_type = part.headers.get("Content-Type")
            if field_type is not None and not field_type.lstrip().lower().startswith("text/"):
                # A field sent as binary data (not text/*) and without a filename stays bytes, as in aiohttp.
                form.add(name, bytes(data))
                continue
            value_charset = _charset(part.get_charset(charset))
            try:
                value = data.decode(value_charset)
            except UnicodeError as exc:  # as in _form_decode
                raise MalformedForm(f"form field {name!r} is not valid {value_charset}") from exc
            if name == "_charset_":
                # RFC 7578 §4.6: a "_charset_" field names the default charset of the fields that follow.
                charset = _charset(value.strip(), charset)
            form.add(name, value)
    except BaseException:
        _close_all(files)
        raise
    if files:
        request.add_cleanup(functools.partial(_close_all, files))
    return form


def _check_received(stream: Any, limit: int | None) -> None:
    if limit and stream.total_bytes > limit:
        raise _too_large(limit, stream.total_bytes)


async def _copy_file(part: Any, spool: IO[bytes], max_size: int | None, stream: Any, limit: int | None) -> None:
    size = 0
    async for chunk in part.iter_decoded():
        _check_received(stream, limit)
        size += len(chunk)
        if max_size is not None and size > max_size:
            raise FileTooLarge(f"uploaded file larger than {max_size} bytes")
        spool.write(chunk)

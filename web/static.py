"""Static files: :class:`StaticRoute` (``router.add_static``) and :class:`FileResponse`.

Safety rules, checked in this order on the file name taken from the URL (already percent-decoded once; a
``%252e`` stays ``%2e`` and names no dot):

1. NUL bytes and backslashes are refused (404): no file name on disk needs them and they confuse OS calls.
2. A ``..`` segment or an absolute name (``//etc/passwd``) is refused (403): no traversal in any spelling.
3. The resolved real path must stay under the root (403), unless ``follow_symlinks=True`` lets a symlink
   placed in the root by its owner lead elsewhere.
4. Directories answer 403 unless ``show_index=True``; anything but a regular file answers 403 (a FIFO would
   block the worker on open).

The body goes out zero-copy: ``loop.sendfile()`` where the loop implements it (asyncio), else ``os.sendfile``
on a duplicate of the socket's descriptor, driven by the loop's writer callbacks (uvloop has no sendfile),
else chunked reads and writes (TLS, or no socket).
"""

from __future__ import annotations

import asyncio
import html
import mimetypes
import os
import stat
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from .exceptions import HTTPForbidden, HTTPNotFound
from .response import Response, StreamResponse
from .routes import Query, Route

__all__ = ["FileResponse", "StaticRoute"]

CHUNK_SIZE = 256 * 1024


class StaticRoute(Route):
    """Route serving the files under ``directory`` at URL ``prefix``, created by ``router.add_static``."""

    __slots__ = ("_chunk_size", "_directory", "_follow_symlinks", "_prefix", "_show_index")

    def __init__(
        self,
        name: str | None,
        prefix: str,
        directory: str | os.PathLike[str],
        *,
        show_index: bool = False,
        follow_symlinks: bool = False,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        super().__init__("GET", self._handle, name)
        self._methods = frozenset(("GET", "HEAD"))
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"prefix should start with '/': {prefix!r}")
        self._prefix = prefix.rstrip("/")
        try:
            root = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            raise ValueError(f"no directory {directory!r}") from exc
        if not root.is_dir():
            raise ValueError(f"{directory!r} is not a directory")
        self._directory = root
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._chunk_size = chunk_size

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def directory(self) -> Path:
        return self._directory

    def match(self, path: str) -> dict[str, str] | None:
        prefix = self._prefix
        if not path.startswith(prefix) or path[len(prefix) : len(prefix) + 1] != "/":
            return None
        value = path[len(prefix) + 1 :]
        if "%" in value:
            from urllib.parse import unquote

            value = unquote(value)
        return {"filename": value}

    def url(self, *, filename: str | os.PathLike[str], query: Query = None) -> str:
        """URL of ``filename``: ``url(filename='img/logo.png', query={'param': 1})`` is
        ``'/path/to/static/img/logo.png?param=1'`` for the prefix ``/path/to/static``."""
        url = self._prefix + "/" + quote(str(filename).lstrip("/"), safe="/")
        if query:
            url += "?" + urlencode(query)  # type: ignore[arg-type]
        return url

    def literal_prefix(self) -> tuple[str, ...]:
        return tuple(self._prefix.split("/")[1:])

    def get_info(self) -> dict[str, Any]:
        return {"directory": self._directory, "prefix": self._prefix}

    def resolve_file(self, filename: str) -> Path:
        """The real path ``filename`` names under the root; raises HTTPNotFound/HTTPForbidden per the rules."""
        if "\x00" in filename or "\\" in filename:
            raise HTTPNotFound()
        segments = filename.split("/")
        if filename.startswith("/") or ".." in segments:
            raise HTTPForbidden()
        root = self._directory
        unresolved = root.joinpath(*[s for s in segments if s not in ("", ".")])
        try:
            real = unresolved.resolve(strict=True)
        except (FileNotFoundError, NotADirectoryError):
            raise HTTPNotFound() from None
        except PermissionError:
            raise HTTPForbidden() from None
        except (OSError, RuntimeError, ValueError):  # ELOOP, ENAMETOOLONG, symlink loops
            raise HTTPNotFound() from None
        if not self._follow_symlinks and not real.is_relative_to(root):
            raise HTTPForbidden()
        return real

    async def _handle(self, request: Any) -> StreamResponse:
        real = self.resolve_file(request.match_info["filename"])
        try:
            st = real.stat()
        except OSError:
            raise HTTPNotFound() from None
        if stat.S_ISDIR(st.st_mode):
            if self._show_index:
                return Response(text=_index_html(request.path, real), content_type="text/html")
            raise HTTPForbidden()
        if not stat.S_ISREG(st.st_mode):
            raise HTTPForbidden()
        response = FileResponse(real, chunk_size=self._chunk_size)
        # Prepared here: the handler machinery sends a returned response synchronously, a file needs awaits.
        await response.prepare(request)
        await response.write_eof()
        return response


def _index_html(url_path: str, directory: Path) -> str:
    title = html.escape(f"Index of {url_path}")
    items = []
    for entry in sorted(directory.iterdir()):
        name = entry.name + ("/" if entry.is_dir() else "")
        items.append(f'<li><a href="{quote(name)}">{html.escape(name)}</a></li>')
    body = "\n".join(items)
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1><ul>\n{body}\n</ul></body></html>"


def _etag(st: os.stat_result) -> str:
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


def _etag_in(header: str, etag: str, *, weak: bool) -> bool:
    """Does the entity-tag list ``header`` (RFC 9110 §8.8.3) match ``etag``?"""
    if header.strip() == "*":
        return True
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            if not weak:
                continue
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def _http_date_ts(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """A single ``bytes=`` range against ``size``: (start, end inclusive), None to ignore, False if unsatisfiable.

    Invalid or multi-range headers are ignored and the whole file is sent (RFC 9110 §14.2 allows that).
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    first, last = first.strip(), last.strip()
    if not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if last == "":
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, not unsatisfiable (RFC 9110 §14.1.1)
    if start >= size:
        return False
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


class FileResponse(StreamResponse):
    """A response sending the file at ``path``: conditional requests, one byte range, precompressed ``.gz``."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        chunk_size: int = CHUNK_SIZE,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: Any = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._path = Path(path)
        self._chunk_size = chunk_size

    async def prepare(self, request: Any) -> None:
        """Send the head and the body (nothing for HEAD); ``write_eof()`` then finishes."""
        if self.started:
            return
        path = self._path
        req_headers = request.headers
        gz = path.with_name(path.name + ".gz")
        gz_exists = gz.is_file()
        if gz_exists and "gzip" in req_headers.get("Accept-Encoding", "").lower():
            path = gz
            self.headers["Content-Encoding"] = "gzip"
        if gz_exists:
            self.headers["Vary"] = "Accept-Encoding"
        try:
            # A local open of a file we just stat'ed: page-cache fast, not worth a thread hop per request.
            fileobj = open(path, "rb")  # noqa: SIM115, ASYNC230 - closed in the finally below
        except FileNotFoundError:
            raise HTTPNotFound() from None
        except PermissionError:
            raise HTTPForbidden() from None
        try:
            st = os.fstat(fileobj.fileno())
            await self._answer(request, fileobj, st)
        finally:
            fileobj.close()

    async def _answer(self, request: Any, fileobj: Any, st: os.stat_result) -> None:
        headers = self.headers
        size = st.st_size
        etag = _etag(st)
        mtime = int(st.st_mtime)
        headers["ETag"] = etag
        headers["Last-Modified"] = formatdate(mtime, usegmt=True)
        headers["Accept-Ranges"] = "bytes"
        req = request.headers
        method = request.method
        # RFC 9110 §13.2.2: evaluate preconditions in this order.
        if_match = req.get("If-Match")
        ius = _http_date_ts(req.get("If-Unmodified-Since")) if if_match is None else None
        if (if_match is not None and not _etag_in(if_match, etag, weak=False)) or (ius is not None and mtime > ius):
            return self._empty(request, 412)
        inm = req.get("If-None-Match")
        ims = _http_date_ts(req.get("If-Modified-Since")) if inm is None else None
        if method in ("GET", "HEAD") and (
            (inm is not None and _etag_in(inm, etag, weak=True)) or (ims is not None and mtime <= ims)
        ):
            return self._empty(request, 304)
        start, count = 0, size
        range_header = req.get("Range")
        if range_header is not None and method in ("GET", "HEAD"):
            if_range = req.get("If-Range")
            if if_range is not None:
                if_range = if_range.strip()
                if if_range.startswith('"') or if_range.startswith("W/"):
                    fresh = if_range == etag  # strong comparison (RFC 9110 §13.1.5)
                else:
                    fresh = _http_date_ts(if_range) == mtime
            else:
                fresh = True
            rng = parse_range(range_header, size) if fresh else None
            if rng is False:
                headers["Content-Range"] = f"bytes */{size}"
                return self._empty(request, 416)
            if rng:
                start, end = rng  # type: ignore[misc]
                count = end - start + 1
                self.set_status(206)
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        if "Content-Type" not in headers:
            ctype, encoding = mimetypes.guess_type(str(self._path))
            if encoding == "gzip" and "Content-Encoding" not in headers:
                ctype = "application/gzip"
            headers["Content-Type"] = ctype or "application/octet-stream"
        headers["Content-Length"] = str(count)
        self.start(request)
        if method != "HEAD" and count:
            await send_file(self, request, fileobj, start, count, self._chunk_size)

    def _empty(self, request: Any, status: int) -> None:
        self.set_status(status)
        self.headers["Content-Length"] = "0"
        self.start(request)


_NO_LOOP_SENDFILE: set[type] = set()


async def send_file(
    response: StreamResponse, request: Any, fileobj: Any, offset: int, count: int, chunk_size: int
) -> None:
    """Send ``count`` bytes of ``fileobj`` from ``offset`` after the head of a started ``response``."""
    exchange = response._exchange
    transport = request.transport
    await response.drain()
    loop = asyncio.get_running_loop()
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None and transport.get_extra_info("sslcontext") is None:
        if type(loop) not in _NO_LOOP_SENDFILE:
            try:
                sent = await loop.sendfile(transport, fileobj, offset, count, fallback=False)
                exchange.bytes_sent += sent
                return
            except (NotImplementedError, RuntimeError):
                _NO_LOOP_SENDFILE.add(type(loop))
        if transport.get_write_buffer_size() == 0:
            await _os_sendfile(loop, sock.fileno(), fileobj.fileno(), offset, count, exchange)
            return
    fileobj.seek(offset)
    while count > 0:
        chunk = fileobj.read(min(chunk_size, count))
        if not chunk:
            raise ConnectionResetError("file shrank while being sent")
        count -= len(chunk)
        await response.write(chunk)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


async def _os_sendfile(
    loop: asyncio.AbstractEventLoop, sock_fd: int, file_fd: int, offset: int, count: int, exchange: Any
) -> None:
    # A duplicate descriptor: uvloop refuses add_writer on a descriptor its transport owns, and if the
    # transport closes its descriptor mid-transfer, ours still names the same socket, never a reused number.
    fd = os.dup(sock_fd)
    try:
        while count > 0:
            try:
                sent = os.sendfile(fd, file_fd, offset, count)
            except BlockingIOError:
                waiter = loop.create_future()
                loop.add_writer(fd, _wake, waiter)
                try:
                    await waiter
                finally:
                    loop.remove_writer(fd)
                continue
            except (BrokenPipeError, ConnectionError) as exc:
                raise ConnectionResetError(str(exc)) from exc
            if sent == 0:
                raise ConnectionResetError("file shrank while being sent")
            offset += sent
            count -= sent
            exchange.bytes_sent += sent
    finally:
        os.close(fd)

"""``FileResponse``: a file on disk as a response, returned by a handler or served by ``router.add_static``.

``prepare()`` picks what to send, answers the conditional request, and sends the head and the body; the handler
machinery calls it for a FileResponse a handler returns unprepared, as for any response class with its own
``prepare()``.

What is opened, in this order:

1. the precompressed siblings ``<path>.br`` then ``<path>.gz``, each only if the client accepts its coding
   (``Accept-Encoding``, RFC 9110 §12.5.3: case-insensitive, ``x-gzip`` is gzip, ``q=0`` refuses, the highest
   q wins); one that is usable is sent with ``Content-Encoding`` and the Content-Type of ``path``;
2. else ``path`` itself: missing answers 404, unreadable or not a regular file 403 (aiohttp 3's statuses); a
   special file is refused by its ``stat`` before it is opened, as aiohttp 3 refuses it.

Every candidate is opened first and checked on the open descriptor afterwards (``fstat`` for its type; for a
response confined to a directory, the real path the descriptor has), so nothing can be swapped between the check
and the use. Who may point where:

- ``FileResponse(path)`` from a handler: ``path`` is the application's choice and is followed wherever it leads;
  a sibling must not itself be a symlink (aiohttp 3's rule; ``O_NOFOLLOW``), so a link planted next to a file
  cannot widen what the application agreed to send.
- ``add_static(..., follow_symlinks=False)``: the file and its siblings must really lie under the static root,
  wherever their symlinks lead; a sibling outside is ignored, a file outside answers 404 (as the route answers a
  name that leads out).
- ``add_static(..., follow_symlinks=True)``: symlinks in the root, siblings included, lead anywhere.

A sibling that exists makes every answer for the file carry ``Vary: Accept-Encoding`` (RFC 9110 §12.5.5).

The body goes out zero-copy where the connection can (``Exchange.sendfile``, which owns the socket-level send
and its flow control), else in reads and writes of ``chunk_size`` bytes (TLS, no socket, or a body compressed on the
way out by ``enable_compression()``; a precompressed sibling is never compressed again).
"""

from __future__ import annotations

import errno
import mimetypes
import os
import stat
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from .response import StreamResponse

__all__ = ["CHUNK_SIZE", "FileResponse", "parse_range", "send_file"]

CHUNK_SIZE = 256 * 1024

# The precompressed siblings, in the order tried when the client accepts both equally.
_SIBLINGS = ((".br", "br"), (".gz", "gzip"))
# The media type of a file whose extension names a compression (``mimetypes`` calls it the encoding), as
# aiohttp 3 types them: such a file asked for by its own name is an archive, not content-encoded text.
_COMPRESSED_TYPES = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "compress": "application/x-compress",
    "xz": "application/x-xz",
}
_guess_type = getattr(mimetypes, "guess_file_type", mimetypes.guess_type)

# O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, with the worker's loop blocked.
# Regular files ignore the flag, so the descriptor of a file that passes the checks is used as it is.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# A socket file cannot be opened (ENXIO), a device may refuse (ENODEV): not regular files, so 403, as a FIFO.
_SPECIAL_ERRNOS = frozenset({errno.ENXIO, errno.ENODEV, errno.EOPNOTSUPP})


class FileResponse(StreamResponse):
    """A response sending the file at ``path``: validators, conditional requests, one byte range, precompressed
    ``.br``/``.gz`` siblings, ``chunk_size`` bytes per read where the file cannot go out zero-copy."""

    # Set by StaticRoute (see the module docstring): the real directory every opened file must lie under, and
    # whether a sibling may be a symlink.
    _root: str | None = None
    _sibling_links = False

    def __init__(
        self,
        path: str | os.PathLike[str],
        chunk_size: int = CHUNK_SIZE,
        status: int = 200,
        reason: str | None = None,
        headers: Any = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        self._path = Path(path)
        self._chunk_size = chunk_size

    async def prepare(self, request: Any) -> None:
        """Answer ``request`` with the file: send the head and the body (no body for HEAD, 304, 412, 416). The
        handler machinery (or ``write_eof()``) then finishes the response."""
        if self._exchange is not None:
            return
        opened = self._open(request.headers.get("Accept-Encoding"))
        if opened.__class__ is int:
            return await self._empty(request, opened)  # type: ignore[arg-type]
        fileobj, st, coding, vary = opened  # type: ignore[misc]
        try:
            headers = self._headers
            if coding is not None:
                headers["Content-Encoding"] = coding
                # Already compressed: enable_compression() must not compress it again (aiohttp 3).
                self._compression = False
            if vary:
                _add_vary(headers)
            await self._answer(request, fileobj, st)
        finally:
            fileobj.close()

    # -- choosing and opening ---------------------------------------------------------------------------------

    def _open(self, accept_encoding: str | None) -> tuple[Any, os.stat_result, str | None, bool] | int:
        """The file to send as (file object, stat, content coding or None, Vary needed), or the status refusing
        it (404, 403)."""
        path = str(self._path)
        for coding in _preferred_codings(accept_encoding) if accept_encoding else ():
            suffix = ".br" if coding == "br" else ".gz"
            opened = self._open_checked(path + suffix, sibling=True)
            if opened.__class__ is not int:
                fd, st = opened  # type: ignore[misc]
                return os.fdopen(fd, "rb"), st, coding, True
        opened = self._open_checked(path, sibling=False)
        if opened.__class__ is int:
            return opened  # type: ignore[return-value]
        fd, st = opened  # type: ignore[misc]
        vary = any(os.path.isfile(path + suffix) for suffix, _ in _SIBLINGS)
        return os.fdopen(fd, "rb"), st, None, vary

    def _open_checked(self, path: str, *, sibling: bool) -> tuple[int, os.stat_result] | int:
        """Open ``path`` and check what the descriptor names: (fd, stat) of a regular file this response may send,
        else the status refusing it."""
        flags = _OPEN_FLAGS if not sibling or self._sibling_links else _OPEN_FLAGS | _NOFOLLOW
        try:
            if not sibling and not stat.S_ISREG(os.stat(path).st_mode):
                # aiohttp 3's check, by name: a special file is refused without being opened at all. What is
                # opened is checked again below, on its descriptor, for a file swapped in after this stat.
                return 403
            fd = os.open(path, flags)
        except (FileNotFoundError, NotADirectoryError):
            return 404
        except PermissionError:
            return 403
        except OSError as exc:
            # ELOOP (a symlink loop, or a sibling that is a symlink under O_NOFOLLOW), ENAMETOOLONG: aiohttp 3
            # answers any other failure to open with 404.
            return 403 if exc.errno in _SPECIAL_ERRNOS else 404
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                return 403
            root = self._root
            if root is not None and not is_under(opened_path(fd, path), root):
                os.close(fd)
                return 404  # as StaticRoute answers a name leading out of its root
        except BaseException:
            os.close(fd)
            raise
        return fd, st

    # -- answering --------------------------------------------------------------------------------------------

    async def _answer(self, request: Any, fileobj: Any, st: os.stat_result) -> None:
        headers = self._headers
        size = st.st_size
        etag = f'"{st.st_mtime_ns:x}-{size:x}"'
        mtime = int(st.st_mtime)
        headers["ETag"] = etag
        headers["Last-Modified"] = formatdate(mtime, usegmt=True)
        headers["Accept-Ranges"] = "bytes"
        req = request.headers
        method = request.method
        # RFC 9110 §13.2.2: evaluate preconditions in this order; If-Match hides If-Unmodified-Since, and
        # If-None-Match hides If-Modified-Since.
        if_match = req.get("If-Match")
        ius = _http_date_ts(req.get("If-Unmodified-Since")) if if_match is None else None
        if (if_match is not None and not _etag_in(if_match, etag, weak=False)) or (ius is not None and mtime > ius):
            return await self._empty(request, 412)
        inm = req.get("If-None-Match")
        if inm is not None and _etag_in(inm, etag, weak=True):
            # RFC 9110 §13.1.2: 304 for GET and HEAD, 412 for any other method.
            return await self._empty(request, 304 if method in ("GET", "HEAD") else 412)
        if inm is None and method in ("GET", "HEAD"):
            ims = _http_date_ts(req.get("If-Modified-Since"))
            if ims is not None and mtime <= ims:
                return await self._empty(request, 304)
        start, count = 0, size
        range_header = req.get("Range")
        if range_header is not None and method in ("GET", "HEAD"):
            if_range = req.get("If-Range")
            if if_range is not None:
                if_range = if_range.strip()
                if if_range.startswith('"') or if_range.startswith("W/"):
                    fresh = if_range == etag  # strong comparison (RFC 9110 §13.1.5)
                else:
                    fresh = _http_date_ts(if_range) == mtime  # an exact match of Last-Modified (§13.1.5)
            else:
                fresh = True
            rng = parse_range(range_header, size) if fresh else None
            if rng is False:
                headers["Content-Range"] = f"bytes */{size}"
                return await self._empty(request, 416)
            if rng:
                start, end = rng  # type: ignore[misc]
                count = end - start + 1
                self.set_status(206)
                headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        if "Content-Type" not in headers:
            ctype, compression = _guess_type(self._path)
            if compression is not None:
                ctype = _COMPRESSED_TYPES.get(compression, "application/octet-stream")
            headers["Content-Type"] = ctype or "application/octet-stream"
        headers["Content-Length"] = str(count)
        await self._start_hooked(request)
        if method != "HEAD" and count:
            await send_file(self, request, fileobj, start, count, self._chunk_size)

    async def _empty(self, request: Any, status: int) -> None:
        self.set_status(status)
        self._headers["Content-Length"] = "0"
        await self._start_hooked(request)

    async def _start_hooked(self, request: Any) -> None:
        # aiohttp's FileResponse ends in StreamResponse.prepare(): the on_response_prepare callbacks run for a file
        # too, and see its fields (Content-Type, Content-Length, ETag) before the head goes out.
        await request._prepare_hook(self)
        self.start(request)


def opened_path(fd: int, path: str) -> str | None:
    """The real path of the file open as ``fd`` (opened by the name ``path``), or None if it cannot be told.

    Linux names it in ``/proc/self/fd`` and macOS through ``F_GETPATH``, both about the descriptor itself. Elsewhere
    the resolved ``path`` stands for it if it still names the same file (device and inode).
    """
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        pass
    import fcntl

    if hasattr(fcntl, "F_GETPATH"):
        try:
            return os.fsdecode(fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024)).rstrip(b"\0"))
        except OSError:
            return None
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return None
    fst = os.fstat(fd)
    return real if (st.st_dev, st.st_ino) == (fst.st_dev, fst.st_ino) else None


def is_under(path: str | None, root: str) -> bool:
    """Is the real path ``path`` ``root`` or below it (``root`` real, without a trailing slash but ``/``)?"""
    if path is None:
        return False
    return path == root or path.startswith(root if root.endswith("/") else root + "/")


def _add_vary(headers: Any) -> None:
    vary = headers.get("Vary")
    if vary is None:
        headers["Vary"] = "Accept-Encoding"
    elif not any(item.strip().lower() in ("accept-encoding", "*") for item in vary.split(",")):
        headers["Vary"] = f"{vary}, Accept-Encoding"


def _preferred_codings(header: str) -> list[str]:
    """The codings of our siblings the client accepts (RFC 9110 §12.5.3), the most preferred first."""
    weights: dict[str, float] = {}
    for item in header.lower().split(","):
        name, _, params = item.partition(";")
        name = name.strip()
        if name == "x-gzip":
            name = "gzip"  # RFC 9110 §8.4.1.3
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0  # a malformed weight: do not guess that the client takes this coding
        weights[name] = q
    star = weights.get("*", 0.0)
    ranked = [(weights.get(coding, star), -i, coding) for i, (_, coding) in enumerate(_SIBLINGS)]
    return [coding for q, _, coding in sorted(ranked, reverse=True) if q > 0]


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
    """A single ``bytes=`` range against ``size``: (start, end inclusive), None to ignore, False to answer 416.

    A unit other than bytes is ignored and the whole file is sent (RFC 9110 §14.2: an origin server MUST ignore a
    range unit it does not understand), and so is a list of several ranges (§14.2 lets a server ignore Range; 416
    would call ranges unsatisfiable that are not). An invalid ``bytes`` range (``5-2``, ``a-b``, ``-``) is
    rejected with 416, as aiohttp 3 rejects it (§14.2 lets a server ignore or reject it), and so is one that
    starts past the end (§14.1.1).
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return False
    first, last = first.strip(), last.strip()
    # ASCII digits only (RFC 9110 §14.1.1 ``1*DIGIT``): str.isdigit() also takes "²", which int() refuses.
    if not (first == "" or (first.isascii() and first.isdigit())) or not (
        last == "" or (last.isascii() and last.isdigit())
    ):
        return False
    if first == "":
        if last == "":
            return False
        suffix = int(last)
        if suffix == 0 or size == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return False  # invalid (RFC 9110 §14.1.1)
    if start >= size:
        return False
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


async def send_file(
    response: StreamResponse, request: Any, fileobj: Any, offset: int, count: int, chunk_size: int
) -> None:
    """Send ``count`` bytes of ``fileobj`` from ``offset`` after the head of a started ``response``."""
    # A body compressed on the way out (enable_compression()) is not the file's bytes: it is read and written.
    if response._compressor is None and await response._exchange.sendfile(fileobj, offset, count):
        if response._length_left is not None:
            # The bytes went past write(): counted here (a file that ended early raised ConnectionResetError).
            response._length_left = max(0, response._length_left - count)
        return
    fileobj.seek(offset)
    while count > 0:
        chunk = fileobj.read(min(chunk_size, count))
        if not chunk:
            raise ConnectionResetError("file shrank while being sent")
        count -= len(chunk)
        await response.write(chunk)

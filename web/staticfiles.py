"""Static files: :class:`StaticRoute` (``router.add_static``); each file goes out as a :class:`FileResponse`.

Safety rules, checked in this order on the file name taken from the URL (already percent-decoded once; a
``%252e`` stays ``%2e`` and names no dot):

1. NUL bytes and backslashes are refused: no file name on disk needs them and they confuse OS calls.
2. A ``..`` segment or an absolute name (``//etc/passwd``) is refused: no traversal in any spelling.
3. The resolved real path must stay under the root, unless ``follow_symlinks=True`` lets a symlink placed in the
   root by its owner lead elsewhere.
4. Directories answer 403 unless ``show_index=True``; anything but a regular file answers 403 (a FIFO would
   block the worker on open).

What rules 1-3 refuse answers 404, as aiohttp 3 answers it: the answer does not tell whether anything exists
outside the root.

Rule 3 is checked again on what is actually opened, after it is opened: FileResponse compares the real path of
each descriptor it opens (the file, a ``.br``/``.gz`` sibling) with the root, and the directory listing does the
same with the directory's descriptor and lists that descriptor. A path swapped for a symlink out between the check
and the open, or a sibling that is such a link, is never read.

What a file answers (validators, conditionals, ranges, precompressed siblings, sendfile) is FileResponse's
business: see ``web.fileresponse``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from yarl import URL

from .exceptions import HTTPForbidden, HTTPNotFound
from .fileresponse import CHUNK_SIZE as CHUNK_SIZE
from .fileresponse import FileResponse as FileResponse
from .fileresponse import is_under, opened_path
from .fileresponse import parse_range as parse_range
from .resources import AbstractResource
from .response import Response, StreamResponse
from .routes import Query, Route, requote_path

__all__ = ["FileResponse", "StaticRoute"]


class StaticRoute(Route):
    """Route serving the files under ``directory`` at URL ``prefix``, created by ``router.add_static``."""

    __slots__ = (
        "_append_version",
        "_chunk_size",
        "_directory",
        "_follow_symlinks",
        "_prefix",
        "_routes",
        "_show_index",
    )

    #: The query parameter ``url_for(..., append_version=True)`` puts the file's hash in (aiohttp's ``?v=``).
    VERSION_KEY = "v"

    def __init__(
        self,
        prefix: str,
        directory: str | os.PathLike[str],
        *,
        name: str | None = None,
        show_index: bool = False,
        follow_symlinks: bool = False,
        chunk_size: int = CHUNK_SIZE,
        append_version: bool = False,
    ) -> None:
        super().__init__("GET", self._handle, name)
        self._methods = frozenset(("GET", "HEAD"))
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"prefix should start with '/': {prefix!r}")
        self._prefix = prefix.rstrip("/")
        try:
            root = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            # aiohttp's words ("does not exist"), which code and tests match.
            raise ValueError(f"no directory {directory!r}: it does not exist") from exc
        if not root.is_dir():
            raise ValueError(f"{directory!r} is not a directory")
        self._directory = root
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._chunk_size = chunk_size
        self._append_version = append_version
        # aiohttp 3's StaticResource._routes, by method (aiohttp-cors reads it): the route itself answers GET and
        # HEAD; set_options_route() adds OPTIONS.
        self._routes: dict[str, Route] = {"GET": self, "HEAD": self}
        # aiohttp's route of a static resource has it as its _resource: the route is its own (web.StaticResource
        # is this class), so ``isinstance(route._resource, web.StaticResource)`` tells a static route, as there.
        self._resource = self

    def set_options_route(self, handler: Any) -> None:
        """aiohttp 3's: answer OPTIONS for the files under the prefix with ``handler`` (aiohttp-cors adds its CORS
        preflight handler to a static resource this way). The route is a route of this resource, added to the end
        of the router's table as ``resource.add_route`` adds its routes; a second call raises RuntimeError, as
        does a call before the resource is in a router or once the application serves requests."""
        if "OPTIONS" in self._routes:
            raise RuntimeError("OPTIONS route was set already")
        router = self._owner
        if router is None:
            raise RuntimeError("add the static resource to a router (router.add_static) before its OPTIONS route")
        route = _StaticMethodRoute(self, "OPTIONS", handler)
        router.register_route(route)
        self._routes["OPTIONS"] = route

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def canonical(self) -> str:
        """The URL prefix, behind any sub-application's (aiohttp 3's ``StaticResource.canonical``)."""
        return self._url_prefix() + self._prefix

    async def resolve(self, request: Any) -> tuple[Any, set[str]]:
        """aiohttp 3's ``StaticResource.resolve``: ``(match_info, allowed_methods)`` for ``request``, the match info's
        ``filename`` the path below the prefix; ``(None, allowed)`` for a method no route of it answers (GET, HEAD,
        OPTIONS once :meth:`set_options_route` added it), ``(None, set())`` for a path outside the prefix, once its
        dot segments are resolved (``/st/../x`` is not under ``/st``). The router does not call it."""
        path = request.rel_url.path_safe
        prefix = self.canonical
        normalized = posixpath.normpath(path)  # a string operation, no file system call
        if not normalized.startswith(prefix + "/") and normalized != prefix:
            return None, set()
        allowed = set(self._routes)
        route = self._routes.get(request.method)
        if route is None:
            return None, allowed
        from .router import UrlMappingMatchInfo

        return UrlMappingMatchInfo({"filename": unquote(path[len(prefix) + 1 :])}, route), allowed

    @property
    def directory(self) -> Path:
        return self._directory

    def match(self, path: str) -> dict[str, str] | None:
        prefix = self._prefix
        if not path.startswith(prefix):
            return None
        if len(path) == len(prefix):
            # The prefix itself names the root (aiohttp 3): its listing with show_index, else 403.
            return {"filename": ""} if prefix else None
        if path[len(prefix)] != "/":
            return None
        value = path[len(prefix) + 1 :]
        if "%" in value:
            value = unquote(value)
        return {"filename": value}

    def url(self, *, filename: str | os.PathLike[str], query: Query = None) -> str:
        """URL of ``filename``: ``url(filename='img/logo.png', query={'param': 1})`` is
        ``'/path/to/static/img/logo.png?param=1'`` for the prefix ``/path/to/static``."""
        url = requote_path(self._prefix) + "/" + quote(str(filename).lstrip("/"), safe="/")
        if query:
            url += "?" + urlencode(query)  # type: ignore[arg-type]
        return url

    def url_for(  # type: ignore[override]
        self, *, filename: str | os.PathLike[str], append_version: bool | None = None
    ) -> URL:
        """aiohttp 3's: the ``yarl.URL`` of ``filename``. With ``append_version`` (by default the route's, from
        ``add_static(append_version=...)``) its query is ``v=`` the file's SHA-256 in URL-safe base64, a cache
        buster that changes with the file's content; a file that does not exist, or that lies outside the
        directory (through a symlink too, unless ``follow_symlinks``), gets none, as in aiohttp."""
        url = URL(self._url_prefix() + self.url(filename=filename), encoded=True)
        if append_version is None:
            append_version = self._append_version
        if not append_version:
            return url
        unresolved = self._directory.joinpath(str(filename).lstrip("/"))
        try:
            if self._follow_symlinks:
                normalized = Path(os.path.normpath(unresolved))
                normalized.relative_to(self._directory)
                path = normalized.resolve()
            else:
                path = unresolved.resolve()
                path.relative_to(self._directory)
        except (ValueError, OSError):
            return url
        if not path.is_file():
            return url
        digest = hashlib.sha256(path.read_bytes()).digest()
        return url.with_query({self.VERSION_KEY: base64.urlsafe_b64encode(digest).decode("ascii")})

    def literal_prefix(self) -> tuple[str, ...]:
        return tuple(self._prefix.split("/")[1:])

    def freeze(self) -> None:
        """aiohttp 3's resource hook, called when the router freezes: nothing to finish for a static route."""
        return None

    def get_info(self) -> dict[str, Any]:
        # Behind a sub-application's prefix, as aiohttp's StaticResource gives it once add_subapp() prefixed it.
        return {"directory": self._directory, "prefix": self._url_prefix() + self._prefix, "routes": self._routes}

    def __repr__(self) -> str:
        # aiohttp's StaticResource's: the route's handler is its own bound method, whose repr is this one, so
        # Route's "<... -> handler>" would recurse (aiohttp-debugtoolbar's routes panel prints repr(handler)).
        name = "'" + self.name + "'" if self.name is not None else ""
        return f"<StaticResource {name} {self._prefix} -> {self._directory!r}>"

    def __iter__(self) -> Iterator[Route]:
        """A static route is its own resource (aiohttp's ``StaticResource``): its routes are itself, for GET and
        HEAD, and the OPTIONS route :meth:`set_options_route` adds."""
        return iter(dict.fromkeys(self._routes.values()))

    def __len__(self) -> int:
        return len(set(self._routes.values()))

    def resolve_file(self, filename: str) -> Path:
        """The real path ``filename`` names under the root; raises HTTPNotFound/HTTPForbidden per the rules."""
        if "\x00" in filename or "\\" in filename:
            raise HTTPNotFound()
        segments = filename.split("/")
        if filename.startswith("/") or ".." in segments:
            raise HTTPNotFound()
        root = self._directory
        unresolved = root.joinpath(*[s for s in segments if s not in ("", ".")])
        try:
            try:
                real = unresolved.resolve(strict=True)
            except FileNotFoundError:
                # A file may exist only precompressed (``name.gz``, sent to clients that take gzip): its
                # directory must exist, its own name is FileResponse's to look for.
                real = unresolved.parent.resolve(strict=True) / unresolved.name
        except (FileNotFoundError, NotADirectoryError):
            raise HTTPNotFound() from None
        except PermissionError:
            raise HTTPForbidden() from None
        except (OSError, RuntimeError, ValueError):  # ELOOP, ENAMETOOLONG, symlink loops
            raise HTTPNotFound() from None
        if not self._follow_symlinks and not real.is_relative_to(root):
            raise HTTPNotFound()
        return real

    async def _handle(self, request: Any) -> StreamResponse:
        real = self.resolve_file(request.match_info["filename"])
        try:
            is_dir = real.is_dir()  # False for a missing name: maybe only precompressed, FileResponse looks
        except PermissionError:
            raise HTTPForbidden() from None  # a directory on the way the worker may not search
        except OSError:
            raise HTTPNotFound() from None
        if is_dir:
            if self._show_index:
                filename = request.match_info["filename"]
                relative = "/".join(s for s in filename.split("/") if s not in ("", ".")) or "."
                return Response(text=self._index_html(relative, real), content_type="text/html")
            raise HTTPForbidden()
        # Returned unprepared, as any handler's FileResponse: the handler machinery prepares it after the
        # middlewares had their say. FileResponse checks every file it opens, on the descriptor it opened: a
        # regular file, and under the root unless follow_symlinks.
        response = FileResponse(real, chunk_size=self._chunk_size)
        if not self._follow_symlinks:
            response._root = str(self._directory)
        response._sibling_links = True
        return response

    def _index_html(self, relative: str, directory: Path) -> str:
        """The listing of ``directory``, read from a descriptor checked to be under the root (as FileResponse
        checks files), so a directory swapped for a link out after resolve_file() is not listed: 404 then, 403
        for a directory the worker may not read."""
        try:
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError):
            raise HTTPNotFound() from None
        except PermissionError:
            raise HTTPForbidden() from None  # unreadable, like any file the worker may not read
        try:
            if not self._follow_symlinks and not is_under(opened_path(fd, str(directory)), str(self._directory)):
                raise HTTPNotFound()
            listed = _list_directory(fd)
        except PermissionError:
            raise HTTPForbidden() from None
        finally:
            os.close(fd)
        # aiohttp 3's page, byte for byte: the title names the directory under the root, each link the full path.
        title = f"Index of /{html.escape(relative)}"
        items = []
        for name, is_dir in listed:
            path = f"{self._prefix}/{name}" if relative == "." else f"{self._prefix}/{relative}/{name}"
            href = URL.build(path=path, encoded=False).raw_path
            items.append(f'<li><a href="{href}">{html.escape(name + "/" if is_dir else name)}</a></li>')
        ul = "<ul>\n{}\n</ul>".format("\n".join(items))
        return f"<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n{ul}\n</body>\n</html>"


class _StaticMethodRoute(Route):
    """A route of a :class:`StaticRoute` for one more method (OPTIONS, see :meth:`StaticRoute.set_options_route`):
    it matches what the static route matches, with the same ``filename``, and its resource is the static route."""

    __slots__ = ("_static",)

    def __init__(self, static: StaticRoute, method: str, handler: Any) -> None:
        super().__init__(method, handler, static.name)
        self._static = static
        self._resource = static

    def match(self, path: str) -> dict[str, str] | None:
        return self._static.match(path)

    def url(self, *, filename: str | os.PathLike[str], query: Query = None) -> str:
        return self._static.url(filename=filename, query=query)

    def literal_prefix(self) -> tuple[str, ...]:
        return self._static.literal_prefix()

    def get_info(self) -> dict[str, Any]:
        return self._static.get_info()

    def __repr__(self) -> str:
        # aiohttp's ResourceRoute's: naming the resource, whose get_info() lists this route.
        return f"<ResourceRoute [{self.method}] {self._static!r} -> {self.handler!r}"


# Linux names every open descriptor in /proc/self/fd; a path through it reaches the file opened, not whatever the
# name it was opened by leads to now.
_PROC_FD = os.path.isdir("/proc/self/fd")


AbstractResource.register(StaticRoute)


def _list_directory(fd: int) -> list[tuple[str, bool]]:
    """(name, is a directory) of each entry of the directory open as ``fd``, sorted by name.

    Listed as aiohttp 3 lists, with ``Path.iterdir()``, but on the descriptor's own path in ``/proc/self/fd``, so
    the directory listed is the one opened and checked; with ``os.scandir(fd)`` where there is no ``/proc``.
    """
    if _PROC_FD:
        return sorted((entry.name, entry.is_dir()) for entry in Path(f"/proc/self/fd/{fd}").iterdir())
    with os.scandir(fd) as entries:
        return sorted((entry.name, entry.is_dir()) for entry in entries)

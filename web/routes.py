"""Route classes of the default router: what one entry of the route table matches and how it builds URLs.

A route knows its method, its handler and its name; ``match(path)`` answers a dict of the path's parts (or None)
and ``url(...)`` builds a URL that comes back to the route. The :class:`~web.router.UrlDispatcher` owns the
order of the table and the indexes that keep lookups fast; routes never look at each other.

Paths given to ``match`` are *routing paths*: percent-decoded, except that ``%2F`` and ``%25`` stay encoded, so
that an encoded slash inside a dynamic part is neither a segment separator nor lost (see :func:`routing_path`).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
import sys
import types
import warnings
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, unquote, urlencode

from yarl import URL

from .abc import Handler

__all__ = [
    "DynamicRoute",
    "PlainRoute",
    "Route",
    "RouteError",
    "check_handler",
    "default_expect_handler",
    "handler_place",
    "routing_path",
]

Query = Mapping[str, Any] | Iterable[tuple[str, Any]] | None

# Method names are HTTP tokens (RFC 9110 §5.6.2); '*' is the aiohttp 0.14 API's "any method".
_METHOD_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# A variable part: ``{name}`` or ``{name:regex}``; the regex may itself contain ``{m,n}`` quantifiers.
_PART_RE = re.compile(r"(\{[_a-zA-Z][^{}]*(?:\{[^{}]*\}[^{}]*)*\})")
_VAR_RE = re.compile(r"^\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*)\}$")
_VAR_WITH_RE = re.compile(r"^\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*):(?P<re>.+)\}$")
# The default part is one path segment; braces are excluded as aiohttp does.
_GOOD_PART = r"[^{}/]+"
# Kept encoded by routing_path: decoding them would change the path's structure (%2F) or decode twice (%25).
_KEEP_ENCODED_RE = re.compile(r"(%2[fF5])")


class RouteError(ValueError):
    """A route definition breaks a rule: bad method, a path not starting with '/', a malformed ``{part}``."""


def routing_path(raw_path: str) -> str:
    """The path the router matches: the request-target's path, percent-decoded except for ``%2F`` and ``%25``.

    ``raw_path`` is the path as sent (a query string, if present, is dropped). Decoding happens once, here; the
    two escapes kept are decoded in each matched dynamic part, after the split into segments.
    """
    q = raw_path.find("?")
    if q != -1:
        raw_path = raw_path[:q]
    if not raw_path.isascii():
        # The server decodes the request-target as latin-1; raw non-ASCII bytes in a path are UTF-8 in practice.
        try:
            raw_path = raw_path.encode("latin-1").decode("utf-8", "replace")
        except UnicodeEncodeError:
            pass  # already decoded as text
    if "%" not in raw_path:
        return raw_path
    pieces = _KEEP_ENCODED_RE.split(raw_path)
    # pieces alternate text, kept escape, text, ...: decode only the text pieces.
    for i in range(0, len(pieces), 2):
        pieces[i] = unquote(pieces[i])
    for i in range(1, len(pieces), 2):
        pieces[i] = pieces[i].upper()
    return "".join(pieces)


def _check_method(method: str) -> str:
    if not isinstance(method, str) or not _METHOD_RE.match(method):
        raise RouteError(f"bad HTTP method {method!r}: it must be a token (RFC 9110 §9.1) or '*'")
    return method.upper()


_FIX = "make it async def handler(request) returning a web.Response"


def handler_place(handler: Any) -> str:
    """``name (file:line)`` of a handler: the user's own function, also when wrapped (``functools.wraps``)."""
    try:
        func = inspect.unwrap(handler)
    except ValueError:  # a __wrapped__ cycle
        func = handler
    name = getattr(func, "__qualname__", None) or repr(func)
    code = getattr(func, "__code__", None)
    return f"{name} ({code.co_filename}:{code.co_firstlineno})" if code is not None else name


def _code_flags(func: Any) -> int:
    """The code flags of a function, also through ``functools.partial`` and bound methods (not ``__wrapped__``)."""
    while True:
        if isinstance(func, functools.partial):
            func = func.func
        elif inspect.ismethod(func):
            func = func.__func__
        else:
            return int(func.__code__.co_flags)


class ExpectHandlerError(TypeError, AssertionError):
    """An ``expect_handler`` that is not a coroutine function: a TypeError, and the AssertionError aiohttp 3 raises
    (it asserts the handler's kind), so code written against either catches it."""


def check_expect_handler(expect_handler: Any) -> None:
    """Refuse an ``expect_handler`` that is not a coroutine function, with aiohttp's words: it is awaited, as
    ``await expect_handler(request)``, for each request with ``Expect: 100-continue``."""
    if inspect.iscoroutinefunction(expect_handler):
        return
    if sys.version_info < (3, 14) and asyncio.iscoroutinefunction(expect_handler):
        return  # one marked as a coroutine function the way asyncio reads it (a mock's), as aiohttp accepts
    raise ExpectHandlerError(f"Coroutine is expected, got {expect_handler!r}")


async def default_expect_handler(request: Any) -> None:
    """The answer to ``Expect`` of a route without an ``expect_handler`` of its own (aiohttp 3's default): for an
    HTTP/1.1 request expecting ``100-continue``, the ``100 Continue`` goes out when the handler first reads the body,
    not now, so that a handler answering without the body never invites it (RFC 9110 §10.1.1); any other
    expectation raises ``HTTPExpectationFailed`` (417), with aiohttp's text. (The server answers 417 itself to a
    request on the wire with another expectation, before any handler: RFC 9110 §10.1.1.)"""
    expect = request.headers.get("Expect", "")
    if (request.version.major, request.version.minor) == (1, 1) and expect.lower() != "100-continue":
        from .exceptions import HTTPExpectationFailed

        raise HTTPExpectationFailed(text=f"Unknown Expect: {expect}")


def check_handler(method: str, path: str, handler: Any) -> None:
    """Refuse, when the route is added, a handler that could only fail at request time.

    Every handler is called as ``handler(request)`` and must give (or be awaited for) a response. An async
    generator function gives an async generator, which is not awaitable. The error names the route, the handler's
    ``file:line`` and the fix. (A bare generator function is taken: see :func:`wrap_handler`.)

    The handler's signature is not judged, as aiohttp does not judge it: what serves a request is whatever the route
    holds by then, and a library may call what it added with other arguments. aiohttp-deps registers handlers that
    take their dependencies, not the request, and sets ``route._handler`` to its own caller in its ``on_startup``
    hook; aiohttp-swagger3 adds a ``(request, pet_id)`` handler, which it calls with the parsed parameters; a
    decorator's wrapper (``functools.wraps``) may call the function it wraps with other arguments than the request
    (aiohttp_validate passes the decoded body too). Such a handler left in place fails when a request reaches it.
    """
    route = f"{method.upper() if isinstance(method, str) else method} {path}"
    if not callable(handler):
        raise TypeError(
            f"handler must be callable, got {handler!r} for {route}: pass the handler function itself, "
            f"e.g. add_route({method!r}, {path!r}, handler)"
        )
    if inspect.isasyncgenfunction(handler):
        problem = "is an async generator function (it yields), which cannot be awaited for a response"
        raise TypeError(f"handler {handler_place(handler)} for {route} {problem}; {_FIX}")


def wrap_handler(handler: Any) -> Handler:
    """Return ``handler`` as a coroutine function; a regular function is converted, as the aiohttp 0.14 API says."""
    if not callable(handler):
        raise TypeError(f"handler must be callable, got {handler!r}")
    if inspect.iscoroutinefunction(handler):
        return handler  # type: ignore[no-any-return]
    if _is_view(handler):
        # A view class stays the route's handler, as in aiohttp 3 (aiohttp-cors tells a view's route by it): calling
        # it with the request builds the view, and awaiting the view gives the response.
        return handler  # type: ignore[no-any-return]
    if inspect.isgeneratorfunction(handler) and not _code_flags(handler) & inspect.CO_ITERABLE_COROUTINE:
        # aiohttp 3 deprecates a bare generator function with this warning. The aiohttp 0.14 API converts a regular
        # function to a coroutine, which made such a function (``yield from`` inside) a generator-based coroutine:
        # types.coroutine does that here, so the generator is awaited rather than failing the request.
        warnings.warn("Bare generators are deprecated, use @coroutine wrapper", DeprecationWarning, stacklevel=3)
        generator = types.coroutine(handler)

        @functools.wraps(handler)
        async def generator_handler(request: Any) -> Any:
            return await generator(request)

        return generator_handler
    # aiohttp 3 deprecates regular-function handlers with this warning; they keep working, as the aiohttp 0.14 API
    # defines them.
    warnings.warn("Bare functions are deprecated, use async ones", DeprecationWarning, stacklevel=3)

    @functools.wraps(handler)
    async def coroutine_handler(request: Any) -> Any:
        result = handler(request)
        # A regular function may still return an awaitable (e.g. an aiohttp 0.14-era generator-based coroutine).
        if inspect.isawaitable(result):
            result = await result
        return result

    return coroutine_handler


def _is_view(handler: Any) -> bool:
    from .views import AbstractView

    return isinstance(handler, type) and issubclass(handler, AbstractView)


def _append_query(url: str, query: Query, *, slash: bool) -> str:
    if not query:
        return url
    if slash and not url.endswith("/"):
        url += "/"
    return url + "?" + urlencode(query)  # type: ignore[arg-type]


class Route:
    """Base class for routes served by :class:`~web.router.UrlDispatcher`.

    ``method`` is the HTTP method handled (e.g. ``'GET'``; ``'*'`` for any), ``handler`` the coroutine that
    processes the route, ``name`` the route's name or None.
    """

    # __dict__: attributes of an application's or a library's own can be set on a route, as on aiohttp's.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_handler",
        "_index",
        "_methods",
        "_owner",
        "_resource",
        "expect_handler",
        "method",
        "name",
    )

    #: True for the routes that hand requests to a sub-application (``web.subapp``).
    _nested = False

    def __init__(self, method: str, handler: Any, name: str | None) -> None:
        self.method = _check_method(method)
        # aiohttp 3's slot: a request is served by whatever it holds then. Libraries replace it to wrap every
        # handler once the routes are in (aiohttp-deps' on_startup init: route._handler = InjectableFuncHandler(...)).
        self._handler: Handler = wrap_handler(handler)
        self.name = name
        # None means any method; otherwise a set, so routes answering several methods (static: GET and HEAD)
        # are checked with the same cheap membership test.
        self._methods: frozenset[str] | None = None if self.method == "*" else frozenset((self.method,))
        self._index = -1  # position in the router's table, set when added
        self._owner: Any = None  # the router, set when added
        self._resource: Any = None  # the web.resources.Resource holding the route, if any
        #: aiohttp 3's handler for ``Expect: 100-continue`` (see ``UrlDispatcher.add_route``), or None.
        self.expect_handler: Any = None

    @property
    def handler(self) -> Handler:
        """The coroutine that processes the route (read-only, as aiohttp 3's ``route.handler``)."""
        return self._handler

    @property
    def resource(self) -> Any:
        """aiohttp 3's resource of the route: the ``web.resources.Resource`` holding it (``router.add_route()`` and
        ``resource.add_route()`` make one); a static or sub-application route, or a route built by hand and given
        to ``register_route``, is its own resource."""
        resource = getattr(self, "_resource", None)  # unset on a subclass that skips Route.__init__
        return self if resource is None else resource

    @property
    def canonical(self) -> str:
        """The route's path with its ``{parts}`` (without their regexes), as aiohttp's ``resource.canonical``."""
        path = getattr(self, "formatter", None) or str(getattr(self, "path", ""))
        return self._url_prefix() + path

    def _url_prefix(self) -> str:
        """The prefix a parent application serves this route's application under ('' for the outermost)."""
        owner = getattr(self, "_owner", None)  # unset on a subclass that skips Route.__init__
        return owner.full_prefix() if owner is not None else ""

    def url_for(self, *args: Any, **parts: Any) -> URL:
        """aiohttp 3's URL builder: a relative ``yarl.URL`` from the route's ``{parts}`` as keyword arguments (for a
        static route, ``filename=``)."""
        return URL(self._url_prefix() + self.url(*args, **parts), encoded=True)

    def raw_match(self, path: str) -> bool:
        """True when ``path`` is the route's path as registered (aiohttp 3's ``resource.raw_match``)."""
        return path == getattr(self, "path", None)

    def match(self, path: str) -> dict[str, str] | None:
        """Return a dict of the parsed path parts for ``path``, or None if the route does not handle it."""
        raise NotImplementedError

    def url(self, *, query: Query = None, **kwargs: Any) -> str:
        """Build a URL handled by this route; ``query`` (a mapping or (name, value) pairs) is urlencoded."""
        raise NotImplementedError

    def allows(self, method: str) -> bool:
        """True if the route answers ``method``."""
        return self._methods is None or method in self._methods

    async def resolve(self, request: Any) -> tuple[Any, set[str]]:
        """aiohttp 3's lookup of a resource, for a route that is its own (built by hand, static): ``(match_info,
        allowed_methods)`` for ``request``; ``(None, set())`` for a path it does not match, ``(None, allowed)``
        for a method it does not answer. The router does not call it: it matches its table (see web.router)."""
        path = below_prefix(request.rel_url.path_safe, self._url_prefix())
        parts = None if path is None else self.match(path)
        if parts is None:
            return None, set()
        allowed = set(self._methods or (self.method,))
        if not self.allows(request.method):
            return None, allowed
        from .router import UrlMappingMatchInfo

        return UrlMappingMatchInfo(parts, self), allowed

    async def handle_expect_header(self, request: Any) -> Any:
        """aiohttp 3's ``100-continue`` handler of the route: awaits the route's ``expect_handler`` with the request
        (:func:`default_expect_handler` when it has none) and returns what it returns, a response that answers the
        request instead of the handler, or None. What ``request.match_info.expect_handler`` gives for a match."""
        expect_handler = getattr(self, "expect_handler", None)  # unset on a subclass that skips Route.__init__
        return await (expect_handler or default_expect_handler)(request)

    def literal_prefix(self) -> tuple[str, ...]:
        """The leading path segments every matching path starts with (used by the router's index)."""
        return ()

    def get_info(self) -> dict[str, Any]:
        return {}

    def describe(self) -> str:
        """``METHOD path (handler (file:line))``, for messages about this route."""
        path = getattr(self, "path", None)
        if path is None:
            info = self.get_info()
            path = f"{info['prefix']}/" if "prefix" in info else str(info)
        return f"{self.method} {path} ({handler_place(self.handler)})"

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"<{type(self).__name__}{name} [{self.method}] {self.get_info()} -> {self.handler!r}>"


class PlainRoute(Route):
    """Route for a plain URL path, e.g. ``"/a/b/c"``."""

    __slots__ = ("path",)

    def __init__(self, method: str, handler: Any, name: str | None, path: str) -> None:
        super().__init__(method, handler, name)
        self.path = path

    def match(self, path: str) -> dict[str, str] | None:
        return {} if path == self.path else None

    def url(self, *, query: Query = None) -> str:
        """Build the route's URL; takes no parts.

        aiohttp 0.14 documents ``route.url(query={'d': 1, 'e': 2}) == '/a/b/c/?d=1&e=2'`` for the route ``/a/b/c``:
        when a query is appended, the path is given a trailing slash before the ``?``. We honour aiohttp 0.14's output
        exactly (aiohttp itself gives ``'/a/b/c?d=1&e=2'``), and the router keeps such a URL working: on a miss it
        ignores one trailing slash, so ``/a/b/c/?d=1&e=2`` is still served by ``/a/b/c``. Without a query the path
        is returned as registered.
        """
        return _append_query(self._url_prefix() + self.path, query, slash=True)

    def url_for(self) -> URL:  # type: ignore[override]
        return URL.build(path=self._url_prefix() + self.path)

    def literal_prefix(self) -> tuple[str, ...]:
        return tuple(self.path.split("/")[1:])

    def get_info(self) -> dict[str, Any]:
        # Behind a sub-application's prefix, as aiohttp's resource gives it once add_subapp() prefixed it.
        return {"path": self._url_prefix() + self.path}


class DynamicRoute(Route):
    """Route for a variable path, e.g. ``"/a/{name1}/{name2}"`` or ``"/user/{id:\\d+}"``.

    A ``{name}`` part matches one path segment; ``{name:regex}`` matches ``regex`` (which may span segments).
    Matched parts are percent-decoded.
    """

    __slots__ = ("_prefix", "formatter", "path", "pattern")

    def __init__(self, method: str, handler: Any, name: str | None, path: str) -> None:
        super().__init__(method, handler, name)
        self.path = path
        self.pattern, self.formatter, self._prefix = _compile(path)

    def match(self, path: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(path)
        if m is None:
            return None
        parts = m.groupdict()
        if "%" in path:
            for key, value in parts.items():
                if "%" in value:
                    parts[key] = unquote(value)
        return parts

    def url(self, *, parts: Mapping[str, Any], query: Query = None) -> str:
        """Build a URL from ``parts`` (each value percent-quoted, a '/' included) and an optional query.

        The aiohttp 0.14 API's example: for ``/a/{name1}/{name2}``, ``url(parts={'name1': 'b', 'name2': 'c'},
        query={'d': 1, 'e': 2})`` is ``'/a/b/c/?d=1&e=2'`` (see :meth:`PlainRoute.url` for the slash).
        """
        quoted = {key: quote(str(value), safe="") for key, value in parts.items()}
        try:
            url = self.formatter.format_map(quoted)
        except KeyError as exc:
            raise KeyError(f"missing part {exc.args[0]!r} for route {self.path!r}") from None
        return _append_query(self._url_prefix() + url, query, slash=True)

    def url_for(self, **parts: Any) -> URL:  # type: ignore[override]
        quoted = {key: quote(str(value), safe="") for key, value in parts.items()}
        try:
            url = self.formatter.format_map(quoted)
        except KeyError as exc:
            raise KeyError(f"missing part {exc.args[0]!r} for route {self.path!r}") from None
        return URL(self._url_prefix() + url, encoded=True)

    def literal_prefix(self) -> tuple[str, ...]:
        return self._prefix

    def tail_part(self) -> tuple[str, str] | None:
        """``(head, name)`` when the route's path is ``head/{name}``: one part, of the default regex, that is the
        whole last segment; None for any other shape. Such a route matches exactly the paths ``head/segment``
        with ``segment`` non-empty and free of ``/``, ``{`` and ``}`` (the router's tail table relies on it)."""
        head, slash, last = self.path.rpartition("/")
        var = _VAR_RE.fullmatch(last)
        if not slash or var is None or "{" in head or "}" in head:
            return None
        name = var.group("var")
        # The regex _compile built from that path; a route whose pattern was replaced is left to the regex.
        if self.pattern.pattern != f"{re.escape(head + '/')}(?P<{name}>{_GOOD_PART})":
            return None
        return head, name

    def get_info(self) -> dict[str, Any]:
        return prefixed_info(self._url_prefix(), self.pattern, self.formatter)


def prefixed_info(prefix: str, pattern: re.Pattern[str], formatter: str) -> dict[str, Any]:
    """A dynamic path's ``get_info()`` behind a sub-application's ``prefix``, as aiohttp's ``add_prefix`` leaves
    its resource: the pattern and the formatter both start with the prefix (aiohttp-pydantic's OpenAPI paths)."""
    if prefix:
        pattern = re.compile(re.escape(prefix) + pattern.pattern)
        formatter = prefix.replace("{", "{{").replace("}", "}}") + formatter
    return {"pattern": pattern, "formatter": formatter}


def below_prefix(path: str, prefix: str) -> str | None:
    """``path`` (a whole routing path, as ``request.rel_url.path_safe``) below ``prefix``, the path prefix a
    sub-application is served under (``''`` for the outermost application); None when it is not below it."""
    if not prefix:
        return path
    if not path.startswith(prefix):
        return None
    return path[len(prefix) :]


def requote_path(value: str) -> str:
    """A registered path's literal text as it goes into a URL: what a path may not hold as it is (non-ASCII, a
    space...) percent-encoded, the %-sequences it has kept, as aiohttp's ``_requote_path`` does."""
    return quote(value, safe="/%!$&'()*+,;=:@")


def _compile(path: str) -> tuple[re.Pattern[str], str, tuple[str, ...]]:
    """Compile a dynamic path to (regex, str.format template, leading literal segments)."""
    regex = ""
    formatter = ""
    literal = ""
    dynamic_seen = False
    bad_part = ""
    for piece in _PART_RE.split(path):
        m = _VAR_RE.match(piece) or _VAR_WITH_RE.match(piece)
        if m is not None:
            var = m.group("var")
            part_re = m.groupdict().get("re") or _GOOD_PART
            try:
                re.compile(part_re)
            except re.error as exc:
                bad_part = bad_part or f"bad regex {part_re!r} for part {{{var}}} of {path!r}: {exc}"
            regex += f"(?P<{var}>{part_re})"
            formatter += "{" + var + "}"
            dynamic_seen = True
            continue
        if "{" in piece or "}" in piece:
            raise RouteError(f"bad pattern {path!r}: unmatched or malformed brace in {piece!r}")
        regex += re.escape(piece)
        formatter += requote_path(piece)  # (no brace: refused above)
        if not dynamic_seen:
            literal += piece
    try:
        pattern = re.compile(regex)
    except re.error as exc:  # a part's regex, or the same part name twice
        # aiohttp's words, which code and tests match: the whole regex, then re's reason.
        raise RouteError(f"Bad pattern '{regex}': {exc}") from None
    if bad_part:
        # A part's regex that is no regex alone, though the whole compiles (``{x:a)(b}``): its parentheses would
        # reach into the pattern around it.
        raise RouteError(bad_part)
    # Only whole segments followed by a '/' in the pattern are certain to open every matching path.
    prefix = tuple(literal.split("/")[1:-1])
    return pattern, formatter, prefix


def check_path(path: Any) -> None:
    """Refuse a route path that is not a str starting with '/', or empty: aiohttp 3 takes ``''``, which matches
    no request of an outermost application and, in a sub-application, the prefix itself (``/oas`` for
    ``add_subapp('/oas', oas)``, as aiohttp-pydantic's Swagger page is routed)."""
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise RouteError(f"path should start with '/' or be empty: {path!r}")


def make_route(method: str, path: str, handler: Any, name: str | None) -> Route:
    """A PlainRoute for a path without ``{parts}``, else a DynamicRoute."""
    check_path(path)
    check_handler(method, path, handler)
    if "{" in path or "}" in path:
        return DynamicRoute(method, handler, name, path)
    return PlainRoute(method, handler, name, path)

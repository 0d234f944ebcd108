"""The three tables :class:`web.router.UrlDispatcher` answers common requests from before its lookup, each built once
per change of the route table from what the lookup would answer (tests/web/test_fast_paths_routing.py holds them
against it):

- the direct table: plain paths that are their own routing path, by method, to the route and the ``apps`` of its
  match info, sub-applications' plain routes under their prefix included (:func:`build_direct`);
- the tail table: routes ``head/{name}``, by head and method (:func:`build_tails`);
- the shape table: routes of whole segments, literals or ``{name}`` parts, ``/users/{uid}/posts/{pid}``, by segment
  count, literal segments and method (:func:`build_shapes`).

A route enters the tail and shape tables only where no route or sub-application placed before it could match its
paths; the per-request checks that remain (a plain route with the path, a segment the part's regex refuses) are
the router's (``UrlDispatcher._resolve``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .routes import _GOOD_PART, _VAR_RE, DynamicRoute, PlainRoute, Route, routing_path

if TYPE_CHECKING:
    from .router import UrlDispatcher

__all__ = ["Direct", "ShapeEntry", "Shapes", "Tails", "build_direct", "build_shapes", "build_tails"]

# path -> method -> (route, the apps of its match info).
Direct = dict[str, dict[str, tuple[Route, tuple[Any, ...]]]]
# head -> method -> (route, its part's name, whether a plain route has a path head/segment).
Tails = dict[str, dict[str, tuple[Route, str, bool]]]
# segment count -> [(literal segments of a path's segments, literals -> method -> (route, (position, name) of each
# part))].
ShapeEntry = tuple[Route, tuple[tuple[int, str], ...]]
Shapes = dict[int, list[tuple[Callable[[list[str]], Any], dict[Any, dict[str, ShapeEntry]]]]]


def build_direct(router: UrlDispatcher) -> Direct:
    """Plain paths that are their own routing path (no query, escapes or non-ASCII), by method, to the route
    ``UrlDispatcher.match_request`` answers there and the ``apps`` of its info, when that is a plain route: the
    lookup depends on nothing but the tables, so it is done once here instead of per request.

    A pattern route placed before the plain one that also matches keeps the path out; methods that only a
    ``'*'`` route answers are left to the lookup. A prefixed sub-application (of the default router) brings the
    entries of its own table under its prefix, with the applications the request goes through, when it is the
    sub-application that claims the path and no route of this table placed before it answers the path, unless its
    router awaits (``UrlDispatcher.awaits``); a path a sub-application claims is never one of this table's own
    routes. A domain's sub-application (which claims by the request's host) leaves the table empty: match_request
    decides those. The tables of the applications a router's application is nested in are rebuilt after its table
    changes (see ``UrlDispatcher.register_route``)."""
    from .router import UrlDispatcher, claiming

    direct: Direct = {}
    nested = router._nested
    if any(sub._by_host for sub in nested):
        router._tails = {}
        router._shapes = {}
        router._direct = direct
        return direct
    router._tails = build_tails(router)
    router._shapes = build_shapes(router)
    for path, routes in router._plain.items():
        if not _direct_path(path):
            continue
        if any(sub.claims(None, path) is not None for sub in nested):
            continue
        for method in {route.method for route in routes if route._methods is not None}:
            info = router._lookup(method, path)
            if info is not None and isinstance(info.route, PlainRoute):
                direct.setdefault(path, {})[method] = (info.route, ())
    for sub in nested:
        sub_router = sub.app.router
        if sub_router.__class__ is not UrlDispatcher or sub_router.awaits:
            # A router that awaits answers in UrlDispatcher.resolve, after its resources of the application's own.
            continue
        sub_direct = sub_router._direct
        if sub_direct is None:
            sub_direct = sub_router._build_direct()
        for sub_path, entries in sub_direct.items():
            path = sub.prefix + sub_path
            if not _direct_path(path):
                continue
            if claiming(nested, None, path) is not sub:
                continue  # another sub-application takes it
            for method, (route, apps) in entries.items():
                # match_request's answer: this table's own route when one asked before the sub-application
                # answers the path (with its trailing slash ignored, as on a miss).
                own = router._lookup(method, path, sub)
                if own is None and len(path) > 1 and path[-1] == "/":
                    own = router._lookup(method, path[:-1], sub)
                if own is None:
                    direct.setdefault(path, {})[method] = (route, (sub._parent, *(apps or (sub.app,))))
    router._direct = direct
    return direct


def build_tails(router: UrlDispatcher) -> Tails:
    """Routes ``head/{name}`` (a DynamicRoute whose one part, of the default regex, is its last segment), by
    head and method, where ``UrlDispatcher.match_request`` answers every path ``head/segment`` the route matches
    with that route, as long as no plain route has the path (``_resolve`` checks that one per request, under the
    heads where a plain route has a path ``head/segment``: the entry's third item).

    A route is entered for a method when it is the first route allowing the method among the pattern routes
    a path ``head/segment`` can reach in the trie (those of head's node and of its ancestors; a route of a
    node below needs a further ``/``), and when no sub-application placed before it or asked before it (see
    ``_SubAppRoute.asked_before``) could claim such a path (a prefixed one whose prefix and head overlap, or any
    other kind). Called by :func:`build_direct`
    without domain sub-applications (those leave both tables empty), so it is rebuilt when the table changes.
    """
    from .subapp import PrefixedSubAppResource

    tails: Tails = {}
    root = router._root or router._build()
    plain_heads = {path.rpartition("/")[0] for path in router._plain}
    for route in router._routes:
        # Exactly the class: a subclass may match otherwise.
        if type(route) is not DynamicRoute or route._methods is None:
            continue
        shape = route.tail_part()
        if shape is None:
            continue
        head, name = shape
        if any(
            (sub._index < route._index or sub.asked_before(route))
            and (
                sub.__class__ is not PrefixedSubAppResource
                or sub.prefix.startswith(head + "/")
                or head.startswith(sub.prefix)
            )
            for sub in router._nested
        ):
            continue
        node = root
        for segment in route.literal_prefix():
            node = node.children[segment]
        for method in route._methods:
            first = next(c for c in node.candidates if c._methods is None or method in c._methods)
            if first is route:
                tails.setdefault(head, {})[method] = (route, name, head in plain_heads)
    return tails


def build_shapes(router: UrlDispatcher) -> Shapes:
    """Routes whose path is made of whole segments, each a literal or a ``{name}`` part of the default regex
    (``/users/{uid}/posts/{pid}``; those of the tail table left out), by segment count, literal segments and
    method, where ``UrlDispatcher.match_request`` surely answers each path the route matches with that route, as
    long as no plain route has the path (``_resolve`` checks that one per request).

    Such a route matches exactly the paths of as many segments, with its literals where it has them and a
    non-empty segment free of ``{`` and ``}`` for each part. It is entered for a method when every route placed
    before it that allows the method, and every sub-application placed or asked before it, surely matches none of those
    paths: a route of the same kind with a different literal where the two have literals, or a different
    segment count; any other route or prefixed sub-application with leading segments (``literal_prefix``) that
    the route's literals contradict, or more of them than the route has segments. Called by
    :func:`build_direct` without domain sub-applications, so it is rebuilt when the table changes."""
    from .subapp import PrefixedSubAppResource

    shaped: dict[Route, list[str | None]] = {}
    by_count: dict[int, list[Route]] = {}
    # (segment count, position, literal or None) -> the routes of the kind with it, in table order.
    by_segment: dict[tuple[int, int, str | None], list[Route]] = {}
    unshaped: list[Route] = []
    for route in router._routes:
        segments = _segments(route)
        if segments is not None:
            shaped[route] = segments
            by_count.setdefault(len(segments), []).append(route)
            for position, segment in enumerate(segments):
                by_segment.setdefault((len(segments), position, segment), []).append(route)
        elif not isinstance(route, PlainRoute):
            unshaped.append(route)

    def same_kind(segments: list[str | None]) -> list[Route]:
        # The routes of the kind that can share a path with these segments: as many, and at one of its literals
        # (the rarest) the same literal or a part.
        count = len(segments)
        found = by_count[count]
        for position, segment in enumerate(segments):
            if segment is not None:
                some = by_segment.get((count, position, segment), []) + by_segment.get((count, position, None), [])
                if len(some) < len(found):
                    found = some
        return found

    def apart(other: Route, segments: list[str | None]) -> bool:
        theirs = shaped.get(other)
        if theirs is not None:
            return len(theirs) != len(segments) or any(
                a is not None and b is not None and a != b for a, b in zip(segments, theirs, strict=True)
            )
        if other._nested and other.__class__ is not PrefixedSubAppResource:
            return False
        prefix = other.literal_prefix()
        return len(prefix) > len(segments) or any(
            a is not None and a != b for a, b in zip(segments, prefix, strict=False)
        )

    groups: dict[tuple[int, tuple[int, ...]], dict[Any, dict[str, ShapeEntry]]] = {}
    for route, segments in shaped.items():
        if route._methods is None or route.tail_part() is not None:
            continue
        # The routes placed before it that may match its paths (plain routes are checked per request), found
        # through the indexes above so that building stays near linear in the number of routes.
        earlier = unshaped[: bisect_left(unshaped, route._index, key=_index_of)]
        earlier += [other for other in same_kind(segments) if other._index < route._index]
        # And the sub-applications placed after it that are asked before it (see _SubAppRoute.asked_before).
        earlier += [sub for sub in router._nested if sub._index > route._index and sub.asked_before(route)]
        # Positions in path.split("/"), whose first item is the empty text before the leading "/".
        items = ["", *segments]
        positions = tuple(i for i, segment in enumerate(items) if segment is not None)
        names = route.path.split("/")
        parts = tuple((i, names[i][1:-1]) for i, segment in enumerate(items) if segment is None)
        key = itemgetter(*positions)(items)
        for method in route._methods:
            if all(
                apart(other, segments)
                for other in earlier
                if other._nested or other._methods is None or method in other._methods
            ):
                groups.setdefault((len(items), positions), {}).setdefault(key, {})[method] = (route, parts)
    shapes: Shapes = {}
    for (count, positions), table in groups.items():
        shapes.setdefault(count, []).append((itemgetter(*positions), table))
    return shapes


def _index_of(route: Route) -> int:
    return route._index


def _segments(route: Route) -> list[str | None] | None:
    """The segments of a route of the shape table (see ``build_shapes``), a part as None; None for
    a route of any other kind or shape."""
    # Exactly the class: a subclass may match otherwise.
    if type(route) is not DynamicRoute:
        return None
    segments: list[str | None] = []
    regex = ""  # the one routes._compile builds from such a path, as DynamicRoute.tail_part writes it
    for segment in route.path.split("/")[1:]:
        var = _VAR_RE.fullmatch(segment)
        if var is not None:
            segments.append(None)
            regex += f"/(?P<{var.group('var')}>{_GOOD_PART})"
        elif "{" in segment or "}" in segment:
            return None
        else:
            segments.append(segment)
            regex += re.escape("/" + segment)
    # A route whose pattern was replaced is left to its regex.
    return segments if route.pattern.pattern == regex else None


def _direct_path(path: str) -> bool:
    """Can ``path`` be a key of the direct table: is it its own routing path, whatever request-target it is?"""
    return "%" not in path and "?" not in path and path.isascii() and routing_path(path) == path

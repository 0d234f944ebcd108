"""The router's fast answers against its general lookup: the same route, parts, applications and misses.

``UrlDispatcher._resolve`` answers from two tables before the lookup: the direct table (plain paths) and the tail
table (``head/{name}`` routes, web/router.py ``_build_tails``). These tests draw route tables (plain, ``{name}`` and
regex routes, any method, prefixed and domain sub-applications, in any order) and request paths (escapes, empty
segments, trailing slashes, braces, non-ASCII, a query), and compare the answer with the one ``match_request`` /
``match`` give on the routing path, which is what ``_resolve`` falls back to.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import web
from web.routes import DynamicRoute, routing_path


async def _ok(request: Any) -> web.Response:
    return web.Response()


class _Target:
    """What the router reads of a request: its method, target, path and host."""

    def __init__(self, method: str, raw_path: str, host: str = "example.com") -> None:
        self.method = method
        self.raw_path = raw_path
        self.path = raw_path.partition("?")[0]
        self.host = host


_SEGMENTS = ["a", "b", "user", "42", "x.y", "é", "%41", "a b", ""]
_PARTS = ["{id}", "{name}", r"{n:\d+}", "{tail:.*}", "{p:[^/]+}"]
_METHODS = ["GET", "POST", "HEAD", "*"]
_PREFIXES = ["/a", "/user", "/a/b", "/user/42", "/us"]

_route = st.tuples(
    st.sampled_from(_METHODS),
    st.lists(st.sampled_from(_SEGMENTS), max_size=2),
    st.lists(st.sampled_from(_PARTS + _SEGMENTS), min_size=0, max_size=2),
)
_sub = st.tuples(st.sampled_from(_PREFIXES), st.lists(_route, max_size=3))
_entry = st.one_of(_route.map(lambda r: ("route", r)), _sub.map(lambda s: ("sub", s)))

_PATH_SEGMENTS = [*_SEGMENTS, "43", "%2F", "%25", "%7Bx%7D", "{x}", "}", "%C3%A9", "Ã©", "\u00e9t\u00e9", "-"]
_path = st.builds(
    lambda segments, slash, query: "/" + "/".join(segments) + slash + query,
    st.lists(st.sampled_from(_PATH_SEGMENTS), max_size=4),
    st.sampled_from(["", "/"]),
    st.sampled_from(["", "?fields=name", "?a=%2F"]),
)


def _add(router: web.UrlDispatcher, route: tuple[str, list[str], list[str]]) -> None:
    method, head, rest = route
    path = "/" + "/".join(head + rest)
    try:
        router.add_route(method, path, _ok)
    except (ValueError, RuntimeError):
        pass  # a part named twice: a table that cannot be built


def _build(entries: list[tuple[str, Any]], domain: bool) -> web.Application:
    app = web.Application()
    for kind, value in entries:
        if kind == "route":
            _add(app.router, value)
        else:
            prefix, routes = value
            sub = web.Application()
            for route in routes:
                _add(sub.router, route)
            try:
                app.add_subapp(prefix, sub)
            except (ValueError, RuntimeError):
                pass
    if domain:
        app.add_domain("example.com", web.Application())
    app.freeze()
    return app


def _general(router: web.UrlDispatcher, target: _Target, method: str, raw: str) -> Any:
    """What ``_resolve`` answers when neither table decides the request."""
    path = routing_path(raw)
    info = router.match_request(target, method, path) if router._nested else router.match(method, path)
    info._frozen = True
    return info


def _same(fast: Any, slow: Any) -> None:
    assert type(fast) is type(slow)
    assert fast._route is slow._route
    assert dict(fast) == dict(slow)
    assert fast.apps == slow.apps
    assert fast.frozen and slow.frozen
    if slow._route is None:
        assert fast.http_exception.status == slow.http_exception.status
        assert fast.http_exception.headers.get("Allow") == slow.http_exception.headers.get("Allow")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_entry, max_size=6),
    st.sampled_from([False, False, False, True]),  # a domain sub-application: both tables empty
    st.sampled_from(["GET", "POST", "HEAD", "PUT"]),
    st.lists(_path, min_size=1, max_size=6),
)
def test_resolve_agrees_with_the_lookup_on_random_tables(entries, domain, method, paths) -> None:
    app = _build(entries, domain)
    router = app.router
    for raw in paths:
        target = _Target(method, raw)
        _same(router._resolve(target, raw, method), _general(router, target, method, raw))


_FILLS = ["1", "me", "a", "x.y", "", "{x}", "a%2Fb", "é", "a/b"]
# Routes of whole segments, mostly: those the shape table holds, and those before them that keep them out of it.
_segment_route = st.tuples(
    st.sampled_from(_METHODS),
    st.just([]),
    st.lists(
        st.sampled_from(["{id}", "{name}", "{id}", "a", "me", "1", "", "{p:[^/]+}", "{t:.*}"]), min_size=1, max_size=4
    ),
)
_segment_entry = st.one_of(_segment_route.map(lambda r: ("route", r)), _entry)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_segment_entry, max_size=6),
    st.sampled_from(["GET", "POST", "HEAD"]),
    st.data(),
)
def test_resolve_agrees_with_the_lookup_on_paths_drawn_from_the_table(entries, method, data) -> None:
    # Random paths rarely fall on a pattern route; these are its path with each part filled in, so that the tail
    # and shape tables answer them, or refuse them for the lookup.
    app = _build(entries, False)
    router = app.router
    patterns = [route.path for route in router.routes() if isinstance(route, DynamicRoute)]
    for pattern in patterns:
        pieces = pattern.split("/")
        fills = [data.draw(st.sampled_from(_FILLS)) if "{" in piece else piece for piece in pieces]
        query = data.draw(st.sampled_from(["", "?q=/x"]))
        raw = "/".join(fills) + query
        target = _Target(method, raw)
        _same(router._resolve(target, raw, method), _general(router, target, method, raw))


# Tables the random ones rarely draw: each with the paths that try its edges.
_CASES = [
    (
        ["GET /user/{id}"],
        [
            "/user/42",
            "/user/42/",
            "/user/",
            "/user",
            "/user/4%32",
            "/user/{x}",
            "/user/a}",
            "/user/{a",
            "/user/a%2Fb",
            "/user/me",
        ],
    ),
    (["GET /user/{id}", "GET /user/me"], ["/user/me", "/user/you", "/user/me/"]),
    (["GET /user/me", "GET /user/{id}"], ["/user/me", "/user/you"]),
    (["POST /user/me", "GET /user/{id}"], ["/user/me", "/user/you"]),
    (["GET /{tail:.*}", "GET /user/{id}"], ["/user/42", "/user/"]),
    (["* /user/{x}", "GET /user/{id}"], ["/user/42"]),
    (["POST /user/{x}", "GET /user/{id}"], ["/user/42"]),
    (["GET /{a}/{b}", "GET /user/{id}"], ["/user/42"]),
    (["GET /user/{id}", "GET /user/{id}/posts/{p}", "GET /user/42/{z}"], ["/user/42", "/user/42/posts/1"]),
    (["GET /{name}"], ["/", "/a", "/a/", "/é", "/%C3%A9", "/Ã©"]),
    (["GET /é/{x}"], ["/é/1", "/Ã©/1", "/%C3%A9/1"]),
    (["GET /a.b/{x}"], ["/a.b/1", "/axb/1"]),
    (["GET /a//{x}"], ["/a//1", "/a/1"]),
    # A plain path with a query string: the direct table's answer for the path.
    (
        ["GET /user/me", "GET /user/{id}"],
        ["/user/me?x=1", "/user/me?", "/user/me?a=/b", "/user/me??", "/user/me/?x", "/user/m%65?x", "/user/you?x=/me"],
    ),
    (["GET /{tail:.*}", "GET /user/me"], ["/user/me?x=1", "/user/me"]),
    (["GET /user/{id}", "GET /user/me"], ["/user/me?x=1"]),
    # Routes of the shape table: whole-segment parts anywhere.
    (
        ["GET /users/{uid}/posts/{pid}"],
        [
            "/users/1/posts/2",
            "/users/1/posts/2?x=/a",
            "/users/1/posts/",
            "/users//posts/2",
            "/users/1/posts/2/",
            "/users/1/post/2",
            "/users/{x}/posts/2",
            "/users/1/posts/%32",
            "/users/é/posts/2",
        ],
    ),
    (["GET /users/{uid}/posts/{pid}", "GET /users/me/posts/{pid}"], ["/users/me/posts/1", "/users/you/posts/1"]),
    (["GET /users/me/posts/{pid}", "GET /users/{uid}/posts/{pid}"], ["/users/me/posts/1", "/users/you/posts/1"]),
    (["GET /users/{uid}/posts/7", "GET /users/{uid}/posts/{pid}"], ["/users/1/posts/7", "/users/1/posts/8"]),
    (["GET /{a}/{b}/{c}", "GET /users/{uid}/posts"], ["/users/1/posts", "/users/1/post"]),
    (["GET /users/{tail:.*}", "GET /users/{uid}/posts"], ["/users/1/posts"]),
    (["GET /users/{uid:\\d+}/posts", "GET /users/{uid}/posts"], ["/users/1/posts", "/users/a/posts"]),
    (["GET /users/1/posts", "GET /users/{uid}/posts"], ["/users/1/posts", "/users/2/posts"]),
    (["* /{a}/x", "GET /{b}/y", "POST /{c}/x"], ["/1/x", "/1/y"]),
    (["GET /{a}/{b}", "GET /{x}/"], ["/1/2", "/1/", "//"]),
    (["GET /user/{id}/x", "GET /user/{id}"], ["/user/1/x", "/user/1"]),
]


@pytest.mark.parametrize(("routes", "paths"), _CASES)
@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
@pytest.mark.parametrize("sub", [None, "/user", "/user/me", "/us", "/other"])
@pytest.mark.parametrize("sub_first", [True, False])
def test_tail_table_agrees_with_the_lookup(routes, paths, method, sub, sub_first) -> None:
    app = web.Application()

    def add_sub() -> None:
        if sub is not None:
            inner = web.Application()
            inner.router.add_route("GET", "/", _ok)
            inner.router.add_route("GET", "/{inner}", _ok)
            app.add_subapp(sub, inner)

    if sub_first:
        add_sub()
    for line in routes:
        route_method, path = line.split(" ")
        app.router.add_route(route_method, path, _ok)
    if not sub_first:
        add_sub()
    app.freeze()
    router = app.router
    for raw in paths:
        target = _Target(method, raw)
        _same(router._resolve(target, raw, method), _general(router, target, method, raw))


def test_tail_table_holds_the_common_route_and_leaves_others_out() -> None:
    app = web.Application()
    user = app.router.add_route("GET", "/user/{id}", _ok)
    app.router.add_route("GET", "/n/{n:\\d+}", _ok)  # a regex of its own
    app.router.add_route("GET", "/two/{a}-{b}", _ok)  # two parts in one segment
    app.router.add_route("GET", "/{x}/tail", _ok)  # the part is not the last segment
    app.freeze()
    app.router._build_direct()  # built on the first request, with the direct table
    assert app.router._tails == {"/user": {"GET": (user, "id", False)}}
    info = app.router._resolve(_Target("GET", "/user/7"), "/user/7", "GET")
    assert info.route is user and dict(info) == {"id": "7"} and info.apps == (app,) and info.frozen


def test_a_plain_route_under_a_tail_head_is_checked_per_request() -> None:
    # /users/me before /users/{id}: the plain route answers its path; the entry records that the head has one.
    app = web.Application()
    me = app.router.add_route("GET", "/users/me", _ok)
    user = app.router.add_route("GET", "/users/{id}", _ok)
    app.freeze()
    app.router._build_direct()
    assert app.router._tails == {"/users": {"GET": (user, "id", True)}}
    for raw, route, parts in (("/users/me?x=1", me, {}), ("/users/7", user, {"id": "7"}), ("/users/me", me, {})):
        info = app.router._resolve(_Target("GET", raw), raw, "GET")
        assert info.route is route and dict(info) == parts


def test_tail_table_follows_routes_added_after_a_request() -> None:
    router = web.UrlDispatcher()
    first = router.add_route("GET", "/user/{id}", _ok)
    assert router._resolve(_Target("GET", "/user/1"), "/user/1", "GET").route is first
    before = router.add_route("GET", "/user/1", _ok)  # a plain route after it: the pattern still wins
    assert router._resolve(_Target("GET", "/user/1"), "/user/1", "GET").route is first
    post = router.add_route("POST", "/user/{id}", _ok)
    assert router._resolve(_Target("POST", "/user/1"), "/user/1", "POST").route is post
    assert before is not None


def test_a_route_with_a_replaced_pattern_is_left_to_its_regex() -> None:
    route = DynamicRoute("GET", _ok, None, "/user/{id}")
    assert route.tail_part() == ("/user", "id")
    route.pattern = __import__("re").compile(r"/user/(?P<id>\d+)")
    assert route.tail_part() is None


def test_a_domain_sub_application_leaves_the_tail_table_empty() -> None:
    app = web.Application()
    app.router.add_route("GET", "/user/{id}", _ok)
    app.add_domain("example.com", web.Application())
    app.freeze()
    app.router._build_direct()
    assert app.router._tails == {}


def test_a_plain_path_with_a_query_string_is_answered_by_the_direct_table(monkeypatch) -> None:
    app = web.Application()
    route = app.router.add_route("GET", "/search", _ok)
    app.freeze()
    router = app.router
    monkeypatch.setattr(router, "match", lambda *args: pytest.fail("the lookup was asked"))
    info = router._resolve(_Target("GET", "/search?q=a/b"), "/search?q=a/b", "GET")
    assert info.route is route and dict(info) == {} and info.apps == (app,) and info.frozen


def test_shape_table_holds_routes_of_whole_segment_parts_and_leaves_others_out() -> None:
    app = web.Application()
    posts = app.router.add_route("GET", "/users/{uid}/posts/{pid}", _ok)
    app.router.add_route("GET", "/users/me/posts/{pid}", _ok)  # after a route that matches its paths
    app.router.add_route("GET", "/n/{n:\\d+}/x", _ok)  # a regex of its own
    app.router.add_route("GET", "/two/{a}-{b}/x", _ok)  # two parts in one segment
    app.router.add_route("GET", "/{x}/tail", _ok)  # after regex routes whose paths are not told apart from its own
    app.freeze()
    app.router._build_direct()
    entries = [(route, method) for groups in app.router._shapes.values() for _, table in groups
               for methods in table.values() for method, (route, _) in methods.items()]  # fmt: skip
    assert sorted(entries, key=lambda entry: entry[0]._index) == [(posts, "GET")]
    info = app.router._resolve(_Target("GET", "/users/7/posts/8"), "/users/7/posts/8", "GET")
    assert info.route is posts and dict(info) == {"uid": "7", "pid": "8"} and info.apps == (app,) and info.frozen

"""The HTTP exception family: names, statuses, bodies, raisable and returnable."""

from __future__ import annotations

import inspect
import warnings
from http import HTTPStatus

import aiohttp
import aiohttp.web_exceptions as aiohttp_exc
import pytest

import web.exceptions as exc
from web.app import Application
from web.response import Response

CONCRETE = [
    getattr(exc, name)
    for name in exc.__all__
    if getattr(exc, name).status_code > 0 and inspect.isclass(getattr(exc, name))
]


def test_every_aiohttp_name_exists_with_the_same_status():
    for name in aiohttp_exc.__all__:
        ours = getattr(exc, name)
        theirs = getattr(aiohttp_exc, name)
        assert ours.status_code == theirs.status_code, name


@pytest.mark.parametrize(
    ("cls", "base"),
    [
        (exc.HTTPOk, exc.HTTPSuccessful),
        (exc.HTTPFound, exc.HTTPRedirection),
        (exc.HTTPNotModified, exc.HTTPRedirection),
        (exc.HTTPNotFound, exc.HTTPClientError),
        (exc.HTTPClientError, exc.HTTPError),
        (exc.HTTPInternalServerError, exc.HTTPServerError),
        (exc.HTTPServerError, exc.HTTPError),
        (exc.HTTPError, exc.HTTPException),
        (exc.HTTPException, Response),
        (exc.HTTPException, Exception),
    ],
)
def test_tree(cls, base):
    assert issubclass(cls, base)


def _make(cls):
    if issubclass(cls, exc.HTTPMove):
        return cls("/there")
    if cls is exc.HTTPMethodNotAllowed:
        return cls("get", ["POST"])
    if cls is exc.HTTPUnavailableForLegalReasons:
        return cls(None)  # link is required, as in aiohttp 3
    return cls()


@pytest.mark.parametrize("cls", CONCRETE, ids=lambda c: c.__name__)
def test_each_is_a_response_with_default_body(cls):
    e = _make(cls)
    assert e.status == cls.status_code
    assert str(e) == e.reason
    assert {e} and e == e  # hashable, identity-compared
    if cls.empty_body:
        assert e.body is None
    elif cls is exc.HTTPRequestEntityTooLarge:
        assert e.text
    else:
        assert e.text == f"{cls.status_code}: {e.reason}"
    with pytest.raises(cls):
        raise e


def test_custom_text_reason_and_headers():
    e = exc.HTTPNotFound(text="gone fishing", reason="Out", headers={"X-A": "1"})
    assert (e.text, e.reason, str(e), e.headers["X-A"]) == ("gone fishing", "Out", "Out", "1")
    with pytest.raises(ValueError):
        exc.HTTPNotFound(reason="a\r\nb")


def test_method_not_allowed_sets_allow():
    e = exc.HTTPMethodNotAllowed("put", ["POST", "GET"])
    assert e.headers["Allow"] == "GET,POST" and e.method == "PUT"
    assert e.allowed_methods == {"GET", "POST"}


def test_request_entity_too_large():
    e = exc.HTTPRequestEntityTooLarge(max_size=10, actual_size=20)
    assert e.status == 413 and "10" in e.text and e.actual_size == 20
    # The reason phrase is Python's, as in aiohttp: RFC 9110's "Content Too Large" from Python 3.13 on.
    assert exc.HTTPRequestEntityTooLarge().text == f"413: {HTTPStatus(413).phrase}"
    assert e.text == aiohttp_exc.HTTPRequestEntityTooLarge(max_size=10, actual_size=20).text


@pytest.mark.parametrize(
    ("location", "sent"),
    [
        ("/a\r\nSet-Cookie: x=1", "/aSet-Cookie:%20x=1"),
        ("/a\nb", "/ab"),
        ("/a\rb", "/ab"),
        ("http://x/%0d%0a\r\n", None),
    ],
)
def test_redirect_location_drops_crlf_as_aiohttp(location, sent):
    # yarl drops CR and LF (the WHATWG URL parser's rule), as in aiohttp 3: no header can be forged.
    e = exc.HTTPFound(location)
    assert "\r" not in e.headers["Location"] and "\n" not in e.headers["Location"]
    assert e.headers["Location"] == str(aiohttp_exc.HTTPFound(location).headers["Location"])
    if sent is not None:
        assert e.headers["Location"] == sent


def test_451_link_drops_crlf_and_is_required():
    e = exc.HTTPUnavailableForLegalReasons(link="http://warning.or.kr/\r\n")
    assert e.headers["Link"] == '<http://warning.or.kr/>; rel="blocked-by"'
    with pytest.raises(TypeError):
        exc.HTTPUnavailableForLegalReasons()  # type: ignore[call-arg]


@pytest.mark.parametrize("reason", ["OK\rSet-Cookie: evil=1", "OK\nSet-Cookie: evil=1", "Bad\r\nX: y"])
def test_reason_with_cr_or_lf_is_refused_with_aiohttps_message(reason):
    with pytest.raises(ValueError, match=r"^Reason cannot contain \\r or \\n$"):
        exc.HTTPOk(reason=reason)
    with pytest.raises(ValueError, match=r"^Reason cannot contain \\r or \\n$"):
        Response().set_status(200, reason)


def test_body_argument_warns_as_aiohttp():
    with pytest.warns(DeprecationWarning, match="body argument is deprecated for http web exceptions"):
        e = exc.HTTPNotFound(body=b"<p>gone</p>", content_type="text/html")
    assert e.body == b"<p>gone</p>" and e.content_type == "text/html"


def test_redirect_needs_a_location_and_quotes_non_ascii():
    with pytest.raises(ValueError):
        exc.HTTPFound("")
    assert exc.HTTPSeeOther("/é?q=1").headers["Location"] == "/%C3%A9?q=1"


async def test_raised_and_returned_over_http(make_server):
    async def raising(request):
        raise exc.HTTPFound("/target")

    async def returning(request):
        return exc.HTTPCreated(text="made")

    async def no_content(request):
        raise exc.HTTPNoContent()

    app = Application()
    app.router.add_route("GET", "/raise", raising)
    app.router.add_route("GET", "/return", returning)
    app.router.add_route("GET", "/204", no_content)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        async with s.get(server.url("/raise"), allow_redirects=False) as r:
            assert r.status == 302 and r.headers["Location"] == "/target"
            assert await r.text() == "302: Found"
        async with s.get(server.url("/return")) as r:
            assert r.status == 201 and await r.text() == "made"
        async with s.get(server.url("/204")) as r:
            assert r.status == 204 and await r.read() == b""


async def test_a_returned_exception_warns_as_aiohttp_does_and_is_still_sent(make_server):
    # The aiohttp 0.14 API lets a handler return an HTTPException; aiohttp 3 deprecates it with this warning.
    async def returning(request):
        return exc.HTTPForbidden(text="no")

    async def raising(request):
        raise exc.HTTPForbidden(text="no")

    app = Application()
    app.router.add_route("GET", "/return", returning)
    app.router.add_route("GET", "/raise", raising)
    server = await make_server(app)
    async with aiohttp.ClientSession() as s:
        with pytest.warns(DeprecationWarning) as record:
            async with s.get(server.url("/return")) as r:
                assert r.status == 403 and await r.text() == "no"
        assert [str(w.message) for w in record] == [
            "returning HTTPException object is deprecated (#2415) and will be removed, "
            "please raise the exception instead"
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            async with s.get(server.url("/raise")) as r:
                assert r.status == 403 and await r.text() == "no"

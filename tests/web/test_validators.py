"""``StreamResponse.etag`` and ``last_modified`` (``web.validators``): aiohttp 3's reading and writing of the
``ETag`` and ``Last-Modified`` fields."""

from __future__ import annotations

import datetime

import aiohttp
import aiohttp.helpers
import pytest

import web
from web.validators import ETag

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("value", "header", "read"),
    [
        ("0123-kotik", '"0123-kotik"', ETag("0123-kotik")),
        (ETag("w", is_weak=True), 'W/"w"', ETag("w", True)),
        (aiohttp.helpers.ETag(value="s"), '"s"', ETag("s")),
        (aiohttp.helpers.ETag(value="w", is_weak=True), 'W/"w"', ETag("w", True)),
        ("*", "*", ETag("*")),
    ],
)
def test_etag_is_written_quoted_and_read_back(value, header, read):
    resp = web.StreamResponse()
    resp.etag = value
    assert resp.headers["ETag"] == header
    assert resp.etag == read
    # Equal to aiohttp's own ETag, either side of ==, as code written for aiohttp compares.
    assert aiohttp.helpers.ETag(value=read.value, is_weak=read.is_weak) == resp.etag
    assert resp.etag != aiohttp.helpers.ETag(value=read.value + "x")
    resp.etag = None
    assert resp.etag is None and "ETag" not in resp.headers


@pytest.mark.parametrize("value", ['"quoted"', "not ascii ∀", ETag('"q"', True)])
def test_an_invalid_etag_value_is_refused(value):
    with pytest.raises(ValueError, match="is not a valid etag"):
        web.StreamResponse().etag = value


@pytest.mark.parametrize("value", [123, ETag(123, True)])  # type: ignore[arg-type]
def test_an_etag_of_another_type_is_refused(value):
    with pytest.raises(ValueError, match="Unsupported etag type"):
        web.StreamResponse().etag = value


@pytest.mark.parametrize("header", ["forgotten quotes", '"∀ x"', ""])
def test_an_invalid_etag_header_reads_as_none(header):
    assert web.StreamResponse(headers={"ETag": header}).etag is None


@pytest.mark.parametrize(
    ("value", "header"),
    [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (0.5, "Thu, 01 Jan 1970 00:00:01 GMT"),  # rounded up: never earlier than the real mtime
        (datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC), "Sat, 03 Feb 2001 04:05:06 GMT"),
        (datetime.datetime(2001, 2, 3, 4, 5, 6, 1, tzinfo=UTC), "Sat, 03 Feb 2001 04:05:07 GMT"),
        ("Mon, 2 Jan 1990 03:04:05 GMT", "Mon, 2 Jan 1990 03:04:05 GMT"),
    ],
)
def test_last_modified_is_settable_as_in_aiohttp(value, header):
    resp = web.StreamResponse()
    resp.last_modified = value
    assert resp.headers["Last-Modified"] == header
    assert resp.last_modified == datetime.datetime.strptime(header, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    resp.last_modified = None
    assert resp.last_modified is None and "Last-Modified" not in resp.headers


def test_last_modified_of_another_type_is_refused():
    with pytest.raises(TypeError, match="Unsupported type for last_modified: object"):
        web.StreamResponse().last_modified = object()  # type: ignore[assignment]


async def test_validators_set_by_a_handler_are_served(make_client):
    async def handler(request):
        resp = web.Response(text="x")
        resp.etag = aiohttp.helpers.ETag(value="v1", is_weak=True)
        resp.last_modified = 0
        return resp

    app = web.Application()
    app.router.add_get("/", handler)
    client = await make_client(app)
    async with client.get("/") as r:
        assert r.headers["ETag"] == 'W/"v1"'
        assert r.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"

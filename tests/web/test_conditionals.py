"""The request's conditional and range fields (web/conditionals.py), as aiohttp 3's Request reads them: through a
real server and aiohttp's client, and the parsers row by row."""

from __future__ import annotations

import datetime

import aiohttp
import pytest
from aiohttp.helpers import ETag as AiohttpETag

import web
from web.conditionals import parse_etag_list, parse_http_date, parse_http_range
from web.validators import ETag

DATE = datetime.datetime(2000, 10, 8, 0, 56, 40, tzinfo=datetime.UTC)


async def test_handler_reads_the_conditional_fields(make_server):
    seen = {}

    async def handler(request):
        seen.update(
            if_match=request.if_match,
            if_none_match=request.if_none_match,
            if_modified_since=request.if_modified_since,
            if_unmodified_since=request.if_unmodified_since,
            if_range=request.if_range,
            http_range=request.http_range,
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = await make_server(app)
    headers = {
        "If-Match": '"67ab43", W/"54ed21", "7892,dd"',
        "If-None-Match": "*",
        "If-Modified-Since": "Tue, 08 Oct 2000 00:56:40 GMT",
        "If-Unmodified-Since": "Tue, 08 Oct 2000 00:56:80 GMT",
        "If-Range": "Tue, 08 Oct 2000 00:56:40 GMT",
        "Range": "bytes=0-499",
    }
    async with aiohttp.ClientSession() as session, session.get(srv.url("/"), headers=headers) as resp:
        assert resp.status == 200
    assert seen["if_match"] == (ETag("67ab43"), ETag("54ed21", True), ETag("7892,dd"))
    # Code written for aiohttp compares with its own ETag class.
    assert seen["if_match"][1] == AiohttpETag(is_weak=True, value="54ed21")
    assert seen["if_none_match"] == (ETag("*"),)
    assert seen["if_modified_since"] == DATE
    assert seen["if_unmodified_since"] is None  # second 80 is no date
    assert seen["if_range"] == DATE
    assert seen["http_range"] == slice(0, 500, 1)


async def test_fields_absent(make_server):
    seen = {}

    async def handler(request):
        seen.update(
            tags=(request.if_match, request.if_none_match),
            dates=(request.if_modified_since, request.if_unmodified_since, request.if_range),
            http_range=request.http_range,
        )
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    srv = await make_server(app)
    async with aiohttp.ClientSession() as session, session.get(srv.url("/")) as resp:
        assert resp.status == 200
    assert seen == {"tags": (None, None), "dates": (None, None, None), "http_range": slice(None, None, 1)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("*", (ETag("*"),)),
        ('"bfc1ef-5b2c2730249c88ca92d82d"', (ETag("bfc1ef-5b2c2730249c88ca92d82d"),)),
        # A malformed member ends the list, as in aiohttp.
        ('"valid-tag", "also-valid-tag",somegarbage"last-tag"', (ETag("valid-tag"), ETag("also-valid-tag"))),
        ('"ascii", "это точно не ascii", "ascii again"', (ETag("ascii"),)),
    ],
)
def test_parse_etag_list(value, expected):
    assert parse_etag_list(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("xxyyzz", None),
        ("Tue, 08 Oct 4446413 00:56:40 GMT", None),
        ("Tue, 08 Oct 2000 00:56:80 GMT", None),
        ("Tue, 08 Oct 2000 00:56:40 GMT", DATE),
    ],
)
def test_parse_http_date(value, expected):
    assert parse_http_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, slice(None, None, 1)),
        ("bytes=0-499", slice(0, 500, 1)),
        ("BYTES=0-499", slice(0, 500, 1)),
        ("bytes=500-", slice(500, None, 1)),
        ("bytes=-500", slice(-500, None, 1)),
    ],
)
def test_parse_http_range(value, expected):
    assert parse_http_range(value) == expected


@pytest.mark.parametrize("value", ["bytes=-", "bytes=9-0", "bytes=0-1,3-4", "items=0-1", "bytes=٢-٣"])
def test_parse_http_range_refuses(value):
    with pytest.raises(ValueError):
        parse_http_range(value)

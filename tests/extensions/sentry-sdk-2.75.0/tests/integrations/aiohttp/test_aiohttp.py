import asyncio
import datetime
import json
import os
from contextlib import suppress
from unittest import mock

import pytest
from aiohttp import web
from aiohttp.client import ServerDisconnectedError
from aiohttp.web_exceptions import (
    HTTPBadRequest,
    HTTPInternalServerError,
    HTTPNetworkAuthenticationRequired,
    HTTPNotFound,
    HTTPUnavailableForLegalReasons,
)
from aiohttp.web_request import Request

import sentry_sdk
from sentry_sdk import capture_message, start_transaction
from sentry_sdk._types import OVER_SIZE_LIMIT_SUBSTITUTE
from sentry_sdk.consts import SPANDATA
from sentry_sdk.integrations.aiohttp import (
    AioHttpIntegration,
    create_trace_config,
)
from sentry_sdk.utils import SENSITIVE_DATA_SUBSTITUTE
from tests.conftest import ApproxDict
from tests.integrations.utils import (
    DATA_COLLECTION_REMOTE_ADDR_CASES,
    DATA_COLLECTION_USER_INFO_CASES,
)


@pytest.mark.asyncio
async def test_basic(sentry_init, aiohttp_client, capture_events):
    sentry_init(integrations=[AioHttpIntegration()])

    async def hello(request):
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 500

    (event,) = events

    assert (
        event["transaction"]
        == "tests.integrations.aiohttp.test_aiohttp.test_basic.<locals>.hello"
    )

    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ZeroDivisionError"
    request = event["request"]
    host = request["headers"]["Host"]

    assert request["env"] == {"REMOTE_ADDR": "127.0.0.1"}
    assert request["method"] == "GET"
    assert request["query_string"] == ""
    assert request.get("data") is None
    assert request["url"] == "http://{host}/".format(host=host)
    assert request["headers"] == {
        "Accept": "*/*",
        "Accept-Encoding": mock.ANY,
        "Host": host,
        "User-Agent": request["headers"]["User-Agent"],
        "baggage": mock.ANY,
        "sentry-trace": mock.ANY,
    }


@pytest.mark.asyncio
async def test_post_body_not_read(sentry_init, aiohttp_client, capture_events):
    from sentry_sdk.integrations.aiohttp import BODY_NOT_READ_MESSAGE

    sentry_init(integrations=[AioHttpIntegration()])

    body = {"some": "value"}

    async def hello(request):
        1 / 0

    app = web.Application()
    app.router.add_post("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.post("/", json=body)
    assert resp.status == 500

    (event,) = events
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ZeroDivisionError"
    request = event["request"]

    assert request["env"] == {"REMOTE_ADDR": "127.0.0.1"}
    assert request["method"] == "POST"
    assert request["data"] == BODY_NOT_READ_MESSAGE


@pytest.mark.asyncio
async def test_post_body_read(sentry_init, aiohttp_client, capture_events):
    sentry_init(integrations=[AioHttpIntegration()])

    body = {"some": "value"}

    async def hello(request):
        await request.json()
        1 / 0

    app = web.Application()
    app.router.add_post("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.post("/", json=body)
    assert resp.status == 500

    (event,) = events
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ZeroDivisionError"
    request = event["request"]

    assert request["env"] == {"REMOTE_ADDR": "127.0.0.1"}
    assert request["method"] == "POST"
    assert request["data"] == json.dumps(body)


@pytest.mark.parametrize(
    "data_collection, expect_body",
    [
        pytest.param({}, True, id="data_collection_http_bodies_default"),
        pytest.param(
            {"http_bodies": ["incoming_request"]},
            True,
            id="data_collection_http_bodies_incoming_request",
        ),
        pytest.param(
            {"http_bodies": []}, False, id="data_collection_http_bodies_empty"
        ),
    ],
)
@pytest.mark.asyncio
async def test_aiohttp_request_body_data_collection(
    sentry_init, aiohttp_client, capture_events, data_collection, expect_body
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        data_collection=data_collection,
    )

    body = {"some": "value"}

    async def hello(request):
        await request.json()
        1 / 0

    app = web.Application()
    app.router.add_post("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.post("/", json=body)
    assert resp.status == 500

    (event,) = events
    request = event["request"]

    if expect_body:
        assert request["data"] == json.dumps(body)
    else:
        assert "data" not in request


@pytest.mark.parametrize(
    "data_collection, expect_annotated",
    [
        pytest.param(
            {"http_bodies": ["incoming_request"]},
            True,
            id="data_collection_http_bodies_incoming_request",
        ),
        pytest.param(
            {"http_bodies": []}, False, id="data_collection_http_bodies_empty"
        ),
    ],
)
@pytest.mark.asyncio
async def test_aiohttp_oversized_request_body_data_collection(
    sentry_init, aiohttp_client, capture_events, data_collection, expect_annotated
):
    """
    The gating happens before the size check. When bodies are collected, an
    oversized body is still reported as removed because of the size limit; when
    they are not, it is dropped outright with no annotation.
    """
    sentry_init(
        integrations=[AioHttpIntegration()],
        max_request_body_size="small",
        data_collection=data_collection,
    )

    body = "a" * 2000

    async def hello(request):
        await request.text()
        1 / 0

    app = web.Application()
    app.router.add_post("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.post("/", data=body)
    assert resp.status == 500

    (event,) = events
    request_meta = event.get("_meta", {}).get("request", {})

    if expect_annotated:
        assert event["request"]["data"] == OVER_SIZE_LIMIT_SUBSTITUTE
        assert request_meta["data"] == {"": {"rem": [["!config", "s"]]}}
    else:
        assert "data" not in event["request"]
        assert "data" not in request_meta


@pytest.mark.asyncio
async def test_403_not_captured(sentry_init, aiohttp_client, capture_events):
    sentry_init(integrations=[AioHttpIntegration()])

    async def hello(request):
        raise web.HTTPForbidden()

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 403

    assert not events


@pytest.mark.asyncio
async def test_cancelled_error_not_captured(
    sentry_init, aiohttp_client, capture_events
):
    sentry_init(integrations=[AioHttpIntegration()])

    async def hello(request):
        raise asyncio.CancelledError()

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()
    client = await aiohttp_client(app)

    with suppress(ServerDisconnectedError):
        # Intended `aiohttp` interaction: server will disconnect if it
        # encounters `asyncio.CancelledError`
        await client.get("/")

    assert not events


@pytest.mark.asyncio
async def test_half_initialized(sentry_init, aiohttp_client, capture_events):
    sentry_init(integrations=[AioHttpIntegration()])
    sentry_init()

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 200

    assert events == []


@pytest.mark.asyncio
async def test_tracing(sentry_init, aiohttp_client, capture_events):
    sentry_init(integrations=[AioHttpIntegration()], traces_sample_rate=1.0)

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 200

    (event,) = events

    assert event["type"] == "transaction"
    assert (
        event["transaction"]
        == "tests.integrations.aiohttp.test_aiohttp.test_tracing.<locals>.hello"
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url,transaction_style,expected_transaction,expected_source",
    [
        (
            "/message",
            "handler_name",
            "tests.integrations.aiohttp.test_aiohttp.test_transaction_style.<locals>.hello",
            "component",
        ),
        (
            "/message",
            "method_and_path_pattern",
            "GET /{var}",
            "route",
        ),
    ],
)
async def test_transaction_style(
    sentry_init,
    aiohttp_client,
    capture_events,
    url,
    transaction_style,
    expected_transaction,
    expected_source,
):
    sentry_init(
        integrations=[AioHttpIntegration(transaction_style=transaction_style)],
        traces_sample_rate=1.0,
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/{var}", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get(url)
    assert resp.status == 200

    (event,) = events

    assert event["type"] == "transaction"
    assert event["transaction"] == expected_transaction
    assert event["transaction_info"] == {"source": expected_source}


@pytest.mark.tests_internal_exceptions
@pytest.mark.asyncio
async def test_tracing_unparseable_url(sentry_init, aiohttp_client, capture_events):
    sentry_init(integrations=[AioHttpIntegration()], traces_sample_rate=1.0)

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    with mock.patch(
        "sentry_sdk.integrations.aiohttp.parse_url", side_effect=ValueError
    ):
        resp = await client.get("/")

    assert resp.status == 200

    (event,) = events

    assert event["type"] == "transaction"
    assert (
        event["transaction"]
        == "tests.integrations.aiohttp.test_aiohttp.test_tracing_unparseable_url.<locals>.hello"
    )


@pytest.mark.asyncio
async def test_traces_sampler_gets_request_object_in_sampling_context(
    sentry_init,
    aiohttp_client,
    DictionaryContaining,  # noqa: N803
    ObjectDescribedBy,  # noqa: N803
):
    traces_sampler = mock.Mock()
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sampler=traces_sampler,
    )

    async def kangaroo_handler(request):
        return web.Response(text="dogs are great")

    app = web.Application()
    app.router.add_get("/tricks/kangaroo", kangaroo_handler)

    client = await aiohttp_client(app)
    await client.get("/tricks/kangaroo")

    traces_sampler.assert_any_call(
        DictionaryContaining(
            {
                "aiohttp_request": ObjectDescribedBy(
                    type=Request, attrs={"method": "GET", "path": "/tricks/kangaroo"}
                )
            }
        )
    )


@pytest.mark.asyncio
async def test_has_trace_if_performance_enabled(
    sentry_init, aiohttp_client, capture_events
):
    sentry_init(integrations=[AioHttpIntegration()], traces_sample_rate=1.0)

    async def hello(request):
        capture_message("It's a good day to try dividing by 0")
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 500

    msg_event, error_event, transaction_event = events

    assert msg_event["contexts"]["trace"]
    assert "trace_id" in msg_event["contexts"]["trace"]

    assert error_event["contexts"]["trace"]
    assert "trace_id" in error_event["contexts"]["trace"]

    assert transaction_event["contexts"]["trace"]
    assert "trace_id" in transaction_event["contexts"]["trace"]

    assert (
        error_event["contexts"]["trace"]["trace_id"]
        == transaction_event["contexts"]["trace"]["trace_id"]
        == msg_event["contexts"]["trace"]["trace_id"]
    )


@pytest.mark.asyncio
async def test_has_trace_if_performance_disabled(
    sentry_init, aiohttp_client, capture_events
):
    sentry_init(integrations=[AioHttpIntegration()])

    async def hello(request):
        capture_message("It's a good day to try dividing by 0")
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 500

    msg_event, error_event = events

    assert msg_event["contexts"]["trace"]
    assert "trace_id" in msg_event["contexts"]["trace"]

    assert error_event["contexts"]["trace"]
    assert "trace_id" in error_event["contexts"]["trace"]

    assert (
        error_event["contexts"]["trace"]["trace_id"]
        == msg_event["contexts"]["trace"]["trace_id"]
    )


@pytest.mark.asyncio
async def test_trace_from_headers_if_performance_enabled(
    sentry_init, aiohttp_client, capture_events
):
    sentry_init(integrations=[AioHttpIntegration()], traces_sample_rate=1.0)

    async def hello(request):
        capture_message("It's a good day to try dividing by 0")
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    # The aiohttp_client is instrumented so will generate the sentry-trace header and add request.
    # Get the sentry-trace header from the request so we can later compare with transaction events.
    client = await aiohttp_client(app)
    with start_transaction():
        # Headers are only added to the span if there is an active transaction
        resp = await client.get("/")

    sentry_trace_header = resp.request_info.headers.get("sentry-trace")
    trace_id = sentry_trace_header.split("-")[0]

    assert resp.status == 500

    # Last item is the custom transaction event wrapping `client.get("/")`
    msg_event, error_event, transaction_event, _ = events

    assert msg_event["contexts"]["trace"]
    assert "trace_id" in msg_event["contexts"]["trace"]

    assert error_event["contexts"]["trace"]
    assert "trace_id" in error_event["contexts"]["trace"]

    assert transaction_event["contexts"]["trace"]
    assert "trace_id" in transaction_event["contexts"]["trace"]

    assert msg_event["contexts"]["trace"]["trace_id"] == trace_id
    assert error_event["contexts"]["trace"]["trace_id"] == trace_id
    assert transaction_event["contexts"]["trace"]["trace_id"] == trace_id


@pytest.mark.asyncio
async def test_trace_from_headers_if_performance_disabled(
    sentry_init, aiohttp_client, capture_events
):
    sentry_init(integrations=[AioHttpIntegration()])

    async def hello(request):
        capture_message("It's a good day to try dividing by 0")
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    # The aiohttp_client is instrumented so will generate the sentry-trace header and add request.
    # Get the sentry-trace header from the request so we can later compare with transaction events.
    client = await aiohttp_client(app)
    resp = await client.get("/")
    sentry_trace_header = resp.request_info.headers.get("sentry-trace")
    trace_id = sentry_trace_header.split("-")[0]

    assert resp.status == 500

    msg_event, error_event = events

    assert msg_event["contexts"]["trace"]
    assert "trace_id" in msg_event["contexts"]["trace"]

    assert error_event["contexts"]["trace"]
    assert "trace_id" in error_event["contexts"]["trace"]

    assert msg_event["contexts"]["trace"]["trace_id"] == trace_id
    assert error_event["contexts"]["trace"]["trace_id"] == trace_id


@pytest.mark.asyncio
async def test_crumb_capture(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
):
    def before_breadcrumb(crumb, hint):
        crumb["data"]["extra"] = "foo"
        return crumb

    sentry_init(
        integrations=[AioHttpIntegration()],
        before_breadcrumb=before_breadcrumb,
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    with start_transaction():
        events = capture_events()

        client = await aiohttp_client(raw_server)
        resp = await client.get("/")
        assert resp.status == 200
        capture_message("Testing!")

        (event,) = events

        crumb = event["breadcrumbs"]["values"][0]
        assert crumb["type"] == "http"
        assert crumb["category"] == "httplib"
        assert crumb["data"] == ApproxDict(
            {
                "url": "http://127.0.0.1:{}/".format(raw_server.port),
                "http.fragment": "",
                "http.method": "GET",
                "http.query": "",
                "http.response.status_code": 200,
                "reason": "OK",
                "extra": "foo",
            }
        )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "pii_options,url_expected,query_expected",
    [
        ({}, False, False),
        ({"send_default_pii": True}, True, True),
        ({"send_default_pii": False}, False, False),
        (
            {
                "data_collection": {
                    "url_query_params": {"mode": "denylist", "terms": []}
                }
            },
            True,
            True,
        ),
        (
            {
                "data_collection": {
                    "url_query_params": {"mode": "allowlist", "terms": []}
                }
            },
            True,
            False,
        ),
    ],
)
async def test_crumb_capture_span_streaming(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
    pii_options,
    url_expected,
    query_expected,
):
    def before_breadcrumb(crumb, hint):
        crumb["data"]["extra"] = "foo"
        return crumb

    sentry_init(
        integrations=[AioHttpIntegration()],
        before_breadcrumb=before_breadcrumb,
        trace_lifecycle="stream",
        **pii_options,
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    events = capture_events()

    client = await aiohttp_client(raw_server)
    resp = await client.get("/?query=value")
    assert resp.status == 200
    capture_message("Testing!")

    (event,) = events

    crumb = event["breadcrumbs"]["values"][0]
    assert crumb["type"] == "http"
    assert crumb["category"] == "httplib"

    expected = {
        "http.method": "GET",
        "http.response.status_code": 200,
        "reason": "OK",
    }

    if url_expected:
        if query_expected:
            expected["url"] = f"http://127.0.0.1:{raw_server.port}/?query=value"
            expected["http.query"] = "query=value"
        else:
            expected["url"] = (
                f"http://127.0.0.1:{raw_server.port}/?query=%5BFiltered%5D"
            )
            expected["http.query"] = "query=%5BFiltered%5D"

    assert crumb["data"] == ApproxDict(expected)


@pytest.mark.parametrize(
    "status_code,level",
    [
        (200, None),
        (301, None),
        (403, "warning"),
        (405, "warning"),
        (500, "error"),
    ],
)
@pytest.mark.asyncio
async def test_crumb_capture_client_error(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
    status_code,
    level,
):
    sentry_init(integrations=[AioHttpIntegration()])

    async def handler(request):
        return web.Response(status=status_code)

    raw_server = await aiohttp_raw_server(handler)

    with start_transaction():
        events = capture_events()

        client = await aiohttp_client(raw_server)
        resp = await client.get("/")
        assert resp.status == status_code
        capture_message("Testing!")

        (event,) = events

        crumb = event["breadcrumbs"]["values"][0]
        assert crumb["type"] == "http"
        if level is None:
            assert "level" not in crumb
        else:
            assert crumb["level"] == level
        assert crumb["category"] == "httplib"
        assert crumb["data"] == ApproxDict(
            {
                "url": "http://127.0.0.1:{}/".format(raw_server.port),
                "http.fragment": "",
                "http.method": "GET",
                "http.query": "",
                "http.response.status_code": status_code,
            }
        )


@pytest.mark.parametrize(
    "status_code,level,reason",
    [
        (200, None, "OK"),
        (301, None, "Moved Permanently"),
        (403, "warning", "Forbidden"),
        (405, "warning", "Method Not Allowed"),
        (500, "error", "Internal Server Error"),
    ],
)
@pytest.mark.parametrize(
    "pii_options,url_expected,query_expected",
    [
        ({}, False, False),
        ({"send_default_pii": True}, True, True),
        ({"send_default_pii": False}, False, False),
        (
            {
                "data_collection": {
                    "url_query_params": {"mode": "denylist", "terms": []}
                }
            },
            True,
            True,
        ),
        (
            {
                "data_collection": {
                    "url_query_params": {"mode": "allowlist", "terms": []}
                }
            },
            True,
            False,
        ),
    ],
)
@pytest.mark.asyncio
async def test_crumb_capture_client_error_span_streaming(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
    status_code,
    level,
    reason,
    pii_options,
    url_expected,
    query_expected,
):
    sentry_init(
        integrations=[AioHttpIntegration()], trace_lifecycle="stream", **pii_options
    )

    async def handler(request):
        return web.Response(status=status_code)

    raw_server = await aiohttp_raw_server(handler)

    events = capture_events()

    client = await aiohttp_client(raw_server)
    resp = await client.get("/?query=value")
    assert resp.status == status_code
    capture_message("Testing!")

    (event,) = events

    crumb = event["breadcrumbs"]["values"][0]
    assert crumb["type"] == "http"
    if level is None:
        assert "level" not in crumb
    else:
        assert crumb["level"] == level
    assert crumb["category"] == "httplib"

    expected = {
        "http.method": "GET",
        "http.response.status_code": status_code,
        "reason": reason,
    }

    if url_expected:
        if query_expected:
            expected["url"] = f"http://127.0.0.1:{raw_server.port}/?query=value"
            expected["http.query"] = "query=value"
        else:
            expected["url"] = (
                f"http://127.0.0.1:{raw_server.port}/?query=%5BFiltered%5D"
            )
            expected["http.query"] = "query=%5BFiltered%5D"

    assert crumb["data"] == ApproxDict(expected)


@pytest.mark.asyncio
async def test_outgoing_trace_headers_adds_missing_unsigned_propagation_headers(
    sentry_init, aiohttp_raw_server, aiohttp_client
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    with start_transaction(
        name="/interactions/other-dogs/new-dog",
        op="greeting.sniff",
        # make trace_id difference between transactions
        trace_id="0123456789012345678901234567890",
    ) as transaction:
        client = await aiohttp_client(raw_server)
        resp = await client.get("/")
        request_span = transaction._span_recorder.spans[-1]

        assert resp.request_info.headers[
            "sentry-trace"
        ] == "{trace_id}-{parent_span_id}-{sampled}".format(
            trace_id=transaction.trace_id,
            parent_span_id=request_span.span_id,
            sampled=1,
        )
        assert resp.request_info.headers["baggage"].count("sentry-trace_id=") == 1


@pytest.mark.asyncio
async def test_outgoing_trace_headers_appends_baggage_but_preserves_sentry_trace(
    sentry_init, aiohttp_raw_server, aiohttp_client
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        release="d08ebdb9309e1b004c6f52202de58a09c2268e42",
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    with mock.patch("sentry_sdk.tracing_utils.Random.randrange", return_value=500000):
        with start_transaction(
            name="/interactions/other-dogs/new-dog",
            op="greeting.sniff",
            trace_id="0123456789012345678901234567890",
        ):
            client = await aiohttp_client(raw_server)
            resp = await client.get(
                "/",
                headers={
                    "bagGage": "custom=value",
                    "Sentry-Trace": "existing-trace",
                },
            )

            assert (
                resp.request_info.headers["baggage"]
                == "custom=value,sentry-trace_id=0123456789012345678901234567890,sentry-sample_rand=0.500000,sentry-environment=production,sentry-release=d08ebdb9309e1b004c6f52202de58a09c2268e42,sentry-transaction=/interactions/other-dogs/new-dog,sentry-sample_rate=1.0,sentry-sampled=true"
            )
            # existing `sentry-trace`: leave as-is.
            assert resp.request_info.headers["sentry-trace"] == "existing-trace"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "signed_headers,baggage",
    [
        # both propagation headers are named in `SignedHeaders`.
        ("baggage;host;sentry-trace", "vendor=value"),
        # botocore 1.43.115+ never signs `baggage`; Sentry members were merged by
        # the boto3 integration before signing.
        (
            "host;sentry-trace",
            "vendor=value,sentry-trace_id=existing,sentry-sampled=true",
        ),
    ],
)
async def test_outgoing_trace_headers_preserves_existing_propagation_headers(
    sentry_init, aiohttp_raw_server, aiohttp_client, signed_headers, baggage
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)
    authorization = (
        "AWS4-HMAC-SHA256 "
        "Credential=test/20260804/eu-west-1/secretsmanager/aws4_request, "
        f"SignedHeaders={signed_headers}, "
        "Signature=sixtyseven"
    )

    with start_transaction(name="test", sampled=True):
        client = await aiohttp_client(raw_server)
        resp = await client.get(
            "/",
            headers={
                "baggage": baggage,
                "sentry-trace": "existing-trace",
                "Authorization": authorization,
            },
        )

    headers = resp.request_info.headers
    # signed `baggage` or `baggage` with Sentry members: leave as-is.
    assert headers["baggage"] == baggage
    # signed `sentry-trace`: leave as-is.
    assert headers["sentry-trace"] == "existing-trace"


@pytest.mark.asyncio
async def test_outgoing_trace_headers_preserves_query_signed_baggage(
    sentry_init, aiohttp_raw_server, aiohttp_client
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)
    path = (
        "/"
        "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential="
        "test%2F20260804%2Feu-west-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20260804T120000Z"
        "&X-Amz-Expires=60"
        "&X-Amz-SignedHeaders=baggage%3Bhost"
        "&X-Amz-Signature=sixtyseven"
    )

    with start_transaction(name="test", sampled=True):
        client = await aiohttp_client(raw_server)
        resp = await client.get(path, headers={"baggage": "vendor=value"})

    headers = resp.request_info.headers
    # query-signed `baggage`: leave as-is.
    assert headers["baggage"] == "vendor=value"
    # unsigned `sentry-trace`: add it.
    assert "sentry-trace" in headers


@pytest.mark.asyncio
async def test_request_source_disabled(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
):
    sentry_options = {
        "integrations": [AioHttpIntegration()],
        "traces_sample_rate": 1.0,
        "enable_http_request_source": False,
        "http_request_source_threshold_ms": 0,
    }

    sentry_init(**sentry_options)

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def hello(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    await client.get("/")

    (event,) = events

    span = event["spans"][-1]
    assert span["description"].startswith("GET")

    data = span.get("data", {})

    assert SPANDATA.CODE_LINENO not in data
    assert SPANDATA.CODE_NAMESPACE not in data
    assert SPANDATA.CODE_FILEPATH not in data
    assert SPANDATA.CODE_FUNCTION not in data


@pytest.mark.asyncio
@pytest.mark.parametrize("enable_http_request_source", [None, True])
async def test_request_source_enabled(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
    enable_http_request_source,
):
    sentry_options = {
        "integrations": [AioHttpIntegration()],
        "traces_sample_rate": 1.0,
        "http_request_source_threshold_ms": 0,
    }
    if enable_http_request_source is not None:
        sentry_options["enable_http_request_source"] = enable_http_request_source

    sentry_init(**sentry_options)

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def hello(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    await client.get("/")

    (event,) = events

    span = event["spans"][-1]
    assert span["description"].startswith("GET")

    data = span.get("data", {})

    assert SPANDATA.CODE_LINENO in data
    assert SPANDATA.CODE_NAMESPACE in data
    assert SPANDATA.CODE_FILEPATH in data
    assert SPANDATA.CODE_FUNCTION in data


@pytest.mark.asyncio
async def test_request_source(
    sentry_init, aiohttp_raw_server, aiohttp_client, capture_events
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        enable_http_request_source=True,
        http_request_source_threshold_ms=0,
    )

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def handler_with_outgoing_request(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", handler_with_outgoing_request)

    events = capture_events()

    client = await aiohttp_client(app)
    await client.get("/")

    (event,) = events

    span = event["spans"][-1]
    assert span["description"].startswith("GET")

    data = span.get("data", {})

    assert SPANDATA.CODE_LINENO in data
    assert SPANDATA.CODE_NAMESPACE in data
    assert SPANDATA.CODE_FILEPATH in data
    assert SPANDATA.CODE_FUNCTION in data

    assert type(data.get(SPANDATA.CODE_LINENO)) == int
    assert data.get(SPANDATA.CODE_LINENO) > 0
    assert (
        data.get(SPANDATA.CODE_NAMESPACE) == "tests.integrations.aiohttp.test_aiohttp"
    )
    assert data.get(SPANDATA.CODE_FILEPATH).endswith(
        "tests/integrations/aiohttp/test_aiohttp.py"
    )

    is_relative_path = data.get(SPANDATA.CODE_FILEPATH)[0] != os.sep
    assert is_relative_path

    assert data.get(SPANDATA.CODE_FUNCTION) == "handler_with_outgoing_request"


@pytest.mark.asyncio
async def test_request_source_with_module_in_search_path(
    sentry_init, aiohttp_raw_server, aiohttp_client, capture_events
):
    """
    Test that request source is relative to the path of the module it ran in
    """
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        enable_http_request_source=True,
        http_request_source_threshold_ms=0,
    )

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    from aiohttp_helpers.helpers import get_request_with_client

    async def handler_with_outgoing_request(request):
        span_client = await aiohttp_client(raw_server)
        await get_request_with_client(span_client, "/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", handler_with_outgoing_request)

    events = capture_events()

    client = await aiohttp_client(app)
    await client.get("/")

    (event,) = events

    span = event["spans"][-1]
    assert span["description"].startswith("GET")

    data = span.get("data", {})

    assert SPANDATA.CODE_LINENO in data
    assert SPANDATA.CODE_NAMESPACE in data
    assert SPANDATA.CODE_FILEPATH in data
    assert SPANDATA.CODE_FUNCTION in data

    assert type(data.get(SPANDATA.CODE_LINENO)) == int
    assert data.get(SPANDATA.CODE_LINENO) > 0
    assert data.get(SPANDATA.CODE_NAMESPACE) == "aiohttp_helpers.helpers"
    assert data.get(SPANDATA.CODE_FILEPATH) == "aiohttp_helpers/helpers.py"

    is_relative_path = data.get(SPANDATA.CODE_FILEPATH)[0] != os.sep
    assert is_relative_path

    assert data.get(SPANDATA.CODE_FUNCTION) == "get_request_with_client"


@pytest.mark.asyncio
async def test_no_request_source_if_duration_too_short(
    sentry_init, aiohttp_raw_server, aiohttp_client, capture_events
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        enable_http_request_source=True,
        http_request_source_threshold_ms=100,
    )

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def handler_with_outgoing_request(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", handler_with_outgoing_request)

    events = capture_events()

    def fake_create_trace_context(*args, **kwargs):
        trace_context = create_trace_config()

        async def overwrite_timestamps(session, trace_config_ctx, params):
            span = trace_config_ctx._sentry_span
            span.start_timestamp = datetime.datetime(2024, 1, 1, microsecond=0)
            span.timestamp = datetime.datetime(2024, 1, 1, microsecond=99999)

        trace_context.on_request_end.insert(0, overwrite_timestamps)

        return trace_context

    with mock.patch(
        "sentry_sdk.integrations.aiohttp.create_trace_config",
        fake_create_trace_context,
    ):
        client = await aiohttp_client(app)
        await client.get("/")

    (event,) = events

    span = event["spans"][-1]
    assert span["description"].startswith("GET")

    data = span.get("data", {})

    assert SPANDATA.CODE_LINENO not in data
    assert SPANDATA.CODE_NAMESPACE not in data
    assert SPANDATA.CODE_FILEPATH not in data
    assert SPANDATA.CODE_FUNCTION not in data


@pytest.mark.asyncio
async def test_request_source_if_duration_over_threshold(
    sentry_init, aiohttp_raw_server, aiohttp_client, capture_events
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        enable_http_request_source=True,
        http_request_source_threshold_ms=100,
    )

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def handler_with_outgoing_request(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", handler_with_outgoing_request)

    events = capture_events()

    def fake_create_trace_context(*args, **kwargs):
        trace_context = create_trace_config()

        async def overwrite_timestamps(session, trace_config_ctx, params):
            span = trace_config_ctx._sentry_span
            span.start_timestamp = datetime.datetime(2024, 1, 1, microsecond=0)
            span.timestamp = datetime.datetime(2024, 1, 1, microsecond=100001)

        trace_context.on_request_end.insert(0, overwrite_timestamps)

        return trace_context

    with mock.patch(
        "sentry_sdk.integrations.aiohttp.create_trace_config",
        fake_create_trace_context,
    ):
        client = await aiohttp_client(app)
        await client.get("/")

    (event,) = events

    span = event["spans"][-1]
    assert span["description"].startswith("GET")

    data = span.get("data", {})

    assert SPANDATA.CODE_LINENO in data
    assert SPANDATA.CODE_NAMESPACE in data
    assert SPANDATA.CODE_FILEPATH in data
    assert SPANDATA.CODE_FUNCTION in data

    assert type(data.get(SPANDATA.CODE_LINENO)) == int
    assert data.get(SPANDATA.CODE_LINENO) > 0
    assert (
        data.get(SPANDATA.CODE_NAMESPACE) == "tests.integrations.aiohttp.test_aiohttp"
    )
    assert data.get(SPANDATA.CODE_FILEPATH).endswith(
        "tests/integrations/aiohttp/test_aiohttp.py"
    )

    is_relative_path = data.get(SPANDATA.CODE_FILEPATH)[0] != os.sep
    assert is_relative_path

    assert data.get(SPANDATA.CODE_FUNCTION) == "handler_with_outgoing_request"


@pytest.mark.asyncio
async def test_span_origin(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_events,
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
    )

    # server for making span request
    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def hello(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    await client.get("/")

    (event,) = events
    assert event["contexts"]["trace"]["origin"] == "auto.http.aiohttp"
    assert event["spans"][0]["origin"] == "auto.http.aiohttp"


@pytest.mark.parametrize(
    ("integration_kwargs", "exception_to_raise", "should_capture"),
    (
        ({}, None, False),
        ({}, HTTPBadRequest, False),
        (
            {},
            HTTPUnavailableForLegalReasons(None),
            False,
        ),  # Highest 4xx status code (451)
        ({}, HTTPInternalServerError, True),
        ({}, HTTPNetworkAuthenticationRequired, True),  # Highest 5xx status code (511)
        ({"failed_request_status_codes": set()}, HTTPInternalServerError, False),
        (
            {"failed_request_status_codes": set()},
            HTTPNetworkAuthenticationRequired,
            False,
        ),
        ({"failed_request_status_codes": {404, *range(500, 600)}}, HTTPNotFound, True),
        (
            {"failed_request_status_codes": {404, *range(500, 600)}},
            HTTPInternalServerError,
            True,
        ),
        (
            {"failed_request_status_codes": {404, *range(500, 600)}},
            HTTPBadRequest,
            False,
        ),
    ),
)
@pytest.mark.asyncio
async def test_failed_request_status_codes(
    sentry_init,
    aiohttp_client,
    capture_events,
    integration_kwargs,
    exception_to_raise,
    should_capture,
):
    sentry_init(integrations=[AioHttpIntegration(**integration_kwargs)])
    events = capture_events()

    async def handle(_):
        if exception_to_raise is not None:
            raise exception_to_raise
        else:
            return web.Response(status=200)

    app = web.Application()
    app.router.add_get("/", handle)

    client = await aiohttp_client(app)
    resp = await client.get("/")

    expected_status = (
        200 if exception_to_raise is None else exception_to_raise.status_code
    )
    assert resp.status == expected_status

    if should_capture:
        (event,) = events
        assert event["exception"]["values"][0]["type"] == exception_to_raise.__name__
    else:
        assert not events


@pytest.mark.asyncio
async def test_failed_request_status_codes_with_returned_status(
    sentry_init, aiohttp_client, capture_events
):
    """
    Returning a web.Response with a failed_request_status_code should not be reported to Sentry.
    """
    sentry_init(integrations=[AioHttpIntegration(failed_request_status_codes={500})])
    events = capture_events()

    async def handle(_):
        return web.Response(status=500)

    app = web.Application()
    app.router.add_get("/", handle)

    client = await aiohttp_client(app)
    resp = await client.get("/")

    assert resp.status == 500
    assert not events


@pytest.mark.asyncio
async def test_failed_request_status_codes_non_http_exception(
    sentry_init, aiohttp_client, capture_events
):
    """
    If an exception, which is not an instance of HTTPException, is raised, it should be captured, even if
    failed_request_status_codes is empty.
    """
    sentry_init(integrations=[AioHttpIntegration(failed_request_status_codes=set())])
    events = capture_events()

    async def handle(_):
        1 / 0

    app = web.Application()
    app.router.add_get("/", handle)

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 500

    (event,) = events
    assert event["exception"]["values"][0]["type"] == "ZeroDivisionError"


@pytest.mark.asyncio
@pytest.mark.parametrize("send_pii", [True, False])
async def test_tracing_span_streaming(
    sentry_init, aiohttp_client, capture_items, send_pii
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=send_pii,
        trace_lifecycle="stream",
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 200

    sentry_sdk.flush()

    # The server-side http.server span is the only segment. The aiohttp_client
    # fixture's outgoing http.client span is suppressed because there is no
    # active span when the test client makes the request.
    assert len(items) == 1

    (server_span,) = [item.payload for item in items]

    assert server_span["is_segment"] is True
    assert (
        server_span["name"]
        == "tests.integrations.aiohttp.test_aiohttp.test_tracing_span_streaming.<locals>.hello"
    )
    assert server_span["attributes"]["sentry.op"] == "http.server"
    assert server_span["attributes"]["sentry.origin"] == "auto.http.aiohttp"
    assert server_span["attributes"]["http.response.status_code"] == 200
    assert server_span["attributes"]["sentry.segment.name.source"] == "component"
    assert server_span["status"] == "ok"
    # No query string on the request, so the attribute should be omitted.
    assert "url.query" not in server_span["attributes"]

    # Request attributes derived directly from the aiohttp request.
    assert server_span["attributes"]["http.request.method"] == "GET"

    if send_pii:
        assert "client.address" in server_span["attributes"]
        assert "user.ip_address" in server_span["attributes"]

        url_full = server_span["attributes"]["url.full"]
        assert url_full.startswith("http://127.0.0.1:")
        assert url_full.endswith("/")

        url_path = server_span["attributes"]["url.path"]
        assert url_path == "/"
    else:
        assert "url.full" not in server_span["attributes"]
        assert "url.path" not in server_span["attributes"]
        assert "url.query" not in server_span["attributes"]

        assert "client.address" not in server_span["attributes"]
        assert "user.ip_address" not in server_span["attributes"]

    # aiohttp's test client always sends a Host header; we assert it propagates
    # into the span attributes via _filter_headers.
    assert "http.request.header.host" in server_span["attributes"]


@pytest.mark.asyncio
@pytest.mark.parametrize("init_kwargs, expect_ip", DATA_COLLECTION_USER_INFO_CASES)
async def test_user_address_with_data_collection_and_span_streaming(
    sentry_init, aiohttp_client, capture_items, init_kwargs, expect_ip
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        **init_kwargs,
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 200

    sentry_sdk.flush()

    (server_span,) = [item.payload for item in items]
    assert server_span["attributes"]["sentry.origin"] == "auto.http.aiohttp"

    if expect_ip:
        assert server_span["attributes"]["client.address"] == "127.0.0.1"
        assert server_span["attributes"]["user.ip_address"] == "127.0.0.1"
    else:
        assert "client.address" not in server_span["attributes"]
        assert "user.ip_address" not in server_span["attributes"]


@pytest.mark.asyncio
async def test_sensitive_header_scrubbing_span_streaming(
    sentry_init, aiohttp_client, capture_items
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get(
        "/",
        headers={
            "Authorization": "Bearer secret-token",
            "X-Custom-Header": "passthrough",
        },
    )
    assert resp.status == 200

    sentry_sdk.flush()

    (server_span,) = [item.payload for item in items]

    # send_default_pii defaults to False, so _filter_headers substitutes
    # sensitive headers with SENSITIVE_DATA_SUBSTITUTE ("[Filtered]"). The
    # original token must not leak.
    assert (
        server_span["attributes"]["http.request.header.authorization"]
        == SENSITIVE_DATA_SUBSTITUTE
    )
    # Non-sensitive headers pass through untouched.
    assert (
        server_span["attributes"]["http.request.header.x-custom-header"]
        == "passthrough"
    )


@pytest.mark.parametrize(
    "options,expected",
    [
        pytest.param(
            {
                "send_default_pii": True,
                "data_collection": {},
            },
            {
                "authorization": "[Filtered]",
                "custom": "foobar",
                "cookie": "[Filtered]",
            },
            id="enabled_send_default_pii_redacts_auth_header_due_to_data_collection_default_settings",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {},
            },
            {
                "authorization": "[Filtered]",
                "custom": "foobar",
                "cookie": "[Filtered]",
            },
            id="disabled_send_default_pii_redacts_auth_header_due_to_data_collection_default_settings",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {"http_headers": {"request": {"mode": "off"}}},
            },
            None,
            id="data_collection_off_does_not_add_headers",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {"http_headers": {"request": {"mode": "allowlist"}}},
            },
            {
                "authorization": "[Filtered]",
                "custom": "[Filtered]",
                "cookie": "[Filtered]",
            },
            id="data_collection_allow_list_redacts_terms_that_do_not_appear",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {
                    "http_headers": {
                        "request": {"mode": "allowlist", "terms": ["Authorization"]}
                    }
                },
            },
            {
                "authorization": "[Filtered]",
                "custom": "[Filtered]",
                "cookie": "[Filtered]",
            },
            id="data_collection_allow_list_redacts_sensitive_terms_even_when_provided_by_user",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {
                    "http_headers": {
                        "request": {"mode": "allowlist", "terms": ["custom"]}
                    }
                },
            },
            {
                "authorization": "[Filtered]",
                "custom": "foobar",
                "cookie": "[Filtered]",
            },
            id="data_collection_allow_list_does_not_redact_provided_term",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {
                    "http_headers": {
                        "request": {"mode": "denylist", "terms": ["custom"]}
                    }
                },
            },
            {
                "authorization": "[Filtered]",
                "custom": "[Filtered]",
                "cookie": "[Filtered]",
            },
            id="data_collection_deny_list_redacts_sensitive_terms_when_provided_by_user",
        ),
        pytest.param(
            {
                "send_default_pii": False,
                "data_collection": {
                    "http_headers": {
                        "request": {"mode": "allowlist", "terms": ["cookie"]}
                    }
                },
            },
            {
                "authorization": "[Filtered]",
                "custom": "[Filtered]",
                "cookie": "[Filtered]",
            },
            id="data_collection_cookie_is_always_redacted_even_when_allow_listed",
        ),
    ],
)
@pytest.mark.asyncio
async def test_sensitive_header_passthrough_with_pii_span_streaming(
    sentry_init, aiohttp_client, capture_items, options, expected, request
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=options["send_default_pii"],
        trace_lifecycle="stream",
        data_collection=options["data_collection"],
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    await client.get(
        "/",
        headers={
            "Authorization": "Bearer secret-token",
            "x-custom-header": "foobar",
            "Cookie": "sessionid=secret",
        },
    )

    sentry_sdk.flush()

    (server_span,) = [item.payload for item in items]

    if expected is None:
        assert "http.request.header.authorization" not in server_span["attributes"]
        assert "http.request.header.cookie" not in server_span["attributes"]
    else:
        assert (
            server_span["attributes"]["http.request.header.authorization"]
            == expected["authorization"]
        )
        assert (
            server_span["attributes"]["http.request.header.x-custom-header"]
            == expected["custom"]
        )
        assert (
            server_span["attributes"]["http.request.header.cookie"]
            == expected["cookie"]
        )


@pytest.mark.asyncio
async def test_sensitive_header_passthrough_with_pii_span_streaming_without_data_collection(
    sentry_init, aiohttp_client, capture_items
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=True,
        trace_lifecycle="stream",
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    await client.get("/", headers={"Authorization": "Bearer secret-token"})

    sentry_sdk.flush()

    (server_span,) = [item.payload for item in items]

    # With send_default_pii=True, _filter_headers is a no-op and the original
    # value reaches the span attribute.
    assert (
        server_span["attributes"]["http.request.header.authorization"]
        == "Bearer secret-token"
    )
    # client.address and user.ip_address is captured under send_default_pii=True.
    assert server_span["attributes"]["client.address"] == "127.0.0.1"
    assert server_span["attributes"]["user.ip_address"] == "127.0.0.1"


@pytest.mark.asyncio
@pytest.mark.parametrize("send_pii", [True, False])
async def test_url_query_attribute_span_streaming(
    sentry_init, aiohttp_client, capture_items, send_pii
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=send_pii,
        trace_lifecycle="stream",
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get("/?foo=bar&baz=qux")
    assert resp.status == 200

    sentry_sdk.flush()

    assert len(items) == 1
    (server_segment,) = [item.payload for item in items]

    if send_pii:
        assert server_segment["attributes"]["url.query"] == "foo=bar&baz=qux"
    else:
        assert "url.query" not in server_segment["attributes"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url,transaction_style,expected_name,expected_source",
    [
        (
            "/message",
            "handler_name",
            "tests.integrations.aiohttp.test_aiohttp."
            "test_transaction_style_span_streaming.<locals>.hello",
            "component",
        ),
        (
            "/message",
            "method_and_path_pattern",
            "GET /{var}",
            "route",
        ),
    ],
)
async def test_transaction_style_span_streaming(
    sentry_init,
    aiohttp_client,
    capture_items,
    url,
    transaction_style,
    expected_name,
    expected_source,
):
    sentry_init(
        integrations=[AioHttpIntegration(transaction_style=transaction_style)],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/{var}", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get(url)
    assert resp.status == 200

    sentry_sdk.flush()

    assert len(items) == 1
    (server_segment,) = [item.payload for item in items]

    assert server_segment["name"] == expected_name
    assert server_segment["is_segment"]
    assert server_segment["attributes"]["sentry.segment.name.source"] == expected_source


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url,expected_route",
    [
        ("/message", "/{var}"),
    ],
)
async def test_http_route(
    sentry_init,
    aiohttp_client,
    capture_items,
    url,
    expected_route,
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/{var}", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    await client.get(url)

    sentry_sdk.flush()
    (segment,) = (item.payload for item in items if item.payload.get("is_segment"))
    assert segment["attributes"][SPANDATA.HTTP_ROUTE] == expected_route


@pytest.mark.asyncio
async def test_server_error_span_streaming(sentry_init, aiohttp_client, capture_items):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("event", "span")

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 500

    sentry_sdk.flush()

    # 1 error event + 1 span (server http.server)
    assert len(items) == 2

    error_event = items[0]
    assert error_event.type == "event"
    assert error_event.payload["exception"]["values"][0]["type"] == "ZeroDivisionError"

    server_span = items[1].payload

    # The integration's generic Exception path reraises without recording
    # http.response.status_code on the server span. StreamedSpan.__exit__
    # observes the propagating exception and sets status to "error".
    assert server_span["attributes"]["sentry.op"] == "http.server"
    assert "http.response.status_code" not in server_span["attributes"]
    assert server_span["status"] == "error"


@pytest.mark.asyncio
async def test_http_exception_span_streaming(
    sentry_init, aiohttp_client, capture_items
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        raise web.HTTPForbidden()

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 403

    sentry_sdk.flush()

    assert len(items) == 1
    (server_span,) = [item.payload for item in items]

    assert server_span["attributes"]["sentry.op"] == "http.server"
    assert server_span["attributes"]["http.response.status_code"] == 403
    assert server_span["status"] == "error"


@pytest.mark.asyncio
async def test_http_exception_ok_status_not_overridden_span_streaming(
    sentry_init, aiohttp_client, capture_items
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        raise web.HTTPFound("https://example.com")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app, server_kwargs={"skip_url_asserts": True})
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 302

    sentry_sdk.flush()

    assert len(items) == 1
    (server_span,) = [item.payload for item in items]

    assert server_span["attributes"]["sentry.op"] == "http.server"
    assert server_span["attributes"]["http.response.status_code"] == 302
    assert server_span["status"] == "ok"


@pytest.mark.asyncio
@pytest.mark.parametrize("send_pii", [True, False])
async def test_outgoing_client_span_span_streaming(
    sentry_init, aiohttp_raw_server, aiohttp_client, capture_items, send_pii
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=send_pii,
        trace_lifecycle="stream",
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def hello(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/?foo=bar")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    await client.get("/")

    sentry_sdk.flush()

    # 2 spans, finished inner-first:
    #   #0 inner http.client (server -> raw_server)
    #   #1 server http.server
    assert len(items) == 2

    inner_client_span = items[0].payload
    server_span = items[1].payload

    assert server_span["attributes"]["sentry.op"] == "http.server"

    assert inner_client_span["is_segment"] is False
    assert inner_client_span["name"].startswith("GET ")
    assert inner_client_span["attributes"]["sentry.op"] == "http.client"
    assert inner_client_span["attributes"]["sentry.origin"] == "auto.http.aiohttp"
    assert inner_client_span["attributes"]["http.request.method"] == "GET"
    assert inner_client_span["attributes"]["http.response.status_code"] == 200
    assert inner_client_span["status"] == "ok"

    if send_pii:
        assert inner_client_span["attributes"]["url.query"] == "foo=bar"

        url_full = inner_client_span["attributes"]["url.full"]

        assert url_full.startswith("http://127.0.0.1:")
        assert "?foo=bar" in url_full

        assert inner_client_span["attributes"]["url.path"] == "/"


@pytest.mark.asyncio
async def test_outgoing_trace_headers_span_streaming(
    sentry_init, aiohttp_raw_server, aiohttp_client, capture_items
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    items = capture_items("span")

    client = await aiohttp_client(raw_server)
    resp = await client.get("/")

    sentry_sdk.flush()

    # The outgoing http.client span is suppressed because there is no active
    # span when the test client makes the request.
    assert len(items) == 0

    # Even though no span is created, the trace propagation headers must still
    # be added to the outgoing request so the trace is not broken.
    assert "sentry-trace" in resp.request_info.headers
    assert "baggage" in resp.request_info.headers


@pytest.mark.asyncio
@pytest.mark.parametrize("send_default_pii", [True, False])
async def test_user_ip_address_on_all_spans(
    sentry_init, aiohttp_client, capture_items, send_default_pii
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        send_default_pii=send_default_pii,
        trace_lifecycle="stream",
    )

    async def hello(request):
        with sentry_sdk.traces.start_span(name="child-span"):
            pass
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    await client.get("/")

    sentry_sdk.flush()

    child_span, server_span = [item.payload for item in items]

    assert server_span["attributes"]["sentry.segment.name.source"] == "component"
    assert "sentry.segment.name.source" not in child_span["attributes"]

    if send_default_pii:
        assert server_span["attributes"]["user.ip_address"] == "127.0.0.1"
        assert child_span["attributes"]["user.ip_address"] == "127.0.0.1"
    else:
        assert "user.ip_address" not in server_span["attributes"]
        assert "user.ip_address" not in child_span["attributes"]


_QUERY_PARAM_DATA_COLLECTION_CASES = [
    pytest.param(
        {"send_default_pii": True},
        "toy=tennisball&color=red&auth=secret",
        id="send_default_pii_true",
    ),
    pytest.param(
        {"send_default_pii": False},
        None,
        id="send_default_pii_false",
    ),
    pytest.param(
        {},
        None,
        id="defaults",
    ),
    pytest.param(
        {"data_collection": {}},
        "toy=tennisball&color=red&auth=%5BFiltered%5D",
        id="data_collection_denylist_default",
    ),
    pytest.param(
        {
            "data_collection": {
                "url_query_params": {"mode": "denylist", "terms": ["toy"]}
            }
        },
        "toy=%5BFiltered%5D&color=red&auth=%5BFiltered%5D",
        id="data_collection_denylist_custom_terms",
    ),
    pytest.param(
        {
            "data_collection": {
                "url_query_params": {"mode": "allowlist", "terms": ["toy"]}
            }
        },
        "toy=tennisball&color=%5BFiltered%5D&auth=%5BFiltered%5D",
        id="data_collection_allowlist",
    ),
    pytest.param(
        {
            "data_collection": {
                "url_query_params": {"mode": "allowlist", "terms": ["auth"]}
            }
        },
        "toy=%5BFiltered%5D&color=%5BFiltered%5D&auth=%5BFiltered%5D",
        id="data_collection_allowlist_sensitive_term",
    ),
    pytest.param(
        {"data_collection": {"url_query_params": {"mode": "off"}}},
        None,
        id="data_collection_off",
    ),
    pytest.param(
        {
            "send_default_pii": True,
            "data_collection": {"url_query_params": {"mode": "off"}},
        },
        None,
        id="data_collection_wins_over_send_default_pii",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "init_kwargs, expected_query", _QUERY_PARAM_DATA_COLLECTION_CASES
)
async def test_server_url_query_data_collection_span_streaming(
    sentry_init, aiohttp_client, capture_items, init_kwargs, expected_query
):
    init_kwargs = dict(init_kwargs)
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        **init_kwargs,
    )

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get("/?toy=tennisball&color=red&auth=secret")
    assert resp.status == 200

    sentry_sdk.flush()

    (server_span,) = [item.payload for item in items]

    if expected_query is None:
        assert "url.query" not in server_span["attributes"]
    else:
        assert server_span["attributes"]["url.query"] == expected_query


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "init_kwargs, expected_query", _QUERY_PARAM_DATA_COLLECTION_CASES
)
async def test_client_url_query_data_collection_span_streaming(
    sentry_init,
    aiohttp_raw_server,
    aiohttp_client,
    capture_items,
    init_kwargs,
    expected_query,
):
    init_kwargs = dict(init_kwargs)
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
        **init_kwargs,
    )

    async def handler(request):
        return web.Response(text="OK")

    raw_server = await aiohttp_raw_server(handler)

    async def hello(request):
        span_client = await aiohttp_client(raw_server)
        await span_client.get("/?toy=tennisball&color=red&auth=secret")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get(r"/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    await client.get("/")

    sentry_sdk.flush()

    inner_client_span = items[0].payload

    if expected_query is None:
        assert "url.query" not in inner_client_span["attributes"]
    else:
        assert inner_client_span["attributes"]["url.query"] == expected_query


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "init_kwargs, expected_query", _QUERY_PARAM_DATA_COLLECTION_CASES
)
async def test_server_url_query_data_collection_event_processor(
    sentry_init, aiohttp_client, capture_events, init_kwargs, expected_query
):
    init_kwargs = dict(init_kwargs)
    sentry_init(integrations=[AioHttpIntegration()], **init_kwargs)

    async def hello(request):
        1 / 0

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/?toy=tennisball&color=red&auth=secret")
    assert resp.status == 500

    (event,) = events

    host = event["request"]["headers"]["Host"]
    assert event["request"]["url"] == "http://{host}/".format(host=host)
    assert event["request"]["method"] == "GET"

    if "data_collection" not in init_kwargs:
        assert (
            event["request"]["query_string"] == "toy=tennisball&color=red&auth=secret"
        )
    elif expected_query is None:
        assert "query_string" not in event["request"]
    else:
        assert event["request"]["query_string"] == expected_query


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "forwarded_for, host_header, is_localhost",
    [
        pytest.param(None, None, True, id="loopback-ip"),
        pytest.param(
            "93.184.216.34", "localhost:8080", True, id="localhost-host-header"
        ),
        pytest.param("93.184.216.34", "example.com", False, id="non-local"),
    ],
)
async def test_is_localhost_attribute(
    sentry_init,
    aiohttp_client,
    capture_items,
    forwarded_for,
    host_header,
    is_localhost,
):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        with sentry_sdk.traces.start_span(name="child"):
            pass
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    headers = {}
    if host_header:
        headers["Host"] = host_header
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    resp = await client.get("/", headers=headers)
    assert resp.status == 200

    sentry_sdk.flush()

    child_spans = [item.payload for item in items if not item.payload.get("is_segment")]
    server_spans = [item.payload for item in items if item.payload.get("is_segment")]

    assert len(server_spans) == 1
    assert len(child_spans) == 1

    assert server_spans[0]["attributes"][SPANDATA.SENTRY_IS_LOCALHOST] == is_localhost
    assert child_spans[0]["attributes"][SPANDATA.SENTRY_IS_LOCALHOST] == is_localhost


@pytest.mark.asyncio
async def test_user_agent_attribute(sentry_init, aiohttp_client, capture_items):
    sentry_init(
        integrations=[AioHttpIntegration()],
        traces_sample_rate=1.0,
        trace_lifecycle="stream",
    )

    async def hello(request):
        with sentry_sdk.traces.start_span(name="child"):
            pass
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    items = capture_items("span")

    client = await aiohttp_client(app)
    resp = await client.get("/", headers={"User-Agent": "TestBrowser/1.0"})
    assert resp.status == 200

    sentry_sdk.flush()

    child_spans = [item.payload for item in items if not item.payload.get("is_segment")]
    server_spans = [item.payload for item in items if item.payload.get("is_segment")]

    assert len(server_spans) == 1
    assert len(child_spans) == 1

    assert (
        server_spans[0]["attributes"][SPANDATA.USER_AGENT_ORIGINAL] == "TestBrowser/1.0"
    )
    assert (
        child_spans[0]["attributes"][SPANDATA.USER_AGENT_ORIGINAL] == "TestBrowser/1.0"
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "init_kwargs, expect_remote_addr", DATA_COLLECTION_REMOTE_ADDR_CASES
)
async def test_remote_addr_data_collection(
    sentry_init, aiohttp_client, capture_events, init_kwargs, expect_remote_addr
):
    sentry_init(integrations=[AioHttpIntegration()], **init_kwargs)

    async def hello(request):
        capture_message("hi")
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)

    events = capture_events()

    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 200

    (event,) = events
    if expect_remote_addr:
        assert event["request"]["env"] == {"REMOTE_ADDR": "127.0.0.1"}
    else:
        assert "env" not in event["request"]

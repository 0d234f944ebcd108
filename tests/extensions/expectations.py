# ruff: noqa: E501 - a table of test ids, which are as long as the libraries' parameters make them
"""What the extensions run expects of each vendored test that does not simply pass against our ``web``.

``FILTERWARNINGS``: a library's own warning filters, from its configuration, added to every one of its tests.
``ASYNCIO_MODE``: a library's own pytest-asyncio mode, where it is not pytest.ini's ``auto``.
``LOOP_BEFORE_FIXTURES``: libraries whose sync fixtures need the test's event loop current.
``IGNORED_FILES``: test files not collected in either mode (they need what this machine does not run).
``DESELECTED``: tests left out in both modes, with the reason.
``XFAIL``: tests that fail against our ``web`` (prefork mode), each with its reason; they are marked
``xfail(strict=True)``, so one that starts passing fails the run until it is taken off this list.
``NOT_RUN``: tests that fail against our ``web`` and whose failure leaves behind state that fails the tests after
them (a suite whose tests undo a global patch at their end, not in a fixture); they are marked ``xfail(run=False)``,
in prefork mode.

Keys are ``library-dir/tests/file`` (every test in it), ``library-dir/tests/file::test`` (every parametrization)
or ``...::test[params]`` (one).
"""

DOCKER = "starts a Redis or memcached server in Docker (its conftest's docker fixture)"
RPC_UTILS = "imports tests/utils.py (make_client, make_ws_client), which the aiohttp-rpc 2.0.0 sdist does not ship"

# prometheus-async's pyproject.toml has "once::Warning" and ignores every warning from aiohttp: not taken, its suite
# passes under pytest.ini's "error" in both modes, which would catch a warning our web raises where aiohttp does not.
FILTERWARNINGS: dict[str, list[str]] = {
    "aiohttp-remotes-1.3.0": ["ignore:unclosed.+:ResourceWarning"],  # its setup.cfg
    # Its repository's pytest.ini leaves warnings warnings; the instrumentor subclasses web.Application, which
    # aiohttp 3 discourages with this warning, as ours does.
    "opentelemetry-instrumentation-aiohttp-server-0.66b1": [
        "ignore:Inheritance class _InstrumentedApplication from web.Application is discouraged:DeprecationWarning"
    ],
    # aiohttp-utils sets no warning filter (its CI does not make warnings errors): the deprecations its tests meet
    # in both modes, aiohttp 3's of the API they use (Application(router=, loop=, debug=), app.loop, app.debug,
    # plain-function handlers, old-style middleware factories), its runner's, and Python's of
    # asyncio.get_event_loop() without a loop (its session-wide loop fixture).
    "aiohttp-utils-3.2.1": [
        "ignore:router argument is deprecated:DeprecationWarning",
        "ignore:loop argument is deprecated:DeprecationWarning",
        "ignore:debug argument is deprecated:DeprecationWarning",
        "ignore:loop property is deprecated:DeprecationWarning",
        "ignore:debug property is deprecated:DeprecationWarning",
        "ignore:old-style middleware .* deprecated, see #2252:DeprecationWarning",
        "ignore:Bare functions are deprecated, use async ones:DeprecationWarning",
        "ignore:aiohttp_utils.runner is deprecated:DeprecationWarning",
        "ignore:There is no current event loop:DeprecationWarning",  # its loop fixture, on Python 3.12 and 3.13
    ],
    # sentry-sdk sets no warning filter (its pyproject.toml): the SDK's own deprecation of the option its tests of
    # that option pass, in both modes.
    "sentry-sdk-2.75.0": [
        "ignore:The send_default_pii option is deprecated:DeprecationWarning",
        "ignore:`send_default_pii` is deprecated and ignored when `data_collection` is set:DeprecationWarning",
    ],
}

# aiohttp-deps runs its async tests and fixtures on anyio's pytest plugin (@pytest.mark.anyio, its anyio_backend
# fixture) and has no pytest-asyncio: in auto mode pytest-asyncio also claims its async aiohttp_client fixture, which
# then runs on another loop than the test (74 of its 82 tests failed against aiohttp.web itself).
ASYNCIO_MODE: dict[str, str] = {
    "aiohttp-deps-1.1.5": "strict",
    # sentry-sdk's pyproject.toml: its tests are marked @pytest.mark.asyncio.
    "sentry-sdk-2.75.0": "strict",
}

# Libraries whose sync fixtures read the current event loop: the test's loop is set up first (conftest.py's
# pytest_collection_modifyitems puts _test_loop first in each test's fixtures). aiohttp-graphql's executor fixture builds graphql-core 2's AsyncioExecutor, which keeps
# asyncio.get_event_loop(); its CI's pytest-asyncio 0.10 left the main thread's default loop current, 1.x sets the
# test's loop only when an async fixture or the test needs it (50 of its 103 tests failed against aiohttp.web).
LOOP_BEFORE_FIXTURES: set[str] = {"aiohttp-graphql-1.1.0"}

IGNORED_FILES: dict[str, str] = {
    "aiohttp-utils-3.2.1/tests/test_examples.py": "imports the apps of the sdist's examples/ (examples.kitchen_sink, examples.mako_example), outside tests/ and not vendored: here `examples` is prefork's own package",
    "aiohttp-cors-0.8.1/tests/integration/test_real_browser.py": "drives Firefox and Chrome through Selenium",
    "prometheus-async-26.1.0/tests/test_tx.py": "prometheus_async.tx, for Twisted, which is not installed: nothing of aiohttp.web (its conftest leaves the file out without Twisted too)",
    "aiohttp-rpc-2.0.0/tests/test_args.py": RPC_UTILS,
    "aiohttp-rpc-2.0.0/tests/test_batch.py": RPC_UTILS,
    "aiohttp-rpc-2.0.0/tests/test_middleware.py": RPC_UTILS,
    "aiohttp-rpc-2.0.0/tests/test_protocol_for_http.py": RPC_UTILS,
    "aiohttp-rpc-2.0.0/tests/test_protocol_for_ws.py": RPC_UTILS,
    "aiohttp-rpc-2.0.0/tests/test_websocket.py": RPC_UTILS,
}

DESELECTED: dict[str, str] = {
    "aiohttp-session-2.12.1/tests/test_memcached_storage.py": DOCKER,
    "aiohttp-session-2.12.1/tests/test_redis_storage.py": DOCKER,
    "aiohttp-session-2.12.1/tests/test_cookie_storage.py::test_clear_cookie_on_session_invalidation": "expects the client's cookie jar to report domain=127.0.0.1, which aiohttp 3.14's client does not (fails against aiohttp.web too)",
    "aiojobs-1.4.0/tests/test_scheduler.py::test_scheduler_must_be_created_within_running_loop": "the Scheduler alone on Python < 3.10 (skips itself on 3.10+): nothing of aiohttp.web",
    "prometheus-async-26.1.0/tests/test_aio.py::TestConsulAgent::test_integration": "registers the metrics server with a Consul agent on localhost:8500 (skips itself without one); test_mocked covers the same with a mocked agent",
    "aiohttp-openapi-ermelo-2.1/tests/test_swagger_ui.py::test_e2e": "drives Chromium through Playwright (pytest-playwright-asyncio's page fixture): no browser here; test_basics and test_multiple_api fetch the same Swagger UI pages",
    "aiohttp-utils-3.2.1/tests/test_negotiation.py::test_renders_to_json_by_default": "expects Content-Type: application/octet-stream on a response with an empty body, which aiohttp 3.14 leaves out (RFC 9110 §8.3; fails against aiohttp.web too)",
}

SENTRY = "sentry-sdk-2.75.0/tests/integrations/aiohttp/test_aiohttp.py"
# The event's request body is what aiohttp 3's read() keeps (request._read_bytes) after the handler read it.
BODY_NOT_KEPT = "expects the event to carry the body the handler read, which aiohttp 3's read() keeps (request._read_bytes); the aiohttp 0.14 API's read(), text() and json() keep nothing (a second read() gives b''), so request._read_bytes is None and the event has no body"

XFAIL: dict[str, str] = {
    f"{SENTRY}::test_post_body_read": BODY_NOT_KEPT,
    f"{SENTRY}::test_aiohttp_request_body_data_collection[data_collection_http_bodies_default]": BODY_NOT_KEPT,
    f"{SENTRY}::test_aiohttp_request_body_data_collection[data_collection_http_bodies_incoming_request]": BODY_NOT_KEPT,
    f"{SENTRY}::test_aiohttp_oversized_request_body_data_collection[data_collection_http_bodies_incoming_request]": BODY_NOT_KEPT,
}

OTEL = "opentelemetry-instrumentation-aiohttp-server-0.66b1/tests/test_aiohttp_server_integration.py"
# The exception event's exception.type is the class's module and qualified name: web.exceptions.HTTPBadGateway for
# ours, where the test expects aiohttp's module. Failing, the test skips its uninstrument(), and every test after it
# in the file finds the instrumentor already on, with the failed test's tracer: 0 spans.
EXCEPTION_MODULE = "expects the exception event's exception.type to name aiohttp's module (aiohttp.web_exceptions.HTTPBadGateway); our HTTP exceptions are web.exceptions' (the user imports web), the rest of the span is aiohttp's; not run: failing, it leaves the instrumentation on and fails the tests after it"

NOT_RUN: dict[str, str] = {
    f"{OTEL}::test_http_server_error_records_error": EXCEPTION_MODULE,
    f"{OTEL}::test_http_server_error_records_error_new_semconv": EXCEPTION_MODULE,
}

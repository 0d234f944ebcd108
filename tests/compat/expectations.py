# ruff: noqa: E501 - a table of test ids, which are as long as aiohttp's parameters make them
"""What the compat run expects of each aiohttp test that does not simply pass against our ``web``.

``DESELECTED``: tests that poke aiohttp's private internals (its protocol class, the request's ``_protocol``, a
websocket's ``_writer``...). They test aiohttp's implementation, not its API, so they are not run in either mode.

``XFAIL``: tests that fail against our ``web`` (prefork mode), each with its reason; they are marked
``xfail(strict=True)``, so one that starts passing fails the run until it is taken off this list.

Keys are ``file::test`` (every parametrization) or ``file::test[params]`` (one).
"""

# Why a test fails against our web; each XFAIL entry names one of these.
FIFO = "routes match in FIFO order, the aiohttp 0.14 API's rule (aiohttp 3 prefers a plain path to an earlier pattern)"
IFRANGE = "If-Range with a date later than Last-Modified: aiohttp sends the range; RFC 9110 §13.1.5 makes a date true only when it exactly matches Last-Modified, and a false If-Range MUST make the server ignore Range (else a file replaced by an older one is spliced into the client's partial copy)"
OPENMOCK = "mocks pathlib.Path.open; FileResponse opens with os.open(O_NONBLOCK), so a FIFO swapped in after the stat cannot block the worker, and checks that descriptor"
RANGEUNIT = "aiohttp answers 416 to a Range of an unknown unit (blocks=0-10); RFC 9110 §14.2: an origin server MUST ignore it, so the whole file is sent (invalid bytes ranges answer 416, as in aiohttp)"
SLASH = "on a miss the router ignores one trailing slash, so the aiohttp 0.14 API's route.url(query=...) URLs resolve"
STORED = "request.read()/text()/json() are not stored: a second read is empty (the aiohttp 0.14 API documents it)"
ENUM = "compares the server's messages and the client's by identity with one enum, aiohttp's WSMsgType (`msg.type is aiohttp.WSMsgType.TEXT`): the client's are aiohttp's members, the server's ours, and no object is both (with `==` the test passes against ours)"
ZLIB = "expects the bytes of aiohttp's zlib backend set by set_zlib_backend() (isal writes another level into the deflate header); web compresses with the standard zlib module"

DESELECTED: dict[str, str] = {
    "test_web_functional.py::test_cancel_shutdown": "reads the request's protocol object, aiohttp's connection internals",
    "test_web_functional.py::test_http1_pipelined_queue_resumes_after_drain": "patches aiohttp's RequestHandler (web_protocol), its connection class",
    "test_web_functional.py::test_http1_pipelined_requests_are_count_limited": "patches aiohttp's RequestHandler (web_protocol), its connection class",
    "test_web_functional.py::test_keepalive_expires_on_time": "reads the private connection list of aiohttp's Server",
    "test_web_functional.py::test_keepalive_race_condition": "patches aiohttp's RequestHandler (web_protocol), its connection class",
    "test_web_functional.py::test_unread_compressed_body_drain_is_bounded": "patches aiohttp's StreamReader/protocol/writer classes",
    "test_web_functional.py::test_upgrade_tail_is_byte_limited": "patches aiohttp's RequestHandler (web_protocol), its connection class",
    "test_web_functional.py::test_upgrade_tail_resumes_reading_after_websocket_prepare": "patches aiohttp's RequestHandler (web_protocol), its connection class",
    "test_web_sendfile_functional.py::test_sendfile_after_client_disconnect": "reads the request's protocol object, aiohttp's connection internals",
    "test_web_websocket_functional.py::test_close_releases_parser": "reads private attributes of aiohttp's websocket/response objects",
    "test_web_websocket_functional.py::test_close_timeout": "reads private attributes of aiohttp's websocket/response objects",
    "test_web_websocket_functional.py::test_heartbeat_connection_closed": "reads private attributes of aiohttp's websocket/response objects",
    "test_web_websocket_functional.py::test_prepare_after_client_disconnect": "reads the request's protocol object, aiohttp's connection internals",
    "test_web_websocket_functional.py::test_stalled_parser_outlives_connection_lost": "reads the request's protocol object, aiohttp's connection internals",
    "test_web_websocket_functional.py::test_stashed_frames_survive_connection_loss": "reads the request's protocol object, aiohttp's connection internals",
    "test_web_websocket_functional.py::test_websocket_disable_keepalive": "reads the request's protocol object, aiohttp's connection internals",
    "test_web_websocket_functional.py::test_websocket_disable_keepalive_no_armed_handle": "reads the request's protocol object, aiohttp's connection internals",
}

XFAIL: dict[str, str] = {
    "test_web_functional.py::test_post_json[pyloop]": STORED,
    "test_web_functional.py::test_post_text[pyloop]": STORED,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_add_trailing_when_necessary[pyloop-/resource1/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_add_trailing_when_necessary[pyloop-/resource1/?p1=1&p2=2-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/////resource1/a///b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/////resource1/a///b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-///resource1//a//b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-///resource1//a//b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/resource1/a/b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/resource1/a/b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-/////resource1/a//b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-/////resource1/a//b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-//resource1//a//b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-//resource1//a//b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_no_trailing_slash_when_disabled[pyloop-/resource1/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_no_trailing_slash_when_disabled[pyloop-/resource1/?p1=1&p2=2-404]": SLASH,
    "test_web_sendfile_functional.py::test_static_file_compression[isal.isal_zlib-no_sendfile-pyloop]": ZLIB,
    "test_web_sendfile_functional.py::test_static_file_compression[isal.isal_zlib-sendfile-pyloop]": ZLIB,
    "test_web_sendfile_functional.py::test_static_file_if_range_future_with_range[no_sendfile-pyloop]": IFRANGE,
    "test_web_sendfile_functional.py::test_static_file_if_range_future_with_range[sendfile-pyloop]": IFRANGE,
    "test_web_sendfile_functional.py::test_static_file_invalid_range[no_sendfile-pyloop]": RANGEUNIT,
    "test_web_sendfile_functional.py::test_static_file_invalid_range[sendfile-pyloop]": RANGEUNIT,
    "test_web_urldispatcher.py::test_order_is_preserved[pyloop]": FIFO,
    "test_web_urldispatcher.py::test_static_file_with_mock_permission_error[pyloop]": OPENMOCK,
    "test_web_websocket_functional.py::test_heartbeat_no_pong_receive_many_messages[pyloop]": ENUM,
    "test_web_websocket_functional.py::test_receive_text_as_bytes_server_iteration[pyloop]": ENUM,
    "test_web_websocket_functional.py::test_receive_text_as_bytes_server_side[pyloop]": ENUM,
    "test_web_websocket_functional.py::test_server_decode_text_default_true[pyloop]": ENUM,
    "test_web_websocket_functional.py::test_websocket_prepare_timeout_from_issue_reproducer[pyloop]": ENUM,
}

# -- test_test_utils.py and test_web_server.py (aiohttp.test_utils, the low-level web.Server) ----------------------

HALFCLOSE = "expects the handler cancelled when the client gives up (aiohttp's client sends a FIN on its timeout): the server keeps a half-closed connection to answer what it was sent (RFC 9112 §9.6: a client that half-closes may still read the answer), so the handler runs on; a reset or a lost connection does cancel it under handler_cancellation"
UNJUDGED_FIRST_DEADLINE = "not yet judged: a new connection that sends nothing closes after header_timeout (30 s), whatever keepalive_timeout; aiohttp 3.14.5 closes it after keepalive_timeout (0.2 s here)"
UNJUDGED_KEEPALIVE_ZERO = "not yet judged: keepalive_timeout=0 raises ValueError (it must be positive); aiohttp takes it as no keep-alive (close after each answer) and no first-request deadline"

DESELECTED.update(
    {
        "test_web_server.py::test_no_future_warning_on_disconnect_during_backpressure": "reads writing_paused of aiohttp's RequestHandler, its connection internals",
        "test_web_server.py::test_raw_server_cancelled_in_write_eof": "mocks the response's write_eof to fail inside aiohttp's server, which calls it to finish every response: aiohttp's internal call sequence (ours finishes a plain Response itself)",
        "test_web_server.py::test_raw_server_logs_invalid_method_with_loop_debug": "raises aiohttp's parser error class (aiohttp.http_exceptions.BadHttpMethod) from a handler to reach the rule aiohttp's RequestHandler keeps for its own parser's errors (debug level on a connection's first request); our parser's errors never reach a handler",
        "test_web_server.py::test_raw_server_logs_invalid_method_without_loop_debug": "raises aiohttp's parser error class (aiohttp.http_exceptions.BadHttpMethod) from a handler to reach the rule aiohttp's RequestHandler keeps for its own parser's errors (debug level on a connection's first request); our parser's errors never reach a handler",
        "test_web_server.py::test_trickled_headers_closed_at_first_request_deadline": "patches connection_lost of aiohttp's Server and reads its connections list, its connection internals",
    }
)

XFAIL.update(
    {
        "test_web_server.py::test_handler_cancellation": HALFCLOSE,
        "test_web_server.py::test_idle_connection_closed_before_first_request[pyloop]": UNJUDGED_FIRST_DEADLINE,
        "test_web_server.py::test_keepalive_timeout_zero_no_first_request_deadline[pyloop]": UNJUDGED_KEEPALIVE_ZERO,
    }
)

# -- end of test_test_utils.py and test_web_server.py --------------------------------------------------------------


# Tests whose premise does not hold when the suite runs as root (root reads a file of mode 000): skipped for
# root in both modes, as they fail against aiohttp.web too.
UNREADABLE_AS_ROOT: dict[str, str] = {
    "test_web_urldispatcher.py::test_static_directory_without_read_permission": "root reads a mode-000 directory",
    "test_web_urldispatcher.py::test_static_file_without_read_permission": "root reads a mode-000 file",
}

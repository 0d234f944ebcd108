# ruff: noqa: E501 - a table of test ids, which are as long as aiohttp's parameters make them
"""What the compat run expects of each aiohttp test that does not simply pass against our ``web``.

``DESELECTED``: tests that poke aiohttp's private internals (its protocol class, the request's ``_protocol``, a
websocket's ``_writer``...). They test aiohttp's implementation, not its API, so they are not run in either mode.

``XFAIL``: tests that fail against our ``web`` (prefork mode), each with its reason; they are marked
``xfail(strict=True)``, so one that starts passing fails the run until it is taken off this list.

Keys are ``file::test`` (every parametrization) or ``file::test[params]`` (one).
"""

# Why a test fails against our web; each XFAIL entry names one of these.
AIOCLS = "checks isinstance against aiohttp's own classes (aiohttp.multipart readers, aiohttp.web_request.FileField, aiohttp.web.RequestPayloadError)"
ASSERT = "normalize_path_middleware refuses append_slash with remove_slash with ValueError, not AssertionError"
BODYSRC = "aiohttp.streamer functions and BodyPartReader objects are not accepted as Response bodies"
DRAIN = "drain() (the aiohttp 0.14 API) emits no DeprecationWarning"
FIFO = "routes match in FIFO order, the aiohttp 0.14 API's rule (aiohttp 3 prefers a plain path to an earlier pattern)"
FROZEN = "match_info.add_app() is not refused after routing"
OLDMW = "middleware factories (the aiohttp 0.14 API) emit no DeprecationWarning"
RES = "routes are their own resources: no add_resource(), one resource per route"
RETEXC = "returning an HTTPException (the aiohttp 0.14 API) emits no DeprecationWarning"
SLASH = "on a miss the router ignores one trailing slash, so the aiohttp 0.14 API's route.url(query=...) URLs resolve"
STATIC = "FileResponse and static files differ from aiohttp's (conditional requests, ranges, index pages, pre-compressed files, permissions): web/static.py"
STORED = "request.read()/text()/json() are not stored: a second read is empty (the aiohttp 0.14 API documents it)"
FSTAT = "mocks os.stat to fake a FIFO; static serving checks the file it opened with fstat (no check-then-open race), which the mock does not reach"
WS = "websocket behaviour differs from aiohttp's (receive timeouts, heartbeat, close codes, typed receive, upgrade errors): web/websocket.py"

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
    "test_web_urldispatcher.py::test_access_mock_special_resource[pyloop]": FSTAT,
    "test_web_functional.py::test_await[pyloop]": DRAIN,
    "test_web_functional.py::test_bad_request_payload[pyloop]": AIOCLS,
    "test_web_functional.py::test_multipart[pyloop]": AIOCLS,
    "test_web_functional.py::test_multipart_content_transfer_encoding[pyloop]": AIOCLS,
    "test_web_functional.py::test_multipart_empty[pyloop]": AIOCLS,
    "test_web_functional.py::test_post_file_field_spool_rollover[pyloop-0]": AIOCLS,
    "test_web_functional.py::test_post_file_field_spool_rollover[pyloop-1048575]": AIOCLS,
    "test_web_functional.py::test_post_file_field_spool_rollover[pyloop-1048576]": AIOCLS,
    "test_web_functional.py::test_post_file_field_spool_rollover[pyloop-1048577]": AIOCLS,
    "test_web_functional.py::test_post_file_field_spool_rollover[pyloop-1]": AIOCLS,
    "test_web_functional.py::test_post_json[pyloop]": STORED,
    "test_web_functional.py::test_post_text[pyloop]": STORED,
    "test_web_functional.py::test_response_with_bodypart[pyloop]": BODYSRC,
    "test_web_functional.py::test_response_with_bodypart_invalid_name[pyloop]": BODYSRC,
    "test_web_functional.py::test_response_with_bodypart_named[pyloop]": BODYSRC,
    "test_web_functional.py::test_response_with_streamer[pyloop]": BODYSRC,
    "test_web_functional.py::test_response_with_streamer_no_params[pyloop]": BODYSRC,
    "test_web_functional.py::test_return_http_exception_deprecated[pyloop]": RETEXC,
    "test_web_functional.py::test_subapp_cannot_add_app_in_handler[pyloop]": FROZEN,
    "test_web_functional.py::test_subapp_middlewares[pyloop]": OLDMW,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_add_trailing_when_necessary[pyloop-/resource1/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_add_trailing_when_necessary[pyloop-/resource1/?p1=1&p2=2-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/////resource1/a///b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/////resource1/a///b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-///resource1//a//b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-///resource1//a//b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/resource1/a/b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_append_and_merge_slash[pyloop-/resource1/a/b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_cannot_remove_and_add_slash": ASSERT,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-/////resource1/a//b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-/////resource1/a//b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-//resource1//a//b/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_merge_slash[pyloop-//resource1//a//b/?p=1-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_no_trailing_slash_when_disabled[pyloop-/resource1/-404]": SLASH,
    "test_web_middleware.py::TestNormalizePathMiddleware::test_no_trailing_slash_when_disabled[pyloop-/resource1/?p1=1&p2=2-404]": SLASH,
    "test_web_middleware.py::test_old_style_middleware[pyloop]": OLDMW,
    "test_web_middleware.py::test_old_style_middleware_class[pyloop]": OLDMW,
    "test_web_sendfile_functional.py::test_static_file_compression[zlib-no_sendfile-pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_compression[zlib-sendfile-pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_directory_traversal_attack[pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_huge_cancel[pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_if_range_future_with_range[no_sendfile-pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_if_range_future_with_range[sendfile-pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_invalid_range[no_sendfile-pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_invalid_range[sendfile-pyloop]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-no_sendfile-pyloop-ContentCoding.gzip-gzip, deflate, br-br]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-no_sendfile-pyloop-ContentCoding.gzip-gzip, deflate-gzip]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-no_sendfile-pyloop-None-gzip, deflate, br-br]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-no_sendfile-pyloop-None-gzip, deflate-gzip]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-sendfile-pyloop-ContentCoding.gzip-gzip, deflate, br-br]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-sendfile-pyloop-ContentCoding.gzip-gzip, deflate-gzip]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-sendfile-pyloop-None-gzip, deflate, br-br]": STATIC,
    "test_web_sendfile_functional.py::test_static_file_with_encoding_and_enable_compression[zlib-sendfile-pyloop-None-gzip, deflate-gzip]": STATIC,
    "test_web_urldispatcher.py::test_412_is_returned[pyloop]": RETEXC,
    'test_web_urldispatcher.py::test_access_root_of_static_handler[pyloop-True-200-/-/-<html>\\n<head>\\n<title>Index of /.</title>\\n</head>\\n<body>\\n<h1>Index of /.</h1>\\n<ul>\\n<li><a href="/my_dir">my_dir/</a></li>\\n<li><a href="/my_file">my_file</a></li>\\n</ul>\\n</body>\\n</html>]': STATIC,
    "test_web_urldispatcher.py::test_access_root_of_static_handler[pyloop-index_static]": STATIC,
    "test_web_urldispatcher.py::test_follow_symlink_directory_traversal[pyloop]": STATIC,
    "test_web_urldispatcher.py::test_follow_symlink_directory_traversal_after_normalization[pyloop]": STATIC,
    "test_web_urldispatcher.py::test_handler_metadata_persistence": RETEXC,
    "test_web_urldispatcher.py::test_order_is_preserved[pyloop]": FIFO,
    "test_web_urldispatcher.py::test_reuse_last_added_resource[/a]": RES,
    "test_web_urldispatcher.py::test_reuse_last_added_resource[/{a:.*}]": RES,
    "test_web_urldispatcher.py::test_reuse_last_added_resource[/{a}]": RES,
    "test_web_urldispatcher.py::test_static_absolute_url[pyloop]": STATIC,
    "test_web_urldispatcher.py::test_static_directory_with_mock_permission_error[pyloop-]": STATIC,
    "test_web_urldispatcher.py::test_static_directory_with_mock_permission_error[pyloop-my_file.txt]": STATIC,
    "test_web_urldispatcher.py::test_static_file_with_mock_permission_error[pyloop]": STATIC,
    "test_web_websocket_functional.py::test_bug3380[pyloop]": WS,
    "test_web_websocket_functional.py::test_heartbeat_no_pong_receive_many_messages[pyloop]": WS,
    "test_web_websocket_functional.py::test_receive_text_as_bytes_server_iteration[pyloop]": WS,
    "test_web_websocket_functional.py::test_receive_text_as_bytes_server_side[pyloop]": WS,
    "test_web_websocket_functional.py::test_server_decode_text_default_true[pyloop]": WS,
    "test_web_websocket_functional.py::test_websocket_prepare_timeout_from_issue_reproducer[pyloop]": WS,
}

# Tests whose premise does not hold when the suite runs as root (root reads a file of mode 000): skipped for
# root in both modes, as they fail against aiohttp.web too.
UNREADABLE_AS_ROOT: dict[str, str] = {
    "test_web_urldispatcher.py::test_static_directory_without_read_permission": "root reads a mode-000 directory",
    "test_web_urldispatcher.py::test_static_file_without_read_permission": "root reads a mode-000 file",
}

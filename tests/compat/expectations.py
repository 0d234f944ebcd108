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
NAMED = "router[name] is the named route, as the aiohttp 0.14 API gives it ('Named route can be retrieved by app.router[name]', then app.router['route_name'].url(query=...)); aiohttp 3 gives a resource holding routes"
STATICROUTE = "add_static() returns the aiohttp 0.14 API's StaticRoute (route.url(filename=...)), one route answering GET and HEAD; aiohttp 3's StaticResource holds two routes"
APPLOOP = "Application(loop=loop) is how the aiohttp 0.14 API makes an application ('app = Application(loop=loop)'), so neither it nor app.loop warns"
MAKEHANDLER = "make_handler() is how the aiohttp 0.14 API serves an application ('RequestHandlerFactory could be constructed with make_handler()'), so it does not warn"
STRKEYS = "str keys are the aiohttp 0.14 API's registry (app['database'] = ...), so storing one does not warn"
OURCLASS = "the key's repr names its type's module: our Request is web.request.Request, not aiohttp.web_request.Request"
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
    # -- test_urldispatch.py and test_web_app.py (router, resources, sub-applications, Application) ------------
    "test_urldispatch.py::test_add_static_access_resources": "changes the static resource's private _allowed_methods",
    "test_urldispatch.py::test_custom_expect_handler_dynamic": "reads the route's private _expect_handler",
    "test_urldispatch.py::test_custom_expect_handler_plain": "reads the route's private _expect_handler",
    "test_urldispatch.py::test_default_expect_handler": "reads the route's private _expect_handler",
    "test_urldispatch.py::test_dynamic_not_match": "calls the route's private _match()",
    "test_urldispatch.py::test_dynamic_with_trailing_slash": "calls the route's private _match()",
    "test_urldispatch.py::test_plain_not_match": "calls the route's private _match()",
    "test_urldispatch.py::test_resource_route_match": "calls the resource's private _match()",
    "test_urldispatch.py::test_subapp_rule_resource": "reads the domain resource's private _rule",
    "test_web_app.py::test_app_freeze": "appends a mock to the application's private _subapps",
    "test_web_app.py::test_app_make_handler_access_log_class": "calls the private _make_handler() with aiohttp's Server mocked",
    "test_web_app.py::test_app_make_handler_args": "calls the private _make_handler() with aiohttp's Server mocked",
    "test_web_app.py::test_app_make_handler_debug_exc": "calls the private _make_handler() with aiohttp's Server mocked",
    "test_web_app.py::test_app_make_handler_no_access_log_class": "calls the private _make_handler() with aiohttp's Server mocked",
    "test_web_app.py::test_app_run_middlewares": "reads the application's private _run_middlewares",
    "test_web_app.py::test_set_loop": "calls the application's private _set_loop()",
    "test_web_app.py::test_set_loop_default_loop": "calls the application's private _set_loop()",
    "test_web_app.py::test_set_loop_with_different_loops": "calls the application's private _set_loop()",
    # -- end of test_urldispatch.py and test_web_app.py ------------------------------------------------------------
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
    # -- test_urldispatch.py and test_web_app.py (router, resources, sub-applications, Application) ------------
    "test_urldispatch.py::test_route_dynamic": NAMED,
    "test_urldispatch.py::test_route_plain": NAMED,
    "test_urldispatch.py::test_add_static": STATICROUTE,
    "test_urldispatch.py::test_routes_view_len": STATICROUTE,
    "test_web_app.py::test_app_ctor": APPLOOP,
    "test_web_app.py::test_app_make_handler_raises_deprecation_warning": MAKEHANDLER,
    "test_web_app.py::test_app_str_keys": STRKEYS,
    "test_web_app.py::test_appkey_repr_concrete": OURCLASS,
    "test_urldispatch.py::test_add_static_append_version": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_set_from_constructor": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_override_constructor": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_filename_without_slash": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_non_exists_file": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_non_exists_file_without_slash": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_follow_symlink": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_append_version_not_follow_symlink": "not yet judged: add_static(append_version=...) and url_for(append_version=True) are not supported (TypeError)",
    "test_urldispatch.py::test_add_static_quoting": "not yet judged: url_for() leaves a non-ASCII path prefix unencoded",
    "test_urldispatch.py::test_route_dynamic_quoting": "not yet judged: url_for() leaves a non-ASCII path prefix unencoded",
    "test_urldispatch.py::test_static_not_match": "not yet judged: resource.resolve(request) is missing on StaticRoute and PlainResource (AttributeError)",
    "test_urldispatch.py::test_add_static_set_options_route": "not yet judged: resource.resolve(request) is missing on StaticRoute and PlainResource (AttributeError)",
    "test_urldispatch.py::test_404_for_static_resource": "not yet judged: resource.resolve(request) is missing on StaticRoute and PlainResource (AttributeError)",
    "test_urldispatch.py::test_405_for_resource_adapter": "not yet judged: resource.resolve(request) is missing on StaticRoute and PlainResource (AttributeError)",
    "test_urldispatch.py::test_static_resource_outside_traversal": "not yet judged: resource.resolve(request) is missing on StaticRoute and PlainResource (AttributeError)",
    "test_urldispatch.py::test_check_allowed_method_for_found_resource": "not yet judged: resource.resolve(request) is missing on StaticRoute and PlainResource (AttributeError)",
    "test_urldispatch.py::test_add_route_with_invalid_re": "not yet judged: a bad regex part's ValueError does not start with aiohttp's 'Bad pattern ...'",
    "test_urldispatch.py::test_expect_handler_non_coroutine": "not yet judged: a non-coroutine expect_handler is accepted (aiohttp asserts)",
    "test_urldispatch.py::test_deprecate_bare_generators": "not yet judged: a generator function handler is refused with TypeError (aiohttp warns DeprecationWarning and wraps it)",
    "test_urldispatch.py::test_error_on_double_route_adding": "not yet judged: a resource takes a second route for a method it already has (aiohttp raises RuntimeError)",
    "test_urldispatch.py::test_error_on_adding_route_after_wildcard": "not yet judged: a resource takes a second route for a method it already has (aiohttp raises RuntimeError)",
    "test_urldispatch.py::test_static_resource_get_info": "not yet judged: a static route's get_info() has no 'routes'",
    "test_urldispatch.py::test_convert_empty_path_to_slash_on_freezing": "not yet judged: freeze() leaves an empty path's get_info() at '' (aiohttp: '/')",
    "test_urldispatch.py::test_static_resource_canonical": "not yet judged: StaticResource(prefix=..., directory=...) made by hand raises TypeError",
    "test_web_app.py::test_app_default_loop": "not yet judged: app.loop outside a running loop raises RuntimeError (aiohttp warns and gives None)",
    "test_web_app.py::test_app_inheritance": "not yet judged: subclassing Application does not warn",
    "test_web_app.py::test_subapp_pre_frozen_after_adding": "not yet judged: add_subapp() marks the sub-application frozen, not only pre-frozen",
    "test_web_app.py::test_subapp_on_startup": "not yet judged: add_subapp() leaves the sub-application's router open (tests/web add routes to a sub-application afterwards; aiohttp freezes it)",
    # -- end of test_urldispatch.py and test_web_app.py ------------------------------------------------------------
}

# Tests whose premise does not hold when the suite runs as root (root reads a file of mode 000): skipped for
# root in both modes, as they fail against aiohttp.web too.
UNREADABLE_AS_ROOT: dict[str, str] = {
    "test_web_urldispatcher.py::test_static_directory_without_read_permission": "root reads a mode-000 directory",
    "test_web_urldispatcher.py::test_static_file_without_read_permission": "root reads a mode-000 file",
}

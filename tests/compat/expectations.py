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
    "test_web_log.py::test_logger_does_not_log_when_enabled_post_init": "reads the private _force_close of the connections in aiohttp's Server (server.handler.connections[0]); what it checks of the logger, enabled read once per connection, is tests/web/test_accesslog.py's",
    "test_web_runner.py::test_app_handler_args_ceil_threshold": "reads the private _timeout_ceil_threshold of aiohttp's RequestHandler (web.AppRunner takes timeout_ceil_threshold in handler_args: tests/web/test_runners.py)",
    "test_web_runner.py::test_app_handler_args_failure": "reads the private _timeout_ceil_threshold of aiohttp's RequestHandler, after its fallback for unknown handler_args",
    "test_web_runner.py::test_custom_log_format": "reads the private _kwargs of aiohttp's Server",
    "test_web_runner.py::test_tcpsite_default_host": "mocks asyncio.get_event_loop, the call by which aiohttp's TCPSite.start reaches the loop (ours asks get_running_loop; create_server gets the same (server, None, 8080))",
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

# -- test_web_request.py ---------------------------------------------------------------------------------------

HOSTNONE = "request.host is None without a Host header, as the aiohttp 0.14 reference says ('HOST header of request ... Returns str or None if HTTP request has no HOST header'); aiohttp 3 falls back to the local socket address (an absolute-form target's host is used, as RFC 9112 §3.2.2 requires and aiohttp does)"
PAYLOADBYTES = "slices request.content: aiohttp's make_mocked_request stores payload=bytearray as the content object itself; ours makes bytes the request's body, read through the body stream (read(), text(), post()), as our tests and users rely on. http_range, what the test is about, gives the same slice"
KEYMODULE = "expects aiohttp's module path in a key's repr (type=aiohttp.web_request.Request); our Request is web.request.Request, and no class is both"
STRKEY = "expects NotAppKeyWarning for a str key stored in a request; the aiohttp 0.14 API keeps per-request state under str keys, so web emits none (as for Application, web/appkey.py)"
CLONEREAD = "clone() after read(): aiohttp raises RuntimeError because its clone would lose the body it stored; ours stores none (the aiohttp 0.14 reference: 'The method doesn't store read data internally'), and the clone reads on from the shared stream"
PARTNAME = "a form part without a name: aiohttp's post() lets ValueError('Multipart field missing name') out, which its server answers with 500; ours raises HTTPBadRequest, a 400 (RFC 7578 §4.2: each part MUST have a name parameter; RFC 9110 §15.5.1: 400 for what is perceived to be a client error)"
PARSEREXC = "expects aiohttp's parser exceptions (aiohttp.http_exceptions.BadHttpMessage, LineTooLong) out of post() for a part's header block over the limits; ours raises web.HTTPBadRequest, answered with the same 400 (web cannot raise aiohttp's classes without importing aiohttp)"
PROTOCOL = "sets or reads the request's private _protocol (aiohttp's connection object)"

DESELECTED.update(
    {
        "test_web_request.py::test_base_ctor": "builds web.BaseRequest from aiohttp's parser message (RawRequestMessage), RequestHandler, StreamWriter and StreamReader: aiohttp's internal constructor (the aiohttp 0.14 reference: 'You should never create the Request instance manually')",
        "test_web_request.py::test_deprecated_message": "compares Request.message, aiohttp's parser message (RawRequestMessage, deprecated), with the request's private _message",
        "test_web_request.py::test_get_extra_info": PROTOCOL,
        "test_web_request.py::test_remote_with_closed_transport": PROTOCOL,
        "test_web_request.py::test_url_http_with_closed_transport": PROTOCOL,
        "test_web_request.py::test_url_https_with_closed_transport": PROTOCOL,
    }
)

XFAIL.update(
    {
        "test_web_request.py::test_cannot_clone_after_read": CLONEREAD,
        "test_web_request.py::test_ctor": HOSTNONE,
        "test_web_request.py::test_host_falls_back_to_sockname_not_dns": HOSTNONE,
        "test_web_request.py::test_host_with_ipv6_sockname": HOSTNONE,
        "test_web_request.py::test_host_with_no_transport_sockname": HOSTNONE,
        "test_web_request.py::test_host_with_unix_socket_sockname": HOSTNONE,
        "test_web_request.py::test_multipart_formdata_field_missing_name": PARTNAME,
        "test_web_request.py::test_multipart_formdata_header_too_long": PARSEREXC,
        "test_web_request.py::test_multipart_formdata_headers_too_many": PARSEREXC,
        "test_web_request.py::test_range_to_slice_head": PAYLOADBYTES,
        "test_web_request.py::test_range_to_slice_mid": PAYLOADBYTES,
        "test_web_request.py::test_range_to_slice_tail_start": PAYLOADBYTES,
        "test_web_request.py::test_range_to_slice_tail_stop": PAYLOADBYTES,
        "test_web_request.py::test_requestkey_repr_concrete": KEYMODULE,
        "test_web_request.py::test_str_key_warnings": STRKEY,
    }
)

# -- test_web_websocket.py -------------------------------------------------------------------------------------

WSREADER = "feeds or mocks the private _reader of aiohttp's WebSocketResponse (its frame reader) to make a message or a close arrive, and reads aiohttp's mocked transport through the private _req"
WSWRITER = "replaces or reads the private _writer of aiohttp's WebSocketResponse (its frame writer)"
WSHEARTBEAT = "drives the private heartbeat machinery of aiohttp's WebSocketResponse (_loop, _on_data_received, _reset_heartbeat, _send_heartbeat, _need_heartbeat_reset, _heartbeat_reset_handle)"
WSCLOSED = "feeds a close through the private _reader of aiohttp's WebSocketResponse; what it then checks differs too: aiohttp raises ConnectionError for a send on a closed websocket, the aiohttp 0.14 reference requires RuntimeError ('Raises RuntimeError: if connections is not started or closing')"
WSPOST = "prepares a websocket on a POST request; RFC 6455 §4.1: 'The method of the request MUST be GET', and §4.2.1: a server that finds the handshake does not match it 'MUST stop processing the client's handshake and return an HTTP response with an appropriate error code (such as 400 Bad Request)'"

DESELECTED.update(
    {
        "test_web_websocket.py::test_cancel_heartbeat_cancels_pending_heartbeat_reset_handle": WSHEARTBEAT,
        "test_web_websocket.py::test_close_after_closing": WSREADER,
        "test_web_websocket.py::test_close_exc": WSWRITER,
        "test_web_websocket.py::test_close_idempotent": WSREADER,
        "test_web_websocket.py::test_concurrent_receive": "sets the private _waiting of aiohttp's WebSocketResponse to fake a receive() in progress",
        "test_web_websocket.py::test_flush_heartbeat_reset_returns_early_when_not_needed": WSHEARTBEAT,
        "test_web_websocket.py::test_get_extra_info": WSWRITER,
        "test_web_websocket.py::test_heartbeat_reset_coalesces_on_data": WSHEARTBEAT,
        "test_web_websocket.py::test_heartbeat_timeout": "sets the private _timeout_ceil_threshold of the request's _protocol (aiohttp's RequestHandler) and mocks the transport's close through the private _req",
        "test_web_websocket.py::test_multiple_receive_on_close_connection": WSREADER,
        "test_web_websocket.py::test_no_transfer_encoding_header": "calls the private _start of aiohttp's WebSocketResponse",
        "test_web_websocket.py::test_ping_closed": WSCLOSED,
        "test_web_websocket.py::test_pong_closed": WSCLOSED,
        "test_web_websocket.py::test_raise_writer_limit": WSWRITER,
        "test_web_websocket.py::test_receive_close_but_left_open": WSREADER,
        "test_web_websocket.py::test_receive_closing": WSREADER,
        "test_web_websocket.py::test_receive_does_not_reset_heartbeat": WSHEARTBEAT,
        "test_web_websocket.py::test_receive_eofstream_in_reader": WSREADER,
        "test_web_websocket.py::test_receive_exception_in_reader": WSREADER,
        "test_web_websocket.py::test_receive_timeouterror": WSREADER,
        "test_web_websocket.py::test_recv_bytes_closed": WSREADER,
        "test_web_websocket.py::test_recv_str_closed": WSREADER,
        "test_web_websocket.py::test_send_bytes_closed": WSCLOSED,
        "test_web_websocket.py::test_send_frame_closed": WSCLOSED,
        "test_web_websocket.py::test_send_heartbeat_returns_early_when_reset_is_pending": WSHEARTBEAT,
        "test_web_websocket.py::test_send_json_bytes_closed": WSCLOSED,
        "test_web_websocket.py::test_send_json_bytes_nonjson": "after the TypeError it checks (raised by ours), closes through the private _reader of aiohttp's WebSocketResponse",
        "test_web_websocket.py::test_send_json_closed": WSCLOSED,
        "test_web_websocket.py::test_send_str_closed": WSCLOSED,
        "test_web_websocket.py::test_send_with_per_message_deflate": WSWRITER,
        "test_web_websocket.py::test_write_eof_idempotent": WSREADER,
    }
)

XFAIL.update(
    {
        "test_web_websocket.py::test_prepare_post_method_ok[pyloop]": WSPOST,
    }
)

# Tests whose premise does not hold when the suite runs as root (root reads a file of mode 000): skipped for
# root in both modes, as they fail against aiohttp.web too.
UNREADABLE_AS_ROOT: dict[str, str] = {
    "test_web_urldispatcher.py::test_static_directory_without_read_permission": "root reads a mode-000 directory",
    "test_web_urldispatcher.py::test_static_file_without_read_permission": "root reads a mode-000 file",
}

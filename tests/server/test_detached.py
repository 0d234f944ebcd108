"""server/detached.py's RecordingTransport: what a connection with no peer keeps of what is written to it."""

from __future__ import annotations

from server.detached import RecordingTransport


def test_written_bytes_are_kept_in_order_and_each_write_is_counted():
    transport = RecordingTransport()
    transport.write(b"HTTP/1.1 200 OK\r\n")
    transport.writelines([b"a", bytearray(b"b"), memoryview(b"c")])
    assert bytes(transport.written) == b"HTTP/1.1 200 OK\r\nabc"
    assert transport.writes == 2  # writelines joins its buffers into one write


def test_keep_false_counts_writes_and_drops_the_bytes():
    transport = RecordingTransport(keep=False)
    for _ in range(3):
        transport.write(b"x" * 1000)
    assert transport.writes == 3
    assert transport.written == b""


def test_extra_info_answers_from_extra_else_the_default():
    transport = RecordingTransport({"peername": ("127.0.0.1", 1)})
    assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
    assert transport.get_extra_info("sockname") is None
    assert transport.get_extra_info("sockname", "none") == "none"


def test_close_and_abort_mark_the_transport_closing():
    for end in ("close", "abort"):
        transport = RecordingTransport()
        assert not transport.is_closing()
        getattr(transport, end)()
        assert transport.is_closing()
        assert transport.aborted is (end == "abort")
        assert not transport.can_write_eof()

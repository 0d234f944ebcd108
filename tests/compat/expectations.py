"""What the compat run expects of each aiohttp test that does not simply pass against our ``web``.

``DESELECTED``: tests that poke aiohttp's private internals (its protocol class, the request's ``_protocol``, a
websocket's ``_writer``...). They test aiohttp's implementation, not its API, so they are not run in either mode.

``XFAIL``: tests that fail against our ``web`` (prefork mode), each with its reason; they are marked
``xfail(strict=True)``, so one that starts passing fails the run until it is taken off this list.

Keys are ``file::test`` (every parametrization) or ``file::test[params]`` (one).
"""

DESELECTED: dict[str, str] = {}

XFAIL: dict[str, str] = {}

# Tests whose premise does not hold when the suite runs as root (root reads a file of mode 000): skipped for
# root in both modes, as they fail against aiohttp.web too.
UNREADABLE_AS_ROOT: dict[str, str] = {
    "test_web_urldispatcher.py::test_static_directory_without_read_permission": "root reads a mode-000 directory",
    "test_web_urldispatcher.py::test_static_file_without_read_permission": "root reads a mode-000 file",
}

"""``python -m web module:function``: serve the application a function returns, as ``python -m aiohttp.web`` does.

    python -m web -H localhost -P 8080 myapp.main:init_func --its-own-option

``init_func(argv)`` gets the arguments this parser does not know and returns an ``Application`` (or an awaitable
of one); ``run_app`` serves it until SIGINT or SIGTERM. The options are aiohttp's: ``-H/--hostname`` (default
localhost), ``-P/--port`` (8080), ``-U/--path`` (a unix socket; with it alone, no TCP socket). This is the
development server of one process; ``prefork`` (``supervisor.cli``) is the server with workers.
"""

from __future__ import annotations

import logging
import socket
from argparse import ArgumentParser as ArgumentParser
from importlib import import_module as import_module

__all__ = ["main"]


def main(argv: list[str]) -> None:
    """Parse ``argv`` (without the program name), import the entry function, call it and run its application.

    ``import_module``, ``ArgumentParser`` and ``run_app`` are read from ``web`` at each call, as aiohttp's ``main``
    reads its module's globals, so a test patching ``web.run_app`` (``aiohttp.web.run_app`` before) holds."""
    import web

    arg_parser = web.ArgumentParser(description="web Application server", prog="web")
    arg_parser.add_argument(
        "entry_func",
        help="Callable returning the `web.Application` instance to run. Should be specified in the "
        "'module:function' syntax.",
        metavar="entry-func",
    )
    arg_parser.add_argument("-H", "--hostname", help="TCP/IP hostname to serve on (default: localhost)", default=None)
    arg_parser.add_argument(
        "-P", "--port", help="TCP/IP port to serve on (default: %(default)r)", type=int, default=8080
    )
    arg_parser.add_argument(
        "-U",
        "--path",
        help="Unix file system path to serve on. Can be combined with hostname to serve on both Unix and TCP.",
    )
    args, extra_argv = arg_parser.parse_known_args(argv)

    mod_str, _, func_str = args.entry_func.partition(":")
    if not func_str or not mod_str:
        arg_parser.error("'entry-func' not in 'module:function' syntax")
    if mod_str.startswith("."):
        arg_parser.error("relative module names not supported")
    try:
        module = web.import_module(mod_str)
    except ImportError as ex:
        arg_parser.error(f"unable to import {mod_str}: {ex}")
    try:
        func = getattr(module, func_str)
    except AttributeError:
        arg_parser.error(f"module {mod_str!r} has no attribute {func_str!r}")

    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        arg_parser.error("file system paths not supported by your operating environment")

    logging.basicConfig(level=logging.DEBUG)  # a development server shows everything, as aiohttp's does

    if args.path and args.hostname is None:
        host = port = None  # the unix socket alone
    else:
        host = args.hostname or "localhost"
        port = args.port

    app = func(extra_argv)
    web.run_app(app, host=host, port=port, path=args.path)
    arg_parser.exit(message="Stopped\n")

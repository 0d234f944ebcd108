"""``python -m web module:function``, aiohttp's ``python -m aiohttp.web``: see ``web.cli``.

As ``prefork`` does for the application it serves, ``aiohttp.web`` is answered by ``web`` once the application (or
a library it imports: aiohttp-session...) imports it (:func:`web.as_aiohttp.install_on_import`), so an application
that still says ``from aiohttp import web`` runs here unchanged."""

import sys

import web.as_aiohttp
from web.cli import main

web.as_aiohttp.install_on_import()
main(sys.argv[1:])

"""``python -m web module:function``, aiohttp's ``python -m aiohttp.web``: see ``web.cli``."""

import sys

from web.cli import main

main(sys.argv[1:])

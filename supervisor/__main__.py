"""``python -m supervisor``: the ``prefork`` command (also how a USR2 upgrade re-execs the master)."""

import sys

from .cli import main

sys.exit(main())

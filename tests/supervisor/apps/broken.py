"""An app module that cannot be imported: the master must exit with one clear line and code 4."""

import this_module_does_not_exist  # noqa: F401

app = None

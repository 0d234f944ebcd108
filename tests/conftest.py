"""Shared test configuration: the project's own pytest plugin (also registered for users via entry point)."""

import importlib.metadata

# When prefork is installed (pip install -e .) the plugin is already loaded through its pytest11 entry point.
_installed = any(ep.value == "web.pytest_plugin" for ep in importlib.metadata.entry_points(group="pytest11"))
if not _installed:
    pytest_plugins = ["web.pytest_plugin"]

"""Says in the report header whether prefork's pytest plugin is loaded, so the driver knows which run it saw."""


def pytest_report_header(config):
    manager = config.pluginmanager
    loaded = manager.has_plugin("prefork") or manager.has_plugin("web.pytest_plugin")
    return f"prefork plugin loaded: {loaded}"

"""tests/dx: the developer-experience pieces (test client, fixtures, run_app, reload, examples, error messages).

``make_client`` comes from ``web.pytest_fixtures``; once ``web.pytest_plugin`` imports it, every project gets it
and this import becomes redundant. (``pytest_plugins`` is refused in a conftest below the root.)
"""

from web.pytest_fixtures import make_client  # noqa: F401

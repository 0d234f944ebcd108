"""tests/dx: the developer-experience pieces (test client, fixtures, run_app, reload, examples, error messages).

``make_client`` and ``make_server`` come from prefork's pytest plugin (the ``pytest11`` entry point), as they do
for every project that installs prefork.
"""

"""tests/dx: the developer-experience pieces (test client, fixtures, run_app, reload, examples, error messages).

``make_client``, ``make_server`` and ``aiohttp_client`` come from prefork's pytest plugin (the ``pytest11`` entry
point), as they do for every project that installs prefork.
"""

# Projects that test_plugin_project.py runs in subprocesses, each with its own pytest.ini: not this suite's tests.
collect_ignore = ["plugin_project"]

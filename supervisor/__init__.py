"""prefork's ``supervisor``: the ``prefork`` command, its pre-fork master and the worker processes.

``prefork [OPTIONS] module:name`` binds the listening sockets once, forks ``workers`` processes that each serve
the app on a uvloop event loop, and keeps them serving: every restart (HUP, ``max_requests``, the memory
ceiling, TTOU, a crashed worker) forks the new worker, waits for its ready message, and only then drains the old
one, so no request is dropped.

=========  ===============================================================================================
signal     what the master does
=========  ===============================================================================================
TERM       graceful stop: workers finish their requests and run ``finish()``; killed after graceful_timeout
INT, QUIT  quick stop (``finish()`` still runs)
HUP        reload the config file and the app's code, then a rolling restart
USR1       reopen the log files, in the master and every worker
USR2       exec a new master that inherits the sockets; this one stops once the new one is ready
TTIN/TTOU  one more / one fewer worker
=========  ===============================================================================================

Modules: ``cli`` (the command), ``config``/``settings``/``validators`` (every setting defined once),
``sockets``, ``master`` (the loop), ``policy`` (its decisions, pure), ``worker``, ``messages`` (the pipe
protocol), ``logs``, ``loader`` (finding the app), ``notify`` (service-manager seam), ``errors`` (exit codes).
"""

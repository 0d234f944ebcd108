# prefork production config: /etc/prefork/prefork.conf.py, used as `prefork -c /etc/prefork/prefork.conf.py APP`.
#
# It is Python: top-level assignments of setting names (the same names as gunicorn's where gunicorn has one).
# Check it before a reload:   prefork -c /etc/prefork/prefork.conf.py --check-config myproject.app:create_app
# (or the file alone, without importing the app:   prefork --check-config /etc/prefork/prefork.conf.py)
# See everything resolved:    prefork -c /etc/prefork/prefork.conf.py --print-config
# Every setting, its flag and its default:   python -m supervisor.config
#
# Precedence: defaults < this file < $PREFORK_CMD_ARGS < the command line. HUP re-reads this file.

import os

# -- where to listen -----------------------------------------------------------------------------------------
# Behind nginx on the same machine, a unix socket (deploy/nginx/prefork.conf's `upstream prefork`). With
# systemd/prefork.socket the socket is systemd's and is passed in (socket activation); this address then only
# says which passed socket to use.
bind = ["unix:/run/prefork/prefork.sock"]
# bind = ["127.0.0.1:8000"]            # nginx's `upstream prefork_tcp`
# bind = ["0.0.0.0:8000"]              # another machine's nginx (scale-out); set forwarded_allow_ips to match
unix_socket_mode = 0o660  # nginx's user must be in this service's group (systemd: SupplementaryGroups / Group)
backlog = 2048  # connections waiting for accept; they also wait here during a restart with a .socket unit

# -- workers --------------------------------------------------------------------------------------------------
# One per CPU for an async app; each runs its own event loop. TTIN/TTOU adjust it at run time.
workers = os.cpu_count() or 2
timeout = 30  # seconds a worker's event loop may go silent before its stacks are dumped and it is replaced
graceful_timeout = 30  # seconds a draining worker gets to finish its requests; systemd's TimeoutStopSec is above it
drain_grace = 1.0  # an idle keep-alive connection stays open this long after a drain starts (a request on the wire)
max_requests = 10000  # recycle workers now and then (leaks in the app or its libraries): drops nothing
max_requests_jitter = 1000  # so that workers do not all recycle at the same moment
# max_worker_memory = 512              # MB of resident memory before a worker is recycled (0: never)
# preload_app = True                   # import the app once in the master; code upgrades then need USR2

# -- HTTP -----------------------------------------------------------------------------------------------------
keepalive = 75  # seconds; above nginx's 60 s upstream keepalive_timeout, so nginx closes idle connections first
limit_request_line = 8190  # nginx's large_client_header_buffers 8k lets nothing longer through anyway
limit_request_fields = 100
limit_request_field_size = 8190
# 1 MiB = nginx's client_max_body_size 1m: the server-wide cap on every body, streamed uploads too (unset: none;
# the app's Application(client_max_size=...) then bounds only what request.read() and post() collect).
client_max_size = 1_048_576
# Peers trusted to send X-Forwarded-For/-Proto/-Host and Forwarded: nginx. Connections over the unix socket are
# trusted as well. Never "*" on an address clients can reach directly: they could claim any address. Unset (the
# default), nobody is trusted, as in aiohttp: leave it out if the app reads the headers itself (aiohttp-remotes).
forwarded_allow_ips = ["127.0.0.1", "::1"]

# -- logs -----------------------------------------------------------------------------------------------------
# "-" is stderr/stdout: under systemd that is the journal, and prefork then drops its own timestamps and tags
# each line with its priority (journalctl -u prefork -p warning). For files, logrotate + USR1 reopen them.
errorlog = "-"
loglevel = "info"
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
# errorlog = "/var/log/prefork/error.log"
# accesslog = "/var/log/prefork/access.log"

# -- process --------------------------------------------------------------------------------------------------
proc_name = "prefork"  # process titles: "prefork: master [prefork]", "prefork: worker [prefork]"
# Under systemd, the unit sets the user (DynamicUser/User=), the working directory and the umask, and tracks the
# main pid itself: leave user, group, chdir, umask and pidfile unset here. Without systemd:
# user = "prefork"
# group = "prefork"
# chdir = "/srv/prefork"
# pidfile = "/run/prefork/prefork.pid"


# -- hooks (gunicorn's): each receives the master as `server` ------------------------------------------------
def on_reload(server):
    server.log.info("reloading %s on HUP", server.cfg.app)

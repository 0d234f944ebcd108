# prefork in a container: /etc/prefork/prefork.conf.py in the image built from deploy/Containerfile, and the same
# file in deploy/k8s/configmap.yaml (tests/deploy/test_manifests.py keeps the two identical).
#
# prefork is the container's PID 1: it handles TERM itself (graceful stop) and reaps every child, its workers and
# any process they leave behind (deploy/README.md, "The container"). The timings below are tied to the Deployment's
# terminationGracePeriodSeconds, which must exceed drain_delay + graceful_timeout (checked by the same test).

import os

# -- where to listen -----------------------------------------------------------------------------------------
# A container has its own network namespace: listen on every address of it. The Service (or `docker run -p`)
# decides who can reach the port.
bind = ["0.0.0.0:8000"]
backlog = 2048
# Prometheus metrics from the master, one scrape for every worker (the pod's prometheus.io annotations).
metrics_bind = "0.0.0.0:9100"

# -- health and the drain ------------------------------------------------------------------------------------
# The readiness probe (and the image's HEALTHCHECK) polls this path: 200 while serving, 503 from the moment TERM
# arrives.
health_path = "/healthz"
# After TERM the pod keeps serving for drain_delay seconds with /healthz answering 503, so that the endpoints
# controller, kube-proxy and any ingress stop sending before the listeners close. It covers the readiness probe's
# periodSeconds x failureThreshold (5 s x 1) plus the time endpoint removal takes to propagate.
drain_delay = 10.0
# Then each worker gets this long to finish its in-flight requests and the app's shutdown hooks.
graceful_timeout = 20.0
drain_grace = 1.0  # an idle keep-alive connection stays open this long after the drain starts

# -- workers --------------------------------------------------------------------------------------------------
# os.cpu_count() in a container is the host's CPU count, not the pod's CPU limit: the Deployment passes the limit
# in PREFORK_WORKERS (downward API, limits.cpu rounded up). One worker per CPU for an async app.
workers = int(os.environ.get("PREFORK_WORKERS") or os.cpu_count() or 1)
timeout = 30  # seconds a worker's event loop may stay silent before it is replaced (and its stacks dumped)
max_requests = 10000  # recycle workers now and then: nothing is dropped
max_requests_jitter = 1000
# Recycle a worker above this resident size, well under the container's memory limit divided by workers, so a
# leaking worker is replaced gracefully before the kernel's OOM killer ends the whole pod.
max_worker_memory = 200  # MB

# -- HTTP -----------------------------------------------------------------------------------------------------
# Idle keep-alive connections outlive the proxy's (nginx 60 s, most cloud load balancers 60 s): the proxy closes.
keepalive = 75
client_max_size = 1_048_576
# In a cluster the peer is an ingress controller or a load balancer on the pod network; list its addresses or
# ranges here to trust its X-Forwarded-For (never "*" when clients can reach the pod directly).
forwarded_allow_ips = ["127.0.0.1", "::1"]

# -- logs -----------------------------------------------------------------------------------------------------
# stdout and stderr: the container runtime collects them. Nothing is written to the (read-only) root filesystem.
errorlog = "-"
accesslog = "-"
loglevel = "info"
proc_name = "prefork"

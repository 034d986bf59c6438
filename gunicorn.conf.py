"""Serve the exchange with gunicorn: sync workers suit this CPU-bound app on a few cores."""

import multiprocessing
import os

bind = os.environ.get("IDEAGORA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("IDEAGORA_WORKERS", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "sync"
timeout = 60
graceful_timeout = 20
# each worker opens its own database connections and search index after the fork
preload_app = False
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("IDEAGORA_LOG_LEVEL", "info")
# never let a proxy's forwarded headers be trusted unless the app is told (PROXY_FIX_HOPS)
forwarded_allow_ips = "127.0.0.1"
# no runtime-control socket in the home directory: several servers may run side by side
control_socket_disable = True

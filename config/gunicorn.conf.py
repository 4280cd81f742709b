"""gunicorn's settings for Fagnett (``gunicorn -c config/gunicorn.conf.py config.wsgi``); command-line options
override them. docs/OPERATIONS.md explains each."""

import os

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
preload_app = True
# The sync worker with its request loop in one large frame-stack chunk (config/workers.py: CPython 3.11 otherwise maps
# and unmaps a 16 KiB chunk dozens of times per request).
worker_class = "config.workers.SyncWorker"
# The access log carries the request id the app answered with (fagnett.core.request_id), like the app's own lines.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'


def child_exit(server: object, worker: object) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set every worker writes its metrics to files there; a worker that ended must be
    marked dead, or its gauges would be reported for ever."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

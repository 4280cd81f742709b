"""Prometheus metrics beyond django-prometheus' requests: the job queue, failed jobs, mails waiting and the
scheduled jobs, read from the database when Prometheus scrapes ``/metrics``, and who may scrape.

The database-wide series are the same from every app server: aggregate them with ``max``, not ``sum``.
"""

import datetime
import hmac
import ipaddress
import os
from collections.abc import Callable, Iterator, Mapping

import prometheus_client
from django.conf import settings
from django.db.models import Count, Max, Min
from django.http import HttpRequest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector, CollectorRegistry

from fagnett.core import mail
from fagnett.core.models import ScheduledRun
from fagnett.core.proxies import client_ip

#: the hook the mail_pending series reads; replaceable (e.g. in a test) without touching the collector
MAIL_PENDING: Callable[[], Mapping[str, int] | int | None] = mail.pending_counts


class DatabaseCollector(Collector):
    """Gauges read from the database at each scrape: a few indexed counts."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        tasks = DBTaskResult.objects.order_by()
        by_status = dict(tasks.values("status").annotate(n=Count("id")).values_list("status", "n"))
        jobs = GaugeMetricFamily("fagnett_jobs", "Background jobs in the queue's table, by status.", labels=["status"])
        for status in TaskResultStatus.values:
            jobs.add_metric([str(status)], by_status.get(status, 0))
        yield jobs

        ready = DBTaskResult.objects.ready().order_by()
        yield GaugeMetricFamily(
            "fagnett_jobs_queued", "Jobs ready to run now, waiting for a worker.", value=ready.count()
        )
        # A job waits from when it was enqueued, or from its run_after (a retry's back-off) if it had one.
        never = get_date_max()
        waiting_since = [
            ready.filter(run_after=never).aggregate(since=Min("enqueued_at"))["since"],
            ready.exclude(run_after=never).aggregate(since=Min("run_after"))["since"],
        ]
        oldest = min((since for since in waiting_since if since is not None), default=None)
        yield GaugeMetricFamily(
            "fagnett_jobs_queued_oldest_age_seconds",
            "Seconds the oldest job ready to run has waited for a worker (0 when none waits).",
            value=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        )
        hour_ago = now - datetime.timedelta(hours=1)
        failed_recently = tasks.filter(status=TaskResultStatus.FAILED, finished_at__gte=hour_ago).count()
        yield GaugeMetricFamily(
            "fagnett_jobs_failed_last_hour", "Jobs that failed in the last hour.", value=failed_recently
        )

        pending = MAIL_PENDING()
        if pending is not None:
            mails = GaugeMetricFamily("fagnett_mails_pending", "Mails not yet delivered, by state.", labels=["state"])
            for state, count in pending.items() if isinstance(pending, Mapping) else [("pending", pending)]:
                mails.add_metric([state], count)
            yield mails

        last_runs = GaugeMetricFamily(
            "fagnett_scheduled_job_last_claimed_timestamp_seconds",
            "When each scheduled job was last claimed by a worker (Unix time).",
            labels=["job"],
        )
        for name, claimed in (
            ScheduledRun.objects.values("name").annotate(last=Max("claimed_at")).values_list("name", "last")
        ):
            last_runs.add_metric([name], claimed.timestamp())
        yield last_runs


_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseCollector())


def exposition() -> bytes:
    """The text Prometheus scrapes: this process's (or, in multiprocess mode, every gunicorn worker's) request
    metrics, then the database's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(_database_registry)


def scrape_allowed(request: HttpRequest) -> bool:
    """A scraper is let in by the bearer token FAGNETT_METRICS_TOKEN, or by its address (behind the trusted proxies,
    core.proxies) in FAGNETT_METRICS_ALLOWED. Neither set: nobody."""
    token: str = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    networks: list[str] = settings.METRICS_ALLOWED
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)

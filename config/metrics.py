"""/metrics: the platform's numbers in Prometheus' text format, for staff or a scraper holding
METRICS_TOKEN (`Authorization: Bearer <token>`).

What is measured, and by whom:
- HTTP requests by view, method and status, with latencies (`postroom_http_request_duration_seconds`,
  whose `_count` counts them): config.middleware.MetricsMiddleware. One histogram, observed
  once a request: django-prometheus' own middleware updates a dozen metrics a request, which
  costs cheap endpoints a sixth of their throughput.
- Database queries (count, duration, errors) by alias: django-prometheus' database backends
  (settings.DATABASES), plus config.db's written-out reads, which count themselves.
- Celery queue lengths, read from the broker when scraped (`postroom_celery_queue_length`).
- Celery task outcomes by task and outcome (`postroom_celery_tasks_total`), counted by the worker
  processes (config.celery's signal handlers).

Processes: with PROMETHEUS_MULTIPROC_DIR set (`make run` and docker/ set it), every process of a
machine writes its numbers there and /metrics adds them up: gunicorn's workers, and a Celery
worker on the same machine. A worker on a machine of its own serves them itself on
CELERY_METRICS_PORT (docs/OPERATIONS.md)."""

import hmac
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Histogram(
    "postroom_http_request_duration_seconds",
    "HTTP requests by view, method and status, and how long they took.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Labels come from a bounded set: a method a client invents is "other", a path no view serves
# "unresolved" (else every probe would add a series).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_observed(request, status: int, seconds: float) -> None:
    match = request.resolver_match
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(match.view_name if match else "unresolved", method, status).observe(seconds)


def registry() -> CollectorRegistry:
    """Every process's numbers (multiprocess mode), or this process's, with the queue lengths."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        collected = CollectorRegistry()
        multiprocess.MultiProcessCollector(collected)
    else:
        collected = CollectorRegistry()
        collected.register(_ThisProcess())
    collected.register(QueueLengths())
    return collected


class _ThisProcess:
    """The default registry's metrics, for a registry of our own (which also holds QueueLengths,
    asked on every scrape, never registered process-wide)."""

    def collect(self):
        return REGISTRY.collect()


class QueueLengths:
    """Tasks waiting in each of the worker's queues, as the broker holds them now."""

    def collect(self):
        family = GaugeMetricFamily(
            "postroom_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        for queue, waiting in queue_lengths().items():
            family.add_metric([queue], waiting)
        yield family


def queue_names() -> list[str]:
    from config.celery import app

    queues = app.conf.task_queues or ()  # names (settings) or kombu Queues
    names = {getattr(queue, "name", queue) for queue in queues} | {app.conf.task_default_queue}
    return sorted(names)


def queue_lengths() -> dict[str, int]:
    """Redis: each queue's list length. The embedded broker (kombu's filesystem transport): its
    message files, named `<id>.<queue>.msg`."""
    names = queue_names()
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        try:
            with client.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.llen(name)
                return dict(zip(names, pipe.execute(), strict=True))
        finally:
            client.close()
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    return {name: sum(1 for _ in folder.glob(f"*.{name}.msg")) for name in names}


def _allowed(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def metrics(request):
    if not _allowed(request):
        raise PermissionDenied
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)

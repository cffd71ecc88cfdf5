"""The Celery app. Tasks live in each app's tasks.py and are found by autodiscovery; their queues
and time limits are the settings' TASK_ROUTES and TASK_FAMILIES, applied here. Each task's
outcome is counted for /metrics (config.metrics)."""

import os

from celery import Celery, signals
from django.conf import settings
from prometheus_client import Counter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("postroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_family(name: str) -> tuple[str, int, int] | None:
    """(queue, soft time limit, hard time limit) of a task of ours; None for Celery's own."""
    family = settings.TASK_ROUTES.get(name)
    return settings.TASK_FAMILIES[family] if family else None


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: a task's family names its queue (Celery's own tasks: the default one).
    A queue given when the task is sent still wins."""
    family = task_family(name)
    return {"queue": f"{settings.CELERY_QUEUE_PREFIX}{family[0]}"} if family else None


class TimeLimits:
    """CELERY_TASK_ANNOTATIONS: each task gets its family's soft and hard time limits."""

    def annotate(self, task):
        family = task_family(task.name)
        return {"soft_time_limit": family[1], "time_limit": family[2]} if family else None


TASKS = Counter("postroom_celery_tasks", "Celery task runs by task and outcome.", ["task", "outcome"])


def _count(sender, outcome: str) -> None:
    TASKS.labels(getattr(sender, "name", str(sender)), outcome).inc()


@signals.task_success.connect
def _succeeded(sender=None, **kwargs):
    _count(sender, "succeeded")


@signals.task_failure.connect
def _failed(sender=None, **kwargs):
    _count(sender, "failed")


@signals.task_retry.connect
def _retried(sender=None, **kwargs):
    _count(sender, "retried")


@signals.worker_ready.connect
def _serve_metrics(**kwargs):
    """A worker on a machine of its own serves its processes' numbers itself on
    CELERY_METRICS_PORT (gathered from PROMETHEUS_MULTIPROC_DIR: its pool's processes count)."""
    if settings.CELERY_METRICS_PORT and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import CollectorRegistry, multiprocess, start_http_server

        gathered = CollectorRegistry()
        multiprocess.MultiProcessCollector(gathered)
        start_http_server(settings.CELERY_METRICS_PORT, addr=settings.CELERY_METRICS_HOST, registry=gathered)

"""/metrics adds up a machine's processes: gunicorn's two workers and a Celery worker beside
them, all writing to one PROMETHEUS_MULTIPROC_DIR, as `make run` and docker/ run them."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from accounts.tasks import close_expired_api_logging_windows
from tests.integration.conftest import needs_real_worker, wait_until

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

TOKEN = "scrape-" + "y" * 40
TASK = "accounts.tasks.close_expired_api_logging_windows"


def _samples(server) -> dict:
    status, body = server.request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200, body[:500]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def test_metrics_add_up_every_web_worker_and_the_celery_worker(
    gunicorn_server, celery_worker_process, tmp_path
):
    # given: one directory for the machine's processes
    shared = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "METRICS_TOKEN": TOKEN}
    (tmp_path / "metrics").mkdir()
    celery_worker_process(**shared)
    server = gunicorn_server(workers=2, **shared)

    # when: 20 requests (both web workers serve some) and two tasks run by the Celery worker
    for _ in range(20):
        assert server.request("GET", "/healthz")[0] == 200
    for _ in range(2):
        close_expired_api_logging_windows.delay()

    # then
    assert len(server.served_by()) == 2, server.served_by()
    healthz = (
        "postroom_http_request_duration_seconds_count",
        (("method", "GET"), ("status", "200"), ("view", "healthz")),
    )
    tasks = ("postroom_celery_tasks_total", (("outcome", "succeeded"), ("task", TASK)))
    wait_until(
        lambda: _samples(server).get(tasks) == 2,
        timeout=30,
        describe=lambda: str(_samples(server).get(tasks)),
    )
    assert _samples(server)[healthz] >= 20  # the readiness polls at start-up count too

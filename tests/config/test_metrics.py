"""/metrics: Prometheus' text format for staff or a scraper with METRICS_TOKEN, holding request
counts and latencies by view and status, database query counts, Celery queue lengths and task
outcomes."""

import re
import uuid

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from accounts.tasks import close_expired_api_logging_windows
from config.celery import app as celery_app
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "scrape-" + "x" * 40
RECIPIENTS_VIEW = "v1:recipients"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


def samples(response) -> dict[tuple[str, tuple], float]:
    """Every sample: (name, sorted labels) -> value."""
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def scrape(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return response


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "]
)
def test_without_the_token_it_is_403(client, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    assert client.get("/metrics", **headers).status_code == 403


def test_no_token_set_lets_no_scraper_in(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_a_signed_in_user_who_is_not_staff_is_403(client):
    client.force_login(UserFactory())

    assert client.get("/metrics").status_code == 403


def test_staff_may_look(admin_client):
    response = admin_client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_requests_are_counted_and_timed_by_view_method_and_status(client):
    count = "postroom_http_request_duration_seconds_count"
    healthz = {"view": "healthz", "method": "GET", "status": "200"}
    refused = {"view": RECIPIENTS_VIEW, "method": "GET", "status": "401"}
    before = samples(scrape(client))

    for _ in range(3):
        client.get("/healthz")
    client.get("/api/v1/recipients")  # no credentials: 401
    client.generic("BREW", "/healthz")  # a method of its own (healthz answers any)
    client.get(f"/no/such/{uuid.uuid4().hex}")

    after = samples(scrape(client))
    assert value(after, count, **healthz) == (value(before, count, **healthz) or 0) + 3
    assert value(after, count, **refused) == (value(before, count, **refused) or 0) + 1
    assert value(after, count, view="healthz", method="other", status="200") >= 1
    assert value(after, count, view="unresolved", method="GET", status="404") >= 1
    assert value(after, "postroom_http_request_duration_seconds_bucket", le="+Inf", **healthz) == value(
        after, count, **healthz
    )


def test_database_queries_are_counted(client):
    vendor = connection.vendor
    before = value(samples(scrape(client)), "django_db_execute_total", alias="default", vendor=vendor) or 0

    client.get("/readyz")  # one SELECT 1, at least

    after = value(samples(scrape(client)), "django_db_execute_total", alias="default", vendor=vendor)
    assert after >= before + 1


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_queue_lengths_are_read_from_the_broker(client):
    queue = f"metrics-{uuid.uuid4().hex[:10]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        for _ in range(2):  # sent to the broker even when tasks run eagerly
            celery_app.send_task("accounts.tasks.close_expired_api_logging_windows", queue=queue)

        found = samples(scrape(client))
    finally:
        celery_app.conf.task_default_queue = previous
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue)

    assert value(found, "postroom_celery_queue_length", queue=queue) == 2


def test_task_outcomes_are_counted(client):
    task = "accounts.tasks.close_expired_api_logging_windows"
    before = (
        value(samples(scrape(client)), "postroom_celery_tasks_total", task=task, outcome="succeeded") or 0
    )

    close_expired_api_logging_windows.delay()  # eager in tests: the same signals as a worker

    after = value(samples(scrape(client)), "postroom_celery_tasks_total", task=task, outcome="succeeded")
    assert after == before + 1


def test_metrics_are_text_a_scraper_parses(client):
    text = scrape(client).content.decode()

    assert re.search(r"^# TYPE postroom_celery_queue_length gauge$", text, re.M)
    assert re.search(r"^# TYPE django_db_execute_total counter$", text, re.M)

"""A real Celery worker SIGKILLed mid-delivery: every event still reaches the receiver, and none more
than twice (the killed batch's POSTs whose outcome was never recorded are sent once more, after
their lease runs out and the beat queues the endpoint again)."""

from collections import Counter

import pytest
from django.db import transaction

from tests.integration.conftest import needs_real_worker, wait_until
from tests.webhooks.factories import EndpointFactory
from webhooks.events import EventType, record_event, register_shape
from webhooks.models import Delivery

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

register_shape("probe", lambda obj: dict(obj))

EVENTS = 30
BATCH = 5
WORKER_ENV = {
    "WEBHOOKS_ALLOW_PRIVATE_URLS": "1",
    "WEBHOOKS_REQUIRE_HTTPS": "0",
    "WEBHOOKS_BATCH_SIZE": str(BATCH),
    "WEBHOOKS_LEASE_SECONDS": "3",
}
BEAT_ENV = {"WEBHOOKS_BEAT_SECONDS": "1"}


def _pending(endpoint) -> int:
    return Delivery.unscoped.filter(endpoint=endpoint).exclude(status="succeeded").count()


def test_a_worker_killed_mid_delivery_delivers_once_more_at_most_never_zero(
    receiver, celery_worker_process, celery_beat_process, company
):
    # given: a slow receiver, and events recorded (each commit queues the endpoint's delivery)
    hooks = receiver([(200, 0.2)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    event_ids = []
    for number in range(EVENTS):
        with transaction.atomic():
            event_ids.append(
                record_event(company=company, type=EventType.ORDER_PAID, kind="probe", obj={"n": number}).id
            )

    # when: the worker dies mid-batch, and another worker and the beat are there
    first = celery_worker_process(**WORKER_ENV)
    wait_until(lambda: len(hooks.received) >= BATCH + 2, timeout=60, describe=first.log)
    first.kill()
    second = celery_worker_process(**WORKER_ENV)
    celery_beat_process(**{**WORKER_ENV, **BEAT_ENV})

    # then: every delivery succeeds; each event reached the receiver once, or twice at most
    wait_until(lambda: _pending(endpoint) == 0, timeout=120, describe=second.log)
    received = Counter(r.headers["webhook-id"] for r in hooks.received)
    assert set(received) == set(event_ids)
    assert max(received.values()) <= 2
    # the kill came mid-batch: its POSTs so far were never recorded, so they went once more
    assert 0 < sum(received.values()) - EVENTS <= BATCH

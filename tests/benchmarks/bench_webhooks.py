"""Deliveries/s of webhook delivery (webhooks.delivery.deliver_endpoint, in-process: the code a
Celery worker's deliver_endpoint task runs) sending 10,000 events to one local receiver, vs a
bare loop of the same signed POSTs through the same client (config.outbound.post, via
webhooks.delivery.post_signed) in the same run. Target: delivery >= 50% of the bare loop. Every
event must reach the receiver exactly once (10,000 requests with 10,000 distinct webhook-ids)
and its delivery end `succeeded` with one attempt logged.

The two take turns in rounds, so a slow spell of the machine falls on both. The receiver is a
threaded HTTP server in a process of its own (tests/benchmarks/bench_message_delivery.Gateway,
counting webhook-id values by path: /deliver, /bare). The events and their pending deliveries go
in with bulk inserts before the clock starts. Runs on PostgreSQL (DATABASE_URL) or the embedded
SQLite.

    createdb -h 127.0.0.1 -U postgres postroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postroom_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        make bench BENCH=webhooks
"""

import json
import time

from tests.benchmarks.bench_message_delivery import Gateway
from tests.benchmarks.support import Row, bench_env, demo_company, drop_var_dir, manage, postgres_url, vacuum

TARGET = 0.50
EVENTS = 10_000
ROUND_SECONDS = 2.0
TABLES = ("webhooks_attempt", "webhooks_delivery", "webhooks_event")


def run() -> list[Row]:
    env = bench_env(
        WEBHOOKS_ALLOW_PRIVATE_URLS="1", WEBHOOKS_REQUIRE_HTTPS="0", WEBHOOKS_TASK_SECONDS=str(ROUND_SECONDS)
    )
    try:
        demo = demo_company(env)
        with Gateway(key_header="webhook-id") as receiver:
            result = _child(env, f"measure({demo['company_id']!r}, {receiver.url!r})")
            received = receiver.stats()
    finally:
        drop_var_dir(env)
    url = postgres_url()
    if url is not None:
        vacuum(url, *TABLES)
    assert received["/deliver"] == {"requests": EVENTS, "keys": EVENTS}, received
    assert result["succeeded_rows"] == EVENTS and result["attempt_rows"] == EVENTS, result
    assert received["/bare"] == {"requests": result["bare_posted"], "keys": result["bare_posted"]}, received
    return _rows(result)


def _child(env: dict, call: str) -> dict:
    """Run `call` (a function of this module) in a Django process; its JSON answer."""
    code = f"from tests.benchmarks import bench_webhooks as b; b.{call}"
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def _rows(result: dict) -> list[Row]:
    bare = result["bare_requests"] / result["bare_seconds"]
    delivery = result["delivered"] / result["delivery_seconds"]
    ratios = sorted(result["round_ratios"])
    return [
        Row("bare loop of signed POSTs (outbound.post)", bare, "req/s"),
        Row(
            "deliver 10k webhook events to one endpoint",
            delivery,
            "dlv/s",
            baseline_name="bare loop of signed POSTs",
            baseline=bare,
            target=f">= {TARGET:.0%} of bare",
            passed=delivery / bare >= TARGET,
            note=f"(rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x, {result['database']})",
        ),
    ]


# ---- in the Django process -----------------------------------------------------------------------


def measure(company_id: str, receiver_url: str) -> None:
    """Delivery and the bare loop in turns, each ROUND_SECONDS, until every delivery is sent;
    prints the totals. The rows are this run's alone and are deleted at the end."""
    from django.db import connection
    from standardwebhooks import Webhook

    from accounts.models import Company
    from webhooks import delivery
    from webhooks.models import Attempt, Delivery, Endpoint

    company = Company.objects.get(pk=company_id)
    endpoint = Endpoint.objects.for_company(company).create(
        company=company, url=f"{receiver_url}/deliver", events=["*"], secret=_secret()
    )
    try:
        events = _pending_events(company, endpoint)
        bare = BareLoop(f"{receiver_url}/bare", Webhook(endpoint.secret), events)
        totals = {"bare_requests": 0, "bare_seconds": 0.0, "delivery_seconds": 0.0, "round_ratios": []}
        delivered = 0
        while True:
            requests, bare_seconds = bare.run(ROUND_SECONDS)
            started = time.monotonic()
            done = delivery.deliver_endpoint(endpoint.pk)
            seconds = time.monotonic() - started
            if not done.attempted:
                break
            delivered += done.succeeded
            totals["bare_requests"] += requests
            totals["bare_seconds"] += bare_seconds
            totals["delivery_seconds"] += seconds
            totals["round_ratios"].append((done.succeeded / seconds) / (requests / bare_seconds))
        found = {
            "delivered": delivered,
            "bare_posted": bare.sent,
            "succeeded_rows": Delivery.unscoped.filter(endpoint=endpoint, status="succeeded").count(),
            "attempt_rows": Attempt.objects.filter(delivery__endpoint=endpoint).count(),
            "database": connection.vendor,
        }
    finally:  # the run's rows: leave the database as it was
        _delete(endpoint)
    print(json.dumps({**totals, **found}))


def _secret() -> str:
    from webhooks.models import new_secret

    return new_secret()


def _pending_events(company, endpoint) -> list:
    """EVENTS events, a millisecond apart, each with its pending delivery to `endpoint`, due now."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from webhooks.models import Delivery, Event

    start = timezone.now() - timedelta(seconds=EVENTS / 1000 + 1)
    events = [
        Event(
            company=company,
            type="campaign.status_changed",
            occurred_at=start + timedelta(milliseconds=n),
            data={"campaign": {"id": 100_000 + n, "status": "Scheduled", "name": f"Spring mailing {n}"}},
        )
        for n in range(EVENTS)
    ]
    with transaction.atomic():
        Event.unscoped.bulk_create(events, batch_size=2000)
        Delivery.unscoped.bulk_create(
            [
                Delivery(
                    company=company,
                    endpoint=endpoint,
                    event=event,
                    occurred_at=event.occurred_at,
                    next_attempt_at=event.occurred_at,
                )
                for event in events
            ],
            batch_size=2000,
        )
    return events


def _delete(endpoint) -> None:
    from webhooks.models import Event

    event_ids = list(endpoint.deliveries.values_list("event_id", flat=True))
    endpoint.delete()
    for start in range(0, len(event_ids), 2000):
        Event.unscoped.filter(pk__in=event_ids[start : start + 2000]).delete()


class BareLoop:
    """The baseline: the same signed POSTs (delivery.post_signed: a payload, its signature, the
    outbound door) of the run's events, one after another, to another path of the receiver."""

    def __init__(self, url: str, signer, events: list):
        self.url, self.signer, self.events, self.sent = url, signer, events, 0

    def run(self, seconds: float) -> tuple[int, float]:
        """(requests answered 200, seconds taken) of posting for `seconds`."""
        from webhooks import delivery

        started = time.monotonic()
        deadline = started + seconds
        count = 0
        while time.monotonic() < deadline:
            event = self.events[self.sent % len(self.events)]
            self.sent += 1
            body = delivery.payload(event)
            response = delivery.post_signed(self.url, self.signer, f"bare_{self.sent}", body)
            assert response.status == 200, response.status
            count += 1
        return count, time.monotonic() - started

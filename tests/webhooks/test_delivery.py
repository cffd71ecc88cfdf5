"""Delivery to a real receiver on 127.0.0.1: signed the Standard Webhooks way, retried with backoff,
every attempt logged; SSRF targets refused and logged; replay; rotation; disabling after days of
failure, with the company emailed."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from tests.accounts.factories import UserFactory
from tests.platform_api import assert_envelope
from tests.webhooks.factories import EndpointFactory
from webhooks import delivery as engine
from webhooks.events import EventType, record_event, register_shape
from webhooks.models import Attempt, Delivery, Endpoint, Event
from webhooks.tasks import deliver_due_webhooks

pytestmark = pytest.mark.django_db

register_shape("probe", lambda obj: dict(obj))


def _record(company, number=1, type=EventType.ORDER_PAID):
    return record_event(company=company, type=type, kind="probe", obj={"number": number})


def _deliveries(endpoint):
    return list(Delivery.unscoped.filter(endpoint=endpoint).order_by("occurred_at"))


def _attempts(endpoint):
    return list(Attempt.objects.filter(delivery__endpoint=endpoint).order_by("attempted_at", "id"))


def test_an_event_is_posted_signed_and_verifies(receiver, company, django_capture_on_commit_callbacks):
    # given: an endpoint at a local receiver that wants the type
    hooks = receiver()
    endpoint = EndpointFactory(company=company, url=hooks.url, events=["order.paid"])

    # when: an event is recorded and its transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        event = _record(company)

    # then: one POST, signed with the endpoint's secret, with the Standard Webhooks envelope
    [received] = hooks.received
    assert received.headers["webhook-id"] == event.id
    body = Webhook(endpoint.secret).verify(received.body, received.headers)
    assert body["type"] == "order.paid" and body["data"] == {"probe": {"number": 1}}
    assert body["id"] == event.id and body["companyId"] == str(company.pk)
    assert body["timestamp"].endswith("Z")
    [delivery] = _deliveries(endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    [attempt] = _attempts(endpoint)
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "answer 200", "")


def test_no_event_and_no_post_for_a_rolled_back_change(receiver, company, django_capture_on_commit_callbacks):
    from django.db import transaction

    hooks = receiver()
    EndpointFactory(company=company, url=hooks.url)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _record(company)
        raise RuntimeError("the change fails")
    assert not Event.unscoped.exists() and hooks.received == []


def test_an_endpoint_gets_only_the_types_it_wants(receiver, company, django_capture_on_commit_callbacks):
    hooks = receiver()
    EndpointFactory(company=company, url=hooks.url, events=["import.failed"])
    with django_capture_on_commit_callbacks(execute=True):
        _record(company, type=EventType.ORDER_PAID)
        _record(company, type=EventType.IMPORT_FAILED)
    assert [json.loads(r.body)["type"] for r in hooks.received] == ["import.failed"]


def test_500_then_2xx_is_retried_with_backoff_and_logged(
    receiver, company, django_capture_on_commit_callbacks
):
    hooks = receiver([(500, 0.0), (200, 0.0)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    [delivery] = _deliveries(endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    wait = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.5)  # 5 s, with jitter

    # not due yet: the beat sends nothing
    deliver_due_webhooks.delay()
    assert len(hooks.received) == 1

    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=True):
        deliver_due_webhooks.delay()
    [delivery] = _deliveries(endpoint)
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert [(a.status_code, a.error) for a in _attempts(endpoint)] == [
        (500, "The receiver answered with status 500."),
        (200, ""),
    ]
    assert hooks.received[0].headers["webhook-id"] == hooks.received[1].headers["webhook-id"]
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_timeout_is_a_failed_attempt_with_the_reason(
    receiver, company, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    hooks = receiver([(200, 3.0)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    [attempt] = _attempts(endpoint)
    assert attempt.status_code is None
    assert attempt.error == "The request to the URL failed: it took longer than 0.5 seconds."
    assert _deliveries(endpoint)[0].status == "pending"


def test_https_with_a_bad_certificate_is_a_failed_attempt(
    receiver, company, django_capture_on_commit_callbacks
):
    hooks = receiver(tls=True)
    endpoint = EndpointFactory(company=company, url=hooks.url)
    assert hooks.url.startswith("https://")
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    [attempt] = _attempts(endpoint)
    assert attempt.status_code is None
    assert attempt.error == "The request to the URL failed: its secure connection could not be verified."
    assert hooks.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hooks",
        "http://10.0.0.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/hooks",
        "http://localhost:9/hooks",
    ],
)
def test_private_targets_are_refused_and_logged(company, settings, url, django_capture_on_commit_callbacks):
    # given: the setting off (the default)
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    endpoint = EndpointFactory(company=company, url=url)
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    [attempt] = _attempts(endpoint)
    assert attempt.error == "The URL points to an address that is not allowed."
    assert attempt.status_code is None


def test_the_setting_opens_loopback_but_never_link_local(
    receiver, company, django_capture_on_commit_callbacks
):
    hooks = receiver()
    local = EndpointFactory(company=company, url=hooks.url)
    metadata = EndpointFactory(company=company, url="http://169.254.169.254/latest/")
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    assert _attempts(local)[0].status_code == 200
    assert _attempts(metadata)[0].error == "The URL points to an address that is not allowed."


def test_a_redirect_is_not_followed(receiver, company, django_capture_on_commit_callbacks):
    hooks = receiver([(302, 0.0)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    assert len(hooks.received) == 1 and _attempts(endpoint)[0].status_code == 302
    assert _deliveries(endpoint)[0].status == "pending"


def test_retries_run_out_after_about_three_days(receiver, company, django_capture_on_commit_callbacks):
    hooks = receiver([(503, 0.0)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _record(company)
    with time_machine.travel(start, tick=False) as traveller:
        _retry_until_failed(endpoint, traveller)
    [delivery] = _deliveries(endpoint)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 10, None)
    assert timedelta(days=2.7) < delivery.last_attempt_at - start < timedelta(days=3.3)
    assert len(hooks.received) == 10


def _retry_until_failed(endpoint, traveller) -> None:
    """Each retry of the endpoint's one delivery made when due, until they run out."""
    for _ in range(engine.MAX_ATTEMPTS - 1):
        [delivery] = _deliveries(endpoint)
        traveller.move_to(delivery.next_attempt_at + timedelta(seconds=1))
        engine.deliver_endpoint(endpoint.pk)


@pytest.fixture
def failing(receiver, company, django_capture_on_commit_callbacks):
    """A user of the company, and an endpoint at a receiver that always fails, whose first event
    has just failed: (receiver, endpoint, the time before that event)."""
    UserFactory(company=company, email="ops@example.com")
    hooks = receiver([(500, 0.0)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _record(company, 1)
    return hooks, endpoint, start


def _assert_disabled_and_emailed(endpoint) -> None:
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_reason == "Every delivery failed for 5 days."
    [message] = mail.outbox
    assert "ops@example.com" in message.to and endpoint.url in message.body


def test_an_endpoint_failing_for_five_days_is_disabled_and_its_users_emailed(
    failing, company, django_capture_on_commit_callbacks
):
    # given: users of the company, and a receiver that always fails
    hooks, endpoint, start = failing
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None

    # when: four days later it still fails: still enabled
    with (
        time_machine.travel(start + timedelta(days=4), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _record(company, 2)
    endpoint.refresh_from_db()
    assert endpoint.enabled and mail.outbox == []

    # when: five days and a minute after the first failure, another one
    with (
        time_machine.travel(start + timedelta(days=5, minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _record(company, 3)

    # then: disabled, with the reason, and the company's users told
    _assert_disabled_and_emailed(endpoint)
    # nothing more goes to it (earlier events' retries included)
    posted = len(hooks.received)
    with time_machine.travel(start + timedelta(days=6), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _record(company, 4)
        deliver_due_webhooks.delay()
    assert len(hooks.received) == posted


def test_the_beat_disables_an_endpoint_failing_for_five_days_with_no_attempt_since(
    failing, django_capture_on_commit_callbacks
):
    # given: one event whose retries all failed (the last about three days after the first)
    hooks, endpoint, start = failing
    with time_machine.travel(start, tick=False) as traveller:
        _retry_until_failed(endpoint, traveller)

        # when: the beat runs just before five days of failure, then just after, with no new event
        traveller.move_to(start + timedelta(days=5) - timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            deliver_due_webhooks.delay()
        endpoint.refresh_from_db()
        assert endpoint.enabled and mail.outbox == []
        traveller.move_to(start + timedelta(days=5, minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            deliver_due_webhooks.delay()
            deliver_due_webhooks.delay()  # twice: switched off and emailed once

    # then: disabled as after a failed attempt, the company's users told, nothing more posted
    _assert_disabled_and_emailed(endpoint)
    assert len(hooks.received) == engine.MAX_ATTEMPTS


def test_a_success_stops_the_failure_clock(receiver, company, django_capture_on_commit_callbacks):
    hooks = receiver([(500, 0.0), (200, 0.0)])
    endpoint = EndpointFactory(company=company, url=hooks.url)
    with django_capture_on_commit_callbacks(execute=True):
        _record(company, 1)
        _record(company, 2)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.enabled


def test_events_go_out_in_the_order_they_happened(
    receiver, company, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_BATCH_SIZE = 3
    hooks = receiver()
    endpoint = EndpointFactory(company=company, url=hooks.url)
    events = [_record(company, n) for n in range(10)]  # no commit: nothing sent yet
    engine.deliver_endpoint(endpoint.pk)
    assert [r.headers["webhook-id"] for r in hooks.received] == [e.id for e in events]


def test_a_claimed_delivery_is_not_taken_again_until_its_lease_ends(receiver, company, settings):
    hooks = receiver()
    endpoint = EndpointFactory(company=company, url=hooks.url)
    _record(company)
    claimed = engine._claim(endpoint, timezone.now())  # a worker took it, then died
    assert len(claimed) == 1
    engine.deliver_endpoint(endpoint.pk)
    assert hooks.received == []
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS + 1)):
        deliver_due_webhooks.delay()
    assert len(hooks.received) == 1


def test_rotation_old_signatures_stop_verifying(
    receiver, authed_client, company, django_capture_on_commit_callbacks
):
    hooks = receiver()
    created = authed_client.post("/api/v1/webhooks", {"url": hooks.url, "events": ["*"]}, format="json")
    old = assert_envelope(created, 201)["data"]
    rotated = authed_client.post(f"/api/v1/webhooks/{old['id']}/rotate-secret")
    new_secret = assert_envelope(rotated, 200)["data"]["secret"]
    assert new_secret != old["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        _record(company)

    [received] = hooks.received
    assert Webhook(new_secret).verify(received.body, received.headers)["type"] == "order.paid"
    with pytest.raises(WebhookVerificationError):
        Webhook(old["secret"]).verify(received.body, received.headers)


def test_test_event_and_replay_through_the_api(
    receiver, authed_client, company, django_capture_on_commit_callbacks
):
    # given: an endpoint wanting only order.paid
    hooks = receiver([(500, 0.0), (200, 0.0)])
    created = authed_client.post(
        "/api/v1/webhooks", {"url": hooks.url, "events": ["order.paid"]}, format="json"
    )
    endpoint = assert_envelope(created, 201)["data"]

    # when: a test event is sent (it fails: 500)
    with django_capture_on_commit_callbacks(execute=True):
        queued = authed_client.post(f"/api/v1/webhooks/{endpoint['id']}/test")
    data = assert_envelope(queued, 202, "Test event queued")["data"]
    body = Webhook(endpoint["secret"]).verify(hooks.received[0].body, hooks.received[0].headers)
    assert body["type"] == "webhook.test"

    # then: the log shows the failed attempt
    log = assert_envelope(
        authed_client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries"), 200, "Webhook deliveries"
    )
    [item] = log["data"]["data"]
    assert (item["id"], item["eventType"], item["status"], item["attemptCount"]) == (
        data["deliveryId"], "webhook.test", "pending", 1,
    )  # fmt: skip
    assert item["attempts"][0]["statusCode"] == 500 and item["attempts"][0]["responseExcerpt"] == "answer 500"

    # when: replayed
    with django_capture_on_commit_callbacks(execute=True):
        replayed = authed_client.post(
            f"/api/v1/webhooks/{endpoint['id']}/deliveries/{data['deliveryId']}/replay"
        )
    assert_envelope(replayed, 202, "Delivery queued again")

    # then: sent again, same webhook-id, and logged
    assert [r.headers["webhook-id"] for r in hooks.received] == [data["eventId"]] * 2
    [item] = assert_envelope(authed_client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries"), 200)["data"][
        "data"
    ]
    assert item["status"] == "succeeded" and [a["statusCode"] for a in item["attempts"]] == [500, 200]


def test_the_deliveries_list_is_newest_first_and_paged(authed_client, company):
    endpoint = EndpointFactory(company=company)
    events = [_record(company, n) for n in range(3)]
    data = assert_envelope(
        authed_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries", {"limit": 2}), 200
    )["data"]
    assert data["total"] == 3 and data["hasMore"] is True
    assert [d["eventId"] for d in data["data"]] == [events[2].id, events[1].id]


def test_enabling_again_sends_what_waited(
    receiver, authed_client, company, django_capture_on_commit_callbacks
):
    hooks = receiver()
    endpoint = EndpointFactory(company=company, url=hooks.url)
    _record(company)  # pending, never sent
    Endpoint.unscoped.filter(pk=endpoint.pk).update(enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        authed_client.patch(f"/api/v1/webhooks/{endpoint.pk}", {"enabled": True}, format="json")
    assert len(hooks.received) == 1

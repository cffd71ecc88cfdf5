"""Delivery of queued messages through the gateway backend to a real local fake gateway, and
receipts: outcomes per status, retries with backoff, attempts, stopped and deleted campaigns."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import status as campaign_status
from messaging.models import Message
from messaging.services import delivery
from tests.accounts.factories import CompanyFactory
from tests.messaging.factories import MessageFactory, OccurrenceFactory, message_campaign
from tests.messaging.gateway import Answer
from tests.recipients.factories import RecipientGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def occurrence():
    company = CompanyFactory()
    campaign = message_campaign(company=company, group=RecipientGroupFactory(company=company))
    campaign.status = "active"  # as activation leaves it (the firing itself is not under test here)
    campaign.save(update_fields=["status"])
    return OccurrenceFactory(campaign=campaign, company=campaign.company)


def statuses():
    return sorted(Message.unscoped.values_list("status", flat=True))


def test_queued_messages_are_sent_once_each(via_gateway, occurrence):
    messages = MessageFactory.create_batch(5, occurrence=occurrence)

    done = delivery.messages_deliver_due()

    assert (done.claimed, done.sent) == (5, 5)
    assert statuses() == ["sent"] * 5
    keys = sorted(r.headers["idempotency-key"] for r in via_gateway.received)
    assert keys == sorted(m.message_key for m in messages)
    assert delivery.messages_deliver_due().claimed == 0  # nothing is sent twice


def test_a_4xx_fails_the_message(via_gateway, occurrence):
    via_gateway.answer = lambda request: Answer(status=400)
    MessageFactory(occurrence=occurrence)

    delivery.messages_deliver_due()

    message = Message.unscoped.get()
    assert message.status == "failed" and "400" in message.last_error and message.attempts == 1


@pytest.mark.parametrize("answer", [Answer(status=500), Answer(status=429, headers={"Retry-After": "120"})])
def test_a_5xx_or_429_is_retried_later_then_fails(settings, via_gateway, occurrence, answer):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    via_gateway.answer = lambda request: answer
    MessageFactory(occurrence=occurrence)
    start = timezone.now()

    delivery.messages_deliver_due()

    message = Message.unscoped.get()
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at > start
    if answer.status == 429:
        assert message.next_attempt_at >= start + timedelta(seconds=119)
    assert delivery.messages_deliver_due().claimed == 0  # not due yet

    delivery.messages_deliver_due(now=message.next_attempt_at + timedelta(seconds=1))

    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 2


def test_a_timeout_is_retried(settings, via_gateway, occurrence):
    settings.MESSAGING_GATEWAY_TIMEOUT_SECONDS = 0.2
    via_gateway.answer = lambda request: Answer(delay=1.0)
    MessageFactory(occurrence=occurrence)

    delivery.messages_deliver_due()

    assert Message.unscoped.get().status == "queued"


def test_a_stopped_campaign_holds_its_messages_until_resumed(via_gateway, occurrence):
    MessageFactory(occurrence=occurrence)
    campaign = occurrence.campaign
    campaign_status.transition(campaign, "stopped")

    assert delivery.messages_deliver_due().claimed == 0

    campaign_status.transition(campaign, "active")
    assert delivery.messages_deliver_due().sent == 1


def test_a_deleted_campaigns_messages_are_never_sent(via_gateway, occurrence):
    MessageFactory(occurrence=occurrence)
    occurrence.campaign.delete()

    assert delivery.messages_deliver_due().claimed == 0
    assert via_gateway.received == []


# ---- receipts ------------------------------------------------------------------------------------

SECRET = "receipt-secret"


def post_receipt(client, body: dict, *, secret=SECRET):
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/messaging/receipts/", raw, content_type="application/json", HTTP_X_POSTROOM_SIGNATURE=signature
    )


@pytest.fixture
def sent_message(occurrence):
    return MessageFactory(occurrence=occurrence, status="sent", sent_at=timezone.now())


def test_a_signed_receipt_delivers_a_sent_message_once(settings, client, sent_message):
    settings.MESSAGING_RECEIPT_SECRET = SECRET
    body = {"message_key": sent_message.message_key.lower(), "status": "delivered"}

    first = post_receipt(client, body)
    again = post_receipt(client, body)

    assert first.status_code == 200 and first.json() == {"applied": 1}
    assert again.json() == {"applied": 0}
    sent_message.refresh_from_db()
    assert sent_message.status == "delivered" and sent_message.delivered_at is not None


def test_a_failed_receipt_records_the_reason(settings, client, sent_message):
    settings.MESSAGING_RECEIPT_SECRET = SECRET

    post_receipt(
        client,
        {"receipts": [{"message_key": sent_message.message_key, "status": "failed", "error": "absent"}]},
    )

    sent_message.refresh_from_db()
    assert (sent_message.status, sent_message.last_error) == ("failed", "absent")


def test_a_bad_signature_or_no_secret_is_403(settings, client, sent_message):
    body = {"message_key": sent_message.message_key, "status": "delivered"}

    assert post_receipt(client, body).status_code == 403  # no secret configured
    settings.MESSAGING_RECEIPT_SECRET = SECRET
    assert post_receipt(client, body, secret="wrong").status_code == 403
    sent_message.refresh_from_db()
    assert sent_message.status == "sent"


@pytest.mark.parametrize(
    "body", [{"status": "delivered"}, {"message_key": "X", "status": "read"}, {"receipts": []}]
)
def test_a_malformed_receipt_is_400(settings, client, body):
    settings.MESSAGING_RECEIPT_SECRET = SECRET

    assert post_receipt(client, body).status_code == 400

"""Helpers of the messages export tests: campaigns with generated messages, made through the
services and the beat as in production, and the pages read back."""

import csv
import io
import json
import uuid

from django.core.files.storage import default_storage

from messaging import counters
from messaging.models import Message, MessageExport, Occurrence
from messaging.tasks import campaigns_fire_due
from tests.messaging.factories import OccurrenceFactory, message_campaign
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

IP = "203.0.113.7"


def campaign_with_messages(company, names, *, capture, status="active", **extra):
    """An SMS campaign whose template is `{first_name}`, fired and generated: one message per
    name, whose body is the name as given."""
    group = RecipientGroupFactory(company=company)
    for name in names:
        RecipientFactory(company=company, group=group, first_name=name, mobile="+447700900001")
    with capture(execute=True):
        campaign = message_campaign(
            company=company, group=group, status=status, template="{first_name}", **extra
        )
    with capture(execute=True):
        campaigns_fire_due.apply()
    return campaign


def expected_rows(campaign) -> list[dict]:
    """The campaign's messages as the export writes them, in message order."""
    rows = []
    for message in Message.unscoped.filter(campaign_id=campaign.pk).order_by("id"):
        customer = message.address if message.client is not None else str(message.recipient_id)
        text = message.body if message.body or message.payload is None else json.dumps(message.payload)
        rows.append({"customer_id": customer, "message": text})
    return rows


def csv_rows(text: str) -> list[dict]:
    reader = csv.reader(io.StringIO(text, newline=""))
    assert next(reader) == ["customer_id", "message"]
    return [{"customer_id": customer, "message": message} for customer, message in reader]


def stored_pages(export: MessageExport) -> list[bytes]:
    pages = []
    for number in range(export.pages):
        with default_storage.open(export.page_key(number), "rb") as handle:
            pages.append(handle.read())
    return pages


def campaign_with_bulk_messages(company, bodies, *, payloads=None, **extra):
    """A message campaign (made by the service, not fired) with one generated message per body,
    written in bulk under one firing, and its counters moved as generation moves them."""
    campaign = message_campaign(company=company, group=RecipientGroupFactory(company=company), **extra)
    add_messages(campaign, bodies, payloads=payloads)
    return campaign


def add_messages(campaign, bodies, *, payloads=None) -> Occurrence:
    """A further firing of the campaign with one generated message per body."""
    occurrence = OccurrenceFactory(company=campaign.company, campaign=campaign, status="generated")
    payloads = payloads or [None] * len(bodies)
    Message.unscoped.bulk_create(
        Message(
            company_id=campaign.company_id,
            campaign_id=campaign.pk,
            occurrence=occurrence,
            recipient_id=uuid.uuid4(),
            channel=campaign.channel,
            body=body,
            payload=payload,
            message_key=uuid.uuid4().hex[:30].upper(),
        )
        for body, payload in zip(bodies, payloads, strict=True)
    )
    counters.move(campaign.pk, counters.NEW, "queued", len(bodies))
    return occurrence

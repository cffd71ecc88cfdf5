"""One SMS campaign end to end through the services API: token, create active `now`, the beat
fires it, generation renders one message per member (one without a mobile fails `no address`),
delivery sends the rest to a local fake gateway, a receipt marks one delivered, and the API
counts them."""

import hashlib
import hmac
import json

import pytest

from messaging.models import Message
from messaging.tasks import campaigns_fire_due
from tests.recipients.factories import RecipientFactory

pytestmark = pytest.mark.django_db


def test_an_sms_campaign_from_create_to_delivered(
    settings, gateway, client, campaigns_url, company, group, django_capture_on_commit_callbacks
):
    settings.MESSAGING_GATEWAY_URL = gateway.url
    settings.MESSAGING_DEFAULT_BACKEND = ""
    settings.MESSAGING_RATE_PER_SECOND = {}
    settings.MESSAGING_RECEIPT_SECRET = "s3cret"
    RecipientFactory(company=company, group=group, first_name="Cy", mobile="")
    payload = {
        "name": "Hello", "status": "active", "sending_type": "sms", "schedule_type": "now",
        "template": "Hi {first_name}!", "sender": "Postroom", "recipient_lists": str(group.pk),
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        uuid = client.post(campaigns_url, payload, format="json").json()["data"]["uuid"]
    with django_capture_on_commit_callbacks(execute=True):
        campaigns_fire_due.apply()

    by_address = {m.address: m for m in Message.unscoped.filter(campaign_id=uuid)}
    assert {a: (m.body, m.status) for a, m in by_address.items()} == {
        "+447700900001": ("Hi Ada!", "sent"),
        "+447700900002": ("Hi Bob!", "sent"),
        "": ("Hi Cy!", "failed"),
    }
    assert by_address[""].last_error == "no address"
    sent_bodies = sorted(r.body["text"] for r in gateway.received)
    assert sent_bodies == ["Hi Ada!", "Hi Bob!"]

    receipt = json.dumps(
        {"message_key": by_address["+447700900001"].message_key, "status": "delivered"}
    ).encode()
    signature = "sha256=" + hmac.new(b"s3cret", receipt, hashlib.sha256).hexdigest()
    client.post(
        "/messaging/receipts/", receipt, content_type="application/json", HTTP_X_POSTROOM_SIGNATURE=signature
    )

    data = client.get(f"{campaigns_url}/{uuid}?fields=tasks,messages").json()["data"]
    assert data["status"] == "finished"
    assert data["messages"] == {"queued": 0, "sent": 1, "delivered": 1, "failed": 1, "total": 3}
    assert data["tasks"][0]["targeted"] == 3 and data["tasks"][0]["status"] == "generated"

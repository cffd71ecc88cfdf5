"""Message campaign events: `campaign.status_changed` (the services API's or campaign API v2's
shape), `occurrence.fired`, `export.ready` and `messages.delivery_summary` (per campaign and
minute, never per message), each bound to the campaign's workspace and absent after a rollback."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.selectors import default_workspace
from campaigns.models import Campaign, MessageStatus
from messaging import summaries
from messaging.models import DeliverySummary, MessageExport
from messaging.services import delivery, firing
from messaging.services.exports import messages_publish
from tests.accounts.factories import OAuthApplicationFactory, UserFactory
from tests.messaging.conftest import services_client
from tests.messaging.exports import IP, campaign_with_messages
from tests.messaging.factories import MessageFactory, OccurrenceFactory, message_campaign
from tests.messaging.test_api_v2 import LATER, create
from tests.messaging.test_delivery_flow import SECRET, post_receipt
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import WHATSAPP_JSON
from tests.webhooks.events_support import delivered_types, events_of, one_event, rolled_back
from tests.webhooks.factories import EndpointFactory

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)


@pytest.fixture
def services_api(company):
    return services_client(OAuthApplicationFactory(company=company))


@pytest.fixture
def v2_api(company):
    client = APIClient()
    client.credentials(
        HTTP_X_API_KEY=account_services.api_key_issue(user=UserFactory(company=company)).secret
    )
    return client


@pytest.fixture
def through_gateway(settings, gateway):
    """Delivery through the HTTP gateway backend to the local fake gateway, unthrottled."""
    settings.MESSAGING_GATEWAY_URL = gateway.url
    settings.MESSAGING_DEFAULT_BACKEND = ""
    settings.MESSAGING_RATE_PER_SECOND = {}


@pytest.fixture
def group(company):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group, first_name="Ada", mobile="+447700900001")
    return group


def _campaign_url(campaign) -> str:
    return f"/services/{campaign.workspace_id}/campaigns/{campaign.pk}"


# ---- campaign.status_changed ----------------------------------------------------------------------


def test_a_stop_through_the_services_api_records_the_campaign_as_that_api_shows_it(
    services_api, company, group
):
    # given: an active campaign of the default workspace
    campaign = message_campaign(company=company, group=group, status="active", schedule_type="once",
                                schedule_rrule="2030-04-01 09:00:00")  # fmt: skip
    before = len(events_of(company, "campaign.status_changed"))

    # when
    response = services_api.patch(_campaign_url(campaign), {"status": "stopped"}, format="json")

    # then
    assert response.status_code == 200, response.content
    event = events_of(company, "campaign.status_changed")[-1]
    assert len(events_of(company, "campaign.status_changed")) == before + 1
    shown = services_api.get(_campaign_url(campaign)).json()["data"]
    assert event.data["message_campaign"] == shown
    assert (event.data["change"]["from_status"], event.data["change"]["status"]) == ("active", "stopped")
    assert event.workspace_id == campaign.workspace_id


def test_a_client_campaign_that_fires_its_once_records_occurrence_and_finish_as_v2_shows_it(v2_api, company):
    # given: a campaign API v2 campaign due later
    created = create(v2_api, JSON=WHATSAPP_JSON, message="Hi {{1}}", SendAt=LATER).json()
    campaign = Campaign.objects.for_company(company).get(client_campaign__pk=created["ID"])

    # when: its send time comes
    firing.campaigns_fire_due(now=timezone.now() + timedelta(days=31))

    # then: one firing, and the move to finished (its last firing)
    occurrence = one_event(company, "occurrence.fired")
    assert occurrence.data["occurrence"]["campaign_uuid"] == str(campaign.pk)
    assert occurrence.data["occurrence"]["status"] == "pending"
    finished = events_of(company, "campaign.status_changed")[-1]
    shown = finished.data["client_campaign"]
    assert (shown["ID"], shown["Name"], shown["Status"], shown["Clients"]) == (
        created["ID"],
        created["Name"],
        "sending",
        None,
    )
    assert finished.data["change"] == {
        "PreviousStatus": "active",
        "NewStatus": "finished",
        "ChangedAt": shown["UpdatedAt"],
        "Note": "last firing",
    }
    assert finished.workspace_id == occurrence.workspace_id == campaign.workspace_id


def test_firing_many_campaigns_costs_a_fixed_number_of_queries_each(company, group):
    # given: campaigns whose one firing is due (each finishes), and an endpoint
    EndpointFactory(company=company)

    def due(count):
        made = [
            message_campaign(
                company=company,
                group=group,
                status="active",
                schedule_type="once",
                schedule_rrule="2030-04-01 09:00:00",
            )  # fmt: skip
            for _ in range(count)
        ]
        return [c.pk for c in made]

    def fire(ids) -> int:
        with CaptureQueriesContext(connection) as queries:
            fired = firing.campaigns_fire_due(now=timezone.now().replace(year=2031), only=ids)
        assert len(fired.occurrences) == len(ids)
        return len(queries)

    # when
    one, three = fire(due(1)), fire(due(3))

    # then: each campaign adds the same 13 queries, whatever the batch: its occurrence (get or
    # create: 4 with its savepoint), its settings (1), the move and its history (2), and two
    # events, each with its company's endpoints and their deliveries (3 + 3); the shapes read
    # nothing (the settings come with the claimed row)
    assert three - one == 2 * 13, (one, three)


def test_a_rolled_back_firing_records_nothing(company, group):
    message_campaign(company=company, group=group, status="active", schedule_type="once",
                     schedule_rrule="2030-04-01 09:00:00")  # fmt: skip
    before = events_of(company)

    rolled_back(lambda: firing.campaigns_fire_due(now=timezone.now().replace(year=2031)))

    assert events_of(company) == before


# ---- export.ready ---------------------------------------------------------------------------------


def test_a_finished_export_records_what_the_pages_endpoint_answers(
    company, settings, django_capture_on_commit_callbacks
):
    settings.MESSAGING_DEFAULT_BACKEND = "messaging.delivery.console.ConsoleBackend"  # the firing's sends
    # given: a fired campaign with three messages
    campaign = campaign_with_messages(company, ["a", "b", "c"], capture=django_capture_on_commit_callbacks)

    # when: it is published and the export runs (after the request's commit)
    with django_capture_on_commit_callbacks(execute=True):
        messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)

    # then
    export = MessageExport.unscoped.get(campaign=campaign)
    event = one_event(company, "export.ready")
    assert event.data == {
        "export": {"campaign_id": str(campaign.pk), "num_files": 1, "total_rows": 3, "status": "done"},
        "job_id": str(export.pk),
    }
    assert event.workspace_id == campaign.workspace_id


# ---- messages.delivery_summary ------------------------------------------------------------------------


@pytest.fixture
def occurrence(company, group):
    campaign = message_campaign(company=company, group=group, status="active", schedule_type="once",
                                schedule_rrule="2030-04-01 09:00:00")  # fmt: skip
    return OccurrenceFactory(campaign=campaign, company=company)


def _summaries() -> list[tuple]:
    return sorted(
        (str(s.campaign_id), s.minute, s.sent, s.delivered, s.failed) for s in DeliverySummary.objects.all()
    )


def test_deliveries_and_receipts_are_summed_per_campaign_and_minute(
    through_gateway, settings, client, company, occurrence
):
    # given: five messages sent, two of them then settled by receipts
    settings.MESSAGING_RECEIPT_SECRET = SECRET
    with time_machine.travel(timezone.now().replace(second=5, microsecond=0), tick=False) as clock:
        minute = timezone.now()
        messages = MessageFactory.create_batch(5, occurrence=occurrence)
        delivery.messages_deliver_due()
        body = {"receipts": [{"message_key": messages[0].message_key, "status": "delivered"},
                             {"message_key": messages[1].message_key, "status": "failed"}]}  # fmt: skip
        assert post_receipt(client, body).json() == {"applied": 2}

        # then: one row for the campaign's minute, no event yet (the minute is not over)
        campaign = str(occurrence.campaign_id)
        assert _summaries() == [(campaign, minute.replace(second=0), 5, 1, 1)]
        assert summaries.delivery_summaries_send() == 0

        # when: the minute is over (and its grace for late commits)
        clock.shift(MINUTE + summaries.SUMMARY_GRACE)
        sent = summaries.delivery_summaries_send()

    # then: one event of the campaign's minute, and the row is gone
    assert sent == 1 and _summaries() == []
    event = one_event(company, "messages.delivery_summary")
    start = minute.replace(second=0)
    assert event.data == {
        "delivery_summary": {
            "campaign_uuid": campaign,
            "from_dt": start.isoformat().replace("+00:00", "Z"),
            "to_dt": (start + MINUTE).isoformat().replace("+00:00", "Z"),
            "sent": 5,
            "delivered": 1,
            "failed": 1,
        }
    }
    assert event.workspace_id == occurrence.campaign.workspace_id
    assert summaries.delivery_summaries_send(now=timezone.now() + MINUTE * 5) == 0  # once


def test_a_client_campaigns_summary_names_its_v2_id(v2_api, company):
    created = create(v2_api, JSON=WHATSAPP_JSON, message="Hi {{1}}", SendAt=LATER).json()
    campaign = Campaign.objects.for_company(company).get(client_campaign__pk=created["ID"])
    summaries.summary_add({campaign.pk: Counter(sent=2, failed=1)}, at=timezone.now() - MINUTE * 2)

    summaries.delivery_summaries_send()

    data = one_event(company, "messages.delivery_summary").data["client_delivery_summary"]
    assert (data["CampaignID"], data["SentCount"], data["DeliveredCount"], data["FailedCount"]) == (
        created["ID"],
        2,
        0,
        1,
    )


def test_each_campaign_and_minute_is_its_own_event(company, group, occurrence):
    other = message_campaign(company=company, group=group)
    now = timezone.now()
    summaries.summary_add(
        {occurrence.campaign_id: Counter(sent=1), other.pk: Counter(failed=2)}, at=now - 2 * MINUTE
    )
    summaries.summary_add({occurrence.campaign_id: Counter(sent=3)}, at=now - 2 * MINUTE)
    summaries.summary_add({occurrence.campaign_id: Counter(delivered=1)}, at=now - 3 * MINUTE)

    assert summaries.delivery_summaries_send(now=now, batch=2) == 3

    counts = sorted(
        (e.data["delivery_summary"]["campaign_uuid"], e.data["delivery_summary"]["sent"],
         e.data["delivery_summary"]["delivered"], e.data["delivery_summary"]["failed"])
        for e in events_of(company, "messages.delivery_summary")
    )  # fmt: skip
    assert counts == sorted(
        [
            (str(occurrence.campaign_id), 4, 0, 0),
            (str(occurrence.campaign_id), 0, 1, 0),
            (str(other.pk), 0, 0, 2),
        ]
    )


def test_a_rolled_back_delivery_or_send_leaves_the_summary_as_it_was(through_gateway, company, occurrence):
    MessageFactory.create_batch(2, occurrence=occurrence)

    rolled_back(delivery.messages_deliver_due)
    assert _summaries() == []

    delivery.messages_deliver_due()
    rolled_back(lambda: summaries.delivery_summaries_send(now=timezone.now() + MINUTE * 2))
    assert [row[2] for row in _summaries()] == [2] and events_of(company, "messages.delivery_summary") == []


# ---- who gets what --------------------------------------------------------------------------------


def test_endpoints_get_the_types_they_want_of_their_company_and_workspace(company, group, other_company):
    # given: endpoints for every type, for one type, for the default workspace, for another
    # workspace, and another company's
    every = EndpointFactory(company=company)
    fired_only = EndpointFactory(company=company, events=["occurrence.fired"])
    default = EndpointFactory(company=company, workspace=default_workspace(company=company))
    second = EndpointFactory(
        company=company, workspace=account_services.workspace_create(company=company, name="Two")
    )
    theirs = EndpointFactory(company=other_company)
    disabled = EndpointFactory(company=company, enabled=False)
    message_campaign(company=company, group=group, status="active", schedule_type="once",
                     schedule_rrule="2030-04-01 09:00:00")  # fmt: skip

    # when: it fires (and finishes)
    firing.campaigns_fire_due(now=timezone.now().replace(year=2031))

    # then: its activation when made, its firing and its finish
    moves = ["campaign.status_changed", "occurrence.fired", "campaign.status_changed"]
    assert delivered_types(every) == delivered_types(default) == moves
    assert delivered_types(fired_only) == ["occurrence.fired"]
    assert delivered_types(second) == delivered_types(theirs) == delivered_types(disabled) == []
    assert events_of(other_company) == []
    assert all(e.workspace_id == default_workspace(company=company).pk for e in events_of(company))
    assert Campaign.objects.for_company(company).get().status == MessageStatus.FINISHED

"""The messages export's campaign list (campaign/all): every message campaign of the company by
workspace, with its export stage through its life and its first and last firing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage

from accounts import services as account_services
from messaging.models import MessageExport, Occurrence
from messaging.selectors import ExportStage, campaigns_by_workspace
from messaging.services import message_campaign_delete
from messaging.services.clients import ClientCampaignFields, client_campaign_create
from messaging.services.exports import messages_publish
from messaging.tasks import (
    campaign_messages_purge,
    campaigns_fire_due,
    message_export_run,
    occurrence_generate,
)
from tests.accounts.factories import CompanyFactory
from tests.messaging.exports import IP, add_messages, campaign_with_bulk_messages
from tests.messaging.factories import message_campaign
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import WHATSAPP_JSON

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 10, 0, tzinfo=UTC)


def _entries(company) -> dict:
    """campaign name -> its entry."""
    return {c["name"]: c for w in campaigns_by_workspace(company=company) for c in w["campaigns"]}


def _stage(company, campaign) -> str:
    return _entries(company)[campaign.name]["stage"]


def test_a_campaign_goes_through_every_stage(company, django_capture_on_commit_callbacks):
    # Draft: nothing generated yet
    group = RecipientGroupFactory(company=company)
    for name in ("Ada", "Bob"):
        RecipientFactory(company=company, group=group, first_name=name, mobile="+447700900001")
    with django_capture_on_commit_callbacks(execute=False):
        campaign = message_campaign(company=company, group=group, status="active", name="Life")
    assert _stage(company, campaign) == ExportStage.DRAFT

    # Generating: fired, its messages being written
    with django_capture_on_commit_callbacks(execute=False):
        campaigns_fire_due.apply()
    occurrence = Occurrence.unscoped.get(campaign=campaign)
    assert _stage(company, campaign) == ExportStage.GENERATING

    # Publishing: published while generating, the export waits
    with django_capture_on_commit_callbacks(execute=True):
        export = messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    assert _stage(company, campaign) == ExportStage.PUBLISHING
    with django_capture_on_commit_callbacks(execute=False):
        occurrence_generate.apply(args=[occurrence.pk])
    assert _stage(company, campaign) == ExportStage.PUBLISHING

    # Published: the export holds every message
    with django_capture_on_commit_callbacks(execute=True):
        assert message_export_run.apply(args=[str(export.pk)]).get() == "done"
    assert _stage(company, campaign) == ExportStage.PUBLISHED

    # Ready to Publish: a later firing wrote more
    add_messages(campaign, ["more"])
    assert _stage(company, campaign) == ExportStage.READY_TO_PUBLISH
    with django_capture_on_commit_callbacks(execute=True):
        messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    assert _stage(company, campaign) == ExportStage.PUBLISHED


def test_every_workspace_with_its_campaigns_in_two_queries(company, django_assert_num_queries):
    # given: campaigns in two workspaces, one of them of campaign API v2, and another company's
    second = account_services.workspace_create(company=company, name="Second")
    with time_machine.travel(NOW):
        draft = message_campaign(
            company=company,
            group=RecipientGroupFactory(company=company),
            name="Once, later",
            schedule_type="once",
            schedule_rrule="2030-04-01 09:00:00",
        )
        daily = message_campaign(
            company=company,
            group=RecipientGroupFactory(company=company),
            status="active",
            name="Daily",
            schedule_type="scheduled",
            schedule_rrule="FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        )
        counted = message_campaign(
            company=company,
            group=RecipientGroupFactory(company=company),
            status="active",
            name="Three days",
            schedule_type="scheduled",
            schedule_rrule="FREQ=DAILY;COUNT=3;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        )
        client_campaign_create(
            company=company,
            user=None,
            data=ClientCampaignFields(
                name="V2",
                account_ids=["+966539078942", "966539078943"],
                params=[["John"], ["Jane"]],
                json=WHATSAPP_JSON,
                send_at=NOW + timedelta(days=2),
            ),
        )
    in_second = campaign_with_bulk_messages(company, ["a", "b"], name="In second")
    in_second.workspace = second
    in_second.save(update_fields=["workspace"])
    campaign_with_bulk_messages(CompanyFactory(), ["x"], name="Not ours")

    # when
    with django_assert_num_queries(2):
        listed = campaigns_by_workspace(company=company)

    # then
    assert [(w["workspace_name"], [c["name"] for c in w["campaigns"]]) for w in listed] == [
        ("Default", ["V2", "Three days", "Daily", "Once, later"]),
        ("Second", ["In second"]),
    ]
    assert listed[1]["workspace_id"] == str(second.pk)
    entries = _entries(company)
    assert entries["Once, later"] == {
        "campaign_id": str(draft.pk),
        "name": "Once, later",
        "channel": "sms",
        "status": "draft",
        "stage": "Draft",
        "start_date": "2030-04-01T09:00:00Z",
        "end_date": "2030-04-01T09:00:00Z",
        "total_messages": 0,
    }
    assert (entries["Daily"]["start_date"], entries["Daily"]["end_date"]) == ("2030-03-02T09:00:00Z", None)
    assert entries["Daily"]["campaign_id"] == str(daily.pk)
    assert (entries["Three days"]["start_date"], entries["Three days"]["end_date"]) == (
        "2030-03-02T09:00:00Z",
        "2030-03-04T09:00:00Z",
    )
    assert entries["Three days"]["campaign_id"] == str(counted.pk)
    assert (entries["V2"]["channel"], entries["V2"]["start_date"], entries["V2"]["end_date"]) == (
        "whatsapp",
        "2030-03-03T10:00:00Z",
        "2030-03-03T10:00:00Z",
    )
    assert (entries["In second"]["stage"], entries["In second"]["total_messages"]) == ("Ready to Publish", 2)


def test_a_fired_and_finished_campaign_starts_and_ends_at_its_firing(
    company, django_capture_on_commit_callbacks
):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group, first_name="Ada", mobile="+447700900001")
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message_campaign(company=company, group=group, status="active", name="Now")
        with django_capture_on_commit_callbacks(execute=True):
            campaigns_fire_due.apply()

    entry = _entries(company)["Now"]

    assert (entry["status"], entry["start_date"], entry["end_date"]) == (
        "finished",
        "2030-03-01T10:00:00Z",
        "2030-03-01T10:00:00Z",
    )
    assert (entry["stage"], entry["total_messages"]) == ("Ready to Publish", 1)


def test_a_deleted_campaigns_pages_go_with_its_messages(
    company, workspace, django_capture_on_commit_callbacks
):
    campaign = campaign_with_bulk_messages(company, ["a", "b"])
    with django_capture_on_commit_callbacks(execute=True):
        export = messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    assert default_storage.exists(export.page_key(0))

    message_campaign_delete(company=company, workspace=workspace, campaign_id=campaign.pk)
    campaign_messages_purge.apply()

    assert not default_storage.exists(export.page_key(0))
    assert not MessageExport.unscoped.filter(pk=export.pk).exists()

"""Deleted campaigns' messages go in batches (by campaign), and messages past retention go by
age; neither touches another campaign's or a recent message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import CampaignPurge, Message
from messaging.services import message_campaign_delete
from messaging.services.purge import campaign_messages_purge, messages_purge_expired
from tests.accounts.factories import CompanyFactory
from tests.messaging.factories import MessageFactory, OccurrenceFactory, message_campaign
from tests.recipients.factories import RecipientGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_occurrences():
    company = CompanyFactory()
    group = RecipientGroupFactory(company=company)
    return [
        OccurrenceFactory(campaign=message_campaign(company=company, group=group), company=company)
        for _ in range(2)
    ]


def test_a_deleted_campaigns_messages_are_purged_in_batches(two_occurrences):
    doomed, kept = two_occurrences
    MessageFactory.create_batch(7, occurrence=doomed)
    MessageFactory.create_batch(2, occurrence=kept)
    campaign = doomed.campaign
    message_campaign_delete(company=campaign.company, workspace=campaign.workspace, campaign_id=campaign.pk)

    assert campaign_messages_purge(batch=3, max_batches=2) == 6  # two batches of three
    assert CampaignPurge.objects.count() == 1
    assert campaign_messages_purge(batch=3) == 1

    assert CampaignPurge.objects.count() == 0
    assert list(Message.unscoped.values_list("occurrence_id", flat=True).distinct()) == [kept.pk]


def test_messages_past_retention_are_purged(settings, two_occurrences):
    settings.MESSAGING_RETENTION_DAYS = 30
    occurrence = two_occurrences[0]
    old = MessageFactory.create_batch(
        3, occurrence=occurrence, created_at=timezone.now() - timedelta(days=31)
    )
    recent = MessageFactory(occurrence=occurrence, created_at=timezone.now() - timedelta(days=29))

    assert messages_purge_expired(batch=2) == 3

    assert list(Message.unscoped.values_list("pk", flat=True)) == [recent.pk]
    assert not Message.unscoped.filter(pk__in=[m.pk for m in old]).exists()

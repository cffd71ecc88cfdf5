"""The data migration that stores stable status identifiers instead of the platform API's names
(campaigns/migrations/0006_status_identifiers.py), both ways, run with the real app registry."""

import importlib

import pytest
from django.apps import apps as django_apps

from campaigns.api.v1.shapes import STATUS_NAMES
from campaigns.models import Campaign, StatusChange
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("campaigns.migrations.0006_status_identifiers")


def _stored() -> tuple[dict, dict]:
    campaigns = dict(Campaign.unscoped.values_list("pk", "status"))
    changes = {pk: (a, b) for pk, a, b in StatusChange.objects.values_list("pk", "from_status", "status")}
    return campaigns, changes


def test_old_values_become_identifiers_and_back(company):
    # given: a campaign and a history row at each status as stored before, and a message campaign
    old_names = list(STATUS_NAMES.values())
    printed = [CampaignFactory(company=company) for _ in old_names]
    StatusChange.objects.filter(campaign__in=printed).delete()
    for campaign, name, previous in zip(printed, old_names, ["", *old_names], strict=False):
        Campaign.unscoped.filter(pk=campaign.pk).update(status=name)
        StatusChange.objects.create(
            campaign=campaign, from_status=previous, status=name, changed_at=campaign.created_at
        )
    message = CampaignFactory(company=company)
    Campaign.unscoped.filter(pk=message.pk).update(channel="sms", status="active")
    StatusChange.objects.filter(campaign=message).update(from_status="draft", status="active")
    before = _stored()

    # when
    migration.forwards(django_apps, None)

    # then
    campaigns, changes = _stored()
    new_value = {name: value for value, name in STATUS_NAMES.items()}
    new_value.update({"": "", "draft": "draft", "active": "active"})
    assert campaigns == {pk: new_value[status] for pk, status in before[0].items()}
    assert changes == {pk: (new_value[a], new_value[b]) for pk, (a, b) in before[1].items()}
    assert {campaigns[c.pk] for c in printed} == set(STATUS_NAMES)

    # and back
    migration.backwards(django_apps, None)
    assert _stored() == before

"""The transition table: every allowed move works and writes history; every other move is refused."""

import itertools

import pytest

from campaigns import status as machine
from campaigns.errors import InvalidStatusTransition
from campaigns.models import STATUS_ORDER, Campaign, Status, StatusChange
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db

ALLOWED_MOVES = {
    ("Draft", "Preview"), ("Draft", "Cancelled"),
    ("Preview", "Draft"), ("Preview", "Approved"), ("Preview", "Cancelled"),
    ("Approved", "Preview"), ("Approved", "AwaitingPayment"), ("Approved", "Scheduled"), ("Approved", "Cancelled"),
    ("AwaitingPayment", "Scheduled"), ("AwaitingPayment", "Approved"), ("AwaitingPayment", "Cancelled"),
    ("Scheduled", "Printing"), ("Scheduled", "Cancelled"),
    ("Printing", "Dispatched"),
}  # fmt: skip
ALL_MOVES = list(itertools.product(Status.values, Status.values))


def test_the_table_is_exactly_the_documented_one():
    assert {(a, b) for a, b in ALL_MOVES if machine.can_move(a, b)} == ALLOWED_MOVES


def test_status_orders():
    assert [STATUS_ORDER[s] for s in ("Draft", "Preview", "Approved", "AwaitingPayment", "Scheduled")] == [
        1,
        2,
        3,
        4,
        5,
    ]


def _at(company, status) -> Campaign:
    campaign = CampaignFactory(company=company)
    Campaign.unscoped.filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()
    return campaign


@pytest.mark.parametrize(("from_status", "to_status"), ALL_MOVES)
def test_every_move(company, from_status, to_status):
    campaign = _at(company, from_status)
    before = StatusChange.objects.filter(campaign=campaign).count()
    if (from_status, to_status) in ALLOWED_MOVES:
        machine.transition(campaign, to_status)
        campaign.refresh_from_db()
        assert campaign.status == to_status
        last = StatusChange.objects.filter(campaign=campaign).last()
        assert (last.from_status, last.status) == (from_status, to_status)
    else:
        with pytest.raises(InvalidStatusTransition):
            machine.transition(campaign, to_status)
        campaign.refresh_from_db()
        assert campaign.status == from_status
        assert StatusChange.objects.filter(campaign=campaign).count() == before


@pytest.mark.parametrize("status", Status.values)
def test_read_only_from_scheduled_on(status):
    assert machine.is_read_only(Campaign(status=status)) == (
        status in {"Scheduled", "Printing", "Dispatched", "Cancelled"}
    )

"""The transition tables, one per campaign kind: every allowed move works and writes history; every
other move (a status of the other kind included) is refused and writes nothing."""

import itertools

import pytest

from campaigns import status as machine
from campaigns.api.v1.shapes import STATUS_NAMES
from campaigns.errors import InvalidStatusTransition
from campaigns.models import STATUS_ORDER, Campaign, Channel, MessageStatus, Status, StatusChange
from tests.campaigns.factories import CampaignFactory
from tests.messaging.factories import message_campaign
from tests.recipients.factories import RecipientGroupFactory

pytestmark = pytest.mark.django_db

PRINT_MOVES = {
    ("draft", "preview"), ("draft", "cancelled"),
    ("preview", "draft"), ("preview", "approved"), ("preview", "cancelled"),
    ("approved", "preview"), ("approved", "awaiting_payment"), ("approved", "scheduled"), ("approved", "cancelled"),
    ("awaiting_payment", "scheduled"), ("awaiting_payment", "approved"), ("awaiting_payment", "cancelled"),
    ("scheduled", "printing"), ("scheduled", "cancelled"),
    ("printing", "dispatched"),
}  # fmt: skip
# The services API: PATCH active/stopped in any state; a resume with nothing left returns to finished.
MESSAGE_MOVES = {
    ("draft", "active"), ("draft", "stopped"),
    ("active", "stopped"), ("active", "finished"),
    ("stopped", "active"), ("stopped", "finished"),
    ("finished", "active"), ("finished", "stopped"),
}  # fmt: skip
DOCUMENTED = {machine.Kind.PRINT: PRINT_MOVES, machine.Kind.MESSAGE: MESSAGE_MOVES}
STATUSES = {machine.Kind.PRINT: Status.values, machine.Kind.MESSAGE: MessageStatus.values}
# A channel of each kind to run the moves on.
CHANNEL = {machine.Kind.PRINT: Channel.POST, machine.Kind.MESSAGE: Channel.SMS}

# Every pair of statuses of a kind, from its table: the moves to try.
MOVES = [
    (kind, a, b) for kind, table in machine.TABLES.items() for a, b in itertools.product(table, repeat=2)
]
# A status only the other kind has, from every status of a kind (draft belongs to both).
CROSS_KIND_MOVES = [
    (kind, a, b)
    for kind, other in itertools.permutations(machine.TABLES, 2)
    for a, b in itertools.product(machine.TABLES[kind], machine.TABLES[other])
    if b not in machine.TABLES[kind]
]


@pytest.mark.parametrize("kind", list(machine.Kind))
def test_each_table_is_exactly_the_documented_one(kind):
    table = machine.TABLES[kind]
    assert sorted(table) == sorted(STATUSES[kind])
    assert {(a, b) for a, b in itertools.product(table, repeat=2) if b in table[a]} == DOCUMENTED[kind]


@pytest.mark.parametrize(
    ("channel", "kind"),
    [
        (Channel.POST, "print"),
        (Channel.SMS, "message"),
        (Channel.EMAIL, "message"),
        (Channel.WHATSAPP, "message"),
    ],
)
def test_the_channel_picks_the_table(channel, kind):
    assert machine.kind_of(Campaign(channel=channel)) == kind


def test_status_orders():
    assert [STATUS_ORDER[s] for s in Status] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_platform_api_names_every_print_status():
    assert STATUS_NAMES == {
        "draft": "Draft", "preview": "Preview", "approved": "Approved", "awaiting_payment": "AwaitingPayment",
        "scheduled": "Scheduled", "printing": "Printing", "dispatched": "Dispatched", "cancelled": "Cancelled",
    }  # fmt: skip
    assert sorted(STATUS_NAMES) == sorted(Status.values)


def _at(company, kind, status) -> Campaign:
    if kind == machine.Kind.MESSAGE:  # a whole message campaign (its move's webhook event shows it)
        campaign = message_campaign(company=company, group=RecipientGroupFactory(company=company))
    else:
        campaign = CampaignFactory(company=company)
    Campaign.unscoped.filter(pk=campaign.pk).update(channel=CHANNEL[kind], status=status)
    campaign.refresh_from_db()
    return campaign


def _refused(campaign, to_status):
    from_status = campaign.status
    before = list(StatusChange.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert not machine.can_move(campaign, to_status)
    with pytest.raises(InvalidStatusTransition):
        machine.transition(campaign, to_status)
    campaign.refresh_from_db()
    assert campaign.status == from_status
    assert list(StatusChange.objects.filter(campaign=campaign).values_list("pk", flat=True)) == before


@pytest.mark.parametrize(("kind", "from_status", "to_status"), MOVES)
def test_every_move(company, kind, from_status, to_status):
    campaign = _at(company, kind, from_status)
    if (from_status, to_status) in DOCUMENTED[kind]:
        assert machine.can_move(campaign, to_status)
        change = machine.transition(campaign, to_status, note="why")
        campaign.refresh_from_db()
        assert campaign.status == to_status
        last = StatusChange.objects.filter(campaign=campaign).last()
        assert last.pk == change.pk
        assert (last.from_status, last.status, last.note) == (from_status, to_status, "why")
    else:
        _refused(campaign, to_status)


@pytest.mark.parametrize(("kind", "from_status", "to_status"), CROSS_KIND_MOVES)
def test_a_status_of_the_other_kind_is_refused(company, kind, from_status, to_status):
    _refused(_at(company, kind, from_status), to_status)


@pytest.mark.parametrize("status", Status.values)
def test_read_only_from_scheduled_on(status):
    assert machine.is_read_only(Campaign(status=status)) == (
        status in {"scheduled", "printing", "dispatched", "cancelled"}
    )

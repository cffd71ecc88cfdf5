"""The dispatch beat run by several beats at once: threads, each with its own database
connection, released together, each doing what the beat and its dispatch tasks do (the real
print stage included). Needs PostgreSQL (SKIP LOCKED, row locks); SQLite serialises every write
on one file lock, so there is nothing to prove there."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from accounts.models import Company
from billing import services as billing
from billing.models import Balance, LedgerEntry, Order, Payment
from campaigns import services
from campaigns.errors import PrintRunBusy
from campaigns.models import Campaign, PrintRun, Status
from tests.campaigns.conftest import LONDON, make_approved
from tests.concurrency import released_together

BEATS = 4
DUE = 6
TUESDAY_EARLY = datetime(2026, 4, 14, 0, 30, tzinfo=LONDON)

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
        reason="needs PostgreSQL: SQLite has no row locks and serialises all writes",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue"),
]


def _beat() -> tuple[list, list]:
    """One beat and the dispatch of every campaign it names, as dispatch_campaign does it (a
    busy print run means another worker is printing it and records the dispatch): the campaigns
    this beat held, and those it recorded Dispatched."""
    due = services.campaigns_dispatch_due()
    dispatched = []
    for campaign_id in due.printing:
        try:
            if services.campaign_dispatch(campaign_id=campaign_id):
                dispatched.append(campaign_id)
        except PrintRunBusy:
            pass
    return due.held, dispatched


def _statuses(campaign) -> list[str]:
    return list(campaign.status_changes.values_list("status", flat=True))


def _notes(campaign) -> list[str]:
    return list(campaign.status_changes.values_list("note", flat=True))


def test_beats_at_once_dispatch_each_due_campaign_once_and_hold_the_unpaid_once(company, monday_morning):
    # given: due campaigns paid from the balance, one due later, and an unpaid booking due today
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    company.refresh_from_db()
    billing.balance_top_up(company=company, amount="1000.00")
    due = [make_approved(company, recipients=2) for _ in range(DUE)]  # the snapshot's real size
    for campaign in due:
        services.campaign_schedule(company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14))
    later = make_approved(company, recipients=2)
    services.campaign_schedule(company=company, campaign_id=later.pk, send_date=date(2026, 4, 15))
    booking = make_approved(company, recipients=2)
    services.campaign_schedule(
        company=company, campaign_id=booking.pk, send_date=date(2026, 4, 14), use_balance=False
    )
    balance = Balance.objects.get(company=company).amount
    ledger, payments = LedgerEntry.objects.for_company(company).count(), Payment.objects.for_company(company)
    paid = sorted(payments.values_list("pk", flat=True))
    monday_morning.move_to(TUESDAY_EARLY)

    # when
    results = released_together(lambda i: _beat(), BEATS)

    # then: the threads between them held the booking once and dispatched each due campaign once
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [pk for held, _ in results for pk in held] == [booking.pk]
    assert sorted(pk for _, dispatched in results for pk in dispatched) == sorted(c.pk for c in due)
    for campaign in due:
        assert Campaign.unscoped.get(pk=campaign.pk).status == Status.DISPATCHED
        assert _statuses(campaign).count(Status.PRINTING) == _statuses(campaign).count(Status.DISPATCHED) == 1
        run = PrintRun.unscoped.get(campaign=campaign)  # one run, printed by one attempt
        assert (run.status, run.attempt, run.letters) == (PrintRun.Status.DONE, 1, 2)
        assert run.files and all(default_storage.exists(f["key"]) for f in run.files)
        assert default_storage.exists(run.manifest)
    assert Campaign.unscoped.get(pk=later.pk).status == Status.SCHEDULED
    held = Campaign.unscoped.get(pk=booking.pk)
    assert (held.status, held.held_at is not None) == (Status.AWAITING_PAYMENT, True)
    order = Order.unscoped.get(reference=str(booking.pk))
    assert [n for n in _notes(booking) if n.startswith("Held:")] == [
        f"Held: the send date 2026-04-14 came while still awaiting payment of order {order.number}; not printed."
    ]
    assert not PrintRun.unscoped.filter(campaign__in=[later.pk, booking.pk]).exists()
    # and dispatch takes no money: the balance, its ledger and the payments are as scheduling left them
    assert balance == Decimal("1000.00") - (DUE + 1) * Decimal("1.32")  # each 2 x 0.55 + 20% VAT
    assert Balance.objects.get(company=company).amount == balance
    assert LedgerEntry.objects.for_company(company).count() == ledger
    assert sorted(payments.values_list("pk", flat=True)) == paid
    assert len(paid) == DUE + 1

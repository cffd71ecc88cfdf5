"""Payments, voucher redemptions and order numbers under real concurrency: threads, each with
its own database connection, released together. Needs PostgreSQL (row locks); SQLite serialises
every write on one file lock, so there is nothing to prove there."""

from decimal import Decimal

import pytest
from django.conf import settings

from accounts.models import Company
from billing import services
from billing.errors import AlreadyPaid, InsufficientBalance, VoucherInvalid
from billing.models import Balance, LedgerEntry, Payment, VoucherRedemption
from billing.pricing import cost_breakdown
from tests.accounts.factories import CompanyFactory
from tests.billing.factories import VoucherFactory
from tests.concurrency import released_together

THREADS = 20

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"].endswith(".sqlite3"),
        reason="needs PostgreSQL: SQLite has no row locks and serialises all writes",
    ),
    pytest.mark.django_db(transaction=True),
]


def _balance(company) -> Decimal:
    return Balance.objects.get(company=company).amount


def _ledger_sum(company) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.for_company(company)), Decimal("0.00"))


def test_twenty_payments_of_one_campaign_debit_exactly_once():
    company = CompanyFactory()
    services.balance_top_up(company=company, amount="1000.00")

    results = released_together(
        lambda i: services.payment_take(company=company, reference="campaign-1", amount="79.20"), THREADS
    )

    paid = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, AlreadyPaid)]
    assert (len(paid), len(refused)) == (1, THREADS - 1), results
    assert _balance(company) == Decimal("920.80") == _ledger_sum(company)
    assert Payment.objects.for_company(company).count() == 1


def test_twenty_campaigns_with_money_for_ten():
    company = CompanyFactory()
    services.balance_top_up(company=company, amount=Decimal("79.20") * 10)

    results = released_together(
        lambda i: services.payment_take(company=company, reference=f"campaign-{i}", amount="79.20"), THREADS
    )

    paid = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, InsufficientBalance)]
    assert (len(paid), len(refused)) == (10, 10), results
    assert _balance(company) == Decimal("0.00") == _ledger_sum(company)
    assert all(e.balance_after >= 0 for e in LedgerEntry.objects.for_company(company))
    assert Payment.objects.for_company(company).count() == 10


def test_a_voucher_for_five_is_redeemed_five_times_under_twenty_payments():
    voucher = VoucherFactory(code="FIRST5", max_redemptions=5)
    companies = [CompanyFactory() for _ in range(THREADS)]
    for company in companies:
        services.balance_top_up(company=company, amount="100.00")

    results = released_together(
        lambda i: services.payment_take(
            company=companies[i],
            reference="campaign",
            amount="79.20",
            voucher=voucher,
            discount=Decimal("16.50"),
        ),
        THREADS,
    )

    assert sum(isinstance(r, LedgerEntry) for r in results) == 5, results
    assert sum(isinstance(r, VoucherInvalid) for r in results) == THREADS - 5
    assert VoucherRedemption.unscoped.filter(voucher=voucher).count() == 5
    # the refused payments left no trace
    assert Payment.unscoped.count() == 5
    assert sorted(_balance(c) for c in companies) == [Decimal("20.80")] * 5 + [Decimal("100.00")] * 15


def test_twenty_bookings_at_once_get_twenty_numbers_in_sequence():
    company = CompanyFactory()
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    cost = cost_breakdown(unit_price=Decimal("0.55"), recipients=150)

    results = released_together(
        lambda i: services.order_create(company=company, reference=f"campaign-{i}", cost=cost).number, THREADS
    )

    assert all(isinstance(r, str) for r in results), results
    prefix = results[0][: -len("001")]
    assert sorted(results) == [f"{prefix}{n:03d}" for n in range(1, THREADS + 1)]

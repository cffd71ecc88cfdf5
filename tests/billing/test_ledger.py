from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.errors import NotStaff
from billing import services
from billing.errors import (
    AlreadyPaid,
    BalanceLocked,
    BillingErrorCode,
    InsufficientBalance,
    InvalidAmount,
    ReasonRequired,
    RefundTooLarge,
)
from billing.models import AppendOnly, Balance, LedgerEntry, Payment
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _balance(company) -> Decimal:
    return Balance.objects.get(company=company).amount


def _ledger_total(company) -> Decimal:
    return sum((e.amount for e in LedgerEntry.objects.for_company(company)), Decimal("0.00"))


def test_a_top_up_is_a_ledger_entry_with_who_and_why(company, staff_user):
    entry = services.balance_top_up(
        company=company, amount="150.25", by=staff_user, reason="Bank transfer 991"
    )

    assert (entry.kind, entry.amount, entry.balance_after) == (
        LedgerEntry.Kind.TOP_UP,
        Decimal("150.25"),
        Decimal("150.25"),
    )
    assert (entry.created_by, entry.reason) == (staff_user, "Bank transfer 991")
    assert _balance(company) == Decimal("150.25")


@pytest.mark.parametrize("amount", ["0", "-1.00", "0.001"])
def test_a_top_up_must_be_positive(company, amount):
    with pytest.raises(InvalidAmount):
        services.balance_top_up(company=company, amount=amount)


def test_an_adjustment_needs_staff_and_a_reason(company, staff_user):
    services.balance_top_up(company=company, amount="10.00")
    with pytest.raises(ReasonRequired):
        services.balance_adjust(company=company, amount="-1.00", by=staff_user, reason="  ")
    with pytest.raises(NotStaff):
        services.balance_adjust(company=company, amount="-1.00", by=UserFactory(company=company), reason="x")

    entry = services.balance_adjust(company=company, amount="-2.50", by=staff_user, reason="Duplicate top-up")

    assert (entry.kind, entry.amount, entry.balance_after) == (
        LedgerEntry.Kind.ADJUSTMENT,
        Decimal("-2.50"),
        Decimal("7.50"),
    )


def test_an_adjustment_never_takes_the_balance_below_zero(company, staff_user):
    services.balance_top_up(company=company, amount="5.00")
    with pytest.raises(InsufficientBalance):
        services.balance_adjust(company=company, amount="-5.01", by=staff_user, reason="Too much")
    assert _balance(company) == Decimal("5.00")


def test_the_database_refuses_a_negative_balance(company):
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(company=company).update(amount=Decimal("-0.01"))


def test_a_payment_debits_once_with_its_ledger_entry(company):
    services.balance_top_up(company=company, amount="100.00")

    entry = services.payment_take(company=company, reference="campaign-1", amount=Decimal("79.20"))

    assert (entry.kind, entry.amount, entry.balance_after) == (
        LedgerEntry.Kind.PAYMENT,
        Decimal("-79.20"),
        Decimal("20.80"),
    )
    assert entry.reason == "Campaign campaign-1"
    payment = Payment.objects.for_company(company).get()
    assert (payment.reference, payment.amount, payment.ledger_entry) == (
        "campaign-1",
        Decimal("79.20"),
        entry,
    )
    assert _balance(company) == Decimal("20.80") == _ledger_total(company)


def test_a_second_payment_of_the_same_reference_is_refused(company):
    services.balance_top_up(company=company, amount="100.00")
    services.payment_take(company=company, reference="campaign-1", amount="10.00")

    with pytest.raises(AlreadyPaid):
        services.payment_take(company=company, reference="campaign-1", amount="10.00")

    assert _balance(company) == Decimal("90.00")
    assert LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1


def test_the_database_refuses_a_second_payment_row(company):
    services.balance_top_up(company=company, amount="100.00")
    entry = services.payment_take(company=company, reference="campaign-1", amount="10.00")
    other_entry = services.balance_top_up(company=company, amount="1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.for_company(company).create(
            company=company, reference="campaign-1", amount=Decimal("1.00"), ledger_entry=other_entry
        )
    assert entry.pk


def test_the_same_reference_may_be_paid_by_two_companies(company, other_company):
    for each in (company, other_company):
        services.balance_top_up(company=each, amount="10.00")
        services.payment_take(company=each, reference="same-id", amount="10.00")
    assert Payment.unscoped.count() == 2


def test_insufficient_balance_writes_nothing(company):
    services.balance_top_up(company=company, amount="79.19")

    with pytest.raises(InsufficientBalance) as caught:
        services.payment_take(company=company, reference="campaign-1", amount="79.20")

    assert caught.value.code == BillingErrorCode.INSUFFICIENT_BALANCE
    assert _balance(company) == Decimal("79.19")
    assert not Payment.objects.for_company(company).exists()


def test_a_payment_may_take_the_balance_to_exactly_zero(company):
    services.balance_top_up(company=company, amount="79.20")
    services.payment_take(company=company, reference="campaign-1", amount="79.20")
    assert _balance(company) == Decimal("0.00")


def test_a_locked_balance_refuses_payments_and_debits(company, staff_user):
    services.balance_top_up(company=company, amount="100.00")
    services.balance_lock(company=company, locked=True, by=staff_user)

    with pytest.raises(BalanceLocked) as caught:
        services.payment_take(company=company, reference="campaign-1", amount="10.00")
    assert caught.value.code == BillingErrorCode.BALANCE_LOCKED
    with pytest.raises(BalanceLocked):
        services.balance_change(company=company, amount="-1.00", kind=LedgerEntry.Kind.PAYMENT)

    # top-ups and staff adjustments still apply; unlocking allows payments again
    services.balance_top_up(company=company, amount="1.00")
    services.balance_adjust(company=company, amount="-1.00", by=staff_user, reason="Reversal")
    services.balance_lock(company=company, locked=False, by=staff_user)
    services.payment_take(company=company, reference="campaign-1", amount="10.00")
    assert _balance(company) == Decimal("90.00") == _ledger_total(company)


def test_only_staff_lock_a_balance(company):
    with pytest.raises(NotStaff):
        services.balance_lock(company=company, locked=True, by=UserFactory(company=company))
    with pytest.raises(NotStaff):
        services.balance_lock(company=company, locked=True, by=None)


def test_a_refund_credits_what_was_paid_and_never_more(company):
    services.balance_top_up(company=company, amount="100.00")
    services.payment_take(company=company, reference="campaign-1", amount="60.00")

    services.payment_refund(
        company=company, reference="campaign-1", amount="20.00", reason="Partly cancelled"
    )
    with pytest.raises(RefundTooLarge):
        services.payment_refund(company=company, reference="campaign-1", amount="40.01")
    rest = services.payment_refund(company=company, reference="campaign-1")

    assert (rest.kind, rest.amount, rest.balance_after) == (
        LedgerEntry.Kind.REFUND,
        Decimal("40.00"),
        Decimal("100.00"),
    )
    with pytest.raises(RefundTooLarge):
        services.payment_refund(company=company, reference="campaign-1")
    with pytest.raises(RefundTooLarge):
        services.payment_refund(company=company, reference="never-paid")
    assert _balance(company) == Decimal("100.00") == _ledger_total(company)


def test_ledger_entries_are_never_changed_or_deleted(company):
    entry = services.balance_top_up(company=company, amount="1.00")
    entry.reason = "rewritten"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()


def test_every_change_keeps_the_balance_equal_to_the_ledger(company, staff_user):
    services.balance_top_up(company=company, amount="500.00")
    for n in range(5):
        services.payment_take(company=company, reference=f"c-{n}", amount=Decimal("33.33"))
    services.payment_refund(company=company, reference="c-0")
    services.balance_adjust(company=company, amount="0.01", by=staff_user, reason="Rounding")

    entries = list(LedgerEntry.objects.for_company(company).order_by("created_at", "id"))
    running = Decimal("0.00")
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running
    assert _balance(company) == running == Decimal("500.00") - 4 * Decimal("33.33") + Decimal("0.01")

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import services
from billing.errors import BillingErrorCode, VoucherCodeRequired, VoucherInvalid
from billing.models import Voucher, VoucherRedemption
from tests.accounts.factories import CompanyFactory
from tests.billing.factories import VoucherFactory

pytestmark = pytest.mark.django_db


def _refusal(company, code, **kwargs) -> str:
    with pytest.raises(VoucherInvalid) as caught:
        services.voucher_check(company=company, code=code, **kwargs)
    assert caught.value.code == BillingErrorCode.VOUCHER_INVALID
    return caught.value.reason


def _pay(company, reference, voucher, amount="10.00"):
    services.balance_top_up(company=company, amount=amount)
    return services.payment_take(company=company, reference=reference, amount=amount, voucher=voucher)


@pytest.mark.parametrize("typed", ["SAVE20", "save20", "  Save20 "])
def test_codes_are_case_insensitive(company, typed):
    voucher = VoucherFactory(code="save20")
    assert voucher.code == "SAVE20"
    assert services.voucher_check(company=company, code=typed) == voucher


def test_the_same_code_in_another_case_cannot_be_stored_twice():
    VoucherFactory(code="SAVE20")
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.bulk_create([Voucher(code="save20", kind="percent", amount=Decimal("5"))])


@pytest.mark.parametrize("code", ["", "   ", None])
def test_a_blank_code_is_the_missing_code_error(company, code):
    with pytest.raises(VoucherCodeRequired) as caught:
        services.voucher_check(company=company, code=code)
    assert caught.value.code == BillingErrorCode.VOUCHER_CODE_REQUIRED


def test_unknown_code(company):
    assert _refusal(company, "NOPE") == VoucherInvalid.UNKNOWN


def test_inactive(company):
    VoucherFactory(code="OFF", is_active=False)
    assert _refusal(company, "OFF") == VoucherInvalid.INACTIVE


def test_not_started_yet_and_started(company):
    now = timezone.now()
    VoucherFactory(code="SOON", valid_from=now + timedelta(hours=1))
    assert _refusal(company, "SOON", at=now) == VoucherInvalid.NOT_STARTED
    assert services.voucher_check(company=company, code="SOON", at=now + timedelta(hours=1)).code == "SOON"


def test_expired_at_the_end_of_its_window(company):
    now = timezone.now()
    VoucherFactory(code="OLD", valid_from=now - timedelta(days=10), valid_until=now)
    assert _refusal(company, "OLD", at=now) == VoucherInvalid.EXPIRED
    assert services.voucher_check(company=company, code="OLD", at=now - timedelta(seconds=1)).code == "OLD"


def test_restricted_to_other_companies(company, other_company):
    VoucherFactory(code="VIP", companies=[other_company])
    assert _refusal(company, "VIP") == VoucherInvalid.NOT_FOR_COMPANY
    assert services.voucher_check(company=other_company, code="VIP").code == "VIP"


def test_used_up_overall_counts_only_paid_campaigns(company, other_company):
    voucher = VoucherFactory(code="ONCE", max_redemptions=1)
    # checking (applying) does not use it up, however often
    for _ in range(3):
        services.voucher_check(company=company, code="ONCE")
    _pay(other_company, "campaign-1", voucher)
    assert _refusal(company, "ONCE") == VoucherInvalid.EXHAUSTED


def test_used_up_by_this_company(company, other_company):
    voucher = VoucherFactory(code="TWICE", max_redemptions_per_company=2)
    _pay(company, "campaign-1", voucher)
    services.voucher_check(company=company, code="TWICE")
    _pay(company, "campaign-2", voucher)
    assert _refusal(company, "TWICE") == VoucherInvalid.COMPANY_LIMIT
    assert services.voucher_check(company=other_company, code="TWICE") == voucher


def test_a_payment_with_a_voucher_used_up_meanwhile_is_refused_and_writes_nothing(company, other_company):
    # given: both companies checked the voucher while it was still free
    voucher = VoucherFactory(code="LAST", max_redemptions=1)
    services.voucher_check(company=company, code="LAST")
    services.voucher_check(company=other_company, code="LAST")
    _pay(other_company, "campaign-a", voucher)
    services.balance_top_up(company=company, amount="10.00")

    # when
    with pytest.raises(VoucherInvalid) as caught:
        services.payment_take(company=company, reference="campaign-b", amount="8.00", voucher=voucher)

    # then: no debit, no redemption
    assert caught.value.reason == VoucherInvalid.EXHAUSTED
    company.balance.refresh_from_db()
    assert company.balance.amount == Decimal("10.00")
    assert VoucherRedemption.objects.for_company(company).count() == 0


def test_the_redemption_is_written_with_the_payment(company):
    voucher = VoucherFactory(code="SAVE20")
    services.balance_top_up(company=company, amount="100.00")

    services.payment_take(
        company=company, reference="c-1", amount="79.20", voucher=voucher, discount=Decimal("16.50")
    )

    redemption = VoucherRedemption.objects.for_company(company).get()
    assert (redemption.voucher, redemption.reference, redemption.discount) == (
        voucher,
        "c-1",
        Decimal("16.50"),
    )


def test_redeeming_the_same_reference_again_returns_the_first(company):
    voucher = VoucherFactory(code="SAVE20", max_redemptions=5)
    first = services.voucher_redeem(company=company, voucher=voucher, reference="c-1")
    assert services.voucher_redeem(company=company, voucher=voucher, reference="c-1") == first
    assert VoucherRedemption.unscoped.count() == 1


def test_voucher_ensure_makes_the_voucher_once_and_keeps_staff_changes():
    first = services.voucher_ensure(code="save20", kind="percent", amount="20.00")
    first.is_active = False
    first.save()

    again = services.voucher_ensure(code="SAVE20", kind="percent", amount="20.00")

    assert again.pk == first.pk and again.is_active is False
    assert Voucher.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "percent", "amount": Decimal("100.01")},
        {"kind": "fixed", "amount": Decimal("0")},
        {"kind": "percent", "amount": Decimal("-5")},
    ],
)
def test_the_database_refuses_impossible_amounts(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(code="BAD", **fields)


def test_the_database_refuses_a_window_that_ends_before_it_starts():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        VoucherFactory(valid_from=now, valid_until=now - timedelta(days=1))


def test_redemptions_of_other_companies_do_not_count_per_company():
    first, second = CompanyFactory(), CompanyFactory()
    voucher = VoucherFactory(code="PERCO", max_redemptions_per_company=1)
    _pay(first, "c-1", voucher)
    assert services.voucher_check(company=second, code="perco") == voucher

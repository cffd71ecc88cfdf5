"""Billing back office: voucher deletes through the service, records that are never deleted say
why, constraint refusals read as sentences, the top-up message names the new balance, and an
order links to its campaign."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Company
from billing import services
from billing.models import Balance, LedgerEntry, Order, Voucher
from campaigns import services as campaign_services
from tests.admin_support import delete_in_admin, messages_of
from tests.billing.factories import VoucherFactory
from tests.billing.test_admin import INLINE
from tests.campaigns.conftest import make_approved

pytestmark = pytest.mark.django_db

VOUCHERS = "/admin/billing/voucher/"
IN_USE = "This voucher has been used (redeemed, ordered or applied to a campaign): deactivate it instead."


def _voucher_form(**values) -> dict:
    return {"code": "TEN", "kind": "percent", "amount": "10", "is_active": "on", **INLINE, **values}


def test_an_unused_voucher_is_deleted(admin_client):
    voucher = VoucherFactory()

    response = admin_client.post(f"{VOUCHERS}{voucher.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and not Voucher.objects.filter(pk=voucher.pk).exists()


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_voucher_applied_to_a_campaign_is_refused_with_the_reason(admin_client, company, how):
    voucher = VoucherFactory(code="APPLIED")
    campaign = make_approved(company)
    campaign_services.campaign_voucher_apply(company=company, campaign_id=campaign.pk, code="APPLIED")

    response = delete_in_admin(admin_client, VOUCHERS, [voucher.pk], how=how)

    assert messages_of(response) == [f"APPLIED: {IN_USE}"]
    assert Voucher.objects.filter(pk=voucher.pk).exists()


def test_a_redeemed_voucher_offers_no_delete_and_says_why(admin_client, company):
    voucher = VoucherFactory(code="USED")
    services.voucher_redeem(company=company, voucher=voucher, reference="c-1")

    page = admin_client.get(f"{VOUCHERS}{voucher.pk}/change/")

    assert "deletelink" not in page.text and f"This voucher cannot be deleted: {IN_USE}" in page.text


def test_the_ledger_says_why_it_is_never_deleted(admin_client, company):
    services.balance_top_up(company=company, amount="10.00")
    entry = LedgerEntry.objects.for_company(company).get()

    page = admin_client.get(reverse("admin:billing_ledgerentry_change", args=[entry.pk]))

    assert "deletelink" not in page.text
    assert "This ledger entry cannot be deleted: The ledger is append-only" in page.text


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        ({"amount": "150"}, "A percent voucher takes at most 100 percent off."),
        (
            {"valid_from_0": "2026-05-01", "valid_from_1": "00:00", "valid_until_0": "2026-04-01", "valid_until_1": "00:00"},
            "“Valid until” must be later than “Valid from”.",
        ),
    ],
)  # fmt: skip
def test_a_constraint_refusal_reads_as_a_sentence(admin_client, values, sentence):
    response = admin_client.post(reverse("admin:billing_voucher_add"), _voucher_form(**values))

    assert response.status_code == 200
    assert sentence in response.text and "is violated" not in response.text
    assert not Voucher.objects.exists()


def test_a_code_taken_in_another_case_reads_as_a_sentence(admin_client):
    VoucherFactory(code="TEN")

    response = admin_client.post(reverse("admin:billing_voucher_add"), _voucher_form(code="ten"))

    assert "A voucher with this code already exists (codes ignore case)." in response.text


def test_the_top_up_message_names_the_new_balance(admin_client, company):
    services.balance_top_up(company=company, amount="100.00")

    response = admin_client.post(
        reverse("admin:billing_balance_change", args=[company.pk]),
        {"operation": "top_up", "change_amount": "250.00", "reason": "BACS"},
    )

    [message] = messages_of(response)
    assert "350.00 GBP" in message and "100.00 GBP" not in message


def test_an_order_links_to_its_campaign(admin_client, company):
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    company.refresh_from_db()
    campaign = make_approved(company)
    campaign_services.campaign_schedule(
        company=company, campaign_id=campaign.pk, next_available=True, use_balance=False
    )
    order = Order.unscoped.get()
    link = f'href="/admin/campaigns/campaign/{campaign.pk}/change/"'

    listing = admin_client.get("/admin/billing/order/")
    detail = admin_client.get(reverse("admin:billing_order_change", args=[order.pk]))

    assert link in listing.text
    assert f"{link}>{campaign.name}</a>" in detail.text


def test_a_refused_top_up_changes_nothing_and_keeps_the_form(admin_client, company):
    response = admin_client.post(
        reverse("admin:billing_balance_change", args=[company.pk]),
        {"operation": "top_up", "change_amount": "-5.00", "reason": "", "locked": "on"},
    )

    assert response.status_code == 200
    assert "A top-up must be a positive amount." in response.text and 'value="-5.00"' in response.text
    balance = Balance.objects.get(company=company)
    assert (balance.amount, balance.is_locked) == (Decimal("0.00"), False)  # the lock was rolled back too

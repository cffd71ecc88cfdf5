from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Company
from billing import services
from billing.models import Balance, BlockedDate, LedgerEntry, Order, Voucher
from billing.pricing import cost_breakdown

pytestmark = pytest.mark.django_db


def _balance_url(company) -> str:
    return reverse("admin:billing_balance_change", args=[company.pk])


def _post_balance(admin_client, company, **data):
    payload = {"operation": "", "change_amount": "", "reason": "", **data}
    if "locked" in payload and not payload["locked"]:
        payload.pop("locked")
    return admin_client.post(_balance_url(company), payload)


def test_staff_top_up_in_the_admin(admin_client, company, staff_user):
    response = _post_balance(
        admin_client, company, operation="top_up", change_amount="250.00", reason="BACS 42"
    )

    assert response.status_code == 302
    entry = LedgerEntry.objects.for_company(company).get()
    assert (entry.kind, entry.amount, entry.created_by, entry.reason) == (
        LedgerEntry.Kind.TOP_UP,
        Decimal("250.00"),
        staff_user,
        "BACS 42",
    )
    assert Balance.objects.get(company=company).amount == Decimal("250.00")


def test_staff_adjust_with_a_reason(admin_client, company):
    services.balance_top_up(company=company, amount="100.00")

    # The billing services' refusals, shown on the form (nothing saved):
    refused = _post_balance(admin_client, company, operation="adjust", change_amount="-10.00", reason="")
    assert refused.status_code == 200 and "Give a reason for the change." in refused.content.decode()
    too_much = _post_balance(admin_client, company, operation="adjust", change_amount="-100.01", reason="x")
    assert too_much.status_code == 200 and "Insufficient balance." in too_much.content.decode()
    assert Balance.objects.get(company=company).amount == Decimal("100.00")

    done = _post_balance(
        admin_client, company, operation="adjust", change_amount="-10.00", reason="Goodwill undo"
    )

    assert done.status_code == 302
    assert Balance.objects.get(company=company).amount == Decimal("90.00")
    assert LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.ADJUSTMENT).count() == 1


def test_staff_lock_and_unlock_in_the_admin(admin_client, company):
    assert _post_balance(admin_client, company, locked="on").status_code == 302
    assert Balance.objects.get(company=company).is_locked is True

    assert _post_balance(admin_client, company, locked=False).status_code == 302
    assert Balance.objects.get(company=company).is_locked is False

    admin_client.post(
        reverse("admin:billing_balance_changelist"),
        {"action": "lock_balances", "_selected_action": [str(company.pk)]},
    )
    assert Balance.objects.get(company=company).is_locked is True


def test_the_balance_page_shows_the_ledger(admin_client, company):
    services.balance_top_up(company=company, amount="12.34", reason="Cheque 7")

    page = admin_client.get(_balance_url(company)).content.decode()

    assert "Cheque 7" in page and "12.34" in page
    ledger = admin_client.get(
        reverse("admin:billing_ledgerentry_changelist"), {"company__id__exact": str(company.pk)}
    )
    assert ledger.status_code == 200 and "Cheque 7" in ledger.content.decode()


def test_the_ledger_cannot_be_edited_in_the_admin(admin_client, company):
    entry = services.balance_top_up(company=company, amount="1.00")
    assert admin_client.get(reverse("admin:billing_ledgerentry_add")).status_code == 403
    delete = admin_client.post(reverse("admin:billing_ledgerentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert LedgerEntry.objects.for_company(company).count() == 1


INLINE = {
    "redemptions-TOTAL_FORMS": "0",
    "redemptions-INITIAL_FORMS": "0",
    "redemptions-MIN_NUM_FORMS": "0",
    "redemptions-MAX_NUM_FORMS": "1000",
}


def test_staff_create_a_voucher_in_any_case(admin_client, company):
    response = admin_client.post(
        reverse("admin:billing_voucher_add"),
        {
            "code": " spring10 ",
            "kind": "percent",
            "amount": "10",
            "is_active": "on",
            "companies": [str(company.pk)],
            **INLINE,
        },
    )
    assert response.status_code == 302
    voucher = Voucher.objects.get()
    assert voucher.code == "SPRING10" and list(voucher.companies.all()) == [company]

    again = admin_client.post(
        reverse("admin:billing_voucher_add"),
        {"code": "Spring10", "kind": "fixed", "amount": "5", "is_active": "on", **INLINE},
    )
    assert again.status_code == 200 and Voucher.objects.count() == 1


def test_staff_block_a_date(admin_client, staff_user):
    response = admin_client.post(
        reverse("admin:billing_blockeddate_add"), {"date": "2026-04-15", "reason": "Move"}
    )
    assert response.status_code == 302
    blocked = BlockedDate.objects.get()
    assert (blocked.date, blocked.created_by) == (date(2026, 4, 15), staff_user)


def _pending_order(company) -> Order:
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    company.refresh_from_db()
    return services.order_create(
        company=company, reference="c-1", cost=cost_breakdown(unit_price=Decimal("0.55"), recipients=150)
    )


def test_staff_reject_an_order_with_a_reason(admin_client, company):
    order = _pending_order(company)
    url = reverse("admin:billing_order_change", args=[order.pk])

    refused = admin_client.post(url, {"decision": "reject", "decision_reason": ""})
    assert refused.status_code == 200 and "Give a reason for the change." in refused.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING

    assert admin_client.post(url, {"decision": "reject", "decision_reason": "No PO"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.reason) == (Order.Status.REJECTED, "No PO")


def test_staff_approve_orders_from_the_list(admin_client, company):
    order = _pending_order(company)
    admin_client.post(
        reverse("admin:billing_order_changelist"),
        {"action": "approve_orders", "_selected_action": [order.pk]},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.APPROVED


def test_staff_switch_provisional_booking_on_for_a_company(admin_client, company):
    page = admin_client.get(reverse("admin:accounts_company_change", args=[company.pk]))
    assert "provisional_booking_allowed" in page.content.decode()
    assert "Open the balance" in page.content.decode()

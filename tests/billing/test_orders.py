from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accounts.errors import NotStaff
from billing import selectors, services
from billing.errors import (
    AlreadyPaid,
    BillingErrorCode,
    OrderAlreadyPending,
    OrderNotPending,
    ProvisionalBookingNotAllowed,
    ReasonRequired,
)
from billing.models import Order, OrderSequence
from billing.pricing import cost_breakdown
from tests.accounts.factories import CompanyFactory, UserFactory
from tests.billing.factories import VoucherFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def booking_company(db):
    company = CompanyFactory(name="Invoice Me Ltd")
    company.provisional_booking_allowed = True
    company.save()
    return company


def _cost(voucher=None):
    return cost_breakdown(unit_price=Decimal("0.55"), recipients=150, voucher=voucher)


def _order(company, reference, **kwargs) -> Order:
    return services.order_create(company=company, reference=reference, cost=_cost(), **kwargs)


def test_only_a_company_with_the_permission_books_provisionally(company):
    assert company.provisional_booking_allowed is False
    with pytest.raises(ProvisionalBookingNotAllowed) as caught:
        _order(company, "c-1")
    assert caught.value.code == BillingErrorCode.PROVISIONAL_BOOKING_NOT_ALLOWED
    assert not Order.objects.for_company(company).exists()


def test_an_order_keeps_the_cost_breakdown(booking_company):
    voucher = VoucherFactory(code="SAVE20")
    order = services.order_create(
        company=booking_company,
        reference="c-1",
        cost=_cost(voucher),
        voucher=voucher,
        send_date=date(2026, 4, 15),
    )

    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    assert (order.quantity, order.unit_price, order.subtotal, order.discount, order.vat, order.total) == (
        150,
        Decimal("0.55"),
        Decimal("82.50"),
        Decimal("16.50"),
        Decimal("13.20"),
        Decimal("79.20"),
    )
    assert (order.voucher, order.send_date, order.currency) == (voucher, date(2026, 4, 15), "GBP")


def test_numbers_follow_each_other_per_day_and_start_again_each_day(booking_company, other_company):
    other_company.provisional_booking_allowed = True
    other_company.save()
    with time_machine.travel(datetime(2026, 4, 15, 9, 0, tzinfo=LONDON), tick=False):
        numbers = [_order(booking_company, f"c-{n}").number for n in range(3)]
        numbers.append(_order(other_company, "c-x").number)
    # 23:30 UTC on the 15th is already the 16th in London (summer time)
    with time_machine.travel(datetime(2026, 4, 15, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        numbers.append(_order(booking_company, "c-next-day").number)

    assert numbers == [
        "ORD-20260415-001",
        "ORD-20260415-002",
        "ORD-20260415-003",
        "ORD-20260415-004",
        "ORD-20260416-001",
    ]
    assert OrderSequence.objects.get(day=date(2026, 4, 15)).last == 4


def test_the_thousandth_order_of_a_day_still_gets_a_unique_number(booking_company):
    OrderSequence.objects.create(day=date(2026, 4, 15), last=999)
    with time_machine.travel(datetime(2026, 4, 15, 9, 0, tzinfo=LONDON), tick=False):
        assert _order(booking_company, "c-1").number == "ORD-20260415-1000"


def test_one_pending_order_per_campaign(booking_company, staff_user):
    first = _order(booking_company, "c-1")
    with pytest.raises(OrderAlreadyPending):
        _order(booking_company, "c-1")

    services.order_reject(order=first, by=staff_user, reason="Credit check failed")

    assert _order(booking_company, "c-1").status == Order.Status.PENDING


def test_a_paid_campaign_cannot_be_booked(booking_company):
    services.balance_top_up(company=booking_company, amount="100.00")
    services.payment_take(company=booking_company, reference="c-1", amount="79.20")
    with pytest.raises(AlreadyPaid):
        _order(booking_company, "c-1")


def test_the_invoice_is_emailed_once_the_order_commits(booking_company, django_capture_on_commit_callbacks):
    UserFactory(company=booking_company, email="accounts@invoice-me.example")
    UserFactory(company=booking_company, email="gone@invoice-me.example", is_active=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = _order(booking_company, "c-1", send_date=date(2026, 4, 15))
        assert mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Postroom invoice {order.number}"
    assert message.to == ["accounts@invoice-me.example"]
    assert "Total due: 99.00 GBP" in message.body
    assert "VAT at 20%: 16.50 GBP" in message.body
    assert "Send date: 2026-04-15" in message.body
    order.refresh_from_db()
    assert order.invoice_sent_at is not None


def test_the_invoice_is_not_sent_twice(booking_company, django_capture_on_commit_callbacks):
    UserFactory(company=booking_company, email="accounts@invoice-me.example")
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(booking_company, "c-1")

    assert services.invoice_email_send(order=order) == 0
    assert len(mail.outbox) == 1


def test_staff_approve_a_pending_order(booking_company, staff_user):
    order = _order(booking_company, "c-1")

    approved = services.order_approve(order=order, by=staff_user)

    assert (approved.status, approved.decided_by) == (Order.Status.APPROVED, staff_user)
    assert approved.decided_at is not None
    with pytest.raises(OrderNotPending):
        services.order_reject(order=order, by=staff_user, reason="Too late")


def test_a_rejection_needs_staff_and_a_reason(booking_company, staff_user):
    order = _order(booking_company, "c-1")
    with pytest.raises(ReasonRequired):
        services.order_reject(order=order, by=staff_user, reason=" ")
    with pytest.raises(NotStaff):
        services.order_approve(order=order, by=UserFactory(company=booking_company))

    rejected = services.order_reject(order=order, by=staff_user, reason="Invoice unpaid")

    assert (rejected.status, rejected.reason) == (Order.Status.REJECTED, "Invoice unpaid")


def test_selectors_find_the_payment_and_the_latest_order_of_a_campaign(
    booking_company, other_company, staff_user
):
    first = _order(booking_company, "c-1")
    services.order_reject(order=first, by=staff_user, reason="No")
    second = _order(booking_company, "c-1")
    services.balance_top_up(company=booking_company, amount="10.00")
    services.payment_take(company=booking_company, reference="c-2", amount="1.00")

    assert selectors.order_for_reference(company=booking_company, reference="c-1") == second
    assert selectors.order_for_reference(company=other_company, reference="c-1") is None
    assert selectors.payment_for_reference(company=booking_company, reference="c-2").amount == Decimal("1.00")
    assert selectors.payment_for_reference(company=other_company, reference="c-2") is None

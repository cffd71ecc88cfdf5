"""Staff decisions on provisional bookings (from the admin) and the dispatch beat task: due
campaigns printed and dispatched once, unpaid ones held, the whole story in statusDetails."""

from datetime import date, datetime

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.models import Company
from billing import services as billing
from billing.models import Order
from campaigns import services, tasks
from campaigns.models import Campaign, PrintRun, Status
from tests.billing.factories import VoucherFactory
from tests.campaigns.conftest import LONDON, make_approved
from tests.platform_api import assert_envelope, bearer, login

pytestmark = [pytest.mark.django_db]

STATUS = "/api/v1/campaigns/statusDetails"
TUESDAY_EARLY = datetime(2026, 4, 14, 0, 30, tzinfo=LONDON)
WEDNESDAY_EARLY = datetime(2026, 4, 15, 0, 30, tzinfo=LONDON)


@pytest.fixture
def booking(company, monday_morning, django_capture_on_commit_callbacks):
    """An approved campaign booked by invoice for Tuesday 2026-04-14: awaiting payment."""
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    company.refresh_from_db()
    campaign = make_approved(company)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.campaign_schedule(
            company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14), use_balance=False
        )
    return Campaign.unscoped.get(pk=result.campaign.pk)


def _history(campaign) -> list[tuple[str, str]]:
    return list(campaign.status_changes.order_by("changed_at", "id").values_list("status", "note"))


def _status(campaign) -> str:
    return Campaign.unscoped.get(pk=campaign.pk).status


def test_dispatch_beat_is_in_the_single_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due-campaigns"]
    assert entry["task"] == "campaigns.tasks.dispatch_due_campaigns"
    assert tasks.dispatch_due_campaigns.name == entry["task"]


# ---- staff decisions ------------------------------------------------------------------------------


def test_staff_approve_a_booking_in_the_admin_schedules_the_campaign(admin_client, booking):
    order = Order.unscoped.get()
    VoucherFactory(code="UNUSED")  # a voucher on no order is untouched

    response = admin_client.post(
        reverse("admin:billing_order_change", args=[order.pk]), {"decision": "approve"}
    )

    assert response.status_code == 302
    assert Order.unscoped.get().status == Order.Status.APPROVED
    campaign = Campaign.unscoped.get(pk=booking.pk)
    assert (campaign.status, campaign.dispatch_date) == (Status.SCHEDULED, date(2026, 4, 14))
    assert _history(campaign)[-1] == (
        Status.SCHEDULED,
        f"Order {order.number} paid (approved by staff); send date 2026-04-14.",
    )


def test_staff_reject_a_booking_in_the_admin_returns_the_campaign_to_approved(admin_client, booking):
    order = Order.unscoped.get()
    url = reverse("admin:billing_order_change", args=[order.pk])

    assert admin_client.post(url, {"decision": "reject", "decision_reason": "No PO"}).status_code == 302

    campaign = Campaign.unscoped.get(pk=booking.pk)
    assert (campaign.status, campaign.dispatch_date) == (Status.APPROVED, None)
    assert _history(campaign)[-1] == (Status.APPROVED, f"Order {order.number} rejected: No PO")


def test_approve_from_the_order_list_action_moves_the_campaign(admin_client, booking):
    order = Order.unscoped.get()
    admin_client.post(
        reverse("admin:billing_order_changelist"),
        {"action": "approve_orders", "_selected_action": [order.pk]},
    )
    assert _status(booking) == Status.SCHEDULED


def test_a_refused_decision_moves_nothing(admin_client, booking, staff_user):
    order = Order.unscoped.get()
    services.campaign_order_reject(order=order, by=staff_user, reason="No PO")

    admin_client.post(
        reverse("admin:billing_order_changelist"),
        {"action": "approve_orders", "_selected_action": [order.pk]},
    )

    assert Order.unscoped.get().status == Order.Status.REJECTED
    assert _status(booking) == Status.APPROVED


# ---- dispatch -------------------------------------------------------------------------------------


def test_dispatch_prints_once_and_records_the_estimated_delivery(
    company, monday_morning, print_stage, api_client, api_key
):
    billing.balance_top_up(company=company, amount="500.00")
    due = make_approved(company)
    later = make_approved(company)
    services.campaign_schedule(company=company, campaign_id=due.pk, send_date=date(2026, 4, 14))
    services.campaign_schedule(company=company, campaign_id=later.pk, send_date=date(2026, 4, 15))

    monday_morning.move_to(TUESDAY_EARLY)
    assert tasks.dispatch_due_campaigns.delay().get() == {"held": 0, "printing": 1}
    assert tasks.dispatch_due_campaigns.delay().get() == {"held": 0, "printing": 0}  # twice: once

    assert print_stage.calls == [str(due.pk)]
    assert (_status(due), _status(later)) == (Status.DISPATCHED, Status.SCHEDULED)
    assert [s for s, _ in _history(due)][-3:] == [Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED]
    assert _history(due)[-1][1].startswith("Dispatched 2026-04-14; estimated delivery 2026-04-16")

    client = bearer(api_client, login(api_client, api_key)["token"])  # logged in on the day
    body = assert_envelope(client.post(f"{STATUS}?campaignId={due.pk}"), 200, "Successful!")
    assert body["data"]["currentStatus"] == "Dispatched"
    assert [h["status"] for h in body["data"]["statusHistories"]] == [
        "Draft", "Preview", "Approved", "Scheduled", "Printing", "Dispatched",
    ]  # fmt: skip
    notes = [h["note"] for h in body["data"]["statusHistories"]]
    assert notes[3] == "Paid 99.00 GBP from the balance; send date 2026-04-14."
    assert "estimated delivery 2026-04-16" in notes[5]


def test_a_campaign_left_printing_is_finished_by_the_next_beat(company, monday_morning, print_stage):
    billing.balance_top_up(company=company, amount="500.00")
    campaign = make_approved(company)
    services.campaign_schedule(company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14))
    monday_morning.move_to(TUESDAY_EARLY)
    print_stage.error = OSError("storage unavailable")
    with pytest.raises(OSError):
        tasks.dispatch_due_campaigns.delay().get()
    assert _status(campaign) == Status.PRINTING  # the move to Printing is kept; printing is not

    print_stage.error = None
    tasks.dispatch_due_campaigns.delay().get()

    assert _status(campaign) == Status.DISPATCHED
    assert print_stage.calls == [str(campaign.pk)]


def test_an_unpaid_booking_is_held_on_its_send_date_and_never_printed(booking, monday_morning, print_stage):
    monday_morning.move_to(TUESDAY_EARLY)

    assert tasks.dispatch_due_campaigns.delay().get() == {"held": 1, "printing": 0}
    assert tasks.dispatch_due_campaigns.delay().get() == {"held": 0, "printing": 0}

    assert print_stage.calls == []
    assert _status(booking) == Status.AWAITING_PAYMENT
    order = Order.unscoped.get()
    assert _history(booking)[-1] == (
        Status.AWAITING_PAYMENT,
        f"Held: the send date 2026-04-14 came while still awaiting payment of order {order.number}; not printed.",
    )


def test_a_held_booking_paid_later_gets_the_next_dispatch_day(
    booking, monday_morning, print_stage, staff_user
):
    monday_morning.move_to(TUESDAY_EARLY)
    tasks.dispatch_due_campaigns.delay().get()

    monday_morning.move_to(WEDNESDAY_EARLY)
    services.campaign_order_approve(order=Order.unscoped.get(), by=staff_user)

    campaign = Campaign.unscoped.get(pk=booking.pk)
    assert (campaign.status, campaign.dispatch_date, campaign.held_at) == (
        Status.SCHEDULED,
        date(2026, 4, 15),
        None,
    )
    assert "the send date had passed, now 2026-04-15" in _history(campaign)[-1][1]
    tasks.dispatch_due_campaigns.delay().get()
    assert _status(campaign) == Status.DISPATCHED
    assert print_stage.calls == [str(campaign.pk)]


def test_dispatch_with_the_real_print_stage(company, monday_morning):
    billing.balance_top_up(company=company, amount="500.00")
    campaign = make_approved(company, recipients=2)  # the snapshot's real size
    services.campaign_schedule(company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14))
    monday_morning.move_to(TUESDAY_EARLY)

    tasks.dispatch_due_campaigns.delay().get()
    tasks.dispatch_due_campaigns.delay().get()

    run = PrintRun.unscoped.get(campaign=campaign)
    assert (run.status, run.attempt, run.letters) == (PrintRun.Status.DONE, 1, 2)
    assert all(default_storage.exists(f["key"]) for f in run.files)
    assert _status(campaign) == Status.DISPATCHED
    assert "(2 letters, print run attempt 1)" in _history(campaign)[-1][1]

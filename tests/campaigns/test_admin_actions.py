"""The campaign back office writes through the campaigns services: deletes (single and bulk) obey
the read-only rule, and the staff actions (cancel, re-render the preview, write the print files,
dispatch what is due) work where the status machine allows them and say why where it refuses."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from accounts.models import Company
from billing import services as billing
from billing.models import Balance, LedgerEntry, Order, Payment
from campaigns import services
from campaigns.models import Campaign, PrintRun, Status
from tests.admin_support import delete_in_admin, messages_of
from tests.campaigns.conftest import LONDON, make_approved
from tests.campaigns.factories import CampaignFactory
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/admin/campaigns/campaign/"
READ_ONLY = "Campaign is currently in a read-only state."
INVALID_MOVE = "Cannot promote status: the requested status is not valid for this campaign."
NOT_PRINTABLE = "Print files can only be written for an approved print campaign."
TUESDAY_EARLY = datetime(2026, 4, 14, 0, 30, tzinfo=LONDON)


def _act(admin_client, action: str, *campaigns):
    return admin_client.post(CAMPAIGNS, {"action": action, "_selected_action": [c.pk for c in campaigns]})


def _status(campaign) -> str:
    return Campaign.unscoped.get(pk=campaign.pk).status


def _draft(company, name="Draft one"):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group)
    return CampaignFactory(company=company, group=group, name=name)


@pytest.fixture
def scheduled(company, monday_morning):
    """A campaign paid from the balance (99.00) for Tuesday 2026-04-14: Scheduled."""
    billing.balance_top_up(company=company, amount="500.00")
    campaign = make_approved(company, recipients=2)
    Campaign.unscoped.filter(pk=campaign.pk).update(recipient_count=150)
    services.campaign_schedule(company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14))
    return Campaign.unscoped.get(pk=campaign.pk)


# ---- deletes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["single", "bulk"])
def test_a_writable_campaign_is_deleted_through_the_service(admin_client, company, how):
    campaign = _draft(company)

    response = delete_in_admin(admin_client, CAMPAIGNS, [campaign.pk], how=how)

    assert response.status_code == 302
    assert not Campaign.unscoped.filter(pk=campaign.pk).exists()


def test_a_scheduled_campaign_offers_no_delete_and_says_why(admin_client, scheduled):
    page = admin_client.get(f"{CAMPAIGNS}{scheduled.pk}/change/")

    assert "deletelink" not in page.text
    assert f"This campaign cannot be deleted: {READ_ONLY}" in page.text
    assert admin_client.post(f"{CAMPAIGNS}{scheduled.pk}/delete/", {"post": "yes"}).status_code == 403


def test_bulk_delete_refuses_a_scheduled_campaign_with_the_reason(admin_client, company, scheduled):
    draft = _draft(company)

    response = admin_client.post(
        CAMPAIGNS, {"action": "delete_selected", "_selected_action": [scheduled.pk, draft.pk], "post": "yes"}
    )

    assert sorted(messages_of(response)) == sorted([f"{scheduled.name}: {READ_ONLY}", "Deleted 1 campaign."])
    assert Campaign.unscoped.filter(pk=scheduled.pk).exists()
    assert not Campaign.unscoped.filter(pk=draft.pk).exists()


def test_the_status_is_not_editable(admin_client, company):
    campaign = _draft(company)

    page = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")

    assert 'name="status"' not in page.text and 'name="name"' in page.text


# ---- cancel ---------------------------------------------------------------------------------------


def test_cancelling_a_paid_campaign_refunds_it(admin_client, company, scheduled, staff_user):
    response = _act(admin_client, "cancel_campaigns", scheduled)

    assert messages_of(response) == [f"{scheduled.name}: cancelled."]
    assert _status(scheduled) == Status.CANCELLED
    assert Balance.objects.get(company=company).amount == Decimal("500.00")
    refund = LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.REFUND).get()
    assert (refund.amount, refund.created_by) == (Decimal("99.00"), staff_user)
    last = scheduled.status_changes.order_by("-changed_at", "-id").first()
    assert (last.status, last.note, last.changed_by) == (
        Status.CANCELLED,
        "Cancelled by staff; 99.00 GBP refunded to the balance.",
        staff_user,
    )
    page = admin_client.get(f"{CAMPAIGNS}{scheduled.pk}/change/")
    payment = Payment.objects.for_company(company).get()
    assert (
        f'href="/admin/billing/payment/{payment.pk}/change/">balance: 99.00, 99.00 refunded</a>' in page.text
    )


def test_cancelling_a_provisional_booking_rejects_its_order(admin_client, company, monday_morning):
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    company.refresh_from_db()
    campaign = make_approved(company)
    services.campaign_schedule(
        company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14), use_balance=False
    )

    _act(admin_client, "cancel_campaigns", campaign)

    order = Order.unscoped.get()
    assert (order.status, order.reason) == (Order.Status.REJECTED, "The campaign was cancelled.")
    assert _status(campaign) == Status.CANCELLED
    page = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")
    assert f'href="/admin/billing/order/{order.pk}/change/">order {order.number} (Rejected)</a>' in page.text


def test_cancel_is_refused_where_the_status_machine_refuses(admin_client, company, scheduled):
    draft = _draft(company)
    Campaign.unscoped.filter(pk=scheduled.pk).update(status=Status.DISPATCHED)

    response = _act(admin_client, "cancel_campaigns", scheduled, draft)

    assert sorted(messages_of(response)) == sorted(
        [f"{scheduled.name}: {INVALID_MOVE}", f"{draft.name}: cancelled."]
    )
    assert (_status(scheduled), _status(draft)) == (Status.DISPATCHED, Status.CANCELLED)
    assert not LedgerEntry.objects.for_company(company).filter(kind=LedgerEntry.Kind.REFUND).exists()


# ---- re-render the preview ------------------------------------------------------------------------


def test_rerender_the_preview(admin_client, company, django_capture_on_commit_callbacks):
    campaign = _draft(company)
    Campaign.unscoped.filter(pk=campaign.pk).update(preview_file="", preview_generated_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "render_previews", campaign)

    assert messages_of(response) == [f"{campaign.name}: preview queued for rendering."]
    rendered = Campaign.unscoped.get(pk=campaign.pk)
    assert rendered.preview_file and rendered.preview_generated_at is not None


def test_rerender_is_refused_once_read_only(admin_client, scheduled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _act(admin_client, "render_previews", scheduled)

    assert messages_of(response) == [f"{scheduled.name}: {READ_ONLY}"]
    assert queued == []


def test_rerender_is_refused_for_a_message_campaign(
    admin_client, company, django_capture_on_commit_callbacks
):
    campaign = _draft(company)
    Campaign.unscoped.filter(pk=campaign.pk).update(channel="sms", status="active")

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _act(admin_client, "render_previews", campaign)

    # Print services do not see message campaigns at all.
    assert messages_of(response) == [f"{campaign.name}: Campaign not found."]
    assert queued == []


# ---- write the print files ------------------------------------------------------------------------


def test_write_the_print_files_now(admin_client, company, django_capture_on_commit_callbacks):
    campaign = make_approved(company, recipients=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "write_print_files_now", campaign)

    assert messages_of(response) == [f"{campaign.name}: print files queued for writing."]
    run = PrintRun.unscoped.get(campaign=campaign)
    assert (run.status, run.letters) == (PrintRun.Status.DONE, 2)
    page = admin_client.get(f"{CAMPAIGNS}{campaign.pk}/change/")
    assert f"{CAMPAIGNS}{campaign.pk}/print/manifest.csv" in page.text


def test_print_files_are_refused_before_approval(admin_client, company, django_capture_on_commit_callbacks):
    draft = _draft(company)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _act(admin_client, "write_print_files_now", draft)

    assert messages_of(response) == [f"{draft.name}: {NOT_PRINTABLE}"]
    assert queued == [] and not PrintRun.unscoped.exists()


# ---- dispatch what is due -------------------------------------------------------------------------


def test_dispatch_due_now(
    admin_client, company, scheduled, monday_morning, django_capture_on_commit_callbacks
):
    later = make_approved(company, recipients=2)
    services.campaign_schedule(company=company, campaign_id=later.pk, send_date=date(2026, 4, 15))
    draft = _draft(company)
    monday_morning.move_to(TUESDAY_EARLY)

    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "dispatch_due_now", scheduled, later, draft)

    assert sorted(messages_of(response)) == sorted(
        [
            f"{scheduled.name}: printing; print and dispatch queued.",
            f"{later.name}: not due for dispatch (Scheduled, send date 2026-04-15).",
            f"{draft.name}: not due for dispatch (Preview, send date none).",
        ]
    )
    assert (_status(scheduled), _status(later), _status(draft)) == (
        Status.DISPATCHED,
        Status.SCHEDULED,
        Status.PREVIEW,
    )

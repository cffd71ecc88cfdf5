"""Print campaign events: `campaign.status_changed` (every move, through campaigns.status), the
preview's `preview.ready` / `preview.failed`, the order's `order.created` / `order.paid` /
`order.released`, and `print_files.written`. Each shows the campaign as GET /api/v1/campaigns/{id}
shows it (its other objects in the platform API's casing) and is absent when its change rolls back.
"""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Company
from billing import services as billing
from billing.models import Order
from campaigns import printing, services, tasks
from campaigns import status as machine
from campaigns.models import Campaign, Status
from campaigns.services.preview import campaign_render_preview
from tests.campaigns.conftest import LONDON, make_approved, monday_morning  # noqa: F401 (a fixture)
from tests.campaigns.factories import CampaignFactory
from tests.campaigns.test_create_api import MiB, flate_bomb_pdf
from tests.platform_api import assert_envelope, bearer, login
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory
from tests.webhooks.events_support import delivered_types, events_of, one_event, rolled_back
from tests.webhooks.factories import EndpointFactory

pytestmark = pytest.mark.django_db

SCHEDULE = "/api/v1/campaigns/schedule"
TUESDAY_EARLY = datetime(2026, 4, 14, 0, 30, tzinfo=LONDON)  # the dispatch beat's day


def details(client, campaign) -> dict:
    return assert_envelope(client.get(f"/api/v1/campaigns/{campaign.pk}"), 200)["data"]


def changes(company) -> list[tuple[str | None, str]]:
    return [
        (e.data["change"]["previousStatus"], e.data["change"]["status"])
        for e in events_of(company, "campaign.status_changed")
    ]


@pytest.fixture(autouse=True)
def _clock_first(monday_morning):  # noqa: F811 (before any login: tokens on the travelled clock)
    """Monday 2026-04-13, before the cut-off: Wednesday 2026-04-15 is a dispatch day."""


@pytest.fixture
def group(company):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group)
    return group


# ---- campaign.status_changed --------------------------------------------------------------------


def test_an_approval_through_the_api_records_the_move_and_the_campaign_as_shown(
    authed_client, company, group
):
    # given: a campaign made (Draft -> Preview)
    endpoint = EndpointFactory(company=company)
    campaign = CampaignFactory(company=company, group=group)

    # when
    response = authed_client.post(f"/api/v1/campaigns/approve?campaignId={campaign.pk}")

    # then
    assert_envelope(response, 200, "Campaign approved successfully.")
    assert changes(company) == [("Draft", "Preview"), ("Preview", "Approved")]
    event = events_of(company, "campaign.status_changed")[-1]
    assert event.data["campaign"] == details(authed_client, campaign)
    change = event.data["change"]
    assert change["note"] is None and change["date"].endswith("Z")
    assert event.workspace_id is None and event.company_id == company.pk
    assert delivered_types(endpoint) == ["campaign.status_changed"] * 2


def test_a_refused_move_records_nothing(company, group):
    campaign = CampaignFactory(company=company, group=group)
    before = events_of(company)

    with pytest.raises(machine.InvalidStatusTransition):
        machine.transition(campaign, Status.DISPATCHED)

    assert events_of(company) == before


def test_a_rolled_back_move_records_nothing(company, group):
    campaign = CampaignFactory(company=company, group=group)
    before = events_of(company)

    rolled_back(lambda: services.campaign_approve(company=company, campaign_id=campaign.pk))

    assert events_of(company) == before
    assert Campaign.objects.for_company(company).get(pk=campaign.pk).status == Status.PREVIEW


def test_a_move_costs_a_fixed_number_of_queries(company, group):
    # given: two endpoints (one delivery row each, one INSERT for both)
    EndpointFactory.create_batch(2, company=company)
    approved = make_approved(company)
    campaign = Campaign.unscoped.select_related("print_options").get(pk=approved.pk)

    # when
    with CaptureQueriesContext(connection) as queries:
        machine.transition(campaign, Status.SCHEDULED, note="paid")

    # then: the history row and the status (2), the event, the company's endpoints and their
    # deliveries (3); the shape reads nothing more (an approved campaign's count is frozen)
    assert len(queries) == 5, [q["sql"] for q in queries]
    assert events_of(company, "campaign.status_changed")[-1].data["change"]["note"] == "paid"


def test_a_move_costs_the_same_with_no_endpoint_but_the_deliveries(company):
    approved = make_approved(company)
    campaign = Campaign.unscoped.select_related("print_options").get(pk=approved.pk)

    with CaptureQueriesContext(connection) as queries:
        machine.transition(campaign, Status.SCHEDULED)

    assert len(queries) == 4, [q["sql"] for q in queries]


def test_the_dispatch_beat_records_printing_then_dispatched(
    company,
    monday_morning,  # noqa: F811 (the fixture)
    api_client,
    api_key,
):
    # given: a campaign paid from the balance and scheduled for Tuesday
    billing.balance_top_up(company=company, amount="500.00")
    campaign = make_approved(company, recipients=2)  # the snapshot's real size
    services.campaign_schedule(company=company, campaign_id=campaign.pk, send_date=date(2026, 4, 14))
    endpoint = EndpointFactory(company=company, events=["campaign.status_changed"])

    # when: the beat runs on the day (the real print stage writes the files)
    monday_morning.move_to(TUESDAY_EARLY)
    tasks.dispatch_due_campaigns.delay().get()

    # then: one event per move, each showing the campaign as it was then
    assert changes(company)[-2:] == [("Scheduled", "Printing"), ("Printing", "Dispatched")]
    printing_, dispatched = events_of(company, "campaign.status_changed")[-2:]
    assert printing_.data["campaign"]["status"] == "Printing"
    assert dispatched.data["change"]["note"].startswith("Dispatched 2026-04-14; estimated delivery")
    client = bearer(api_client, login(api_client, api_key)["token"])  # logged in on the day
    assert dispatched.data["campaign"] == details(client, campaign)
    assert delivered_types(endpoint) == ["campaign.status_changed"] * 2


def test_a_staff_cancel_in_the_admin_records_the_move(authed_client, admin_client, company, group):
    # given: a campaign just made (Draft -> Preview)
    campaign = CampaignFactory(company=company, group=group)

    # when
    response = admin_client.post(
        "/admin/campaigns/campaign/", {"action": "cancel_campaigns", "_selected_action": [campaign.pk]}
    )

    # then
    assert response.status_code == 302
    assert changes(company) == [("Draft", "Preview"), ("Preview", "Cancelled")]
    event = events_of(company, "campaign.status_changed")[-1]
    assert event.data["change"]["note"] == "Cancelled by staff."
    assert event.data["campaign"] == details(authed_client, campaign)


# ---- orders ---------------------------------------------------------------------------------------


def schedule_by_invoice(client, company, campaign):
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)
    response = client.post(
        f"{SCHEDULE}?campaignId={campaign.pk}&send_date=2026-04-15&use_balance=false", format="json"
    )
    return assert_envelope(response, 200, "Congratulations! Provisional booking was succesful.")["data"]


def test_a_provisional_booking_records_the_order_and_the_move(authed_client, company):
    # given
    approved = make_approved(company)

    # when
    booked = schedule_by_invoice(authed_client, company, approved)

    # then
    order = one_event(company, "order.created").data["order"]
    assert (order["orderId"], order["campaignId"], order["status"]) == (
        booked["orderId"],
        str(approved.pk),
        "PENDING",
    )
    assert (order["totalCost"], order["scheduledDate"], order["decidedDate"]) == (
        99.0,
        "2026-04-15T00:00:00",
        None,
    )
    assert changes(company)[-1] == ("Approved", "AwaitingPayment")
    assert events_of(company, "campaign.status_changed")[-1].data["campaign"] == details(
        authed_client, approved
    )


def test_staff_approving_the_order_records_it_paid(authed_client, company, staff_user):
    approved = make_approved(company)
    schedule_by_invoice(authed_client, company, approved)

    services.campaign_order_approve(order=Order.unscoped.get(), by=staff_user)

    order = one_event(company, "order.paid").data["order"]
    assert order["status"] == "APPROVED" and order["decidedDate"].endswith("Z")
    assert changes(company)[-1] == ("AwaitingPayment", "Scheduled")


@pytest.mark.parametrize("how", ["rejected", "cancelled"])
def test_a_rejected_order_or_cancelled_campaign_releases_the_order(authed_client, company, staff_user, how):
    approved = make_approved(company)
    schedule_by_invoice(authed_client, company, approved)

    if how == "rejected":
        services.campaign_order_reject(order=Order.unscoped.get(), by=staff_user, reason="No PO")
    else:
        services.campaign_cancel(company=company, campaign_id=approved.pk, by=staff_user)

    order = one_event(company, "order.released").data["order"]
    assert order["status"] == "REJECTED" and order["reason"] in ("No PO", "The campaign was cancelled.")
    assert changes(company)[-1] == ("AwaitingPayment", "Approved" if how == "rejected" else "Cancelled")
    assert events_of(company, "order.paid") == []


def test_a_refused_or_rolled_back_booking_records_nothing(authed_client, company):
    approved = make_approved(company)
    before = events_of(company)
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)

    refused = authed_client.post(
        f"{SCHEDULE}?campaignId={approved.pk}&send_date=2026-04-18&use_balance=false"
    )
    assert_envelope(refused, 400)  # a Saturday
    rolled_back(
        lambda: services.campaign_schedule(
            company=company, campaign_id=approved.pk, send_date=date(2026, 4, 15), use_balance=False
        )
    )

    assert events_of(company) == before and not Order.unscoped.exists()


# ---- preview and print files ------------------------------------------------------------------------


def test_a_rendered_preview_records_preview_ready(authed_client, company, group):
    campaign = CampaignFactory(company=company, group=group)  # its render waits for a commit

    campaign_render_preview(campaign_id=campaign.pk)

    event = one_event(company, "preview.ready")
    assert event.data["campaign"] == details(authed_client, campaign)
    assert event.data["campaign"]["previewReady"] is True
    assert event.data["preview"]["previewReady"] is True and event.data["preview"]["error"] is None


def test_a_refused_template_records_preview_failed(company, group, settings):
    template = PrintTemplateFactory(company=company, pdf=flate_bomb_pdf(8 * MiB))
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 4 * MiB
    campaign = CampaignFactory(company=company, group=group)
    campaign.print_options.template = template
    campaign.print_options.save(update_fields=["template"])

    campaign_render_preview(campaign_id=campaign.pk)

    preview = one_event(company, "preview.failed").data["preview"]
    assert preview["previewReady"] is False and preview["error"].startswith("pdf_stream_inflates_too_much")
    assert events_of(company, "preview.ready") == []


def test_a_preview_render_that_gives_up_records_preview_failed(authed_client, company, group):
    # given: the template's file is gone from storage, so every render attempt fails
    campaign = CampaignFactory(company=company, group=group)
    template = campaign.print_options.template
    template.pdf.storage.delete(template.pdf.name)

    # when: the task runs out of retries (an eager run gives up at once)
    with pytest.raises(FileNotFoundError):
        tasks.render_campaign_preview.apply(args=[str(campaign.pk)])

    # then: it is reported as the refused template's is, without the server's file paths
    event = one_event(company, "preview.failed")
    assert event.data["campaign"] == details(authed_client, campaign)
    preview = event.data["preview"]
    assert preview["previewReady"] is False
    assert preview["error"] == "The preview could not be rendered."
    assert Campaign.objects.for_company(company).get(pk=campaign.pk).preview_error == preview["error"]
    assert events_of(company, "preview.ready") == []


def test_a_rolled_back_preview_records_nothing(company, group):
    campaign = CampaignFactory(company=company, group=group)

    rolled_back(lambda: campaign_render_preview(campaign_id=campaign.pk))

    assert events_of(company, "preview.ready") == []


def test_written_print_files_record_the_run(company, group):
    # given
    endpoint = EndpointFactory(company=company, events=["print_files.written"])
    campaign = services.campaign_approve(
        company=company, campaign_id=CampaignFactory(company=company, group=group).pk
    )

    # when: written, then asked again (a finished run is returned as it is)
    run = printing.print_files_write(campaign_id=campaign.pk)
    printing.print_files_write(campaign_id=campaign.pk)

    # then
    data = one_event(company, "print_files.written").data["print_run"]
    assert data == {
        "campaignId": str(campaign.pk),
        "attempt": 1,
        "letters": 1,
        "pages": run.pages,
        "files": [{"name": f["name"], "letters": f["letters"], "pages": f["pages"]} for f in run.files],
        "manifest": "manifest.csv",
        "finished": run.finished_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert delivered_types(endpoint) == ["print_files.written"]  # not the moves before it

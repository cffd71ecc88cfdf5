"""Voucher, cost, availableDates and schedule of the platform API: every documented outcome with
its exact status and message, through HTTP."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import Company
from billing import services as billing
from billing.models import Balance, LedgerEntry, Order, Payment, VoucherRedemption
from campaigns import services
from campaigns.models import Campaign, Status
from tests.billing.factories import BlockedDateFactory, VoucherFactory
from tests.campaigns.conftest import make_approved
from tests.campaigns.factories import CampaignFactory
from tests.platform_api import assert_envelope
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory

# Every test here runs on Monday 2026-04-13, 09:00 in London (tests/campaigns/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday_morning")]

VOUCHER = "/api/v1/campaigns/voucher"
COST = "/api/v1/campaigns/cost"
DATES = "/api/v1/campaigns/availableDates"
SCHEDULE = "/api/v1/campaigns/schedule"
STATUS = "/api/v1/campaigns/statusDetails"


@pytest.fixture(autouse=True)
def _clock_first(monday_morning):
    """The clock travels before any login (tokens are issued on the travelled clock)."""


@pytest.fixture
def save20(db):
    return VoucherFactory(code="SAVE20", amount=Decimal("20.00"))


def post(client, path, **query):
    return client.post(path + "?" + "&".join(f"{k}={v}" for k, v in query.items()))


def top_up(company, amount="1000.00"):
    billing.balance_top_up(company=company, amount=amount)


def preview_campaign(company):
    group = RecipientGroupFactory(company=company)
    RecipientFactory(company=company, group=group)
    return CampaignFactory(company=company, group=group)  # Preview: has recipients, not approved


EXPECTED_COST = {
    "mailClass": "First",
    "stockweight": "100UNCOAT",
    "isAdmail": False,
    "isConfidential": False,
    "isDuplex": False,
    "isTabbed": False,
    "scheduledDate": "2026-04-14T00:00:00",
    "estimatedDeliveryDate": "2026-04-16T00:00:00",
    "voucherCode": "SAVE20",
    "totalRecipients": 150,
    "currencyCode": "GBP",
    "costPerRecipient": 0.55,
    "subtotal": 82.50,
    "discountAmount": 16.50,
    "vatAmount": 13.20,
    "totalCost": 79.20,
}


# ---- voucher ------------------------------------------------------------------------------------


def test_apply_and_remove_a_voucher_returns_the_spec_breakdown(authed_client, approved, save20):
    applied = post(
        authed_client, VOUCHER, campaignId=approved.pk, VoucherAction="apply", VoucherCode="save20"
    )
    data = assert_envelope(applied, 200, "Successful!", errors=None)["data"]
    assert {k: v for k, v in data.items() if k != "productCode"} == EXPECTED_COST
    assert data["productCode"] == approved.print_options.product.product_code
    assert not VoucherRedemption.unscoped.exists()  # redeemed only when paid

    removed = post(authed_client, VOUCHER, campaignId=approved.pk, VoucherAction="REMOVE")
    data = assert_envelope(removed, 200, "Successful!")["data"]
    assert (data["voucherCode"], data["subtotal"], data["discountAmount"], data["vatAmount"], data["totalCost"]) == (
        "", 82.50, 0.00, 16.50, 99.00,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "Voucher action must be declared."),
        ({"VoucherAction": ""}, "Voucher action must be declared."),
        ({"VoucherAction": "redeem"}, "Voucher action is invalid."),
        ({"VoucherAction": "apply"}, "Voucher code must be provide to apply the voucher."),
        (
            {"voucheraction": "apply", "vouchercode": "  "},
            "Voucher code must be provide to apply the voucher.",
        ),
    ],
)
def test_voucher_input_errors(authed_client, approved, query, message):
    assert_envelope(post(authed_client, VOUCHER, campaignId=approved.pk, **query), 400, message, errors=None)


def test_voucher_business_rules(authed_client, company, approved, save20):
    def apply(campaign, code="SAVE20"):
        return post(authed_client, VOUCHER, campaignId=campaign.pk, VoucherAction="apply", VoucherCode=code)

    assert_envelope(apply(approved, "NOPE"), 200, "Unsuccessful! Voucher code is not valid", errors=None)
    VoucherFactory(code="OLD", is_active=False)
    assert_envelope(apply(approved, "OLD"), 200, "Unsuccessful! Voucher code is not valid")
    assert_envelope(apply(preview_campaign(company)), 200, "Approve the campaign to apply the voucher")
    empty = CampaignFactory(company=company)  # Draft, no recipients
    assert_envelope(
        apply(empty), 200, "Can not apply voucher. Please add at least one recipient before approving."
    )
    Campaign.unscoped.filter(pk=approved.pk).update(status=Status.SCHEDULED)
    assert_envelope(apply(approved), 200, "Campaign is currently in a read-only state.")
    missing = post(
        authed_client, VOUCHER, campaignId="b9c32de3-4f19-4ea8-a273-b2c7d5df42f2", VoucherAction="apply",
        VoucherCode="SAVE20",
    )  # fmt: skip
    assert_envelope(missing, 404, "campaign not found.", errors=None)
    assert Campaign.unscoped.get(pk=approved.pk).voucher_id is None


# ---- cost ---------------------------------------------------------------------------------------


def test_cost_of_the_spec_example(authed_client, approved, save20):
    assert_envelope(post(authed_client, COST, campaignId=approved.pk), 200, "Successful!")
    without = assert_envelope(post(authed_client, COST, campaignId=approved.pk), 200)["data"]
    assert (without["subtotal"], without["discountAmount"], without["vatAmount"], without["totalCost"]) == (
        82.50, 0.00, 16.50, 99.00,
    )  # fmt: skip
    services.campaign_voucher_apply(company=approved.company, campaign_id=approved.pk, code="SAVE20")
    query = {"isAdMail": "false", "isConfidential": "FALSE", "isDuplex": "false"}
    data = assert_envelope(post(authed_client, COST, campaignId=approved.pk, **query), 200)["data"]
    assert {k: v for k, v in data.items() if k != "productCode"} == EXPECTED_COST


def test_cost_with_overrides_uses_that_catalogue_product(authed_client, approved):
    response = post(authed_client, COST, campaignId=approved.pk, stockWeight="120uncoat", mailClass="second")
    data = assert_envelope(response, 200, "Successful!")["data"]
    assert (data["stockweight"], data["mailClass"]) == ("120UNCOAT", "Second")
    assert data["estimatedDeliveryDate"] == "2026-04-17T00:00:00"  # Second: 3 working days
    assert data["productCode"] != approved.print_options.product.product_code


@pytest.mark.parametrize("name", ["isAdMail", "isConfidential", "isDuplex"])
def test_cost_boolean_parse_errors_name_the_parameter(authed_client, approved, name):
    assert_envelope(
        post(authed_client, COST, campaignId=approved.pk, **{name: "yes"}), 400, f"{name} is invalid."
    )


def test_cost_overrides_are_checked_against_the_catalogue(authed_client, approved):
    stock = assert_envelope(post(authed_client, COST, campaignId=approved.pk, stockWeight="999GOLD"), 400)
    assert stock["message"].startswith("Supported StockWeight values: ") and "100UNCOAT" in stock["message"]
    assert "250SILK" not in stock["message"]  # a card stock: not offered for this letter format
    mail_class = post(authed_client, COST, campaignId=approved.pk, mailClass="Third")
    assert_envelope(mail_class, 400, "Supported Mail Class values: First, Second", errors=None)


def test_cost_business_rules(authed_client, company, approved):
    assert_envelope(
        post(authed_client, COST, campaignId=preview_campaign(company).pk),
        200,
        "Cost details unavailable - please approve the campaign first.",
    )
    assert_envelope(
        post(authed_client, COST, campaignId=CampaignFactory(company=company).pk),
        200,
        "Cost details unavailable. Please add at least one recipient before approving.",
    )
    Campaign.unscoped.filter(pk=approved.pk).update(status=Status.DISPATCHED)
    assert_envelope(
        post(authed_client, COST, campaignId=approved.pk),
        200,
        "Cost details unavailable — because it is currently in a read-only state.",
    )
    assert_envelope(
        post(authed_client, COST, campaignId="not-a-guid"),
        404,
        "Cost details unavailable — campaign not found.",
    )


# ---- availableDates -----------------------------------------------------------------------------


def test_available_dates_default_and_range(authed_client):
    BlockedDateFactory(date=date(2026, 4, 16))
    default = assert_envelope(post(authed_client, DATES), 200, "Successful!")["data"]
    assert default[:4] == ["2026-04-13", "2026-04-14", "2026-04-15", "2026-04-17"]  # 16th blocked
    assert default[-1] <= "2026-05-13" and "2026-05-04" not in default  # Early May bank holiday

    ranged = assert_envelope(post(authed_client, DATES, start="2026-04-01", end="2026-04-21"), 200)["data"]
    assert ranged == ["2026-04-13", "2026-04-14", "2026-04-15", "2026-04-17", "2026-04-20", "2026-04-21"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"start": "2026/04/01"},
            "Invalid start date format. Expected format: yyyy-MM-dd (defaults to today)",
        ),
        (
            {"end": "30-04-2026"},
            "Invalid end date format. Expected format: yyyy-MM-dd (defaults to 30 days time)",
        ),
        (
            {"start": "2026-02-30"},
            "Invalid start date format. Expected format: yyyy-MM-dd (defaults to today)",
        ),
    ],
)
def test_available_dates_format_errors(authed_client, query, message):
    assert_envelope(post(authed_client, DATES, **query), 400, message, errors=None)


# ---- schedule -----------------------------------------------------------------------------------


def test_schedule_paid_by_balance_debits_once_and_redeems_the_voucher(
    authed_client, company, approved, save20
):
    top_up(company, "100.00")
    services.campaign_voucher_apply(company=company, campaign_id=approved.pk, code="SAVE20")

    response = post(
        authed_client, SCHEDULE, campaignId=approved.pk, send_date="2026-04-15", next_available_date="false",
        use_balance="true",
    )  # fmt: skip
    body = assert_envelope(
        response, 200, "Congratulations! Your payment was successful. Campaign scheduled successfully!"
    )
    assert body["data"] == {"campaignId": str(approved.pk), "paymentStatus": "ACCEPTED"}
    campaign = Campaign.unscoped.get(pk=approved.pk)
    assert (campaign.status, campaign.dispatch_date, campaign.total_cost) == (
        Status.SCHEDULED, date(2026, 4, 15), Decimal("79.20"),
    )  # fmt: skip
    assert Balance.objects.get(company=company).amount == Decimal("20.80")
    assert Payment.unscoped.get().amount == Decimal("79.20")
    assert VoucherRedemption.unscoped.get().discount == Decimal("16.50")

    again = post(authed_client, SCHEDULE, campaignId=approved.pk, send_date="2026-04-15", use_balance="true")
    assert_envelope(again, 200, "Can not schedule campaign. Campaign is currently in a read-only state.")
    assert LedgerEntry.unscoped.filter(kind=LedgerEntry.Kind.PAYMENT).count() == 1


def test_schedule_defaults_to_tomorrow_and_finds_the_next_available_date(authed_client, company):
    top_up(company)
    tomorrow = make_approved(company)
    assert_envelope(post(authed_client, SCHEDULE, campaignId=tomorrow.pk), 200)
    assert Campaign.unscoped.get(pk=tomorrow.pk).dispatch_date == date(2026, 4, 14)

    saturday = make_approved(company)
    BlockedDateFactory(date=date(2026, 4, 20))
    response = post(
        authed_client, SCHEDULE, campaignId=saturday.pk, send_date="2026-04-18", next_available_date="true"
    )
    assert_envelope(response, 200)
    assert Campaign.unscoped.get(pk=saturday.pk).dispatch_date == date(2026, 4, 21)  # Sat, Sun, blocked Mon


def test_schedule_date_errors(authed_client, approved, settings):
    def schedule(**query):
        return post(authed_client, SCHEDULE, campaignId=approved.pk, **query)

    assert_envelope(
        schedule(send_date="15/04/2026"), 400,
        "Invalid send_date format. Expected format: yyyy-MM-dd (defaults to tomorrow)", errors=None,
    )  # fmt: skip
    assert_envelope(
        schedule(send_date="2026-04-18"), 400, "The selected date 2026-04-18 is not available for scheduling."
    )
    assert_envelope(
        schedule(send_date="2026-04-10"), 400, "The selected date 2026-04-10 is not available for scheduling."
    )
    settings.DISPATCH_SEARCH_DAYS = 1
    assert_envelope(
        schedule(send_date="2026-04-18", next_available_date="true"), 400,
        "No available dates found from 2026-04-18 onwards.",
    )  # fmt: skip
    assert_envelope(schedule(use_balance="maybe"), 400, "use_balance is invalid.")
    assert Campaign.unscoped.get(pk=approved.pk).status == Status.APPROVED


def test_schedule_business_rules(authed_client, company, approved):
    def schedule(campaign_id, **query):
        return post(authed_client, SCHEDULE, campaignId=campaign_id, send_date="2026-04-15", **query)

    assert_envelope(
        schedule(preview_campaign(company).pk),
        200,
        "Can not schedule campaign. Please approve the campaign first.",
    )
    assert_envelope(
        schedule(CampaignFactory(company=company).pk), 200,
        "Cost details unavailable. Please add at least one recipient before approving.",
    )  # fmt: skip
    assert_envelope(
        schedule(approved.pk), 200, "Can not schedule campaign. Insufficient balance.", errors=None
    )
    top_up(company)
    Balance.objects.filter(company=company).update(is_locked=True)
    assert_envelope(schedule(approved.pk), 200, "Can not schedule campaign. Company Balance is locked.")
    assert_envelope(
        schedule("b9c32de3-4f19-4ea8-a273-b2c7d5df42f2"),
        404,
        "Can not schedule campaign. campaign not found.",
    )
    assert Campaign.unscoped.get(pk=approved.pk).status == Status.APPROVED
    assert not Payment.unscoped.exists()


def test_provisional_booking_needs_the_permission(authed_client, approved):
    response = post(
        authed_client, SCHEDULE, campaignId=approved.pk, send_date="2026-04-15", use_balance="false"
    )
    assert_envelope(response, 400, "Company does not have provisional booking permission.", errors=None)
    assert not Order.unscoped.exists()


def test_provisional_booking_makes_an_order_and_emails_the_invoice(
    authed_client, company, approved, django_capture_on_commit_callbacks
):
    Company.objects.filter(pk=company.pk).update(provisional_booking_allowed=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            authed_client, SCHEDULE, campaignId=approved.pk, send_date="2026-04-15", use_balance="false"
        )

    body = assert_envelope(response, 200, "Congratulations! Provisional booking was succesful.")
    assert body["data"] == {
        "campaignId": str(approved.pk),
        "orderId": "ORD-20260413-001",
        "paymentStatus": "PENDING",
    }
    campaign = Campaign.unscoped.get(pk=approved.pk)
    assert (campaign.status, campaign.status_order) == (Status.AWAITING_PAYMENT, 4)
    order = Order.unscoped.get()
    assert (order.total, order.send_date, order.status) == (
        Decimal("99.00"),
        date(2026, 4, 15),
        Order.Status.PENDING,
    )
    assert [m.subject for m in mail.outbox] == ["Postroom invoice ORD-20260413-001"]
    assert Balance.objects.get(company=company).amount == Decimal("0.00")
    again = post(authed_client, SCHEDULE, campaignId=approved.pk, use_balance="false")
    assert_envelope(again, 200, "Can not schedule campaign. Campaign is currently in a read-only state.")


def test_status_details_show_payment_in_the_history(authed_client, company, approved):
    top_up(company)
    post(authed_client, SCHEDULE, campaignId=approved.pk, send_date="2026-04-15")

    data = assert_envelope(post(authed_client, STATUS, campaignId=approved.pk), 200, "Successful!")["data"]
    assert data["currentStatus"] == "Scheduled"
    assert [h["status"] for h in data["statusHistories"]] == ["Draft", "Preview", "Approved", "Scheduled"]
    assert data["statusHistories"][-1]["note"] == "Paid 99.00 GBP from the balance; send date 2026-04-15."


def test_the_cost_read_holds_what_cost_needs_and_loads_the_rest_when_asked(company, approved):
    from campaigns.selectors import get_campaign_for_cost

    read = get_campaign_for_cost(company=company, campaign_id=approved.pk)

    assert (read.pk, read.status, read.recipient_count) == (approved.pk, Status.APPROVED, 150)
    assert read.print_options.product.unit_price == Decimal("0.55")
    assert read.print_options.campaign is read and read.company is company
    assert read.name == approved.name  # not read by cost: loaded from the database on access

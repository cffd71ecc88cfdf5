"""Each staff job in the admin, done in a real browser (chromium) against a live server: the pages,
forms, actions, messages and links a staff member uses, end to end."""

import base64
import json
import re
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from accounts import api_logging
from accounts import services as account_services
from accounts.models import ApiKey, ApiLogEntry, OAuthApplication, User
from accounts.selectors import default_workspace
from billing import services as billing_services
from billing.models import Balance, Order, Voucher
from campaigns import printing
from campaigns import services as campaign_services
from campaigns.models import Campaign, Status
from messaging import services as message_services
from recipients.models import RecipientGroup
from tests.accounts.factories import CompanyFactory, StaffUserFactory, UserFactory
from tests.browser.conftest import needs_chromium
from tests.campaigns.factories import CampaignFactory
from tests.recipients.factories import RecipientFactory, RecipientGroupFactory
from tests.templates.factories import PrintTemplateFactory

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

MESSAGES = "ul.messagelist li"  # the flash messages after a save or an action


@pytest.fixture
def staff(db):
    return StaffUserFactory()


@pytest.fixture
def staff_page(page, staff, live_server):
    """The browser, logged in as staff (the session cookie a login makes: the login form itself is
    test_staff_log_in's job)."""
    client = Client()
    client.force_login(staff)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def run_action(page, changelist: str, pk, action: str) -> None:
    """On a changelist, tick one row, choose the action and press Go."""
    page.goto(changelist)
    page.check(f'input[name="_selected_action"][value="{pk}"]')
    page.select_option('select[name="action"]', action)
    page.click('button[name="index"]')


def api_call(live_server, method: str, path: str, body=None, token: str | None = None):
    """A platform API call over HTTP, as an integrator makes it: (status, JSON body, headers)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{live_server.url}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null"), refused.headers


def api_login_works(live_server, key: str) -> bool:
    status, body, _ = api_call(live_server, "POST", "/api/v1/account/login", {"ApiKey": key})
    return status == 200 and bool(body and body.get("success"))


def api_token(live_server, key: str) -> str:
    return api_call(live_server, "POST", "/api/v1/account/login", {"ApiKey": key})[1]["data"]["token"]


def print_campaign(company, *, recipients: int = 2) -> Campaign:
    """An approved print campaign of `company` with `recipients` recipients in its own group."""
    group = RecipientGroupFactory(company=company)
    for _ in range(recipients):
        RecipientFactory(company=company, group=group)
    campaign = CampaignFactory(company=company, group=group)
    return campaign_services.campaign_approve(company=company, campaign_id=campaign.pk)


def test_staff_log_in(page, staff, live_server):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.fill("#id_username", staff.email)
    page.fill("#id_password", "not the password")
    page.click('input[type="submit"]')
    expect(page.locator(".errornote")).to_be_visible()

    page.fill("#id_password", "staff-password")
    page.click('input[type="submit"]')

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#user-tools")).to_contain_text("Log out")
    expect(page.locator("#content")).to_contain_text("Companies")


def test_staff_enable_and_disable_api_access(staff_page, live_server):
    user = UserFactory(api_access_enabled=False)
    key = account_services.api_key_issue(user=user).secret
    assert not api_login_works(live_server, key)
    changelist = f"/admin/accounts/user/?q={user.email}"

    run_action(staff_page, changelist, user.pk, "enable_api_access")

    expect(staff_page.locator(MESSAGES)).to_contain_text("API access enabled for 1 user(s).")
    assert User.objects.get(pk=user.pk).api_access_enabled
    assert api_login_works(live_server, key)

    run_action(staff_page, changelist, user.pk, "disable_api_access")

    expect(staff_page.locator(MESSAGES)).to_contain_text("API access disabled for 1 user(s).")
    assert not User.objects.get(pk=user.pk).api_access_enabled
    assert not api_login_works(live_server, key)


def test_staff_rotate_an_api_key(staff_page, live_server):
    user = UserFactory()
    old_key = account_services.api_key_issue(user=user).secret

    run_action(staff_page, f"/admin/accounts/user/?q={user.email}", user.pk, "issue_api_key")

    shown = staff_page.locator("code.api-key")
    expect(shown).to_have_count(1)
    new_key = shown.inner_text().strip()
    assert new_key and new_key != old_key
    assert ApiKey.unscoped.filter(user=user, revoked_at__isnull=True).count() == 1
    assert api_login_works(live_server, new_key)
    assert not api_login_works(live_server, old_key)


def test_staff_top_up_a_balance(staff_page):
    company = CompanyFactory(name="Top Up Ltd")
    billing_services.balance_top_up(company=company, amount=Decimal("10.00"))
    balance = Balance.objects.get(company=company)

    staff_page.goto(f"/admin/billing/balance/{balance.pk}/change/")
    staff_page.select_option("#id_operation", "top_up")
    staff_page.fill("#id_change_amount", "25.50")
    staff_page.fill("#id_reason", "Cheque 1042")
    staff_page.click('input[name="_save"]')

    expect(staff_page.locator(MESSAGES)).to_contain_text("35.50")  # the new balance, not the old one
    assert Balance.objects.get(company=company).amount == Decimal("35.50")


def test_staff_create_a_voucher_and_are_told_why_one_is_refused(staff_page):
    staff_page.goto("/admin/billing/voucher/add/")
    staff_page.fill("#id_code", "spring10")
    staff_page.select_option("#id_kind", "percent")
    staff_page.fill("#id_amount", "10")
    staff_page.click('input[name="_save"]')

    expect(staff_page.locator(MESSAGES)).to_contain_text("SPRING10")
    assert Voucher.objects.get().amount == Decimal("10.00")

    staff_page.goto("/admin/billing/voucher/add/")
    staff_page.fill("#id_code", "toomuch")
    staff_page.select_option("#id_kind", "percent")
    staff_page.fill("#id_amount", "150")
    staff_page.click('input[name="_save"]')

    errors = staff_page.locator(".errorlist")
    expect(errors.first).to_be_visible()
    said = staff_page.locator("#content").inner_text()
    assert re.search(r"100\s*%|100 per ?cent|more than 100|at most 100", said), said
    assert "onstraint" not in said and "voucher_percent_at_most_100" not in said, said
    assert not Voucher.objects.filter(code="TOOMUCH").exists()


def test_staff_approve_a_provisional_booking(staff_page, catalogue):
    company = CompanyFactory(name="Invoice Me Ltd")
    company.provisional_booking_allowed = True
    company.save(update_fields=["provisional_booking_allowed"])
    campaign = print_campaign(company)
    campaign_services.campaign_schedule(
        company=company, campaign_id=campaign.pk, use_balance=False, next_available=True
    )
    order = Order.objects.for_company(company).get()
    assert order.status == Order.Status.PENDING

    staff_page.goto(f"/admin/billing/order/{order.pk}/change/")
    staff_page.select_option("#id_decision", "approve")
    staff_page.click('input[name="_save"]')

    expect(staff_page.locator(MESSAGES)).to_contain_text(order.number)
    assert Order.objects.for_company(company).get().status == Order.Status.APPROVED
    assert Campaign.unscoped.get(pk=campaign.pk).status == Status.SCHEDULED


def test_staff_enable_api_logging_and_find_a_call_by_its_request_id(staff_page, live_server):
    company = CompanyFactory(name="Logged Ltd")
    key = account_services.api_key_issue(user=UserFactory(company=company)).secret

    staff_page.goto(f"/admin/accounts/company/{company.pk}/change/")
    staff_page.select_option("#id_api_logging_change", "enable_1h")
    staff_page.click('input[name="_save"]')
    expect(staff_page.locator(MESSAGES).filter(has_text="API logging on until")).to_have_count(1)

    token = api_token(live_server, key)
    status, _, headers = api_call(live_server, "POST", "/api/v1/account/balance", token=token)
    assert status == 200
    request_id = headers["X-Request-ID"]
    api_call(live_server, "POST", "/api/v1/account/balance", token=token)  # another call, not wanted
    api_logging.flush()  # what the web process's background writer does every half second
    assert ApiLogEntry.unscoped.filter(company=company, request_id=request_id).count() == 1

    staff_page.goto("/admin/accounts/apilogentry/")
    staff_page.fill("#searchbar", f"={request_id}")
    staff_page.press("#searchbar", "Enter")

    rows = staff_page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(request_id)


def test_staff_open_a_template_thumbnail_and_a_print_file(staff_page, catalogue):
    template = PrintTemplateFactory(name="Shared letter")
    company = CompanyFactory()
    campaign = print_campaign(company)
    run = printing.print_files_write(campaign_id=campaign.pk)
    first = run.files[0]["name"]

    staff_page.goto(f"/admin/templates/printtemplate/{template.pk}/change/")
    thumbnail = staff_page.locator('img[src$="/thumbnail/"]')
    expect(thumbnail).to_be_visible()
    assert staff_page.evaluate("img => img.complete && img.naturalWidth > 0", thumbnail.element_handle())
    with staff_page.expect_response(re.compile(r"/stored-files/.*/thumbnail/$")) as opened:
        thumbnail.click()
    assert opened.value.status == 200 and opened.value.headers["content-type"] == "image/png"

    staff_page.goto(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    with staff_page.expect_download() as downloading:
        staff_page.get_by_role("link", name=first).click()
    download = downloading.value
    assert download.suggested_filename == first
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_staff_are_told_why_a_group_in_use_cannot_be_deleted(staff_page, catalogue):
    company = CompanyFactory(name="Busy Ltd")
    billing_services.balance_top_up(company=company, amount=Decimal("500.00"))
    campaign = print_campaign(company)
    campaign_services.campaign_schedule(company=company, campaign_id=campaign.pk, next_available=True)
    assert Campaign.unscoped.get(pk=campaign.pk).status == Status.SCHEDULED
    group = RecipientGroup.unscoped.get(pk=campaign.recipient_group_id)

    staff_page.goto(f"/admin/recipients/recipientgroup/{group.pk}/change/")
    delete = staff_page.locator("a.deletelink")
    if delete.count():  # offered: the refusal comes once staff confirm
        delete.click()
        staff_page.click('#content form input[type="submit"]')  # "Yes, I'm sure"

    refusal = staff_page.locator(MESSAGES).filter(has_text=re.compile(r"campaign", re.I))
    expect(refusal).to_have_count(1)
    assert RecipientGroup.unscoped.filter(pk=group.pk).exists()


def oauth_token(live_server, client_id: str, secret: str) -> tuple[int, dict]:
    """POST /oauth/token/ over HTTP with the client's id and secret (client credentials)."""
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{live_server.url}/oauth/token/",
        data=b"grant_type=client_credentials",
        headers={
            "Authorization": f"Basic {credentials}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


def test_staff_make_an_oauth_application_and_rotate_its_secret(staff_page, live_server):
    company = CompanyFactory(name="Services Ltd")
    staff_page.goto("/admin/accounts/oauthapplication/add/")
    staff_page.select_option("#id_company", str(company.pk))
    staff_page.fill("#id_name", "Shop integration")
    staff_page.click('input[name="_save"]')

    client_id = staff_page.locator("code.client-id").inner_text().strip()
    secret = staff_page.locator("code.client-secret").inner_text().strip()
    assert oauth_token(live_server, client_id, secret)[0] == 200

    application = OAuthApplication.objects.get(client_id=client_id)
    run_action(staff_page, "/admin/accounts/oauthapplication/", application.pk, "rotate_secret")

    new_secret = staff_page.locator("code.client-secret").inner_text().strip()
    assert new_secret and new_secret != secret
    assert oauth_token(live_server, client_id, secret)[0] == 401
    assert oauth_token(live_server, client_id, new_secret)[0] == 200


def test_staff_stop_and_resume_a_message_campaign(staff_page, staff):
    company = CompanyFactory(name="Messages Ltd")
    group = RecipientGroupFactory(company=company)
    campaign = message_services.message_campaign_create(
        company=company,
        workspace=default_workspace(company=company),
        data=message_services.CampaignFields(
            name="Weekly offers", status="active", sending_type="sms", schedule_type="scheduled",
            schedule_rrule="FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0", template="Hello {first_name}",
            sender="Postroom", recipient_lists=[str(group.pk)],
        ),
    )  # fmt: skip
    changelist = "/admin/messaging/messagecampaign/"

    run_action(staff_page, changelist, campaign.pk, "stop_campaigns")

    expect(staff_page.locator(MESSAGES)).to_contain_text("Weekly offers: stopped.")
    assert Campaign.unscoped.get(pk=campaign.pk).status == "stopped"

    run_action(staff_page, changelist, campaign.pk, "resume_campaigns")

    expect(staff_page.locator(MESSAGES)).to_contain_text("Weekly offers: active again; next firing")
    assert Campaign.unscoped.get(pk=campaign.pk).status == "active"
    staff_page.goto(f"{changelist}{campaign.pk}/change/")
    expect(staff_page.locator("#status_changes-group")).to_contain_text(staff.email)

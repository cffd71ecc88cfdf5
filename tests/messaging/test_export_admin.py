"""The messages export API in the back office: export jobs (read-only, with their company and
campaign, a download link per page for staff only, and no link once the files are removed) and
each company's usage by month beside its monthly row limit."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import Client, TestCase
from django.utils import timezone

from messaging import exporting
from messaging.models import MessageExport, MessagesUsage
from messaging.services.exports import messages_pages, messages_publish
from tests.messaging.exports import IP, campaign_with_messages

pytestmark = pytest.mark.django_db

EXPORTS = "/admin/messaging/messageexport/"
USAGE = "/admin/messaging/messagesusage/"
NAMES = ['Ada, "the first"', "Bob\nLine two", "Zoë 🚀", "Dan", "Eve"]


@pytest.fixture
def admin_client(staff_user):
    """The back office, logged in as staff (this package's `client` is a services API client)."""
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def campaign(company):
    return campaign_with_messages(
        company, NAMES, capture=TestCase.captureOnCommitCallbacks, name="Spring sale"
    )


def publish(campaign) -> MessageExport:
    with TestCase.captureOnCommitCallbacks(execute=True):
        export = messages_publish(company=campaign.company, campaign_id=campaign.pk, user=None, ip=IP)
    return MessageExport.unscoped.get(pk=export.pk)


@pytest.fixture
def export(campaign, settings) -> MessageExport:
    settings.MESSAGES_EXPORT_PAGE_ROWS = 2
    return publish(campaign)


def page_links(html: str) -> list[str]:
    return re.findall(r'href="(/admin/messaging/messageexport/[0-9a-f-]{36}/pages/\d+/)"', html)


def test_the_job_list_shows_company_campaign_status_and_rows(admin_client, export, company):
    listing = admin_client.get(EXPORTS)

    assert listing.status_code == 200
    row = listing.text
    assert str(export.pk) in row and company.name in row and "Spring sale" in row
    assert f'<td class="field-rows">{len(NAMES)}</td>' in row and '<td class="field-pages">3</td>' in row
    assert f'href="/admin/messaging/messagecampaign/{export.campaign_id}/change/"' in row


def test_each_page_downloads_as_stored_for_staff(admin_client, export):
    page = admin_client.get(f"{EXPORTS}{export.pk}/change/")

    links = page_links(page.text)
    assert len(links) == 3
    for number, link in enumerate(links):
        response = admin_client.get(link)
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="messages-{export.campaign_id}-page-{number:05d}.csv"'
        )
        with default_storage.open(export.page_key(number), "rb") as stored:
            assert b"".join(response.streaming_content) == stored.read()


def test_a_page_is_for_staff_only(client, api_user, export):
    link = f"{EXPORTS}{export.pk}/pages/0/"
    anonymous = Client().get(link)
    client.force_login(api_user)  # a company's own user, not staff
    customer = client.get(link)

    for response in (anonymous, customer):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_page_the_export_does_not_have_is_404(admin_client, export):
    assert admin_client.get(f"{EXPORTS}{export.pk}/pages/3/").status_code == 404
    assert admin_client.get(f"{EXPORTS}00000000-0000-0000-0000-000000000000/pages/0/").status_code == 404


def test_a_replaced_export_whose_files_are_removed_offers_no_link(admin_client, campaign, export):
    replacement = publish(campaign)
    MessageExport.unscoped.filter(pk=export.pk).update(files_purge_at=timezone.now() - timedelta(seconds=1))
    exporting.exports_purge()

    old_page = admin_client.get(f"{EXPORTS}{export.pk}/change/").text
    new_page = admin_client.get(f"{EXPORTS}{replacement.pk}/change/").text

    assert page_links(old_page) == [] and "removed from storage (replaced or failed)" in old_page
    assert admin_client.get(f"{EXPORTS}{export.pk}/pages/0/").status_code == 404
    assert len(page_links(new_page)) == 3


def test_jobs_and_usage_are_read_only(admin_client, export):
    usage = MessagesUsage.objects.get(company_id=export.company_id)
    for model, pk in ((EXPORTS, export.pk), (USAGE, usage.pk)):
        page = admin_client.get(f"{model}{pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.text
        assert admin_client.post(f"{model}{pk}/change/", {"rows": "0"}).status_code == 403
        assert admin_client.get(f"{model}add/").status_code == 403
        assert admin_client.post(f"{model}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert MessageExport.unscoped.get(pk=export.pk).rows == len(NAMES)


def test_usage_by_month_beside_the_companys_limit(admin_client, export, company):
    messages_pages(company=company, campaign_id=export.campaign_id, user=None, ip=IP)
    company.messages_monthly_row_limit = 1000
    company.save(update_fields=["messages_monthly_row_limit"])

    listing = admin_client.get(f"{USAGE}?company__id__exact={company.pk}").text

    assert f'<td class="field-rows_published">{len(NAMES)}</td>' in listing
    assert '<td class="field-pages_calls">1</td>' in listing
    assert '<td class="field-row_limit">1000</td>' in listing
    assert f'<td class="field-month_shown">{timezone.localdate():%Y-%m}</td>' in listing
    assert f'href="/admin/accounts/company/{company.pk}/change/"' in listing

"""The messages export's domain: publish a campaign's generated messages as CSV pages, count
them, fetch one as text, rows or a URL (a presigned GET on S3, a signed download token on local
disk), on local storage and on S3 through moto's server."""

import json
import urllib.request

import pytest

from messaging.errors import ExportCampaignNotFound, ExportFileNotFound, NothingToPublish
from messaging.models import MessageExport, MessagesApiCall, MessagesUsage
from messaging.selectors import get_exportable_campaign
from messaging.services.exports import (
    ExportType,
    download_open,
    messages_fetch,
    messages_pages,
    messages_publish,
)
from tests.accounts.factories import CompanyFactory
from tests.messaging.exports import IP, campaign_with_messages, csv_rows, expected_rows
from tests.messaging.factories import MessageCampaignFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "plain",
    "a, comma",
    'a "quoted" word',
    "two\nlines",
    "cr\r\nlf",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "emoji 🎉 and ünïcödé",
    "   spaced   ",
    '","',
    "\\.",
]


def _publish(company, campaign, capture):
    with capture(execute=True):
        return messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)


def _fetch(company, campaign, file_num, export_type):
    return messages_fetch(
        company=company,
        campaign_id=str(campaign.pk),
        file_num=file_num,
        export_type=export_type,
        user=None,
        ip=IP,
    )


def _fetch_all(company, campaign, export_type) -> list[dict]:
    pages = messages_pages(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    rows = []
    for number in range(pages.num_files):
        page = _fetch(company, campaign, number, export_type)
        if export_type == ExportType.UTF8:
            rows += csv_rows(page.text)
        elif export_type == ExportType.JSON:
            assert not page.truncated
            rows += page.rows
        else:
            rows += csv_rows(_download(page))
    return rows


def _download(page) -> str:
    if page.url is not None:  # S3: a presigned GET, fetched with a plain HTTP client
        with urllib.request.urlopen(page.url, timeout=10) as response:  # noqa: S310 (moto on 127.0.0.1)
            assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
            return response.read().decode("utf-8")
    handle, _name = download_open(token=page.url_token)
    with handle:
        return handle.read().decode("utf-8")


def test_publish_pages_fetch_round_trip_in_every_type(
    library_storage, settings, company, django_capture_on_commit_callbacks
):
    # given: 25 generated messages with hostile content, pages of 10 rows
    settings.MESSAGES_EXPORT_PAGE_ROWS = 10
    names = [f"{HOSTILE[i % len(HOSTILE)]} {i}" for i in range(25)]
    campaign = campaign_with_messages(company, names, capture=django_capture_on_commit_callbacks)

    # when: it is published
    export = _publish(company, campaign, django_capture_on_commit_callbacks)

    # then: three pages of its messages in message order, equal in every type
    export.refresh_from_db()
    assert (export.status, export.is_current, export.pages, export.rows) == ("done", True, 3, 25)
    pages = messages_pages(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    assert (pages.num_files, pages.total_rows, pages.status) == (3, 25, "done")
    expected = expected_rows(campaign)
    assert sorted(row["message"] for row in expected) == sorted(name.strip() for name in names)
    for export_type in ExportType:
        assert _fetch_all(company, campaign, export_type) == expected, export_type
    stored = library_storage.all_keys()
    assert stored == {export.page_key(n) for n in range(3)}


def test_a_page_larger_than_the_json_limit_is_truncated(
    settings, company, django_capture_on_commit_callbacks
):
    settings.MESSAGES_EXPORT_PAGE_ROWS = 2000
    campaign = campaign_with_messages(
        company, [f"name {i}" for i in range(1001)], capture=django_capture_on_commit_callbacks
    )
    _publish(company, campaign, django_capture_on_commit_callbacks)

    page = _fetch(company, campaign, 0, ExportType.JSON)

    assert (len(page.rows), page.truncated, page.num_files) == (1000, True, 1)
    assert page.rows == expected_rows(campaign)[:1000]


def test_the_v2_integer_id_finds_the_campaign_and_other_companies_find_nothing(company):
    campaign = MessageCampaignFactory(company=company)
    other = CompanyFactory()

    assert get_exportable_campaign(company=company, campaign_id=str(campaign.pk)) == campaign
    for wrong in ("nope", None, 1.5, [], "", "12x", str(campaign.pk)[:-1], 0, -1, 2**70, True):
        with pytest.raises(ExportCampaignNotFound):
            get_exportable_campaign(company=company, campaign_id=wrong)
    with pytest.raises(ExportCampaignNotFound):
        get_exportable_campaign(company=other, campaign_id=campaign.pk)


def test_nothing_to_publish_and_no_file_before_a_first_export(company):
    campaign = MessageCampaignFactory(company=company)

    with pytest.raises(NothingToPublish):
        messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    pages = messages_pages(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    assert (pages.num_files, pages.total_rows, pages.status) == (0, 0, "none")
    with pytest.raises(ExportFileNotFound):
        _fetch(company, campaign, 0, ExportType.UTF8)
    assert not MessageExport.objects.for_company(company).exists()
    calls = MessagesApiCall.objects.filter(company=company).order_by("id")
    assert [(c.endpoint, c.campaign_id, c.job_id, c.ip) for c in calls] == [
        ("messages/publish", campaign.pk, None, IP),
        ("messages/pages", campaign.pk, None, IP),
        ("messages/fetch", campaign.pk, None, IP),
    ]
    assert MessagesUsage.objects.get(company=company).pages_calls == 1


def test_file_num_outside_the_pages_is_not_found(company, django_capture_on_commit_callbacks):
    campaign = campaign_with_messages(company, ["a", "b"], capture=django_capture_on_commit_callbacks)
    _publish(company, campaign, django_capture_on_commit_callbacks)

    for file_num in (-1, 1, 2, True, "0", 1.5, None):
        with pytest.raises(ExportFileNotFound):
            _fetch(company, campaign, file_num, ExportType.UTF8)
    assert json.loads(json.dumps(_fetch(company, campaign, 0, ExportType.JSON).rows))

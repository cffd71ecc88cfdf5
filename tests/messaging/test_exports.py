"""The messages export's domain: publish a campaign's generated messages as CSV pages, count
them, fetch one as text, rows or a URL (a presigned GET on S3, a signed download token on local
disk), on local storage and on S3 through moto's server; re-publish, quota, resume, purge."""

import json
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from messaging import counters, exporting, tasks
from messaging.errors import (
    DownloadRefused,
    ExportCampaignNotFound,
    ExportFileNotFound,
    ExportPageUnreadable,
    NothingToPublish,
    UsageLimitExceeded,
)
from messaging.models import Message, MessageExport, MessagesApiCall, MessagesUsage
from messaging.selectors import get_exportable_campaign
from messaging.services.clients import ClientCampaignFields, client_campaign_create
from messaging.services.exports import (
    ExportType,
    download_open,
    messages_fetch,
    messages_pages,
    messages_publish,
)
from tests.accounts.factories import CompanyFactory
from tests.messaging.exports import (
    IP,
    add_messages,
    campaign_with_bulk_messages,
    campaign_with_messages,
    csv_rows,
    expected_rows,
    stored_pages,
)
from tests.messaging.factories import MessageCampaignFactory, OccurrenceFactory, message_campaign
from tests.recipients.factories import RecipientGroupFactory
from tests.templates.factories import WHATSAPP_JSON

pytestmark = pytest.mark.django_db

# What a message may hold, all kept verbatim (no formula escaping: the pages are data).
HOSTILE = [
    "plain",
    "a, comma",
    'a "quoted" word',
    "two\nlines",
    "cr\r\nlf",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-1+1",
    "@at",
    "emoji 🎉 and ünïcödé 漢字",
    "   spaced   ",
    '","',
    "\\.",
    "",
    "tab\there",
]


def _publish(company, campaign, capture, *, user=None):
    with capture(execute=True):
        return messages_publish(company=company, campaign_id=campaign.pk, user=user, ip=IP)


def _fetch(company, campaign, file_num, export_type):
    return messages_fetch(
        company=company,
        campaign_id=str(campaign.pk),
        file_num=file_num,
        export_type=export_type,
        user=None,
        ip=IP,
    )


def _pages(company, campaign):
    return messages_pages(company=company, campaign_id=campaign.pk, user=None, ip=IP)


def _fetch_all(company, campaign, export_type) -> list[dict]:
    rows = []
    for number in range(_pages(company, campaign).num_files):
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
            assert "attachment" in response.headers["Content-Disposition"]
            return response.read().decode("utf-8")
    handle, name = download_open(token=page.url_token)
    assert name.endswith(f"-page-{page.file_num:05d}.csv")
    with handle:
        return handle.read().decode("utf-8")


# ---- round trips -------------------------------------------------------------------------------


def test_publish_pages_fetch_round_trip_in_every_type(
    library_storage, settings, company, django_capture_on_commit_callbacks
):
    # given: 25 messages generated from hostile names, pages of 10 rows
    settings.MESSAGES_EXPORT_PAGE_ROWS = 10
    names = [f"{HOSTILE[i % len(HOSTILE)]} {i}" for i in range(25)]
    campaign = campaign_with_messages(company, names, capture=django_capture_on_commit_callbacks)

    # when: it is published
    export = _publish(company, campaign, django_capture_on_commit_callbacks)

    # then: three pages of its messages in message order, the same in every type
    export.refresh_from_db()
    assert (export.status, export.is_current, export.pages, export.rows) == ("done", True, 3, 25)
    pages = _pages(company, campaign)
    assert (pages.campaign_id, pages.num_files, pages.total_rows, pages.status) == (
        str(campaign.pk),
        3,
        25,
        "done",
    )
    expected = expected_rows(campaign)
    assert sorted(row["message"] for row in expected) == sorted(name.strip() for name in names)
    for export_type in ExportType:
        assert _fetch_all(company, campaign, export_type) == expected, export_type
    assert library_storage.all_keys() == {export.page_key(n) for n in range(3)}
    assert export.page_key(0) == f"companies/{company.pk}/messages/{campaign.pk}/{export.pk}/page-00000.csv"


def test_hostile_content_is_kept_verbatim_in_rfc_4180_csv(company, django_capture_on_commit_callbacks):
    # given: a message of each hostile kind, written as generation writes them
    campaign = campaign_with_bulk_messages(company, HOSTILE)

    # when
    _publish(company, campaign, django_capture_on_commit_callbacks)
    page = _fetch(company, campaign, 0, ExportType.UTF8)

    # then: the text is UTF-8 CSV with the header, every field survives, nothing is escaped
    assert page.text.startswith("customer_id,message\n")
    assert [row["message"] for row in csv_rows(page.text)] == HOSTILE
    assert '"a ""quoted"" word"' in page.text
    assert "\n=cmd|' /C calc'!A0\n" not in page.text  # a field, not a line of its own
    assert ",=cmd|' /C calc'!A0\n" in page.text
    assert [row["message"] for row in _fetch(company, campaign, 0, ExportType.JSON).rows] == HOSTILE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY reader is PostgreSQL's")
def test_pages_cut_from_several_copies_hold_every_message_once_in_order(
    settings, company, django_capture_on_commit_callbacks
):
    # given: 60,000 hostile messages (some JSON), in pages of 7,001 rows: a COPY reads 7 pages,
    # and neither a page nor a COPY ends where a batch of rows does
    settings.MESSAGES_EXPORT_PAGE_ROWS = 7_001
    count = 60_000
    bodies = [HOSTILE[n % len(HOSTILE)] if n % 7 else "" for n in range(count)]
    payloads = [None if n % 7 else {"n": n, "text": 'a,"b"\nc'} for n in range(count)]
    campaign = campaign_with_bulk_messages(company, bodies, payloads=payloads)

    # when
    export = _publish(company, campaign, django_capture_on_commit_callbacks)

    # then: every page but the last is full, and together they are the messages in order
    export.refresh_from_db()
    assert (export.status, export.pages, export.rows) == ("done", 9, count)
    pages = [csv_rows(page.decode()) for page in stored_pages(export)]
    assert [len(page) for page in pages] == [7_001] * 8 + [count - 8 * 7_001]
    assert [row for page in pages for row in page] == expected_rows(campaign)


# The export's rows as PostgreSQL's own COPY (FORMAT csv) writes them: the reference.
REFERENCE_COPY = """
COPY (
    SELECT CASE WHEN m.client IS NOT NULL THEN m.address ELSE m.recipient_id::text END,
        CASE WHEN m.body <> '' OR m.payload IS NULL THEN m.body ELSE m.payload::text END
    FROM messaging_message m WHERE m.campaign_id = %s ORDER BY m.id
) TO STDOUT (FORMAT csv)
"""


def copied_csv(campaign) -> bytes:
    with connection.cursor() as cursor, cursor.copy(REFERENCE_COPY, [str(campaign.pk)]) as copy:
        return b"".join(bytes(row) for row in copy)


def pages_without_headers(export) -> bytes:
    header = b"customer_id,message\n"
    pages = stored_pages(export)
    assert all(page.startswith(header) for page in pages)
    return b"".join(page[len(header) :] for page in pages)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the reference is PostgreSQL's COPY")
def test_pages_hold_byte_for_byte_what_postgresqls_copy_csv_writes(
    settings, company, django_capture_on_commit_callbacks
):
    # given: hostile bodies and JSON messages, a message without recipient, and clients whose
    # addresses need quoting (or are empty), in pages of 4 rows
    settings.MESSAGES_EXPORT_PAGE_ROWS = 4
    bodies = [*HOSTILE, "", "", "back\\slash", "lone\rcr", "x" * 70_000, '"']
    payloads = [None] * len(HOSTILE) + [{"text": 'a,"b"\r\nc', "n": 1}, None, None, None, None, None]
    campaign = campaign_with_bulk_messages(company, bodies, payloads=payloads)
    ids = reference_ids(campaign)
    Message.unscoped.filter(pk=ids[0]).update(recipient_id=None)
    for client, (pk, address) in enumerate(zip(ids[1:5], ['Acme, "Ltd"', "", "two\nlines", "plain"]), 1):
        Message.unscoped.filter(pk=pk).update(recipient_id=None, client=client, address=address)

    # when
    export = _publish(company, campaign, django_capture_on_commit_callbacks)

    # then
    export.refresh_from_db()
    assert (export.status, export.pages, export.rows) == ("done", 6, len(bodies))
    assert pages_without_headers(export) == copied_csv(campaign)


# Generated messages in bulk, with what CSV must quote, a JSON message in every fifth.
BULK_MESSAGES_SQL = """
INSERT INTO messaging_message (company_id, campaign_id, occurrence_id, recipient_id, client, channel,
    address, body, payload, status, attempts, last_error, message_key, next_attempt_at, provider_id,
    created_at)
SELECT %(company)s, %(campaign)s, %(occurrence)s, gen_random_uuid(), NULL, 'sms', '',
    CASE WHEN i %% 5 = 0 THEN '' ELSE 'Hi "' || i || '",' || chr(10) || '🎉' END,
    CASE WHEN i %% 5 = 0 THEN jsonb_build_object('n', i, 'text', 'a,b') END,
    'queued', 0, '', upper(md5(i::text || %(campaign)s::text))::varchar(30), NULL, '', now()
FROM generate_series(1, %(count)s) AS i
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the segment readers are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_segments_read_by_several_connections_at_once_make_the_pages_in_order(settings, company):
    # given: 150,000 messages in pages of 7,001 rows: segments of 7 pages, read by 3 threads
    # (outside a transaction, so each on a connection of its own)
    settings.MESSAGES_EXPORT_PAGE_ROWS = 7_001
    settings.MESSAGES_EXPORT_READERS = 3
    count = 150_000
    campaign = message_campaign(company=company, group=RecipientGroupFactory(company=company))
    occurrence = OccurrenceFactory(company=company, campaign=campaign, status="generated")
    with connection.cursor() as cursor:
        params = {"company": company.pk, "campaign": campaign.pk, "occurrence": occurrence.pk, "count": count}
        cursor.execute(BULK_MESSAGES_SQL, params)
    counters.move(campaign.pk, counters.NEW, "queued", count)

    # when
    export = messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)

    # then: every page but the last is full, and together they are the rows COPY writes
    export.refresh_from_db()
    assert (export.status, export.pages, export.rows) == ("done", 22, count)
    assert [len(csv_rows(page.decode())) for page in stored_pages(export)] == [7_001] * 21 + [
        count - 21 * 7_001
    ]
    assert pages_without_headers(export) == copied_csv(campaign)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the page query is PostgreSQL's")
def test_pages_walk_the_campaign_id_index_even_on_a_table_never_analysed(company):
    # given: a fresh campaign's messages, never analysed (a bitmap scan sorted for every page
    # would read all the messages after it, page after page)
    campaign = message_campaign(company=company, group=RecipientGroupFactory(company=company))
    occurrence = OccurrenceFactory(company=company, campaign=campaign, status="generated")
    with connection.cursor() as cursor:
        params = {
            "company": company.pk,
            "campaign": campaign.pk,
            "occurrence": occurrence.pk,
            "count": 50_000,
        }
        cursor.execute(BULK_MESSAGES_SQL, params)
    export = MessageExport.unscoped.create(company=company, campaign=campaign, page_rows=10)
    query = exporting.PAGES_QUERY.format(
        table='"messaging_message"', customer_id=exporting.CUSTOMER_ID_SQL, message=exporting.MESSAGE_SQL
    )

    # when
    with exporting.walking_the_id_index(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query}", exporting.pages_params(export, after=0))
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # then: the index gives the order; afterwards the planner is as it was
    assert "Index Scan using message_campaign_id" in plan and "Bitmap" not in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone() == ("on",)


def test_a_json_message_is_the_message_when_the_body_is_empty(company, django_capture_on_commit_callbacks):
    payload = {"to": "+447700900001", "text": 'Hi, "you"\n🎉', "n": [1, 2]}
    campaign = campaign_with_bulk_messages(company, ["", "text wins"], payloads=[payload, {"x": 1}])

    _publish(company, campaign, django_capture_on_commit_callbacks)
    rows = _fetch(company, campaign, 0, ExportType.JSON).rows

    assert json.loads(rows[0]["message"]) == payload
    assert rows[1]["message"] == "text wins"


def test_a_v2_client_campaign_is_found_by_its_integer_id_and_names_its_clients(
    company, django_capture_on_commit_callbacks
):
    # given: a campaign of campaign API v2, fired and generated
    fields = ClientCampaignFields(
        name="Orders",
        account_ids=["+966539078942", "966539078943"],
        params=[["John"], ["Jane"]],
        json=WHATSAPP_JSON,
        message="Hi {{1}}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        written = client_campaign_create(company=company, user=None, data=fields)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.campaigns_fire_due.apply()
    number = written.client_campaign.pk

    # when: published and fetched by its integer ID (a number or its digits)
    with django_capture_on_commit_callbacks(execute=True):
        export = messages_publish(company=company, campaign_id=number, user=None, ip=IP)
    page = messages_fetch(
        company=company, campaign_id=str(number), file_num=0, export_type=ExportType.JSON, user=None, ip=IP
    )

    # then: customer_id is each client's AccountID, in client order
    assert export.campaign_id == written.client_campaign.campaign_id
    assert page.rows == [
        {"customer_id": "+966539078942", "message": "Hi John"},
        {"customer_id": "+966539078943", "message": "Hi Jane"},
    ]


def test_a_page_larger_than_the_json_limit_is_truncated(
    settings, company, django_capture_on_commit_callbacks
):
    settings.MESSAGES_EXPORT_PAGE_ROWS = 5000
    campaign = campaign_with_bulk_messages(company, [f"message {i}" for i in range(1001)])
    _publish(company, campaign, django_capture_on_commit_callbacks)

    page = _fetch(company, campaign, 0, ExportType.JSON)

    assert (len(page.rows), page.truncated, page.num_files) == (1000, True, 1)
    assert page.rows == expected_rows(campaign)[:1000]
    assert len(csv_rows(_fetch(company, campaign, 0, ExportType.UTF8).text)) == 1001


def test_an_unreadable_page_is_reported_as_such(company, django_capture_on_commit_callbacks):
    campaign = campaign_with_bulk_messages(company, ["a", "b"])
    export = _publish(company, campaign, django_capture_on_commit_callbacks)
    default_storage.delete(export.page_key(0))
    default_storage.save(export.page_key(0), ContentFile(b"customer_id,message\n\xff\xfe,broken\n"))

    for export_type in (ExportType.UTF8, ExportType.JSON):
        with pytest.raises(ExportPageUnreadable):
            _fetch(company, campaign, 0, export_type)
    default_storage.delete(export.page_key(0))
    with pytest.raises(ExportPageUnreadable):
        _fetch(company, campaign, 0, ExportType.UTF8)


# ---- lookups, nothing to publish, file numbers --------------------------------------------------


def test_only_the_companys_message_campaigns_are_found(company, django_capture_on_commit_callbacks):
    campaign = MessageCampaignFactory(company=company)
    other = CompanyFactory()

    assert get_exportable_campaign(company=company, campaign_id=str(campaign.pk)) == campaign
    assert get_exportable_campaign(company=company, campaign_id=campaign.pk) == campaign
    assert get_exportable_campaign(company=company, campaign_id=f" {str(campaign.pk).upper()} ") == campaign
    for wrong in (
        "nope",
        None,
        1.5,
        [],
        {},
        "",
        "12x",
        "١٢",
        str(campaign.pk)[:-1],
        0,
        -1,
        2**70,
        "9" * 40,
        True,
    ):
        with pytest.raises(ExportCampaignNotFound):
            get_exportable_campaign(company=company, campaign_id=wrong)
    with pytest.raises(ExportCampaignNotFound):
        get_exportable_campaign(company=other, campaign_id=campaign.pk)
    with pytest.raises(ExportCampaignNotFound):
        messages_publish(company=other, campaign_id=campaign.pk, user=None, ip=IP)


def test_a_print_campaign_is_not_found(company):
    print_campaign = MessageCampaignFactory(company=company, channel="post")

    with pytest.raises(ExportCampaignNotFound):
        get_exportable_campaign(company=company, campaign_id=print_campaign.pk)


def test_nothing_to_publish_and_no_file_before_a_first_export(company):
    campaign = MessageCampaignFactory(company=company)

    with pytest.raises(NothingToPublish):
        messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    pages = _pages(company, campaign)
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
    campaign = campaign_with_bulk_messages(company, ["a", "b"])
    _publish(company, campaign, django_capture_on_commit_callbacks)

    for file_num in (-1, 1, 2, True, "0", 1.5, None):
        with pytest.raises(ExportFileNotFound):
            _fetch(company, campaign, file_num, ExportType.UTF8)
    assert _fetch(company, campaign, 0, ExportType.JSON).rows == expected_rows(campaign)


def test_every_call_is_audited_with_its_job(company, api_user, django_capture_on_commit_callbacks):
    campaign = campaign_with_bulk_messages(company, ["a"])

    export = _publish(company, campaign, django_capture_on_commit_callbacks, user=api_user)
    _pages(company, campaign)
    _fetch(company, campaign, 0, ExportType.UTF8)

    calls = MessagesApiCall.objects.filter(company=company).order_by("id")
    assert [(c.endpoint, c.job_id) for c in calls] == [
        ("messages/publish", export.pk),
        ("messages/pages", export.pk),
        ("messages/fetch", export.pk),
    ]
    assert calls[0].user == api_user
    assert (export.requested_by, export.requested_ip) == (api_user, IP)


# ---- publishing again, waiting, quota -----------------------------------------------------------


def test_a_publish_while_one_is_at_work_gets_that_one(company, django_capture_on_commit_callbacks):
    campaign = campaign_with_bulk_messages(company, ["a", "b"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first = messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
        second = messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)

    assert first.pk == second.pk and first.status == "queued"
    assert len(queued) == 1
    assert _pages(company, campaign).status == "queued"


def test_a_re_publish_writes_a_new_version_and_switches_to_it_when_complete(
    library_storage, settings, company, django_capture_on_commit_callbacks
):
    # given: a published campaign, then more messages from a later firing
    settings.MESSAGES_EXPORT_PAGE_ROWS = 2
    campaign = campaign_with_bulk_messages(company, ["a", "b", "c"])
    first = _publish(company, campaign, django_capture_on_commit_callbacks)
    add_messages(campaign, ["d", "e"])

    # when: published again; while the new export is queued, the first one is still served
    with django_capture_on_commit_callbacks(execute=False) as queued:
        second = messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)
    assert second.pk != first.pk
    assert [row["message"] for row in _fetch_all(company, campaign, ExportType.JSON)] == ["a", "b", "c"]
    queued[0]()

    # then: the new version is current, under its own prefix; the old files stay a while
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_current, second.is_current, second.pages, second.rows) == (False, True, 3, 5)
    assert [row["message"] for row in _fetch_all(company, campaign, ExportType.UTF8)] == [
        "a",
        "b",
        "c",
        "d",
        "e",
    ]
    old_keys = {first.page_key(n) for n in range(2)}
    new_keys = {second.page_key(n) for n in range(3)}
    assert library_storage.all_keys() == old_keys | new_keys
    assert first.files_purge_at > timezone.now() + timedelta(seconds=settings.MESSAGES_EXPORT_URL_SECONDS - 5)

    # and: the purge removes the old version's files once their time has come, not before
    assert tasks.message_exports_purge.apply().get() == 0
    with time_machine.travel(first.files_purge_at + timedelta(seconds=1), tick=False):
        assert tasks.message_exports_purge.apply().get() == 1
    assert library_storage.all_keys() == new_keys
    first.refresh_from_db()
    assert first.files_purge_at is None
    assert MessagesUsage.objects.get(company=company).rows_published == 3 + 5


def test_an_export_waits_while_generation_runs(company, django_capture_on_commit_callbacks):
    # given: a campaign whose firing is still generating
    campaign = campaign_with_bulk_messages(company, [])
    occurrence = add_messages(campaign, ["a"])
    occurrence.status = "generating"
    occurrence.save(update_fields=["status"])

    # when: published, the export waits
    export = _publish(company, campaign, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("queued", 0)

    # then: once generation is done, the task writes it
    occurrence.status = "generated"
    occurrence.save(update_fields=["status"])
    assert tasks.message_export_run.apply(args=[str(export.pk)]).get() == "done"
    assert _pages(company, campaign).total_rows == 1


def test_a_publish_beyond_the_monthly_row_limit_is_refused_and_queues_nothing(
    company, django_capture_on_commit_callbacks
):
    # given: a limit of 5 rows a month, 3 already published
    company.messages_monthly_row_limit = 5
    company.save(update_fields=["messages_monthly_row_limit"])
    published = campaign_with_bulk_messages(company, ["a", "b", "c"])
    _publish(company, published, django_capture_on_commit_callbacks)
    bigger = campaign_with_bulk_messages(company, ["d", "e", "f"])

    # when / then: 3 + 3 > 5
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        pytest.raises(UsageLimitExceeded) as refused,
    ):
        messages_publish(company=company, campaign_id=bigger.pk, user=None, ip=IP)
    assert queued == []
    assert refused.value.params == {"limit": 5, "used": 3, "requested": 3}
    assert not MessageExport.objects.for_company(company).filter(campaign=bigger).exists()

    # and: 3 + 2 fits; without a limit anything does
    fits = campaign_with_bulk_messages(company, ["g", "h"])
    assert _publish(company, fits, django_capture_on_commit_callbacks).pk
    company.messages_monthly_row_limit = None
    company.save(update_fields=["messages_monthly_row_limit"])
    assert _publish(company, bigger, django_capture_on_commit_callbacks).pk
    assert MessagesUsage.objects.get(company=company).rows_published == 3 + 2 + 3


# ---- a killed run, resumed ----------------------------------------------------------------------


def _interrupted_after_two_pages(export: MessageExport) -> MessageExport:
    """As a worker killed mid-export leaves it: two pages committed, the third half-written."""
    taken = exporting._take(export.pk)
    _write_pages(taken, 2)
    default_storage.save(taken.page_key(2), ContentFile(b"customer_id,message\nhalf a row"))
    return taken


def _write_pages(export: MessageExport, count: int) -> None:
    """Write and commit the export's next `count` pages, as its run does."""
    segments = exporting.read_segments(export, after=export.checkpoint_message_id)
    with exporting.PageWriter(export) as writer:
        pages = next(segments)
        for _ in range(count):
            writer.put(*next(pages))
        pages.close()
    segments.close()


def test_a_resumed_export_rewrites_only_its_unfinished_page_and_ends_with_the_same_files(
    library_storage, settings, company, django_capture_on_commit_callbacks
):
    # given: a campaign of 45 hostile messages and a complete export of it, pages of 10 rows
    settings.MESSAGES_EXPORT_PAGE_ROWS = 10
    campaign = campaign_with_bulk_messages(company, [HOSTILE[i % len(HOSTILE)] for i in range(45)])
    reference = _publish(company, campaign, django_capture_on_commit_callbacks)
    reference.refresh_from_db()

    # when: a second export is interrupted, its lease runs out and the sweep resumes it
    export = MessageExport.unscoped.create(company=company, campaign=campaign, page_rows=10)
    interrupted = _interrupted_after_two_pages(export)
    assert (interrupted.pages, interrupted.checkpoint_message_id) == (2, reference_ids(campaign)[19])
    written_before = {n: default_storage.get_modified_time(export.page_key(n)) for n in range(2)}
    MessageExport.unscoped.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.message_exports_resume_stale.apply().get()

    # then: it completes with the same files, its committed pages untouched
    assert outcome == {"resumed": 1, "failed": 0}
    export.refresh_from_db()
    assert (export.status, export.is_current, export.pages, export.rows, export.attempts) == (
        "done",
        True,
        5,
        45,
        2,
    )
    assert stored_pages(export) == stored_pages(reference)
    assert {n: default_storage.get_modified_time(export.page_key(n)) for n in range(2)} == written_before


def reference_ids(campaign) -> list[int]:
    return list(Message.unscoped.filter(campaign_id=campaign.pk).order_by("id").values_list("id", flat=True))


def test_a_run_whose_lease_was_taken_over_stops_without_writing(company, django_capture_on_commit_callbacks):
    campaign = campaign_with_bulk_messages(company, ["a", "b", "c"])
    export = MessageExport.unscoped.create(company=company, campaign=campaign, page_rows=1)
    stale = exporting._take(export.pk)
    MessageExport.unscoped.filter(pk=export.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert exporting.export_run(export_id=export.pk) == "done"

    with pytest.raises(exporting.ExportSuperseded):
        _write_pages(stale, 1)
    export.refresh_from_db()
    assert (export.pages, export.rows, export.attempts) == (3, 3, 2)


def test_an_export_whose_worker_vanished_too_often_fails(settings, company):
    campaign = campaign_with_bulk_messages(company, ["a"])
    export = MessageExport.unscoped.create(
        company=company,
        campaign=campaign,
        page_rows=10,
        status="running",
        attempts=settings.MESSAGES_EXPORT_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )

    assert tasks.message_exports_resume_stale.apply().get() == {"resumed": 0, "failed": 1}
    export.refresh_from_db()
    assert (export.status, export.error, export.is_current) == ("failed", "interrupted", False)
    assert _pages(company, campaign).status == "failed"


# ---- download tokens ----------------------------------------------------------------------------


def test_a_download_token_expires(settings, company, django_capture_on_commit_callbacks):
    campaign = campaign_with_bulk_messages(company, ["a"])
    _publish(company, campaign, django_capture_on_commit_callbacks)
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        page = _fetch(company, campaign, 0, ExportType.URL)
    assert (page.url, page.expires_at) == (
        None,
        issued + timedelta(seconds=settings.MESSAGES_EXPORT_URL_SECONDS),
    )

    with time_machine.travel(
        issued + timedelta(seconds=settings.MESSAGES_EXPORT_URL_SECONDS - 1), tick=False
    ):
        handle, _name = download_open(token=page.url_token)
        handle.close()
    with (
        time_machine.travel(issued + timedelta(seconds=settings.MESSAGES_EXPORT_URL_SECONDS + 1), tick=False),
        pytest.raises(DownloadRefused),
    ):
        download_open(token=page.url_token)


def test_an_altered_download_token_opens_nothing(company, django_capture_on_commit_callbacks):
    from django.core import signing

    campaign = campaign_with_bulk_messages(company, ["a"])
    export = _publish(company, campaign, django_capture_on_commit_callbacks)
    token = _fetch(company, campaign, 0, ExportType.URL).url_token
    other = CompanyFactory()
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        _with_claims(
            token, {"c": str(other.pk), "k": export.page_key(0).replace(str(company.pk), str(other.pk))}
        ),
        "",
        "x" * 5000,
        signing.dumps({"c": str(company.pk), "k": export.page_key(0)}, salt="another salt"),
        signing.dumps(
            {"c": str(other.pk), "k": export.page_key(0)}, salt="messaging.export.download", key="k" * 50
        ),
    ]
    for bad in forged:
        with pytest.raises(DownloadRefused):
            download_open(token=bad)


def _with_claims(token: str, claims: dict) -> str:
    """The token with its claims replaced and its signature kept."""
    from django.core.signing import b64_encode

    _payload, stamp, signature = token.rsplit(":", 2)
    payload = b64_encode(json.dumps(claims, separators=(",", ":")).encode()).decode()
    return f"{payload}:{stamp}:{signature}"


def test_a_token_for_another_companys_folder_is_refused_even_if_signed(
    company, django_capture_on_commit_callbacks
):
    from django.core import signing

    from messaging.services.exports import DOWNLOAD_SALT

    campaign = campaign_with_bulk_messages(company, ["a"])
    export = _publish(company, campaign, django_capture_on_commit_callbacks)
    other = CompanyFactory()
    for claims in (
        {"c": str(other.pk), "k": export.page_key(0)},
        {"c": str(company.pk), "k": export.page_key(0) + "/../../x"},
        {"c": str(company.pk), "k": "../" + export.page_key(0)},
        ["c", "k"],
    ):
        with pytest.raises(DownloadRefused):
            download_open(token=signing.dumps(claims, salt=DOWNLOAD_SALT))


def test_a_presigned_url_lives_the_set_time(
    library_storage, settings, company, django_capture_on_commit_callbacks
):
    if library_storage.name != "s3":
        pytest.skip("presigned URLs are S3's")
    settings.MESSAGES_EXPORT_URL_SECONDS = 600
    campaign = campaign_with_bulk_messages(company, ["a"])
    _publish(company, campaign, django_capture_on_commit_callbacks)

    page = _fetch(company, campaign, 0, ExportType.URL)

    query = parse_qs(urlsplit(page.url).query)
    if "X-Amz-Expires" in query:  # signature version 4
        assert query["X-Amz-Expires"] == ["600"]
    else:
        assert abs(int(query["Expires"][0]) - (timezone.now().timestamp() + 600)) < 10
    assert page.url_token is None and page.expires_at > timezone.now() + timedelta(seconds=590)

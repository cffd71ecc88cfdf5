"""POST /api/v1/recipients/import: validation up front, then the import (eager here; a real
worker in tests/integration)."""

import base64
import csv
import io
import tempfile
import time
import uuid

import pytest
from django.db import connection
from openpyxl import Workbook

from recipients import importing
from recipients.models import ImportJob, Recipient, RecipientCounter, RecipientGroup
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db
URL = "/api/v1/recipients/import"
ACCEPTED = "Your file has been accepted and is being processed."

MAPPINGS = [
    {"sourceHeader": "First Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Last Name", "destinationField": "LastName", "mappingType": "standard"},
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    {"sourceHeader": "E-mail", "destinationField": "Email", "mappingType": "standard"},
    {"sourceHeader": "MemberId", "destinationField": "MemberId", "mappingType": "custom"},
    {"sourceHeader": "Notes", "destinationField": "Notes", "mappingType": "skip"},
]
CSV = (
    "First Name,Last Name,Street,Post Code,E-mail,MemberId,Notes\n"
    "John,Doe,1 Main Street,sw1a 1aa,john@example.com,A1,hello\n"
    'Jane,"Smith, Jr",2 High St,cb1 2ab,,A2,"multi\nline"\n'
    "No,Address,,AB1 2CD,,A3,\n"
    "No,Postcode,3 Low St,,,A4,\n"
)


@pytest.fixture(autouse=True)
def _run_tasks_on_commit(authed_client, django_capture_on_commit_callbacks):
    """Tests run inside a transaction that never commits: run the queued task at the request's end,
    as a real commit would."""
    original = authed_client.generic

    def generic(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return original(*args, **kwargs)

    authed_client.generic = generic


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _import(
    client, *, data: bytes = CSV.encode(), name="March Import", file_name="recipients.csv", mappings=MAPPINGS
):
    body = {"groupName": name, "fileName": file_name, "fileData": _b64(data), "mappings": mappings}
    return client.post(URL, body, format="json")


def _group(company, name="March Import") -> RecipientGroup:
    return RecipientGroup.objects.for_company(company).get(name=name)


def test_import_accepts_and_imports_valid_rows(authed_client, company):
    # when
    response = _import(authed_client)

    # then: 202 with the documented shape
    body = assert_envelope(response, 202, None, errors=None)
    assert body["data"]["message"] == ACCEPTED
    job = ImportJob.objects.for_company(company).get(pk=body["data"]["jobId"])
    assert job.status == ImportJob.Status.DONE
    group = _group(company)
    assert (group.status, group.recipient_count, group.total_records, group.failed_records) == (
        "ready",
        2,
        4,
        2,
    )
    assert group.file_name == "recipients.csv"
    john, jane = group.recipients.order_by("source_row")
    assert (john.first_name, john.postcode, john.email, john.custom_fields) == (
        "John",
        "SW1A 1AA",
        "john@example.com",
        {"MemberId": "A1"},
    )
    assert jane.last_name == "Smith, Jr"
    assert RecipientCounter.objects.get(company=company).count == 2


# Rows count like a spreadsheet's: the header is row 1, and a quoted field spanning two lines
# is still one row.
def test_group_detail_shows_the_counts_and_errors_report(authed_client, company):
    _import(authed_client)
    data = assert_envelope(authed_client.get("/api/v1/groups/by-name", {"name": "March Import"}), 200)["data"]
    assert (data["status"], data["recipientCount"], data["failedRecords"], data["totalRecords"]) == (
        "ready",
        2,
        2,
        4,
    )
    report = authed_client.get(f"/api/v1/groups/{data['id']}/import-errors")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert report.content.decode().splitlines() == [
        "row,reason",
        "4,The Address1 field is required.",
        "5,The Postcode field is required.",
    ]


def test_the_errors_report_never_hands_a_spreadsheet_a_formula(authed_client, company):
    """A custom column's header becomes the field name in a row's reason: a header a spreadsheet
    would run (= + - @) reaches the report as text, with a leading apostrophe."""
    # given: custom columns named like formulas (no destinationField: the header is the name),
    # and one row each whose value in that column is too long
    headers = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "-5", "Notes"]
    mappings = [
        {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
        {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
        *({"sourceHeader": header, "mappingType": "custom"} for header in headers),
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Street", "Post Code", *headers])
    for column in range(len(headers)):
        writer.writerow(
            ["1 High St", "AB1 2CD", *("x" * 1001 if i == column else "" for i in range(len(headers)))]
        )
    writer.writerow(["1 High St", "", *[""] * len(headers)])
    _import(authed_client, data=out.getvalue().encode(), mappings=mappings)
    group = _group(company)

    # when
    report = authed_client.get(f"/api/v1/groups/{group.pk}/import-errors")

    # then
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(report.content.decode()))) == [
        ["row", "reason"],
        ["2", '\'=HYPERLINK("http://x","y") is longer than 1000 characters.'],
        ["3", "'+1 is longer than 1000 characters."],
        ["4", "'-2+3 is longer than 1000 characters."],
        ["5", "'@SUM(A1) is longer than 1000 characters."],
        ["6", "'-5 is longer than 1000 characters."],
        ["7", "Notes is longer than 1000 characters."],
        ["8", "The Postcode field is required."],
    ]


def test_import_of_xlsx(authed_client, company):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["First Name", "Last Name", "Street", "Post Code", "E-mail", "MemberId", "Notes"])
    sheet.append(["Ann", "Lee", "9 Quay", "BS1 4DJ", None, 1029, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert_envelope(_import(authed_client, data=buffer.getvalue(), file_name="people.xlsx"), 202)
    (ann,) = _group(company).recipients.all()
    assert (ann.first_name, ann.postcode, ann.custom_fields) == ("Ann", "BS1 4DJ", {"MemberId": "1029"})


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\n  \n", "The file is empty."),
        (
            b"First Name,Street\nJohn,1 Main St\n",
            "The file has no column named: Last Name, Post Code, E-mail, MemberId.",
        ),
        (b"PK\x03\x04 not really a zip", None),
    ],
)
def test_unusable_file_fails_the_group_with_a_reason(authed_client, company, data, reason):
    assert_envelope(_import(authed_client, data=data), 202)
    group = _group(company)
    assert group.status == "failed" and group.failure_reason
    if reason:
        assert group.failure_reason == reason
    assert group.recipient_count == 0 and not Recipient.objects.for_company(company).exists()
    data = assert_envelope(authed_client.get("/api/v1/groups/by-name", {"name": "March Import"}), 200)["data"]
    assert data["status"] == "failed" and data["failureReason"] == group.failure_reason


def test_empty_file_at_a_url_fails_the_group(authed_client, company, file_server):
    url = file_server({"/empty.csv": b""}) + "/empty.csv"
    body = {"groupName": "G", "fileName": "empty.csv", "fileUrl": url, "mappings": MAPPINGS}
    assert_envelope(authed_client.post(URL, body, format="json"), 202)
    group = _group(company, "G")
    assert (group.status, group.failure_reason) == ("failed", "The file is empty.")


def test_import_needs_exactly_one_source(authed_client, company):
    both = {
        "groupName": "G",
        "fileName": "a.csv",
        "fileData": _b64(b"x"),
        "fileUrl": "https://example.com/a.csv",
        "mappings": MAPPINGS,
    }
    for body in (both, {**both, "fileData": None, "fileUrl": None}):
        response = authed_client.post(URL, body, format="json")
        assert_envelope(
            response, 400, "You must provide either 'fileData' (Base64) or a 'fileUrl'.", errors=None
        )
    assert not RecipientGroup.objects.for_company(company).filter(name="G").exists()


def test_import_into_an_existing_group_name(authed_client, company):
    _import(authed_client)
    response = _import(authed_client)
    assert_envelope(
        response, 400, "A group with this name already exists. Please choose a different name.", errors=None
    )


@pytest.mark.parametrize(
    "mappings",
    [
        [],
        [{"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "weird"}],
        [{"sourceHeader": "Street", "destinationField": "Nonsense", "mappingType": "standard"}],
        [
            {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"}
        ],  # no Postcode
    ],
)
def test_bad_mappings_are_refused_before_anything_is_queued(authed_client, company, mappings):
    assert_envelope(_import(authed_client, mappings=mappings), 400)
    assert not RecipientGroup.objects.for_company(company).filter(name="March Import").exists()
    assert not ImportJob.objects.for_company(company).exists()


def test_unknown_standard_field_lists_the_accepted_ones(authed_client):
    mappings = [{"sourceHeader": "Street", "destinationField": "Nonsense", "mappingType": "standard"}]
    body = assert_envelope(_import(authed_client, mappings=mappings), 400)
    assert "Nonsense" in body["message"] and "Address1" in body["message"] and "Postcode" in body["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"groupName": "G"},
        {"groupName": "G", "fileName": "a.csv", "fileData": "!!!", "mappings": MAPPINGS},
    ],
)
def test_malformed_import_requests_are_400(authed_client, body):
    assert_envelope(authed_client.post(URL, body, format="json"), 400)


def test_file_url_that_is_not_http_is_refused(authed_client, company):
    body = {"groupName": "G", "fileName": "a.csv", "fileUrl": "ftp://example.com/a.csv", "mappings": MAPPINGS}
    assert_envelope(authed_client.post(URL, body, format="json"), 400)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.csv",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/x.csv",
        "http://[::1]/a.csv",
        "http://[fec0::1]/x.csv",
        "http://[::ffff:10.0.0.8]/x.csv",
    ],
)
def test_file_url_to_a_private_address_fails_the_group(authed_client, company, url):
    body = {"groupName": "G", "fileName": "a.csv", "fileUrl": url, "mappings": MAPPINGS}
    assert_envelope(authed_client.post(URL, body, format="json"), 202)
    group = _group(company, "G")
    assert group.status == "failed"
    assert group.failure_reason == "The file URL points to an address that is not allowed."


def test_a_url_that_cannot_be_fetched_leaves_no_temporary_file(authed_client, company, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    body = {"groupName": "G", "fileName": "a.csv", "fileUrl": "http://127.0.0.1/a.csv", "mappings": MAPPINGS}

    assert_envelope(authed_client.post(URL, body, format="json"), 202)

    assert _group(company, "G").status == "failed"
    assert list(tmp_path.iterdir()) == []


def test_import_from_url(authed_client, company, settings, file_server):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    url = file_server({"/people.csv": CSV.encode()})
    body = {
        "groupName": "From URL",
        "fileName": "people.csv",
        "fileUrl": url + "/people.csv",
        "mappings": MAPPINGS,
    }
    assert_envelope(authed_client.post(URL, body, format="json"), 202)
    assert _group(company, "From URL").recipient_count == 2


def test_cp1252_semicolon_file(authed_client, company):
    data = CSV.replace(",", ";").replace("John", "Zoë").encode("cp1252")
    assert_envelope(_import(authed_client, data=data), 202)
    assert _group(company).recipients.filter(first_name="Zoë").exists()


def test_a_job_that_keeps_dying_is_stopped(company, settings):
    # given: a job whose worker was killed more times than allowed (attempts count each start),
    # the last time long enough ago for its lease to have run out
    from datetime import timedelta

    from django.utils import timezone

    from recipients import importing

    job = importing.recipient_import_start(
        company=company,
        group_name="Poison",
        file_name="a.csv",
        file_data=_b64(CSV.encode()),
        file_url=None,
        mappings=MAPPINGS,
    )
    ImportJob.unscoped.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        attempts=settings.IMPORT_MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - timedelta(seconds=settings.IMPORT_LEASE_SECONDS + 1),
    )

    # when
    importing.recipient_import_run(job_id=job.pk)

    # then
    group = _group(company, "Poison")
    assert group.status == "failed" and "interrupted repeatedly" in group.failure_reason


def test_a_large_base64_import_is_accepted(authed_client, company):
    # given: a file far above Django's default 2.5 MB body limit
    header = CSV.splitlines()[0]
    rows = "\n".join(f"P{i},L{i},{i} Road,AB1 {i % 9}CD,,M{i},{'note ' * 24}" for i in range(30_000))
    data = (header + "\n" + rows + "\n").encode()
    assert len(base64.b64encode(data)) > importing.BASE64_CHUNK_CHARS  # decoded in several chunks

    # when / then
    assert_envelope(_import(authed_client, data=data), 202)
    assert _group(company).recipient_count == 30_000
    assert Recipient.objects.for_company(company).order_by("-source_row").first().last_name == "L29999"


def test_base64_that_is_not_valid_is_refused_before_anything_is_made(authed_client, company):
    body = {"groupName": "Broken", "fileName": "a.csv", "fileData": "bm90!!base64", "mappings": MAPPINGS}

    response = authed_client.post(URL, body, format="json")

    assert_envelope(response, 400, "fileData is not valid Base64.")
    assert not RecipientGroup.objects.for_company(company).filter(name="Broken").exists()


def test_base64_wrapped_in_lines_is_accepted(authed_client, company):
    wrapped = base64.encodebytes(CSV.encode()).decode()  # 76-character lines
    body = {"groupName": "Wrapped", "fileName": "a.csv", "fileData": wrapped, "mappings": MAPPINGS}
    assert_envelope(authed_client.post(URL, body, format="json"), 202)
    assert _group(company, "Wrapped").recipient_count == 2


def test_a_run_that_lost_the_race_leaves_the_other_runs_work(company, settings):
    # given: a job whose checkpoint another run has moved past the row this run starts from
    from recipients import importing

    settings.IMPORT_BATCH_ROWS = 1
    job = importing.recipient_import_start(
        company=company,
        group_name="Race",
        file_name="a.csv",
        file_data=_b64(CSV.encode()),
        file_url=None,
        mappings=MAPPINGS,
    )
    stale = ImportJob.unscoped.get(pk=job.pk)
    ImportJob.unscoped.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, checkpoint_row=3, processed_rows=2
    )

    # when: the stale run tries to commit its first batch
    with pytest.raises(importing.RunSuperseded):
        batch = importing._checked_batch(
            stale, [(2, ["A", "1 St", "AB1 2CD"])], importing.RowPlan.build({}, [])
        )
        importing._commit_batch(stale, batch)

    # then: nothing of the other run is undone
    job.refresh_from_db()
    assert (job.checkpoint_row, job.processed_rows, job.status) == (3, 2, ImportJob.Status.RUNNING)


def test_columns_feeding_one_field_and_custom_values_that_need_escaping(authed_client, company):
    # given: two columns mapped to Address1 (the last filled one wins) and a custom value with quotes
    mappings = [
        {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
        {"sourceHeader": "Street 2", "destinationField": "Address1", "mappingType": "standard"},
        {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
        {"sourceHeader": "Note", "destinationField": 'Note "quoted"', "mappingType": "custom"},
    ]
    data = 'Street,Street 2,Post Code,Note\n1 High St,,ab1 2cd,"say ""hi"" \\ é"\n2 Low St,Flat 3,ab1 2ce,\n'

    # when
    _import(authed_client, data=data.encode(), mappings=mappings)

    # then: rows keep the file's order, and every value arrives intact
    rows = authed_client.get("/api/v1/recipients").json()["data"]["data"]
    assert [(r["address1"], r["postCode"], r["customFields"]) for r in rows] == [
        ("1 High St", "AB1 2CD", {'Note "quoted"': 'say "hi" \\ é'}),
        ("Flat 3", "AB1 2CE", {'Note "quoted"': ""}),
    ]


def test_field_values_with_tabs_backslashes_and_line_breaks_arrive_intact(authed_client, company):
    # given: values that COPY's text format must escape, and one that looks like its NULL marker
    mappings = [
        {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
        {"sourceHeader": "Town", "destinationField": "City", "mappingType": "standard"},
        {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
        {"sourceHeader": "Company", "destinationField": "CompanyName", "mappingType": "standard"},
    ]
    data = (
        "Street,Town,Post Code,Company\n"
        '"1\tTab St","C:\\Leeds\\",ab1 2cd,\\N\n'
        '"2 Line\r\nBreak St","Bath\nSpa",ab1 2ce,"Acme\\\tLtd"\n'
    )

    # when
    _import(authed_client, data=data.encode(), mappings=mappings)

    # then
    rows = authed_client.get("/api/v1/recipients").json()["data"]["data"]
    assert [(r["address1"], r["city"], r["companyName"]) for r in rows] == [
        ("1\tTab St", "C:\\Leeds\\", "\\N"),
        ("2 Line\r\nBreak St", "Bath\nSpa", "Acme\\\tLtd"),
    ]


@pytest.mark.parametrize("once", [True, False], ids=["references checked once", "checked per row"])
def test_both_ways_of_checking_references_import_the_same(authed_client, company, settings, once):
    settings.IMPORT_CHECK_REFERENCES_ONCE = once
    settings.IMPORT_BATCH_ROWS = 1  # several batches

    _import(authed_client)

    group = _group(company)
    assert (group.status, group.recipient_count) == ("ready", 2)
    assert set(group.memberships.values_list("recipient__address1", flat=True)) == {
        "1 Main Street",
        "2 High St",
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the per-row checks are back on after each batch
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


def test_imported_recipients_get_time_ordered_ids():
    from recipients.importing import ordered_uuids

    ids = [uuid.UUID(hex_id) for hex_id in ordered_uuids(500)]
    assert ids == sorted(ids) and len(set(ids)) == 500
    assert {(i.version, i.variant) for i in ids} == {(7, uuid.RFC_4122)}
    assert abs(int.from_bytes(ids[0].bytes[:6]) / 1000 - time.time()) < 60  # milliseconds of now


def test_a_file_that_breaks_halfway_fails_the_group_with_nothing_imported(authed_client, company, settings):
    # given: small batches, so rows before the broken one are already committed when it is read
    settings.IMPORT_BATCH_ROWS = 2
    good_rows = "".join(f"Name{i},X,{i} High St,AB1 2CD,,M{i},\n" for i in range(6))
    data = f"{CSV.splitlines()[0]}\n{good_rows}" + 'A,B,"never closed,AB1\n' + ("x" * 5_000_000) + "\n"

    # when
    _import(authed_client, data=data.encode())

    # then
    group = _group(company)
    assert group.status == "failed" and "could not be read" in group.failure_reason
    assert (group.recipient_count, Recipient.objects.for_company(company).count()) == (0, 0)
    assert RecipientCounter.objects.get(company=company).count == 0


def test_values_that_need_escaping_in_copy_arrive_intact(authed_client, company):
    # given: backslashes, tabs and a quoted line break, which COPY text must escape
    mappings = [
        {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
        {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
        {"sourceHeader": "Note", "destinationField": "Note", "mappingType": "custom"},
    ]
    data = 'Street,Post Code,Note\n"C:\\\\dir\\\\x",ab1 2cd,"tab\there"\n"two\nlines",ab1 2ce,"back\\\\."\n'

    # when
    _import(authed_client, data=data.encode(), mappings=mappings)

    # then
    rows = authed_client.get("/api/v1/recipients").json()["data"]["data"]
    assert [(r["address1"], r["customFields"]["Note"]) for r in rows] == [
        ("C:\\\\dir\\\\x", "tab\there"),
        ("two\nlines", "back\\\\."),
    ]

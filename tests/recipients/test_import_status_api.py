"""GET /api/v1/recipients/import/{jobId} (beyond the spec): where an import's jobId leads.

The import is started through the API; inside a test's transaction its task is not queued (no
commit), so the job waits as a queued one does. The worker's part is then played by calling the
import's own functions as its task does: a run that has read and committed every batch but not
yet finished is an import in progress."""

import base64
import io
import uuid

import pytest
from openpyxl import Workbook

from recipients import importing
from recipients.models import ImportJob
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db

MAPPINGS = [
    {"sourceHeader": "Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    {"sourceHeader": "Notes", "mappingType": "skip"},
]
# Five data rows (one without a postcode), one of them quoted over two lines: seven line breaks
# after the header, so the estimate (an upper bound) is 6. "Phone" and the second "Name" are
# named by no mapping; "Notes" is skipped on purpose.
CSV = (
    "Name,Street,Phone,Post Code,Notes,Name\n"
    "Ann,1 Road,0100,AB1 1CD,,x\n"
    'Bob,"2 Road\nBack",0101,AB1 2CD,,x\n'
    "Cat,3 Road,0102,,,x\n"
    "Dan,4 Road,0103,AB1 4CD,,x\n"
    "Eve,5 Road,0104,AB1 5CD,,x\n"
)
NOT_FOUND = "Import job not found."


def _start(client, *, data: bytes = CSV.encode(), file_name="people.csv", mappings=MAPPINGS) -> str:
    body = {"groupName": "March Import", "fileName": file_name,
            "fileData": base64.b64encode(data).decode(), "mappings": mappings}  # fmt: skip
    response = client.post("/api/v1/recipients/import", body, format="json")
    return assert_envelope(response, 202)["data"]["jobId"]


def _status(client, job_id) -> dict:
    response = client.get(f"/api/v1/recipients/import/{job_id}")
    return assert_envelope(response, 200, "Import job details")["data"]


def _counts(data: dict) -> tuple:
    return data["status"], data["rowsRead"], data["imported"], data["failed"], data["percent"]


def _read_every_batch(job_id, settings) -> None:
    """A worker's run that took the job and committed every batch, and has not finished it yet."""
    settings.IMPORT_BATCH_ROWS = 2
    job = ImportJob.unscoped.select_related("company", "group").get(pk=job_id)
    assert importing._take(job)
    job.refresh_from_db()
    with importing._local_copy(job) as path:
        importing._import_file(job, path)


def test_a_queued_import_names_its_group_and_has_no_progress_yet(authed_client, company):
    # given
    job_id = _start(authed_client)

    # when
    data = _status(authed_client, job_id)

    # then
    group = ImportJob.objects.for_company(company).get(pk=job_id).group
    assert (data["jobId"], data["groupId"], data["groupName"]) == (job_id, str(group.pk), "March Import")
    assert _counts(data) == ("queued", 0, 0, 0, 0)
    assert data["startedAt"] is None and data["finishedAt"] is None and data["failureReason"] is None
    assert data["fileName"] == "people.csv" and data["createdDate"].endswith("Z")
    assert data["unmappedColumns"] == [] and data["warnings"] == []  # known once a worker opens the file


def test_an_import_in_progress_shows_rows_read_of_its_estimate(authed_client, settings):
    # given: a run has read and committed every batch, and not finished
    job_id = _start(authed_client)
    _read_every_batch(job_id, settings)

    # when
    data = _status(authed_client, job_id)

    # then: 5 rows of an estimated 6 (a quoted line break counts as a row)
    assert _counts(data) == ("importing", 5, 4, 1, 83) and data["estimatedRows"] == 6
    assert data["startedAt"] is not None and data["finishedAt"] is None


def test_a_ready_import_is_complete_and_warns_of_the_columns_no_mapping_names(authed_client, company):
    # given
    job_id = _start(authed_client)

    # when: the worker runs it
    importing.recipient_import_run(job_id=job_id)
    data = _status(authed_client, job_id)

    # then
    assert _counts(data) == ("ready", 5, 4, 1, 100)
    assert data["finishedAt"] >= data["startedAt"]
    assert data["unmappedColumns"] == [{"column": 3, "header": "Phone"}, {"column": 6, "header": "Name"}]
    assert data["warnings"] == [
        'Column 3 ("Phone") was not imported: no mapping names it.',
        'Column 6 ("Name") was not imported: no mapping names it.',
    ]
    # and: kept on the job itself
    job = ImportJob.objects.for_company(company).get(pk=job_id)
    assert [c["header"] for c in job.unmapped_columns] == ["Phone", "Name"]


def test_every_column_mapped_gives_no_warning(authed_client):
    csv = b"Street,Post Code\n1 Road,AB1 1CD\n"
    job_id = _start(authed_client, data=csv, mappings=MAPPINGS[1:3])

    importing.recipient_import_run(job_id=job_id)

    data = _status(authed_client, job_id)
    assert data["status"] == "ready" and data["unmappedColumns"] == [] and data["warnings"] == []


def test_an_xlsx_import_has_no_estimate_and_warns_too(authed_client):
    # given
    workbook = Workbook()
    workbook.active.append(["Street", "Post Code", "Mobile phone"])
    workbook.active.append(["1 Road", "AB1 1CD", "07700900000"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job_id = _start(authed_client, data=buffer.getvalue(), file_name="people.xlsx", mappings=MAPPINGS[1:3])

    # when
    importing.recipient_import_run(job_id=job_id)

    # then
    data = _status(authed_client, job_id)
    assert _counts(data) == ("ready", 1, 1, 0, 100) and data["estimatedRows"] is None
    assert data["unmappedColumns"] == [{"column": 3, "header": "Mobile phone"}]


def test_a_failed_import_says_why_and_keeps_nothing(authed_client):
    # given: a mapping names a column the file does not have
    mappings = [*MAPPINGS, {"sourceHeader": "Town", "destinationField": "City", "mappingType": "standard"}]
    job_id = _start(authed_client, mappings=mappings)

    # when
    importing.recipient_import_run(job_id=job_id)

    # then
    data = _status(authed_client, job_id)
    assert _counts(data)[0] == "failed" and _counts(data)[2:] == (0, 0, None)
    assert data["failureReason"] == "The file has no column named: Town."
    assert data["finishedAt"] is not None


def test_another_companys_import_job_is_not_found(authed_client, other_company):
    # given
    foreign = importing.recipient_import_start(
        company=other_company, group_name="Theirs", file_name="people.csv",
        file_data=base64.b64encode(CSV.encode()).decode(), file_url=None, mappings=MAPPINGS,
    )  # fmt: skip

    # when
    response = authed_client.get(f"/api/v1/recipients/import/{foreign.pk}")

    # then
    assert_envelope(response, 404, NOT_FOUND, errors=["Not found"])


@pytest.mark.parametrize("job_id", [str(uuid.uuid4()), "not-a-guid", "123", "%00", uuid.uuid4().hex.upper()])
def test_an_unknown_or_malformed_job_id_is_not_found(authed_client, job_id):
    response = authed_client.get(f"/api/v1/recipients/import/{job_id}")

    assert_envelope(response, 404, NOT_FOUND, errors=["Not found"])


def test_the_status_needs_a_token(api_client, authed_client):
    job_id = _start(authed_client)

    response = api_client.__class__().get(f"/api/v1/recipients/import/{job_id}")

    assert_envelope(response, 401)


def test_the_schema_documents_the_route_its_shape_and_its_404(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/recipients/import/{job_id}"]["get"]
    assert operation["summary"] == "Follow a recipient import"
    assert "unmappedColumns" in operation["description"]
    ok = operation["responses"]["200"]["content"]["application/json"]
    assert ok["examples"]["Importing"]["value"]["data"]["status"] == "importing"
    shape = schema["components"]["schemas"][ok["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]["data"]
    fields = schema["components"]["schemas"][shape["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"status", "rowsRead", "imported", "failed", "percent", "startedAt", "finishedAt",
            "failureReason", "groupId", "groupName", "unmappedColumns", "warnings"} <= set(fields)  # fmt: skip
    not_found = operation["responses"]["404"]
    examples = not_found["content"]["application/json"]["examples"].values()
    assert [e["value"]["message"] for e in examples] == [NOT_FOUND]

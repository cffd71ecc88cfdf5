"""The import as a worker runs it on PostgreSQL (outside any transaction): a forked child reads
and checks the next batch while this process commits the previous one. Committed for real here,
as in a worker."""

import base64
import io

import pytest
from django.db import connection
from openpyxl import Workbook

from recipients import importing
from recipients.models import GroupMembership, ImportJob, ImportRowError, Recipient, RecipientGroup
from tests.accounts.factories import CompanyFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the read-ahead child is PostgreSQL's path"),
]

MAPPINGS = [
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    {"sourceHeader": "Ref", "destinationField": "Ref", "mappingType": "custom"},
]


def _start(company, data: str | bytes, file_name="people.csv") -> ImportJob:
    raw = data.encode() if isinstance(data, str) else data
    job = importing.recipient_import_start(
        company=company, group_name="Write-behind", file_name=file_name,
        file_data=base64.b64encode(raw).decode(), file_url=None, mappings=MAPPINGS,
    )  # fmt: skip
    return ImportJob.unscoped.get(pk=job.pk)  # run by now: eager tasks, and no transaction to wait for


def test_every_batch_is_committed_once_and_in_order(settings):
    settings.IMPORT_BATCH_ROWS = 7
    company = CompanyFactory()
    rows = [f"{i} Long Road,{'' if i % 10 == 0 else 'AB1 2CD'},R{i}" for i in range(1, 101)]

    job = _start(company, "Street,Post Code,Ref\n" + "\n".join(rows) + "\n")

    assert (job.status, job.checkpoint_row, job.imported_rows, job.failed_rows) == ("done", 101, 90, 10)
    imported = Recipient.objects.for_company(company).filter(import_job=job)
    assert sorted(imported.values_list("source_row", flat=True)) == [i + 1 for i in range(1, 101) if i % 10]
    assert GroupMembership.objects.filter(group=job.group).count() == 90
    assert ImportRowError.objects.filter(job=job).count() == 10
    assert RecipientGroup.unscoped.get(pk=job.group_id).recipient_count == 90


def test_a_file_that_breaks_after_committed_batches_leaves_nothing(settings):
    settings.IMPORT_BATCH_ROWS = 2
    company = CompanyFactory()
    good = "".join(f"{i} High St,AB1 2CD,R{i}\n" for i in range(9))

    job = _start(company, "Street,Post Code,Ref\n" + good + '1 Broken St,"never closed\n' + "x" * 5_000_000)

    assert job.status == "failed" and "could not be read" in job.failure_reason
    assert not Recipient.objects.for_company(company).exists()
    assert not GroupMembership.objects.filter(group=job.group).exists()


def test_an_xlsx_streams_from_its_converting_child_into_the_reader_child(settings):
    # the sheet's rows reach the reader child through the pipe of the child converting the sheet
    settings.IMPORT_BATCH_ROWS = 500
    company = CompanyFactory()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Street", "Post Code", "Ref"])
    for i in range(1, 3_001):
        sheet.append([f"{i} Long Road", "" if i % 100 == 0 else "AB1 2CD", i])
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = _start(company, buffer.getvalue(), file_name="people.xlsx")

    assert (job.status, job.imported_rows, job.failed_rows) == ("done", 2_970, 30)
    refs = Recipient.objects.for_company(company).values_list("custom_fields__Ref", flat=True)
    assert sorted(map(int, refs)) == [i for i in range(1, 3_001) if i % 100]
    assert RecipientGroup.unscoped.get(pk=job.group_id).recipient_count == 2_970

"""The import on a real worker, killed with SIGKILL mid-import: the redelivered task, or the
lease sweep of beat where nothing is redelivered, finishes the job with no duplicate recipients
and right counts."""

import base64

import pytest

from recipients import importing
from recipients.models import GroupMembership, ImportJob, Recipient, RecipientCounter, RecipientGroup
from tests.integration.conftest import needs_real_worker, wait_until

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

ROWS = 30_000
MAPPINGS = [
    {"sourceHeader": "Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
    {"sourceHeader": "Ref", "destinationField": "Ref", "mappingType": "custom"},
]
# Small batches and a short visibility timeout: many commits to kill between, quick redelivery;
# a short lease, so the redelivered task may take the job over from the dead worker.
WORKER_ENV = {
    "IMPORT_BATCH_ROWS": "300",
    "IMPORT_LEASE_SECONDS": "2",
    "CELERY_VISIBILITY_TIMEOUT": "4",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}
# No redelivery within the test (the default hour-long visibility timeout: the message a killed
# worker held is as good as lost, as on the embedded broker); beat's sweep every second.
SWEPT_WORKER_ENV = {"IMPORT_BATCH_ROWS": "300", "IMPORT_LEASE_SECONDS": "3"}
BEAT_ENV = {"IMPORT_SWEEP_SECONDS": "1"}


def _csv() -> bytes:
    lines = ["Name,Street,Post Code,Ref"]
    for i in range(ROWS):
        postcode = "" if i % 1000 == 0 else f"AB{i % 90 + 10} {i % 9}CD"  # every 1000th row invalid
        lines.append(f"Person {i},{i} Long Road,{postcode},R{i}")
    return ("\n".join(lines) + "\n").encode()


def _start_import(company) -> ImportJob:
    return importing.recipient_import_start(
        company=company, group_name="Big", file_name="big.csv",
        file_data=base64.b64encode(_csv()).decode(), file_url=None, mappings=MAPPINGS,
    )  # fmt: skip


def _imported_once_with_exact_counts(company, job: ImportJob) -> None:
    group = RecipientGroup.objects.for_company(company).get(name="Big")
    expected_valid = ROWS - ROWS // 1000
    imported = Recipient.objects.for_company(company).filter(import_job=job)
    assert imported.count() == expected_valid
    assert imported.values("source_row").distinct().count() == expected_valid
    assert GroupMembership.objects.filter(group=group).count() == expected_valid
    assert (group.status, group.recipient_count, group.failed_records, group.total_records) == (
        "ready", expected_valid, ROWS // 1000, ROWS,
    )  # fmt: skip
    assert RecipientCounter.objects.get(company=company).count == expected_valid


def test_worker_killed_mid_import_is_finished_by_the_redelivered_task(celery_worker_process, company):
    # given: an import running on a real worker
    job = _start_import(company)
    first = celery_worker_process(**WORKER_ENV)
    wait_until(
        lambda: ImportJob.unscoped.get(pk=job.pk).processed_rows >= 3000,
        timeout=90,
        interval=0.02,
        describe=first.log,
    )

    # when: the worker dies without acknowledging, and another one takes over
    first.kill()
    interrupted = ImportJob.unscoped.get(pk=job.pk)
    assert interrupted.status == ImportJob.Status.RUNNING and interrupted.processed_rows < ROWS
    second = celery_worker_process(**WORKER_ENV)

    # then: the job completes once, with every valid row exactly once
    wait_until(
        lambda: ImportJob.unscoped.get(pk=job.pk).status == ImportJob.Status.DONE,
        timeout=180,
        describe=second.log,
    )
    job.refresh_from_db()
    assert job.attempts >= 2
    _imported_once_with_exact_counts(company, job)


def test_worker_killed_mid_import_is_noticed_by_the_lease_sweep_and_resumed(
    celery_worker_process, celery_beat_process, company
):
    # given: an import running on a real worker, and beat with its sweep of stale imports
    job = _start_import(company)
    first = celery_worker_process(**SWEPT_WORKER_ENV)
    beat = celery_beat_process(**BEAT_ENV)
    wait_until(
        lambda: ImportJob.unscoped.get(pk=job.pk).processed_rows >= 3000,
        timeout=90,
        interval=0.02,
        describe=first.log,
    )

    # when: the worker dies mid-import, its message with it, and another worker is there
    first.kill()
    interrupted = ImportJob.unscoped.get(pk=job.pk)
    assert interrupted.status == ImportJob.Status.RUNNING and interrupted.processed_rows < ROWS
    second = celery_worker_process(**SWEPT_WORKER_ENV)

    # then: once the lease has run out, the sweep queues the job again and it completes once
    wait_until(
        lambda: ImportJob.unscoped.get(pk=job.pk).status == ImportJob.Status.DONE,
        timeout=180,
        describe=lambda: f"{second.log()}\n{beat.log()}",
    )
    job.refresh_from_db()
    assert job.attempts == 2  # the first run, and the one the sweep queued
    assert "'resumed': 1" in second.log_path.read_text()
    _imported_once_with_exact_counts(company, job)

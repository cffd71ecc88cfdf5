"""Imports whose worker vanished: the lease on the job row, the resume-stale-imports beat that
queues them again or fails them, and deleting their groups (DELETE /api/v1/groups/{id}).

The import is started through the API; inside a test's transaction its task is not queued (no
commit), which is what a job whose message was lost or whose worker died looks like. A worker
that committed some batches and died is played by taking the job and committing a batch as a
run does; a real worker killed with SIGKILL is in tests/integration/test_import_worker.py."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from recipients import importing
from recipients.models import GroupMembership, ImportJob, Recipient, RecipientCounter, RecipientGroup
from recipients.tasks import resume_stale_imports
from tests.platform_api import assert_envelope

pytestmark = pytest.mark.django_db

MAPPINGS = [
    {"sourceHeader": "Name", "destinationField": "FirstName", "mappingType": "standard"},
    {"sourceHeader": "Street", "destinationField": "Address1", "mappingType": "standard"},
    {"sourceHeader": "Post Code", "destinationField": "Postcode", "mappingType": "standard"},
]
ROWS = 7  # data rows 2..8 of the file; row 5 has no postcode
CSV = "Name,Street,Post Code\n" + "".join(
    f"P{i},{i} Road,{'' if i == 3 else f'AB1 {i}CD'}\n" for i in range(ROWS)
)
NOT_DELETABLE = "Group cannot be deleted in its current state."


@pytest.fixture
def stalled(authed_client, company):
    """An import accepted through the API whose task never ran (the test's transaction does not
    commit, so nothing is queued)."""
    body = {
        "groupName": "Stalled",
        "fileName": "people.csv",
        "fileData": base64.b64encode(CSV.encode()).decode(),
        "mappings": MAPPINGS,
    }
    data = assert_envelope(authed_client.post("/api/v1/recipients/import", body, format="json"), 202)["data"]
    return ImportJob.unscoped.select_related("company", "group").get(pk=data["jobId"])


def _died_after_one_batch(job: ImportJob, settings) -> ImportJob:
    """A run took the job, committed its first batch (file rows 2-4) and its worker died."""
    assert importing._take(job)
    return _commit_first_batch(job, settings)


def _commit_first_batch(job: ImportJob, settings) -> ImportJob:
    settings.IMPORT_BATCH_ROWS = 3
    job.refresh_from_db()
    columns = {"Name": 0, "Street": 1, "Post Code": 2}
    plan = importing.RowPlan.build(columns, [importing.Mapping(**m) for m in job.mappings])
    rows = [(i + 2, line.split(",")) for i, line in enumerate(CSV.splitlines()[1:4])]
    importing._commit_batch(job, importing._checked_batch(job, rows, plan))
    job.refresh_from_db()
    assert (job.status, job.checkpoint_row, job.imported_rows) == (ImportJob.Status.RUNNING, 4, 3)
    return job


def _past_the_lease(settings):
    return time_machine.travel(timezone.now() + timedelta(seconds=settings.IMPORT_LEASE_SECONDS + 1))


def _group(client, name="Stalled") -> dict:
    return assert_envelope(client.get("/api/v1/groups/by-name", {"name": name}), 200)["data"]


def test_a_running_import_renews_its_lease_with_every_batch(stalled, settings):
    # given: a run that took the job a while ago
    with time_machine.travel(timezone.now() - timedelta(seconds=60)):
        assert importing._take(stalled)
    taken_at = ImportJob.unscoped.get(pk=stalled.pk).heartbeat_at

    # when: it commits a batch
    job = _commit_first_batch(stalled, settings)

    # then
    assert job.heartbeat_at > taken_at + timedelta(seconds=59)


def test_an_import_whose_worker_died_is_resumed_by_the_beat_after_its_last_batch(
    authed_client, stalled, settings, django_capture_on_commit_callbacks
):
    # given: a worker that died after the first batch, and the lease that has run out since
    _died_after_one_batch(stalled, settings)

    with _past_the_lease(settings):
        # when: the beat's sweep runs (the task it queues runs in-process here)
        with django_capture_on_commit_callbacks(execute=True):
            outcome = resume_stale_imports.delay().get()

        # then: the job is finished from row 5 on, every valid row once, counts exact
        assert outcome == {"resumed": 1, "failed": 0}
        job = ImportJob.unscoped.get(pk=stalled.pk)
        assert (job.status, job.attempts, job.processed_rows, job.imported_rows, job.failed_rows) == (
            ImportJob.Status.DONE, 2, ROWS, ROWS - 1, 1,
        )  # fmt: skip
        data = _group(authed_client)
        assert (data["status"], data["recipientCount"], data["failedRecords"], data["totalRecords"]) == (
            "ready", ROWS - 1, 1, ROWS,
        )  # fmt: skip
        imported = Recipient.objects.for_company(stalled.company).filter(import_job=job)
        assert sorted(imported.values_list("source_row", flat=True)) == [2, 3, 4, 6, 7, 8]
        assert GroupMembership.objects.filter(group_id=stalled.group_id).count() == ROWS - 1
        assert RecipientCounter.objects.get(company=stalled.company).count == ROWS - 1


def test_a_queued_import_whose_message_was_lost_is_queued_again(
    authed_client, stalled, settings, django_capture_on_commit_callbacks
):
    # given: the job was queued, and no worker ever started it within the lease
    with _past_the_lease(settings):
        # when
        with django_capture_on_commit_callbacks(execute=True):
            outcome = resume_stale_imports.delay().get()

        # then
        assert outcome == {"resumed": 1, "failed": 0}
        assert _group(authed_client)["status"] == "ready"
        assert ImportJob.unscoped.get(pk=stalled.pk).attempts == 1


def test_an_import_within_its_lease_is_left_to_its_worker(
    stalled, settings, django_capture_on_commit_callbacks
):
    # given: a live run holding the job
    job = _died_after_one_batch(stalled, settings)

    # when: the sweep runs, and a second message for the job arrives
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert resume_stale_imports.delay().get() == {"resumed": 0, "failed": 0}
    importing.recipient_import_run(job_id=job.pk)

    # then: neither touched it
    assert queued == []
    after = ImportJob.unscoped.get(pk=job.pk)
    assert (after.status, after.attempts, after.checkpoint_row, after.heartbeat_at) == (
        ImportJob.Status.RUNNING, 1, 4, job.heartbeat_at,
    )  # fmt: skip


def test_an_import_whose_worker_keeps_dying_is_failed_with_a_reason(
    authed_client, stalled, settings, django_capture_on_commit_callbacks
):
    # given: a job started as often as allowed, whose last worker died after a batch
    job = _died_after_one_batch(stalled, settings)
    ImportJob.unscoped.filter(pk=job.pk).update(attempts=settings.IMPORT_MAX_ATTEMPTS)

    with _past_the_lease(settings):
        # when
        with django_capture_on_commit_callbacks(execute=True) as queued:
            outcome = resume_stale_imports.delay().get()

        # then: failed with the reason, nothing of it kept, nothing queued
        assert outcome == {"resumed": 0, "failed": 1} and queued == []
        data = _group(authed_client)
        assert (data["status"], data["recipientCount"], data["failureReason"]) == (
            "failed", 0, importing.INTERRUPTED_TOO_OFTEN,
        )  # fmt: skip
        assert ImportJob.unscoped.get(pk=job.pk).status == ImportJob.Status.FAILED
        assert not Recipient.objects.for_company(stalled.company).filter(import_job=job).exists()
        assert RecipientCounter.objects.get(company=stalled.company).count == 0
        assert not default_storage.exists(job.staged_file)

        # and: the failed group can be deleted
        assert_envelope(authed_client.delete(f"/api/v1/groups/{job.group_id}"), 200, "Group deleted")
        assert not RecipientGroup.unscoped.filter(pk=job.group_id).exists()


def test_the_group_of_a_live_import_cannot_be_deleted(authed_client, stalled, settings):
    # given: a run that holds the job (its lease was just renewed)
    job = _died_after_one_batch(stalled, settings)

    # when
    response = authed_client.delete(f"/api/v1/groups/{job.group_id}")

    # then
    assert_envelope(response, 400, NOT_DELETABLE, errors=["Validation failed"])
    assert ImportJob.unscoped.get(pk=job.pk).imported_rows == 3


def test_the_group_of_a_queued_import_within_its_lease_cannot_be_deleted(authed_client, stalled):
    assert_envelope(authed_client.delete(f"/api/v1/groups/{stalled.group_id}"), 400, NOT_DELETABLE)


def test_the_group_of_an_import_whose_worker_died_can_be_deleted(
    authed_client, stalled, settings, django_capture_on_commit_callbacks
):
    # given: a worker that died after the first batch, and the lease that has run out since
    job = _died_after_one_batch(stalled, settings)

    # when
    with _past_the_lease(settings), django_capture_on_commit_callbacks(execute=True):
        response = authed_client.delete(f"/api/v1/groups/{job.group_id}")

    # then: the group, its job and the rows the job had committed are gone, the count with them
    assert assert_envelope(response, 200, "Group deleted")["data"] == {"groupId": str(job.group_id)}
    assert not RecipientGroup.unscoped.filter(pk=job.group_id).exists()
    assert not ImportJob.unscoped.filter(pk=job.pk).exists()
    assert not Recipient.objects.for_company(stalled.company).filter(import_job_id=job.pk).exists()
    assert RecipientCounter.objects.get(company=stalled.company).count == 0
    assert not default_storage.exists(job.staged_file)

    # and: a late message for the job finds nothing to do
    importing.recipient_import_run(job_id=job.pk)
    assert not Recipient.objects.for_company(stalled.company).exists()


def test_a_group_whose_import_failed_can_be_deleted(authed_client, company):
    # given: an import that failed (the file lacks a mapped column)
    body = {
        "groupName": "Broken",
        "fileName": "a.csv",
        "fileData": base64.b64encode(b"Other\nx\n").decode(),
        "mappings": MAPPINGS,
    }
    job_id = assert_envelope(authed_client.post("/api/v1/recipients/import", body, format="json"), 202)[
        "data"
    ]["jobId"]
    importing.recipient_import_run(job_id=job_id)
    group = _group(authed_client, "Broken")
    assert group["status"] == "failed"

    # when / then
    assert_envelope(authed_client.delete(f"/api/v1/groups/{group['id']}"), 200, "Group deleted")
    assert not RecipientGroup.unscoped.filter(pk=group["id"]).exists()

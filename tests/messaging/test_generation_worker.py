"""Generation on a real worker, killed with SIGKILL mid-way: the redelivered task, or the lease
sweep of beat where nothing is redelivered, finishes the occurrence with exactly one message per
recipient and exact counts."""

import pytest
from django.db import connection
from django.utils import timezone

from messaging import tasks
from messaging.models import Message, Occurrence
from recipients.models import Recipient
from tests.integration.conftest import needs_real_worker, wait_until
from tests.messaging.factories import OccurrenceFactory
from tests.recipients.factories import RecipientGroupFactory

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 200_000
NO_MOBILE_EVERY = 100  # every 100th recipient has no mobile: its message fails, 'no address'
# Small batches (many commits to kill between) and a short visibility timeout (quick redelivery);
# a short lease, so the redelivered task may take the occurrence over from the dead worker.
WORKER_ENV = {
    "MESSAGING_GENERATION_BATCH": "2000",
    "MESSAGING_GENERATION_LEASE_SECONDS": "2",
    "CELERY_VISIBILITY_TIMEOUT": "4",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}
# No redelivery within the test (the default hour-long visibility timeout: the message a killed
# worker held is as good as lost); beat's sweep every second.
SWEPT_WORKER_ENV = {"MESSAGING_GENERATION_BATCH": "2000", "MESSAGING_GENERATION_LEASE_SECONDS": "3"}
BEAT_ENV = {"MESSAGING_GENERATION_SWEEP_SECONDS": "1"}

RECIPIENTS_SQL = """
INSERT INTO recipients_recipient (
    id, company_id, title, first_name, last_name, company_name, address1, address2, address3,
    address4, address5, city, county, postcode, country, email, mobile, custom_fields,
    import_job_id, source_row, created_at, updated_at)
SELECT gen_random_uuid(), %(company)s, '', 'First' || i, 'Last' || i, '', i || ' High Street', '', '',
    '', '', 'Leeds', '', 'LS1 1AA', '', '', CASE WHEN i %% %(every)s = 0 THEN '' ELSE '0770' || i END,
    '{}'::jsonb, NULL, NULL, now(), now()
FROM generate_series(1, %(count)s) AS i
"""
MEMBERSHIPS_SQL = """
INSERT INTO recipients_groupmembership (group_id, recipient_id)
SELECT %(group)s, id FROM recipients_recipient WHERE company_id = %(company)s
"""


def _occurrence(company) -> Occurrence:
    group = RecipientGroupFactory(company=company)
    params = {"company": company.pk, "group": group.pk, "count": RECIPIENTS, "every": NO_MOBILE_EVERY}
    with connection.cursor() as cursor:
        cursor.execute(RECIPIENTS_SQL, params)
        cursor.execute(MEMBERSHIPS_SQL, params)
    return OccurrenceFactory(company=company, template="Hi {first_name} {last_name}", groups=[group])


def _progress(occurrence: Occurrence) -> Occurrence:
    return Occurrence.unscoped.get(pk=occurrence.pk)


def _generated_once_with_exact_counts(occurrence: Occurrence) -> None:
    occurrence.refresh_from_db()
    written = Message.unscoped.filter(occurrence=occurrence)
    assert written.count() == RECIPIENTS
    assert written.values("recipient_id").distinct().count() == RECIPIENTS
    assert written.filter(status="failed", last_error="no address").count() == RECIPIENTS // NO_MOBILE_EVERY
    sample = Recipient.unscoped.filter(company=occurrence.company, mobile="07701234").get()
    assert written.get(recipient_id=sample.pk).body == "Hi First1234 Last1234"
    assert (occurrence.status, occurrence.targeted, occurrence.generated, occurrence.without_address) == (
        "generated", RECIPIENTS, RECIPIENTS, RECIPIENTS // NO_MOBILE_EVERY,
    )  # fmt: skip


def _kill_mid_generation(worker, occurrence: Occurrence) -> None:
    wait_until(
        lambda: _progress(occurrence).generated >= 20_000, timeout=120, interval=0.02, describe=worker.log
    )
    worker.kill()
    interrupted = _progress(occurrence)
    assert interrupted.status == "generating" and interrupted.generated < RECIPIENTS


def test_worker_killed_mid_generation_is_finished_by_the_redelivered_task(celery_worker_process, company):
    # given: an occurrence of 200,000 recipients generating on a real worker
    occurrence = _occurrence(company)
    tasks.occurrence_generate.delay(occurrence.pk)
    first = celery_worker_process(**WORKER_ENV)

    # when: the worker dies without acknowledging, and another one takes over
    _kill_mid_generation(first, occurrence)
    second = celery_worker_process(**WORKER_ENV)

    # then: the occurrence completes once, with one message per recipient
    wait_until(lambda: _progress(occurrence).status == "generated", timeout=180, describe=second.log)
    _generated_once_with_exact_counts(occurrence)
    assert _progress(occurrence).attempts >= 2


def test_worker_killed_mid_generation_is_noticed_by_the_lease_sweep_and_resumed(
    celery_worker_process, celery_beat_process, company
):
    # given: an occurrence generating on a real worker, and beat with its sweep
    occurrence = _occurrence(company)
    tasks.occurrence_generate.delay(occurrence.pk)
    first = celery_worker_process(**SWEPT_WORKER_ENV)
    beat = celery_beat_process(**BEAT_ENV)

    # when: the worker dies mid-way, its message with it, and another worker is there
    _kill_mid_generation(first, occurrence)
    killed_at = timezone.now()
    second = celery_worker_process(**SWEPT_WORKER_ENV)

    # then: once the lease has run out, the sweep queues the occurrence again and it completes
    wait_until(
        lambda: _progress(occurrence).status == "generated",
        timeout=180,
        describe=lambda: f"{second.log()}\n{beat.log()}",
    )
    _generated_once_with_exact_counts(occurrence)
    assert _progress(occurrence).attempts == 2  # the first run, and the one the sweep queued
    assert _progress(occurrence).finished_at > killed_at
    assert "'resumed': 1" in second.log_path.read_text()

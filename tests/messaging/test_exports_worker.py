"""Exports on a real worker, killed with SIGKILL mid-way: the redelivered task, or the lease sweep
of beat where nothing is redelivered, resumes after the last committed page and ends with the
same files as an export that was never interrupted."""

import pytest
from django.db import connection

from messaging import counters
from messaging.models import Message, MessageExport
from messaging.services.exports import messages_publish
from tests.integration.conftest import needs_real_worker, wait_until
from tests.messaging.exports import IP, stored_pages
from tests.messaging.factories import OccurrenceFactory, message_campaign
from tests.recipients.factories import RecipientGroupFactory

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

MESSAGES = 200_000
PAGE_ROWS = 100
# Segments of 5 pages: many commits to kill between, and an export that lasts long enough to be
# seen running.
SEGMENT_ENV = {"MESSAGES_EXPORT_SEGMENT_ROWS": "500"}
# A short lease, so the redelivered task may take the export over from the dead worker, and a
# short visibility timeout (quick redelivery).
WORKER_ENV = {
    **SEGMENT_ENV,
    "MESSAGES_EXPORT_LEASE_SECONDS": "2",
    "CELERY_VISIBILITY_TIMEOUT": "4",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}
# No redelivery within the test; beat's sweep every second.
SWEPT_WORKER_ENV = {**SEGMENT_ENV, "MESSAGES_EXPORT_LEASE_SECONDS": "3"}
BEAT_ENV = {"MESSAGES_EXPORT_SWEEP_SECONDS": "1"}

# Bodies with what CSV must quote: commas, quotes, line breaks, non-ASCII; and a JSON message.
MESSAGES_SQL = """
INSERT INTO messaging_message (company_id, campaign_id, occurrence_id, recipient_id, client, channel,
    address, body, payload, status, attempts, last_error, message_key, next_attempt_at, provider_id,
    created_at)
SELECT %(company)s, %(campaign)s, %(occurrence)s, gen_random_uuid(), NULL, 'sms', '+4477009' || i,
    CASE i %% 4 WHEN 0 THEN 'Hi "' || i || '", see, you' WHEN 1 THEN 'two' || chr(10) || 'lines ' || i
        WHEN 2 THEN '🎉 ünï ' || i ELSE '' END,
    CASE WHEN i %% 4 = 3 THEN jsonb_build_object('n', i, 'text', 'a,b') END,
    'queued', 0, '', upper(md5(i::text || %(campaign)s::text))::varchar(30), NULL, '', now()
FROM generate_series(1, %(count)s) AS i
"""


def _campaign(company):
    campaign = message_campaign(company=company, group=RecipientGroupFactory(company=company))
    occurrence = OccurrenceFactory(company=company, campaign=campaign, status="generated")
    params = {"company": company.pk, "campaign": campaign.pk, "occurrence": occurrence.pk, "count": MESSAGES}
    with connection.cursor() as cursor:
        cursor.execute(MESSAGES_SQL, params)
    counters.move(campaign.pk, counters.NEW, "queued", MESSAGES)
    return campaign


def _export(export: MessageExport) -> MessageExport:
    return MessageExport.unscoped.get(pk=export.pk)


def _publish(company, campaign) -> MessageExport:
    return messages_publish(company=company, campaign_id=campaign.pk, user=None, ip=IP)


def _kill_mid_export(worker, export: MessageExport) -> None:
    wait_until(lambda: _export(export).pages >= 100, timeout=120, interval=0.02, describe=worker.log)
    worker.kill()
    interrupted = _export(export)
    assert interrupted.status == "running" and interrupted.pages < MESSAGES // PAGE_ROWS


def _same_files_as_an_uninterrupted_export(company, campaign, export: MessageExport, worker) -> None:
    export = _export(export)
    assert (export.status, export.is_current, export.pages, export.rows) == (
        "done", True, MESSAGES // PAGE_ROWS, MESSAGES,
    )  # fmt: skip
    assert export.attempts >= 2
    reference = _publish(company, campaign)
    wait_until(lambda: _export(reference).status == "done", timeout=180, describe=worker.log)
    reference = _export(reference)
    assert reference.attempts == 1
    assert stored_pages(export) == stored_pages(reference)
    assert Message.unscoped.filter(campaign_id=campaign.pk).count() == MESSAGES


def test_worker_killed_mid_export_is_finished_by_the_redelivered_task(
    celery_worker_process, company, settings
):
    # given: an export of 200,000 messages running on a real worker
    settings.MESSAGES_EXPORT_PAGE_ROWS = PAGE_ROWS
    campaign = _campaign(company)
    export = _publish(company, campaign)
    first = celery_worker_process(**WORKER_ENV)

    # when: the worker dies without acknowledging, and another one takes over
    _kill_mid_export(first, export)
    second = celery_worker_process(**WORKER_ENV)

    # then: the export completes with the files an uninterrupted export writes
    wait_until(lambda: _export(export).status == "done", timeout=180, describe=second.log)
    _same_files_as_an_uninterrupted_export(company, campaign, export, second)


def test_worker_killed_mid_export_is_noticed_by_the_lease_sweep_and_resumed(
    celery_worker_process, celery_beat_process, company, settings
):
    # given: an export running on a real worker, and beat with its sweep
    settings.MESSAGES_EXPORT_PAGE_ROWS = PAGE_ROWS
    campaign = _campaign(company)
    export = _publish(company, campaign)
    first = celery_worker_process(**SWEPT_WORKER_ENV)
    beat = celery_beat_process(**BEAT_ENV)

    # when: the worker dies mid-way, its message with it, and another worker is there
    _kill_mid_export(first, export)
    second = celery_worker_process(**SWEPT_WORKER_ENV)

    # then: once the lease has run out, the sweep queues the export again and it completes
    wait_until(
        lambda: _export(export).status == "done",
        timeout=180,
        describe=lambda: f"{second.log()}\n{beat.log()}",
    )
    assert _export(export).attempts == 2  # the first run, and the one the sweep queued
    assert "'resumed': 1" in second.log_path.read_text()
    _same_files_as_an_uninterrupted_export(company, campaign, export, second)

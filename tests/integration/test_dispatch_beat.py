"""The dispatch beat for real: a `celery beat` process with the project's schedule (its dispatch
entry every 1.2 s) and a worker process drive a campaign due today to Dispatched, its print-ready
files in the shared storage, and later beats change nothing. Both run on the real clock."""

import re

import pytest
from django.core.files.storage import default_storage

from billing import dates as dispatch_dates
from billing import services as billing
from billing.pricing import estimated_delivery
from campaigns import services
from campaigns.models import Campaign, PrintRun, Status
from tests.campaigns.conftest import make_approved
from tests.integration.conftest import needs_real_worker, wait_until

pytestmark = [pytest.mark.worker, needs_real_worker, pytest.mark.django_db(transaction=True)]

BEAT_ENV = {"DISPATCH_BEAT_MINUTES": "0.02"}  # the dispatch entry fires every 1.2 s
BEAT_RAN = re.compile(r"campaigns\.tasks\.dispatch_due_campaigns\[[^\]]+\] succeeded")
DISPATCH_RECORDED = re.compile(r"campaigns\.tasks\.dispatch_campaign\[[^\]]+\] succeeded in \S+ True$", re.M)


def _scheduled_for_today(company) -> Campaign:
    """A campaign paid from the balance and due today where the post goes out. Scheduling takes
    only dispatch days (never today after the cut-off, never a weekend or bank holiday), so it is
    scheduled for the next one and its send date then moved to today on the row: the beat's rule
    is "send date <= today", and the processes run on the real clock (time_machine cannot reach
    them)."""
    billing.balance_top_up(company=company, amount="100.00")
    campaign = make_approved(company, recipients=2)  # the snapshot's real size
    services.campaign_schedule(company=company, campaign_id=campaign.pk, next_available=True)
    Campaign.unscoped.filter(pk=campaign.pk).update(dispatch_date=dispatch_dates.dispatch_today())
    return Campaign.unscoped.select_related("print_options").get(pk=campaign.pk)


def _finished(worker, task: re.Pattern) -> int:
    """How many runs of `task` the worker has finished (from its whole log)."""
    return len(task.findall(worker.log_path.read_text(errors="replace")))


def _dispatched(campaign) -> bool:
    return Campaign.unscoped.get(pk=campaign.pk).status == Status.DISPATCHED


def _logs(*processes):
    return lambda: "\n".join(f"{p.log_path.name}:\n{p.log()}" for p in processes)


def test_the_beat_and_a_worker_dispatch_a_campaign_due_today(
    celery_worker_process, celery_beat_process, catalogue, company
):
    # given
    campaign = _scheduled_for_today(company)
    worker = celery_worker_process()

    # when
    beat = celery_beat_process(**BEAT_ENV)

    # then: dispatched; and two beats later (the worker runs one task at a time, so the second
    # started after it was dispatched) nothing was printed or recorded again
    wait_until(lambda: _dispatched(campaign), timeout=30, describe=_logs(worker, beat))
    later = _finished(worker, BEAT_RAN) + 2
    wait_until(lambda: _finished(worker, BEAT_RAN) >= later, timeout=20, describe=_logs(worker, beat))
    assert _finished(worker, DISPATCH_RECORDED) == 1, worker.log()
    run = PrintRun.unscoped.get(campaign=campaign)
    assert (run.status, run.attempt, run.letters) == (PrintRun.Status.DONE, 1, 2)
    assert run.files and all(default_storage.exists(f["key"]) for f in run.files)
    assert default_storage.exists(run.manifest)
    statuses = list(campaign.status_changes.values_list("status", flat=True))
    assert statuses[-3:] == [Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED]
    assert statuses.count(Status.PRINTING) == statuses.count(Status.DISPATCHED) == 1
    posted = dispatch_dates.dispatch_today()
    delivery = estimated_delivery(send_date=posted, mail_class=campaign.print_options.mail_class)
    assert campaign.status_changes.last().note == (
        f"Dispatched {posted:%Y-%m-%d}; estimated delivery {delivery:%Y-%m-%d} "
        "(2 letters, print run attempt 1)."
    )

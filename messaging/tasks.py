"""Background work of messaging: thin tasks that take ids and call a service."""

from celery import shared_task
from django.conf import settings

from messaging import exporting, generation, summaries
from messaging.services import delivery, firing, purge


@shared_task(acks_late=True)
def campaigns_fire_due() -> dict:
    """The schedule beat (and a nudge when a campaign is due at once): fire due campaigns, in
    batches, until none is due. Safe to run twice or from two beats at once."""
    occurrences = finished = 0
    while True:
        fired = firing.campaigns_fire_due()
        occurrences += len(fired.occurrences)
        finished += fired.finished
        if len(fired.occurrences) < firing.BATCH:
            return {"occurrences": occurrences, "finished": finished}


@shared_task(acks_late=True)
def messages_deliver(seconds: float = 50.0) -> dict:
    """Send due messages for up to `seconds`; queued again while more are due (a firing's
    messages, retries that came due). Several may run at once: claims never overlap."""
    done = delivery.deliver_for(seconds)
    if done.claimed and done.claimed >= delivery.CHUNK:
        messages_deliver.delay(seconds)
    return vars(done)


@shared_task(acks_late=True)
def delivery_summaries_send() -> int:
    """Beat: each campaign's delivery outcomes of every minute that is over become one webhook
    event. Safe to run twice or from two beats at once (rows are taken with SKIP LOCKED)."""
    return summaries.delivery_summaries_send()


@shared_task(acks_late=True)
def campaign_messages_purge() -> int:
    """Remove deleted campaigns' messages in batches."""
    return purge.campaign_messages_purge()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=15)
def occurrence_generate(self, occurrence_id: int) -> None:
    """Generate (or resume) one occurrence's messages. Idempotent: a redelivered or retried task
    continues after the occurrence's last committed batch."""
    try:
        generation.occurrence_generate(occurrence_id=occurrence_id)
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager or self.request.retries >= self.max_retries:
            generation.occurrence_generation_give_up(occurrence_id=occurrence_id)
            raise
        raise self.retry(exc=exc) from exc
    messages_deliver.delay()  # the firing's messages go out now, not at the next delivery beat


@shared_task(acks_late=True)
def occurrences_resume_stale() -> dict:
    """Beat: generations whose worker vanished (their lease ran out) are queued again or failed."""
    return generation.occurrences_resume_stale()


@shared_task(acks_late=True)
def messages_purge_expired() -> int:
    """Remove messages past their retention, in batches."""
    return purge.messages_purge_expired()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=15)
def message_export_run(self, export_id: str) -> str:
    """Write (or resume) one export of a campaign's messages. Idempotent: a redelivered or retried
    task continues after the export's last committed page; while the campaign's generation runs,
    it looks again every MESSAGES_EXPORT_WAIT_SECONDS, and while another run holds the export, once
    that run's lease would have run out."""
    try:
        outcome = exporting.export_run(export_id=export_id)
    except exporting.GenerationUnderWay:
        # Looked at again later, as a new task (a retry's count would run out); in eager mode
        # that would run at once, again and again: the stale sweep queues it again there.
        if not self.request.is_eager:
            message_export_run.apply_async((export_id,), countdown=settings.MESSAGES_EXPORT_WAIT_SECONDS)
        return "waiting"
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager or self.request.retries >= self.max_retries:
            exporting.export_give_up(export_id=export_id)
            raise
        raise self.retry(exc=exc) from exc
    if outcome == exporting.HELD_ELSEWHERE and not self.request.is_eager:
        # Another run holds the export, perhaps on a worker that died (its redelivered message
        # may come before its lease runs out): looked at again once the lease would have.
        message_export_run.apply_async((export_id,), countdown=settings.MESSAGES_EXPORT_LEASE_SECONDS)
    return outcome


@shared_task(acks_late=True)
def message_exports_resume_stale() -> dict:
    """Beat: exports whose worker vanished (their lease ran out) are queued again or failed."""
    return exporting.exports_resume_stale()


@shared_task(acks_late=True)
def message_exports_purge() -> int:
    """Beat: the files of replaced and failed exports, once their time has come."""
    return exporting.exports_purge()

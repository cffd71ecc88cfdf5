"""Background work of messaging: thin tasks that take ids and call a service."""

from celery import shared_task

from messaging import generation


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


@shared_task(acks_late=True)
def occurrences_resume_stale() -> dict:
    """Beat: generations whose worker vanished (their lease ran out) are queued again or failed."""
    return generation.occurrences_resume_stale()

from celery import shared_task

from recipients import importing


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=15)
def run_import(self, job_id: str) -> None:
    """Run or resume one import. Idempotent: a redelivered or retried task continues after the
    job's last committed batch."""
    try:
        importing.recipient_import_run(job_id=job_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            importing.recipient_import_give_up(
                job_id=job_id, reason="An internal error occurred while processing the file."
            )
            raise
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def resume_stale_imports() -> dict:
    """Beat: imports whose worker vanished (their lease ran out) are queued again or failed."""
    return importing.recipient_imports_resume_stale()

"""Background work of campaigns: thin tasks that take ids and call a service."""

import logging

from celery import shared_task

from campaigns import printing, services
from campaigns.errors import CampaignNotFound, CampaignNotPrintable, PrintRunBusy

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def render_campaign_preview(self, campaign_id: str) -> str | None:
    """Render (or re-render) a campaign's preview PDF; safe to run twice."""
    try:
        return services.campaign_render_preview(campaign_id=campaign_id)
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager or self.request.retries >= self.max_retries:
            services.campaign_preview_fail(campaign_id=campaign_id)
            logger.exception("Preview of campaign %s failed", campaign_id)
            raise
        raise self.retry(exc=exc) from exc


@shared_task(acks_late=True)
def dispatch_due_campaigns() -> dict:
    """The dispatch beat: hold unpaid campaigns whose send date came, move due Scheduled ones to
    Printing, and print and dispatch each Printing one in its own task. Safe to run twice or
    from two beats at once (rows locked with SKIP LOCKED, statuses checked again)."""
    due = services.campaigns_dispatch_due()
    for campaign_id in due.printing:
        dispatch_campaign.delay(str(campaign_id))
    return {"held": len(due.held), "printing": len(due.printing)}


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def dispatch_campaign(self, campaign_id: str) -> bool:
    """Print one campaign's files and record it Dispatched; a no-op when it is not Printing any
    more. While another worker writes its files, this one stands back (that worker records the
    dispatch). A failure leaves it Printing: retried here, then by the next beat."""
    try:
        return services.campaign_dispatch(campaign_id=campaign_id)
    except PrintRunBusy:
        return False
    except Exception as exc:
        logger.exception("Dispatch of campaign %s failed", campaign_id)
        if self.request.called_directly or self.request.is_eager or self.request.retries >= self.max_retries:
            raise
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=30)
def write_print_files(self, campaign_id: str) -> str:
    """Write a campaign's print-ready files (campaigns.printing); the PrintRun's id. Safe to run
    twice: a finished run is returned as it is, an interrupted one is redone cleanly."""
    try:
        return str(printing.print_files_write(campaign_id=campaign_id).pk)
    except (CampaignNotFound, CampaignNotPrintable) as exc:  # retrying would not change the answer
        logger.warning("Print files of campaign %s not written: %s", campaign_id, exc)
        raise
    except PrintRunBusy as exc:  # another worker is writing them: come back when its lease ends
        if self.request.called_directly or self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=exc.retry_after, max_retries=None) from exc
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager or self.request.retries >= self.max_retries:
            logger.exception("Print files of campaign %s failed", campaign_id)
            raise
        raise self.retry(exc=exc) from exc

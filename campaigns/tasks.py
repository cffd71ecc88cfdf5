"""Background work of campaigns: thin tasks that take ids and call a service."""

import logging

from celery import shared_task

from campaigns import printing, services
from campaigns.errors import CampaignNotFound, CampaignNotPrintable, PrintRunBusy
from campaigns.models import Campaign

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=10)
def render_campaign_preview(self, campaign_id: str) -> str | None:
    """Render (or re-render) a campaign's preview PDF; safe to run twice."""
    try:
        return services.campaign_render_preview(campaign_id=campaign_id)
    except Exception as exc:
        if self.request.called_directly or self.request.is_eager or self.request.retries >= self.max_retries:
            Campaign.unscoped.filter(pk=campaign_id).update(
                preview_error=str(exc)[:500] or type(exc).__name__
            )
            logger.exception("Preview of campaign %s failed", campaign_id)
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

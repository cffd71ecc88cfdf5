"""Removing the messages of deleted campaigns, in batches, by campaign: each batch is found
through the unique index that leads with campaign_id, so no purge reads the whole table."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging import exporting
from messaging.models import CampaignPurge, Message


def campaign_messages_purge(*, batch: int | None = None, max_batches: int = 100) -> int:
    """Delete up to max_batches x batch messages of deleted campaigns; how many went. A campaign's
    purge row goes once its last message has, and its exported pages with it."""
    batch = batch or settings.MESSAGING_PURGE_BATCH
    removed = 0
    for purge in CampaignPurge.objects.order_by("requested_at")[:100]:
        while max_batches > 0:
            max_batches -= 1
            with transaction.atomic():
                # Ordered as the unique index (campaign, occurrence, recipient): read through it.
                ids = list(
                    Message.unscoped.filter(campaign_id=purge.campaign_id)
                    .order_by("occurrence_id", "recipient_id")
                    .values_list("id", flat=True)[:batch]
                )
                if ids:
                    removed += Message.unscoped.filter(id__in=ids).delete()[0]
                if len(ids) < batch:
                    # Its exports' rows went with the campaign; their files go now.
                    exporting.remove_folder(
                        exporting.campaign_folder(company_id=purge.company_id, campaign_id=purge.campaign_id)
                    )
                    purge.delete()
                    break
        if max_batches <= 0:
            break
    return removed


def messages_purge_expired(*, now=None, batch: int | None = None, max_batches: int = 100) -> int:
    """Delete messages older than MESSAGING_RETENTION_DAYS, oldest first, in batches found
    through the created_at index; how many went."""
    now = now or timezone.now()
    batch = batch or settings.MESSAGING_PURGE_BATCH
    cutoff = now - timedelta(days=settings.MESSAGING_RETENTION_DAYS)
    removed = 0
    for _ in range(max_batches):
        with transaction.atomic():
            ids = list(Message.unscoped.filter(created_at__lt=cutoff).values_list("id", flat=True)[:batch])
            if ids:
                removed += Message.unscoped.filter(id__in=ids).delete()[0]
        if len(ids) < batch:
            break
    return removed

"""Removing the messages of deleted campaigns, in batches, by campaign: each batch is found
through the unique index that leads with campaign_id, so no purge reads the whole table."""

from django.conf import settings
from django.db import transaction

from messaging.models import CampaignPurge, Message


def campaign_messages_purge(*, batch: int | None = None, max_batches: int = 100) -> int:
    """Delete up to max_batches x batch messages of deleted campaigns; how many went. A campaign's
    purge row goes once its last message has."""
    batch = batch or settings.MESSAGING_PURGE_BATCH
    removed = 0
    for purge in CampaignPurge.objects.order_by("requested_at")[:100]:
        while max_batches > 0:
            max_batches -= 1
            with transaction.atomic():
                ids = list(
                    Message.unscoped.filter(campaign_id=purge.campaign_id).values_list("id", flat=True)[
                        :batch
                    ]
                )
                if ids:
                    removed += Message.unscoped.filter(id__in=ids).delete()[0]
                if len(ids) < batch:
                    purge.delete()
                    break
        if max_batches <= 0:
            break
    return removed

"""Delivery receipts from a gateway: a sent message becomes delivered or failed, once.

Applied set-based and only to messages still `sent`, so a receipt sent twice, or one for a
message already settled, changes nothing."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from messaging import counters
from messaging.errors import InvalidInput, MessagingErrorCode
from messaging.models import Message

MAX_RECEIPTS = 1000
MAX_ERROR_CHARS = 300
SETTLED = {"delivered": Message.Status.DELIVERED, "failed": Message.Status.FAILED}


@dataclass(frozen=True)
class Receipt:
    message_key: str
    status: str  # delivered | failed
    error: str = ""


def receipts_of(data) -> list[Receipt]:
    """The receipts of a parsed body: {"receipts": [...]} or one receipt object."""
    items = data.get("receipts") if isinstance(data, dict) and "receipts" in data else [data]
    if not isinstance(items, list) or not items or len(items) > MAX_RECEIPTS:
        raise InvalidInput(MessagingErrorCode.RECEIPTS_INVALID, field="receipts", maximum=MAX_RECEIPTS)
    receipts = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidInput(MessagingErrorCode.RECEIPTS_INVALID, field="receipts", maximum=MAX_RECEIPTS)
        key, status, error = item.get("message_key"), item.get("status"), item.get("error") or ""
        if not isinstance(key, str) or status not in SETTLED or not isinstance(error, str):
            raise InvalidInput(MessagingErrorCode.RECEIPTS_INVALID, field="receipts", maximum=MAX_RECEIPTS)
        receipts.append(
            Receipt(message_key=key.strip().upper()[:30], status=status, error=error[:MAX_ERROR_CHARS])
        )
    return receipts


def receipts_apply(receipts: list[Receipt]) -> int:
    """Settle the sent messages the receipts name; how many changed. Their rows are locked first,
    so each campaign's counters move by exactly the messages that changed."""
    now = timezone.now()
    changed = 0
    sent = Message.unscoped.filter(status=Message.Status.SENT)
    with transaction.atomic():
        delivered = [r.message_key for r in receipts if r.status == "delivered"]
        if delivered:
            changed += _settle(
                sent.filter(message_key__in=delivered), Message.Status.DELIVERED, delivered_at=now
            )
        for receipt in receipts:
            if receipt.status == "failed":
                changed += _settle(
                    sent.filter(message_key=receipt.message_key),
                    Message.Status.FAILED,
                    last_error=receipt.error or "failed (receipt)",
                )
    return changed


def _settle(messages, status: str, **values) -> int:
    rows = list(messages.select_for_update(of=("self",)).values_list("id", "campaign_id"))
    by_campaign = defaultdict(list)
    for pk, campaign_id in rows:
        by_campaign[campaign_id].append(pk)
    changed = 0
    moves = []
    for campaign_id, ids in by_campaign.items():
        count = messages.filter(id__in=ids).update(status=status, **values)
        moves.append((campaign_id, Message.Status.SENT, status, count))
        changed += count
    counters.move_many(moves, error=values.get("last_error", ""))
    return changed

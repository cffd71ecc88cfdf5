"""A message campaign's counters (MessageSettings.total_messages, sent_count, delivered_count,
failed_count, last_error), moved with every change of its messages' statuses so that no read
counts messages.

The one rule: each counter counts the messages whose status is in its bucket; `sent` counts the
delivered ones too (they were sent). A move of n messages from one status to another changes each
counter by n times (in the new status's buckets) - (in the old's). Callers move counters in the
transaction that changes the messages, with the number of rows their UPDATE changed. Delivery
outcomes go into the minute's delivery summary there too (messaging.summaries), for webhooks."""

from collections import Counter
from collections.abc import Iterable

from django.db.models import F
from django.db.models.functions import Greatest

from campaigns.models import MessageSettings
from messaging import summaries

NEW = None  # the "status" of a message not yet written
BUCKETS = {
    NEW: (),
    "queued": ("total_messages",),
    "sent": ("total_messages", "sent_count"),
    "delivered": ("total_messages", "sent_count", "delivered_count"),
    "failed": ("total_messages", "failed_count"),
}
MAX_ERROR_CHARS = 300


def deltas(old: str | None, new: str | None, count: int = 1) -> dict[str, int]:
    """How the counters change when `count` messages go from `old` to `new`."""
    change = Counter(dict.fromkeys(BUCKETS[new], count))
    change.subtract(dict.fromkeys(BUCKETS[old], count))
    return {name: n for name, n in change.items() if n}


def move(campaign_id, old: str | None, new: str | None, count: int, *, error: str = "") -> None:
    """`count` messages of the campaign went from `old` to `new` (`error`: why, when they failed)."""
    move_many([(campaign_id, old, new, count)], error=error)


def move_many(moves: Iterable[tuple[object, str | None, str | None, int]], *, error: str = "") -> None:
    """Several moves at once: one UPDATE per campaign, and the delivery outcomes among them (a
    written message's move to sent, delivered or failed) added to the minute's delivery summary."""
    by_campaign: dict[object, Counter] = {}
    outcomes: dict[object, Counter] = {}
    for campaign_id, old, new, count in moves:
        if count:
            by_campaign.setdefault(campaign_id, Counter()).update(deltas(old, new, count))
            if old is not NEW and new in summaries.OUTCOMES:
                outcomes.setdefault(campaign_id, Counter())[new] += count
    for campaign_id, change in by_campaign.items():
        # Never below zero: rows written around the counters (a repair by hand, a test's factory)
        # must not make a delivery's record fail.
        values = {name: Greatest(F(name) + n, 0) if n < 0 else F(name) + n for name, n in change.items() if n}
        if error and change.get("failed_count", 0) > 0:
            values["last_error"] = error[:MAX_ERROR_CHARS]
        if values:
            MessageSettings.objects.filter(campaign_id=campaign_id).update(**values)
    summaries.summary_add(outcomes)

"""Delivery summaries: what webhooks hear of message deliveries, per campaign and minute.

Whatever settles messages (delivery, receipts, a resend) moves its campaigns' counters
(messaging.counters), and in the same transaction adds the outcomes to the campaign's row of the
current minute (`DeliverySummary`, one INSERT ... ON CONFLICT DO UPDATE for all its campaigns:
set-based, like the counters). The `send-delivery-summaries` beat turns each row of a minute that
is over into one `messages.delivery_summary` event and deletes it, in one transaction, rows taken
with SKIP LOCKED: a row is reported once, whatever beats run at once.

A minute counts as over SUMMARY_GRACE after its end, so that a transaction that took its minute
just before the end has committed. One that commits later still makes a row of that minute, which
the next beat reports as another event of the same minute: counts are never lost nor doubled.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from messaging.models import DeliverySummary
from webhooks.events import EventType, record_event

OUTCOMES = ("sent", "delivered", "failed")
SUMMARY_GRACE = timedelta(seconds=10)
BATCH = 500

_TABLE = DeliverySummary._meta.db_table
_ADD = f"""
INSERT INTO {_TABLE} (campaign_id, minute, sent, delivered, failed) VALUES {{rows}}
ON CONFLICT (campaign_id, minute) DO UPDATE SET
    sent = {_TABLE}.sent + EXCLUDED.sent,
    delivered = {_TABLE}.delivered + EXCLUDED.delivered,
    failed = {_TABLE}.failed + EXCLUDED.failed
"""  # noqa: S608 (the table's name only)


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def summary_add(outcomes: dict[object, Counter], *, at: datetime | None = None) -> None:
    """Add {campaign_id: Counter(sent=, delivered=, failed=)} to the campaigns' rows of the minute
    of `at` (now): one statement, rows in campaign order (two transactions lock them alike)."""
    rows = [(campaign_id, counts) for campaign_id, counts in outcomes.items() if any(counts.values())]
    if not rows:
        return
    rows.sort(key=lambda row: str(row[0]))
    campaign_key = DeliverySummary._meta.get_field("campaign").get_db_prep_value
    minute = DeliverySummary._meta.get_field("minute").get_db_prep_value(
        minute_of(at or timezone.now()), connection
    )
    params = []
    for campaign_id, counts in rows:
        params += [campaign_key(campaign_id, connection), minute, *(counts[name] for name in OUTCOMES)]
    with connection.cursor() as cursor:
        cursor.execute(_ADD.format(rows=", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))), params)


def delivery_summaries_send(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Turn the rows of the minutes that are over into `messages.delivery_summary` events, batch
    after batch; how many events were recorded."""
    cutoff = minute_of((now or timezone.now()) - SUMMARY_GRACE)
    sent = 0
    while True:
        done = _send_batch(cutoff, batch)
        sent += done
        if done < batch:
            return sent


def _send_batch(cutoff: datetime, batch: int) -> int:
    with transaction.atomic():
        rows = list(
            DeliverySummary.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("campaign__company", "campaign__client_campaign")
            .filter(minute__lt=cutoff)
            .order_by("minute", "id")[:batch]
        )
        for row in rows:
            campaign = row.campaign
            record_event(
                company=campaign.company,
                type=EventType.MESSAGES_DELIVERY_SUMMARY,
                kind=summary_kind(campaign),
                obj=row,
                workspace=campaign.workspace_id,
            )
        DeliverySummary.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def summary_kind(campaign) -> str:
    """Client campaigns are shown as campaign API v2 shows them; other message campaigns as the
    services API does."""
    return (
        "client_delivery_summary" if campaign.selection == campaign.Selection.CLIENTS else "delivery_summary"
    )

"""Delivery: claim due queued messages, send them through their channel's backend at the
channel's rate, and record each outcome.

A claim is a lease: the claimed rows' next_attempt_at moves past the lease and their attempt is
counted, in one short transaction (rows locked with SKIP LOCKED, so workers never take the same
message), and only then is anything sent. A worker that dies mid-batch leaves its messages to
come due again when the lease ends; the provider drops a repeat by its message_key. Messages of
a stopped campaign are not claimed (they wait for a resume); a deleted campaign's never again.
Outcomes are written set-based: one UPDATE per kind of outcome, not per message."""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from campaigns.models import MessageStatus
from messaging import counters
from messaging.delivery import backend_for, ratelimit, retry
from messaging.delivery.base import Outcome, Outgoing, Result
from messaging.models import Message

CHUNK = 1000


@dataclass(frozen=True)
class Delivered:
    claimed: int
    sent: int
    failed: int
    retried: int


def messages_deliver_due(*, limit: int = CHUNK, now=None) -> Delivered:
    """Claim up to `limit` due messages and send them; what happened to them."""
    now = now or timezone.now()
    claimed = _claim(limit, now)
    by_channel: dict[str, list] = defaultdict(list)
    for row in claimed:
        by_channel[row["channel"]].append(row)
    outcomes: list[tuple[dict, Outcome]] = []
    for channel, rows in by_channel.items():
        outcomes += _send_channel(channel, rows)
    return _record(outcomes)


def _claim(limit: int, now) -> list[dict]:
    lease_until = now + timedelta(seconds=settings.MESSAGING_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Message.unscoped.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Message.Status.QUEUED, next_attempt_at__lte=now)
            # An inner join: a stopped campaign's messages wait, a deleted one's are never sent.
            .filter(campaign__status__in=(MessageStatus.ACTIVE, MessageStatus.FINISHED))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        Message.unscoped.filter(id__in=ids).update(next_attempt_at=lease_until, attempts=F("attempts") + 1)
    return list(
        Message.unscoped.filter(id__in=ids)
        .annotate(sender=KeyTextTransform("sender", "occurrence__content"))
        .values(
            "id", "campaign_id", "message_key", "channel", "address", "body", "payload", "attempts", "sender"
        )
    )


def _send_channel(channel: str, rows: list[dict]) -> list[tuple[dict, Outcome]]:
    backend = backend_for(channel)
    done = []
    position = 0
    while position < len(rows):
        wanted = min(backend.max_batch, len(rows) - position)
        granted = ratelimit.wait_for(channel, wanted)
        batch = rows[position : position + granted]
        position += granted
        outgoing = [
            Outgoing(
                message_key=row["message_key"],
                channel=channel,
                sender=row["sender"] or "",
                address=row["address"],
                body=row["body"],
                payload=row["payload"],
            )
            for row in batch
        ]
        done += list(zip(batch, backend.send(outgoing), strict=True))
    return done


def _record(outcomes: list[tuple[dict, Outcome]]) -> Delivered:
    now = timezone.now()
    sent, failed, retried = [], defaultdict(list), []
    for row, outcome in outcomes:
        if outcome.result == Result.SENT:
            sent.append((row, outcome.provider_id))
        elif outcome.result == Result.FAILED or row["attempts"] >= retry.max_attempts():
            failed[outcome.error or "failed"].append(row)
        else:
            delay = retry.retry_delay_seconds(row["attempts"], outcome.retry_after)
            retried.append(
                Message(
                    id=row["id"], next_attempt_at=now + timedelta(seconds=delay), last_error=outcome.error
                )
            )
    with transaction.atomic():
        named = [Message(id=row["id"], provider_id=provider_id) for row, provider_id in sent if provider_id]
        if named:
            Message.unscoped.bulk_update(named, ["provider_id"])
        _settle(
            [row for row, _ in sent], Message.Status.SENT, sent_at=now, last_error="", next_attempt_at=None
        )
        for error, rows in failed.items():
            _settle(rows, Message.Status.FAILED, last_error=error[:300], next_attempt_at=None)
        if retried:
            Message.unscoped.bulk_update(retried, ["next_attempt_at", "last_error"])
    return Delivered(
        claimed=len(outcomes),
        sent=len(sent),
        failed=sum(len(rows) for rows in failed.values()),
        retried=len(retried),
    )


def _settle(rows: list[dict], status: str, **values) -> None:
    """The claimed messages (still queued: a lease that ran out may have let another worker
    settle one first) take `status`, and their campaigns' counters move by what changed: one
    UPDATE per campaign."""
    by_campaign = defaultdict(list)
    for row in rows:
        by_campaign[row["campaign_id"]].append(row["id"])
    queued = Message.unscoped.filter(status=Message.Status.QUEUED)
    moves = [
        (
            campaign_id,
            Message.Status.QUEUED,
            status,
            queued.filter(id__in=ids).update(status=status, **values),
        )
        for campaign_id, ids in by_campaign.items()
    ]
    counters.move_many(moves, error=values.get("last_error", ""))


def deliver_for(seconds: float, *, limit: int = CHUNK) -> Delivered:
    """Deliver due messages, chunk after chunk, for about `seconds` or until none is due."""
    deadline = time.monotonic() + seconds
    totals = Delivered(0, 0, 0, 0)
    while time.monotonic() < deadline:
        done = messages_deliver_due(limit=limit)
        totals = Delivered(*(a + b for a, b in zip(vars(totals).values(), vars(done).values(), strict=True)))
        if done.claimed < limit:
            break
    return totals

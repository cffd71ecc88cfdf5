"""Sending webhook deliveries: claim an endpoint's due deliveries, POST each (signed the Standard
Webhooks way) through the outbound door, record what happened, schedule retries.

A round for one endpoint:
1. claim: in one short transaction, up to WEBHOOKS_BATCH_SIZE of its pending deliveries that are
   due, in event order, locked with SKIP LOCKED (another worker takes others), their
   `next_attempt_at` moved WEBHOOKS_LEASE_SECONDS ahead: a worker that dies leaves them to be
   taken again once the lease runs out (so a delivery is sent once more at most, never lost);
2. send: each one POSTed in turn (config.outbound.post: public addresses only unless
   WEBHOOKS_ALLOW_PRIVATE_URLS, pinned IP, no redirects, WEBHOOKS_TIMEOUT_SECONDS, a capped
   excerpt of the answer). A 2xx succeeds it; anything else (a status, a refusal, a timeout) is a
   failed attempt, retried after RETRY_DELAYS (with jitter) until they run out, then failed;
3. record: in one transaction, the batch's attempts in one INSERT, its deliveries in one UPDATE,
   and the endpoint's failure clock: an endpoint that has failed without a success for
   WEBHOOKS_DISABLE_AFTER_DAYS is switched off and its company's users emailed. The beat checks
   the clocks too (disable_failing_endpoints), as retries stop after about three days.
Rounds go on until nothing is due or WEBHOOKS_TASK_SECONDS have passed (the rest of a batch is
then handed back, due at once, and the task queues itself again).
"""

import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from standardwebhooks import Webhook

from config import outbound
from webhooks.models import Attempt, Delivery, Endpoint, Event

# After the n-th failed attempt the next one waits RETRY_DELAYS[n - 1] (give or take JITTER):
# ten attempts over about three days, then the delivery has failed.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=20),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.1
EXCERPT_BYTES = 2048
ERROR_LENGTH = Attempt._meta.get_field("error").max_length
USER_AGENT = "Postroom-Webhooks/1"


@dataclass
class Round:
    """What one task did: deliveries attempted, succeeded, failed for good, and whether it
    stopped with more due (its time was up)."""

    attempted: int = 0
    succeeded: int = 0
    failed: int = 0
    more: bool = False
    disabled: bool = False
    endpoints: set = field(default_factory=set)

    def add(self, other: "Round") -> None:
        self.attempted += other.attempted
        self.succeeded += other.succeeded
        self.failed += other.failed


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When a delivery that has failed `attempts` times is tried next; None once they ran out."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[attempts - 1].total_seconds()
    return now + timedelta(seconds=delay * random.uniform(1 - JITTER, 1 + JITTER))  # noqa: S311


def payload(event: Event) -> str:
    """The body of every delivery of `event` (Standard Webhooks: type, timestamp, data), with the
    event's id and company beside them."""
    body = {
        "id": event.id,
        "type": event.type,
        "timestamp": _iso(event.occurred_at),
        "companyId": str(event.company_id),
        "workspaceId": str(event.workspace_id) if event.workspace_id else None,
        "data": event.data,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signed_headers(signer: Webhook, event_id: str, body: str, now: datetime) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature (v1: HMAC-SHA256 of id.timestamp.body)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signer.sign(msg_id=event_id, timestamp=now, data=body),
    }


def post_signed(url: str, signer: Webhook, event_id: str, body: str) -> outbound.OutboundResponse:
    """One signed POST through the outbound door, as every delivery sends it."""
    headers = signed_headers(signer, event_id, body, timezone.now())
    return outbound.post(
        url,
        body=body.encode(),
        headers=headers,
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        max_response_bytes=EXCERPT_BYTES,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_URLS,
    )


def deliver_endpoint(endpoint_id) -> Round:
    """Send `endpoint_id`'s due deliveries, batch after batch, for up to WEBHOOKS_TASK_SECONDS."""
    done = Round()
    deadline = time.monotonic() + settings.WEBHOOKS_TASK_SECONDS
    while True:
        # Read each round: a rotated secret signs from the next batch on, a disabled endpoint stops.
        endpoint = Endpoint.unscoped.filter(pk=endpoint_id, enabled=True).first()
        if endpoint is None:
            return done
        batch = _claim(endpoint, timezone.now())
        if not batch:
            return done
        sent = _send(endpoint, batch, deadline)
        done.add(sent)
        if sent.disabled:
            return done
        if sent.more:
            done.more = True
            return done


def due_endpoint_ids(now: datetime | None = None) -> list:
    """Endpoints (enabled) with a delivery due: retries, and those whose first send was lost."""
    now = now or timezone.now()
    return list(
        Delivery.unscoped.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__enabled=True
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
    )


def _claim(endpoint: Endpoint, now: datetime) -> list[Delivery]:
    lease_until = now + timedelta(seconds=settings.WEBHOOKS_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Delivery.unscoped.select_for_update(skip_locked=True)
            .filter(endpoint=endpoint, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("occurred_at", "id")
            .values_list("id", flat=True)[: settings.WEBHOOKS_BATCH_SIZE]
        )
        if not ids:
            return []
        Delivery.unscoped.filter(id__in=ids).update(next_attempt_at=lease_until)
    return list(Delivery.unscoped.filter(id__in=ids).select_related("event").order_by("occurred_at", "id"))


def _send(endpoint: Endpoint, batch: list[Delivery], deadline: float) -> Round:
    signer = Webhook(endpoint.secret)
    done = Round()
    attempts: list[Attempt] = []
    for delivery in batch:
        if time.monotonic() >= deadline:
            done.more = True
            delivery.next_attempt_at = timezone.now()  # handed back, due at once
            continue
        attempt = _attempt(endpoint.url, signer, delivery)
        attempts.append(attempt)
        _apply(delivery, attempt, done)
    with transaction.atomic():
        # The endpoint's row first (as its delete takes it): a deleted endpoint's log is gone.
        if not Endpoint.unscoped.select_for_update().filter(pk=endpoint.pk).exists():
            return done
        Attempt.objects.bulk_create(attempts)
        _write_outcomes(batch)
        if attempts:
            done.disabled = _endpoint_health(endpoint, attempts)
    return done


OUTCOME_FIELDS = ("id", "status", "attempts", "next_attempt_at", "last_attempt_at", "last_status_code")


def _write_outcomes(batch: list[Delivery]) -> None:
    """The batch's deliveries' new state in one UPDATE ... FROM (VALUES ...): Django's bulk_update
    builds a CASE per field and row, whose making costs more than the POSTs it records."""
    fields = [Delivery._meta.get_field(name) for name in OUTCOME_FIELDS]
    postgres = connection.vendor == "postgresql"
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" if postgres else "%s" for f in fields) + ")"
    params = [f.get_db_prep_value(getattr(d, f.attname), connection) for d in batch for f in fields]
    quote = connection.ops.quote_name
    table, key = quote(Delivery._meta.db_table), quote(fields[0].column)
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields[1:])
    values = ", ".join([row] * len(batch))
    # Names from the model and placeholders only: every value is a parameter.
    sql = f"WITH v ({columns}) AS (VALUES {values}) UPDATE {table} SET {assignments} FROM v WHERE {table}.{key} = v.{key}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _attempt(url: str, signer: Webhook, delivery: Delivery) -> Attempt:
    attempted_at = timezone.now()
    started = time.monotonic()
    try:
        response = post_signed(url, signer, delivery.event_id, payload(delivery.event))
    except outbound.OutboundFetchError as refused:
        return Attempt(
            delivery=delivery,
            attempted_at=attempted_at,
            duration_ms=round((time.monotonic() - started) * 1000),
            error=refused.message[:ERROR_LENGTH],
        )
    excerpt = response.body_excerpt.decode("utf-8", errors="replace").replace("\x00", "")
    return Attempt(
        delivery=delivery,
        attempted_at=attempted_at,
        status_code=response.status if 100 <= response.status <= 999 else None,
        duration_ms=response.elapsed_ms,
        response_excerpt=excerpt,
        error="" if 200 <= response.status < 300 else f"The receiver answered with status {response.status}.",
    )


def succeeded(attempt: Attempt) -> bool:
    return attempt.status_code is not None and 200 <= attempt.status_code < 300


def _apply(delivery: Delivery, attempt: Attempt, done: Round) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = attempt.attempted_at
    delivery.last_status_code = attempt.status_code
    done.attempted += 1
    if succeeded(attempt):
        delivery.status, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, None
        done.succeeded += 1
        return
    delivery.next_attempt_at = retry_at(delivery.attempts, attempt.attempted_at)
    if delivery.next_attempt_at is None:
        delivery.status = Delivery.Status.FAILED
        done.failed += 1


def _endpoint_health(endpoint: Endpoint, attempts: list[Attempt]) -> bool:
    """Start or stop the endpoint's failure clock by the batch's last attempt; switch it off once
    it has failed for WEBHOOKS_DISABLE_AFTER_DAYS. True when this batch switched it off."""
    endpoints = Endpoint.unscoped.filter(pk=endpoint.pk)
    if succeeded(attempts[-1]):
        endpoints.filter(failing_since__isnull=False).update(failing_since=None)
        return False
    first_failure = next(a.attempted_at for a in attempts if not succeeded(a))
    endpoints.filter(failing_since__isnull=True).update(failing_since=first_failure)
    return bool(_switch_off_failing(endpoints, attempts[-1].attempted_at))


def disable_failing_endpoints() -> list:
    """The beat's check: switch off every endpoint that has failed for WEBHOOKS_DISABLE_AFTER_DAYS
    even though no attempt came since (its retries ran out and no new event came); their ids."""
    with transaction.atomic():
        return _switch_off_failing(Endpoint.unscoped.all(), timezone.now())


def _switch_off_failing(endpoints, now: datetime) -> list:
    """Switch off those of `endpoints` failing without a success since WEBHOOKS_DISABLE_AFTER_DAYS
    before `now`, and email their companies' users once the caller's transaction commits. Rows a
    delivery round is recording are skipped: that round decides for them."""
    cutoff = now - timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS)
    failing = endpoints.select_for_update(skip_locked=True).filter(enabled=True, failing_since__lte=cutoff)
    ids = list(failing.values_list("pk", flat=True))
    if not ids:
        return []
    days = f"{settings.WEBHOOKS_DISABLE_AFTER_DAYS:g}"
    Endpoint.unscoped.filter(pk__in=ids).update(
        enabled=False, disabled_reason=f"Every delivery failed for {days} days."
    )
    transaction.on_commit(lambda: _email_disabled(ids))
    return ids


def _email_disabled(endpoint_ids: list) -> None:
    from webhooks.tasks import endpoint_disabled_email_send

    for endpoint_id in endpoint_ids:
        endpoint_disabled_email_send.delay(str(endpoint_id))

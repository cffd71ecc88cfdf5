"""Message generation: one Message per targeted recipient of an occurrence, written set-based.

`occurrence_generate` (in the worker) takes the occurrence (a lease on its row, renewed with
every batch), then writes its messages in keyset batches by recipient id. Each batch is ONE
INSERT ... SELECT: the SELECT is the targeted recipients' query (messaging.segmentation) with each
message's address, status, body and payload computed in SQL (messaging.rendering). The batch,
the occurrence's progress and its checkpoint (the batch's last recipient id) commit in one
transaction, so a worker killed mid-way leaves an occurrence that a rerun resumes after its last
committed batch; the unique (campaign, occurrence, recipient) with ON CONFLICT DO NOTHING keeps
any overlap from doubling a message.

Progress: `targeted` counts the recipients gone through, `without_address` those of them with no
address on the channel (their message is written failed, 'no address'), `generated` the messages
written.
"""

import logging
import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from config.errors import DomainError
from config.leases import expired_before, lease_left
from messaging import counters, rendering
from messaging.models import CampaignClient, Message, Occurrence
from messaging.segmentation import targeted_recipients

logger = logging.getLogger("postroom.messaging")

UNFINISHED = (Occurrence.Status.PENDING, Occurrence.Status.GENERATING)
NO_ADDRESS = "no address"
FAILED, QUEUED = Message.Status.FAILED.value, Message.Status.QUEUED.value


class FailureReason(StrEnum):
    """Why an occurrence failed (its failure_reason; a domain error's code otherwise). Stable
    codes: whatever shows them words them."""

    INTERRUPTED = "generation_interrupted"  # its worker died on it again and again
    ERROR = "generation_error"  # an unexpected error, retried to no avail


class GenerationSuperseded(Exception):
    """Another run of the same occurrence committed a batch first (or the occurrence is gone):
    this run stops and leaves it be."""


def occurrence_generate(*, occurrence_id) -> None:
    """Generate (or resume generating) an occurrence's messages. Safe to call again: a finished
    occurrence is left alone, one that another run holds (its lease is live) too, and an
    interrupted one continues after its checkpoint."""
    occurrence = Occurrence.unscoped.select_related("campaign").filter(pk=occurrence_id).first()
    if occurrence is None or occurrence.status not in UNFINISHED:
        return
    if occurrence.status == Occurrence.Status.GENERATING and _lease_live(occurrence):
        # Another run holds it; if its worker has died, the lease runs out and
        # occurrences_resume_stale queues it again.
        return
    if occurrence.attempts >= settings.MESSAGING_GENERATION_MAX_ATTEMPTS:
        _fail(occurrence, FailureReason.INTERRUPTED)
        return
    if not _take(occurrence):
        return
    occurrence.refresh_from_db()  # the checkpoint as the last run left it
    try:
        plan = BatchPlan.of(occurrence)
        _refresh_statistics(plan)
        while _commit_batch(occurrence, plan):
            pass
    except GenerationSuperseded:
        return
    except DomainError as exc:  # the snapshot cannot be generated as it is (a bad query, say)
        _fail(occurrence, exc.code)
        return
    except Exception:
        # The task retries in a moment: its next run may take the occurrence at once.
        Occurrence.unscoped.filter(pk=occurrence.pk, status=Occurrence.Status.GENERATING).update(
            status=Occurrence.Status.PENDING, heartbeat_at=timezone.now()
        )
        raise


def occurrence_generation_give_up(*, occurrence_id) -> None:
    """The task ran out of retries on an unexpected error: fail the occurrence."""
    occurrence = Occurrence.unscoped.filter(pk=occurrence_id, status__in=UNFINISHED).first()
    if occurrence is not None:
        _fail(occurrence, FailureReason.ERROR)


def occurrences_resume_stale(*, limit: int = 100) -> dict[str, int]:
    """Unfinished occurrences whose lease ran out (their worker was killed, or their message
    lost): queued again, to resume after their last committed batch, or failed once they have
    been started MESSAGING_GENERATION_MAX_ATTEMPTS times. Each is taken under its row lock (SKIP
    LOCKED: one being resumed right now is left to that) and checked again there."""
    cutoff = expired_before(settings.MESSAGING_GENERATION_LEASE_SECONDS)
    stale = list(
        Occurrence.unscoped.filter(status__in=UNFINISHED, heartbeat_at__lt=cutoff)
        .order_by("heartbeat_at")
        .values_list("pk", flat=True)[:limit]
    )
    outcome = {"resumed": 0, "failed": 0}
    for occurrence_id in stale:
        with transaction.atomic():
            occurrence = (
                Occurrence.unscoped.select_for_update(skip_locked=True)
                .filter(pk=occurrence_id, status__in=UNFINISHED, heartbeat_at__lt=cutoff)
                .first()
            )
            if occurrence is None:
                continue
            if (
                occurrence.status == Occurrence.Status.GENERATING
                and occurrence.attempts >= settings.MESSAGING_GENERATION_MAX_ATTEMPTS
            ):
                _fail(occurrence, FailureReason.INTERRUPTED)
                outcome["failed"] += 1
                continue
            # Pending again with a fresh lease: the next run takes it (attempts count the starts).
            Occurrence.unscoped.filter(pk=occurrence.pk).update(
                status=Occurrence.Status.PENDING, heartbeat_at=timezone.now()
            )
            from messaging.tasks import occurrence_generate as generate_task  # the task imports this

            transaction.on_commit(lambda pk=occurrence.pk: generate_task.delay(pk))
            outcome["resumed"] += 1
            logger.info("occurrence %s: lease expired (worker gone), queued again", occurrence.pk)
    return outcome


def _lease_live(occurrence: Occurrence) -> bool:
    return lease_left(occurrence.heartbeat_at, settings.MESSAGING_GENERATION_LEASE_SECONDS) > 0


def _take(occurrence: Occurrence) -> bool:
    """This run holds the occurrence from now on, if it is pending or its last holder's lease ran
    out (decided in one UPDATE: of two runs starting together, one takes it)."""
    now = timezone.now()
    return bool(
        Occurrence.unscoped.filter(pk=occurrence.pk)
        .filter(
            Q(status=Occurrence.Status.PENDING)
            | Q(
                status=Occurrence.Status.GENERATING,
                heartbeat_at__lt=expired_before(settings.MESSAGING_GENERATION_LEASE_SECONDS),
            )
        )
        .update(
            status=Occurrence.Status.GENERATING,
            attempts=F("attempts") + 1,
            started_at=occurrence.started_at or now,
            heartbeat_at=now,
        )
    )


def _fail(occurrence: Occurrence, code: str) -> None:
    Occurrence.unscoped.filter(pk=occurrence.pk).update(
        status=Occurrence.Status.FAILED, failure_reason=str(code), finished_at=timezone.now()
    )
    logger.warning("occurrence %s: generation failed (%s)", occurrence.pk, code)


# ---- one batch ---------------------------------------------------------------------------------


# The columns each batch's SELECT computes per recipient (besides its id).
MESSAGE_EXPRESSIONS = ("address", "body", "payload", "status", "last_error")


@dataclass(frozen=True)
class BatchPlan:
    """What every batch of an occurrence selects: its targeted rows (recipients, or a client
    campaign's clients) with each message's columns as expressions, and the values that are the
    same for all its messages."""

    rows: QuerySet  # the targeted rows, annotated with MESSAGE_EXPRESSIONS
    key: str  # the rows' key, in batch order: "id" (recipients) or "position" (clients)
    company_id: uuid.UUID
    campaign_id: uuid.UUID
    occurrence_id: int
    channel: str

    @property
    def for_clients(self) -> bool:
        return self.key == "position"

    @property
    def checkpoint_field(self) -> str:
        return "checkpoint_client" if self.for_clients else "checkpoint_recipient_id"

    @classmethod
    def of(cls, occurrence: Occurrence) -> "BatchPlan":
        content, targeting = occurrence.content or {}, occurrence.targeting or {}
        channel = content.get("channel") or occurrence.campaign.channel
        if targeting.get("clients"):
            return cls._of_clients(occurrence, content, channel)
        recipients = targeted_recipients(
            company=occurrence.company,
            group_ids=list(targeting.get("recipient_lists") or []),
            query=targeting.get("query"),
            today=timezone.localdate(occurrence.scheduled_at),  # a rerun after midnight targets alike
        )
        address = rendering.address(channel)
        body, payload = rendering.body_and_payload(channel, content)
        no_address = Q(address="")
        rows = (
            recipients.annotate(address=address, body=body, payload=payload)
            .annotate(
                status=Case(When(no_address, then=Value(FAILED)), default=Value(QUEUED)),
                last_error=Case(When(no_address, then=Value(NO_ADDRESS)), default=Value("")),
            )
            .values("id", *MESSAGE_EXPRESSIONS)
        )
        return cls(rows, "id", occurrence.company_id, occurrence.campaign_id, occurrence.pk, channel)

    @classmethod
    def _of_clients(cls, occurrence: Occurrence, content: dict, channel: str) -> "BatchPlan":
        """A client campaign's clients, each with its number as the address (always given)."""
        body, payload = rendering.client_body_and_payload(content)
        rows = (
            CampaignClient.objects.filter(campaign_id=occurrence.campaign_id)
            .annotate(
                address=F("account_id"),
                body=body,
                payload=payload,
                status=Value(QUEUED),
                last_error=Value(""),
            )
            .values("position", *MESSAGE_EXPRESSIONS)
        )
        return cls(rows, "position", occurrence.company_id, occurrence.campaign_id, occurrence.pk, channel)


@dataclass(frozen=True)
class BatchResult:
    targeted: int
    without_address: int
    generated: int
    generated_failed: int  # of the messages written, those written failed (no address)
    last_key: uuid.UUID | int | None  # the batch's last recipient id or client position


def _commit_batch(occurrence: Occurrence, plan: BatchPlan) -> bool:
    """Write the next batch with the occurrence's progress and checkpoint, in one transaction;
    whether there may be more."""
    size = settings.MESSAGING_GENERATION_BATCH
    checkpoint = plan.checkpoint_field
    after = getattr(occurrence, checkpoint)
    now = timezone.now()
    with transaction.atomic():
        # Only while the checkpoint is where this run left it (and the row locked until commit):
        # two runs of one occurrence cannot both commit a batch.
        held = Occurrence.unscoped.filter(
            pk=occurrence.pk, status=Occurrence.Status.GENERATING, **{checkpoint: after}
        ).update(heartbeat_at=now)
        if not held:
            raise GenerationSuperseded()
        result = _insert_batch(plan, after=after, size=size, now=now)
        finished = result.targeted < size
        last = result.last_key if result.last_key is not None else after
        progress = {
            "targeted": F("targeted") + result.targeted,
            "without_address": F("without_address") + result.without_address,
            "generated": F("generated") + result.generated,
            checkpoint: last,
        }
        if finished:
            progress.update(status=Occurrence.Status.GENERATED, finished_at=now)
        Occurrence.unscoped.filter(pk=occurrence.pk).update(**progress)
        counters.move_many(
            [
                (plan.campaign_id, counters.NEW, QUEUED, result.generated - result.generated_failed),
                (plan.campaign_id, counters.NEW, FAILED, result.generated_failed),
            ],
            error=NO_ADDRESS,
        )
    setattr(occurrence, checkpoint, last)
    return not finished


# Tables whose statistics changed much since they were last analyzed (autovacuum's own measure).
STALE_STATISTICS = """
SELECT relname FROM pg_stat_user_tables
WHERE relname = ANY(%s) AND n_mod_since_analyze > 1000 + n_live_tup / 10
"""


def _refresh_statistics(plan: BatchPlan) -> None:
    """On PostgreSQL, analyze the tables a batch reads first if they changed much since they were
    last analyzed (an import of a million recipients a moment ago, before autovacuum came round).
    Planned from stale statistics, a batch's ORDER BY id LIMIT n may read and sort every
    remaining recipient, for every batch."""
    if connection.vendor != "postgresql":
        return
    model = plan.rows.model
    tables = [model._meta.db_table]
    if not plan.for_clients:
        tables.append(model.groups.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(STALE_STATISTICS, [tables])
        for (table,) in cursor.fetchall():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _batch_select(plan: BatchPlan, *, after: uuid.UUID | None, size: int) -> tuple[str, tuple]:
    """The SQL and parameters of the batch's SELECT: the next `size` targeted rows after `after`
    by key, with their messages' columns (key, *MESSAGE_EXPRESSIONS). Taken from the queryset
    with Query.sql_with_params(), the one Django internal this module relies on (how the ORM's
    SQL is handed to a hand-written INSERT ... SELECT); tests/messaging pin it."""
    rows = plan.rows if after is None else plan.rows.filter(**{f"{plan.key}__gt": after})
    return rows.order_by(plan.key)[:size].query.sql_with_params()


# Random 30 upper-case hex digits, unique by the table's constraint. On PostgreSQL from random()
# (a per-connection generator seeded from the system's strong randomness): three draws of 40 bits,
# cheaper than gen_random_uuid() or md5(), which call the strong generator or hash per row. The
# key names a message, scoped to its company's credentials: it guards nothing, so a fast
# generator with 120 bits is enough. The conflict target below is only the recipient's
# constraint, so a key collision would fail the batch (to be retried), never drop a message.
_FORTY_BITS = "substr(to_hex((random() * 1099511627776)::int8 | 1099511627776), 2)"
MESSAGE_KEY_SQL = {
    "postgresql": f"upper({_FORTY_BITS} || {_FORTY_BITS} || {_FORTY_BITS})",
    "sqlite": "upper(hex(randomblob(15)))",
}
INSERT_COLUMNS = (
    "company_id, campaign_id, occurrence_id, recipient_id, client, channel, address, body, payload, "
    "status, attempts, last_error, message_key, next_attempt_at, provider_id, created_at"
)
# Queued messages are due at once; failed ones never. {target}: the row's key in the recipient_id
# or the client column, NULL in the other.
INSERT_VALUES = (
    "%s, %s, %s, {target}, %s, b.address, b.body, b.payload, b.status, 0, b.last_error, {key}, "
    "CASE WHEN b.status = 'queued' THEN %s END, '', %s"
)
TARGETS = {"id": "b.id, NULL", "position": "NULL, b.position"}
ON_CONFLICT = {
    "id": "ON CONFLICT (campaign_id, occurrence_id, recipient_id) DO NOTHING",
    "position": "ON CONFLICT (campaign_id, occurrence_id, client) WHERE client IS NOT NULL DO NOTHING",
}

# One statement: the batch (materialized: it is read more than once), its messages written, and
# what the progress needs back.
INSERT_BATCH_POSTGRESQL = """
WITH b AS MATERIALIZED ({select}),
written AS (
    INSERT INTO {table} ({columns}) SELECT {values} FROM b {on_conflict} RETURNING status
)
SELECT (SELECT count(*) FROM b), (SELECT count(*) FROM b WHERE b.status = 'failed'),
    (SELECT b.{key_column} FROM b ORDER BY b.{key_column} DESC LIMIT 1), (SELECT count(*) FROM written),
    (SELECT count(*) FROM written WHERE written.status = 'failed')
"""
# SQLite has no INSERT inside WITH: the batch's figures first, then its messages, the failed and
# the queued ones apart (so each count written is exact). `WHERE` also tells its parser the ON
# CONFLICT belongs to the INSERT, not to a join of the SELECT.
SUMMARY_BATCH_SQLITE = """
SELECT count(*), coalesce(sum(b.status = 'failed'), 0), max(b.{key_column}) FROM ({select}) AS b
"""
INSERT_BATCH_SQLITE = (
    "INSERT INTO {table} ({columns}) SELECT {values} FROM ({select}) AS b WHERE b.status = %s {on_conflict}"
)


def _insert_batch(plan: BatchPlan, *, after, size: int, now) -> BatchResult:
    select, select_params = _batch_select(plan, after=after, size=size)
    constants = (
        _db_value("company", plan.company_id),
        _db_value("campaign", plan.campaign_id),
        _db_value("occurrence", plan.occurrence_id),
        plan.channel,
        _db_value("next_attempt_at", now),
        _db_value("created_at", now),
    )
    parts = {
        "select": select,
        "table": Message._meta.db_table,
        "columns": INSERT_COLUMNS,
        "values": INSERT_VALUES.format(target=TARGETS[plan.key], key=MESSAGE_KEY_SQL[connection.vendor]),
        "on_conflict": ON_CONFLICT[plan.key],
        "key_column": plan.key,
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(INSERT_BATCH_POSTGRESQL.format(**parts), (*select_params, *constants))
            targeted, without_address, last_key, generated, generated_failed = cursor.fetchone()
        else:
            cursor.execute(SUMMARY_BATCH_SQLITE.format(**parts), select_params)
            targeted, without_address, last_key = cursor.fetchone()
            insert = INSERT_BATCH_SQLITE.format(**parts)
            cursor.execute(insert, (*constants, *select_params, FAILED))
            generated_failed = cursor.rowcount
            cursor.execute(insert, (*constants, *select_params, QUEUED))
            generated = generated_failed + cursor.rowcount
    key_field = Message._meta.get_field("client" if plan.for_clients else "recipient_id")
    return BatchResult(targeted, without_address, generated, generated_failed, key_field.to_python(last_key))


def _db_value(field_name: str, value):
    return Message._meta.get_field(field_name).get_db_prep_value(value, connection)

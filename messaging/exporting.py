"""The messages export: a campaign's generated messages written to storage as CSV pages.

`export_run` (in the worker) takes a MessageExport (a lease on its row, renewed with every page),
then writes pages of at most `page_rows` messages in message id order, each a UTF-8 CSV file with
the header `customer_id,message` (RFC 4180 quoting, `\\n` line ends as PostgreSQL's COPY writes
them) at `MessageExport.page_key(n)`:

- customer_id: the recipient's id, or, for a campaign of campaign API v2, the client's AccountID
  (its message's address);
- message: the body, or the JSON message as text when the body is empty.

On PostgreSQL a page is read by keyset: the page's bounds (how many rows, the last id) and one
`COPY (SELECT ...) TO STDOUT (FORMAT csv)` of exactly those rows, both in one REPEATABLE READ
snapshot, streamed into a spooled temporary file (memory stays flat, whatever the page size) and
stored from there. Elsewhere a server-side cursor feeds the csv module. After each page, its
number, rows and last message id are committed to the job row with a fresh heartbeat, as a
compare-and-set on the page number and the run's attempt: a run killed mid-way leaves a job that
a rerun resumes after its last committed page, rewriting at most the unfinished page, and ends
with the same files. Only the run that took the job (its `attempts`) commits pages.

When the last page is written, the export becomes the campaign's current one in one transaction
(the previous current export is then replaced: its files stay MESSAGES_EXPORT_PURGE_DELAY_SECONDS
for URLs already handed out), and its rows count in the month's MessagesUsage in place of the
rows its publish reserved (`rows_reserved`, released too when it fails).

An export of a campaign whose generation is still under way waits: the run gives the job back
(queued) and the task retries later, so no export holds half a firing.
"""

import collections
import contextlib
import csv
import io
import json
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.leases import expired_before
from messaging.models import Message, MessageExport, MessagesUsage, Occurrence

logger = logging.getLogger(__name__)

HEADER = "customer_id,message\n"
# A page is assembled in memory up to this size, on disk beyond.
SPOOL_BYTES = 4 * 1024 * 1024
AT_WORK = (MessageExport.Status.QUEUED, MessageExport.Status.RUNNING)
GENERATION_UNDER_WAY = (Occurrence.Status.PENDING, Occurrence.Status.GENERATING)
SQLITE_CHUNK = 2000


class FailureReason:
    """Why an export failed (its `error`)."""

    INTERRUPTED = "interrupted"  # its worker vanished MESSAGES_EXPORT_MAX_ATTEMPTS times
    ERROR = "error"  # an unexpected error, past the task's retries


class ExportSuperseded(Exception):
    """Another run holds the export now (this one's lease ran out): stop without writing more."""


class GenerationUnderWay(Exception):
    """The campaign's messages are still being generated: the export waits (the task retries)."""


@dataclass(frozen=True)
class Page:
    rows: int
    last_id: int | None


# ---- the run -----------------------------------------------------------------------------------


def export_run(*, export_id) -> str:
    """Write (or resume) one export; its status afterwards. Raises GenerationUnderWay when it
    must wait for its campaign's generation (the job is queued again)."""
    found = MessageExport.unscoped.filter(pk=export_id).values_list("campaign_id", flat=True).first()
    if found is not None and _generation_under_way(found):
        # Waiting is not a start (attempts stay); the fresh heartbeat keeps the sweep away.
        MessageExport.unscoped.filter(pk=export_id, status=MessageExport.Status.QUEUED).update(
            heartbeat_at=timezone.now()
        )
        raise GenerationUnderWay()
    export = _take(export_id)
    if export is None:
        found = MessageExport.unscoped.filter(pk=export_id).values_list("status", flat=True).first()
        return found or "missing"
    try:
        reader = PageReader(export)
        # A resumed run's first page may be there already, half-written: it is replaced whole.
        with relaxed_commits():
            more = _write_next_page(export, reader, replace=export.attempts > 1)
            while more:
                more = _write_next_page(export, reader, replace=False)
        _complete(export)
    except ExportSuperseded:
        logger.info("export %s: taken over by another run, this one stops", export.pk)
        return "superseded"
    except Exception:
        # The task retries in a moment: its next run may take the export at once.
        MessageExport.unscoped.filter(
            pk=export.pk, status=MessageExport.Status.RUNNING, attempts=export.attempts
        ).update(status=MessageExport.Status.QUEUED, heartbeat_at=timezone.now())
        raise
    return MessageExport.Status.DONE


def _take(export_id) -> MessageExport | None:
    """This run holds the export from now on, if it is queued or its last holder's lease ran out
    (decided in one UPDATE: of two runs starting together, one takes it)."""
    now = timezone.now()
    taken = (
        MessageExport.unscoped.filter(pk=export_id)
        .filter(
            Q(status=MessageExport.Status.QUEUED)
            | Q(
                status=MessageExport.Status.RUNNING,
                heartbeat_at__lt=expired_before(settings.MESSAGES_EXPORT_LEASE_SECONDS),
            )
        )
        .update(
            status=MessageExport.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), now),
            heartbeat_at=now,
        )
    )
    return MessageExport.unscoped.get(pk=export_id) if taken else None


def _generation_under_way(campaign_id) -> bool:
    return Occurrence.unscoped.filter(campaign_id=campaign_id, status__in=GENERATION_UNDER_WAY).exists()


def _write_next_page(export: MessageExport, reader: "PageReader", *, replace: bool) -> bool:
    """Write the export's next page and commit it; whether there may be more."""
    number = export.pages
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as buffer:
        page = reader.read(after=export.checkpoint_message_id, into=buffer)
        if page.rows:
            buffer.seek(0)
            store_page(export.page_key(number), buffer, replace=replace)
    if page.rows:
        _commit_page(export, number, page)
    return page.rows >= export.page_rows


@contextlib.contextmanager
def relaxed_commits():
    """On PostgreSQL, page commits do not wait for their WAL flush: a database crash may lose the
    last few, and the resumed run then writes those pages again, alike. (One flush per page would
    cost more than the page's COPY.) The export's completion commits durably."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:  # a lost connection resets it
            cursor.execute("RESET synchronous_commit")


def _commit_page(export: MessageExport, number: int, page: Page) -> None:
    held = MessageExport.unscoped.filter(
        pk=export.pk, status=MessageExport.Status.RUNNING, attempts=export.attempts, pages=number
    ).update(
        pages=number + 1,
        rows=F("rows") + page.rows,
        checkpoint_message_id=page.last_id,
        heartbeat_at=timezone.now(),
    )
    if not held:
        raise ExportSuperseded()
    export.pages, export.rows, export.checkpoint_message_id = (
        number + 1,
        export.rows + page.rows,
        page.last_id,
    )


def _complete(export: MessageExport) -> None:
    """The export becomes the campaign's current one (the one it replaces is purged later) and
    its rows count in the month's usage: one transaction."""
    now = timezone.now()
    with transaction.atomic():
        held = (
            MessageExport.unscoped.select_for_update()
            .filter(pk=export.pk, status=MessageExport.Status.RUNNING, attempts=export.attempts)
            .first()
        )
        if held is None:
            raise ExportSuperseded()
        purge_at = now + timedelta(seconds=settings.MESSAGES_EXPORT_PURGE_DELAY_SECONDS)
        MessageExport.unscoped.filter(campaign_id=export.campaign_id, is_current=True).exclude(
            pk=export.pk
        ).update(is_current=False, files_purge_at=purge_at)
        # The reservation is settled: the rows written count as published instead.
        MessageExport.unscoped.filter(pk=export.pk).update(
            status=MessageExport.Status.DONE,
            is_current=True,
            rows_reserved=0,
            finished_at=now,
            heartbeat_at=now,
        )
        usage_add(company_id=export.company_id, rows_published=held.rows)
    logger.info("export %s: %s rows in %s pages", export.pk, held.rows, held.pages)


def usage_add(*, company_id, rows_published: int = 0, pages_calls: int = 0) -> None:
    """Count rows published and pages calls in the company's usage of this month."""
    month = _this_month()
    _usage_ensure(company_id, month)
    MessagesUsage.objects.filter(company_id=company_id, month=month).update(
        rows_published=F("rows_published") + rows_published, pages_calls=F("pages_calls") + pages_calls
    )


def usage_locked(*, company_id) -> MessagesUsage:
    """The company's usage row of this month, locked until the transaction ends (made if new)."""
    month = _this_month()
    _usage_ensure(company_id, month)
    return MessagesUsage.objects.select_for_update().get(company_id=company_id, month=month)


def _this_month():
    return timezone.localdate().replace(day=1)


def _usage_ensure(company_id, month) -> None:
    MessagesUsage.objects.bulk_create(
        [MessagesUsage(company_id=company_id, month=month)], ignore_conflicts=True
    )


def export_give_up(*, export_id, reason: str = FailureReason.ERROR) -> None:
    """Fail an export at work (the task ran out of retries, or its worker vanished too often);
    the pages it wrote go with the next purge."""
    failed = MessageExport.unscoped.filter(pk=export_id, status__in=AT_WORK).update(
        status=MessageExport.Status.FAILED,
        rows_reserved=0,  # released: a failed export counts nothing against the limit
        error=reason,
        finished_at=timezone.now(),
        files_purge_at=timezone.now(),
    )
    if failed:
        logger.warning("export %s: failed (%s)", export_id, reason)


def exports_resume_stale(*, limit: int = 100) -> dict[str, int]:
    """Exports at work whose lease ran out (their worker was killed, or their message lost):
    queued again, to resume after their last committed page, or failed once they have been
    started MESSAGES_EXPORT_MAX_ATTEMPTS times. Each is taken under its row lock (SKIP LOCKED)
    and checked again there."""
    cutoff = expired_before(settings.MESSAGES_EXPORT_LEASE_SECONDS)
    stale = list(
        MessageExport.unscoped.filter(status__in=AT_WORK, heartbeat_at__lt=cutoff)
        .order_by("heartbeat_at")
        .values_list("pk", flat=True)[:limit]
    )
    outcome = {"resumed": 0, "failed": 0}
    for export_id in stale:
        with transaction.atomic():
            export = (
                MessageExport.unscoped.select_for_update(skip_locked=True)
                .filter(pk=export_id, status__in=AT_WORK, heartbeat_at__lt=cutoff)
                .first()
            )
            if export is None:
                continue
            if (
                export.status == MessageExport.Status.RUNNING
                and export.attempts >= settings.MESSAGES_EXPORT_MAX_ATTEMPTS
            ):
                export_give_up(export_id=export.pk, reason=FailureReason.INTERRUPTED)
                outcome["failed"] += 1
                continue
            MessageExport.unscoped.filter(pk=export.pk).update(
                status=MessageExport.Status.QUEUED, heartbeat_at=timezone.now()
            )
            queue_export(export.pk)
            outcome["resumed"] += 1
            logger.info("export %s: lease expired (worker gone), queued again", export.pk)
    return outcome


def queue_export(export_id) -> None:
    """Queue the export's task once the current transaction commits."""
    from messaging.tasks import message_export_run  # the task imports this module

    transaction.on_commit(lambda: message_export_run.delay(str(export_id)))


# ---- reading a page ----------------------------------------------------------------------------

# customer_id and message of the page's rows (alias m: the messages table).
CUSTOMER_ID_SQL = "CASE WHEN m.client IS NOT NULL THEN m.address ELSE m.recipient_id::text END"
MESSAGE_SQL = "CASE WHEN m.body <> '' OR m.payload IS NULL THEN m.body ELSE m.payload::text END"
# The next pages' bounds after a message id: each page's last message id and its rows, read from
# the (campaign, id) index alone.
BOUNDS_SQL = """
SELECT max(p.id), count(*) FROM (
    SELECT m.id, row_number() OVER (ORDER BY m.id) AS n FROM {table} m
    WHERE m.campaign_id = %s AND m.company_id = %s AND m.id > %s ORDER BY m.id LIMIT %s
) AS p
GROUP BY (p.n - 1) / %s ORDER BY 1
"""
COPY_SQL = """
COPY (
    SELECT {customer_id}, {message} FROM {table} m
    WHERE m.campaign_id = %s AND m.company_id = %s AND m.id > %s AND m.id <= %s ORDER BY m.id
) TO STDOUT (FORMAT csv)
"""
# How many pages' bounds one query finds.
BOUNDS_AHEAD = 50


class PageReader:
    """Reads an export's pages in message id order, each as CSV with its header.

    On PostgreSQL the bounds of the next BOUNDS_AHEAD pages come from one query; each page is
    then one COPY of its id range (after the previous page's last id, up to its own), whose
    rows PostgreSQL counts. Elsewhere a server-side cursor feeds the csv module."""

    def __init__(self, export: MessageExport):
        self.export = export
        self.bounds: collections.deque[int] = collections.deque()
        self.postgresql = connection.vendor == "postgresql"
        self.table = connection.ops.quote_name(Message._meta.db_table)

    def read(self, *, after: int | None, into) -> Page:
        """Write the header and the next (at most page_rows) messages after message `after` into
        the binary file `into`; how many and the last message's id."""
        into.write(HEADER.encode())
        if not self.postgresql:
            return self._read_iterated(after=after, into=into)
        after = after if after is not None else 0
        if not self.bounds:
            self._find_bounds(after)
        if not self.bounds:
            return Page(rows=0, last_id=None)
        last_id = self.bounds.popleft()
        statement = COPY_SQL.format(table=self.table, customer_id=CUSTOMER_ID_SQL, message=MESSAGE_SQL)
        with connection.cursor() as cursor:
            with cursor.copy(statement, (*self._keys(), after, last_id)) as copy:
                for chunk in copy:
                    into.write(chunk)
            rows = cursor.rowcount
        return Page(rows=rows, last_id=last_id)

    def _keys(self) -> tuple[str, str]:
        return str(self.export.campaign_id), str(self.export.company_id)

    def _find_bounds(self, after: int) -> None:
        page_rows = self.export.page_rows
        with connection.cursor() as cursor:
            cursor.execute(
                BOUNDS_SQL.format(table=self.table),
                (*self._keys(), after, page_rows * BOUNDS_AHEAD, page_rows),
            )
            self.bounds.extend(last_id for last_id, _rows in cursor.fetchall())

    def _read_iterated(self, *, after: int | None, into) -> Page:
        export = self.export
        text = io.TextIOWrapper(into, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text, lineterminator="\n")
        messages = Message.unscoped.filter(campaign_id=export.campaign_id, company_id=export.company_id)
        if after is not None:
            messages = messages.filter(id__gt=after)
        columns = ("id", "recipient_id", "client", "address", "body", "payload")
        rows, last_id = 0, None
        for last_id, recipient_id, client, address, body, payload in (  # noqa: B007 (the last row's id)
            messages.order_by("id")
            .values_list(*columns)[: export.page_rows]
            .iterator(chunk_size=SQLITE_CHUNK)
        ):
            writer.writerow((_customer_id(recipient_id, client, address), _message(body, payload)))
            rows += 1
        text.detach()  # the buffer stays open for the caller
        return Page(rows=rows, last_id=last_id)


def _customer_id(recipient_id: uuid.UUID | None, client: int | None, address: str) -> str:
    if client is not None:
        return address
    return str(recipient_id) if recipient_id is not None else ""


def _message(body: str, payload) -> str:
    if body or payload is None:
        return body
    return json.dumps(payload, ensure_ascii=False)


# ---- storage -----------------------------------------------------------------------------------


def store_page(key: str, content, *, replace: bool) -> None:
    """Store the open binary file `content` at `key` (`replace`: a file may be there already)."""
    if replace:
        default_storage.delete(key)
    stored = default_storage.save(key, File(content, name=key.rsplit("/", 1)[-1]))
    if stored != key:  # a file was there after all (a run that was not known to have written it)
        default_storage.delete(stored)
        default_storage.delete(key)
        content.seek(0)
        stored = default_storage.save(key, File(content, name=key.rsplit("/", 1)[-1]))
        if stored != key:
            default_storage.delete(stored)
            raise RuntimeError(f"Storage saved {key} as {stored}.")


def export_folder(export: MessageExport) -> str:
    return export.page_key(0).rsplit("/", 1)[0]


def campaign_folder(*, company_id, campaign_id) -> str:
    return f"companies/{company_id}/messages/{campaign_id}"


def remove_folder(folder: str) -> int:
    """Every file under `folder` in storage (and its sub-folders); how many went."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:  # local storage: nothing was ever written there
        return 0
    removed = 0
    for name in files:
        default_storage.delete(f"{folder}/{name}")
        removed += 1
    for name in dirs:
        removed += remove_folder(f"{folder}/{name}")
    _remove_empty_local_folder(folder)
    return removed


def _remove_empty_local_folder(folder: str) -> None:
    try:
        path = default_storage.path(folder)
    except NotImplementedError:  # an object store: no folders
        return
    with contextlib.suppress(OSError):  # not empty, or gone
        os.rmdir(path)


def exports_purge(*, limit: int = 100) -> int:
    """Remove the files of replaced and failed exports whose time has come; how many exports."""
    due = list(
        MessageExport.unscoped.filter(files_purge_at__lte=timezone.now(), is_current=False).order_by(
            "files_purge_at"
        )[:limit]
    )
    for export in due:
        remove_folder(export_folder(export))
        MessageExport.unscoped.filter(pk=export.pk, is_current=False).update(files_purge_at=None)
    return len(due)

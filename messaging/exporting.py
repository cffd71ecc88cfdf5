"""The messages export: a campaign's generated messages written to storage as CSV pages.

`export_run` (in the worker) takes a MessageExport (a lease on its row, renewed with every commit),
then writes pages of at most `page_rows` messages in message id order, each a UTF-8 CSV file with
the header `customer_id,message` (RFC 4180 quoting, `\\n` line ends as PostgreSQL's COPY writes
them) at `MessageExport.page_key(n)`:

- customer_id: the recipient's id, or, for a campaign of campaign API v2, the client's AccountID
  (its message's address);
- message: the body, or the JSON message as text when the body is empty.

On PostgreSQL pages are read by keyset, several at a time: one `COPY (SELECT id, ... WHERE id > %s
ORDER BY id LIMIT n) TO STDOUT (FORMAT csv)` reads the rows of COPY_ROWS // page_rows pages after
the last one written. The server sends each row as one message, so the rows are counted into
pages, and each row's leading id (zero-padded to a fixed width, and taken off) names the page's
last message. Elsewhere a server-side cursor feeds the csv module. Each page goes into a spooled
temporary file (memory stays flat, whatever the page size) and is stored from there by a few
threads while the next pages are read. Between two COPYs the pages stored so far are committed to the job row (pages,
rows, last message id) with a fresh heartbeat, in one compare-and-set on the page number and the
run's attempt: a run killed mid-way leaves a job that a rerun resumes after its last committed
page, replacing whatever it finds of the pages after it, and ends with the same files. Only the
run that took the job (its `attempts`) commits pages.

When the last page is written, the export becomes the campaign's current one in one transaction
(the previous current export is then replaced: its files stay MESSAGES_EXPORT_PURGE_DELAY_SECONDS
for URLs already handed out), and its rows count in the month's MessagesUsage in place of the
rows its publish reserved (`rows_reserved`, released too when it fails).

An export of a campaign whose generation is still under way waits: the run gives the job back
(queued) and the task retries later, so no export holds half a firing.
"""

import collections
import concurrent.futures
import contextlib
import csv
import io
import itertools
import json
import logging
import operator
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.leases import expired_before
from messaging.models import Message, MessageExport, MessagesUsage, Occurrence
from webhooks.events import EventType, record_event

logger = logging.getLogger(__name__)

HEADER = "customer_id,message\n"
# A page is assembled in memory up to this size, on disk beyond.
SPOOL_BYTES = 4 * 1024 * 1024
AT_WORK = (MessageExport.Status.QUEUED, MessageExport.Status.RUNNING)
GENERATION_UNDER_WAY = (Occurrence.Status.PENDING, Occurrence.Status.GENERATING)
SQLITE_CHUNK = 2000
# Pages are stored in threads while the next ones are read, at most PAGES_IN_FLIGHT at once.
STORE_THREADS = 4
PAGES_IN_FLIGHT = 16


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
        with relaxed_commits():
            _write_pages(export)
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


def _write_pages(export: MessageExport) -> None:
    """Write the export's pages after its last committed one, and commit them. A resumed run's
    first pages may be in storage already, half-written or not yet committed: each is replaced
    whole."""
    reader = PageReader(export)
    after = export.checkpoint_message_id
    with PageWriter(export) as writer:
        while True:
            rows = 0
            for page, content in reader.read_pages(after=after):
                writer.put(page, content)
                rows, after = rows + page.rows, page.last_id
            writer.commit_stored()  # the connection is free between reads
            if rows < reader.pages_per_read * export.page_rows:
                return


class PageWriter:
    """Stores pages in STORE_THREADS threads while the next ones are read (at most
    PAGES_IN_FLIGHT at once: memory stays flat), and commits the stored ones to the job row in
    page order, in one UPDATE each time it is asked to (a killed run redoes the pages stored
    since). Leaving the block commits the rest, or on an error nothing more."""

    def __init__(self, export: MessageExport):
        self.export, self.storage = export, page_storage()
        self.number = export.pages  # the next page's
        self.pool = concurrent.futures.ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="export-store")
        self.in_flight: collections.deque[tuple[Page, concurrent.futures.Future]] = collections.deque()
        self.stored: list[Page] = []

    def __enter__(self) -> "PageWriter":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        self.flush()
        self.pool.shutdown(wait=True)

    def put(self, page: Page, content) -> None:
        """Store the page (its CSV in the open binary file `content`, closed once stored)."""
        key = self.export.page_key(self.number)
        self.number += 1
        self.in_flight.append((page, self.pool.submit(self._store, key, content)))
        self._collect(wait_for=len(self.in_flight) - PAGES_IN_FLIGHT + 1)

    def commit_stored(self) -> None:
        """Commit the pages stored so far (those still being stored wait for the next time)."""
        self._collect(wait_for=0)
        self._commit()

    def flush(self) -> None:
        """Wait for the pages being stored and commit them with those stored before."""
        self._collect(wait_for=len(self.in_flight))
        self._commit()

    def _store(self, key: str, buffer) -> None:
        with buffer:
            buffer.seek(0)
            store_page(self.storage, key, buffer)

    def _collect(self, *, wait_for: int) -> None:
        """Take the stored pages in page order (waiting for the first `wait_for`): a failed
        store raises here."""
        while self.in_flight and (wait_for > 0 or self.in_flight[0][1].done()):
            page, future = self.in_flight.popleft()
            future.result()
            self.stored.append(page)
            wait_for -= 1

    def _commit(self) -> None:
        """The stored pages, committed as a compare-and-set on the page number and the run."""
        if not self.stored:
            return
        export, pages, rows = self.export, len(self.stored), sum(page.rows for page in self.stored)
        held = MessageExport.unscoped.filter(
            pk=export.pk, status=MessageExport.Status.RUNNING, attempts=export.attempts, pages=export.pages
        ).update(
            pages=export.pages + pages,
            rows=F("rows") + rows,
            checkpoint_message_id=self.stored[-1].last_id,
            heartbeat_at=timezone.now(),
        )
        if not held:
            raise ExportSuperseded()
        export.pages, export.rows, export.checkpoint_message_id = (
            export.pages + pages,
            export.rows + rows,
            self.stored[-1].last_id,
        )
        self.stored = []


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


def _complete(export: MessageExport) -> None:
    """The export becomes the campaign's current one (the one it replaces is purged later) and
    its rows count in the month's usage: one transaction."""
    now = timezone.now()
    with transaction.atomic():
        held = (
            MessageExport.unscoped.select_for_update(of=("self",))
            .select_related("campaign", "company")
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
        held.status, held.is_current, held.finished_at = MessageExport.Status.DONE, True, now
        record_event(
            company=held.company,
            type=EventType.EXPORT_READY,
            kind="export",
            obj=held,
            extra={"job_id": str(held.pk)},
            workspace=held.campaign.workspace_id,
        )
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
# The next rows after a message id, each led by its id, zero-padded to ID_DIGITS (a bigint has 19
# at most; an integer is never quoted), which the reader takes off; one COPY reads the rows of
# several pages.
COPY_SQL = """
COPY (
    SELECT lpad(m.id::text, {id_digits}, '0'), {customer_id}, {message} FROM {table} m
    WHERE m.campaign_id = %s AND m.company_id = %s AND m.id > %s ORDER BY m.id LIMIT %s
) TO STDOUT (FORMAT csv)
"""
ID_DIGITS = 19
_WITHOUT_ID = operator.itemgetter(slice(ID_DIGITS + 1, None))
# How many rows one COPY reads at most (whole pages: at least one).
COPY_ROWS = 50_000
# Rows are gathered this many at a time before they go into the page's file.
WRITE_ROWS = 1000


class PageReader:
    """Reads an export's pages in message id order, each as CSV with its header, into open binary
    files (spooled to disk beyond SPOOL_BYTES), for whoever takes a page to close.

    On PostgreSQL one keyset COPY reads the rows of COPY_ROWS // page_rows pages; the server
    sends each row as one message, so pages are cut by counting them, and each row's leading id
    (of a fixed width: taken off by slicing) tells the page's last one. Elsewhere a server-side cursor feeds the csv module, a page at a
    time."""

    def __init__(self, export: MessageExport):
        self.export = export
        self.postgresql = connection.vendor == "postgresql"
        self.table = connection.ops.quote_name(Message._meta.db_table)
        self.pages_per_read = max(1, COPY_ROWS // export.page_rows)

    def read_pages(self, *, after: int | None) -> Iterator[tuple[Page, object]]:
        """The next (at most pages_per_read) pages after message `after`: (page, its open file).
        Fewer, or a short last page, when the messages run out. The database connection is
        busy until the iteration ends."""
        if not self.postgresql:
            for _ in range(self.pages_per_read):
                into = _new_page_file()
                page = self._read_iterated(after=after, into=into)
                if not page.rows:
                    into.close()
                    return
                yield page, into
                if page.rows < self.export.page_rows:
                    return
                after = page.last_id
            return
        yield from self._read_copied(after=after if after is not None else 0)

    def _read_copied(self, *, after: int) -> Iterator[tuple[Page, object]]:
        page_rows = self.export.page_rows
        statement = COPY_SQL.format(
            id_digits=ID_DIGITS, table=self.table, customer_id=CUSTOMER_ID_SQL, message=MESSAGE_SQL
        )
        params = (*self._keys(), after, page_rows * self.pages_per_read)
        with connection.cursor() as cursor, cursor.copy(statement, params) as copy:
            # One row a message, copied out at once (its libpq buffer freed) and gathered WRITE_ROWS
            # at a time: no Python code of ours runs per row.
            rows = map(bytes, copy)
            while True:
                into, count, last = None, 0, b""
                while count < page_rows:
                    batch = list(itertools.islice(rows, min(WRITE_ROWS, page_rows - count)))
                    if not batch:
                        break
                    if into is None:
                        into = _new_page_file()
                    into.write(b"".join(map(_WITHOUT_ID, batch)))
                    count, last = count + len(batch), batch[-1]
                if not count:
                    return
                yield Page(rows=count, last_id=int(last[:ID_DIGITS])), into
                if count < page_rows:
                    return

    def _keys(self) -> tuple[str, str]:
        return str(self.export.campaign_id), str(self.export.company_id)

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


def _new_page_file():
    page = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by its taker)
    page.write(HEADER.encode())
    return page


def _customer_id(recipient_id: uuid.UUID | None, client: int | None, address: str) -> str:
    if client is not None:
        return address
    return str(recipient_id) if recipient_id is not None else ""


def _message(body: str, payload) -> str:
    if body or payload is None:
        return body
    return json.dumps(payload, ensure_ascii=False)


# ---- storage -----------------------------------------------------------------------------------


# The option that has each storage backend replace a file already at a key.
OVERWRITE_OPTIONS = {
    "django.core.files.storage.FileSystemStorage": "allow_overwrite",
    "storages.backends.s3.S3Storage": "file_overwrite",
}


def page_storage():
    """The default storage, made to replace whatever is at a page's key: a page's key is its
    export's own, and a resumed run rewrites its pages whole. Storage.save() would otherwise
    first ask whether the name is free, on S3 a HEAD request a page, as slow as the upload."""
    params = settings.STORAGES["default"]
    option = OVERWRITE_OPTIONS.get(params["BACKEND"])
    if option is None:  # a backend we do not know: make room first, as save() would not
        return default_storage
    return storages.create_storage({**params, "OPTIONS": {**params.get("OPTIONS", {}), option: True}})


def store_page(storage, key: str, content) -> None:
    """Store the open binary file `content` at `key`, replacing a file there."""
    if storage is default_storage and storage.exists(key):
        storage.delete(key)
    stored = storage.save(key, File(content, name=key.rsplit("/", 1)[-1]))
    if stored != key:
        storage.delete(stored)
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

"""The messages export: a campaign's generated messages written to storage as CSV pages.

`export_run` (in the worker) takes a MessageExport (a lease on its row, renewed with every commit),
then writes pages of at most `page_rows` messages in message id order, each a UTF-8 CSV file with
the header `customer_id,message` (RFC 4180 quoting, `\\n` line ends as PostgreSQL's COPY writes
them) at `MessageExport.page_key(n)`:

- customer_id: the recipient's id, or, for a campaign of campaign API v2, the client's AccountID
  (its message's address);
- message: the body, or the JSON message as text when the body is empty.

On PostgreSQL the pages are read in segments of about MESSAGES_EXPORT_SEGMENT_ROWS messages, one
COPY each, MESSAGES_EXPORT_READERS segments at once on connections of their own (the boundaries
found ahead through the campaign's id index). The server quotes each row as COPY (FORMAT csv) would
and gathers a page's rows into one value (PAGES_SQL), so the worker handles a row per page rather
than per message; a page must stay under PostgreSQL's 1 GB value limit. Elsewhere a server-side
cursor feeds the csv module. Each page goes into a spooled temporary file (memory stays flat,
whatever the page size) and is stored from there by a few threads while the next pages are read.
After each segment the pages stored so far are committed to the job row (pages, rows, last message
id) with a fresh heartbeat, in one compare-and-set on the page number and the run's attempt: a run
killed mid-way leaves a job that a rerun resumes after its last committed page, replacing whatever
it finds of the pages after it, and ends with the same files. Only the run that took the job (its
`attempts`) commits pages.

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
import os
import queue
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.leases import expired_before
from messaging.models import Message, MessageExport, MessagesUsage, Occurrence
from webhooks.events import EventType, record_event

logger = logging.getLogger(__name__)

HEADER = "customer_id,message\n"
# A page is assembled in memory up to this size, on disk beyond (a reader may hold a segment's
# pages, read ahead).
SPOOL_BYTES = 1024 * 1024
AT_WORK = (MessageExport.Status.QUEUED, MessageExport.Status.RUNNING)
# What export_run says of an export another run holds.
HELD_ELSEWHERE = MessageExport.Status.RUNNING
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
    """Write the export's pages after its last committed one, committing them after each segment.
    A resumed run's first pages may be in storage already, half-written or not yet committed:
    each is replaced whole."""
    with PageWriter(export) as writer:
        for pages in read_segments(export, after=export.checkpoint_message_id):
            for page, content in pages:
                writer.put(page, content)
            writer.commit_stored()  # this connection is free between segments


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


# ---- reading pages -----------------------------------------------------------------------------


# A field as COPY (FORMAT csv) writes it: quoted when it is empty or holds a quote, comma, CR or
# LF, its quotes doubled. (LIKE costs the server less than strpos or a regular expression; the
# query's % signs are doubled for its parameters.)
def _csv_field(value: str) -> str:
    special = " OR ".join(
        f"{value} LIKE {pattern}" for pattern in ("'%%,%%'", "'%%\"%%'", "E'%%\\n%%'", "E'%%\\r%%'")
    )
    return f"CASE WHEN {special} OR {value} = '' THEN '\"' || replace({value}, '\"', '\"\"') || '\"' ELSE {value} END"


CUSTOMER_ID_SQL = (
    f"CASE WHEN r.client IS NOT NULL THEN {_csv_field('r.address')} "
    "WHEN r.recipient_id IS NULL THEN '' ELSE r.recipient_id::text END"
)
MESSAGE_SQL = _csv_field("r.message")
# The pages after a message id, one row each (its last message id, its rows, its CSV without the
# header): the server quotes and gathers a page's rows, so the worker handles a row per page, not
# per message. A page is one value: it must stay under PostgreSQL's 1 GB. The aggregates take
# the rows in the order of the subquery (its ORDER BY, with nothing joined above it), as
# PostgreSQL documents: an ORDER BY inside string_agg would sort every page again.
PAGES_QUERY = """
WITH RECURSIVE pages (n, last_id, rows, content) AS (
    SELECT 0, %(after)s::bigint, 0::bigint, NULL::text
    UNION ALL
    SELECT pages.n + 1, page.last_id, page.rows, page.content FROM pages CROSS JOIN LATERAL (
        SELECT max(r.id) AS last_id, count(*) AS rows,
            string_agg({customer_id} || ',' || {message} || E'\\n', '') AS content
        FROM (
            SELECT m.id, m.client, m.address, m.recipient_id,
                CASE WHEN m.body <> '' OR m.payload IS NULL THEN m.body ELSE m.payload::text END AS message
            FROM {table} m
            WHERE m.campaign_id = %(campaign)s AND m.company_id = %(company)s AND m.id > pages.last_id
            ORDER BY m.id LIMIT %(page_rows)s
        ) r
    ) page
    WHERE pages.n < %(pages)s AND page.rows > 0
)
SELECT last_id, rows, convert_to(content, 'UTF8') FROM pages WHERE n > 0
"""
PAGES_SQL = f"COPY ({PAGES_QUERY}) TO STDOUT (FORMAT binary)"
# The last message of the `rows` messages after a message id, and the message after it if there
# is one: where the next segment starts, if any. Read from the campaign's id index alone (the
# export's campaign is its company's; the COPY of the segment checks the company again).
SEGMENT_END_SQL = """
SELECT m.id FROM {table} m WHERE m.campaign_id = %s AND m.id > %s ORDER BY m.id OFFSET %s LIMIT 2
"""


def read_segments(export: MessageExport, *, after: int | None) -> Iterator[Iterator[tuple[Page, object]]]:
    """The export's pages after message `after`, in order, by segment: for each, an iterator of
    (page, its open file), for whoever takes a page to close. A segment has `segment_pages()`
    pages, the last one fewer.

    On PostgreSQL each segment is one COPY of its pages (PAGES_SQL), and
    MESSAGES_EXPORT_READERS segments are read at once, each by a thread of its own on a
    connection of its own, while the caller stores the pages of the first: the segment
    boundaries are found ahead by the index (SEGMENT_END_SQL). Inside a transaction (whose rows
    other connections do not see) the segments are read one after the other on this connection.
    Elsewhere a server-side cursor feeds the csv module, a page at a time."""
    if connection.vendor != "postgresql":
        yield from _iterated_segments(export, after=after)
        return
    starts = _segment_starts(export, after=after or 0)
    readers = 1 if connection.in_atomic_block else settings.MESSAGES_EXPORT_READERS
    if readers == 1:
        for start in starts:
            yield _copied_pages(export, after=start)
        return
    with SegmentReaders(export, readers) as pool:
        ahead = collections.deque(pool.read(start) for start in itertools.islice(starts, readers + 1))
        while ahead:
            yield ahead.popleft().pages()
            start = next(starts, None)
            if start is not None:
                ahead.append(pool.read(start))


def segment_pages(export: MessageExport) -> int:
    return max(1, settings.MESSAGES_EXPORT_SEGMENT_ROWS // export.page_rows)


def _segment_starts(export: MessageExport, *, after: int) -> Iterator[int]:
    """Where each segment starts (after which message id): the first after `after`, then each
    after the last message of the one before, while messages remain."""
    statement = SEGMENT_END_SQL.format(table=_messages_table())
    rows = segment_pages(export) * export.page_rows
    while after is not None:
        yield after
        with connection.cursor() as cursor:
            cursor.execute(statement, (str(export.campaign_id), after, rows - 1))
            found = cursor.fetchall()
        after = found[0][0] if len(found) == 2 else None


def _copied_pages(export: MessageExport, *, after: int) -> Iterator[tuple[Page, object]]:
    """The pages of the segment after message `after`, read by one COPY on this thread's
    connection (busy until the iteration ends)."""
    statement = PAGES_SQL.format(table=_messages_table(), customer_id=CUSTOMER_ID_SQL, message=MESSAGE_SQL)
    params = pages_params(export, after=after)
    with walking_the_id_index(), connection.cursor() as cursor, cursor.copy(statement, params) as copy:
        copy.set_types(["int8", "int8", "bytea"])
        for last_id, rows, content in copy.rows():
            into = _new_page_file()
            into.write(content)
            del content  # a large page is on disk from here
            yield Page(rows=rows, last_id=last_id), into


def pages_params(export: MessageExport, *, after: int) -> dict:
    return {
        "after": after,
        "campaign": str(export.campaign_id),
        "company": str(export.company_id),
        "page_rows": export.page_rows,
        "pages": segment_pages(export),
    }


# Planner methods turned off while the pages are read.
UNWANTED_PLANS = ("enable_sort", "enable_bitmapscan")


@contextlib.contextmanager
def walking_the_id_index():
    """Each page's keyset scan walks the campaign's id index. On a table not analysed since a
    campaign's messages were written, the planner would rather sort, for every page, a bitmap
    scan of all the messages after it."""
    with connection.cursor() as cursor:
        for setting in UNWANTED_PLANS:
            cursor.execute(f"SET {setting} TO off")
    try:
        yield
    finally:
        with (
            contextlib.suppress(DatabaseError),
            connection.cursor() as cursor,
        ):  # a lost connection resets them
            for setting in UNWANTED_PLANS:
                cursor.execute(f"RESET {setting}")


def _messages_table() -> str:
    return connection.ops.quote_name(Message._meta.db_table)


class SegmentReaders:
    """Threads, each with a database connection of its own, reading segments of pages (one COPY
    each) as they are asked to; each hands its pages over through a queue, read ahead as far as
    the segment goes (the pages are on disk beyond SPOOL_BYTES). Leaving the block stops them
    and closes their connections and the pages nobody took."""

    _DONE = object()

    def __init__(self, export: MessageExport, readers: int):
        self.export = export
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.stopping = threading.Event()
        self.outputs: list[queue.SimpleQueue] = []
        self.threads = [
            threading.Thread(target=self._work, name=f"export-read-{n}", daemon=True) for n in range(readers)
        ]

    def __enter__(self) -> "SegmentReaders":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join()
        for output in self.outputs:  # pages read and never taken
            while not output.empty():
                item = output.get_nowait()
                if isinstance(item, tuple):
                    item[1].close()

    def read(self, after: int) -> "SegmentReading":
        """Have a thread read the segment after message `after`."""
        output: queue.SimpleQueue = queue.SimpleQueue()
        self.outputs.append(output)
        self.tasks.put((after, output))
        return SegmentReading(output, self._DONE)

    def _work(self) -> None:
        try:
            while (task := self.tasks.get()) is not None:
                after, output = task
                try:
                    for item in _copied_pages(self.export, after=after):
                        output.put(item)
                        if self.stopping.is_set():
                            return
                    output.put(self._DONE)
                except Exception as error:  # the caller raises it when it gets there
                    output.put(error)
                    return
        finally:
            connections.close_all()  # this thread's own


@dataclass(frozen=True)
class SegmentReading:
    """A segment a reader thread is reading: its pages, as they come."""

    output: queue.SimpleQueue
    done: object

    def pages(self) -> Iterator[tuple[Page, object]]:
        while (item := self.output.get()) is not self.done:
            if isinstance(item, Exception):
                raise item
            yield item


def _iterated_segments(
    export: MessageExport, *, after: int | None
) -> Iterator[Iterator[tuple[Page, object]]]:
    reader = PageReader(export)
    while True:
        read = []
        yield _recorded(reader.read_pages(after=after), read)
        if sum(page.rows for page in read) < segment_pages(export) * export.page_rows:
            return
        after = read[-1].last_id


def _recorded(pages, into: list) -> Iterator[tuple[Page, object]]:
    for page, content in pages:
        into.append(page)
        yield page, content


class PageReader:
    """Reads an export's pages in message id order (not on PostgreSQL), each as CSV with its
    header, into open binary files (spooled to disk beyond SPOOL_BYTES), for whoever takes a
    page to close: a server-side cursor feeds the csv module, a page at a time."""

    def __init__(self, export: MessageExport):
        self.export = export

    def read_pages(self, *, after: int | None) -> Iterator[tuple[Page, object]]:
        """The next (at most segment_pages) pages after message `after`: (page, its open file).
        Fewer, or a short last page, when the messages run out."""
        for _ in range(segment_pages(self.export)):
            into = _new_page_file()
            page = self._read_iterated(after=after, into=into)
            if not page.rows:
                into.close()
                return
            yield page, into
            if page.rows < self.export.page_rows:
                return
            after = page.last_id

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

"""Bulk import of a CSV/XLSX file into a new group.

`recipient_import_start` (in the request) validates the mappings, creates the group (importing)
and the job, stages the uploaded bytes in storage and queues the task. `recipient_import_run`
(in the worker) streams the file in batches. Each batch commits its rows, memberships, row errors
and the job's checkpoint in ONE transaction, so a worker killed mid-import leaves a job that a
retry resumes after the last committed row: no duplicates, correct counts. On PostgreSQL rows go
in with COPY; elsewhere with bulk_create.
"""

import binascii
import contextlib
import json
import logging
import multiprocessing
import operator
import os
import re
import shutil
import signal
import struct
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring_ascii as encode_json_string
from pathlib import Path
from typing import IO

import pybase64
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg.adapt import Dumper
from psycopg.pq import Format

from config.errors import DomainError
from config.leases import expired_before, lease_left
from config.outbound import OutboundFetchError, fetch_to_file
from recipients.errors import (
    GroupNameTaken,
    ImportGroupNameTaken,
    ImportSourceRequired,
    InvalidImportFile,
    InvalidMappings,
    RecipientErrorCode,
)
from recipients.models import (
    MAX_LENGTHS,
    GroupMembership,
    ImportJob,
    ImportRowError,
    Recipient,
    RecipientCounter,
    RecipientGroup,
)
from recipients.readers import UnreadableFile, collect_garbage_rarely, estimate_data_rows, open_table
from recipients.services import group_create, import_rows_discard, import_staged_file_drop
from webhooks.events import EventType, record_event

logger = logging.getLogger("postroom.import")

# Standard destinations (case-insensitive, as an integrator writes them) -> model field.
STANDARD_FIELDS = {
    "title": "title",
    "firstname": "first_name",
    "lastname": "last_name",
    "companyname": "company_name",
    "address1": "address1",
    "address2": "address2",
    "address3": "address3",
    "address4": "address4",
    "address5": "address5",
    "city": "city",
    "county": "county",
    "countyname": "county",
    "postcode": "postcode",
    "country": "country",
    "countryname": "country",
    "email": "email",
    "mobile": "mobile",
}
DOCUMENTED_NAMES = "Title, FirstName, LastName, CompanyName, Address1, Address2, Address3, Address4, Address5, City, CountyName, Postcode, CountryName, Email, Mobile"
MAPPING_TYPES = ("standard", "custom", "skip")
REQUIRED = {"address1": "Address1", "postcode": "Postcode"}
MAX_CUSTOM_VALUE = 1000


@dataclass(frozen=True)
class Mapping:
    source: str
    kind: str  # standard | custom | skip
    destination: str  # model field (standard) or custom field key (custom)


def parse_mappings(raw) -> list[Mapping]:
    """Validate the request's mappings before anything is queued."""
    if not isinstance(raw, list) or not raw:
        raise InvalidMappings(RecipientErrorCode.MAPPINGS_REQUIRED, field="mappings")
    mappings = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidMappings(RecipientErrorCode.MAPPING_NOT_AN_OBJECT, field="mappings", index=index)
        source = str(item.get("sourceHeader") or "").strip()
        kind = str(item.get("mappingType") or "").strip().lower()
        destination = str(item.get("destinationField") or "").strip()
        if not source:
            raise InvalidMappings(
                RecipientErrorCode.MAPPING_SOURCE_HEADER_REQUIRED, field="mappings.source_header", index=index
            )
        if kind not in MAPPING_TYPES:
            raise InvalidMappings(
                RecipientErrorCode.MAPPING_TYPE_INVALID, field="mappings.mapping_type", index=index
            )
        if kind == "standard":
            field = STANDARD_FIELDS.get(destination.replace(" ", "").lower())
            if field is None:
                raise InvalidMappings(
                    RecipientErrorCode.MAPPING_TARGET_INVALID,
                    field="mappings.destination_field",
                    index=index,
                    destination=destination,
                    standard_fields=DOCUMENTED_NAMES,
                )
            destination = field
        elif kind == "custom":
            destination = destination or source
        mappings.append(Mapping(source, kind, destination))
    mapped = {m.destination for m in mappings if m.kind == "standard"}
    missing = [label for field, label in REQUIRED.items() if field not in mapped]
    if missing:
        raise InvalidMappings(
            RecipientErrorCode.MAPPINGS_MISS_REQUIRED_FIELDS, field="mappings", fields=missing
        )
    return mappings


BASE64_CHUNK_CHARS = 4 * 1024 * 1024  # a multiple of 4: each chunk decodes on its own


def decode_file_data(file_data: str) -> TemporaryUploadedFile:
    """The Base64 upload decoded into a temporary file (positioned at its start), a few megabytes
    at a time: the request already holds the text, and decoding it whole would also hold its
    bytes and an ASCII copy of the text, twice the file's size again. pybase64 decodes with SIMD
    (a 90 MB file: 0.3 s with the standard library, 0.01 s). The file is an upload's temporary
    file, which local storage moves into place instead of copying."""
    out = TemporaryUploadedFile("upload", "application/octet-stream", 0, None)
    try:
        _decode_base64_into(out, file_data)
    except (binascii.Error, ValueError):
        # perhaps wrapped in lines: strip white space (slower, so only when needed)
        out.seek(0)
        out.truncate()
        try:
            _decode_base64_into(out, re.sub(r"\s+", "", file_data))
        except (binascii.Error, ValueError) as exc:
            out.close()
            raise InvalidImportFile(RecipientErrorCode.IMPORT_FILE_NOT_BASE64, field="file_data") from exc
    out.size = out.tell()
    out.seek(0)
    return out


def _decode_base64_into(out: IO[bytes], text: str) -> None:
    for start in range(0, len(text), BASE64_CHUNK_CHARS):
        out.write(pybase64.b64decode(text[start : start + BASE64_CHUNK_CHARS], validate=True))


# ---- start (request side) ---------------------------------------------------------------------


def recipient_import_start(
    *,
    company,
    group_name: str,
    file_name: str,
    file_data: str | None,
    file_url: str | None,
    mappings,
    by=None,
) -> ImportJob:
    if bool(file_data) == bool(file_url):
        raise ImportSourceRequired()
    parsed = parse_mappings(mappings)
    staged = decode_file_data(file_data) if file_data else contextlib.nullcontext()
    with staged as upload, transaction.atomic():
        try:
            group = group_create(
                company=company, name=group_name, status=RecipientGroup.Status.IMPORTING, file_name=file_name
            )
        except GroupNameTaken as exc:
            raise ImportGroupNameTaken() from exc
        job = ImportJob.objects.for_company(company).create(
            company=company,
            group=group,
            file_name=file_name,
            source_url=file_url or "",
            mappings=[m.__dict__ for m in parsed],
            created_by=by,
        )
        if upload is not None:
            job.staged_file = default_storage.save(f"companies/{company.pk}/imports/{job.pk}/upload", upload)
            job.save(update_fields=["staged_file"])
        from recipients.tasks import run_import  # the task module imports this one

        transaction.on_commit(lambda: run_import.delay(str(job.pk)))
    return job


# ---- run (worker side) ----------------------------------------------------------------------------


class ImportFailed(Exception):
    """The file cannot be imported as asked; `reason` becomes the job's failure reason (an
    outcome recorded in its row, like UnreadableFile's, not a domain error a surface words)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RunSuperseded(Exception):
    """Another run of the same job committed a batch first: this run stops and leaves it be."""


def recipient_import_give_up(*, job_id, reason: str) -> None:
    """The task ran out of retries on an unexpected error: fail the job, cleanly."""
    job = ImportJob.unscoped.select_related("company").filter(pk=job_id).first()
    if job is not None and job.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        _fail(job, reason)


INTERRUPTED_TOO_OFTEN = "The import was interrupted repeatedly while reading this file and has been stopped."
UNFINISHED = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def recipient_import_run(*, job_id) -> None:
    """Run (or resume) an import. Safe to call again: a finished job is left alone, one that
    another run holds (its lease is live) too, and an interrupted one continues after its
    checkpoint."""
    job = ImportJob.unscoped.select_related("group", "company").filter(pk=job_id).first()
    if job is None or job.status not in UNFINISHED:
        return
    if job.status == ImportJob.Status.RUNNING and _lease_live(job):
        # A second message for a job another run holds: leave it to that run. If its worker
        # has died, the lease runs out and recipient_imports_resume_stale queues the job again.
        return
    if job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
        # The worker died on this job again and again (a file that exhausts memory, say):
        # stop redelivering it.
        _fail(job, INTERRUPTED_TOO_OFTEN)
        return
    if not _take(job):
        return
    try:
        with _local_copy(job) as path:
            _renew_lease(job)  # a URL fetch may have taken a while
            _import_file(job, path)
    except RunSuperseded:
        return
    except (UnreadableFile, ImportFailed) as exc:
        _fail(job, exc.reason)
        return
    except OutboundFetchError as exc:
        _fail(job, exc.message)
        return
    except DomainError as exc:
        _fail(job, str(exc))
        return
    except Exception:
        # The task retries in a moment: its next run may take the job at once.
        ImportJob.unscoped.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now()
        )
        raise
    _finish(job)


def _lease_live(job: ImportJob) -> bool:
    return lease_left(job.heartbeat_at, settings.IMPORT_LEASE_SECONDS) > 0


def _take(job: ImportJob) -> bool:
    """This run holds the job from now on, if it is queued or its last holder's lease ran out
    (decided in one UPDATE: of two runs starting together, one takes it)."""
    now = timezone.now()
    return bool(
        ImportJob.unscoped.filter(pk=job.pk)
        .filter(
            Q(status=ImportJob.Status.QUEUED)
            | Q(
                status=ImportJob.Status.RUNNING,
                heartbeat_at__lt=expired_before(settings.IMPORT_LEASE_SECONDS),
            )
        )
        .update(
            status=ImportJob.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=job.started_at or now,
            heartbeat_at=now,
        )
    )


def _renew_lease(job: ImportJob) -> None:
    ImportJob.unscoped.filter(pk=job.pk).update(heartbeat_at=timezone.now())


def recipient_imports_resume_stale(*, limit: int = 100) -> dict[str, int]:
    """Unfinished imports whose lease ran out (their worker was killed, or their message lost):
    queued again, to resume after their last committed batch, or failed with a reason once they
    have been started IMPORT_MAX_ATTEMPTS times. Each job is taken under its row lock (SKIP
    LOCKED: one being deleted or resumed right now is left to that) and checked again there."""
    cutoff = expired_before(settings.IMPORT_LEASE_SECONDS)
    stale = list(
        ImportJob.unscoped.filter(status__in=UNFINISHED, heartbeat_at__lt=cutoff)
        .order_by("heartbeat_at")
        .values_list("pk", flat=True)[:limit]
    )
    outcome = {"resumed": 0, "failed": 0}
    for job_id in stale:
        with transaction.atomic():
            job = (
                ImportJob.unscoped.select_for_update(skip_locked=True)
                .select_related("company")
                .filter(pk=job_id, status__in=UNFINISHED, heartbeat_at__lt=cutoff)
                .first()
            )
            if job is None:
                continue
            if job.status == ImportJob.Status.RUNNING and job.attempts >= settings.IMPORT_MAX_ATTEMPTS:
                _fail(job, INTERRUPTED_TOO_OFTEN)
                outcome["failed"] += 1
                continue
            # Queued again with a fresh lease: the next run takes it (attempts count the starts).
            ImportJob.unscoped.filter(pk=job.pk).update(
                status=ImportJob.Status.QUEUED, heartbeat_at=timezone.now()
            )
            from recipients.tasks import run_import  # the task module imports this one

            transaction.on_commit(lambda job_id=str(job.pk): run_import.delay(job_id))
            outcome["resumed"] += 1
            logger.info("import %s: lease expired (worker gone), queued again", job.pk)
    return outcome


class _local_copy:
    """The job's source as a local file: the staged upload, or the URL fetched through the guard."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.path: Path | None = None

    def __enter__(self) -> Path:
        handle, name = tempfile.mkstemp(prefix="import-", suffix=Path(self.job.file_name).suffix[:10])
        self.path = Path(name)
        try:
            self._fill(handle)
        except BaseException:  # __exit__ is not called when __enter__ fails: remove it here
            self.path.unlink(missing_ok=True)
            raise
        return self.path

    def _fill(self, handle: int) -> None:
        with os.fdopen(handle, "wb") as out:
            if self.job.staged_file:
                with default_storage.open(self.job.staged_file, "rb") as source:
                    shutil.copyfileobj(source, out, 1024 * 1024)
            else:
                fetch_to_file(
                    self.job.source_url,
                    out,
                    max_bytes=settings.IMPORT_MAX_FILE_BYTES,
                    timeout=settings.IMPORT_FETCH_TIMEOUT,
                )

    def __exit__(self, *exc):
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def _import_file(job: ImportJob, path: Path) -> None:
    mappings = [Mapping(**m) for m in job.mappings]
    with open_table(path, job.file_name) as table:
        positions = _column_positions(table.headers, mappings)
        ImportJob.unscoped.filter(pk=job.pk).update(
            unmapped_columns=unmapped_columns(table.headers, mappings, positions),
            estimated_rows=estimate_data_rows(path),
        )
        plan = RowPlan.build(positions, mappings)
        batches = _batches(table.rows(), settings.IMPORT_BATCH_ROWS, after_row=job.checkpoint_row)
        checked = (_checked_batch(job, batch, plan) for batch in batches)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            checked = _read_ahead_in_child(checked)
        for batch in checked:
            _commit_batch(job, batch)


def _read_ahead_in_child(batches: Iterator["CheckedBatch"]) -> Iterator["CheckedBatch"]:
    """The checked batches, read and checked in a forked child while this process commits the
    previous one: parsing a file is CPU-bound Python, and in a thread it would take the
    interpreter from the database writes. The pipe holds at most one batch, so the two processes
    keep at most three in memory. A file that turns out unreadable halfway raises here after the
    batches before it (which the caller then removes); if this process dies, the child's next
    write to the pipe fails and it exits."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        receiver.close()
        collect_garbage_rarely()
        code = 0
        try:
            for batch in batches:
                sender.send(batch)
            sender.send(None)
        except UnreadableFile as error:
            sender.send(UnreadableFile(error.reason))
        except BaseException as error:
            with contextlib.suppress(Exception):
                sender.send(RuntimeError(f"The import's reader failed: {error!r}"))
            code = 1
        os._exit(code)
    sender.close()
    try:
        while (item := _received(receiver)) is not None:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        receiver.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # stopped early (an error here): the child is not needed
        os.waitpid(pid, 0)


def _received(receiver):
    try:
        return receiver.recv()
    except EOFError as error:  # the child died without a word (killed, out of memory)
        raise RuntimeError("The import's reader stopped unexpectedly.") from error


def _column_positions(headers: list[str], mappings: list[Mapping]) -> dict[str, int]:
    positions = {}
    folded = {h.strip().lower(): i for i, h in reversed(list(enumerate(headers)))}
    missing = []
    for mapping in mappings:
        if mapping.kind == "skip":
            continue
        index = folded.get(mapping.source.strip().lower())
        if index is None:
            missing.append(mapping.source)
        else:
            positions[mapping.source] = index
    if missing:
        raise ImportFailed(f"The file has no column named: {', '.join(missing)}.")
    return positions


MAX_HEADER_SHOWN = 255


def unmapped_columns(headers: list[str], mappings: list[Mapping], positions: dict[str, int]) -> list[dict]:
    """The file's columns that no mapping names, in file order, as {"column": its 1-based
    position, "header": its text (cut to MAX_HEADER_SHOWN characters)}: their cells are not
    imported. A column a `skip` mapping names is left out on purpose, so it is not listed; one
    whose header repeats a mapped column's is (only the first of such columns is read)."""
    used = set(positions.values())
    skipped = {m.source.strip().lower() for m in mappings if m.kind == "skip"}
    return [
        {"column": index + 1, "header": header[:MAX_HEADER_SHOWN]}
        for index, header in enumerate(headers)
        if index not in used and header.strip().lower() not in skipped
    ]


def _batches(rows: Iterator[tuple[int, list[str]]], size: int, *, after_row: int):
    """Rows after the checkpoint, `size` at a time."""
    batch = []
    for row_number, cells in rows:
        if row_number <= after_row:
            continue
        batch.append((row_number, cells))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


RECIPIENT_COLUMNS = (
    "title", "first_name", "last_name", "company_name", "address1", "address2", "address3", "address4",
    "address5", "city", "county", "postcode", "country", "email", "mobile",
)  # fmt: skip
COLUMN_LIMITS = tuple(MAX_LENGTHS[field] for field in RECIPIENT_COLUMNS)
POSTCODE = RECIPIENT_COLUMNS.index("postcode")
# The row errors for a missing required field, as the spec words them.
REQUIRED_COLUMNS = (
    (RECIPIENT_COLUMNS.index("address1"), "The Address1 field is required."),
    (RECIPIENT_COLUMNS.index("postcode"), "The Postcode field is required."),
)


@dataclass(frozen=True)
class RowPlan:
    """Where each recipient column comes from in a file row, worked out once per file so the
    per-row work is a few C-level list operations (a million rows make every microsecond count)."""

    pick: Callable[[list[str]], tuple[str, ...]]  # stripped cells + [""] -> RECIPIENT_COLUMNS
    merged: tuple[tuple[int, tuple[int, ...]], ...]  # fields fed by several columns
    custom: tuple[tuple[str, str, int], ...]  # (key, key as JSON, file column)

    @classmethod
    def build(cls, columns: dict[str, int], mappings: list[Mapping]) -> "RowPlan":
        sources: dict[str, list[int]] = {}
        custom = []
        for mapping in mappings:
            if mapping.kind == "standard":
                sources.setdefault(mapping.destination, []).append(columns[mapping.source])
            elif mapping.kind == "custom":
                key = mapping.destination
                custom.append((key, encode_json_string(key), columns[mapping.source]))
        # Unmapped fields read index -1: the "" that clean() appends to every row.
        pick = operator.itemgetter(*(sources.get(field, [-1])[-1] for field in RECIPIENT_COLUMNS))
        merged = tuple(
            (position, tuple(sources[field]))
            for position, field in enumerate(RECIPIENT_COLUMNS)
            if len(sources.get(field, ())) > 1
        )
        return cls(pick, merged, tuple(custom))

    def clean(self, cells: list[str]) -> tuple[list[str], str] | str:
        """The row's recipient columns and its custom fields as JSON, or why the row is refused."""
        cells = list(map(str.strip, cells))
        cells.append("")
        values = list(self.pick(cells))
        for position, indices in self.merged:  # several columns feed this field: last filled wins
            values[position] = next((cells[i] for i in reversed(indices) if cells[i]), "")
        custom = []
        for key, json_key, index in self.custom:
            if len(cells[index]) > MAX_CUSTOM_VALUE:
                return f"{key} is longer than {MAX_CUSTOM_VALUE} characters."
            custom.append(f"{json_key}:{encode_json_string(cells[index])}")
        for position, missing in REQUIRED_COLUMNS:
            if not values[position]:
                return missing
        if any(map(operator.gt, map(len, values), COLUMN_LIMITS)):
            field, limit = next(
                (f, limit)
                for f, v, limit in zip(RECIPIENT_COLUMNS, values, COLUMN_LIMITS, strict=True)
                if len(v) > limit
            )
            return f"{field} is longer than {limit} characters."
        values[POSTCODE] = values[POSTCODE].upper()
        return values, "{" + ",".join(custom) + "}"


def ordered_uuids(count: int) -> list[str]:
    """`count` UUIDv7s (RFC 9562: millisecond time, then 74 bits that start random and count up,
    its "monotonic random" method), ascending, as hex.

    Time-ordered keys land at the right edge of the primary-key index instead of on random pages
    all over it, which halves what PostgreSQL spends inserting a million rows; ascending within
    a batch, they also keep the file's order in lists ordered by (created_at, id). The count
    starts at 54 random bits (the other 20 are room to count up), which keeps batches made in
    the same millisecond apart."""
    prefix = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | 0b10 << 62
    start = int.from_bytes(os.urandom(8)) >> 10
    return [f"{prefix | _spread(start + i):032x}" for i in range(count)]


def _spread(counter: int) -> int:
    """A 74-bit counter laid out in a UUIDv7's rand_a (12 bits) and rand_b (62 bits)."""
    return (counter >> 62) << 64 | (counter & _LOW_62)


_LOW_62 = (1 << 62) - 1


@dataclass
class CheckedBatch:
    last_row: int
    # (row number, RECIPIENT_COLUMNS values, custom JSON); emptied once copy_text holds them
    good: list[tuple[int, list[str], str]]
    bad: list[tuple[int, str]]  # (row number, why the row was left out)
    ids: list[str] = field(default_factory=list)  # the good rows' new recipient ids (hex)
    imported: int = 0  # how many good rows (ids and good are emptied once in COPY form)
    created_at: datetime | None = None
    copy_text: str | None = None  # on PostgreSQL: the good rows as COPY input
    id_array: "UuidArray | None" = None  # on PostgreSQL: their ids as a binary uuid[] parameter

    @property
    def size(self) -> int:
        return self.imported + len(self.bad)


def _checked_batch(job: ImportJob, batch: list[tuple[int, list[str]]], plan: RowPlan) -> CheckedBatch:
    checked = CheckedBatch(batch[-1][0], [], [])
    for row_number, cells in batch:
        cleaned = plan.clean(cells)
        if isinstance(cleaned, str):
            checked.bad.append((row_number, cleaned))
        else:
            checked.good.append((row_number, *cleaned))
    checked.ids = ordered_uuids(len(checked.good))
    checked.imported = len(checked.ids)
    checked.created_at = timezone.now()
    if connection.vendor == "postgresql":
        checked.copy_text = _copy_text(job, checked)
        checked.id_array = UuidArray.of(checked.ids)
        checked.good, checked.ids = [], []  # in COPY form now: less to keep and to hand over
    return checked


def _commit_batch(job: ImportJob, batch: CheckedBatch) -> None:
    last_row, bad = batch.last_row, batch.bad
    with transaction.atomic():
        # The checkpoint moves only if it is still where this run found it: two runs of the
        # same job (a redelivered task beside a slow one) cannot both commit a batch.
        moved = ImportJob.unscoped.filter(pk=job.pk, checkpoint_row=job.checkpoint_row).update(
            heartbeat_at=timezone.now(),  # the lease, renewed with every batch
            checkpoint_row=last_row,
            processed_rows=F("processed_rows") + batch.size,
            imported_rows=F("imported_rows") + batch.imported,
            failed_rows=F("failed_rows") + len(bad),
        )
        if not moved:
            raise RunSuperseded()
        _insert_recipients(job, batch)
        ImportRowError.objects.bulk_create(
            ImportRowError(job_id=job.pk, row_number=row_number, reason=reason) for row_number, reason in bad
        )
        RecipientGroup.unscoped.filter(pk=job.group_id).update(
            recipient_count=F("recipient_count") + batch.imported,
            processed_records=F("processed_records") + batch.size,
            failed_records=F("failed_records") + len(bad),
            updated_at=timezone.now(),
        )
        RecipientCounter.objects.filter(company_id=job.company_id).update(count=F("count") + batch.imported)
    job.checkpoint_row = last_row


def _insert_recipients(job: ImportJob, batch: CheckedBatch) -> None:
    if not batch.imported:
        return
    if batch.copy_text is not None:
        _copy_recipients(job, batch)
        return
    ids, rows, now = batch.ids, batch.good, batch.created_at
    Recipient.unscoped.bulk_create(  # company set on every row
        [
            Recipient(
                id=uuid.UUID(rid),
                company_id=job.company_id,
                import_job_id=job.pk,
                source_row=row_number,
                created_at=now,
                custom_fields=json.loads(custom),
                **dict(zip(RECIPIENT_COLUMNS, values, strict=True)),
            )
            for rid, (row_number, values, custom) in zip(ids, rows, strict=True)
        ],
        batch_size=1000,
    )
    GroupMembership.objects.bulk_create(
        [GroupMembership(group_id=job.group_id, recipient_id=uuid.UUID(rid)) for rid in ids], batch_size=2000
    )


COPY_RECIPIENTS = (
    "COPY recipients_recipient (id, company_id, import_job_id, source_row, created_at, updated_at, "
    f"custom_fields, {', '.join(RECIPIENT_COLUMNS)}) FROM STDIN"
)
# The batch's new ids as one array parameter: a plan that cannot go wrong however stale the
# table's statistics are (a million rows arrive faster than autovacuum analyses them). Sent in
# binary (%b): parsing 20,000 ids from an array's text costs PostgreSQL a third of the insert.
INSERT_MEMBERSHIPS = """
    INSERT INTO recipients_groupmembership (group_id, recipient_id)
    SELECT %s, unnest(%b::uuid[])
"""


class UuidArray(bytes):
    """A uuid[] in PostgreSQL's binary array format, built from hex ids (by the reader child).
    Sent as it is: parsing 20,000 ids from an array's text costs PostgreSQL a third of the
    membership insert, and making as many uuid.UUID objects to send them in binary costs this
    process as much."""

    OID = 2951  # uuid[]
    _UUID_OID, _ITEM_LENGTH = 2950, (16).to_bytes(4)

    @classmethod
    def of(cls, hex_ids: list[str]) -> "UuidArray":
        # dimensions 1, no nulls, element type, then (length, lower bound); each item sized
        head = struct.pack("!iiiii", 1, 0, cls._UUID_OID, len(hex_ids), 1)
        return cls(head + b"".join(cls._ITEM_LENGTH + bytes.fromhex(h) for h in hex_ids))


class _UuidArrayDumper(Dumper):
    format = Format.BINARY
    oid = UuidArray.OID

    def dump(self, obj: UuidArray) -> bytes:
        return obj


def _copy_text(job: ImportJob, batch: CheckedBatch) -> str:
    fixed = f"\t{job.company_id}\t{job.pk}\t"
    stamp = batch.created_at.isoformat()
    stamps = f"\t{stamp}\t{stamp}\t"
    return "".join(
        f"{rid}{fixed}{row_number}{stamps}{_copy_json(custom)}\t{_copy_fields(values)}\n"
        for rid, (row_number, values, custom) in zip(batch.ids, batch.good, strict=True)
    )


def _copy_recipients(job: ImportJob, batch: CheckedBatch) -> None:
    """COPY the batch's recipients, then their memberships in one set-based INSERT ... SELECT."""
    connection.ensure_connection()
    connection.connection.adapters.register_dumper(UuidArray, _UuidArrayDumper)  # before the cursor
    with connection.cursor() as cursor:
        # The batch's commit need not wait for its WAL to reach the disk: a crash can only lose
        # the last batches whole, checkpoint included, and the retried task redoes them (the
        # job's final commit waits as usual, which makes every batch before it durable too).
        cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")
        checked_once = _check_references_once(cursor, job)
        with cursor.copy(COPY_RECIPIENTS) as copy:
            copy.write(batch.copy_text)
        cursor.execute(INSERT_MEMBERSHIPS, [job.group_id, batch.id_array])
        if checked_once:
            cursor.execute(ROW_CHECKS_ON)


# PostgreSQL checks three foreign keys for every imported row (recipient -> company, membership ->
# group and -> recipient), and those checks cost about as much as inserting the rows. They
# all point at two rows (the job's company and group) and at recipients of the same batch. So,
# where the database role may set session_replication_role, a batch checks those two rows once,
# locking them exactly as the per-row checks would (FOR KEY SHARE: neither can be deleted until
# the batch commits), and turns the per-row checks off for its own COPY and INSERT only.
CHECK_REFERENCES_ONCE = """
    SELECT set_config('session_replication_role', 'replica', true)
    FROM accounts_company c JOIN recipients_recipientgroup g ON g.company_id = c.id
    WHERE c.id = %s AND g.id = %s
    FOR KEY SHARE
"""
ROW_CHECKS_ON = "SELECT set_config('session_replication_role', 'origin', true)"
# Granted to a role by GRANT SET ON PARAMETER (PostgreSQL 15 on); before that, superusers only.
MAY_TURN_ROW_CHECKS_OFF = "SELECT has_parameter_privilege('session_replication_role', 'SET')"
MAY_TURN_ROW_CHECKS_OFF_BEFORE_15 = "SELECT current_setting('is_superuser') = 'on'"
_may_turn_row_checks_off: dict[str, bool] = {}  # per database alias, asked once per process


def _check_references_once(cursor, job: ImportJob) -> bool:
    """True if the batch's references were checked here and the per-row checks are off."""
    if not settings.IMPORT_CHECK_REFERENCES_ONCE:
        return False
    alias = connection.alias
    if alias not in _may_turn_row_checks_off:
        cursor.execute(
            MAY_TURN_ROW_CHECKS_OFF if connection.pg_version >= 150000 else MAY_TURN_ROW_CHECKS_OFF_BEFORE_15
        )
        _may_turn_row_checks_off[alias] = bool(cursor.fetchone()[0])
    if not _may_turn_row_checks_off[alias]:
        return False
    cursor.execute(CHECK_REFERENCES_ONCE, [job.company_id, job.group_id])
    if cursor.fetchone() is None:
        raise IntegrityError("The import's company or group no longer exists.")
    return True


# COPY's text format, written here rather than by psycopg's write_row, which costs three times
# as much per row: fields are separated by tabs, and a backslash, tab, newline or carriage
# return inside a field is written as a backslash escape (so "\N", NULL's marker, stays text).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_fields(values: list[str]) -> str:
    line = "\t".join(values)
    if line.count("\t") == len(values) - 1 and not _needs_escape(line):
        return line  # the common case: nothing to escape
    return "\t".join(value.translate(_COPY_ESCAPES) for value in values)


def _copy_json(custom: str) -> str:
    # JSON from encode_json_string is ASCII with no raw control characters; only its escapes'
    # backslashes need doubling.
    return custom.replace("\\", "\\\\") if "\\" in custom else custom


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\n" in text or "\r" in text


def _finish(job: ImportJob) -> None:
    with transaction.atomic():
        job = (
            ImportJob.unscoped.select_for_update(of=("self",))
            .select_related("group", "company")
            .filter(pk=job.pk)
            .first()
        )
        if job is None:  # its group was deleted meanwhile (its lease had run out)
            return
        job.status = ImportJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        RecipientGroup.unscoped.filter(pk=job.group_id).update(
            status=RecipientGroup.Status.READY, total_records=job.processed_rows, updated_at=job.finished_at
        )
        _record_outcome(job, EventType.IMPORT_FINISHED)
    import_staged_file_drop(job=job)


def _fail(job: ImportJob, reason: str) -> None:
    """Nothing half-done: rows this job already committed are removed with it."""
    logger.info("import %s failed: %s", job.pk, reason)
    with transaction.atomic():
        import_rows_discard(job=job)
        failed = (
            ImportJob.unscoped.filter(pk=job.pk)
            .exclude(status=ImportJob.Status.FAILED)
            .update(status=ImportJob.Status.FAILED, failure_reason=reason, finished_at=timezone.now())
        )
        RecipientGroup.unscoped.filter(pk=job.group_id).update(
            status=RecipientGroup.Status.FAILED, failure_reason=reason, recipient_count=0,
            failed_records=0, processed_records=0, updated_at=timezone.now(),
        )  # fmt: skip
        if failed:  # (a job failed already keeps its first reason, and its one event)
            job = ImportJob.unscoped.select_related("group", "company").get(pk=job.pk)
            _record_outcome(job, EventType.IMPORT_FAILED)
    import_staged_file_drop(job=job)


def _record_outcome(job: ImportJob, type: EventType) -> None:
    """The job's `import.finished` / `import.failed` event, in the transaction that ends it."""
    record_event(company=job.company, type=type, kind="import_job", obj=job)

"""Print-ready output of a print campaign: its frozen recipient list (the approval snapshot)
merged into its template, written as print PDFs of at most CAMPAIGN_PRINT_CHUNK_LETTERS letters
plus manifest.csv, and kept in storage with a PrintRun row that says where.

Called by the dispatch machinery (the `write_print_files` task) with a campaign id only.
Idempotent and safe to rerun: a finished run is returned as it is. Otherwise a new attempt takes
the run (under the campaign's row lock), removes whatever earlier attempts left in storage,
writes under its own prefix and marks the run done only if it still holds it. A running attempt
holds the run for CAMPAIGN_PRINT_LEASE_SECONDS from its start: meanwhile other calls get
PrintRunBusy (the task retries later), so two workers never take turns taking it from each other;
after that it counts as dead (its worker was killed) and the next call redoes the run.

Storage layout: companies/<company_id>/campaigns/<campaign_id>/print/<attempt>/print-0001.pdf,
..., manifest.csv (<attempt> numbers the runs of the campaign's one PrintRun row).
"""

import logging
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from campaigns.errors import CampaignNotFound, CampaignNotPrintable, PrintRunBusy
from campaigns.models import SNAPSHOT_FIELDS, Campaign, CampaignRecipient, Channel, PrintRun, Status
from campaigns.pdf import Letter, address_lines, write_print_files
from campaigns.selectors import get_campaign_for_company
from config.leases import lease_left
from webhooks.events import EventType, record_event

logger = logging.getLogger(__name__)

# Approved and every status after it that still prints (not Draft, Preview or Cancelled).
PRINTABLE = frozenset(
    {Status.APPROVED, Status.AWAITING_PAYMENT, Status.SCHEDULED, Status.PRINTING, Status.DISPATCHED}
)
# Snapshot rows read per query (keyset pagination on the primary key: memory stays flat).
SNAPSHOT_BATCH = 2000
_COPY_CHUNK = 1024 * 1024


def print_root(campaign: Campaign) -> str:
    return f"companies/{campaign.company_id}/campaigns/{campaign.pk}/print"


def print_files_write(*, campaign_id) -> PrintRun:
    """Write (or return the already written) print files of an approved print campaign.
    CampaignNotFound for an unknown id; CampaignNotPrintable before approval, once cancelled, or
    for a message campaign; PrintRunBusy while another attempt is writing them."""
    run, campaign = _run_take(campaign_id)
    if campaign is None:
        return run
    prefix = f"{print_root(campaign)}/{run.attempt}"
    _remove_earlier_attempts(print_root(campaign), keep=str(run.attempt))
    try:
        files, manifest = _write_and_store(campaign, prefix)
    except Exception as exc:
        PrintRun.unscoped.filter(pk=run.pk, attempt=run.attempt).update(
            status=PrintRun.Status.FAILED, error=(str(exc) or type(exc).__name__)[:500]
        )
        try:
            _remove_tree(prefix)
        except Exception:  # storage still failing: the next attempt removes them
            logger.exception("Could not remove the partial print files under %s", prefix)
        raise
    with transaction.atomic():
        done = PrintRun.unscoped.filter(
            pk=run.pk, attempt=run.attempt, status=PrintRun.Status.RUNNING
        ).update(
            status=PrintRun.Status.DONE,
            files=files,
            manifest=manifest,
            letters=sum(f["letters"] for f in files),
            pages=sum(f["pages"] for f in files),
            finished_at=timezone.now(),
        )
        if done:
            run.refresh_from_db()
            record_event(
                company=campaign.company, type=EventType.PRINT_FILES_WRITTEN, kind="print_run", obj=run
            )
    if not done:  # a later attempt took the run over past our lease (or the campaign is gone)
        _remove_tree(prefix)
        current = PrintRun.unscoped.filter(pk=run.pk).first()
        if current is None:
            raise CampaignNotFound()
        if current.status != PrintRun.Status.DONE:
            raise PrintRunBusy(retry_after=_lease_left(current))
        return current
    return run


def print_files_require_printable(campaign: Campaign) -> None:
    """CampaignNotPrintable unless the campaign is a print campaign approved (or further on)."""
    if campaign.channel != Channel.POST or campaign.status not in PRINTABLE or campaign.approved_at is None:
        raise CampaignNotPrintable()


def print_files_request(*, company, campaign_id) -> Campaign:
    """Write the campaign's print files in the background (the `write_print_files` task, once the
    transaction commits), if it may be printed (CampaignNotPrintable)."""
    from campaigns.tasks import write_print_files  # the task calls this module: import at use

    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id)
    print_files_require_printable(campaign)
    campaign_key = str(campaign.pk)
    transaction.on_commit(lambda: write_print_files.delay(campaign_key))
    return campaign


@transaction.atomic
def _run_take(campaign_id) -> tuple[PrintRun, Campaign | None]:
    """The campaign's run: finished (and no campaign: nothing to do), or taken by a new attempt."""
    campaign = (
        Campaign.unscoped.select_for_update(of=("self",))
        .select_related("print_options__template")
        .filter(pk=_as_uuid(campaign_id))
        .first()
    )
    if campaign is None:
        raise CampaignNotFound()
    print_files_require_printable(campaign)
    run, _ = PrintRun.unscoped.get_or_create(campaign=campaign, defaults={"company_id": campaign.company_id})
    if run.status == PrintRun.Status.DONE and run.approved_at == campaign.approved_at:
        return run, None
    if run.status == PrintRun.Status.RUNNING and _lease_left(run) > 0:
        raise PrintRunBusy(retry_after=_lease_left(run))
    run.attempt += 1
    run.status = PrintRun.Status.RUNNING
    run.approved_at = campaign.approved_at
    run.files, run.manifest, run.letters, run.pages, run.error = [], "", 0, 0, ""
    run.started_at, run.finished_at = timezone.now(), None
    run.save()
    return run, campaign


def _lease_left(run: PrintRun) -> float:
    """Seconds until a running attempt counts as dead (0 once it does, or without a start)."""
    return lease_left(run.started_at, settings.CAMPAIGN_PRINT_LEASE_SECONDS)


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


def _write_and_store(campaign: Campaign, prefix: str) -> tuple[list[dict], str]:
    options = campaign.print_options
    with tempfile.TemporaryDirectory(prefix="campaign-print-") as workdir:
        template = Path(workdir) / "template.pdf"
        with options.template.pdf.open("rb") as source, template.open("wb") as out:
            for chunk in iter(lambda: source.read(_COPY_CHUNK), b""):
                out.write(chunk)
        written = write_print_files(
            template=template,
            fmt=options.format,
            letters=_letters(campaign),
            duplex=options.is_duplex,
            out_dir=Path(workdir) / "out",
            chunk_size=settings.CAMPAIGN_PRINT_CHUNK_LETTERS,
        )
        files = [
            {
                "key": _store(f"{prefix}/{f.name}", f.path),
                "name": f.name,
                "letters": f.letters,
                "pages": f.pages,
            }
            for f in written
        ]
        return files, _store(f"{prefix}/{written.manifest.name}", written.manifest)


def _letters(campaign: Campaign) -> Iterator[Letter]:
    """The snapshot's letters in sequence order, read in batches by primary key."""
    after = 0
    while True:
        rows = list(
            CampaignRecipient.objects.filter(campaign_id=campaign.pk, sequence__gt=after)
            .order_by("sequence")
            .values("sequence", "recipient_id", *SNAPSHOT_FIELDS)[:SNAPSHOT_BATCH]
        )
        if not rows:
            return
        for row in rows:
            yield _letter(row)
        after = rows[-1]["sequence"]


def _letter(row: dict) -> Letter:
    name = " ".join(part for part in (row["title"], row["first_name"], row["last_name"]) if part).strip()
    return Letter(
        sequence=row["sequence"],
        recipient_id=str(row["recipient_id"]),
        name=name or row["company_name"],
        postcode=row["postcode"],
        address=address_lines(row),
    )


def _store(key: str, path: Path) -> str:
    if default_storage.exists(key):
        default_storage.delete(key)
    with path.open("rb") as fh:
        stored = default_storage.save(key, File(fh, name=path.name))
    if stored != key:  # a storage that renamed it: this run's keys must be its own
        default_storage.delete(stored)
        raise RuntimeError(f"Storage saved {key} as {stored}.")
    return stored


def print_files_remove(root: str) -> None:
    """Every print file under a campaign's `print_root` (for a campaign being deleted)."""
    _remove_tree(root)


def _remove_earlier_attempts(root: str, *, keep: str) -> None:
    """Whatever earlier (interrupted or failed) attempts left under the campaign's print folder."""
    dirs, files = _listdir(root)
    for name in files:
        default_storage.delete(f"{root}/{name}")
    for name in dirs:
        if name != keep:
            _remove_tree(f"{root}/{name}")


def _remove_tree(path: str) -> None:
    dirs, files = _listdir(path)
    for name in files:
        default_storage.delete(f"{path}/{name}")
    for name in dirs:
        _remove_tree(f"{path}/{name}")


def _listdir(path: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(path)
    except FileNotFoundError:  # local storage: nothing was ever written there
        return [], []

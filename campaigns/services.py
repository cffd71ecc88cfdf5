"""Every write about campaigns: create, approve (with the recipient snapshot), delete, and the
preview. Status moves go through campaigns.status.transition only."""

import base64
import binascii
import contextlib
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from billing import selectors as catalogue
from campaigns import printing
from campaigns import status as machine
from campaigns.errors import (
    CampaignHasNoRecipients,
    CampaignNameRequired,
    InvalidPdf,
    InvalidStatusTransition,
    PdfTooLarge,
    TemplateAndPdfGiven,
    TemplateOrPdfRequired,
)
from campaigns.models import SNAPSHOT_FIELDS, Campaign, CampaignRecipient, PrintOptions, PrintRun, Status
from campaigns.pdf import address_lines, check_pdf, render_preview
from campaigns.selectors import first_recipient_fields, get_campaign_for_company, recipient_count
from config.outbound import OutboundFileTooLarge, fetch_to_file
from recipients import selectors as recipient_selectors
from recipients.models import GroupMembership, Recipient
from templates import selectors as template_selectors
from templates import services as template_services
from templates.errors import TemplateSettingsMismatch
from templates.formats import Format, find_format

logger = logging.getLogger(__name__)

NO_RECIPIENTS_WARNING = "Campaign has no recipients yet; staying in Draft."
CREATED_MESSAGE = "Campaign successfully created."


@dataclass(frozen=True)
class PdfSource:
    """Mode B (`url`) or C (`base64`) of campaign creation."""

    url: str | None = None
    base64: str | None = None
    original_name: str = ""
    file_name: str = ""


@dataclass(frozen=True)
class PrintCampaignInput:
    name: str
    page_size: str | None
    orientation: str | None
    envelope: str | None
    stock_weight: str | None
    mail_class: str | None
    is_duplex: bool = False
    is_admail: bool = False
    is_confidential: bool = False
    default_recipient_name: str = ""
    recipients_type: str | None = None  # "group" | "single" | None
    recipients_id: str | None = None


@dataclass
class CreatedCampaign:
    campaign: Campaign
    template_id: int
    warnings: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


# ---- create ------------------------------------------------------------------------------------


def campaign_create(
    *,
    company,
    by=None,
    spec: PrintCampaignInput,
    template_id=None,
    pdf: PdfSource | None = None,
    template_name: str | None = None,
) -> CreatedCampaign:
    """A print campaign from an existing template (mode A) or a PDF (modes B and C: the PDF is
    checked and kept as a reusable template). Draft when no recipients are linked, else Preview.
    Every check runs before anything is written; the slow part (fetching, checking the PDF) runs
    outside the database transaction."""
    if not (spec.name or "").strip():
        raise CampaignNameRequired()
    if template_id is not None and pdf is not None:
        raise TemplateAndPdfGiven()
    if template_id is None and pdf is None:
        raise TemplateOrPdfRequired()
    fmt = find_format(orientation=spec.orientation, page_size=spec.page_size, envelope=spec.envelope)
    product = catalogue.product_for(
        format_code=fmt.code,
        stock_weight=spec.stock_weight,
        mail_class=spec.mail_class,
        is_duplex=spec.is_duplex,
        is_admail=spec.is_admail,
        is_confidential=spec.is_confidential,
    )
    group, single = _selection(company, spec)

    if template_id is not None:
        template = template_selectors.get_template_for_company(company=company, template_id=template_id)
        if template.format_code != fmt.code:
            raise TemplateSettingsMismatch()
        with transaction.atomic():
            return _create_rows(company, by, spec, fmt, product, template, group, single)

    with _pdf_on_disk(pdf) as path:
        info = check_pdf(path, fmt, max_letter_pages=settings.CAMPAIGN_MAX_LETTER_PAGES)
        with transaction.atomic():
            template = template_services.template_create(
                company=company,
                name=_template_name(template_name, pdf, spec),
                fmt=fmt,
                source=path,
                file_name=_safe_file_name(pdf.file_name or pdf.original_name),
                by=by,
                checked=info,
            )
            return _create_rows(company, by, spec, fmt, product, template, group, single)


def _selection(company, spec: PrintCampaignInput):
    if spec.recipients_type == "group":
        return recipient_selectors.get_group_for_company(company=company, group_id=spec.recipients_id), None
    if spec.recipients_type == "single":
        return None, recipient_selectors.get_recipient_for_company(
            company=company, recipient_id=spec.recipients_id
        )
    return None, None


def _create_rows(company, by, spec, fmt: Format, product, template, group, single) -> CreatedCampaign:
    campaign = Campaign.objects.for_company(company).create(
        company=company,
        name=spec.name.strip()[:200],
        status=Status.DRAFT,
        selection=(
            Campaign.Selection.GROUP
            if group
            else Campaign.Selection.SINGLE
            if single
            else Campaign.Selection.NONE
        ),
        recipient_group=group,
        recipient=single,
        created_by=by,
    )
    PrintOptions.objects.create(
        campaign=campaign,
        template=template,
        format_code=fmt.code,
        product=product,
        stock_weight=product.stock_weight,
        mail_class=product.mail_class,
        is_duplex=product.is_duplex,
        is_admail=product.is_admail,
        is_confidential=product.is_confidential,
        default_recipient_name=(spec.default_recipient_name or "").strip()[:200],
    )
    machine.start(campaign, by=by)
    count = recipient_count(campaign)
    campaign.recipient_count = count
    campaign.save(update_fields=["recipient_count", "updated_at"])
    warnings = []
    if count:
        machine.transition(campaign, Status.PREVIEW, by=by)
    else:
        warnings.append(NO_RECIPIENTS_WARNING)
    request_preview(campaign)
    return CreatedCampaign(campaign, template.pk, warnings, [CREATED_MESSAGE])


def _template_name(template_name: str | None, pdf: PdfSource, spec: PrintCampaignInput) -> str:
    if (template_name or "").strip():
        return template_name.strip()
    for candidate in (pdf.file_name, pdf.original_name):
        if (candidate or "").strip():
            return Path(candidate.strip()).stem or candidate.strip()
    return f"{spec.name.strip()} template"


def _safe_file_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name or "").name).strip(".-")
    return (base or "design")[:80].removesuffix(".pdf") + ".pdf"


@contextlib.contextmanager
def _pdf_on_disk(pdf: PdfSource) -> Iterator[Path]:
    """The PDF of mode B (fetched through the outbound guard) or C (decoded) in a temporary file."""
    limit = settings.CAMPAIGN_PDF_MAX_BYTES
    with tempfile.TemporaryDirectory(prefix="campaign-pdf-") as workdir:
        path = Path(workdir) / "source.pdf"
        if pdf.base64 is not None:
            _decode_base64_to(path, pdf.base64, limit)
        elif (pdf.url or "").strip():
            with open(path, "wb") as out:
                try:
                    fetch_to_file(
                        pdf.url.strip(), out, max_bytes=limit, timeout=settings.CAMPAIGN_PDF_FETCH_TIMEOUT
                    )
                except OutboundFileTooLarge as exc:
                    raise PdfTooLarge() from exc
        else:
            raise InvalidPdf("The pdf object has neither fileUrl nor fileBase64.")
        yield path


_DATA_URL_PREFIX = re.compile(r"^data:[^,]*;base64,", re.IGNORECASE)


def _decode_base64_to(path: Path, text: str, limit: int) -> None:
    text = _DATA_URL_PREFIX.sub("", text.strip(), count=1)
    if "\n" in text or "\r" in text or " " in text:
        text = "".join(text.split())
    if len(text) // 4 * 3 - text[-2:].count("=") > limit:
        raise PdfTooLarge()
    if not text:
        raise InvalidPdf("pdf.fileBase64 is empty.")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidPdf("pdf.fileBase64 is not valid Base64.") from exc
    path.write_bytes(data)


# ---- approve, delete ---------------------------------------------------------------------------


@transaction.atomic
def campaign_approve(*, company, campaign_id, by=None) -> Campaign:
    """Approve the campaign and freeze its recipient list: one INSERT ... SELECT copies each
    recipient's address into CampaignRecipient, in the selection's order."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    machine.require_writable(campaign)
    if recipient_count(campaign) == 0:
        raise CampaignHasNoRecipients()
    if not machine.can_move(campaign.status, Status.APPROVED):
        raise InvalidStatusTransition()
    frozen = _snapshot_recipients(campaign)
    if frozen == 0:  # the group emptied between the count and the copy
        raise CampaignHasNoRecipients()
    campaign.recipient_count = frozen
    campaign.approved_at = timezone.now()
    campaign.save(update_fields=["recipient_count", "approved_at", "updated_at"])
    machine.transition(campaign, Status.APPROVED, by=by)
    return campaign


def _snapshot_recipients(campaign: Campaign) -> int:
    """Copy the selection's recipients into the snapshot table, set-based; the rows copied."""
    snapshot = CampaignRecipient._meta.db_table
    recipients = Recipient._meta.db_table
    memberships = GroupMembership._meta.db_table
    columns = ", ".join(SNAPSHOT_FIELDS)
    selected = ", ".join(f"r.{name}" for name in SNAPSHOT_FIELDS)
    campaign_key = Campaign._meta.pk.get_db_prep_value(campaign.pk, connection)
    company_key = Campaign._meta.pk.get_db_prep_value(campaign.company_id, connection)
    CampaignRecipient.objects.filter(campaign=campaign).delete()  # a retried approval starts clean
    with connection.cursor() as cursor:
        if campaign.selection == Campaign.Selection.GROUP:
            group_key = Campaign._meta.pk.get_db_prep_value(campaign.recipient_group_id, connection)
            cursor.execute(
                f"INSERT INTO {snapshot} (campaign_id, sequence, recipient_id, {columns}) "  # noqa: S608 (names from _meta)
                f"SELECT %s, ROW_NUMBER() OVER (ORDER BY m.id), r.id, {selected} "
                f"FROM {memberships} m JOIN {recipients} r ON r.id = m.recipient_id "
                "WHERE m.group_id = %s AND r.company_id = %s",
                [campaign_key, group_key, company_key],
            )
        else:
            recipient_key = Campaign._meta.pk.get_db_prep_value(campaign.recipient_id, connection)
            cursor.execute(
                f"INSERT INTO {snapshot} (campaign_id, sequence, recipient_id, {columns}) "  # noqa: S608
                f"SELECT %s, 1, r.id, {selected} FROM {recipients} r WHERE r.id = %s AND r.company_id = %s",
                [campaign_key, recipient_key, company_key],
            )
        return cursor.rowcount


@transaction.atomic
def campaign_delete(*, company, campaign_id) -> None:
    """Delete a campaign that is not read-only (its snapshot, history and print run go with it;
    its template stays, reusable). The preview and print files are removed once the delete is
    committed."""
    campaign = get_campaign_for_company(company=company, campaign_id=campaign_id, for_update=True)
    machine.require_writable(campaign)
    preview = campaign.preview_file
    print_root = (
        printing.print_root(campaign) if PrintRun.unscoped.filter(campaign=campaign).exists() else None
    )
    campaign.delete()
    if preview:
        transaction.on_commit(lambda: default_storage.delete(preview))
    if print_root:
        transaction.on_commit(lambda: printing.print_files_remove(print_root))


# ---- preview -----------------------------------------------------------------------------------


def request_preview(campaign: Campaign) -> None:
    """Render the preview in the background once the surrounding transaction commits."""
    from campaigns.tasks import render_campaign_preview

    campaign_id = str(campaign.pk)
    transaction.on_commit(lambda: render_campaign_preview.delay(campaign_id))


def preview_key(campaign: Campaign) -> str:
    return f"campaigns/{campaign.company_id}/{campaign.pk}/preview.pdf"


def campaign_render_preview(*, campaign_id) -> str | None:
    """Render the campaign's preview (template pages with the first recipient's address, or the
    default recipient name, in the format's address area) to storage; the key, or None if the
    campaign no longer exists. Idempotent: a rerun writes the same key again."""
    campaign = (
        Campaign.unscoped.select_related("print_options__template", "recipient_group", "company")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        return None
    options = campaign.print_options
    fields = first_recipient_fields(campaign)
    if fields is not None:
        address = address_lines(fields)
    elif options.default_recipient_name:
        address = [options.default_recipient_name]
    else:
        address = None
    key = preview_key(campaign)
    with tempfile.TemporaryDirectory(prefix="campaign-preview-") as workdir:
        template_path = Path(workdir) / "template.pdf"
        with options.template.pdf.open("rb") as source, open(template_path, "wb") as out:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                out.write(chunk)
        out_path = Path(workdir) / "preview.pdf"
        render_preview(template=template_path, fmt=options.format, address=address, out=out_path)
        if default_storage.exists(key):
            default_storage.delete(key)
        with open(out_path, "rb") as rendered:
            stored = default_storage.save(key, File(rendered))
    updated = Campaign.unscoped.filter(pk=campaign.pk).update(
        preview_file=stored, preview_generated_at=timezone.now(), preview_error=""
    )
    if not updated:  # deleted while rendering
        default_storage.delete(stored)
        return None
    return stored

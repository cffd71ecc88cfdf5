"""Creating a print campaign: from an existing template (mode A) or from a PDF fetched from a
URL (mode B) or sent as Base64 (mode C), which is checked and kept as a reusable template."""

import base64
import binascii
import contextlib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from billing import selectors as catalogue
from campaigns import status as machine
from campaigns.errors import (
    CampaignErrorCode,
    CampaignNameRequired,
    InvalidPdf,
    PdfTooLarge,
    TemplateAndPdfGiven,
    TemplateOrPdfRequired,
)
from campaigns.models import Campaign, PrintOptions, Status
from campaigns.selectors import recipient_count
from campaigns.services.preview import request_preview
from config.outbound import OutboundFetchError, OutboundFileTooLarge, fetch_to_file
from recipients import selectors as recipient_selectors
from templates import selectors as template_selectors
from templates import services as template_services
from templates.errors import TemplateSettingsMismatch
from templates.formats import Format, find_format
from templates.pdfcheck import check_pdf

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
                except OutboundFetchError as exc:
                    raise InvalidPdf(
                        CampaignErrorCode.PDF_URL_NOT_FETCHED, field="pdf.file_url", reason=exc.message
                    ) from exc
        else:
            raise InvalidPdf(CampaignErrorCode.PDF_NO_SOURCE, field="pdf")
        yield path


_DATA_URL_PREFIX = re.compile(r"^data:[^,]*;base64,", re.IGNORECASE)


def _decode_base64_to(path: Path, text: str, limit: int) -> None:
    text = _DATA_URL_PREFIX.sub("", text.strip(), count=1)
    if "\n" in text or "\r" in text or " " in text:
        text = "".join(text.split())
    if len(text) // 4 * 3 - text[-2:].count("=") > limit:
        raise PdfTooLarge()
    if not text:
        raise InvalidPdf(CampaignErrorCode.PDF_BASE64_EMPTY, field="pdf.file_base64")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidPdf(CampaignErrorCode.PDF_NOT_BASE64, field="pdf.file_base64") from exc
    path.write_bytes(data)

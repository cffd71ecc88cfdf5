"""Every write about templates. A print template's PDF is checked before it is stored, whoever
makes it (staff in the admin, or a campaign created from a PDF); a message template's BODY and
JSON message are checked (message_template_check) before it is saved."""

import io
import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError

from config.errors import InvalidInput
from templates.errors import TemplateErrorCode, TemplateInUse
from templates.formats import Format
from templates.models import MessageTemplate, PrintTemplate
from templates.pdfcheck import PdfInfo, check_pdf

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTH_PX = 320


def template_create(
    *,
    company,
    name: str,
    fmt: Format,
    source: Path,
    file_name: str = "design.pdf",
    by=None,
    checked: PdfInfo | None = None,
) -> PrintTemplate:
    """A template of `fmt` from the PDF at `source` (checked first: campaigns.errors.InvalidPdf;
    `checked` is the result of a check the caller already made), owned by `company`, or shared
    with every company when `company` is None (staff only)."""
    info = checked or check_pdf(source, fmt, max_letter_pages=settings.CAMPAIGN_MAX_LETTER_PAGES)
    template = PrintTemplate(
        company=company,
        name=(name or "").strip()[:200] or Path(file_name).stem[:200] or "Untitled template",
        format_code=fmt.code,
        page_count=info.page_count,
        size_bytes=source.stat().st_size,
        created_by=by,
    )
    with open(source, "rb") as handle:
        template.pdf.save(file_name, File(handle), save=False)
    png = page_one_png(source)
    if png is not None:
        template.thumbnail.save("page1.png", ContentFile(png), save=False)
    template.save()
    return template


def template_rename(*, template: PrintTemplate, name: str) -> PrintTemplate:
    template.name = name.strip()[:200] or template.name
    template.save(update_fields=["name", "updated_at"])
    return template


def template_delete(*, template: PrintTemplate) -> None:
    """Delete a template that no campaign prints with (campaigns refer to it with a PROTECT
    foreign key: TemplateInUse); its PDF and thumbnail leave storage once the delete commits."""
    stored = [(f.storage, f.name) for f in (template.pdf, template.thumbnail) if f]
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as exc:
        raise TemplateInUse() from exc
    for storage, name in stored:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def page_one_png(source: Path) -> bytes | None:
    """A PNG of page 1, THUMBNAIL_WIDTH_PX wide, rendered with pypdfium2 (PDFium). Without
    pypdfium2 installed (it is a development dependency) there is no thumbnail, and the log says so."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        logger.info("pypdfium2 is not installed: template stored without a thumbnail")
        return None
    document = pdfium.PdfDocument(str(source))
    try:
        page = document[0]
        bitmap = page.render(scale=THUMBNAIL_WIDTH_PX / page.get_width())
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        document.close()


# ---- message templates --------------------------------------------------------------------------


def message_template_check(*, body: str, json_text: str) -> None:
    """A message template has a BODY text or a JSON message or both; the JSON is an object."""
    if not (body or "").strip() and not (json_text or "").strip():
        raise InvalidInput(TemplateErrorCode.MESSAGE_TEMPLATE_EMPTY, field="body")
    if (json_text or "").strip():
        try:
            document = json.loads(json_text)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise InvalidInput(TemplateErrorCode.MESSAGE_TEMPLATE_JSON_INVALID, field="json")


def message_template_create(
    *, company, name: str, language: str, body: str = "", json_text: str = ""
) -> MessageTemplate:
    """A message template owned by `company`, or shared with every company when it is None
    (staff only)."""
    template = MessageTemplate(company=company)
    return _message_template_save(template, name=name, language=language, body=body, json_text=json_text)


def message_template_update(
    *, template: MessageTemplate, name: str, language: str, body: str = "", json_text: str = ""
) -> MessageTemplate:
    """New words for a template; campaigns made from it keep what it was when they were made."""
    return _message_template_save(template, name=name, language=language, body=body, json_text=json_text)


def message_template_delete(*, template: MessageTemplate) -> None:
    """Campaigns made from a template keep a copy of it, so a template may always go."""
    template.delete()


def _message_template_save(template, *, name, language, body, json_text) -> MessageTemplate:
    message_template_check(body=body, json_text=json_text)
    template.name = name.strip()
    template.language = language.strip()
    template.body = body or ""
    template.json = json_text or ""
    template.save()
    return template

"""Is a PDF usable as a print design? Its header, pages, page size against a print format, and
how far its streams inflate (templates.pdf_streams, limits from settings). Below both the
templates and the campaigns that use it, so neither imports the other for it."""

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings
from pikepdf import Name

from templates.errors import InvalidPdf, PdfDoesNotFitFormat, TemplateErrorCode
from templates.formats import Format
from templates.pdf_streams import InflateLimits, check_inflated_size

PT_PER_MM = 72 / 25.4
SIZE_TOLERANCE_MM = 2.0
SELF_MAILER_MAX_PAGES = 2


@dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    width_mm: float
    height_mm: float


def check_pdf(path: Path, fmt: Format, *, max_letter_pages: int) -> PdfInfo:
    """Raises InvalidPdf (unreadable), PdfDoesNotFitFormat (wrong size or page count) or
    PdfInflatesTooMuch (streams that decode past the settings' limits)."""
    _check_header(path)
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise InvalidPdf(TemplateErrorCode.PDF_ENCRYPTED)
            info = _check_pages(pdf, fmt, max_letter_pages=max_letter_pages)
            check_inflated_size(pdf, inflate_limits())
            return info
    except pikepdf.PasswordError as exc:
        raise InvalidPdf(TemplateErrorCode.PDF_PASSWORD_PROTECTED) from exc
    except (pikepdf.PdfError, ValueError, TypeError, IndexError, AttributeError) as exc:
        # qpdf's own errors, and Python ones from malformed structures (a /MediaBox of names...).
        raise InvalidPdf(TemplateErrorCode.PDF_CORRUPT) from exc


def inflate_limits() -> InflateLimits:
    return InflateLimits(
        per_stream=settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES,
        per_document=settings.CAMPAIGN_PDF_MAX_INFLATED_BYTES,
    )


def _check_header(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise InvalidPdf(TemplateErrorCode.PDF_EMPTY)
    if b"%PDF-" not in head:
        raise InvalidPdf(TemplateErrorCode.PDF_NOT_A_PDF)


def _check_pages(pdf: pikepdf.Pdf, fmt: Format, *, max_letter_pages: int) -> PdfInfo:
    count = len(pdf.pages)
    if count == 0:
        raise InvalidPdf(TemplateErrorCode.PDF_NO_PAGES)
    limit = max_letter_pages if fmt.kind == "letter" else SELF_MAILER_MAX_PAGES
    if count > limit:
        raise PdfDoesNotFitFormat(
            TemplateErrorCode.PDF_TOO_MANY_PAGES, page_size=fmt.page_size, limit=limit, count=count
        )
    sizes = [_page_size_mm(page) for page in pdf.pages]
    for number, (width, height) in enumerate(sizes, start=1):
        if not _fits(width, height, fmt):
            raise PdfDoesNotFitFormat(
                TemplateErrorCode.PDF_PAGE_SIZE_MISMATCH,
                number=number,
                width=width,
                height=height,
                page_size=fmt.page_size,
                orientation=fmt.orientation,
                needs_width=fmt.width_mm,
                needs_height=fmt.height_mm,
                tolerance=SIZE_TOLERANCE_MM,
            )
    return PdfInfo(page_count=count, width_mm=round(sizes[0][0], 1), height_mm=round(sizes[0][1], 1))


def _page_size_mm(page: pikepdf.Page) -> tuple[float, float]:
    """The finished (trim) size as displayed, i.e. after /Rotate."""
    width, height = displayed_size_pt(page)
    return width / PT_PER_MM, height / PT_PER_MM


def displayed_size_pt(page: pikepdf.Page) -> tuple[float, float]:
    box = page.trimbox
    width, height = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
    if int(page.obj.get(Name.Rotate, 0)) % 180:
        return height, width
    return width, height


def _fits(width_mm: float, height_mm: float, fmt: Format) -> bool:
    return (
        abs(width_mm - fmt.width_mm) <= SIZE_TOLERANCE_MM
        and abs(height_mm - fmt.height_mm) <= SIZE_TOLERANCE_MM
    )

"""The print PDF pipeline: check a design PDF, render a preview, write print-ready files.

Everything here works on local paths (the callers move bytes to and from storage) and knows
nothing about campaigns' rows, so a task, the admin and the benchmark call the same functions.

How a print file is built (the fast way): the template is opened once and each of its pages
becomes a Form XObject, copied ONCE into each output file with its fonts and images. Every
letter page is then a new, tiny page object whose content draws that shared XObject and the
letter's own address text (standard Helvetica, one shared font resource). The page objects are
built first and the page tree's /Kids is assigned once: appending pages one by one is quadratic.
Output pages are the template's trim size (bleed outside the TrimBox is not carried over).

Positions come from templates.formats: rectangles in mm from the page's top-left corner.
"""

import csv
import itertools
import random
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from campaigns.errors import InvalidPdf, PdfDoesNotFitFormat
from templates.formats import Format, Rect

PT_PER_MM = 72 / 25.4
SIZE_TOLERANCE_MM = 2.0
SELF_MAILER_MAX_PAGES = 2
MANIFEST_NAME = "manifest.csv"
MANIFEST_HEADER = ("sequence", "recipient_id", "name", "postcode", "file", "page")

ADDRESS_FONT = "Helvetica"
ADDRESS_MAX_SIZE = 10.0
ADDRESS_MIN_SIZE = 6.0
ADDRESS_LEADING = 1.2
ADDRESS_PADDING_PT = 4.0

AddressBlock = list[str]

ADDRESS_FIELDS = (
    "company_name",
    "address1",
    "address2",
    "address3",
    "address4",
    "address5",
    "city",
    "county",
    "postcode",
    "country",
)


@dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    width_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True)
class Letter:
    sequence: int
    recipient_id: str
    name: str
    postcode: str
    address: AddressBlock


@dataclass(frozen=True, slots=True)
class PrintFile:
    name: str
    path: Path
    letters: int
    pages: int


class PrintFiles(list[PrintFile]):
    """The print files written, in order, plus the manifest that indexes them."""

    def __init__(self, files: Iterable[PrintFile] = (), *, manifest: Path):
        super().__init__(files)
        self.manifest = manifest

    @property
    def letters(self) -> int:
        return sum(f.letters for f in self)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self)


# --- checking ----------------------------------------------------------------------------------


def check_pdf(path: Path, fmt: Format, *, max_letter_pages: int) -> PdfInfo:
    """Raises InvalidPdf (unreadable) or PdfDoesNotFitFormat (wrong size or page count)."""
    _check_header(path)
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise InvalidPdf("The PDF is encrypted.")
            return _check_pages(pdf, fmt, max_letter_pages=max_letter_pages)
    except pikepdf.PasswordError as exc:
        raise InvalidPdf("The PDF is encrypted (password protected).") from exc
    except pikepdf.PdfError as exc:
        raise InvalidPdf("The PDF is corrupt and cannot be read.") from exc


def _check_header(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(1024)
    if not head:
        raise InvalidPdf("The PDF is empty (0 bytes).")
    if b"%PDF-" not in head:
        raise InvalidPdf("The file is not a PDF.")


def _check_pages(pdf: pikepdf.Pdf, fmt: Format, *, max_letter_pages: int) -> PdfInfo:
    count = len(pdf.pages)
    if count == 0:
        raise InvalidPdf("The PDF has no pages.")
    limit = max_letter_pages if fmt.kind == "letter" else SELF_MAILER_MAX_PAGES
    if count > limit:
        raise PdfDoesNotFitFormat(f"{fmt.page_size} takes at most {limit} page(s); this PDF has {count}.")
    sizes = [_page_size_mm(page) for page in pdf.pages]
    for number, (width, height) in enumerate(sizes, start=1):
        if not _fits(width, height, fmt):
            raise PdfDoesNotFitFormat(
                f"Page {number} is {width:.0f} x {height:.0f} mm; {fmt.page_size} ({fmt.orientation}) "
                f"needs {fmt.width_mm:.0f} x {fmt.height_mm:.0f} mm (within {SIZE_TOLERANCE_MM:.0f} mm)."
            )
    return PdfInfo(page_count=count, width_mm=round(sizes[0][0], 1), height_mm=round(sizes[0][1], 1))


def _page_size_mm(page: pikepdf.Page) -> tuple[float, float]:
    """The finished (trim) size as displayed, i.e. after /Rotate."""
    width, height = _displayed_size_pt(page)
    return width / PT_PER_MM, height / PT_PER_MM


def _displayed_size_pt(page: pikepdf.Page) -> tuple[float, float]:
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


# --- addresses ---------------------------------------------------------------------------------


def address_lines(recipient_fields: dict) -> AddressBlock:
    """The printed address block: "title first last", company, address1-5, city, county,
    postcode, country; blank parts skipped. Takes a recipient's field values by model name
    (`company_name`; `company` is accepted too)."""
    fields = {key: _clean(value) for key, value in recipient_fields.items()}
    fields.setdefault("company_name", fields.get("company", ""))
    name = " ".join(
        part for part in (fields.get(k, "") for k in ("title", "first_name", "last_name")) if part
    )
    return [line for line in (name, *(fields.get(k, "") for k in ADDRESS_FIELDS)) if line]


def _clean(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _pdf_string(raw: bytes) -> bytes:
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _address_content(lines: AddressBlock, rect: Rect, page_height_pt: float, font: str) -> bytes:
    """A content stream that blanks the address rectangle and writes the lines inside it (clipped),
    at the largest size from 10 pt down to 6 pt that fits."""
    encoded = [line.encode("cp1252", errors="replace") for line in lines]
    x, width, height = rect.x_mm * PT_PER_MM, rect.width_mm * PT_PER_MM, rect.height_mm * PT_PER_MM
    y = page_height_pt - (rect.y_mm + rect.height_mm) * PT_PER_MM
    size = _fitting_size(encoded, width - 2 * ADDRESS_PADDING_PT, height - 2 * ADDRESS_PADDING_PT)
    leading = size * ADDRESS_LEADING
    top = y + height - ADDRESS_PADDING_PT - size
    text = b" Tj T* ".join(_pdf_string(line) for line in encoded)
    return (
        (
            f"q 1 g {x:.2f} {y:.2f} {width:.2f} {height:.2f} re f Q\n"
            f"q {x:.2f} {y:.2f} {width:.2f} {height:.2f} re W n\n"
            f"BT 0 g /{font} {size:.2f} Tf {leading:.2f} TL {x + ADDRESS_PADDING_PT:.2f} {top:.2f} Td\n"
        ).encode()
        + text
        + b" Tj\nET Q\n"
    )


# Helvetica's advance widths (1/1000 em) by WinAnsi code, from reportlab's standard font metrics.
_HELVETICA_WIDTHS = tuple(getFont(ADDRESS_FONT).widths)


def _fitting_size(encoded: list[bytes], width_pt: float, height_pt: float) -> float:
    widest = max((sum(map(_HELVETICA_WIDTHS.__getitem__, line)) for line in encoded), default=0) / 1000 or 1
    size = min(ADDRESS_MAX_SIZE, width_pt / widest, height_pt / (max(len(encoded), 1) * ADDRESS_LEADING))
    return max(size, ADDRESS_MIN_SIZE)


# --- composing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Template:
    """A template opened once: each page as a Form XObject and the content that draws it on a
    page of the template's trim size."""

    forms: list[pikepdf.Object]
    placements: list[bytes]
    sizes: list[tuple[float, float]]


@contextmanager
def _opened_template(path: Path) -> Iterator[_Template]:
    with pikepdf.open(path) as src, pikepdf.Pdf.new() as scratch:
        forms, placements, sizes = [], [], []
        for page in src.pages:
            width, height = _displayed_size_pt(page)
            form = page.as_form_xobject(handle_transformations=True)
            target = scratch.add_blank_page(page_size=(width, height))
            placements.append(
                target.calc_form_xobject_placement(form, Name.Tpl, pikepdf.Rectangle(0, 0, width, height))
            )
            forms.append(form)
            sizes.append((width, height))
        # The source stays open while output files copy streams from it.
        yield _Template(forms=forms, placements=placements, sizes=sizes)


class _Sheet:
    """One output PDF being built: template pages shared, letter pages collected, /Kids set once."""

    FONT = "PRAddr"

    def __init__(self, template: _Template, fmt: Format):
        self.fmt = fmt
        self.pdf = pikepdf.Pdf.new()
        font = self.pdf.make_indirect(
            Dictionary(
                Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding
            )
        )
        self.sizes = template.sizes
        self.resources, self.draws = [], []
        for form, placement in zip(template.forms, template.placements, strict=True):
            xobjects = Dictionary(Tpl=self.pdf.copy_foreign(form))
            resources = Dictionary(XObject=xobjects, Font=Dictionary({f"/{self.FONT}": font}))
            self.resources.append(self.pdf.make_indirect(resources))
            self.draws.append(self.pdf.make_stream(placement))
        self.blank_resources = self.pdf.make_indirect(Dictionary(Font=Dictionary({f"/{self.FONT}": font})))
        self.parent = self.pdf.Root.Pages
        self.pages: list[pikepdf.Object] = []

    def add_letter(self, address: AddressBlock | None, *, duplex: bool) -> int:
        """Adds one letter's pages; returns the page number (1-based) of its first page."""
        first = len(self.pages) + 1
        count = len(self.sizes)
        address_page = _address_page(self.fmt)
        if address_page is not None:
            count = max(count, address_page + 1)
        if duplex and count % 2:
            count += 1
        for index in range(count):
            lines = address if index == address_page else None
            self._add_page(index, lines)
        return first

    def _add_page(self, index: int, address: AddressBlock | None) -> None:
        template_page = index < len(self.sizes)
        width, height = self.sizes[min(index, len(self.sizes) - 1)]
        contents = [self.draws[index]] if template_page else []
        if address and self.fmt.address_window is not None:
            content = _address_content(address, self.fmt.address_window, height, self.FONT)
            contents.append(self.pdf.make_stream(content))
        page = Dictionary(
            Type=Name.Page,
            Parent=self.parent,
            MediaBox=Array([0, 0, round(width, 3), round(height, 3)]),
            Resources=self.resources[index] if template_page else self.blank_resources,
            Contents=Array(contents),
        )
        self.pages.append(self.pdf.make_indirect(page))

    def save(self, path: Path) -> int:
        self.parent.Kids = Array(self.pages)
        self.parent.Count = len(self.pages)
        # No object streams: they are PDF 1.5, which PDF/X-1a/-3 workflows at printers refuse;
        # the file stays small anyway (a letter page adds well under 1 KB).
        self.pdf.save(path, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        self.pdf.close()
        return len(self.pages)


def _address_page(fmt: Format) -> int | None:
    """Index of the page that carries the address: page 1 for window envelopes, the back
    (page 2) for self-mailers, none for formats posted in a plain envelope."""
    return {"front": 0, "back": 1}.get(fmt.address_side) if fmt.address_side else None


def render_preview(*, template: Path, fmt: Format, address: AddressBlock | None, out: Path) -> None:
    """The template's pages with the address block in the format's address rectangle (a blank
    back is added to a one-page self-mailer); `address=None` draws no address."""
    with _opened_template(template) as opened:
        sheet = _Sheet(opened, fmt)
        sheet.add_letter(address, duplex=False)
        sheet.save(out)


def write_print_files(
    *,
    template: Path,
    fmt: Format,
    letters: Iterable[Letter],
    duplex: bool,
    out_dir: Path,
    chunk_size: int = 1000,
) -> PrintFiles:
    """Writes print-0001.pdf, print-0002.pdf ... (at most `chunk_size` letters each) and
    manifest.csv into out_dir. Letters are consumed as a stream: memory holds one chunk."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = PrintFiles(manifest=out_dir / MANIFEST_NAME)
    with _opened_template(template) as opened, files.manifest.open("w", newline="", encoding="utf-8") as fh:
        manifest = csv.writer(fh)
        manifest.writerow(MANIFEST_HEADER)
        for number, chunk in enumerate(_chunks(letters, chunk_size), start=1):
            name = f"print-{number:04d}.pdf"
            sheet = _Sheet(opened, fmt)
            for letter in chunk:
                page = sheet.add_letter(letter.address, duplex=duplex)
                manifest.writerow(
                    (letter.sequence, letter.recipient_id, letter.name, letter.postcode, name, page)
                )
            pages = sheet.save(out_dir / name)
            files.append(PrintFile(name=name, path=out_dir / name, letters=len(chunk), pages=pages))
    return files


def _chunks(items: Iterable[Letter], size: int) -> Iterator[list[Letter]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- sample designs ----------------------------------------------------------------------------


def sample_template(*, fmt: Format, out: Path, pages: int = 1, image: bool = False) -> None:
    """A sample design at the format's exact size: text and vector shapes on every page, and
    with `image` a ~200 KB photo-like image on page 1 (seeded noise, so it does not compress)."""
    width, height = fmt.width_mm * mm, fmt.height_mm * mm
    canvas = Canvas(str(out), pagesize=(width, height), invariant=1)
    canvas.setTitle(f"Postroom sample: {fmt.page_size} {fmt.orientation}")
    for number in range(1, pages + 1):
        _sample_page(canvas, fmt, number=number, image=image and number == 1)
        canvas.showPage()
    canvas.save()


def _sample_page(canvas: Canvas, fmt: Format, *, number: int, image: bool) -> None:
    width, height = fmt.width_mm * mm, fmt.height_mm * mm
    canvas.setFillColorRGB(0.12, 0.33, 0.58)
    canvas.rect(0, height - 18 * mm, width, 18 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(8 * mm, height - 12 * mm, f"Postroom {fmt.page_size} - page {number}")
    canvas.setStrokeColorRGB(0.85, 0.45, 0.1)
    canvas.setFillColorRGB(0.98, 0.85, 0.6)
    canvas.setLineWidth(1.5)
    canvas.circle(width - 25 * mm, 25 * mm, 15 * mm, stroke=1, fill=1)
    path = canvas.beginPath()
    path.moveTo(8 * mm, 10 * mm)
    path.curveTo(width / 3, 40 * mm, width / 2, 0, width - 45 * mm, 20 * mm)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setFillColorRGB(0.15, 0.15, 0.15)
    canvas.setFont("Helvetica", 9)
    for row in range(4):
        canvas.drawString(8 * mm, height * 0.45 - row * 5 * mm, f"Sample text line {row + 1} of the design.")
    if image:
        _draw_noise_image(canvas, x=width - 60 * mm, y=height * 0.4, size=50 * mm)


def _draw_noise_image(canvas: Canvas, *, x: float, y: float, size: float) -> None:
    from PIL import Image  # reportlab's own dependency
    from reportlab.lib.utils import ImageReader

    side = 236  # 236 x 236 RGB of noise: ~167 KB raw, ~210 KB once ASCII85-encoded in the PDF
    pixels = random.Random(20240601).randbytes(side * side * 3)  # noqa: S311 (not for security)
    canvas.drawImage(ImageReader(Image.frombytes("RGB", (side, side), pixels)), x, y, size, size)

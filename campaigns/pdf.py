"""The print PDF pipeline: check a design PDF, render a preview, write print-ready files.

Everything here works on local paths (the callers move bytes to and from storage) and knows
nothing about campaigns' rows, so a task, the admin and the benchmark call the same functions.

How a print file is built (the fast way): the template is opened once and each of its pages
becomes a Form XObject, copied ONCE into each output file with its fonts and images. Every
letter page is then a new, tiny page object whose content draws that shared XObject and the
letter's own address text (standard Helvetica, one shared font resource). The page objects are
built first and the page tree's /Kids is assigned once: appending pages one by one is quadratic.
Output pages are the template's trim size (bleed outside the TrimBox is not carried over).

Every PDF is measured before anything is made from it: its streams may inflate only so far
(templates.pdfcheck and templates.pdf_streams; the limits are settings), whether it is checked on intake or opened as a
template for a preview or print files. Outputs keep every stream compressed.

Positions come from templates.formats: rectangles in mm from the page's top-left corner.
"""

import itertools
import random
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from campaigns.errors import InvalidPdf, TemplateErrorCode
from config import csvsafe
from templates.formats import Format, Rect
from templates.pdf_streams import check_inflated_size
from templates.pdfcheck import PT_PER_MM, displayed_size_pt, inflate_limits

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


# Helvetica's advance widths (1/1000 em) by WinAnsi code, from reportlab's standard font metrics.
_HELVETICA_WIDTHS = tuple(getFont(ADDRESS_FONT).widths)
_WIDEST_GLYPH = max(_HELVETICA_WIDTHS)
_LINE_BREAK = "\x1e"  # joins an address block's lines while it is encoded and escaped as one
_CONTROLS_TO_SPACE = {code: " " for code in [*range(32), 127] if chr(code) != _LINE_BREAK}


class _AddressStamp:
    """Writes address blocks into one rectangle of one page height: a content stream that blanks
    the rectangle and sets the lines inside it (clipped), at the largest size from 10 pt down to
    6 pt that fits. Called once per letter, so it works on the whole block at once and builds the
    fixed part once per font size."""

    def __init__(self, rect: Rect, *, page_height_pt: float, font: str):
        self.x, self.width = rect.x_mm * PT_PER_MM, rect.width_mm * PT_PER_MM
        self.height = rect.height_mm * PT_PER_MM
        self.y = page_height_pt - (rect.y_mm + rect.height_mm) * PT_PER_MM
        self.font = font
        self._room = (self.width - 2 * ADDRESS_PADDING_PT) * 1000  # in glyph units at 1 pt
        self._always_fits = int(self._room / ADDRESS_MAX_SIZE / _WIDEST_GLYPH)  # characters
        self._heads: dict[float, bytes] = {}

    def __call__(self, lines: AddressBlock) -> bytes:
        block = _LINE_BREAK.join(lines).translate(_CONTROLS_TO_SPACE).encode("cp1252", errors="replace")
        size = self._size(block.split(b"\x1e"))
        text = block.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        head = self._heads.get(size) or self._head(size)
        return head + b"(" + text.replace(b"\x1e", b") Tj T* (") + b") Tj ET Q\n"

    def _size(self, encoded: list[bytes]) -> float:
        by_height = (self.height - 2 * ADDRESS_PADDING_PT) / (len(encoded) * ADDRESS_LEADING)
        long_lines = [line for line in encoded if len(line) > self._always_fits]
        widest = max((sum(map(_HELVETICA_WIDTHS.__getitem__, line)) for line in long_lines), default=0)
        by_width = self._room / widest if widest else ADDRESS_MAX_SIZE
        return max(int(min(ADDRESS_MAX_SIZE, by_width, by_height) * 10) / 10, ADDRESS_MIN_SIZE)

    def _head(self, size: float) -> bytes:
        x, y, w, h = self.x, self.y, self.width, self.height
        top = y + h - ADDRESS_PADDING_PT - size
        self._heads[size] = head = (
            f"q 1 g {x:.2f} {y:.2f} {w:.2f} {h:.2f} re f Q\n"
            f"q {x:.2f} {y:.2f} {w:.2f} {h:.2f} re W n\n"
            f"BT 0 g /{self.font} {size:.1f} Tf {size * ADDRESS_LEADING:.2f} TL "
            f"{x + ADDRESS_PADDING_PT:.2f} {top:.2f} Td\n"
        ).encode()
        return head


# --- composing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Template:
    """A template opened once: each page as a Form XObject, the content that draws it on a page
    of the template's trim size, and that size (points)."""

    forms: list[pikepdf.Object]
    placements: list[bytes]
    sizes: list[tuple[float, float]]


@contextmanager
def _opened_template(path: Path) -> Iterator[_Template]:
    with pikepdf.open(path) as src, pikepdf.Pdf.new() as scratch:
        # Checked again here: a template stored before a limit was lowered is refused too.
        check_inflated_size(src, inflate_limits())
        forms, placements, sizes = [], [], []
        for page in src.pages:
            width, height = displayed_size_pt(page)
            form = page.as_form_xobject(handle_transformations=True)
            # qpdf hands the page's content over decoded: compressed once here, so every output
            # copies it compressed (within the limits checked above).
            form.write(zlib.compress(form.read_bytes()), filter=Name.FlateDecode)
            target = scratch.add_blank_page(page_size=(width, height))
            placements.append(
                target.calc_form_xobject_placement(form, Name.Tpl, pikepdf.Rectangle(0, 0, width, height))
            )
            forms.append(form)
            sizes.append((width, height))
        if not forms:
            raise InvalidPdf(TemplateErrorCode.PDF_NO_PAGES)
        # The source stays open while output files copy streams from it.
        yield _Template(forms=forms, placements=placements, sizes=sizes)


@dataclass(frozen=True, slots=True)
class _PageKit:
    """What every letter page made from one template page shares within one output file."""

    resources: pikepdf.Object  # indirect: /XObject /Tpl (the page's Form XObject) + /Font
    media_box: pikepdf.Array
    draw: bytes  # content that draws /Tpl over the whole page
    shared_contents: pikepdf.Object  # `draw` as one indirect stream, for pages with no address


class _Sheet:
    """One output PDF being built: template pages shared, letter pages collected, /Kids set once."""

    FONT = "PRAddr"

    def __init__(self, template: _Template, fmt: Format):
        self.pdf = pikepdf.Pdf.new()
        self.parent = self.pdf.Root.Pages
        self.pages: list[pikepdf.Object] = []
        font = self.pdf.make_indirect(
            Dictionary(
                Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding
            )
        )
        fonts = Dictionary({f"/{self.FONT}": font})
        self.kits = [
            self._kit(Dictionary(XObject=Dictionary(Tpl=self.pdf.copy_foreign(form)), Font=fonts), size, draw)
            for form, draw, size in zip(template.forms, template.placements, template.sizes, strict=True)
        ]
        self.address_page = _address_page(fmt)
        pages = len(self.kits)
        if self.address_page is not None and self.address_page >= pages:  # a back for one-page cards
            self.kits.append(self._kit(Dictionary(Font=fonts), template.sizes[-1], b""))
        # A blank back for duplex printing of a letter with an odd number of pages.
        self.blank = self._kit(Dictionary(), template.sizes[-1], b"")
        self.stamp = None
        if self.address_page is not None and fmt.address_window is not None:
            height = template.sizes[min(self.address_page, pages - 1)][1]
            self.stamp = _AddressStamp(fmt.address_window, page_height_pt=height, font=self.FONT)
        self._page_type = Name.Page

    def _kit(self, resources: Dictionary, size: tuple[float, float], draw: bytes) -> _PageKit:
        return _PageKit(
            resources=self.pdf.make_indirect(resources),
            media_box=Array([0, 0, round(size[0], 3), round(size[1], 3)]),
            draw=draw,
            shared_contents=self.pdf.make_stream(draw),
        )

    def add_letter(self, address: AddressBlock | None, *, duplex: bool) -> int:
        """Adds one letter's pages; returns the page number (1-based) of its first page."""
        first = len(self.pages) + 1
        stamped = self.stamp(address) if address and self.stamp else None
        for index, kit in enumerate(self.kits):
            self._add_page(kit, stamped if index == self.address_page else None)
        if duplex and len(self.kits) % 2:
            self._add_page(self.blank, None)
        return first

    def _add_page(self, kit: _PageKit, address: bytes | None) -> None:
        contents = self.pdf.make_stream(kit.draw + address) if address else kit.shared_contents
        page = Dictionary(
            {
                "/Type": self._page_type,
                "/Parent": self.parent,
                "/MediaBox": kit.media_box,
                "/Resources": kit.resources,
                "/Contents": contents,
            }
        )
        self.pages.append(self.pdf.make_indirect(page))

    def save(self, path: Path) -> int:
        self.parent.Kids = Array(self.pages)
        self.parent.Count = len(self.pages)
        # No object streams: they are PDF 1.5, which PDF/X-1a/-3 workflows at printers refuse.
        # The template's streams are copied as they are (no decode/re-encode; the pages' Form
        # XObjects were compressed when the template was opened); the small address streams stay
        # uncompressed: compressing 10,000 of them costs more than the bytes saved (a letter
        # page still adds well under 1 KB).
        self.pdf.save(
            path,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
        self.pdf.close()
        return len(self.pages)


def _address_page(fmt: Format) -> int | None:
    """Index of the page that carries the address: page 1 for window envelopes, the back
    (page 2) for self-mailers, none for formats posted in a plain envelope."""
    return {"front": 0, "back": 1}.get(fmt.address_side or "")


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
        manifest = csvsafe.writer(fh)  # names and postcodes come from users' files
        manifest.writerow(MANIFEST_HEADER)
        for number, chunk in enumerate(_chunks(letters, chunk_size), start=1):
            name = f"print-{number:04d}.pdf"
            sheet = _Sheet(opened, fmt)
            for letter in chunk:
                page = sheet.add_letter(letter.address, duplex=duplex)
                manifest.writerow(
                    (
                        letter.sequence,
                        letter.recipient_id,
                        letter.name,
                        letter.postcode,
                        name,
                        page,
                    )
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

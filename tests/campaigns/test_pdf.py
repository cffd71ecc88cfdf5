"""campaigns.pdf against real PDFs written to tmp_path (no database).

Text is extracted and pages are rendered with pypdfium2: poppler's pdftoppm is not installed on
these machines (and cannot be), so PDFium, a pip wheel, does the rendering instead."""

import base64
import binascii
import csv
import io
import random
import re
import zlib

import pikepdf
import pypdfium2 as pdfium
import pytest
from pikepdf import Name
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from campaigns.errors import InvalidPdf, PdfDoesNotFitFormat, PdfInflatesTooMuch
from campaigns.pdf import (
    MANIFEST_HEADER,
    Letter,
    address_lines,
    render_preview,
    sample_template,
    write_print_files,
)
from config.errors_text import worded
from templates.formats import FORMATS, format_by_code
from templates.pdf_streams import InflateLimits, check_inflated_size
from templates.pdfcheck import PdfInfo, check_pdf
from tests.templates.factories import flate_bomb_pdf

A4_WINDOW = format_by_code("A4_LETTER_C5WIN")
A4_PLAIN = format_by_code("A4_LETTER_C5NONWINDOW")
A6_POSTCARD = format_by_code("A6_POSTCARD")
ADDRESS = ["Mx Olivia Smith", "Flat (2) \\ Annex", "1 High Street", "London", "SW1A 1AA"]


def template(tmp_path, fmt, *, pages=1, image=False, name="template.pdf"):
    path = tmp_path / name
    sample_template(fmt=fmt, out=path, pages=pages, image=image)
    return path


def page_texts(path) -> list[str]:
    doc = pdfium.PdfDocument(path)
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


def render_png(path, index: int) -> bytes:
    doc = pdfium.PdfDocument(path)
    try:
        buffer = io.BytesIO()
        doc[index].render(scale=1).to_pil().save(buffer, format="PNG")
        return buffer.getvalue()
    finally:
        doc.close()


def drawn_pdf(path, sizes_mm, *, bleed_mm=0.0):
    """A PDF with one page per (width, height) in mm, optionally with bleed around a TrimBox."""
    canvas = Canvas(str(path))
    for width, height in sizes_mm:
        canvas.setPageSize(((width + 2 * bleed_mm) * mm, (height + 2 * bleed_mm) * mm))
        if bleed_mm:
            b = bleed_mm * mm
            canvas.setTrimBox((b, b, b + width * mm, b + height * mm))
        canvas.drawString(30, 30, "page")
        canvas.showPage()
    canvas.save()
    return path


def letters(count, *, start=1):
    for i in range(start, start + count):
        yield Letter(
            sequence=i,
            recipient_id=f"r-{i}",
            name=f"Person {i}",
            postcode=f"LS1 {i}AA",
            address=[f"Person Number{i}", f"{i} Station Road", "Leeds", f"LS1 {i}AA"],
        )


def refusal(path, fmt=A4_WINDOW, max_letter_pages=10) -> InvalidPdf:
    with pytest.raises(InvalidPdf) as caught:
        check_pdf(path, fmt, max_letter_pages=max_letter_pages)
    assert worded(caught.value)[1] == "Empty or invalid PDF."
    return caught.value


def reason_of(error: InvalidPdf) -> str:
    """Why the PDF was refused, as the platform API words the error's code (its `errors`)."""
    return worded(error)[2][0]


# --- check_pdf ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.code)
def test_a_design_of_each_format_passes_the_check(tmp_path, fmt):
    path = template(tmp_path, fmt, pages=2)

    info = check_pdf(path, fmt, max_letter_pages=10)

    assert info == PdfInfo(page_count=2, width_mm=fmt.width_mm, height_mm=fmt.height_mm)


def test_sizes_within_2_mm_pass(tmp_path):
    path = drawn_pdf(tmp_path / "near.pdf", [(211.9, 295.1)])

    assert check_pdf(path, A4_WINDOW, max_letter_pages=10).page_count == 1


def test_the_trim_box_is_the_page_size_so_bleed_is_allowed(tmp_path):
    path = drawn_pdf(tmp_path / "bleed.pdf", [(210, 297)], bleed_mm=3)

    assert check_pdf(path, A4_WINDOW, max_letter_pages=10).width_mm == 210


def test_a_rotated_page_is_measured_as_displayed(tmp_path):
    path = drawn_pdf(tmp_path / "rotated.pdf", [(297, 210)])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].rotate(90, relative=False)
        pdf.save(path)

    assert check_pdf(path, A4_WINDOW, max_letter_pages=10).width_mm == 210


@pytest.mark.parametrize(
    ("sizes", "fmt", "reason"),
    [
        (
            [(148, 210)],
            A4_WINDOW,
            "Page 1 is 148 x 210 mm; A4 Letter (Portrait) needs 210 x 297 mm (within 2 mm).",
        ),
        ([(213, 297)], A4_WINDOW, "Page 1 is 213 x 297 mm"),
        ([(297, 210)], A4_WINDOW, "Page 1 is 297 x 210 mm"),
        ([(148, 105), (105, 148)], A6_POSTCARD, "Page 2 is 105 x 148 mm"),
    ],
)
def test_a_page_of_the_wrong_size_is_refused(tmp_path, sizes, fmt, reason):
    path = drawn_pdf(tmp_path / "wrong.pdf", sizes)

    error = refusal(path, fmt)

    assert isinstance(error, PdfDoesNotFitFormat)
    assert reason_of(error).startswith(reason)


def test_zero_bytes_are_refused(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")

    assert reason_of(refusal(path)) == "The PDF is empty (0 bytes)."


@pytest.mark.parametrize("data", [b"hello, world", b"\x89PNG\r\n\x1a\n" + bytes(500), b"PK\x03\x04 a zip"])
def test_a_file_that_is_not_a_pdf_is_refused(tmp_path, data):
    path = tmp_path / "other.pdf"
    path.write_bytes(data)

    assert reason_of(refusal(path)) == "The file is not a PDF."


@pytest.mark.parametrize("cut", ["garbage", "half", "head"])
def test_a_corrupt_pdf_is_refused(tmp_path, cut):
    good = template(tmp_path, A4_WINDOW, image=True).read_bytes()
    data = {
        "garbage": b"%PDF-1.7\n" + b"\x00 not an object \xff" * 200,
        "half": good[: len(good) // 2],
        "head": good[:1500],
    }[cut]
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(data)

    assert reason_of(refusal(path)) == "The PDF is corrupt and cannot be read."


@pytest.mark.parametrize(("user", "reason"), [("secret", "password protected"), ("", "encrypted")])
def test_an_encrypted_pdf_is_refused(tmp_path, user, reason):
    path = tmp_path / "locked.pdf"
    with pikepdf.open(template(tmp_path, A4_WINDOW)) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="owner-secret", user=user))

    assert reason in reason_of(refusal(path))


def test_a_pdf_with_no_pages_is_refused(tmp_path):
    path = tmp_path / "none.pdf"
    pikepdf.new().save(path)

    assert reason_of(refusal(path)) == "The PDF has no pages."


@pytest.fixture(scope="module")
def thousand_pages(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "thousand.pdf"
    sample_template(fmt=A4_WINDOW, out=path, pages=1000)
    return path


def test_a_1000_page_letter_passes_when_the_limit_allows(thousand_pages):
    assert check_pdf(thousand_pages, A4_WINDOW, max_letter_pages=1000).page_count == 1000


def test_a_1000_page_letter_is_refused_over_the_limit(thousand_pages):
    error = refusal(thousand_pages, max_letter_pages=12)

    assert isinstance(error, PdfDoesNotFitFormat)
    assert reason_of(error) == "A4 Letter takes at most 12 page(s); this PDF has 1000."


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f.kind != "letter"], ids=lambda f: f.code)
def test_postcards_and_cards_have_one_or_two_pages(tmp_path, fmt):
    path = template(tmp_path, fmt, pages=3)

    error = refusal(path, fmt, max_letter_pages=10)

    assert reason_of(error) == f"{fmt.page_size} takes at most 2 page(s); this PDF has 3."


# --- address_lines -----------------------------------------------------------------------------


def test_address_lines_in_postal_order_skipping_blanks():
    fields = {
        "title": "Dr",
        "first_name": " Amelia ",
        "last_name": "Jones",
        "company_name": "Acme  Ltd",
        "address1": "1 High Street",
        "address2": "",
        "address3": None,
        "address4": "Old Town",
        "address5": "  ",
        "city": "Leeds",
        "county": "West Yorkshire",
        "postcode": "LS1 1AA",
        "country": "United Kingdom",
        "email": "not@printed.example",
    }

    assert address_lines(fields) == [
        "Dr Amelia Jones",
        "Acme Ltd",
        "1 High Street",
        "Old Town",
        "Leeds",
        "West Yorkshire",
        "LS1 1AA",
        "United Kingdom",
    ]


def test_address_lines_with_no_name_and_company_alias():
    assert address_lines({"company": "Acme", "address1": "1 Road", "postcode": "M1 1AA"}) == [
        "Acme",
        "1 Road",
        "M1 1AA",
    ]


# --- render_preview ----------------------------------------------------------------------------


def test_preview_of_a_window_letter_has_the_address_on_page_1(tmp_path):
    out = tmp_path / "preview.pdf"

    render_preview(template=template(tmp_path, A4_WINDOW, pages=2), fmt=A4_WINDOW, address=ADDRESS, out=out)

    first, second = page_texts(out)
    assert "Postroom A4 Letter - page 1" in first
    assert "Mx Olivia Smith Flat (2) \\ Annex 1 High Street London SW1A 1AA" in first
    assert "Olivia" not in second


def test_preview_of_a_one_page_postcard_adds_the_back_with_the_address(tmp_path):
    out = tmp_path / "preview.pdf"

    render_preview(template=template(tmp_path, A6_POSTCARD), fmt=A6_POSTCARD, address=ADDRESS, out=out)

    front, back = page_texts(out)
    assert "Olivia" not in front
    assert "Mx Olivia Smith" in back
    with pikepdf.open(out) as pdf:
        assert [round(float(v) / 72 * 25.4) for v in pdf.pages[1].mediabox] == [0, 0, 148, 105]


def test_preview_of_a_two_page_postcard_uses_its_back(tmp_path):
    out = tmp_path / "preview.pdf"

    render_preview(
        template=template(tmp_path, A6_POSTCARD, pages=2), fmt=A6_POSTCARD, address=ADDRESS, out=out
    )

    front, back = page_texts(out)
    assert "Postroom A6 Postcard - page 2" in back
    assert "Mx Olivia Smith" in back and "Olivia" not in front


def test_preview_without_a_window_draws_no_address(tmp_path):
    out = tmp_path / "preview.pdf"

    render_preview(template=template(tmp_path, A4_PLAIN), fmt=A4_PLAIN, address=ADDRESS, out=out)

    assert len(page_texts(out)) == 1
    assert "Olivia" not in page_texts(out)[0]


def test_preview_without_an_address(tmp_path):
    out = tmp_path / "preview.pdf"

    render_preview(template=template(tmp_path, A4_WINDOW), fmt=A4_WINDOW, address=None, out=out)

    assert page_texts(out) == page_texts(tmp_path / "template.pdf")


def test_preview_writes_accented_text_and_survives_characters_outside_winansi(tmp_path):
    out = tmp_path / "preview.pdf"

    render_preview(
        template=template(tmp_path, A4_WINDOW),
        fmt=A4_WINDOW,
        address=["Zoë Brontë", "Łódź Café", "£5 Lane"],
        out=out,
    )

    text = page_texts(out)[0]
    assert "Zoë Brontë" in text and "?ód? Café" in text and "£5 Lane" in text


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.code)
def test_preview_of_every_format_keeps_its_page_size(tmp_path, fmt):
    out = tmp_path / "preview.pdf"

    render_preview(template=template(tmp_path, fmt), fmt=fmt, address=ADDRESS, out=out)

    assert check_pdf(out, fmt, max_letter_pages=2).width_mm == fmt.width_mm
    assert ("Olivia" in " ".join(page_texts(out))) == (fmt.address_side is not None)


# --- write_print_files -------------------------------------------------------------------------


def read_manifest(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_print_files_are_chunked_with_a_manifest(tmp_path):
    out_dir = tmp_path / "print"

    files = write_print_files(
        template=template(tmp_path, A4_WINDOW),
        fmt=A4_WINDOW,
        letters=letters(7),
        duplex=False,
        out_dir=out_dir,
        chunk_size=3,
    )

    assert [(f.name, f.letters, f.pages) for f in files] == [
        ("print-0001.pdf", 3, 3),
        ("print-0002.pdf", 3, 3),
        ("print-0003.pdf", 1, 1),
    ]
    assert (files.letters, files.pages, files.manifest) == (7, 7, out_dir / "manifest.csv")
    rows = read_manifest(files.manifest)
    assert rows[0] == list(MANIFEST_HEADER)
    assert rows[1:4] == [
        ["1", "r-1", "Person 1", "LS1 1AA", "print-0001.pdf", "1"],
        ["2", "r-2", "Person 2", "LS1 2AA", "print-0001.pdf", "2"],
        ["3", "r-3", "Person 3", "LS1 3AA", "print-0001.pdf", "3"],
    ]
    assert rows[7] == ["7", "r-7", "Person 7", "LS1 7AA", "print-0003.pdf", "1"]
    for row in rows[1:]:
        text = page_texts(out_dir / row[4])[int(row[5]) - 1]
        assert f"Person Number{row[0]} " in text


def test_duplex_adds_a_blank_back_after_odd_page_letters(tmp_path):
    files = write_print_files(
        template=template(tmp_path, A4_WINDOW, pages=3),
        fmt=A4_WINDOW,
        letters=letters(3),
        duplex=True,
        out_dir=tmp_path / "print",
    )

    assert files[0].pages == 12
    texts = page_texts(files[0].path)
    assert [t != "" for t in texts] == [True, True, True, False] * 3
    assert "Person Number2" in texts[4]
    assert [row[5] for row in read_manifest(files.manifest)[1:]] == ["1", "5", "9"]


def test_simplex_and_even_page_letters_get_no_blank(tmp_path):
    one_page = write_print_files(
        template=template(tmp_path, A4_WINDOW),
        fmt=A4_WINDOW,
        letters=letters(4),
        duplex=False,
        out_dir=tmp_path / "simplex",
    )
    two_pages = write_print_files(
        template=template(tmp_path, A4_WINDOW, pages=2, name="two.pdf"),
        fmt=A4_WINDOW,
        letters=letters(4),
        duplex=True,
        out_dir=tmp_path / "duplex",
    )

    assert one_page[0].pages == 4
    assert two_pages[0].pages == 8


def test_one_page_postcards_get_their_address_on_an_added_back(tmp_path):
    files = write_print_files(
        template=template(tmp_path, A6_POSTCARD),
        fmt=A6_POSTCARD,
        letters=letters(2),
        duplex=True,
        out_dir=tmp_path / "print",
    )

    texts = page_texts(files[0].path)
    assert len(texts) == 4
    assert "Person Number1" in texts[1] and "Person Number2" in texts[3]
    assert "Person" not in texts[0] + texts[2]


def test_the_template_and_its_image_are_stored_once_per_file(tmp_path):
    path = template(tmp_path, A4_WINDOW, image=True)

    files = write_print_files(
        template=path, fmt=A4_WINDOW, letters=letters(200), duplex=False, out_dir=tmp_path / "print"
    )

    with pikepdf.open(files[0].path) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        forms = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Form"]
        assert len(pdf.pages) == 200
    assert (len(images), len(forms)) == (1, 1)
    assert files[0].path.stat().st_size < path.stat().st_size + 200 * 2048


def test_first_and_last_pages_render_differently(tmp_path):
    files = write_print_files(
        template=template(tmp_path, A4_WINDOW, image=True),
        fmt=A4_WINDOW,
        letters=letters(50),
        duplex=False,
        out_dir=tmp_path / "print",
    )

    first, last = render_png(files[0].path, 0), render_png(files[0].path, 49)

    assert first != last
    assert "Person Number50" in page_texts(files[0].path)[49]


def test_page_1_and_page_10000_render_with_different_addresses(tmp_path):
    files = write_print_files(
        template=template(tmp_path, A4_WINDOW, image=True),
        fmt=A4_WINDOW,
        letters=letters(10_000),
        duplex=False,
        out_dir=tmp_path / "print",
        chunk_size=10_000,
    )

    assert [f.pages for f in files] == [10_000]
    assert render_png(files[0].path, 0) != render_png(files[0].path, 9_999)
    doc = pdfium.PdfDocument(files[0].path)
    try:
        assert "Person Number10000\r\n10000 Station Road" in doc[9_999].get_textpage().get_text_range()
    finally:
        doc.close()


def test_letters_are_streamed_one_chunk_at_a_time(tmp_path):
    out_dir = tmp_path / "print"

    def stream():
        for letter in letters(5):
            if letter.sequence == 3:
                # The first chunk is on disk before the third letter is even read.
                assert (out_dir / "print-0001.pdf").exists()
            yield letter

    files = write_print_files(
        template=template(tmp_path, A4_WINDOW),
        fmt=A4_WINDOW,
        letters=stream(),
        duplex=False,
        out_dir=out_dir,
        chunk_size=2,
    )

    assert [f.letters for f in files] == [2, 2, 1]


def test_no_letters_writes_only_the_manifest_header(tmp_path):
    files = write_print_files(
        template=template(tmp_path, A4_WINDOW), fmt=A4_WINDOW, letters=[], duplex=True, out_dir=tmp_path / "p"
    )

    assert list(files) == []
    assert read_manifest(files.manifest) == [list(MANIFEST_HEADER)]


def test_chunk_size_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        write_print_files(
            template=template(tmp_path, A4_WINDOW),
            fmt=A4_WINDOW,
            letters=letters(1),
            duplex=False,
            out_dir=tmp_path / "p",
            chunk_size=0,
        )


def test_sample_template_with_image_is_about_200_kb(tmp_path):
    path = template(tmp_path, A4_WINDOW, image=True)

    assert 150_000 < path.stat().st_size < 300_000
    assert check_pdf(path, A4_WINDOW, max_letter_pages=1).page_count == 1


def test_a_long_address_shrinks_to_fit_and_control_characters_are_spaces(tmp_path):
    out = tmp_path / "preview.pdf"
    long_line = "The Extremely Long Named Trading Company Of Greater Manchester Limited"

    render_preview(
        template=template(tmp_path, A4_WINDOW),
        fmt=A4_WINDOW,
        address=["Mx A\tB", long_line, *(f"Line {i}" for i in range(9))],
        out=out,
    )

    with pikepdf.open(out) as pdf:
        content = pdf.pages[0].Contents.read_bytes()
    size = float(re.search(rb"/PRAddr ([0-9.]+) Tf", content).group(1))
    assert 6 <= size < 7
    assert b"(Mx A B) Tj T* (The Extremely" in content
    assert "Line 8" in page_texts(out)[0]


def test_a_template_with_no_pages_cannot_make_print_files(tmp_path):
    path = tmp_path / "none.pdf"
    pikepdf.new().save(path)

    with pytest.raises(InvalidPdf):
        write_print_files(
            template=path, fmt=A4_WINDOW, letters=letters(1), duplex=False, out_dir=tmp_path / "p"
        )


# --- how far streams inflate -----------------------------------------------------------------

MiB = 1 << 20
A4_PT = (595.276, 841.89)
# Content-like bytes with repeats and noise, so every filter has work to do.
_pick = random.Random(7).choice
CONTENT = b"".join(
    _pick([b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET\n", b"q 1 0 0 1 0 0 cm Q\n", bytes([n % 256])])
    for n in range(30000)
)


def lzw_encode(data: bytes, *, early_change: int = 1) -> bytes:
    """PDF's LZW (9-12 bit codes, clear 256, end 257): what qpdf decodes back to `data`."""
    out, acc, bits, width = bytearray(), 0, 0, 9

    def emit(code):
        nonlocal acc, bits
        acc, bits = (acc << width) | code, bits + width
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
        acc &= (1 << bits) - 1

    table = {bytes([i]): i for i in range(256)}
    emit(256)
    word = b""
    for value in data:
        if word + bytes([value]) in table:
            word += bytes([value])
            continue
        emit(table[word])
        table[word + bytes([value])] = len(table) + 2
        if len(table) + 2 + early_change > (1 << width) and width < 12:
            width += 1
        if len(table) + 2 >= 4095:
            emit(256)
            table, width = {bytes([i]): i for i in range(256)}, 9
        word = bytes([value])
    emit(table[word])
    emit(257)
    if bits:
        out.append((acc << (8 - bits)) & 0xFF)
    return bytes(out)


def run_length_encode(data: bytes) -> bytes:
    out, at = bytearray(), 0
    while at < len(data):
        same = 1
        while at + same < len(data) and same < 128 and data[at + same] == data[at]:
            same += 1
        if same > 1:
            out += bytes([257 - same, data[at]])
        else:
            out += bytes([0, data[at]])
        at += same
    return bytes(out + b"\x80")


def a85(data: bytes) -> bytes:
    return base64.a85encode(data, wrapcol=64) + b"~>"


# encoding -> (encoder, filters, /DecodeParms, what the check counts)
ENCODINGS = {
    "flate": (zlib.compress, ["/FlateDecode"], None, len(CONTENT)),
    "ascii-hex": (lambda d: binascii.hexlify(d, b"\n", 37) + b">", ["/ASCIIHexDecode"], None, len(CONTENT)),
    "ascii85-zeros": (lambda d: a85(d + bytes(4000)), ["/ASCII85Decode"], None, len(CONTENT) + 4000),
    "ascii85-flate": (
        lambda d: a85(zlib.compress(d)),
        ["/ASCII85Decode", "/FlateDecode"],
        None,
        len(CONTENT),
    ),
    "run-length": (run_length_encode, ["/RunLengthDecode"], None, len(CONTENT)),
    "run-length-of-spaces": (
        lambda d: run_length_encode(b" " * 300_000),
        ["/RunLengthDecode"],
        None,
        300_000,
    ),
    "lzw": (lzw_encode, ["/LZWDecode"], None, len(CONTENT)),
    "lzw-early-change-0": (
        lambda d: lzw_encode(d, early_change=0),
        ["/LZWDecode"],
        {"/EarlyChange": 0},
        len(CONTENT),
    ),
    "flate-lzw": (lambda d: zlib.compress(lzw_encode(d)), ["/FlateDecode", "/LZWDecode"], None, len(CONTENT)),
    # A PNG predictor drops a tag byte per row: what comes out of Flate before it is counted.
    "flate-predictor": (zlib.compress, ["/FlateDecode"], {"/Predictor": 12, "/Columns": 9}, len(CONTENT)),
}


def pdf_with_stream(path, encoded: bytes, filters: list[str], parms: dict | None):
    """An A4 page whose content is one stream of `encoded` data with `filters`."""
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page(page_size=A4_PT)
        stream = pikepdf.Stream(pdf, encoded)
        stream.Filter = pikepdf.Array([pikepdf.Name(f) for f in filters])
        if parms is not None:
            stream.DecodeParms = pikepdf.Dictionary(parms)
        page.obj.Contents = pdf.make_indirect(stream)
        pdf.save(path, compress_streams=False)
    return path


def qpdf_decoded_sizes(path) -> list[int]:
    """What qpdf decodes each stream of the file to (in full, in memory)."""
    with pikepdf.open(path) as pdf:
        return [
            len(obj.read_bytes(decode_level=pikepdf.StreamDecodeLevel.specialized))
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream)
        ]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_stream_may_inflate_to_the_limit_and_not_a_byte_more(tmp_path, settings, encoding):
    encode, filters, parms, counted = ENCODINGS[encoding]
    path = pdf_with_stream(tmp_path / "one.pdf", encode(CONTENT), filters, parms)
    (decoded,) = qpdf_decoded_sizes(path)
    assert decoded == counted if parms is None or "/Predictor" not in parms else decoded < counted
    with pikepdf.open(path) as pdf:  # limits far off: LZW and RunLength go through qpdf at once
        assert check_inflated_size(pdf, InflateLimits(per_stream=1 << 30, per_document=1 << 30)) == counted
    settings.CAMPAIGN_PDF_MAX_INFLATED_BYTES = 100 * MiB

    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = counted
    assert check_pdf(path, A4_WINDOW, max_letter_pages=10).page_count == 1

    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = counted - 1
    error = refusal(path)
    assert isinstance(error, PdfInflatesTooMuch)
    assert re.fullmatch(
        rf"Stream \d+ 0 R of the PDF inflates to more than {counted - 1:,} bytes, the limit for one stream\.",
        reason_of(error),
    ), reason_of(error)


def test_a_design_with_an_image_may_inflate_to_the_document_limit_and_not_a_byte_more(tmp_path, settings):
    path = template(tmp_path, A4_WINDOW, pages=3, image=True)  # ASCII85 + Flate image, Flate pages
    total = sum(qpdf_decoded_sizes(path))

    settings.CAMPAIGN_PDF_MAX_INFLATED_BYTES = total
    assert check_pdf(path, A4_WINDOW, max_letter_pages=10).page_count == 3

    settings.CAMPAIGN_PDF_MAX_INFLATED_BYTES = total - 1
    error = refusal(path)
    assert isinstance(error, PdfInflatesTooMuch)
    assert reason_of(error) == (
        f"The PDF's streams inflate to more than {total - 1:,} bytes in all, the limit for one document."
    )


def test_a_flate_bomb_is_refused_after_decoding_no_more_than_the_limit(tmp_path, settings):
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 2 * MiB
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_bomb_pdf(64 * MiB))

    error = refusal(path)

    assert isinstance(error, PdfInflatesTooMuch)
    assert re.fullmatch(
        r"Stream \d+ 0 R of the PDF inflates to more than 2 MiB, the limit for one stream\.", reason_of(error)
    )


def test_a_template_over_the_limits_makes_no_preview_and_no_print_files(tmp_path, settings):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(flate_bomb_pdf(4 * MiB))
    settings.CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = 1 * MiB

    with pytest.raises(PdfInflatesTooMuch):
        render_preview(template=path, fmt=A4_WINDOW, address=ADDRESS, out=tmp_path / "preview.pdf")
    with pytest.raises(PdfInflatesTooMuch):
        write_print_files(
            template=path, fmt=A4_WINDOW, letters=letters(3), duplex=False, out_dir=tmp_path / "p"
        )

    assert not (tmp_path / "preview.pdf").exists()
    assert not list((tmp_path / "p").glob("*.pdf"))


def test_outputs_keep_a_template_that_inflates_far_compressed(tmp_path):
    path = tmp_path / "spaces.pdf"
    path.write_bytes(flate_bomb_pdf(32 * MiB))  # within the default limits

    render_preview(template=path, fmt=A4_WINDOW, address=ADDRESS, out=tmp_path / "preview.pdf")
    files = write_print_files(
        template=path, fmt=A4_WINDOW, letters=letters(50), duplex=True, out_dir=tmp_path / "p", chunk_size=20
    )

    for out in [tmp_path / "preview.pdf", *(f.path for f in files)]:
        assert out.stat().st_size < 256 * 1024, out
        with pikepdf.open(out) as pdf:
            unfiltered = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and Name.Filter not in o]
            assert all(len(o.read_raw_bytes()) < 1024 for o in unfiltered), out  # address text only

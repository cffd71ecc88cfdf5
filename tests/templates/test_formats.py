"""templates.formats: the 10 supported combinations of the spec, and nothing else (no database)."""

import pytest

from config.errors import Unprocessable
from config.errors_text import worded
from templates.errors import NoLayoutDefined, TemplateErrorCode
from templates.formats import CODE_MAX_LENGTH, FORMATS, Rect, find_format, format_by_code

# The spec's table, row by row: orientation, page size, windowGummedCode ("not required" -> None),
# then what the table in code must say about it.
SPEC_TABLE = [
    ("Portrait", "A5 Tabbed Greeting Card", None, "greeting_card", (148, 210), "back"),
    ("Landscape", "A5 Postcard", None, "postcard", (210, 148), "back"),
    ("Landscape", "A5 Enveloped Postcard", "C5NONWINDOW", "postcard", (210, 148), None),
    ("Portrait", "A4 Letter", "C4WIN", "letter", (210, 297), "front"),
    ("Landscape", "A5 Enveloped Greeting Card", "C5NONWINDOW", "greeting_card", (210, 148), None),
    ("Portrait", "A4 Letter", "C5NONWINDOW", "letter", (210, 297), None),
    ("Portrait", "A5 Postcard", None, "postcard", (148, 210), "back"),
    ("Portrait", "A4 Letter", "C5WIN", "letter", (210, 297), "front"),
    ("Landscape", "A6 Postcard", None, "postcard", (148, 105), "back"),
    ("Landscape", "DL Postcard", None, "postcard", (210, 99), "back"),
]


def test_the_table_is_the_spec_table():
    assert len(FORMATS) == 10
    assert [(f.orientation, f.page_size, f.envelope) for f in FORMATS] == [row[:3] for row in SPEC_TABLE]
    assert len({f.code for f in FORMATS}) == 10
    assert max(len(f.code) for f in FORMATS) <= CODE_MAX_LENGTH


@pytest.mark.parametrize(("orientation", "page_size", "envelope", "kind", "size", "side"), SPEC_TABLE)
def test_every_supported_combination_is_found(orientation, page_size, envelope, kind, size, side):
    fmt = find_format(orientation=orientation, page_size=page_size, envelope=envelope)

    assert (fmt.orientation, fmt.page_size, fmt.envelope) == (orientation, page_size, envelope)
    assert fmt.kind == kind
    assert (fmt.width_mm, fmt.height_mm) == size
    assert fmt.address_side == side
    assert format_by_code(fmt.code) is fmt


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.code)
def test_the_address_rectangle_fits_on_the_page(fmt):
    rect = fmt.address_window
    if fmt.address_side is None:
        assert rect is None
        return
    assert rect.x_mm > 0 and rect.y_mm > 0
    assert rect.x_mm + rect.width_mm < fmt.width_mm
    assert rect.y_mm + rect.height_mm < fmt.height_mm
    assert rect.width_mm >= 50 and rect.height_mm >= 30


def test_window_envelopes_use_the_standard_window_position():
    for code in ("A4_LETTER_C4WIN", "A4_LETTER_C5WIN"):
        assert format_by_code(code).address_window == Rect(x_mm=20, y_mm=50, width_mm=90, height_mm=35)


def test_postcards_print_the_address_on_the_right_half_of_the_back():
    fmt = format_by_code("A6_POSTCARD")

    assert fmt.address_side == "back"
    assert fmt.address_window.x_mm >= fmt.width_mm / 2


@pytest.mark.parametrize(
    ("orientation", "page_size", "envelope", "code"),
    [
        ("portrait", "a4 letter", "c5win", "A4_LETTER_C5WIN"),
        ("  PORTRAIT ", "A4   Letter", " C5WIN ", "A4_LETTER_C5WIN"),
        ("Portrait", "A4 Letter", "C5", "A4_LETTER_C5WIN"),
        ("Portrait", "A4 Letter", "c5", "A4_LETTER_C5WIN"),
        ("Landscape", "A6 Postcard", "", "A6_POSTCARD"),
        ("Landscape", "A6 Postcard", "not required", "A6_POSTCARD"),
        ("Landscape", "A6 Postcard", " Not  Required ", "A6_POSTCARD"),
        ("landscape", "dl postcard", None, "DL_POSTCARD"),
    ],
)
def test_matching_is_case_and_whitespace_tolerant(orientation, page_size, envelope, code):
    assert find_format(orientation=orientation, page_size=page_size, envelope=envelope).code == code


@pytest.mark.parametrize(
    ("orientation", "page_size", "envelope", "message"),
    [
        # The spec's own example: an A4 letter needs an envelope.
        ("Portrait", "A4 Letter", None, "No layout defined for A4 Letter/Portrait/N/A"),
        # An 11th combination: a real page size and envelope, but not together.
        ("Landscape", "A4 Letter", "C5WIN", "No layout defined for A4 Letter/Landscape/C5WIN"),
        ("Landscape", "A6 Postcard", "C5WIN", "No layout defined for A6 Postcard/Landscape/C5WIN"),
        ("Portrait", "A6 Postcard", "not required", "No layout defined for A6 Postcard/Portrait/N/A"),
        ("Portrait", "A3 Poster", "C4WIN", "No layout defined for A3 Poster/Portrait/C4WIN"),
        (None, None, None, "No layout defined for //N/A"),
    ],
)
def test_any_other_combination_has_no_layout(orientation, page_size, envelope, message):
    with pytest.raises(NoLayoutDefined) as caught:
        find_format(orientation=orientation, page_size=page_size, envelope=envelope)

    assert isinstance(caught.value, Unprocessable)
    assert caught.value.code == TemplateErrorCode.NO_LAYOUT_DEFINED
    assert worded(caught.value)[1] == message  # the spec's wording


def test_an_unknown_code_is_a_key_error():
    with pytest.raises(KeyError):
        format_by_code("A3_POSTER")

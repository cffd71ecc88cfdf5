"""The 10 supported print formats (spec: "Supported Format Combinations"), one table in code.

A format is an orientation + page size + envelope code (or none). Sizes are the physical page,
already oriented (width x height in mm). Rectangles are in mm from the page's top-left corner.

Where the address goes:
- window envelopes (C4WIN, C5WIN): on the front of page 1, inside the window, at the usual UK
  position for an A4 letter (20 mm from the left, 50 mm from the top, 90 x 35 mm);
- self-mailers (postcards, the tabbed greeting card): on the back, in the right half, below the
  stamp/indicia area;
- enveloped formats without a window (C5NONWINDOW): nowhere on the page (the envelope is
  addressed separately).
"""

import re
from dataclasses import dataclass
from typing import Literal

from templates.errors import NoLayoutDefined

Orientation = Literal["Portrait", "Landscape"]
Kind = Literal["letter", "postcard", "greeting_card"]
AddressSide = Literal["front", "back"]

# Longest code below is 38 characters; a model field for a format code can use max_length=40.
CODE_MAX_LENGTH = 40
NO_ENVELOPE_LABEL = "N/A"
_NO_ENVELOPE_VALUES = frozenset({"", "not required"})
_ENVELOPE_ALIASES = {"c5": "c5win"}


@dataclass(frozen=True, slots=True)
class Rect:
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True)
class Format:
    code: str
    orientation: Orientation
    page_size: str
    envelope: str | None
    kind: Kind
    width_mm: float
    height_mm: float
    address_window: Rect | None
    address_side: AddressSide | None

    @property
    def envelope_label(self) -> str:
        return self.envelope or NO_ENVELOPE_LABEL


WINDOW_ENVELOPES = frozenset({"C4WIN", "C5WIN"})
_WINDOW = Rect(x_mm=20, y_mm=50, width_mm=90, height_mm=35)

A4 = (210.0, 297.0)
A5 = (148.0, 210.0)
A6 = (105.0, 148.0)
DL = (99.0, 210.0)


def _oriented(size: tuple[float, float], orientation: Orientation) -> tuple[float, float]:
    short, long = sorted(size)
    return (short, long) if orientation == "Portrait" else (long, short)


def _back_address(width_mm: float, height_mm: float) -> Rect:
    """Right half of a self-mailer's back, below a 35 mm stamp/indicia band."""
    return Rect(
        x_mm=width_mm / 2 + 5,
        y_mm=35,
        width_mm=width_mm / 2 - 15,
        height_mm=min(45.0, height_mm - 45),
    )


def _format(
    code: str,
    orientation: Orientation,
    page_size: str,
    envelope: str | None,
    kind: Kind,
    size: tuple[float, float],
) -> Format:
    width, height = _oriented(size, orientation)
    if envelope is None:
        window, side = _back_address(width, height), "back"
    elif envelope in WINDOW_ENVELOPES:
        window, side = _WINDOW, "front"
    else:
        window, side = None, None
    return Format(
        code=code,
        orientation=orientation,
        page_size=page_size,
        envelope=envelope,
        kind=kind,
        width_mm=width,
        height_mm=height,
        address_window=window,
        address_side=side,
    )


# In the spec's order.
FORMATS: tuple[Format, ...] = (
    _format("A5_TABBED_GREETING_CARD", "Portrait", "A5 Tabbed Greeting Card", None, "greeting_card", A5),
    _format("A5_POSTCARD_LANDSCAPE", "Landscape", "A5 Postcard", None, "postcard", A5),
    _format(
        "A5_ENVELOPED_POSTCARD_C5NONWINDOW",
        "Landscape",
        "A5 Enveloped Postcard",
        "C5NONWINDOW",
        "postcard",
        A5,
    ),
    _format("A4_LETTER_C4WIN", "Portrait", "A4 Letter", "C4WIN", "letter", A4),
    _format(
        "A5_ENVELOPED_GREETING_CARD_C5NONWINDOW",
        "Landscape",
        "A5 Enveloped Greeting Card",
        "C5NONWINDOW",
        "greeting_card",
        A5,
    ),
    _format("A4_LETTER_C5NONWINDOW", "Portrait", "A4 Letter", "C5NONWINDOW", "letter", A4),
    _format("A5_POSTCARD_PORTRAIT", "Portrait", "A5 Postcard", None, "postcard", A5),
    _format("A4_LETTER_C5WIN", "Portrait", "A4 Letter", "C5WIN", "letter", A4),
    _format("A6_POSTCARD", "Landscape", "A6 Postcard", None, "postcard", A6),
    _format("DL_POSTCARD", "Landscape", "DL Postcard", None, "postcard", DL),
)

_BY_CODE = {f.code: f for f in FORMATS}


def _norm(value: str | None) -> str:
    return re.sub(r"\s+", " ", value or "").strip().casefold()


def _norm_envelope(value: str | None) -> str | None:
    key = _norm(value)
    if key in _NO_ENVELOPE_VALUES:
        return None
    return _ENVELOPE_ALIASES.get(key, key)


_BY_KEY = {(_norm(f.orientation), _norm(f.page_size), _norm_envelope(f.envelope)): f for f in FORMATS}


def find_format(*, orientation: str | None, page_size: str | None, envelope: str | None) -> Format:
    """The format for a campaign's pageOrientation / pageSize / windowGummedCode.

    Case-insensitive and whitespace-tolerant; `C5` is the spec's alias of `C5WIN`; None, "" and
    "not required" mean no envelope. Anything else raises NoLayoutDefined (422)."""
    key = (_norm(orientation), _norm(page_size), _norm_envelope(envelope))
    fmt = _BY_KEY.get(key)
    if fmt is None:
        raise NoLayoutDefined(
            page_size=(page_size or "").strip(),
            orientation=(orientation or "").strip(),
            envelope=(envelope or "").strip() if key[2] is not None else NO_ENVELOPE_LABEL,
        )
    return fmt


def format_by_code(code: str) -> Format:
    """The format stored under `code` (e.g. on a template or campaign row). KeyError if unknown."""
    return _BY_CODE[code]

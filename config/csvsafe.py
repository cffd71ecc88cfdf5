"""The one way the platform writes a CSV file that people open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets strip
before looking) is run as a formula by Excel, LibreOffice and Google Sheets: CSV (formula)
injection. `writer` puts every cell it writes, header included, through `spreadsheet_safe`, which
prefixes such a cell with an apostrophe so the spreadsheet shows it as text. One rule for every
cell: a plain negative number such as -5 becomes '-5 too (it reads the same, as text).

Use it for every CSV we hand out (reports, exports, manifests). Not for CSV that only our own
code reads back (the XLSX import's intermediate file), where an apostrophe would change the data.
"""

import csv
import typing
from collections.abc import Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """`value` as a cell a spreadsheet opens as text, never as a formula (None is empty, as the
    csv module writes it)."""
    value = "" if value is None else str(value)
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


class SafeWriter:
    """csv.writer's writerow/writerows, every cell through spreadsheet_safe."""

    def __init__(self, out: typing.TextIO, **fmtparams):
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[object]):
        return self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: typing.TextIO, **fmtparams) -> SafeWriter:
    return SafeWriter(out, **fmtparams)

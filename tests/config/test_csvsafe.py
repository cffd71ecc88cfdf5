"""config.csvsafe: the one writer for CSV files that people open in a spreadsheet. Cells a
spreadsheet would run as a formula get a leading apostrophe; everything else is written as is.
(Through the API: tests/recipients/test_import_api.py, the import error report; the print
manifest: tests/campaigns/test_printing.py.)"""

import csv
import io

import pytest

from config import csvsafe


def written(rows) -> str:
    out = io.StringIO()
    csvsafe.writer(out).writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("-5", "'-5"),  # one rule: a spreadsheet reads -5 as a number either way, '-5 as text
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(value, cell):
    assert csvsafe.spreadsheet_safe(value) == cell
    assert list(csv.reader(io.StringIO(written([[value]])))) == [[cell]]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        ("5", "5"),
        (7, "7"),
        ("", ""),
        (None, ""),
        ("'=x", "'=x"),
    ],
)
def test_other_cells_are_written_as_they_are(value, cell):
    assert list(csv.reader(io.StringIO(written([[value, "end"]])))) == [[cell, "end"]]


def test_every_row_goes_through_it_the_header_too():
    out = io.StringIO()
    report = csvsafe.writer(out)
    report.writerow(["=header", "plain"])
    report.writerows([["+1", 2], ["x", "@y"]])
    assert out.getvalue() == "'=header,plain\r\n'+1,2\r\nx,'@y\r\n"

"""Reading an uploaded recipient file (CSV or XLSX) as a stream of rows.

`open_table(path, file_name)` looks at the file's content (never only at its name), checks it
can be read, and returns a `Table`: the stripped header cells, and `rows()`, which yields
`(row_number, cells)` one data row at a time. Row numbers are the spreadsheet's: the header is
row 1 when it is the first line, and skipped blank rows still count. Every cell is a string,
and every row has exactly one cell per header.

CSV streams with the csv module, so memory stays flat whatever the file size. The encoding
(UTF-8 with or without BOM, else cp1252, else latin-1) is decided by decoding the whole file
once before the first row is handed out, so a stray byte near the end cannot fail an import
halfway. XLSX goes through python-calamine (first sheet only) after a zip-bomb check, in a
forked child with capped memory that streams the sheet back as CSV through a pipe (calamine
holds the whole sheet as a dense rectangle, and a failed allocation aborts the process).

A file that cannot be read raises `UnreadableFile`, whose `reason` is a sentence for API users.
"""

import codecs
import contextlib
import csv
import datetime
import faulthandler
import gc
import os
import resource
import signal
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook

MAX_COLUMNS = 500
MAX_XLSX_UNCOMPRESSED_BYTES = 1024**3
MAX_XLSX_MEMORY_BYTES = 3 * 1024**3
MAX_FIELD_CHARS = 1024 * 1024
MAX_LINE_CHARS = 4 * 1024 * 1024

DELIMITERS = ",;\t|"
SNIFF_CHARS = 64 * 1024
CHUNK_BYTES = 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
UTF8_BOM = codecs.BOM_UTF8

EMPTY = "The file is empty."
NO_HEADER = "The file has no header row."
NOT_CSV_OR_XLSX = "The file could not be read as CSV or XLSX."
TOO_MANY_COLUMNS = f"The spreadsheet has more than {MAX_COLUMNS} columns."
ZIP_BOMB = "The spreadsheet expands to more than 1 GB when uncompressed."
EMPTY_SHEET = "The first sheet of the spreadsheet is empty."
TOO_BIG_TO_READ = "The spreadsheet needs more memory to read than an import may use."

Record = tuple[int, list[str]]


class UnreadableFile(Exception):
    """The file cannot be imported; `reason` says why, in a sentence fit for API users."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Table:
    """An open file: its headers, and its data rows to be read once, in order."""

    headers: list[str]
    _records: Iterator[Record] = field(repr=False, compare=False)
    _release: Callable[[], None] = field(repr=False, compare=False)

    def rows(self) -> Iterator[Record]:
        """Yield (row_number, cells) for each non-blank data row, one cell per header."""
        width = len(self.headers)
        for number, cells in self._records:
            if not _is_blank_row(cells):
                yield number, _fit(cells, width)

    def close(self) -> None:
        release, self._release = self._release, _nothing
        self._records = iter(())
        release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_table(path: Path, file_name: str) -> Table:
    """Open an uploaded CSV or XLSX file.

    The format is decided by content: a ZIP archive is read as XLSX, text as CSV, anything else
    (an old binary .xls, a PDF, an image) is refused. `file_name` is what the user called the
    file; it never overrides the content (a CSV named .xlsx still reads).
    """
    head = _read_head(path)
    if not head:
        raise UnreadableFile(EMPTY)
    if head.startswith(ZIP_SIGNATURE):
        return _open_xlsx(path)
    if b"\x00" in head:
        raise UnreadableFile(NOT_CSV_OR_XLSX)
    return _open_csv(path)


def estimate_data_rows(path: Path) -> int | None:
    """How many data rows a CSV file holds at most: its lines but the header (a quoted cell that
    holds a line break, and a blank line, count as one more). One pass of bytes.count over the
    file, cheap beside reading its rows. None for XLSX, whose rows are known only once read."""
    if _read_head(path).startswith(ZIP_SIGNATURE):
        return None
    lines, last = 0, b""
    with path.open("rb") as file:
        for chunk in _byte_chunks(file):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last not in (b"", b"\n"):
        lines += 1  # the last line has no line break
    return max(lines - 1, 0)


# ---- shared ---------------------------------------------------------------------------------------


def _nothing() -> None:
    pass


def collect_garbage_rarely() -> None:
    """For a forked child that reads rows: rows are lists of strings, freed by reference counting
    (they make no cycles), but with a batch of them alive the cyclic collector walks them again
    every few hundred allocations, which cost such a child half its CPU. So what the child
    inherited is frozen (never walked, so its pages stay shared with the parent) and the young
    generation is collected every 100,000 allocations instead of 700."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def _read_head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(SNIFF_CHARS)


def _is_blank_row(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _fit(cells: list[str], width: int) -> list[str]:
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    return cells[:width]


def _first_filled(records: Iterator[Record]) -> list[str] | None:
    """Consume records up to and including the first non-blank one, and return its cells."""
    return next((cells for _, cells in records if not _is_blank_row(cells)), None)


def _check_width(headers: list[str]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise UnreadableFile(TOO_MANY_COLUMNS)


# ---- CSV ------------------------------------------------------------------------------------------


def _open_csv(path: Path) -> Table:
    if _is_whitespace_only(path):
        raise UnreadableFile(EMPTY)
    encoding = _detect_encoding(path)
    delimiter = _sniff_delimiter(path, encoding)
    _allow_long_fields()
    file = path.open(encoding=encoding, newline="")
    try:
        records = _csv_records(file, delimiter)
        header = _first_filled(records)
        if header is None:
            raise UnreadableFile(NO_HEADER)
        headers = [cell.strip() for cell in header]
        _check_width(headers)
    except BaseException:
        file.close()
        raise
    return Table(headers, records, file.close)


def _allow_long_fields() -> None:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))


def _byte_chunks(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_BYTES):
        yield chunk


def _is_whitespace_only(path: Path) -> bool:
    with path.open("rb") as file:
        chunks = _byte_chunks(file)
        first = next(chunks, b"").removeprefix(UTF8_BOM)
        return not first.strip() and not any(chunk.strip() for chunk in chunks)


def _detect_encoding(path: Path) -> str:
    """UTF-8 (BOM or not) if the whole file decodes as such, else cp1252, else latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        if _decodes_as(path, encoding):
            return encoding
    return "latin-1"


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as file:
        try:
            for chunk in _byte_chunks(file):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="") as file:
        sample = file.read(SNIFF_CHARS)
    complete_lines = sample[: sample.rfind("\n") + 1] or sample
    try:
        return csv.Sniffer().sniff(complete_lines, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return _most_frequent_delimiter(complete_lines)


def _most_frequent_delimiter(sample: str) -> str:
    """The candidate found most often in the first non-blank line (the header), else a comma."""
    header_line = next((line for line in sample.splitlines() if line.strip()), "")
    count, delimiter = max((header_line.count(candidate), candidate) for candidate in DELIMITERS)
    return delimiter if count else ","


def _csv_records(file: IO[str], delimiter: str) -> Iterator[Record]:
    """Number the CSV records like spreadsheet rows; a csv.Error names the row it happened on."""
    number = 0
    try:
        for number, cells in enumerate(csv.reader(_bounded_lines(file), delimiter=delimiter), 1):
            yield number, cells
    except csv.Error as error:
        raise UnreadableFile(f"Row {number + 1} could not be read as CSV ({error}).") from error


def _bounded_lines(file: IO[str]) -> Iterator[str]:
    """The file's lines, refusing one so long that holding it would defeat streaming."""
    while line := file.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise csv.Error(f"a line is longer than {MAX_LINE_CHARS:,} characters")
        yield line


# ---- XLSX -----------------------------------------------------------------------------------------


def _open_xlsx(path: Path) -> Table:
    """calamine builds the sheet as a dense rectangle, so a tiny file with two far-apart cells can
    ask for hundreds of gigabytes, and a failed allocation aborts the process rather than raising.
    So the sheet is read in a forked child with capped memory, which streams it back as CSV
    through a pipe while it converts: the import takes rows as soon as the sheet is loaded,
    instead of after the whole sheet is written out. What fails before the header (a file that
    is no workbook, too big, empty or too wide) is raised here; a child that dies after it fails
    the rows where they stop. A child that dies takes nothing else with it."""
    _refuse_zip_bomb(path)
    child = _SheetChild(path)
    try:
        records = _csv_records(child.data, ",")
        header = _first_filled(records)
        if header is None:  # the child stopped before the header: its outcome says why
            raise UnreadableFile(child.outcome() or EMPTY_SHEET)
    except BaseException:
        child.close()
        raise
    return Table(header, child.checked(records), child.close)


class _SheetChild:
    """A forked child, memory capped, writing the first sheet of `path` as CSV into `data`; when
    it is done it reports through a second pipe: nothing left to say for success, else why not."""

    def __init__(self, path: Path):
        data_read, data_write = os.pipe()
        outcome_read, outcome_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(data_read)
            os.close(outcome_read)
            _write_sheet_in_child(path, data_write, outcome_write)
            os._exit(0)
        os.close(data_write)
        os.close(outcome_write)
        self.pid = pid
        _allow_long_fields()
        self.data = open(data_read, encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        self.outcome_pipe = open(outcome_read, "rb")  # noqa: SIM115

    def outcome(self) -> str | None:
        """None if the child converted the whole sheet, else the reason it did not. Waits for it
        to end, so call it once the data has run out."""
        said = self.outcome_pipe.read().decode(errors="replace")
        if said == _SHEET_DONE:
            return None
        return said or TOO_BIG_TO_READ  # silent: it was killed (out of memory, most likely)

    def checked(self, records: Iterator[Record]) -> Iterator[Record]:
        """The records, then a failure if the child stopped before the end of the sheet. Works in
        any process that inherited the pipes (the import's reader child reads them)."""
        yield from records
        reason = self.outcome()
        if reason is not None:
            raise UnreadableFile(reason)

    def close(self) -> None:
        self.data.close()
        self.outcome_pipe.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # stopped early: the rest of the sheet is not needed
        os.waitpid(self.pid, 0)


_SHEET_DONE = "done"


def _write_sheet_in_child(path: Path, data_fd: int, outcome_fd: int) -> None:
    """The child's work, its outcome written for the parent: done, the reason the sheet cannot
    be read, or nothing (anything else: out of memory, or the parent stopped reading)."""
    outcome = _SHEET_DONE
    # Running out of memory under the cap aborts the child, as intended; with faulthandler on
    # (pytest, PYTHONFAULTHANDLER) that would also print a "Fatal Python error" traceback.
    faulthandler.disable()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MAX_XLSX_MEMORY_BYTES, MAX_XLSX_MEMORY_BYTES))
        collect_garbage_rarely()
        with open(data_fd, "w", encoding="utf-8", newline="") as out:
            _xlsx_to_csv(path, out)
    except UnreadableFile as error:
        outcome = error.reason[:4000]
    except BaseException:
        outcome = ""
    with contextlib.suppress(OSError):
        os.write(outcome_fd, outcome.encode())


def _xlsx_to_csv(path: Path, out: IO[str]) -> None:
    """The first sheet as CSV: rows above the header kept blank (row numbers stay the sheet's),
    the header stripped, every row cut to the header's width."""
    try:
        workbook = CalamineWorkbook.from_path(path)
    except CalamineError as error:
        raise UnreadableFile(NOT_CSV_OR_XLSX) from error
    records = _sheet_records(_first_sheet(workbook))
    writer = csv.writer(out)  # read back by our own reader, never opened by people: not csvsafe
    width = 0
    for _, cells in records:
        if not width:
            if _is_blank_row(cells):
                writer.writerow([])
                continue
            headers = _without_trailing_blanks([cell.strip() for cell in cells])
            _check_width(headers)
            width = len(headers)
            writer.writerow(headers)
            continue
        writer.writerow(_fit(cells, width))
    if not width:
        raise UnreadableFile(EMPTY_SHEET)


def _refuse_zip_bomb(path: Path) -> None:
    """Refuse a corrupt archive, or one declaring more than the limit once uncompressed.

    The declared sizes can be trusted: calamine's zip reader stops with an error at a member
    that inflates past its declared size.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise UnreadableFile(NOT_CSV_OR_XLSX) from error
    if declared > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(ZIP_BOMB)


def _first_sheet(workbook: CalamineWorkbook) -> CalamineSheet:
    try:
        sheet = workbook.get_sheet_by_index(0)
    except CalamineError as error:
        raise UnreadableFile(NOT_CSV_OR_XLSX) from error
    if sheet.start is None:
        raise UnreadableFile(EMPTY_SHEET)
    return sheet


def _sheet_records(sheet: CalamineSheet) -> Iterator[Record]:
    """calamine yields rows from the sheet's row 1 (blank ones above the data included)."""
    for number, values in enumerate(sheet.iter_rows(), 1):
        yield number, [value if type(value) is str else _cell_text(value) for value in values]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    """7700900123.0 -> "7700900123" (Excel stores every number as a float); 1.5 -> "1.5"."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _without_trailing_blanks(headers: list[str]) -> list[str]:
    """calamine pads every row to the sheet's widest row; header cells past the last named one
    only come from that padding (or from stray cells with no column name)."""
    while headers and not headers[-1]:
        headers.pop()
    return headers

"""recipients.readers against real files written to tmp_path (no database)."""

import datetime
import os
import signal
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from recipients import readers
from recipients.readers import MAX_COLUMNS, UnreadableFile, open_table


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(path, file_name=None):
    with open_table(path, file_name or path.name) as table:
        return table.headers, list(table.rows())


def read_bytes(tmp_path, data: bytes, name="people.csv"):
    return read(write(tmp_path, name, data))


def refusal(path) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read(path)
    return caught.value.reason


def save_workbook(tmp_path, rows, name="people.xlsx", second_sheet=None):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    if second_sheet:
        workbook.create_sheet("Second").append(second_sheet)
    path = tmp_path / name
    workbook.save(path)
    return path


# ---- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    other = ";" if delimiter == "," else ","
    lines = [
        ["Name", "Street", "Town"],
        ["Zoë", f"1{other} High St", "Leeds"],
        ["Bob", "2 Low Rd", "York"],
    ]
    data = "".join(delimiter.join(line) + "\r\n" for line in lines).encode()
    assert read_bytes(tmp_path, data) == (
        ["Name", "Street", "Town"],
        [(2, ["Zoë", f"1{other} High St", "Leeds"]), (3, ["Bob", "2 Low Rd", "York"])],
    )


def test_single_column_csv_falls_back_to_comma(tmp_path):
    assert read_bytes(tmp_path, b"Email\na@example.com\nb@example.com\n") == (
        ["Email"],
        [(2, ["a@example.com"]), (3, ["b@example.com"])],
    )


def test_delimiter_counted_in_the_header_when_the_sniffer_gives_up(tmp_path):
    assert readers._sniff_delimiter(write(tmp_path, "x.csv", b"a;b;c\n"), "utf-8") == ";"
    assert readers._most_frequent_delimiter("\n\nName|Email|Town\nx") == "|"
    assert readers._most_frequent_delimiter("Email\n") == ","


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("Name,Town\nZoë,Bromley £5\n".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "Name,Town\nZoë,Bromley £5\n".encode(), "utf-8 with BOM"),
        ("Name,Town\nZoë,Bromley £5\n".encode("cp1252"), "cp1252"),
    ],
)
def test_csv_encodings(tmp_path, data, name):
    assert read_bytes(tmp_path, data) == (["Name", "Town"], [(2, ["Zoë", "Bromley £5"])])


def test_cp1252_byte_only_near_the_end_is_found_before_reading(tmp_path):
    body = b"".join(b"person%d,Town %d\n" % (i, i) for i in range(60_000))
    path = write(tmp_path, "big.csv", b"Name,Town\n" + body + "Zoë,£\n".encode("cp1252"))
    headers, rows = read(path)
    assert len(rows) == 60_001
    assert rows[0] == (2, ["person0", "Town 0"])
    assert rows[-1] == (60_002, ["Zoë", "£"])


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path):
    assert read_bytes(tmp_path, b"Name\nA\x81B\n") == (["Name"], [(2, ["A\x81B"])])


def test_quoted_fields_with_newlines_delimiters_and_doubled_quotes(tmp_path):
    data = b'Name,Address,Note\r\n"Smith, Jr","1 High St\r\nLeeds","He said ""hi"""\r\nAnn,2 Low Rd,\r\n'
    assert read_bytes(tmp_path, data) == (
        ["Name", "Address", "Note"],
        [(2, ["Smith, Jr", "1 High St\r\nLeeds", 'He said "hi"']), (3, ["Ann", "2 Low Rd", ""])],
    )


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
def test_empty_or_whitespace_only_file(tmp_path, data):
    assert refusal(write(tmp_path, "people.csv", data)) == "The file is empty."


def test_file_of_empty_cells_has_no_header_row(tmp_path):
    assert refusal(write(tmp_path, "people.csv", b",,\n , \n,,\n")) == "The file has no header row."


def test_header_only_gives_no_rows(tmp_path):
    assert read_bytes(tmp_path, b"Name,Email\r\n") == (["Name", "Email"], [])


def test_headers_are_stripped_and_blank_or_duplicate_names_kept(tmp_path):
    assert read_bytes(tmp_path, b" Name ,,Name,\n1,2,3,4\n") == (
        ["Name", "", "Name", ""],
        [(2, ["1", "2", "3", "4"])],
    )


def test_blank_rows_are_skipped_but_still_counted(tmp_path):
    data = b"\n\nName,Town\n\nAnn,Leeds\n,\n  ,  \nBob,York\n\n"
    assert read_bytes(tmp_path, data) == (["Name", "Town"], [(5, ["Ann", "Leeds"]), (8, ["Bob", "York"])])


def test_short_rows_are_padded_and_long_rows_truncated(tmp_path):
    data = b"a,b,c\n1\n1,2,3,4,5\n1,2,3\n"
    assert read_bytes(tmp_path, data)[1] == [(2, ["1", "", ""]), (3, ["1", "2", "3"]), (4, ["1", "2", "3"])]


def test_csv_header_with_too_many_columns(tmp_path):
    assert read_bytes(tmp_path, ",".join(["h"] * MAX_COLUMNS).encode() + b"\n")[0] == ["h"] * MAX_COLUMNS
    path = write(tmp_path, "wide.csv", ",".join(["h"] * (MAX_COLUMNS + 1)).encode() + b"\n")
    assert refusal(path) == "The spreadsheet has more than 500 columns."


def test_csv_error_names_the_row(tmp_path):
    huge = b'"' + b"x" * (readers.MAX_FIELD_CHARS + 10) + b'"'
    path = write(tmp_path, "people.csv", b"Name,Note\nAnn,ok\n\nBob," + huge + b"\n")
    with open_table(path, "people.csv") as table:
        rows = table.rows()
        assert next(rows) == (2, ["Ann", "ok"])
        with pytest.raises(UnreadableFile) as caught:
            next(rows)
    assert caught.value.reason.startswith("Row 4 could not be read as CSV (field larger than field limit")


def test_a_line_without_end_is_refused_instead_of_held_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_LINE_CHARS", 1000)
    assert refusal(write(tmp_path, "people.csv", b"a," * 2000)) == (
        "Row 1 could not be read as CSV (a line is longer than 1,000 characters)."
    )


def test_binary_files_are_refused(tmp_path):
    old_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Workbook"
    assert refusal(write(tmp_path, "people.xls", old_xls)) == "The file could not be read as CSV or XLSX."
    assert (
        refusal(write(tmp_path, "people.csv", b"%PDF-1.4\x00\x01"))
        == "The file could not be read as CSV or XLSX."
    )


def test_format_comes_from_content_not_name(tmp_path):
    assert read_bytes(tmp_path, b"Name;Town\nAnn;Leeds\n", name="people.xlsx") == (
        ["Name", "Town"],
        [(2, ["Ann", "Leeds"])],
    )
    xlsx = save_workbook(tmp_path, [["Name"], ["Ann"]], name="upload.csv")
    assert read(xlsx) == (["Name"], [(2, ["Ann"])])


def test_table_closes_as_a_context_manager_and_close_is_idempotent(tmp_path):
    path = write(tmp_path, "people.csv", b"Name\nAnn\nBob\n")
    with open_table(path, "people.csv") as table:
        pass
    assert list(table.rows()) == []
    table.close()
    workbook = open_table(save_workbook(tmp_path, [["Name"], ["Ann"]]), "people.xlsx")
    workbook.close()
    workbook.close()


def test_streaming_a_200k_row_csv_keeps_memory_flat(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("Email,First Name,Last Name,Street,Post Code\r\n")
        for start in range(0, 200_000, 10_000):
            file.write(
                "".join(
                    f"person{i}@example.com,Zoë,Smith{i},{i} High Street,SW1A {i % 10}AA\r\n"
                    for i in range(start, start + 10_000)
                )
            )
    assert path.stat().st_size > 10_000_000
    tracemalloc.start()
    try:
        count = 0
        with open_table(path, "big.csv") as table:
            for number, cells in table.rows():
                count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, number, cells[0]) == (200_000, 200_001, "person199999@example.com")
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


# ---- XLSX -------------------------------------------------------------------------------------


def test_xlsx_values_become_strings_and_only_the_first_sheet_is_read(tmp_path):
    path = save_workbook(
        tmp_path,
        [
            [" Name ", "Phone", "Post Code", "Number", "Amount", "Joined", "Seen", "At", "Opted In", "Note"],
            ["Zoë", 7700900123, "01234", 1234, 1.5, datetime.date(2024, 1, 5),
             datetime.datetime(2024, 1, 5, 13, 45, 10), datetime.time(13, 30), True, None],
            [],
            ["Bob", None, "SW1A 1AA", -7, 0.1, None, None, None, False, "  spaced  "],
        ],
        second_sheet=["Other", "sheet"],
    )  # fmt: skip
    headers, rows = read(path)
    assert headers == [
        "Name",
        "Phone",
        "Post Code",
        "Number",
        "Amount",
        "Joined",
        "Seen",
        "At",
        "Opted In",
        "Note",
    ]
    assert rows == [
        (
            2,
            [
                "Zoë",
                "7700900123",
                "01234",
                "1234",
                "1.5",
                "2024-01-05",
                "2024-01-05T13:45:10",
                "13:30:00",
                "true",
                "",
            ],
        ),
        (4, ["Bob", "", "SW1A 1AA", "-7", "0.1", "", "", "", "false", "  spaced  "]),
    ]


def test_xlsx_rows_keep_the_sheet_numbering_and_trailing_padding_is_dropped(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["B3"], sheet["C3"] = "Name", "Town"
    sheet["B4"], sheet["C4"] = "Ann", "Leeds"
    sheet["B6"], sheet["F6"] = "Bob", "stray, no header"
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    assert read(path) == (["Name", "Town"], [(4, ["Ann", "Leeds"]), (6, ["Bob", ""])])


def test_xlsx_with_an_empty_first_sheet(tmp_path):
    path = save_workbook(tmp_path, [], second_sheet=["Name"])
    assert refusal(path) == "The first sheet of the spreadsheet is empty."


def test_xlsx_with_ten_thousand_columns_is_refused_quickly(tmp_path):
    path = save_workbook(tmp_path, [[f"c{i}" for i in range(10_000)], list(range(10_000))])
    started = time.monotonic()
    assert refusal(path) == "The spreadsheet has more than 500 columns."
    assert time.monotonic() - started < 2


class CalamineMustNotOpen:
    @staticmethod
    def from_path(path):
        pytest.fail(f"calamine was handed {path}")


def test_zip_bomb_is_refused_before_calamine_sees_it(tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    zeros = bytes(16 * 1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(66):  # 1.1 GB
            member.write(zeros)
    assert path.stat().st_size < 10_000_000
    monkeypatch.setattr(readers, "CalamineWorkbook", CalamineMustNotOpen)
    assert refusal(path) == "The spreadsheet expands to more than 1 GB when uncompressed."


def test_corrupt_or_foreign_zip_files_are_refused(tmp_path):
    assert refusal(write(tmp_path, "people.xlsx", b"PK\x03\x04 not really a zip")) == (
        "The file could not be read as CSV or XLSX."
    )
    document = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refusal(document) == "The file could not be read as CSV or XLSX."


def test_sparse_xlsx_that_would_need_huge_memory_is_refused_without_harm(tmp_path):
    # given: a tiny file whose two cells are a million rows and 16,000 columns apart
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Name"
    sheet["XFD1048576"] = "far away"
    path = tmp_path / "sparse.xlsx"
    workbook.save(path)
    assert path.stat().st_size < 20_000

    # when / then: refused with a reason; this process lives on
    with pytest.raises(readers.UnreadableFile) as refused:
        readers.open_table(path, "sparse.xlsx")
    assert refused.value.reason in (readers.TOO_BIG_TO_READ, readers.TOO_MANY_COLUMNS)


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_an_xlsx_table_leaves_no_pipe_or_child_behind(tmp_path):
    path = save_workbook(tmp_path, [["Name"], *([f"N{i}"] for i in range(5_000))])
    before = open_descriptors()

    with open_table(path, "people.xlsx") as table:
        next(table.rows())  # closed with most of the sheet unread: the child is stopped
    assert refusal(save_workbook(tmp_path, [], name="empty.xlsx", second_sheet=["Name"]))

    assert open_descriptors() == before
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_an_xlsx_whose_reading_child_dies_halfway_fails_where_its_rows_stop(tmp_path):
    # given: a sheet larger than a pipe holds, so its child is still writing when it dies
    path = save_workbook(tmp_path, [["Name", "Town"], *([f"Name {i}", "Leeds"] for i in range(20_000))])
    table = open_table(path, "people.xlsx")
    rows = table.rows()
    assert next(rows) == (2, ["Name 0", "Leeds"])

    # when: the child is killed (as the kernel's out-of-memory killer would)
    os.kill(table._release.__self__.pid, signal.SIGKILL)

    # then: the rows it had sent are read, and then the table fails; nothing is left behind
    with pytest.raises(UnreadableFile) as failed:
        list(rows)
    assert failed.value.reason == readers.TOO_BIG_TO_READ
    table.close()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Street,Post Code\n1 Road,AB1\n2 Road,AB2\n", 2),
        (b"Street,Post Code\n1 Road,AB1\n2 Road,AB2", 2),  # no line break at the end
        (b'Street,Post Code\n"1 Road\nBack",AB1\n', 2),  # a quoted line break counts: an upper bound
        (b"Street,Post Code\n", 0),
        (b"Street,Post Code", 0),
    ],
)
def test_the_rows_of_a_csv_are_estimated_from_its_line_breaks(tmp_path, content, expected):
    path = tmp_path / "people.csv"
    path.write_bytes(content)

    assert readers.estimate_data_rows(path) == expected


def test_an_xlsx_has_no_estimate(tmp_path):
    workbook = Workbook()
    workbook.active.append(["Street", "Post Code"])
    path = tmp_path / "people.xlsx"
    workbook.save(path)

    assert readers.estimate_data_rows(path) is None

"""Reading files: formats, encodings, delimiters, headers, row and line numbering, and
files that cannot be read (clear errors, never a crash)."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from minehub.monitoring.importing import Catalogue, Problem
from minehub.monitoring.importing.reading import detect_encoding
from minehub.monitoring.tests.helpers import GOOD, HEADER, check, csv_bytes, only_error, xlsx_bytes

RU_HEADER = (
    "Код объекта;Код станции;№ пробы;Дата отбора;Среда;Показатель;Значение;Ед. изм.;Знак;"
    "Предел обнаружения;Лаборатория;Методика;Примечание"
)
RU_ROW = "KG-CHT;KG-CHT-W01;П-1;03.07.2024;вода;Мышьяк;0,012;мг/л;;0,001;ИЛ «Чаткал-Эко»;ГОСТ;ниже сброса"


def _rows(report: object) -> list[tuple[int, int]]:
    return [(row.row, row.line) for row in report.valid_rows]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- text files


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter_is_found(delimiter: str, catalogue: Catalogue) -> None:
    data = "\n".join([HEADER.replace(",", delimiter), GOOD.replace(",", delimiter), ""]).encode()
    report = check(data, catalogue, name="results.txt")
    assert report.layout is not None and report.layout.delimiter == delimiter
    assert (report.rows_total, report.rows_valid) == (1, 1)


def test_a_tsv_file_with_decimal_commas_reads(catalogue: Catalogue) -> None:
    header = HEADER.replace(",", "\t")
    row = "MN-ZAA\tMN-ZAA-W01\tS-1\t12.06.2024\twater\tCu\t0,012\tmg/L\t\t0,002\tLab\tISO\t"
    report = check(f"{header}\r\n{row}\r\n".encode(), catalogue, name="results.tsv")
    assert report.rows_valid == 1 and float(report.valid_rows[0].value) == 0.012


def test_a_cp1251_file_is_read_as_cp1251(catalogue: Catalogue) -> None:
    data = f"{RU_HEADER}\r\n{RU_ROW}\r\n".encode("cp1251")
    report = check(data, catalogue)
    assert report.layout is not None and report.layout.encoding == "cp1251"
    row = report.valid_rows[0]
    assert (row.parameter, row.lab, row.comment) == ("As", "ИЛ «Чаткал-Эко»", "ниже сброса")


def test_utf8_with_and_without_bom_is_read_as_utf8(catalogue: Catalogue) -> None:
    text = f"{RU_HEADER}\n{RU_ROW}\n"
    for data, encoding in ((text.encode(), "utf-8"), (text.encode("utf-8-sig"), "utf-8-sig")):
        report = check(data, catalogue)
        assert report.layout is not None and report.layout.encoding == encoding
        assert report.rows_valid == 1


cyrillic = st.text(
    alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЭЮЯ «»№-,. "
)


@given(words=st.lists(cyrillic.filter(lambda t: t.strip()), min_size=1, max_size=20))
def test_cyrillic_text_is_never_mistaken_between_utf8_and_cp1251(words: list[str]) -> None:
    text = "\n".join(words)
    assert detect_encoding(text.encode("utf-8"))[0] == "utf-8"
    legacy = text.encode("cp1251")
    # A few CP1251 byte pairs are also valid UTF-8 ("В«" is C2 AB, UTF-8 "«"); bytes
    # that are valid UTF-8 are read as UTF-8, by design. Every other CP1251 text is CP1251.
    assume(not _is_valid_utf8(legacy))
    assert detect_encoding(legacy)[0] == "cp1251"


def _is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "Протокол № 17: ртуть н.о., «Чаткал-Эко»",
        "ВОДА «ПИТЬЕВАЯ»; Ёмкость № 3",
        "Примечание: проба отобрана ниже сброса, ёмкость чистая",
    ],
)
def test_russian_lab_text_in_cp1251_is_read_as_cp1251(text: str) -> None:
    assert detect_encoding(text.encode("cp1251"))[0] == "cp1251"


def test_utf8_with_a_damaged_byte_stays_utf8(catalogue: Catalogue) -> None:
    text = f"{RU_HEADER}\n" + f"{RU_ROW}\n" * 30
    data = text.encode().replace("сброса".encode(), b"\xff\xfe", 1)
    encoding, damaged = detect_encoding(data)
    assert (encoding, damaged) == ("utf-8", 2)
    report = check(data, catalogue)
    assert report.layout is not None and report.layout.decode_errors == 2
    # The damaged first row, then the intact one; the other 28 rows repeat it.
    assert report.rows_valid == 2
    assert [row.comment for row in report.valid_rows] == ["ниже \ufffd\ufffd", "ниже сброса"]


def test_title_rows_above_the_header_are_skipped_and_lines_counted(catalogue: Catalogue) -> None:
    data = csv_bytes(
        GOOD,
        GOOD.replace("As,0.0042", "Pb,0.003"),
        header='Protocol No. 17 of 12.06.2024,,,\n"Tuul Analytica LLC, accredited"\n\n' + HEADER,
    )
    report = check(data, catalogue)
    assert report.layout is not None and report.layout.header_line == 4
    assert _rows(report) == [(1, 5), (2, 6)]


def test_a_quoted_field_with_a_newline_makes_a_record_span_two_lines(catalogue: Catalogue) -> None:
    data = csv_bytes(
        GOOD.rstrip(",") + ',"first line\nsecond line"',
        GOOD.replace("As,0.0042", "Pb,0.003"),
    )
    report = check(data, catalogue)
    assert _rows(report) == [(1, 2), (2, 4)]
    assert report.valid_rows[0].comment == "first line\nsecond line"


def test_blank_rows_and_repeated_headers_are_not_numbered(catalogue: Catalogue) -> None:
    data = csv_bytes(
        GOOD,
        ",,,,,,,,,,,,",
        "   ,  ,",
        "",
        HEADER,
        "Site_Code , STATION_CODE,sample_id,sampled_at,medium,parameter,value,unit,,,,,",
        GOOD.replace("As,0.0042", "Pb,0.003"),
        GOOD.replace("As,0.0042", "Xx,0.003"),
        ",,,,",
    )
    report = check(data, catalogue)
    assert report.rows_total == 3
    assert _rows(report) == [(1, 2), (2, 8)]
    assert [(e.row, e.line, e.code) for e in report.errors] == [(3, 9, "unknown_parameter")]


def test_header_aliases_in_every_language_are_case_and_space_insensitive(
    catalogue: Catalogue,
) -> None:
    header = (
        "  SITE CODE ;Цэгийн код;Үлгүнүн номери;ДАТА ОТБОРА;Чөйрө;Үзүүлэлт;Значение;ед.изм.;"
        "Тэмдэг;Илрүүлэх хязгаар;Лаборатория;Ыкма;Тайлбар"
    )
    report = check(f"{header}\n{RU_ROW}\n".encode(), catalogue)
    assert report.layout is not None
    assert list(report.layout.columns) == [
        "site_code",
        "station_code",
        "sample_id",
        "sampled_at",
        "medium",
        "parameter",
        "value",
        "unit",
        "qualifier",
        "detection_limit",
        "lab",
        "method",
        "comment",
    ]
    assert report.rows_valid == 1


def test_optional_columns_may_be_missing_and_columns_may_be_reordered(
    catalogue: Catalogue,
) -> None:
    data = b"unit,value,parameter,medium,sampled_at,sample_id,station_code,site_code\n"
    data += b"ug/L,4.2,As,water,2024-06-12,S-1,MN-ZAA-W01,MN-ZAA\n"
    report = check(data, catalogue)
    row = report.valid_rows[0]
    assert (float(row.value), row.unit, row.detection_limit, row.lab) == (0.0042, "mg/L", None, "")


def test_a_header_missing_required_columns_is_a_clear_file_error(catalogue: Catalogue) -> None:
    data = b"site_code,station_code,sample_id,sampled_at,parameter,result\nMN-ZAA,MN-ZAA-W01,S,2024-01-01,As,1\n"
    report = check(data, catalogue)
    assert only_error(report) == (None, None, "missing_columns")
    assert "medium, unit" in report.errors[0].message
    assert report.as_json()["errors"][0]["row"] is None
    assert not report.readable and report.rows_total == 0


def test_a_file_without_any_header_is_a_clear_file_error(catalogue: Catalogue) -> None:
    report = check(b"a,b,c\n1,2,3\n", catalogue)
    assert only_error(report) == (None, None, "no_header")
    assert "site_code" in report.errors[0].message


@pytest.mark.parametrize("data", [b"", b"   \r\n\n\t", b"\xef\xbb\xbf"])
def test_an_empty_file_is_a_clear_file_error(data: bytes, catalogue: Catalogue) -> None:
    report = check(data, catalogue)
    assert only_error(report)[2] in ("empty_file", "no_header")


def test_binary_garbage_is_a_clear_file_error(catalogue: Catalogue) -> None:
    garbage = bytes(range(256)) * 40 + os.urandom(4096)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)
    for data in (garbage, png, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)):
        report = check(data, catalogue)
        assert only_error(report) == (None, None, "unreadable_file")


@given(st.binary(max_size=3000))
def test_no_byte_string_crashes_the_validator(data: bytes) -> None:
    from minehub.monitoring.importing import default_catalogue

    report = check(data, default_catalogue())
    assert report.rows_total == report.rows_valid + report.rows_invalid
    for error in report.errors:
        assert error.message


def test_a_huge_cell_loses_only_its_own_line(catalogue: Catalogue) -> None:
    huge = GOOD.rstrip(",") + "," + "x" * 300_000
    data = csv_bytes(GOOD, huge, GOOD.replace("As,0.0042", "Pb,0.003"))
    report = check(data, catalogue)
    assert (report.rows_total, report.rows_valid) == (3, 2)
    assert [(e.row, e.line, e.code) for e in report.errors] == [(2, 3, "unreadable_record")]


def test_a_huge_line_of_many_cells_is_one_row(catalogue: Catalogue) -> None:
    data = csv_bytes(GOOD + "," * 200_000, GOOD.replace("As,0.0042", "Pb,0.003"))
    report = check(data, catalogue)
    assert (report.rows_total, report.rows_valid) == (2, 2)


def test_an_unclosed_quote_is_reported_not_swallowed_silently(catalogue: Catalogue) -> None:
    data = csv_bytes(GOOD, 'MN-ZAA,"MN-ZAA-W01,S-2,2024-06-12,water,As,1,mg/L,,,,,', GOOD)
    report = check(data, catalogue)
    assert report.rows_valid == 1 and report.rows_invalid == 1


def test_a_sep_line_before_the_header_is_a_title_row(catalogue: Catalogue) -> None:
    data = ("sep=;\n" + HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";") + "\n").encode()
    report = check(data, catalogue)
    assert report.layout is not None and report.layout.delimiter == ";"
    assert _rows(report) == [(1, 3)]


# ---------------------------------------------------------------------------- XLSX


def _sheet_rows() -> list[list[object]]:
    header = HEADER.split(",")
    return [
        ["Results of the June 2024 campaign"],  # 1: title
        ["Laboratory: Tuul Analytica LLC", None, "accredited"],  # 2: note
        header,  # 3
        ["MN-ZAA", "MN-ZAA-W01", "S-1", date(2024, 6, 12), "water", "As", 0.0042, "mg/L"],
        [None] * 5,  # 5: an empty, formatted row
        ["MN-ZAA", "MN-ZAA-W01", "S-1", datetime(2024, 6, 12, 9, 30), "water", "pH", 7.6, None],
        header,  # 7: the header again
        ["MN-ZAA", "MN-ZAA-W01", "S-1", date(2024, 6, 12), "water", "Cu", 0.1 + 0.2, "µg/L"],
        ["MN-ZAA", "MN-ZAA-W01", "S-1", "2024-02-30", "water", "Zn", 12, "µg/L"],
        ["MN-ZAA", "MN-ZAA-W01", "S-2", "2024-06-13", "water", "Pb", "#VALUE!", "mg/L"],
        [
            "MN-ZAA",
            "MN-ZAA-W01",
            "S-2",
            "13.06.2024",
            "water",
            "Cd",
            "<0.0005",
            "mg/L",
            None,
            0.0005,
        ],
    ]


def test_an_xlsx_file_with_title_rows_dates_and_blank_rows_reads(catalogue: Catalogue) -> None:
    data = xlsx_bytes(_sheet_rows(), empty_styled_rows=[5, 12, 13])
    report = check(data, catalogue, name="results.xlsx")
    assert report.layout is not None
    assert (report.layout.format, report.layout.header_line) == ("xlsx", 3)
    assert (report.rows_total, report.rows_valid, report.rows_invalid) == (6, 4, 2)
    assert [(e.row, e.line, e.code) for e in report.errors] == [
        (4, 9, "bad_date"),
        (5, 10, "unparseable_value"),
    ]
    arsenic, ph, copper, cadmium = report.valid_rows
    assert (arsenic.row, arsenic.line, arsenic.sampled_at, float(arsenic.value)) == (
        1,
        4,
        "2024-06-12",
        0.0042,
    )
    assert (ph.row, ph.line, ph.sampled_at, ph.unit) == (2, 6, "2024-06-12T09:30:00", "pH units")
    # Excel shows 0.3, not the binary 0.30000000000000004: the lab reported 0.3.
    assert (copper.row, copper.line, str(copper.value)) == (3, 8, "0.0003")
    assert (cadmium.row, cadmium.non_detect, float(cadmium.value)) == (6, True, 0.0005)


def test_an_xlsx_date_time_cell_at_midnight_keeps_its_time_format(catalogue: Catalogue) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["MN-ZAA", "MN-ZAA-W01", "S-1", datetime(2024, 6, 12), "water", "As", 1, "µg/L"])
    sheet["D2"].number_format = "yyyy-mm-dd hh:mm"
    out = BytesIO()
    workbook.save(out)
    report = check(out.getvalue(), catalogue, name="r.xlsx")
    assert report.valid_rows[0].sampled_at == "2024-06-12T00:00:00"


def test_an_xlsx_file_missing_columns_is_a_file_error(catalogue: Catalogue) -> None:
    data = xlsx_bytes([["site_code", "station_code", "sample_id", "value"], ["a", "b", "c", 1]])
    assert only_error(check(data, catalogue, name="r.xlsx")) == (None, None, "missing_columns")


def test_an_xlsx_file_without_header_is_a_file_error(catalogue: Catalogue) -> None:
    data = xlsx_bytes([["just", "numbers"], [1, 2]])
    assert only_error(check(data, catalogue, name="r.xlsx")) == (None, None, "no_header")


def test_a_broken_zip_is_a_file_error(catalogue: Catalogue) -> None:
    data = xlsx_bytes(_sheet_rows())
    for broken in (data[: len(data) // 2], b"PK\x03\x04" + os.urandom(300)):
        assert only_error(check(broken, catalogue))[2] == "unreadable_file"
    other = BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert only_error(check(other.getvalue(), catalogue))[2] == "unreadable_file"


def test_a_utf16_file_with_its_bom_is_read(catalogue: Catalogue) -> None:
    data = f"{RU_HEADER}\r\n{RU_ROW}\r\n".encode("utf-16")
    report = check(data, catalogue)
    assert report.layout is not None and report.layout.encoding == "utf-16"
    assert report.rows_valid == 1


def test_a_sheet_corrupt_after_its_header_ends_in_a_file_error(catalogue: Catalogue) -> None:
    source = zipfile.ZipFile(BytesIO(xlsx_bytes(_sheet_rows())))
    damaged = BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                cut = content.index(b'<row r="6"')
                content = content[:cut] + b'<row r="6"><c r="A6" t="x"><v>&broken'
            archive.writestr(item, content)
    report = check(damaged.getvalue(), catalogue, name="r.xlsx")
    assert report.file_error is not None and report.file_error.code == "unreadable_file"
    assert report.rows_valid == 1  # the rows before the damage were read


def test_an_xlsx_sheet_with_wrong_stored_dimensions_is_read_whole(catalogue: Catalogue) -> None:
    source = zipfile.ZipFile(BytesIO(xlsx_bytes(_sheet_rows())))
    wrong = BytesIO()
    with zipfile.ZipFile(wrong, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', content)
            archive.writestr(item, content)
    report = check(wrong.getvalue(), catalogue, name="r.xlsx")
    assert (report.rows_total, report.rows_valid) == (6, 4)


# ------------------------------------------------------- text without quotes, read by split


def _read_both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """The layout and records of ``data`` as read, and as the csv module reads them."""
    from minehub.monitoring.importing import reading

    def records(data: bytes) -> tuple[object, list[object]]:
        try:
            layout, rows = reading.open_table(data)
        except Problem as problem:
            return problem.code, []
        return layout, [
            (line, (cells.code, cells.message) if isinstance(cells, Exception) else cells)
            for line, cells in rows
        ]

    plain = records(data)
    with monkeypatch.context() as patch:
        patch.setattr(reading, "_is_plain", lambda data, encoding: False)
        by_csv = records(data)
    return plain, by_csv


_CELL = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_characters='";\r\n\x00', exclude_categories=("Cs",)
    ),
    max_size=6,
)


@given(
    rows=st.lists(st.lists(_CELL, max_size=15), max_size=8),
    ends=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=9, max_size=9),
    last=st.booleans(),
)
def test_a_text_without_quotes_is_read_as_the_csv_module_reads_it(
    rows: list[list[str]], ends: list[str], last: bool
) -> None:
    header = HEADER.replace(",", ";")
    lines = [header, *(";".join(cells) for cells in rows)]
    text = "".join(line + end for line, end in zip(lines, ends, strict=False))
    if not last:
        text = text.rstrip("\r\n")
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain, by_csv = _read_both(text.encode(), monkeypatch)
    assert plain == by_csv


def test_a_cell_over_the_csv_limit_loses_only_its_record_when_read_by_split(
    monkeypatch: pytest.MonkeyPatch, catalogue: Catalogue
) -> None:
    huge = GOOD.replace(",Lab,", "," + "x" * 140_000 + ",")
    data = csv_bytes(GOOD, huge, GOOD.replace("S-1", "S-2"), "", "\r")
    plain, by_csv = _read_both(data, monkeypatch)
    assert plain == by_csv
    report = check(data, catalogue)
    assert [(error.row, error.line, error.code) for error in report.errors] == [
        (2, 3, "unreadable_record")
    ]
    assert _rows(report) == [(1, 2), (3, 4)]


def test_a_cp1251_text_with_a_title_row_is_read_by_split_as_by_csv(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = ("Протокол № 5\r\n\r\n" + RU_HEADER + "\r\n" + RU_ROW + "\r\n;;;\r\n").encode("cp1251")
    plain, by_csv = _read_both(data, monkeypatch)
    assert plain == by_csv and plain[0].header_line == 3  # type: ignore[attr-defined]

"""Reading an uploaded file into records: format, encoding, delimiter, header, and each
record after the header with the line it starts on.

* XLSX (a zip) is read with openpyxl in read-only mode from the first worksheet; a record's
  line is its Excel row number. Date cells arrive in ISO form, numbers as Excel shows them.
* Anything else is text: UTF-8 (with or without BOM) when it decodes strictly as UTF-8,
  else CP1251 (see :func:`detect_encoding`). The delimiter (``,`` ``;`` tab ``|``) and
  the header are found together: the delimiter is the one under which some row among the
  first ones names the most template columns, and the header is the first such row, so
  title and note rows above it are skipped. Records are then streamed with the csv module
  (quoted fields may hold delimiters and newlines), never decoded or split twice.

Everything that makes the whole file unusable is a :class:`Problem` with a file code.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing.headers import (
    MIN_HEADER_FIELDS,
    check_columns,
    map_header,
    no_header_problem,
)
from minehub.monitoring.importing.problems import (
    EMPTY_FILE,
    UNREADABLE_FILE,
    UNREADABLE_RECORD,
    Problem,
)

# (line, cells); cells is a Problem for a record the csv module cannot split.
Record = tuple[int, "list[str] | Problem"]

DELIMITERS = (",", ";", "\t", "|")
_PLAIN_ENCODINGS = ("utf-8", "utf-8-sig", "cp1251")
HEADER_SEARCH_ROWS = 50
SAMPLE_BYTES = 128 * 1024
_CHECK_CHUNK = 1 << 20
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other legacy Office files
# C0 control bytes that text files do not contain (tab, newlines, form feed and the DOS
# end-of-file mark excepted).
_CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in b"\t\n\r\f\x1a")
# A well-formed UTF-8 multi-byte sequence; in CP1251 text such byte pairs are rare.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass(frozen=True, slots=True)
class Layout:
    """What the reader found: format, encoding, delimiter, the header's line and cells,
    template column → index, and how many bytes could not be decoded (damaged UTF-8)."""

    format: str
    encoding: str | None
    delimiter: str | None
    header_line: int
    header: tuple[str, ...]
    columns: dict[str, int]
    decode_errors: int = 0


def open_table(data: bytes) -> tuple[Layout, Iterator[Record]]:
    """The layout of ``data`` and an iterator over its records after the header, as
    ``(line, cells)``. Raises :class:`Problem` (file codes) when the file cannot be read
    or has no usable header. A record the csv module cannot split (a cell over its size
    limit) comes with a :class:`Problem` in place of its cells."""
    if not data.strip():
        raise Problem(EMPTY_FILE, _("The file is empty."))
    if data.startswith(_XLSX_MAGIC):
        return _open_xlsx(data)
    if data.startswith(_OLE_MAGIC):
        raise Problem(
            UNREADABLE_FILE,
            _("This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload it again."),
        )
    return _open_text(data)


def detect_encoding(data: bytes) -> tuple[str, int]:
    """The encoding of text ``data`` and the number of bytes it cannot decode.

    UTF-8 when ``data`` decodes strictly as UTF-8 (``utf-8-sig`` with a BOM; UTF-16 with
    its BOM). Mostly-UTF-8 text with a few damaged bytes stays UTF-8 (the damage shows
    as U+FFFD in its cells) rather than being misread whole as CP1251: CP1251 is chosen
    only when well-formed UTF-8 sequences are not far more common than broken ones.
    Raises :class:`Problem` for binary data and text in neither encoding.
    """
    head = data[:SAMPLE_BYTES]
    # A UTF-16 CSV has NUL bytes (the high half of its delimiters and newlines); without
    # them "\xff\xfe" is more likely CP1251 "яю".
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        return "utf-16", 0
    if b"\x00" in head or _control_share(head) > 0.01:
        raise Problem(
            UNREADABLE_FILE,
            _("This is not a text (CSV, TSV) or Excel (.xlsx) file."),
        )
    bom = data.startswith(codecs.BOM_UTF8)
    if data.isascii() or _is_utf8(data):
        return ("utf-8-sig" if bom else "utf-8"), 0
    sample = data[: 1 << 20]
    broken = sample.decode("utf-8", errors="replace").count("\ufffd")
    if bom or len(_UTF8_SEQUENCE.findall(sample)) >= 20 * max(broken, 1):
        return ("utf-8-sig" if bom else "utf-8"), data.decode("utf-8", "replace").count("\ufffd")
    if b"\x98" in data:  # the one byte CP1251 leaves undefined
        raise Problem(
            UNREADABLE_FILE,
            _("The file is neither UTF-8 nor CP1251 text. Save it as UTF-8 and upload it again."),
        )
    return "cp1251", 0


def _is_utf8(data: bytes) -> bool:
    # In chunks, so a large file is checked without a second copy of it as text.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHECK_CHUNK):
            decoder.decode(data[start : start + _CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _control_share(head: bytes) -> float:
    return (len(head) - len(head.translate(None, _CONTROL_BYTES))) / max(len(head), 1)


def _dialect(delimiter: str) -> dict[str, Any]:
    return {"delimiter": delimiter, "quotechar": '"', "doublequote": True, "strict": False}


def _open_text(data: bytes) -> tuple[Layout, Iterator[Record]]:
    encoding, decode_errors = detect_encoding(data)
    # UTF-8 and CP1251 were checked whole; UTF-16 was not (it is rare enough to stay lazy).
    errors = "replace" if decode_errors or encoding == "utf-16" else "strict"
    delimiter, header_index, rows_read = _sniff(data, encoding)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors=errors, newline="")
    if _is_plain(data, encoding):
        return _open_plain(stream, delimiter, header_index, encoding, decode_errors)
    reader = csv.reader(stream, **_dialect(delimiter))
    previous = 0
    header: list[str] = []
    try:
        for _index in range(header_index + 1):
            previous, header = reader.line_num, next(reader)
    except (StopIteration, csv.Error):  # pragma: no cover - _sniff read the same records
        raise no_header_problem(rows_read) from None
    columns = map_header(header)
    check_columns(columns)
    layout = Layout("csv", encoding, delimiter, previous + 1, tuple(header), columns, decode_errors)
    return layout, _text_records(reader)


def _is_plain(data: bytes, encoding: str) -> bool:
    """Whether the text has no quote character (nor NUL): then each line is one record
    and its cells are what lies between delimiters, which splitting finds at a third of
    the csv module's cost. In UTF-8 and CP1251 the byte 0x22 is always the quote."""
    return encoding in _PLAIN_ENCODINGS and b'"' not in data and b"\x00" not in data


def _open_plain(
    stream: io.TextIOWrapper, delimiter: str, header_index: int, encoding: str, decode_errors: int
) -> tuple[Layout, Iterator[Record]]:
    """:func:`_open_text` for a text without quotes: the same layout and records."""
    lines = iter(stream)
    header: list[str] = []
    for _index in range(header_index + 1):  # _sniff read these records, so they exist
        text = next(lines).rstrip("\r\n")
        header = text.split(delimiter) if text else []
    columns = map_header(header)
    check_columns(columns)
    layout = Layout(
        "csv", encoding, delimiter, header_index + 1, tuple(header), columns, decode_errors
    )
    return layout, _plain_records(lines, delimiter, header_index + 2)


def _plain_records(lines: Iterator[str], delimiter: str, first: int) -> Iterator[Record]:
    # The terminators are those the csv module reads by (\r, \n, \r\n: the stream splits
    # there), and a blank line is an empty record to it as to the checker here.
    limit = csv.field_size_limit()
    for number, line in enumerate(lines, start=first):
        if len(line) > limit:
            # A cell may be over the csv module's limit: let it decide, as for other files.
            yield from _text_records(csv.reader([line], **_dialect(delimiter)), number - 1)
            continue
        text = line.rstrip("\r\n")
        yield number, text.split(delimiter) if text else []


def _text_records(reader: Any, offset: int = 0) -> Iterator[Record]:
    """The records of a csv reader with their first lines (counted on from ``offset``)."""
    line_num = reader.line_num + offset
    while True:
        try:
            for cells in reader:
                yield line_num + 1, cells
                line_num = reader.line_num + offset
            return
        except csv.Error as error:
            # Only the record is lost: the csv module resumes at the next line.
            problem = Problem(
                UNREADABLE_RECORD,
                _("The line cannot be read as CSV (%(error)s)."),
                {"error": error},
            )
            yield line_num + 1, problem
            line_num = reader.line_num + offset


def _sniff(data: bytes, encoding: str) -> tuple[str, int, int]:
    """(delimiter, index of the header record, records examined) from the file's start."""
    sample = data[:SAMPLE_BYTES].decode(encoding, errors="replace")
    # Split as the real reader will (only \r, \n, \r\n), so record indices agree.
    lines = list(io.StringIO(sample, newline=""))
    if len(data) > SAMPLE_BYTES and len(lines) > 1:
        lines.pop()  # cut mid-record
    best: tuple[int, int, str] | None = None  # (-fields named, index, delimiter)
    examined = 0
    for delimiter in DELIMITERS:
        reader = csv.reader(lines, **_dialect(delimiter))
        try:
            for index, cells in enumerate(reader):
                if index >= HEADER_SEARCH_ROWS:
                    break
                examined = max(examined, index + 1)
                named = len(map_header(cells))
                if named >= MIN_HEADER_FIELDS:
                    if best is None or (-named, index) < best[:2]:
                        best = (-named, index, delimiter)
                    break
        except csv.Error:
            continue
    if best is None:
        raise no_header_problem(examined)
    return best[2], best[1], examined


def _open_xlsx(data: bytes) -> tuple[Layout, Iterator[Record]]:
    from openpyxl import load_workbook  # only Excel uploads pay for the import

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise _broken_workbook(error) from error
    if not workbook.worksheets:
        workbook.close()
        raise Problem(UNREADABLE_FILE, _("The workbook has no worksheet."))
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store wrong ones: read what is there
        rows = enumerate(sheet.iter_rows(), start=1)
        line, cells, columns = _xlsx_header(rows)
        check_columns(columns)
    except Problem:
        workbook.close()
        raise
    except Exception as error:  # noqa: BLE001 - a corrupt sheet fails while it streams
        workbook.close()
        raise _broken_workbook(error) from error
    return Layout("xlsx", None, None, line, tuple(cells), columns), _xlsx_records(workbook, rows)


def _xlsx_header(
    rows: Iterator[tuple[int, tuple[Any, ...]]],
) -> tuple[int, list[str], dict[str, int]]:
    """The first row naming enough template columns: (Excel row, cells, columns)."""
    examined = 0
    for line, row in rows:
        examined = line
        cells = [_cell_text(cell) for cell in row]
        columns = map_header(cells)
        if len(columns) >= MIN_HEADER_FIELDS:
            return line, cells, columns
        if line >= HEADER_SEARCH_ROWS:
            break
    raise no_header_problem(examined)


def _xlsx_records(workbook: Any, rows: Iterator[tuple[int, tuple[Any, ...]]]) -> Iterator[Record]:
    try:
        for line, row in rows:
            yield line, [_cell_text(cell) for cell in row]
    except Exception as error:  # noqa: BLE001 - a corrupt sheet fails while it streams
        raise _broken_workbook(error) from error
    finally:
        workbook.close()


def _broken_workbook(error: Exception) -> Problem:
    return Problem(
        UNREADABLE_FILE,
        _("The file looks like an Excel workbook but cannot be read (%(error)s)."),
        {"error": error.__class__.__name__},
    )


def _cell_text(cell: object) -> str:
    """A worksheet cell as the text a CSV export of it would hold."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        # A date cell holds a datetime; its number format says whether a time is shown.
        number_format = (getattr(cell, "number_format", "") or "").lower()
        if "h" in number_format or "s" in number_format or value.time() != time(0):
            return value.isoformat()
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # Excel shows at most 15 significant digits; binary noise beyond them (0.1 + 0.2)
        # is not part of the result the lab reported.
        return format(value, ".15g")
    return str(value)

"""CSV and XLSX downloads that are safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel and LibreOffice ("CSV injection"); such text cells get a leading
apostrophe, which spreadsheets show as plain text. Numbers are written as numbers (a
negative number is not a formula). In an XLSX file the same text would become a formula
cell when written, so it gets the same apostrophe.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet reads it without running it."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with a BOM, so Excel reads Cyrillic right)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Control characters an XLSX file cannot hold (openpyxl refuses them).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


def xlsx_cell(value: Any) -> Any:
    """``value`` as an XLSX cell: text never a formula, times in UTC (Excel has no time
    zones; headers say "UTC"), empty text an empty cell (which costs nothing to write)."""
    if value == "":
        return None
    if isinstance(value, str):
        # Removed before the formula check, which must see the text as it will be written.
        value = _XLSX_ILLEGAL.sub("", value)
    value = safe_cell(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


# Excel opens at most this many rows per sheet (the header included).
XLSX_SHEET_ROWS = 1_048_576


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Data"
) -> FileResponse:
    """An XLSX download: one sheet, continued on further sheets ("Data (2)", …) with the
    header repeated when it holds more rows than Excel opens. Written in openpyxl's
    write-only mode, which keeps one row in memory at a time, to a temporary file that is
    then streamed."""
    from openpyxl import Workbook  # here: few requests need it, and it is large

    workbook = Workbook(write_only=True)
    title = _SHEET_TITLE_ILLEGAL.sub("-", sheet)[:31] or "Data"
    header_cells = [xlsx_cell(cell) for cell in header]
    worksheet, filled, sheets = None, XLSX_SHEET_ROWS, 0
    for row in rows:
        if filled == XLSX_SHEET_ROWS:
            sheets += 1
            suffix = f" ({sheets})" if sheets > 1 else ""
            worksheet = workbook.create_sheet(title[: 31 - len(suffix)] + suffix)
            worksheet.append(header_cells)
            filled = 1
        worksheet.append([xlsx_cell(cell) for cell in row])  # type: ignore[union-attr]
        filled += 1
    if worksheet is None:  # no rows: the header alone
        workbook.create_sheet(title).append(header_cells)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )

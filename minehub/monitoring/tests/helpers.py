"""Building small import files in tests."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from minehub.monitoring.importing import Catalogue, Report, validate

DEV = Path(__file__).parent / "data" / "monitoring-dev"
# The fixtures were built on 2026-11-21; their future dates are in 2030 and later.
TODAY = date(2026, 11, 21)

HEADER = (
    "site_code,station_code,sample_id,sampled_at,medium,parameter,value,unit,qualifier,"
    "detection_limit,lab,method,comment"
)
GOOD = "MN-ZAA,MN-ZAA-W01,S-1,2024-06-12,water,As,0.0042,mg/L,,0.001,Lab,ISO 11885,"


def load_json(name: str) -> Any:
    return json.loads((DEV / name).read_text(encoding="utf-8"))


def csv_bytes(*lines: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return newline.join([header, *lines, ""]).encode("utf-8")


def check(data: bytes, catalogue: Catalogue, today: date = TODAY, name: str = "t.csv") -> Report:
    return validate(data, name, catalogue, today)


def only_error(report: Report) -> tuple[int | None, str | None, str]:
    """(row, column, code) of the report's single error."""
    assert len(report.errors) == 1, [e.as_json() for e in report.errors]
    error = report.errors[0]
    return error.row, error.column, error.code


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, empty_styled_rows: Sequence[int] = ()) -> bytes:
    """A workbook whose first sheet holds ``rows`` (1-based Excel rows in order); rows
    listed in ``empty_styled_rows`` get a formatted but empty cell."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for number in empty_styled_rows:
        sheet.cell(row=number, column=2).font = Font(bold=True)
    workbook.create_sheet("Second")["A1"] = "ignored"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Spreadsheet downloads: formulas never run, and a sheet never holds more than Excel opens."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from minehub.core import exports


def _sheets(response: object) -> dict[str, list[tuple[object, ...]]]:
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: list(sheet.values) for sheet in workbook.worksheets}


def test_rows_beyond_a_full_sheet_continue_on_a_new_sheet_with_the_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 3)  # the header and two rows per sheet
    rows = [(n, f"=cmd{n}") for n in range(5)]
    sheets = _sheets(exports.xlsx_response("a.xlsx", ["n", "text"], rows, sheet="S-1"))
    assert list(sheets) == ["S-1", "S-1 (2)", "S-1 (3)"]
    assert sheets["S-1"] == [("n", "text"), (0, "'=cmd0"), (1, "'=cmd1")]
    assert sheets["S-1 (3)"] == [("n", "text"), (4, "'=cmd4")]


def test_no_rows_give_a_sheet_with_the_header_alone() -> None:
    assert _sheets(exports.xlsx_response("a.xlsx", ["n"], [], sheet="x/y")) == {"x-y": [("n",)]}


def test_a_long_sheet_name_keeps_its_number_within_excels_31_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "XLSX_SHEET_ROWS", 2)
    sheets = _sheets(exports.xlsx_response("a.xlsx", ["n"], [(1,), (2,)], sheet="K" * 40))
    assert list(sheets) == ["K" * 31, "K" * 27 + " (2)"]

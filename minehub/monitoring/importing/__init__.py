"""Reading and validating lab and sensor result files (CSV, TSV, XLSX) — pure, no database.

``validate(data, filename, catalogue, today)`` reads an uploaded file and returns its
:class:`Report`: rows total/valid/invalid, one error (row, line, column, code, translated
message) per invalid record, and the valid records normalised to canonical units. The
conventions it implements (row numbering, aliases, units, non-detects, dates, ranges,
duplicates) are those of the project's monitoring reference data; the tests check every
reference file against its expected report.

The package, by module:

* :mod:`.reading`: format, encoding, delimiter and header; records with their lines;
* :mod:`.headers`: the template columns and their en/ru/mn/ky header aliases;
* :mod:`.keys`: how cells are folded before lookup (case, µ/μ/u, ³/3, look-alikes);
* :mod:`.values`, :mod:`.units`, :mod:`.dates`: the cell parsers (pure functions);
* :mod:`.catalogue`: stations, parameters, media and units, and the shipped tables;
* :mod:`.checking`: checking records, with :mod:`.interpret` reading each kind of cell;
* :mod:`.report`: rows, errors, the report;
* :mod:`.problems`: error codes and the translatable :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from minehub.monitoring.importing.catalogue import (
    Catalogue,
    CatalogueError,
    Measurand,
    Medium,
    Parameter,
    Station,
    UnitFamily,
    default_catalogue,
    stations_from_layout,
)
from minehub.monitoring.importing.checking import make_checker
from minehub.monitoring.importing.headers import (
    ALIASES,
    FIELDS,
    REQUIRED_FIELDS,
    is_header_repeat,
)
from minehub.monitoring.importing.problems import FILE_CODES, ROW_CODES, Problem
from minehub.monitoring.importing.reading import Layout, open_table
from minehub.monitoring.importing.report import MeasurementRow, Report, RowError

__all__ = [
    "ALIASES",
    "FIELDS",
    "FILE_CODES",
    "REQUIRED_FIELDS",
    "ROW_CODES",
    "Catalogue",
    "CatalogueError",
    "Layout",
    "Measurand",
    "MeasurementRow",
    "Medium",
    "Parameter",
    "Problem",
    "Report",
    "RowError",
    "Station",
    "UnitFamily",
    "default_catalogue",
    "iter_valid_rows",
    "stations_from_layout",
    "validate",
]


def validate(
    data: bytes, filename: str, catalogue: Catalogue, today: date, *, keep_rows: bool = True
) -> Report:
    """Validates the file ``data`` (named ``filename``) against ``catalogue``, with dates
    after ``today`` in the future. Keeps the valid rows in ``report.valid_rows`` unless
    ``keep_rows`` is false (a large file then costs only its errors in memory)."""
    report = Report(filename)
    rows = iter_valid_rows(data, catalogue, today, report)
    if keep_rows:
        report.valid_rows.extend(rows)
    else:
        for _row in rows:
            pass
    return report


def iter_valid_rows(
    data: bytes, catalogue: Catalogue, today: date, report: Report
) -> Iterator[MeasurementRow]:
    """Yields the valid rows of ``data`` one by one while filling ``report`` (counts,
    errors, layout), which is complete once the iterator is exhausted. For streaming a
    large file into the database without holding its rows."""
    try:
        layout, records = open_table(data)
    except Problem as problem:
        report.errors.append(RowError(None, None, None, problem))
        return
    report.layout = layout
    check = make_checker(catalogue, today, layout)
    columns = layout.columns
    errors = report.errors
    row = valid = 0
    try:
        for line, cells in records:
            row += 1
            if type(cells) is Problem:
                errors.append(RowError(row, line, None, cells))
                continue
            outcome = check(cells, row, line)
            if type(outcome) is MeasurementRow:
                valid += 1
                yield outcome
            elif _skipped(cells, columns):
                row -= 1
            else:
                column, problem = outcome
                errors.append(RowError(row, line, column, problem))
    except Problem as problem:  # the rest of the file cannot be read (a corrupt sheet)
        errors.append(RowError(None, None, None, problem))
    finally:
        report.rows_total = row
        report.rows_valid = valid
        report.rows_invalid = row - valid


def _skipped(cells: list[str], columns: dict[str, int]) -> bool:
    """Records that are not data and get no number: blank ones (``;;;;``, formatted but
    empty spreadsheet rows) and the header repeated (files pasted together)."""
    return not "".join(cells).strip() or is_header_repeat(cells, columns)

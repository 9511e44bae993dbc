"""What validation produces: normalised rows, row errors and the report that holds them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from minehub.monitoring.importing.problems import Problem
from minehub.monitoring.importing.reading import Layout


class MeasurementRow(NamedTuple):
    """A valid data record, normalised: ``value`` and ``detection_limit`` in the canonical
    ``unit`` (exact decimals); a non-detect's ``value`` is its reporting limit, never 0;
    ``qualifier`` is ``<``, ``>`` or ``None``; ``sampled_at`` is the time as given in ISO
    form and ``sampled_at_utc`` its UTC form when it had an offset. A tuple, because a
    large file yields millions of them."""

    row: int
    line: int
    site_code: str
    station_code: str
    sample_id: str
    sampled_at: str
    sampled_at_utc: str | None
    medium: str
    parameter: str
    value: Decimal
    unit: str
    non_detect: bool
    qualifier: str | None
    detection_limit: Decimal | None
    lab: str
    method: str
    comment: str

    def as_json(self) -> dict[str, Any]:
        """The row with JSON types (numbers as floats)."""
        data = self._asdict()
        data["value"] = float(self.value)
        if self.detection_limit is not None:
            data["detection_limit"] = float(self.detection_limit)
        return data


@dataclass(frozen=True, slots=True)
class RowError:
    """An invalid data record (``row``/``line`` set) or a defect of the whole file (both
    ``None``): the column at fault (a template column name, or ``None`` for the whole
    row) and the problem, whose message is rendered in the active language."""

    row: int | None
    line: int | None
    column: str | None
    problem: Problem

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def message(self) -> str:
        return self.problem.message

    def as_json(self) -> dict[str, Any]:
        """The error as the report's JSON lists it."""
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class Report:
    """The validation report of one file. ``valid_rows`` is filled by
    :func:`~minehub.monitoring.importing.validate` when asked to keep rows;
    ``exceedances`` is left for the caller, which compares rows with standards."""

    filename: str
    layout: Layout | None = None
    rows_total: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    errors: list[RowError] = field(default_factory=list)
    valid_rows: list[MeasurementRow] = field(default_factory=list)
    exceedances: list[Any] = field(default_factory=list)
    # Results breaching a limit; ``exceedances`` may list only the first of them.
    exceedance_count: int = 0

    @property
    def file_error(self) -> RowError | None:
        """The defect that stopped reading the file, if any: then no row may be imported."""
        for error in self.errors:
            if error.row is None:
                return error
        return None

    @property
    def readable(self) -> bool:
        """Whether the whole file was read (rows may still be invalid)."""
        return self.file_error is None

    def error_counts(self) -> Counter[str]:
        """Row errors by code."""
        return Counter(error.code for error in self.errors if error.row is not None)

    def as_json(self) -> dict[str, Any]:
        """The report as ``minehub import_measurements --json`` prints it."""
        return {
            "rows_total": self.rows_total,
            "rows_valid": self.rows_valid,
            "rows_invalid": self.rows_invalid,
            "errors": [error.as_json() for error in self.errors],
            "exceedances": list(self.exceedances),
            "exceedance_count": self.exceedance_count,
        }

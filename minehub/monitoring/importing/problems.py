"""Error codes and :class:`Problem`, the defect a parser or the reader reports.

Codes are stable API (the JSON report, the CLI, the held-out fixtures); messages are
translatable templates with named placeholders, rendered when read so they come out in the
language active at that moment (the browser's, the CLI's), not the importer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise

# Row codes from the import conventions (monitoring-dev/expected.json, "error_codes").
UNKNOWN_PARAMETER = "unknown_parameter"
UNKNOWN_UNIT = "unknown_unit"
UNIT_MISMATCH = "unit_mismatch"
UNPARSEABLE_VALUE = "unparseable_value"
NEGATIVE_VALUE = "negative_value"
OUT_OF_RANGE = "out_of_range"
UNKNOWN_STATION = "unknown_station"
BAD_DATE = "bad_date"
FUTURE_DATE = "future_date"
DUPLICATE_ROW = "duplicate_row"
MISSING_REQUIRED = "missing_required"
# Row codes the conventions do not name (their fixtures never need them): a medium no
# catalogue knows, and a row whose medium is not one its station measures.
UNKNOWN_MEDIUM = "unknown_medium"
MEDIUM_MISMATCH = "medium_mismatch"
# A text line the csv module cannot split (a cell longer than 131,072 characters).
UNREADABLE_RECORD = "unreadable_record"

ROW_CODES = (
    UNKNOWN_PARAMETER,
    UNKNOWN_UNIT,
    UNIT_MISMATCH,
    UNPARSEABLE_VALUE,
    NEGATIVE_VALUE,
    OUT_OF_RANGE,
    UNKNOWN_STATION,
    BAD_DATE,
    FUTURE_DATE,
    DUPLICATE_ROW,
    MISSING_REQUIRED,
    UNKNOWN_MEDIUM,
    MEDIUM_MISMATCH,
    UNREADABLE_RECORD,
)

# File codes: the file as a whole cannot be validated; no row is numbered after them.
EMPTY_FILE = "empty_file"
UNREADABLE_FILE = "unreadable_file"
NO_HEADER = "no_header"
MISSING_COLUMNS = "missing_columns"

FILE_CODES = (EMPTY_FILE, UNREADABLE_FILE, NO_HEADER, MISSING_COLUMNS)


class Problem(Exception):
    """A defect: its code and a translatable message template with its parameters."""

    def __init__(
        self, code: str, template: Promise | str, params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(code)
        self.code = code
        self.template = template
        self.params = dict(params or {})

    @property
    def message(self) -> str:
        """The message in the active language."""
        return render(self.template, self.params)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def render(template: Promise | str, params: Mapping[str, Any]) -> str:
    """``template % params`` in the active language; lazy parameters are translated too."""
    return str(template) % {key: str(value) for key, value in params.items()}

"""The template columns, their header aliases, and finding them in a header row.

A header cell names a column when its :func:`~minehub.monitoring.importing.keys.header_key`
(case, spaces and punctuation ignored) is one of the column's aliases. The aliases are
those of the import conventions (en, ru, mn) plus Kyrgyz and a few common English and
Russian variants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing.keys import header_key
from minehub.monitoring.importing.problems import MISSING_COLUMNS, NO_HEADER, Problem

FIELDS = (
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
)
REQUIRED_FIELDS = FIELDS[:8]

ALIASES: Mapping[str, tuple[str, ...]] = {
    "site_code": ("site_code", "site", "Код объекта", "Талбайн код", "Объекттин коду"),
    "station_code": (
        "station_code",
        "station",
        "Код станции",
        "Код пункта",
        "Цэгийн код",
        "Бекеттин коду",
    ),
    "sample_id": (
        "sample_id",
        "sample",
        "sample no",
        "№ пробы",
        "Номер пробы",
        "Шифр пробы",
        "Дээжийн дугаар",
        "Сорьцын дугаар",
        "Үлгүнүн номери",
    ),
    "sampled_at": (
        "sampled_at",
        "sampling date",
        "sample date",
        "date",
        "Дата отбора",
        "Дата отбора пробы",
        "Дээж авсан огноо",
        "Үлгү алынган күн",
    ),
    "medium": ("medium", "matrix", "Среда", "Орчин", "Чөйрө"),
    "parameter": (
        "parameter",
        "analyte",
        "Показатель",
        "Определяемый показатель",
        "Үзүүлэлт",
        "Көрсөткүч",
    ),
    "value": ("value", "result", "Значение", "Результат", "Утга", "Мааниси", "Натыйжа"),
    "unit": (
        "unit",
        "units",
        "Ед. изм.",
        "Единица измерения",
        "Единицы измерения",
        "Нэгж",
        "Хэмжих нэгж",
        "Өлчөө бирдиги",
    ),
    "qualifier": ("qualifier", "Знак", "Тэмдэг", "Белги"),
    "detection_limit": (
        "detection_limit",
        "DL",
        "LOD",
        "Предел обнаружения",
        "Илрүүлэх хязгаар",
        "Аныктоо чеги",
    ),
    "lab": ("lab", "laboratory", "Лаборатория", "Лаборатори"),
    "method": ("method", "Методика", "Метод", "Арга", "Ыкма"),
    "comment": ("comment", "comments", "note", "notes", "Примечание", "Тайлбар", "Эскертүү"),
}

_FIELD_OF: dict[str, str] = {
    header_key(alias): field for field, aliases in ALIASES.items() for alias in aliases
}

# A row is the header when at least this many different template columns are named in it:
# enough that a title line ("Protocol No. 5, lab: …") never qualifies, few enough that a
# header missing several columns is still found and reported as such.
MIN_HEADER_FIELDS = 3


def field_of(cell: str) -> str | None:
    """The template column a header cell names, if any."""
    return _FIELD_OF.get(header_key(cell))


def map_header(cells: Sequence[str]) -> dict[str, int]:
    """Template column → index of the first header cell naming it."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        field = field_of(cell) if isinstance(cell, str) else None
        if field is not None and field not in columns:
            columns[field] = index
    return columns


def check_columns(columns: Mapping[str, int]) -> None:
    """Raises :class:`Problem` (``missing_columns``) naming the required columns the
    header lacks."""
    missing = [field for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        raise Problem(
            MISSING_COLUMNS,
            _("The header has no column for: %(columns)s. Required columns: %(required)s."),
            {"columns": ", ".join(missing), "required": ", ".join(REQUIRED_FIELDS)},
        )


def no_header_problem(rows_read: int) -> Problem:
    """The problem of a file in whose first rows no header was found."""
    return Problem(
        NO_HEADER,
        _(
            "No header row found in the first %(rows)s rows. The header names the columns "
            "%(required)s (or their Russian, Mongolian or Kyrgyz names)."
        ),
        {"rows": rows_read, "required": ", ".join(REQUIRED_FIELDS)},
    )


def is_header_repeat(cells: Sequence[str], columns: Mapping[str, int]) -> bool:
    """Whether a data record is the header again (files concatenated from several
    exports): enough of its cells name their own column, and no other cell of a mapped
    column holds anything."""
    width = len(cells)
    named = 0
    for field, index in columns.items():
        cell = cells[index] if index < width else ""
        if _FIELD_OF.get(header_key(cell)) == field:
            named += 1
        elif cell.strip():
            return False
    return named >= MIN_HEADER_FIELDS

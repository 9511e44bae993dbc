"""What each kind of cell means, worked out once per distinct raw text.

Each function takes the raw cell (and what it depends on: the catalogue, the import date,
the medium) and returns the parsed thing or the :class:`Problem` that is the row's error.
:mod:`.checking` remembers the answers in a :class:`Cache` per kind of cell, so a file of a
million rows parses each distinct station code, date, unit or number once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing.catalogue import Catalogue, Measurand, Station
from minehub.monitoring.importing.dates import SampleTime, parse_sampled_at
from minehub.monitoring.importing.keys import match_key
from minehub.monitoring.importing.problems import (
    FUTURE_DATE,
    MISSING_REQUIRED,
    NEGATIVE_VALUE,
    OUT_OF_RANGE,
    UNKNOWN_MEDIUM,
    UNKNOWN_PARAMETER,
    UNKNOWN_STATION,
    UNPARSEABLE_VALUE,
    Problem,
)
from minehub.monitoring.importing.units import Conversion, resolve_unit
from minehub.monitoring.importing.values import (
    BELOW,
    NON_DETECT_TOKENS,
    ParsedValue,
    parse_number,
    parse_value,
)

# Distinct raw cells remembered per kind before that memory is dropped and rebuilt: enough
# for every code, unit and date of a large file, a bound on a file of unique values.
CACHE_LIMIT = 200_000
# An empty value or detection-limit cell (None means "no qualifier" in the qualifier cache).
EMPTY: Any = object()
ZERO = Decimal(0)


class Cache(dict[Any, Any]):
    """Raw cell → what it parses to, computed on first sight by ``__missing__``, so that
    a repeated cell costs one dict subscript. Cleared when it holds :data:`CACHE_LIMIT`
    entries."""

    __slots__ = ("parse",)

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        super().__init__()
        self.parse = parse

    def __missing__(self, raw: Any) -> Any:
        value = self.parse(raw)
        if len(self) >= CACHE_LIMIT:
            self.clear()
        self[raw] = value
        return value


class Target:
    """A parameter in one medium, as a row names it, with the units seen for it."""

    __slots__ = ("measurand", "units", "low", "high", "range_code")

    def __init__(self, measurand: Measurand, catalogue: Catalogue) -> None:
        self.measurand = measurand
        self.units = Cache(partial(unit, catalogue, measurand))
        self.low = measurand.minimum
        self.high = measurand.maximum
        # The conventions: a non-negative amount below 0 is "negative_value"; a value
        # outside an explicit range (pH 0–14) is "out_of_range".
        plain = measurand.minimum == ZERO and measurand.maximum is None
        self.range_code = NEGATIVE_VALUE if plain else OUT_OF_RANGE


def missing(column: str) -> Problem:
    """The ``missing_required`` problem of an empty required cell."""
    return Problem(MISSING_REQUIRED, _("The %(column)s cell is empty."), {"column": column})


def site_code(raw: str) -> str | Problem:
    """The trimmed site code."""
    return raw.strip() or missing("site_code")


def station(catalogue: Catalogue, raw: str) -> Station | Problem:
    """The station registered under exactly this code (trimmed)."""
    code = raw.strip()
    if not code:
        return missing("station_code")
    station = catalogue.station(code)
    if station is None:
        return Problem(
            UNKNOWN_STATION, _("Station %(station)s is not registered."), {"station": code}
        )
    return station


def sampled_at(today: date, raw: str) -> SampleTime | Problem:
    """The sample time; ``future_date`` after ``today``."""
    if not raw.strip():
        return missing("sampled_at")
    try:
        moment = parse_sampled_at(raw)
    except Problem as problem:
        return problem
    if moment.day > today:
        return Problem(
            FUTURE_DATE,
            _("%(value)s is after the import date (%(today)s)."),
            {"value": moment.iso, "today": today.isoformat()},
        )
    return moment


def medium(catalogue: Catalogue, raw: str) -> str | Problem:
    """The medium code the cell names."""
    text = raw.strip()
    if not text:
        return missing("medium")
    medium = catalogue.medium(text)
    if medium is None:
        return Problem(UNKNOWN_MEDIUM, _("“%(medium)s” is not a known medium."), {"medium": text})
    return medium


def parameter(catalogue: Catalogue, medium: str, raw: str) -> Target | Problem:
    """The parameter the cell names, as measured in ``medium``."""
    text = raw.strip()
    if not text:
        return missing("parameter")
    by_medium = catalogue.parameter_media(text)
    if by_medium is None:
        return Problem(
            UNKNOWN_PARAMETER,
            _("“%(parameter)s” is not a known parameter."),
            {"parameter": text},
        )
    if medium not in by_medium:
        return Problem(
            UNKNOWN_PARAMETER,
            _("%(parameter)s is not a parameter measured in %(medium)s."),
            {"parameter": text, "medium": medium},
        )
    return Target(by_medium[medium], catalogue)


def unit(catalogue: Catalogue, measurand: Measurand, raw: str) -> Conversion | Problem:
    """The conversion from the unit the cell names to ``measurand``'s canonical unit."""
    try:
        return resolve_unit(catalogue, raw, measurand)
    except Problem as problem:
        return problem


def value(raw: str) -> ParsedValue | Problem:
    """The result cell; :data:`EMPTY` when empty."""
    try:
        parsed = parse_value(raw)
    except Problem as problem:
        return problem
    return EMPTY if parsed is None else parsed


def qualifier(raw: str) -> str | None | Problem:
    """``<`` (a non-detect token counts as one), ``>`` or ``None`` (empty or ``=``)."""
    key = match_key(raw)
    if key in ("", "="):
        return None
    if key in ("<", ">"):
        return key
    if key in NON_DETECT_TOKENS:
        return BELOW
    return Problem(
        UNPARSEABLE_VALUE,
        _("Qualifier “%(qualifier)s” is not understood: use <, > or leave it empty."),
        {"qualifier": raw.strip()},
    )


def detection_limit(raw: str) -> Decimal | Problem:
    """The detection limit, a plain non-negative number; :data:`EMPTY` when empty."""
    if not raw.strip():
        return EMPTY
    try:
        limit = parse_number(raw)
    except Problem as problem:
        return problem
    if limit < ZERO:
        return Problem(
            NEGATIVE_VALUE, _("The detection limit %(value)s is negative."), {"value": raw.strip()}
        )
    return limit

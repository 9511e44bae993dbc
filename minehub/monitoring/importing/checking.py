"""Checking data records against the catalogue: one error per invalid record, a normalised
:class:`MeasurementRow` per valid one.

A record's cells are checked in the template's column order and the first defect found is
its error: site, station, sample, date, medium, parameter, value, unit, qualifier,
detection limit; then the value's range, and last whether an earlier valid record had the
same cells (so a copy of an invalid record reports that record's own defect).

Speed (a budget of 100k records/s, DESIGN.md): codes, dates, units, media and parameters
repeat massively in a file, so each kind of cell is interpreted once per distinct raw text
(:mod:`.interpret`) and remembered in a :class:`~.interpret.Cache`; a record then costs a
dozen dict lookups, a decimal shift and a tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing import interpret
from minehub.monitoring.importing.catalogue import Catalogue
from minehub.monitoring.importing.headers import FIELDS
from minehub.monitoring.importing.interpret import EMPTY, Cache, Target, missing
from minehub.monitoring.importing.problems import (
    DUPLICATE_ROW,
    MEDIUM_MISMATCH,
    MISSING_REQUIRED,
    NEGATIVE_VALUE,
    OUT_OF_RANGE,
    UNKNOWN_STATION,
    UNPARSEABLE_VALUE,
    Problem,
)
from minehub.monitoring.importing.reading import Layout
from minehub.monitoring.importing.report import MeasurementRow
from minehub.monitoring.importing.values import ABOVE, BELOW, DETECTED, NOT_DETECTED

Failure = tuple[str | None, Problem]
Checker = Callable[[list[str], int, int], "MeasurementRow | Failure"]

_new_row = tuple.__new__


def make_checker(catalogue: Catalogue, today: date, layout: Layout) -> Checker:
    """The function that checks one record ``(cells, row, line)`` of a file with
    ``layout``: it returns the :class:`MeasurementRow` of a valid record or
    ``(column, problem)``."""
    width = len(layout.header)
    columns = layout.columns
    # Optional columns the file lacks read a padding cell, always empty.
    needed = width + (0 if all(field in columns for field in FIELDS) else 1)
    (i_site, i_station, i_sample, i_date, i_medium, i_parameter, i_value, i_unit) = (
        columns[field] for field in FIELDS[:8]
    )
    i_qualifier, i_limit, i_lab, i_method, i_comment = (
        columns.get(field, width) for field in FIELDS[8:]
    )

    sites = Cache(interpret.site_code)
    stations = Cache(partial(interpret.station, catalogue))
    dates = Cache(partial(interpret.sampled_at, today))
    media = Cache(partial(interpret.medium, catalogue))
    targets = Cache(lambda medium: Cache(partial(interpret.parameter, catalogue, medium)))
    values = Cache(interpret.value)
    qualifiers = Cache(interpret.qualifier)
    limits = Cache(interpret.detection_limit)
    texts = Cache(str.strip)
    seen: dict[int, int] = {}

    def check(cells: list[str], row: int, line: int) -> MeasurementRow | Failure:
        if len(cells) < needed:
            cells.extend([""] * (needed - len(cells)))

        site = sites[cells[i_site]]
        if type(site) is Problem:
            return "site_code", site
        station = stations[cells[i_station]]
        if type(station) is Problem:
            return "station_code", station
        if station.site_code != site:
            return "station_code", Problem(
                UNKNOWN_STATION,
                _("Station %(station)s is registered at site %(registered)s, not %(site)s."),
                {"station": station.code, "registered": station.site_code, "site": site},
            )
        sample = cells[i_sample].strip()
        if not sample:
            return "sample_id", missing("sample_id")
        moment = dates[cells[i_date]]
        if type(moment) is Problem:
            return "sampled_at", moment
        medium = media[cells[i_medium]]
        if type(medium) is Problem:
            return "medium", medium
        if station.media is not None and medium not in station.media:
            return "medium", Problem(
                MEDIUM_MISMATCH,
                _("Station %(station)s measures %(media)s, not %(medium)s."),
                {
                    "station": station.code,
                    "media": ", ".join(sorted(station.media)),
                    "medium": medium,
                },
            )
        target = targets[medium][cells[i_parameter]]
        if type(target) is Problem:
            return "parameter", target
        parsed = values[cells[i_value]]
        if type(parsed) is Problem:
            return "value", parsed
        conversion = target.units[cells[i_unit]]
        if type(conversion) is Problem:
            return "unit", conversion
        qualifier = qualifiers[cells[i_qualifier]]
        if type(qualifier) is Problem:
            return "qualifier", qualifier
        limit = limits[cells[i_limit]]
        if type(limit) is Problem:
            return "detection_limit", limit
        if limit is EMPTY:
            limit = None

        if parsed is not EMPTY and parsed.kind == DETECTED and qualifier is None:
            number = parsed.number  # the common case, without a call
        else:
            number, qualifier = outcome = _combine(parsed, qualifier, limit)
            if type(qualifier) is Problem:
                return outcome
        value = number if conversion.identity else conversion.apply(number)
        if (target.low is not None and value < target.low) or (
            target.high is not None and value > target.high
        ):
            return "value", _out_of_range(target, cells[i_value].strip())
        if qualifier == BELOW and not value:
            # A non-detect's value is its reporting limit; a limit of 0 would store the
            # non-detect as 0, which is what WQX users got wrong.
            column = "detection_limit" if parsed is EMPTY or parsed.number is None else "value"
            return column, Problem(
                OUT_OF_RANGE, _("A non-detect's reporting limit must be above 0.")
            )
        if limit is not None and not conversion.identity:
            limit = conversion.apply(limit)

        # Only valid rows are remembered: a copy of an invalid row reports its own defect.
        # A 64-bit hash, not the cells, keeps a million rows in tens of megabytes; two
        # different rows share one with a probability of about n²/2⁶⁵ (3e-8 at 1M rows).
        key = hash(tuple(map(str.strip, cells)))
        first = seen.get(key)
        if first is not None:
            return None, Problem(
                DUPLICATE_ROW, _("The row repeats row %(row)s exactly."), {"row": first}
            )
        seen[key] = row

        return _new_row(
            MeasurementRow,
            (
                row,
                line,
                site,
                station.code,
                sample,
                moment.iso,
                moment.utc,
                medium,
                target.measurand.parameter,
                value,
                conversion.unit,
                qualifier == BELOW,
                qualifier,
                limit,
                texts[cells[i_lab]],
                texts[cells[i_method]],
                cells[i_comment].strip(),
            ),
        )

    return check


def _combine(
    parsed: Any, qualifier: str | None, limit: Decimal | None
) -> tuple[Decimal, str | None] | Failure:
    """The number a record reports and its qualifier, from the value cell, the qualifier
    cell and the detection limit: ``<x`` and a ``<`` qualifier make a non-detect at x; a
    non-detect token (or an empty value with a ``<`` qualifier) one at the limit."""
    if parsed is EMPTY:
        if qualifier == BELOW and limit is not None:
            return limit, BELOW
        return "value", missing("value")
    kind = parsed.kind
    if kind == NOT_DETECTED:
        if qualifier == ABOVE:
            return "qualifier", _conflict(qualifier)
        if limit is None:
            return "detection_limit", Problem(
                MISSING_REQUIRED,
                _("A non-detect needs its detection limit in the detection_limit column."),
            )
        return limit, BELOW
    if kind in (BELOW, ABOVE):
        if qualifier is not None and qualifier != kind:
            return "qualifier", _conflict(qualifier)
        return parsed.number, kind
    return parsed.number, qualifier


def _conflict(qualifier: str) -> Problem:
    return Problem(
        UNPARSEABLE_VALUE,
        _("The qualifier %(qualifier)s contradicts the value."),
        {"qualifier": qualifier},
    )


def _out_of_range(target: Target, value: str) -> Problem:
    if target.range_code == NEGATIVE_VALUE:
        return Problem(
            NEGATIVE_VALUE,
            _("%(value)s is negative; %(parameter)s cannot be below 0."),
            {"value": value, "parameter": target.measurand.parameter},
        )
    return Problem(
        OUT_OF_RANGE,
        _("%(value)s is outside the possible range of %(parameter)s (%(low)s to %(high)s)."),
        {
            "value": value,
            "parameter": target.measurand.parameter,
            "low": "−∞" if target.low is None else target.low,
            "high": "∞" if target.high is None else target.high,
        },
    )

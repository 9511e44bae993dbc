"""Checking records: one error per invalid row, in column order; non-detects, qualifiers,
ranges, stations, media, dates relative to the import date, duplicates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from minehub.monitoring.importing import (
    FIELDS,
    Catalogue,
    MeasurementRow,
    default_catalogue,
    interpret,
    validate,
)
from minehub.monitoring.tests.helpers import GOOD, TODAY, check, csv_bytes, only_error

GOOD_CELLS = GOOD.split(",")
COLUMNS = FIELDS


def row(**cells: str) -> str:
    """GOOD with some cells replaced, by column name."""
    values = dict(zip(COLUMNS, GOOD_CELLS, strict=True))
    values.update(cells)
    return ",".join(values[column] for column in COLUMNS)


def one(catalogue: Catalogue, **cells: str) -> Any:
    """The valid row, or (row, column, code) of the error, of a one-row file."""
    report = check(csv_bytes(row(**cells)), catalogue)
    return report.valid_rows[0] if report.valid_rows else only_error(report)


def outcome(got: Any, attribute: str = "") -> Any:
    """The error code, or the valid row's ``attribute`` (or "valid")."""
    if isinstance(got, MeasurementRow):
        return getattr(got, attribute) if attribute else "valid"
    return got[2]


# ---------------------------------------------------------------------------- non-detects


def test_a_less_than_value_is_a_non_detect_at_its_limit(catalogue: Catalogue) -> None:
    got = one(catalogue, value="<0.2", unit="ppb", detection_limit="0.2")
    assert (got.non_detect, got.qualifier, got.value, got.detection_limit) == (
        True,
        "<",
        Decimal("0.0002"),
        Decimal("0.0002"),
    )


@pytest.mark.parametrize("token", ["ND", "н.о.", "<DL", "илрээгүй", "Not Detected"])
def test_a_non_detect_token_takes_the_detection_limit_never_zero(
    token: str, catalogue: Catalogue
) -> None:
    got = one(catalogue, value=token, unit="мкг/л", detection_limit="0.5")
    assert (got.non_detect, got.qualifier, got.value, got.detection_limit) == (
        True,
        "<",
        Decimal("0.0005"),
        Decimal("0.0005"),
    )


def test_a_less_than_qualifier_makes_the_value_a_non_detect(catalogue: Catalogue) -> None:
    got = one(catalogue, value="0.001", qualifier="<")
    assert (got.non_detect, got.qualifier, got.value) == (True, "<", Decimal("0.001"))
    got = one(catalogue, value="", qualifier="<", detection_limit="0.001")
    assert (got.non_detect, got.value) == (True, Decimal("0.001"))
    got = one(catalogue, value="0.001", qualifier="ND")
    assert got.non_detect


def test_a_greater_than_result_is_a_bound_not_a_non_detect(catalogue: Catalogue) -> None:
    got = one(catalogue, value=">5000", unit="µg/L")
    assert (got.non_detect, got.qualifier, got.value) == (False, ">", Decimal("5"))
    got = one(catalogue, value="5", qualifier=">")
    assert (got.non_detect, got.qualifier) == (False, ">")


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"value": "ND", "detection_limit": ""}, (1, "detection_limit", "missing_required")),
        ({"value": "", "qualifier": ""}, (1, "value", "missing_required")),
        ({"value": "", "qualifier": "<", "detection_limit": ""}, (1, "value", "missing_required")),
        ({"value": "<1", "qualifier": ">"}, (1, "qualifier", "unparseable_value")),
        ({"value": "ND", "qualifier": ">"}, (1, "qualifier", "unparseable_value")),
        ({"qualifier": "J"}, (1, "qualifier", "unparseable_value")),
        ({"detection_limit": "<0.001"}, (1, "detection_limit", "unparseable_value")),
        ({"detection_limit": "-0.001"}, (1, "detection_limit", "negative_value")),
        ({"value": "<0"}, (1, "value", "out_of_range")),
        ({"value": "ND", "detection_limit": "0"}, (1, "detection_limit", "out_of_range")),
    ],
)
def test_contradictory_or_incomplete_non_detects_are_refused(
    cells: dict[str, str], expected: tuple[int, str, str], catalogue: Catalogue
) -> None:
    assert one(catalogue, **cells) == expected


@given(
    limit=st.decimals(min_value=Decimal("0.000001"), max_value=Decimal(1000), places=6),
    unit=st.sampled_from([("mg/L", 0), ("µg/L", -3), ("g/L", 3), ("ppb", -3)]),
    token=st.sampled_from(["ND", "н/о", "<ПО", "n.d."]),
)
def test_every_non_detect_is_stored_at_its_limit_in_the_canonical_unit(
    limit: Decimal, unit: tuple[str, int], token: str
) -> None:
    catalogue = _catalogue()
    got = one(catalogue, value=token, unit=unit[0], detection_limit=f"{limit:f}")
    assert got.non_detect and got.value == got.detection_limit == limit.scaleb(unit[1])
    assert got.value > 0


# ---------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("parameter", "value", "expected"),
    [
        ("pH", "0", "valid"),
        ("pH", "14", "valid"),
        ("pH", "14.01", "out_of_range"),
        ("pH", "-0.1", "out_of_range"),
        ("As", "-0.001", "negative_value"),
        ("As", "0", "valid"),
        ("As", "1e6", "valid"),
    ],
)
def test_ph_lies_in_0_to_14_and_amounts_are_not_negative(
    parameter: str, value: str, expected: str, catalogue: Catalogue
) -> None:
    unit = "pH" if parameter == "pH" else "mg/L"
    got = one(catalogue, parameter=parameter, value=value, unit=unit, detection_limit="")
    assert outcome(got) == expected


# ---------------------------------------------------------------------------- identity


@pytest.mark.parametrize(
    ("station", "expected"),
    [
        (" MN-ZAA-W01 ", "valid"),
        ("mn-zaa-w01", "unknown_station"),
        ("MN-ZAA-W1", "unknown_station"),
        ("MN-ZAA-WO1", "unknown_station"),
        ("MN-BOR-W02", "unknown_station"),  # registered, but at another site
    ],
)
def test_station_codes_match_exactly_after_trimming(
    station: str, expected: str, catalogue: Catalogue
) -> None:
    got = one(catalogue, station_code=station)
    assert outcome(got) == expected


def test_a_station_at_another_site_is_named_in_the_message(catalogue: Catalogue) -> None:
    report = check(csv_bytes(row(station_code="MN-BOR-W02")), catalogue)
    assert "MN-BOR" in report.errors[0].message


@pytest.mark.parametrize(
    ("medium", "expected"),
    [
        ("ВОДА", "water"),
        (" Ус ", "water"),
        ("суу", "water"),
        ("surface water", "water"),
        ("wter", "unknown_medium"),
        ("soil", "medium_mismatch"),  # MN-ZAA-W01 is a water station
    ],
)
def test_media_are_matched_by_alias(medium: str, expected: str, catalogue: Catalogue) -> None:
    got = one(catalogue, medium=medium)
    assert outcome(got, "medium") == expected


@pytest.mark.parametrize(
    ("parameter", "medium", "station", "expected"),
    [
        ("рН", "water", "MN-ZAA-W01", "pH"),  # Cyrillic р and Н
        ("рH", "water", "MN-ZAA-W01", "pH"),
        ("МЫШЬЯК", "water", "MN-ZAA-W01", "As"),
        ("Хүнцэл", "water", "MN-ZAA-W01", "As"),
        ("Сымап", "water", "MN-ZAA-W01", "Hg"),
        ("Взвешенные вещества", "water", "MN-ZAA-W01", "TSS"),
        ("Взвешенные вещества", "air", "MN-ZAA-A01", "TSP"),
        ('"pm 2,5"', "air", "MN-ZAA-A01", "PM2.5"),
        ("PM10", "water", "MN-ZAA-W01", "unknown_parameter"),
        ("Arsenik", "water", "MN-ZAA-W01", "unknown_parameter"),
    ],
)
def test_parameters_are_matched_by_alias_within_their_medium(
    parameter: str, medium: str, station: str, expected: str, catalogue: Catalogue
) -> None:
    unit = {"pH": "", "air": "µg/m3"}.get(expected, "µg/m3" if medium == "air" else "mg/L")
    got = one(catalogue, parameter=parameter, medium=medium, station_code=station, unit=unit)
    assert outcome(got, "parameter") == expected


@pytest.mark.parametrize("column", COLUMNS[:6])
def test_an_empty_required_cell_is_missing_required_in_its_column(
    column: str, catalogue: Catalogue
) -> None:
    assert one(catalogue, **{column: "  "}) == (1, column, "missing_required")


def test_a_row_with_several_defects_reports_the_first_in_column_order(
    catalogue: Catalogue,
) -> None:
    got = one(catalogue, station_code="NOPE", parameter="Xx", value="abc", unit="mg/ll")
    assert got == (1, "station_code", "unknown_station")
    got = one(catalogue, parameter="Xx", value="abc", unit="mg/ll")
    assert got == (1, "parameter", "unknown_parameter")
    got = one(catalogue, value="abc", unit="mg/ll")
    assert got == (1, "value", "unparseable_value")


# ---------------------------------------------------------------------------- dates


def test_dates_are_future_only_after_the_import_date(catalogue: Catalogue) -> None:
    today = date(2024, 6, 12)
    data = csv_bytes(
        row(sampled_at="2024-06-12"),
        row(sampled_at="2024-06-12T23:30:00-05:00", sample_id="S-2"),
        row(sampled_at="13.06.2024", sample_id="S-3"),
    )
    report = check(data, catalogue, today=today)
    assert [(e.row, e.code) for e in report.errors] == [(3, "future_date")]
    later = check(data, catalogue, today=today + timedelta(days=1))
    assert later.rows_valid == 3


# ---------------------------------------------------------------------------- duplicates


def test_a_row_identical_after_trimming_is_a_duplicate_of_the_first(catalogue: Catalogue) -> None:
    spaced = ", ".join(GOOD_CELLS) + "  "
    data = csv_bytes(GOOD, row(parameter="Pb"), spaced, GOOD.replace("Lab", "LAB"))
    report = check(data, catalogue)
    assert [(e.row, e.column, e.code) for e in report.errors] == [(3, None, "duplicate_row")]
    assert "row 1" in report.errors[0].message
    assert [r.row for r in report.valid_rows] == [1, 2, 4]


def test_a_copy_of_an_invalid_row_reports_the_defect_not_a_duplicate(catalogue: Catalogue) -> None:
    bad = row(station_code="MN-ZAA-W09")
    report = check(csv_bytes(bad, bad), catalogue)
    assert [e.code for e in report.errors] == ["unknown_station", "unknown_station"]


# ---------------------------------------------------------------------------- engine


def test_messages_render_in_the_language_active_when_read(catalogue: Catalogue) -> None:
    report = check(csv_bytes(row(unit="mg/kg")), catalogue)
    english = report.errors[0].message
    with translation.override("ru"):
        assert report.errors[0].message  # rendered again, now, in Russian where translated
    assert "mg/kg" in english and "concentration in water" in english


def test_bounded_caches_give_the_same_report(
    monkeypatch: pytest.MonkeyPatch, catalogue: Catalogue
) -> None:
    lines = [row(value=f"0.{n:04d}", sample_id=f"S-{n % 7}") for n in range(1, 300)]
    lines += lines[:5] + [row(station_code="X")] * 3
    data = csv_bytes(*lines)
    normal = validate(data, "t.csv", catalogue, TODAY)
    monkeypatch.setattr(interpret, "CACHE_LIMIT", 3)
    tiny = validate(data, "t.csv", catalogue, TODAY)
    assert tiny.as_json() == normal.as_json()
    assert tiny.valid_rows == normal.valid_rows


_CATALOGUE: list[Catalogue] = []


def _catalogue() -> Catalogue:
    # Hypothesis tests cannot take function-scoped fixtures; build the catalogue once.
    if not _CATALOGUE:
        from minehub.monitoring.importing import stations_from_layout
        from minehub.monitoring.tests.helpers import load_json

        _CATALOGUE.append(default_catalogue(stations_from_layout(load_json("stations.json"))))
    return _CATALOGUE[0]

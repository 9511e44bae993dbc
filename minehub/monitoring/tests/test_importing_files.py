"""Every reference file against its expected report (monitoring-dev/expected.json): the
counts, each invalid row's row, line, column and code, each valid row's normalised values."""

from __future__ import annotations

from typing import Any

import pytest

from minehub.monitoring.importing import (
    FILE_CODES,
    ROW_CODES,
    Catalogue,
    Report,
    Station,
    default_catalogue,
    iter_valid_rows,
    validate,
)
from minehub.monitoring.tests.helpers import DEV, TODAY, load_json

FILES = sorted(load_json("expected.json")["files"])
# The column each code points at; missing_required rows name theirs in the fixture note.
COLUMN_OF_CODE = {
    "unknown_parameter": "parameter",
    "unknown_unit": "unit",
    "unit_mismatch": "unit",
    "negative_value": "value",
    "out_of_range": "value",
    "unknown_station": "station_code",
    "bad_date": "sampled_at",
    "future_date": "sampled_at",
    "duplicate_row": None,
    "unparseable_value": "value",
}
MISSING_COLUMN = {("05_broken_rows.csv", 15): "value", ("05_broken_rows.csv", 16): "unit"}
# The parameters of the conventions' minimum catalogue; rows naming anything else are
# expected to be unknown_parameter, and a catalogue that knows the parameter may accept it.
MINIMUM_CATALOGUE = {"As", "Hg", "Cd", "Pb", "Cu", "Zn", "pH", "CN", "SO4", "TSS", "PM10", "PM2.5"}


def _report(name: str, catalogue: Catalogue) -> Report:
    return validate((DEV / name).read_bytes(), name, catalogue, TODAY)


def _accepted_unknowns(report: Report, spec: dict[str, Any]) -> list[Any]:
    """Valid rows whose expected error is unknown_parameter."""
    unknown = {row["row"] for row in spec["invalid_rows"] if row["error"] == "unknown_parameter"}
    return [row for row in report.valid_rows if row.row in unknown]


@pytest.mark.parametrize("name", FILES)
def test_counts_match_the_expected_report(
    name: str, expected: dict[str, Any], catalogue: Catalogue
) -> None:
    spec = expected["files"][name]
    report = _report(name, catalogue)
    accepted = len(_accepted_unknowns(report, spec))
    assert report.readable
    assert report.rows_total == spec["rows_total"]
    assert report.rows_valid == spec["rows_valid"] + accepted
    assert report.rows_invalid == spec["rows_invalid"] - accepted
    assert len(report.errors) == report.rows_invalid  # one error per invalid row


@pytest.mark.parametrize("name", FILES)
def test_every_invalid_row_has_the_expected_row_line_column_and_code(
    name: str, expected: dict[str, Any], catalogue: Catalogue
) -> None:
    spec = expected["files"][name]
    report = _report(name, catalogue)
    accepted = {row.row for row in _accepted_unknowns(report, spec)}
    errors = {error.row: error for error in report.errors}
    for invalid in spec["invalid_rows"]:
        if invalid["row"] in accepted:
            continue
        error = errors.pop(invalid["row"])
        column = MISSING_COLUMN.get((name, invalid["row"])) or COLUMN_OF_CODE[invalid["error"]]
        assert (error.line, error.column, error.code) == (
            invalid["line"],
            column,
            invalid["error"],
        ), invalid["note"]
        assert error.message and "%(" not in error.message
    assert not errors, "errors the expected report does not have"


@pytest.mark.parametrize("name", FILES)
def test_an_accepted_unknown_parameter_is_one_the_catalogue_knows(
    name: str, expected: dict[str, Any], catalogue: Catalogue
) -> None:
    # The conventions allow accepting an "unknown_parameter" row only for a parameter the
    # platform's catalogue really has: the row must map to a catalogue parameter outside
    # the conventions' minimum twelve, in a medium the catalogue lists for it.
    for row in _accepted_unknowns(_report(name, catalogue), expected["files"][name]):
        assert row.parameter in catalogue.parameters
        assert row.parameter not in MINIMUM_CATALOGUE
        assert row.medium in catalogue.parameters[row.parameter].media


def test_the_dev_files_accept_antimony_and_uranium_which_the_catalogue_knows(
    expected: dict[str, Any], catalogue: Catalogue
) -> None:
    uranium = _report("02_russian_lab_cp1251.csv", catalogue).valid_rows[19]
    assert (uranium.row, uranium.parameter, uranium.unit) == (20, "U", "mg/L")
    assert float(uranium.value) == 0.0123 and float(uranium.detection_limit) == 0.0005
    antimony = _report("05_broken_rows.csv", catalogue).valid_rows[1]
    assert (antimony.row, antimony.parameter, float(antimony.value)) == (2, "Sb", 0.0012)


@pytest.mark.parametrize("name", FILES)
def test_a_catalogue_of_only_the_minimum_parameters_reports_them_unknown(
    name: str, expected: dict[str, Any], catalogue: Catalogue
) -> None:
    shipped = default_catalogue()
    minimal = Catalogue(
        stations=catalogue.stations.values(),
        parameters=[p for code, p in shipped.parameters.items() if code in MINIMUM_CATALOGUE],
        media=shipped.media.values(),
        families=shipped.families.values(),
    )
    spec = expected["files"][name]
    report = _report(name, minimal)
    assert (report.rows_total, report.rows_valid, report.rows_invalid) == (
        spec["rows_total"],
        spec["rows_valid"],
        spec["rows_invalid"],
    )
    assert report.error_counts() == spec["error_counts"]


@pytest.mark.parametrize("name", FILES)
def test_every_valid_row_is_normalised_as_expected(
    name: str, expected: dict[str, Any], catalogue: Catalogue
) -> None:
    spec = expected["files"][name]
    rows = {row.row: row for row in _report(name, catalogue).valid_rows}
    for wanted in spec["valid_rows"]:
        got = rows.pop(wanted["row"]).as_json()
        # Decimal arithmetic: 4.2 µg/L is 0.0042 mg/L exactly, so floats compare equal.
        assert {key: got[key] for key in wanted} == wanted
    # Left over: only the accepted "unknown" parameters.
    assert all(row.parameter not in MINIMUM_CATALOGUE for row in rows.values())


def test_valid_rows_carry_the_other_columns_trimmed(catalogue: Catalogue) -> None:
    first = _report("02_russian_lab_cp1251.csv", catalogue).valid_rows[0]
    assert first.site_code == "KG-CHT"
    assert first.sample_id == "П-0417/24"
    assert first.lab == "ИЛ «Чаткал-Эко»"
    assert first.method == "ГОСТ 31870-2012"
    assert first.comment == "р. Чаткал, 500 м ниже сброса"
    assert str(first.value) == "0.012"  # the lab's own digits, not a float's


@pytest.mark.parametrize("name", FILES)
def test_the_json_report_has_the_cli_keys(name: str, catalogue: Catalogue) -> None:
    report = _report(name, catalogue)
    data = report.as_json()
    assert list(data)[:5] == ["rows_total", "rows_valid", "rows_invalid", "errors", "exceedances"]
    assert data["exceedances"] == []
    for error in data["errors"]:
        assert list(error) == ["row", "column", "code", "message"]
        assert error["code"] in ROW_CODES and error["code"] not in FILE_CODES


def test_the_report_keeps_a_hook_for_exceedances(catalogue: Catalogue) -> None:
    report = _report("01_baseline_clean.csv", catalogue)
    report.exceedances.append({"row": 12, "standard": "WHO GDWQ", "ratio": 1.1})
    assert report.as_json()["exceedances"] == [{"row": 12, "standard": "WHO GDWQ", "ratio": 1.1}]


@pytest.mark.parametrize("name", FILES)
def test_streaming_gives_the_same_rows_and_report(name: str, catalogue: Catalogue) -> None:
    whole = _report(name, catalogue)
    streamed = Report(name)
    rows = list(iter_valid_rows((DEV / name).read_bytes(), catalogue, TODAY, streamed))
    assert rows == whole.valid_rows
    assert streamed.as_json() == whole.as_json()
    light = validate((DEV / name).read_bytes(), name, catalogue, TODAY, keep_rows=False)
    assert light.valid_rows == [] and light.as_json() == whole.as_json()


def test_the_layout_reports_encoding_delimiter_and_header_line(
    expected: dict[str, Any], catalogue: Catalogue
) -> None:
    for name, spec in expected["files"].items():
        layout = _report(name, catalogue).layout
        assert layout is not None
        encoding = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "cp1251": "cp1251"}
        assert layout.encoding == encoding[spec["encoding"]]
        assert layout.delimiter == spec["delimiter"]
        assert layout.header_line == spec["header_line"]


def test_station_media_are_enforced_when_the_registry_gives_them(catalogue: Catalogue) -> None:
    # A copy of the baseline where every station is said to measure air only: every water,
    # soil and sediment row becomes medium_mismatch, and nothing else changes.
    airy = default_catalogue(
        Station(s.code, s.site_code, frozenset({"air"})) for s in catalogue.stations.values()
    )
    report = _report("01_baseline_clean.csv", airy)
    assert report.rows_valid == 1
    assert set(report.error_counts()) == {"medium_mismatch"}

"""The cell parsers on their own: values, units and dates, by example and by property."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minehub.monitoring.importing import Catalogue, Problem
from minehub.monitoring.importing.catalogue import Measurand
from minehub.monitoring.importing.dates import parse_sampled_at
from minehub.monitoring.importing.keys import match_key
from minehub.monitoring.importing.units import conversion, resolve_unit
from minehub.monitoring.importing.values import (
    ABOVE,
    BELOW,
    DETECTED,
    NOT_DETECTED,
    parse_number,
    parse_value,
)

# ---------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "kind", "number"),
    [
        ("0.0042", DETECTED, "0.0042"),
        ("0,012", DETECTED, "0.012"),
        (" 7.85 ", DETECTED, "7.85"),
        ("186", DETECTED, "186"),
        ("-0.002", DETECTED, "-0.002"),
        ("+3", DETECTED, "3"),
        ("1 234,5", DETECTED, "1234.5"),
        ("1\u00a0234\u00a0567.25", DETECTED, "1234567.25"),
        ("12\u202f500", DETECTED, "12500"),
        ("1.2E-3", DETECTED, "0.0012"),
        ("1,2e-3", DETECTED, "0.0012"),
        ("5e2", DETECTED, "500"),
        (".5", DETECTED, "0.5"),
        ("\u22120.5", DETECTED, "-0.5"),
        ("<0,001", BELOW, "0.001"),
        ("< 0.001", BELOW, "0.001"),
        ("<1e-4", BELOW, "0.0001"),
        (">5000", ABOVE, "5000"),
        ("> 2,5", ABOVE, "2.5"),
    ],
)
def test_numbers_and_censored_values_are_read_exactly(text: str, kind: str, number: str) -> None:
    parsed = parse_value(text)
    assert parsed is not None
    assert parsed.kind == kind
    assert parsed.number == Decimal(number)


@pytest.mark.parametrize(
    "text",
    [
        "ND",
        "nd",
        "n.d.",
        "N.D.",
        "<DL",
        "< DL",
        "н.о.",
        "Н.О.",
        "н/о",
        "<ПО",
        "илрээгүй",
        "Not Detected",
        "Below Method Detection Limit",
        "Detected Not Quantified",
        "Present Below Quantification Limit",
        "не обнаружено",
        "табылган жок",
    ],
)
def test_non_detect_tokens_are_non_detects_without_a_number(text: str) -> None:
    assert parse_value(text) == parse_value("ND")
    parsed = parse_value(text)
    assert parsed is not None and parsed.kind == NOT_DETECTED and parsed.number is None


@pytest.mark.parametrize(
    "text",
    [
        "0..012",
        "1,2,3",
        "1.2.3",
        "1,234.5",
        "#VALUE!",
        "#DIV/0!",
        "12a",
        "a12",
        "1O",
        "abc",
        "1 23",
        "12 3456",
        "--1",
        "<",
        "<<1",
        "<abc",
        "nan",
        "NaN",
        "inf",
        "Infinity",
        "1_000",
        "1e999",
        "0x1A",
        "1/2",
        "~5",
        "5 mg/L",
        "Above Operating Range",
        "-",
        "e5",
        "1e",
        "1.",
        "١٢",  # Arabic-Indic digits: not what a lab report means by a number
    ],
)
def test_typos_and_free_text_are_unparseable_never_repaired(text: str) -> None:
    with pytest.raises(Problem) as caught:
        parse_value(text)
    assert caught.value.code == "unparseable_value"
    assert caught.value.message


def test_a_spreadsheet_error_is_named_as_such() -> None:
    with pytest.raises(Problem) as caught:
        parse_value("#VALUE!")
    assert "spreadsheet error" in caught.value.message


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_an_empty_cell_has_no_value(text: str) -> None:
    assert parse_value(text) is None


def test_a_detection_limit_must_be_a_plain_number() -> None:
    assert parse_number("0,005") == Decimal("0.005")
    for text in ("<0.005", "ND", "", "0..5"):
        with pytest.raises(Problem):
            parse_number(text)


decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=6
)


def _grouped(whole: str, separator: str) -> str:
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join([whole, *groups])


@given(
    number=decimals,
    point=st.sampled_from([".", ","]),
    separator=st.sampled_from(["", " ", "\u00a0", "\u202f"]),
)
def test_any_decimal_written_with_comma_point_and_separators_reads_back(
    number: Decimal, point: str, separator: str
) -> None:
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    text = sign + _grouped(whole, separator) + (point + fraction if fraction else "")
    parsed = parse_value(text)
    assert parsed is not None and parsed.kind == DETECTED
    assert parsed.number == number


@given(number=decimals)
def test_any_decimal_in_scientific_notation_reads_back(number: Decimal) -> None:
    parsed = parse_value(f"{number:e}")
    assert parsed is not None and parsed.number == Decimal(f"{number:e}")


@given(number=decimals.filter(lambda d: d >= 0), space=st.sampled_from(["", " "]))
def test_a_less_than_value_is_a_censored_value_at_its_number(number: Decimal, space: str) -> None:
    parsed = parse_value(f"<{space}{number:f}")
    assert parsed is not None and (parsed.kind, parsed.number) == (BELOW, number)


@given(
    number=decimals,
    letter=st.characters(categories=["Lu", "Ll"]).filter(lambda c: c not in "eE"),
    position=st.integers(min_value=0, max_value=30),
)
def test_a_stray_letter_in_a_number_is_never_repaired(
    number: Decimal, letter: str, position: int
) -> None:
    text = f"{number:f}"
    position = min(position, len(text))
    with pytest.raises(Problem):
        parse_value(text[:position] + letter + text[position:])


@given(number=decimals.filter(lambda d: d != d.to_integral_value()))
def test_a_doubled_decimal_point_is_never_repaired(number: Decimal) -> None:
    with pytest.raises(Problem):
        parse_value(f"{number:f}".replace(".", ".."))


@given(st.text(max_size=40))
def test_any_text_is_a_value_none_or_a_problem_never_a_crash(text: str) -> None:
    try:
        parsed = parse_value(text)
    except Problem as problem:
        assert problem.code == "unparseable_value"
        return
    if parsed is not None and parsed.number is not None:
        assert parsed.number.is_finite()


# ---------------------------------------------------------------------------- units

WATER = Measurand("As", "water", "water_mass", "mg/L", Decimal(0), None)
SOIL = Measurand("As", "soil", "solid_mass", "mg/kg", Decimal(0), None)
AIR = Measurand("PM10", "air", "air_mass", "µg/m3", Decimal(0), None)
PH = Measurand("pH", "water", "ph", "pH units", Decimal(0), Decimal(14))
FAMILY_OF_GROUP = {
    "water_mg_per_L": WATER,
    "soil_sediment_mg_per_kg": SOIL,
    "air_ug_per_m3": AIR,
    "pH": PH,
}


def test_every_unit_of_the_conventions_converts_by_its_factor(
    conventions: dict[str, Any], catalogue: Catalogue
) -> None:
    table = conventions["unit_aliases_and_factors_to_canonical"]
    for group, measurand in FAMILY_OF_GROUP.items():
        for unit, factor in table[group].items():
            found = resolve_unit(catalogue, unit, measurand)
            assert found.factor == Decimal(factor), (group, unit)
            assert found.unit == measurand.unit


@pytest.mark.parametrize(
    ("unit", "measurand"),
    [
        ("µg/m3", WATER),
        ("mg/kg", WATER),
        ("mg/m3", WATER),
        ("mg/L", AIR),
        ("mg/L", SOIL),
        ("ppb", SOIL),
        ("mg/L", PH),
        ("dBA", WATER),
    ],
)
def test_a_unit_of_another_medium_is_a_mismatch(
    unit: str, measurand: Measurand, catalogue: Catalogue
) -> None:
    with pytest.raises(Problem) as caught:
        resolve_unit(catalogue, unit, measurand)
    assert caught.value.code == "unit_mismatch"
    assert measurand.unit in caught.value.message


@pytest.mark.parametrize("unit", ["mg/ll", "mq/L", "µg/", "mg", "mg/L/L", "kg", "ppt", "мг/лл"])
def test_a_unit_in_no_table_is_unknown(unit: str, catalogue: Catalogue) -> None:
    with pytest.raises(Problem) as caught:
        resolve_unit(catalogue, unit, WATER)
    assert caught.value.code == "unknown_unit"


def test_only_ph_may_have_no_unit(catalogue: Catalogue) -> None:
    assert resolve_unit(catalogue, "", PH).unit == "pH units"
    with pytest.raises(Problem) as caught:
        resolve_unit(catalogue, " ", WATER)
    assert caught.value.code == "missing_required"


MICRO = ["µ", "μ", "u", "U"]


@given(
    unit=st.sampled_from(["µg/L", "µg/dm3", "µg/m3", "µg/kg", "µg/g", "µS/cm"]),
    micro=st.sampled_from(MICRO),
    cube=st.sampled_from(["3", "³"]),
    flips=st.lists(st.booleans(), min_size=12, max_size=12),
    padding=st.sampled_from(["", " ", "\u00a0", "\t"]),
)
def test_unit_spellings_fold_to_one_unit(
    unit: str, micro: str, cube: str, flips: list[bool], padding: str, catalogue: Catalogue
) -> None:
    spelled = unit.replace("µ", micro).replace("3", cube)
    spelled = "".join(c.swapcase() if flip else c for c, flip in zip(spelled, flips, strict=False))
    assert catalogue.unit(padding + spelled + padding) == catalogue.unit(unit)


@given(
    number=st.decimals(min_value=0, max_value=Decimal("1e9"), allow_nan=False, places=8),
    unit=st.sampled_from(["µg/L", "ppb", "мкг/л", "g/L", "mg/L", "ng/L"]),
)
def test_conversion_is_exact_decimal_arithmetic(
    number: Decimal, unit: str, catalogue: Catalogue
) -> None:
    found = resolve_unit(catalogue, unit, WATER)
    assert found.apply(number) == number * found.factor


def test_micrograms_per_litre_become_milligrams_exactly(catalogue: Catalogue) -> None:
    found = resolve_unit(catalogue, "µg/L", WATER)
    assert found.apply(Decimal("4.2")) == Decimal("0.0042")
    assert float(found.apply(Decimal("4.2"))) == 0.0042  # not 0.004200000000000001


def test_a_factor_that_is_not_a_power_of_ten_multiplies() -> None:
    assert conversion("x", Decimal("1000")).exponent == 3
    assert conversion("x", Decimal("0.001")).exponent == -3
    assert conversion("x", Decimal("1")).exponent == 0
    odd = conversion("x", Decimal("2.5"))
    assert odd.exponent is None
    assert odd.apply(Decimal("4")) == Decimal("10.0")


def test_match_key_folds_cyrillic_look_alikes_and_micro_signs() -> None:
    assert match_key("рН") == match_key("pH") == match_key("рH") == match_key("PH")
    assert match_key("µg/m³") == match_key("μg/m3") == match_key("ug/m3") == match_key(" UG/M3 ")
    assert match_key("mq/L") != match_key("mg/L")


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "iso", "utc"),
    [
        ("2024-06-12", "2024-06-12", None),
        ("2024-06-13T10:30:00+08:00", "2024-06-13T10:30:00+08:00", "2024-06-13T02:30:00Z"),
        ("2024-06-13 10:30:00+08:00", "2024-06-13T10:30:00+08:00", "2024-06-13T02:30:00Z"),
        ("2024-01-15T07:00:00+0800", "2024-01-15T07:00:00+08:00", "2024-01-14T23:00:00Z"),
        ("2024-01-15T07:00+08", "2024-01-15T07:00:00+08:00", "2024-01-14T23:00:00Z"),
        ("2024-07-02T14:00:00Z", "2024-07-02T14:00:00+00:00", "2024-07-02T14:00:00Z"),
        ("2024-07-02T14:00:00", "2024-07-02T14:00:00", None),
        ("2024-07-02 14:00", "2024-07-02T14:00:00", None),
        (
            "2024-07-02T14:00:00.250-03:30",
            "2024-07-02T14:00:00.250000-03:30",
            "2024-07-02T17:30:00.250000Z",
        ),
        ("03.07.2024", "2024-07-03", None),
        ("3.7.2024", "2024-07-03", None),
        ("05.07.2024 10:40", "2024-07-05T10:40:00", None),
        ("05.07.2024 10:40:15", "2024-07-05T10:40:15", None),
        ("2024.06.18", "2024-06-18", None),
        ("2024.06.18 09:05", "2024-06-18T09:05:00", None),
        (" 2024-02-29 ", "2024-02-29", None),
    ],
)
def test_accepted_date_forms(text: str, iso: str, utc: str | None) -> None:
    parsed = parse_sampled_at(text)
    assert (parsed.iso, parsed.utc) == (iso, utc)


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "07.13.2024",
        "32.01.2024",
        "2024-07-02T25:00:00+06:00",
        "2024-07-02T10:60",
        "2024-07-02T10:00:61",
        "2024-07-02T10:00:00+25:00",
        "2024-07-02T10:00:00+05:75",
        "07/13/2024",
        "13/07/2024",
        "2024/07/13",
        "24-07-02",
        "2024-7-2",
        "July 2, 2024",
        "45474",  # an Excel serial number pasted as text
        "1024-06-12",
        "2024-06-12T",
        "",
        "ND",
    ],
)
def test_impossible_ambiguous_and_unknown_dates_are_bad(text: str) -> None:
    with pytest.raises(Problem) as caught:
        parse_sampled_at(text)
    assert caught.value.code == "bad_date"


moments = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 12, 31))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15)


@given(moment=moments)
def test_russian_and_mongolian_forms_read_as_the_same_time(moment: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    iso = moment.isoformat()
    assert parse_sampled_at(moment.strftime("%d.%m.%Y %H:%M")).iso == iso
    assert parse_sampled_at(moment.strftime("%Y.%m.%d %H:%M")).iso == iso
    assert parse_sampled_at(moment.strftime("%Y-%m-%d %H:%M")).iso == iso
    assert parse_sampled_at(moment.strftime("%d.%m.%Y")).day == moment.date()


@given(moment=moments, minutes=offsets)
def test_an_offset_time_keeps_its_offset_and_gives_the_right_utc(
    moment: datetime, minutes: int
) -> None:
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes)))
    parsed = parse_sampled_at(aware.isoformat())
    assert parsed.iso == aware.isoformat()
    assert parsed.utc is not None
    assert datetime.fromisoformat(parsed.utc) == aware.astimezone(UTC)


@given(moment=moments)
def test_month_first_dates_are_never_accepted(moment: datetime) -> None:
    for pattern in ("%m/%d/%Y", "%d/%m/%Y", "%m-%d-%Y"):
        with pytest.raises(Problem):
            parse_sampled_at(moment.strftime(pattern))


@given(
    year=st.integers(min_value=1900, max_value=2100),
    month=st.integers(min_value=1, max_value=13),
    day=st.integers(min_value=1, max_value=32),
)
def test_a_date_parses_exactly_when_it_exists(year: int, month: int, day: int) -> None:
    try:
        real: date | None = date(year, month, day)
    except ValueError:
        real = None
    for text in (f"{year}-{month:02d}-{day:02d}", f"{day:02d}.{month:02d}.{year}"):
        if real is None:
            with pytest.raises(Problem):
                parse_sampled_at(text)
        else:
            assert parse_sampled_at(text).day == real


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_bad_date_never_a_crash(text: str) -> None:
    try:
        parse_sampled_at(text)
    except Problem as problem:
        assert problem.code == "bad_date"


def test_a_sample_time_before_monitoring_existed_is_a_typo() -> None:
    with pytest.raises(Problem):
        parse_sampled_at("0024-06-12")

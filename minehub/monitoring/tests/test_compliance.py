"""Comparing a result with limits: exceedance, alert, indeterminate non-detects."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from minehub.monitoring.compliance import Rule, assess, compliant_range
from minehub.monitoring.models import Compliance, ExceedanceLevel

ARSENIC = Rule(1, maximum=0.01, minimum=None)
PM10_DAY = Rule(2, maximum=100.0, minimum=None, alert_multiple=10.0)
PH = Rule(3, maximum=8.5, minimum=6.5)
OXYGEN = Rule(4, maximum=None, minimum=4.0)


def test_a_result_above_the_maximum_exceeds_it_with_its_ratio() -> None:
    result = assess(0.025, False, "", [ARSENIC])
    assert result.compliance == Compliance.EXCEEDS
    assert result.ratio == 2.5
    assert [(b.limit_id, b.level) for b in result.breaches] == [(1, ExceedanceLevel.EXCEEDS)]


def test_a_result_at_the_maximum_is_within_it() -> None:
    result = assess(0.01, False, "", [ARSENIC])
    assert (result.compliance, result.ratio, result.breaches) == (Compliance.COMPLIANT, 1.0, ())


def test_a_non_detect_below_the_maximum_is_compliant_and_has_no_ratio() -> None:
    result = assess(0.001, True, "<", [ARSENIC])
    assert (result.compliance, result.ratio) == (Compliance.COMPLIANT, None)


def test_a_non_detect_whose_detection_limit_is_above_the_maximum_is_indeterminate() -> None:
    result = assess(0.05, True, "<", [ARSENIC])
    assert result.compliance == Compliance.INDETERMINATE
    assert result.breaches[0].level == ExceedanceLevel.INDETERMINATE


def test_the_alert_multiple_raises_an_alert() -> None:
    assert assess(999.0, False, "", [PM10_DAY]).compliance == Compliance.EXCEEDS
    assert assess(1000.0, False, "", [PM10_DAY]).compliance == Compliance.ALERT


def test_a_range_limit_is_broken_on_either_side() -> None:
    assert assess(5.9, False, "", [PH]).compliance == Compliance.EXCEEDS
    assert assess(9.1, False, "", [PH]).compliance == Compliance.EXCEEDS
    assert assess(7.2, False, "", [PH]).compliance == Compliance.COMPLIANT


def test_a_minimum_not_detected_at_or_below_it_is_broken_and_above_it_unknown() -> None:
    assert assess(0.5, True, "<", [OXYGEN]).compliance == Compliance.EXCEEDS
    assert assess(5.0, True, "<", [OXYGEN]).compliance == Compliance.INDETERMINATE
    assert assess(3.0, False, "", [OXYGEN]).compliance == Compliance.EXCEEDS


def test_a_result_above_the_range_of_the_method_is_indeterminate_below_the_maximum() -> None:
    assert assess(0.005, False, ">", [ARSENIC]).compliance == Compliance.INDETERMINATE
    assert assess(0.02, False, ">", [ARSENIC]).compliance == Compliance.EXCEEDS


def test_without_limits_a_result_has_no_standing() -> None:
    assert assess(1e9, False, "", []).compliance == Compliance.NO_LIMIT


def test_the_worst_limit_decides_and_the_tightest_maximum_gives_the_ratio() -> None:
    loose = Rule(9, maximum=0.05, minimum=None)
    result = assess(0.02, False, "", [loose, ARSENIC])
    assert result.compliance == Compliance.EXCEEDS
    assert result.ratio == 2.0
    assert [b.limit_id for b in result.breaches] == [1]


@given(
    value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    maximum=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
)
def test_a_non_detect_is_never_an_exceedance_of_a_maximum(value: float, maximum: float) -> None:
    result = assess(value, True, "<", [Rule(1, maximum=maximum, minimum=None)])
    assert result.compliance in (Compliance.COMPLIANT, Compliance.INDETERMINATE)
    assert (result.compliance == Compliance.INDETERMINATE) == (value > maximum)


@given(
    value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    maximum=st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
)
def test_a_detected_value_exceeds_exactly_when_above_the_maximum(
    value: float, maximum: float
) -> None:
    result = assess(value, False, "", [Rule(1, maximum=maximum, minimum=None)])
    assert (result.compliance == Compliance.EXCEEDS) == (value > maximum)


_LIMIT_VALUES = st.one_of(st.none(), st.floats(min_value=-10, max_value=1e4, allow_nan=False))


@given(
    value=st.floats(min_value=-100, max_value=1e5, allow_nan=False, allow_infinity=False),
    bounds=st.lists(st.tuples(_LIMIT_VALUES, _LIMIT_VALUES, _LIMIT_VALUES), max_size=4),
)
def test_a_measured_value_in_the_compliant_range_is_assessed_compliant_with_its_ratio(
    value: float, bounds: list[tuple[float | None, float | None, float | None]]
) -> None:
    rules = [
        Rule(n, maximum, minimum, multiple) for n, (maximum, minimum, multiple) in enumerate(bounds)
    ]
    low, high, divisor = compliant_range(rules)
    result = assess(value, False, "", rules)
    if low <= value <= high:
        expected_ratio = None if divisor is None else value / divisor
        assert (result.compliance, result.ratio, result.breaches) == (
            Compliance.COMPLIANT,
            expected_ratio,
            (),
        )
    elif rules and value >= 0:
        # Outside the range a measured value that is not negative breaks some rule.
        assert result.compliance >= Compliance.INDETERMINATE

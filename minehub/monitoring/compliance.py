"""How a result compares with limits — pure functions, no database.

A limit has a maximum, a minimum or both (pH 6.5–8.5). For each limit a result is
*compliant*, *exceeds* it (or reaches the standard's public alert multiple), or is
*indeterminate*: a non-detect whose reporting limit lies above the maximum proves nothing,
and is never counted as compliant (the same holds, mirrored, for a result reported as
"above" a value below the maximum). A non-detect is never read as zero.

:func:`assess` gives the result's overall standing, the worst over its limits, and the
ratio of its value to the tightest maximum, so the list of exceedances and the compliance
summary say the same thing as the chart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from minehub.monitoring.models import Compliance, ExceedanceLevel


@dataclass(frozen=True, slots=True)
class Rule:
    """A limit as the comparison needs it: bounds and alert multiple as floats."""

    limit_id: int
    maximum: float | None
    minimum: float | None
    alert_multiple: float | None = None


@dataclass(frozen=True, slots=True)
class Breach:
    """One limit a result breaks or cannot be shown to meet."""

    limit_id: int
    level: str
    ratio: float | None


@dataclass(frozen=True, slots=True)
class Assessment:
    compliance: int
    ratio: float | None
    breaches: tuple[Breach, ...]


NO_LIMIT = Assessment(Compliance.NO_LIMIT, None, ())
_RANK = {
    ExceedanceLevel.INDETERMINATE: Compliance.INDETERMINATE,
    ExceedanceLevel.EXCEEDS: Compliance.EXCEEDS,
    ExceedanceLevel.ALERT: Compliance.ALERT,
}


def assess(value: float, non_detect: bool, qualifier: str, rules: Iterable[Rule]) -> Assessment:
    """The standing of a result against ``rules``. ``value`` is the result in the limits'
    unit; for a non-detect it is the reporting limit (the true value lies below it);
    ``qualifier`` ``>`` means the true value lies above it."""
    compliance = Compliance.NO_LIMIT
    worst_ratio: float | None = None
    breaches = []
    for rule in rules:
        compliance = max(compliance, Compliance.COMPLIANT)
        level, ratio = _against(rule, value, non_detect, qualifier == ">")
        if ratio is not None and (worst_ratio is None or ratio > worst_ratio):
            worst_ratio = ratio
        if level is not None:
            breaches.append(Breach(rule.limit_id, level, ratio))
            compliance = max(compliance, _RANK[level])
    if compliance == Compliance.NO_LIMIT:
        return NO_LIMIT
    return Assessment(compliance, worst_ratio, tuple(breaches))


class CompliantRange(NamedTuple):
    """The measured values that meet every one of a set of rules (see
    :func:`compliant_range`)."""

    low: float
    high: float
    # The tightest positive maximum (None: no rule has one).
    divisor: float | None


def compliant_range(rules: Iterable[Rule]) -> CompliantRange:
    """The range of measured values that meet every rule, so that a bulk import need not
    go through the rules for most results: for a value with ``low <= value <= high`` that
    is not a non-detect and has no ``>`` qualifier, :func:`assess` gives
    ``COMPLIANT``, no breach, and the ratio ``value / divisor`` (``None`` without a
    divisor). The range is empty without rules. It starts at 0: the largest of
    ``value / maximum`` is ``value / (smallest maximum)`` only for a value that is not
    negative (division rounds monotonically), so negative values take the full way."""
    rules = tuple(rules)
    if not rules:
        return CompliantRange(math.inf, -math.inf, None)
    maxima = [rule.maximum for rule in rules if rule.maximum is not None]
    minima = [rule.minimum for rule in rules if rule.minimum is not None]
    positive = [maximum for maximum in maxima if maximum > 0]
    return CompliantRange(
        max([0.0, *minima]),
        min(maxima, default=math.inf),
        min(positive) if positive else None,
    )


def _against(rule: Rule, value: float, below: bool, above: bool) -> tuple[str | None, float | None]:
    """(level or None when compliant, value / maximum for a measured value)."""
    level = None
    ratio = None
    if rule.maximum is not None:
        if below:
            # The truth is below ``value``: compliant only if value is within the maximum.
            if value > rule.maximum:
                level = ExceedanceLevel.INDETERMINATE
        else:
            ratio = value / rule.maximum if rule.maximum > 0 else None
            if value > rule.maximum:
                level = ExceedanceLevel.EXCEEDS
                multiple = rule.alert_multiple
                if multiple is not None and value >= multiple * rule.maximum:
                    level = ExceedanceLevel.ALERT
            elif above and value < rule.maximum:
                level = ExceedanceLevel.INDETERMINATE
    if level is None and rule.minimum is not None:
        if below:
            # Not detected at ``value``: the truth is below it, so surely below a minimum
            # at or above it (dissolved oxygen "<0.5" against 4), unknown otherwise.
            if value <= rule.minimum:
                level = ExceedanceLevel.EXCEEDS
            else:
                level = ExceedanceLevel.INDETERMINATE
        elif value < rule.minimum and not above:
            level = ExceedanceLevel.EXCEEDS
        elif value < rule.minimum:
            level = ExceedanceLevel.INDETERMINATE
    return level, ratio

"""Trends over time: the Mann–Kendall test and Sen's slope — pure functions, no database.

The Mann–Kendall test asks whether later values tend to be higher (or lower) than earlier
ones, using only their order, so it needs no assumption about the distribution, outliers
barely move it, and non-detects reported at one reporting limit are simply ties at the
bottom. Sen's slope (the median of the slopes between every pair of points) says how fast
the values change. Both are the usual pair in environmental monitoring (Gilbert 1987,
*Statistical Methods for Environmental Pollution Monitoring*, ch. 16; Helsel et al. 2020,
*Statistical Methods in Water Resources*, ch. 12).

A station's results are first reduced to monthly medians (:func:`monthly_medians`): a
logger reporting every 20 minutes and a lab sampling once a month then weigh the same, a
test over 350,000 results stays fast, and the serial correlation of close readings does
not make a small drift look significant. Fewer than :data:`MIN_PERIODS` months with results
is "not enough data".

Direction only says which way the values move; whether that is good depends on the
parameter (rising arsenic is bad, rising dissolved oxygen is not), which is not judged here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

# Months with results needed before a trend is stated.
MIN_PERIODS = 8
# Two-sided significance level of the Mann–Kendall test.
ALPHA = 0.05


class Direction(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    NONE = "none"
    NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True, slots=True)
class MannKendall:
    """The Mann–Kendall statistic ``s``, its variance (corrected for ties), the normal
    score ``z`` (with the continuity correction) and the two-sided p-value."""

    s: int
    variance: float
    z: float
    p_value: float


@dataclass(frozen=True, slots=True)
class Trend:
    """The trend of one series of monthly medians."""

    direction: Direction
    periods: int
    # Sen's slope in the values' unit per year (None: not enough data).
    slope_per_year: float | None = None
    p_value: float | None = None
    first_month: date | None = None
    last_month: date | None = None


def mann_kendall(values: Sequence[float] | np.ndarray) -> MannKendall:
    """The Mann–Kendall test of ``values`` in time order."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        return MannKendall(0, 0.0, 0.0, 1.0)
    # Row by row rather than all pairs at once: memory stays linear in n.
    s = 0
    for k in range(n - 1):
        s += int(np.sign(x[k + 1 :] - x[k]).sum())
    _, counts = np.unique(x, return_counts=True)
    ties = counts[counts > 1].astype(float)
    variance = (n * (n - 1) * (2 * n + 5) - float(np.sum(ties * (ties - 1) * (2 * ties + 5)))) / 18
    # The continuity correction moves s one step towards 0.
    z = (s - int(np.sign(s))) / math.sqrt(variance) if variance > 0 else 0.0
    return MannKendall(s, variance, z, math.erfc(abs(z) / math.sqrt(2)))


def sens_slope(times: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray) -> float:
    """The median of the slopes between every pair of points with different times, in
    value units per time unit (0.0 with fewer than two distinct times)."""
    t = np.asarray(times, dtype=float)
    x = np.asarray(values, dtype=float)
    first, second = np.triu_indices(len(t), k=1)
    dt = t[second] - t[first]
    apart = dt != 0
    if not apart.any():
        return 0.0
    return float(np.median((x[second][apart] - x[first][apart]) / dt[apart]))


def monthly_medians(epoch_seconds: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(months since January 1970, median of the values in that month), one entry per
    calendar month (UTC) that has values, oldest first. NaN values are left out."""
    keep = ~np.isnan(values)
    seconds = np.floor(np.asarray(epoch_seconds, dtype=float)[keep]).astype(np.int64)
    months = seconds.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    values = np.asarray(values, dtype=float)[keep]
    if not len(values):
        return np.array([], dtype=np.int64), np.array([], dtype=float)
    if np.any(months[1:] < months[:-1]):  # results read from the database come in order
        order = np.argsort(months, kind="stable")
        months, values = months[order], values[order]
    starts = np.flatnonzero(np.r_[True, months[1:] != months[:-1]])
    ends = np.r_[starts[1:], len(months)]
    medians = np.array(
        [np.median(values[start:end]) for start, end in zip(starts, ends, strict=True)]
    )
    return months[starts], medians


def month_start(month: int) -> date:
    """The first day of a month counted from January 1970."""
    return date(1970 + month // 12, month % 12 + 1, 1)


def trend(
    months: np.ndarray,
    medians: np.ndarray,
    *,
    min_periods: int = MIN_PERIODS,
    alpha: float = ALPHA,
) -> Trend:
    """The trend of monthly ``medians`` (``months`` counted from January 1970, ascending):
    rising or falling when the Mann–Kendall test rejects "no trend" at ``alpha``, with
    Sen's slope per year."""
    periods = len(months)
    if periods == 0:
        return Trend(Direction.NOT_ENOUGH_DATA, 0)
    first, last = month_start(int(months[0])), month_start(int(months[-1]))
    if periods < min_periods:
        return Trend(Direction.NOT_ENOUGH_DATA, periods, first_month=first, last_month=last)
    test = mann_kendall(medians)
    slope = sens_slope(np.asarray(months, dtype=float) / 12, medians)
    if test.p_value < alpha and test.s > 0:
        direction = Direction.RISING
    elif test.p_value < alpha and test.s < 0:
        direction = Direction.FALLING
    else:
        direction = Direction.NONE
    return Trend(direction, periods, slope, test.p_value, first, last)


def series_trend(epoch_seconds: np.ndarray, values: np.ndarray) -> Trend:
    """The trend of a raw series (times as epoch seconds), over its monthly medians."""
    return trend(*monthly_medians(epoch_seconds, values))

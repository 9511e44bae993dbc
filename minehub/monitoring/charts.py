"""Time-series charts drawn on the server as SVG: readable without JavaScript, light on a
weak connection, and printable.

A series of any length is reduced to at most :data:`MAX_POINTS` points by
Largest-Triangle-Three-Buckets (Steinarsson 2013), which keeps the shape and the peaks;
every exceedance and the highest value are kept whatever LTTB chooses, so a reduced chart
never hides a breach. Non-detects are drawn as hollow markers at their reporting limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

MAX_POINTS = 1_000
# Exceedances drawn as markers at most; beyond this the line and the list carry them.
MAX_MARKERS = 500
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


def lttb(x: np.ndarray, y: np.ndarray, threshold: int) -> np.ndarray:
    """Indices of the ``threshold`` points LTTB keeps of the series (``x`` ascending)."""
    n = len(x)
    if threshold >= n or threshold < 3:
        return np.arange(n)
    every = (n - 2) / (threshold - 2)
    kept = np.empty(threshold, dtype=np.int64)
    kept[0], kept[-1] = 0, n - 1
    # Bucket b (0 ≤ b < threshold - 2) holds points edges[b] to edges[b + 1] - 1; the last
    # "bucket" is the final point. Every bucket's average is computed at once: only the
    # choice in each bucket depends on the choice before it.
    edges = (np.arange(threshold - 1) * every).astype(np.int64) + 1
    edges[-1] = n - 1
    counts = np.diff(np.append(edges, n))
    avg_x = (np.add.reduceat(x, edges) / counts).tolist()
    avg_y = (np.add.reduceat(y, edges) / counts).tolist()
    bounds = edges.tolist()
    a = 0
    for bucket in range(threshold - 2):
        start, end = bounds[bucket], bounds[bucket + 1]
        # Twice the area of the triangle (a, candidate, next bucket's average).
        xa, ya = float(x[a]), float(y[a])
        along = xa - avg_x[bucket + 1]
        across = avg_y[bucket + 1] - ya
        area = np.abs(along * (y[start:end] - ya) + across * (x[start:end] - xa))
        a = start + int(area.argmax())
        kept[bucket + 1] = a
    return kept


@dataclass
class Series:
    """One station-parameter series: times (epoch seconds), values, flags. A reduced
    series remembers in ``total`` how many results it stands for."""

    times: np.ndarray
    values: np.ndarray
    non_detect: np.ndarray
    exceeding: np.ndarray
    total: int | None = None

    def __len__(self) -> int:
        return len(self.times)

    @property
    def results(self) -> int:
        """The number of results the series stands for."""
        return len(self) if self.total is None else self.total

    def reduced(self, threshold: int = MAX_POINTS) -> Series:
        """At most about ``threshold`` points: LTTB plus every exceedance and the peak.
        A reduced series is not reduced again (the exceedances it keeps may take it past
        ``threshold``)."""
        if len(self) <= threshold or self.total is not None:
            return self
        keep = lttb(self.times, self.values, threshold)
        extra = np.flatnonzero(self.exceeding)[:MAX_MARKERS]
        keep = np.union1d(keep, np.append(extra, int(self.values.argmax())))
        return Series(
            self.times[keep],
            self.values[keep],
            self.non_detect[keep],
            self.exceeding[keep],
            total=self.results,
        )


@dataclass
class LimitLine:
    value: float
    label: str
    y: float = 0.0


@dataclass
class Chart:
    """Everything the SVG template draws, in pixel coordinates."""

    width: int = WIDTH
    height: int = HEIGHT
    line: str = ""
    detected: list[tuple[float, float]] = field(default_factory=list)
    hollow: list[tuple[float, float]] = field(default_factory=list)
    exceeding: list[tuple[float, float]] = field(default_factory=list)
    limits: list[LimitLine] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    points: int = 0
    shown: int = 0
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def build_chart(series: Series, limits: list[LimitLine]) -> Chart:
    """Scales the series, reduced, and the limit lines into the chart's box."""
    chart = Chart(points=series.results)
    if not len(series):
        return chart
    shown = series.reduced()
    chart.shown = len(shown)
    t0, t1 = float(shown.times.min()), float(shown.times.max())
    if t1 == t0:
        t0, t1 = t0 - 86_400, t1 + 86_400
    top_value = max(float(shown.values.max()), *(limit.value for limit in limits), 0.0)
    top_value = _nice_ceiling(top_value * 1.05 or 1.0)
    span_x = chart.plot_right - chart.plot_left
    span_y = chart.plot_bottom - chart.plot_top

    def x_of(t: np.ndarray) -> np.ndarray:
        return chart.plot_left + (t - t0) / (t1 - t0) * span_x

    def y_of(v: np.ndarray) -> np.ndarray:
        return chart.plot_bottom - v / top_value * span_y

    xs = np.round(x_of(shown.times), 1)
    ys = np.round(y_of(shown.values), 1)
    chart.line = " ".join(f"{x:g},{y:g}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True))
    small = len(shown) <= 200  # markers on every point only when they stay readable
    for x, y, nd, over in zip(
        xs.tolist(), ys.tolist(), shown.non_detect.tolist(), shown.exceeding.tolist(), strict=True
    ):
        if over:
            chart.exceeding.append((x, y))
        elif nd:
            chart.hollow.append((x, y))
        elif small:
            chart.detected.append((x, y))
    for limit in limits:
        limit.y = round(float(y_of(np.array(limit.value))), 1)
        chart.limits.append(limit)
    chart.y_ticks = [
        (round(float(y_of(np.array(v))), 1), _format(v)) for v in np.linspace(0, top_value, 5)
    ]
    chart.x_ticks = _time_ticks(t0, t1, x_of)
    return chart


def _nice_ceiling(value: float) -> float:
    magnitude = 10 ** np.floor(np.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _format(value: float) -> str:
    return f"{value:.3g}"


def _time_ticks(t0: float, t1: float, x_of: object) -> list[tuple[float, str]]:
    start = datetime.fromtimestamp(t0, UTC)
    end = datetime.fromtimestamp(t1, UTC)
    months = (end.year - start.year) * 12 + end.month - start.month
    step = max(1, int(np.ceil(months / 6))) if months else 0
    ticks = []
    if step == 0:
        for t in np.linspace(t0, t1, 4):
            ticks.append((t, datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d")))
    else:
        year, month = start.year, start.month
        while True:
            month += step
            year += (month - 1) // 12
            month = (month - 1) % 12 + 1
            moment = datetime(year, month, 1, tzinfo=UTC)
            if moment.timestamp() > t1:
                break
            label = moment.strftime("%Y") if month == 1 or step >= 12 else moment.strftime("%Y-%m")
            ticks.append((moment.timestamp(), label))
    return [(round(float(x_of(np.array(t))), 1), label) for t, label in ticks]  # type: ignore[operator]

"""Reading results back: a station's per-parameter summary with its trends, and the series
of one parameter, as the station page and its chart need them.

Series are read from the column-wise copy the worker stores after every change
(:mod:`minehub.monitoring.series_store`): 350,000 results of a 20-minute logger in a few
milliseconds, where reading them row by row takes a few hundred. On top of that, what the
page shows — the summary with its trends and each reduced chart series — is kept in the
cache under the station's *results version*: a random token that every change to the
station's results replaces (:func:`results_changed`: an import, a batch published or
withdrawn, results compared again after the rules changed). Nothing stale can be found
under a new token. After a change the worker stores the series and computes the page's
data again at once (:func:`warm`), so readers do not wait for the first view to do it."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import formats, timezone

from minehub.monitoring import series_store
from minehub.monitoring.charts import Series
from minehub.monitoring.models import Compliance, Measurement, Station
from minehub.monitoring.permissions import can_see_unpublished
from minehub.monitoring.trends import Trend, series_trend

# Bump when what is cached changes shape.
CACHE_VERSION = 2
# Entries are found by results version, so they never go stale; expiry frees space and
# moves the summary's "last 12 months" along.
CACHE_SECONDS = 6 * 3600


@dataclass
class ParameterSummary:
    parameter: str
    unit: str
    samples: int
    exceeding: int
    worst_ratio: float | None
    latest_at: datetime
    worst_recent: int
    trend: Trend | None = None

    @property
    def exceeding_percent(self) -> float:
        return 100 * self.exceeding / self.samples if self.samples else 0.0

    @property
    def trend_slope(self) -> str:
        """Sen's slope per year, signed, to three significant digits, in the reader's
        number format (empty without a trend)."""
        slope = self.trend.slope_per_year if self.trend else None
        if slope is None:
            return ""
        if slope == 0:
            return formats.number_format(0)
        places = max(0, 2 - math.floor(math.log10(abs(slope))))
        text = formats.number_format(round(slope, places), decimal_pos=places)
        return text if slope < 0 else "+" + text


def station_summary(
    station: Station, user: Any, *, with_trends: bool = True
) -> list[ParameterSummary]:
    """Per parameter: samples, how many exceed a limit, the worst ratio to a limit, the
    latest sample, the worst standing in the last 12 months and (``with_trends``) the
    trend of the monthly medians — from the cache while the results are unchanged."""
    return _station_summary(station, can_see_unpublished(user), with_trends)


def _station_summary(
    station: Station, everything: bool, with_trends: bool = True
) -> list[ParameterSummary]:
    if not with_trends:
        return _summary(station, everything)
    key = _cache_key(station, everything, "summary")
    summary = cache.get(key)
    if summary is None:
        summary = _summary(station, everything)
        if summary:
            trends = _trends(station, everything, [item.parameter for item in summary])
            for item in summary:
                item.trend = trends.get(item.parameter)
        cache.set(key, summary, CACHE_SECONDS)
    return summary


def _summary(station: Station, everything: bool) -> list[ParameterSummary]:
    year_ago = timezone.now() - timedelta(days=365)
    results = Measurement.objects.filter(station=station)
    if not everything:
        results = results.filter(is_public=True)
    rows = (
        results
        # Grouped by parameter alone: the (station, parameter, time) index then delivers
        # the groups in order, where grouping by unit too would sort every result.
        .values("parameter")
        .annotate(
            unit_name=Max("unit"),
            samples=Count("id"),
            exceeding=Count("id", filter=Q(compliance__gte=Compliance.EXCEEDS)),
            worst_ratio=Max("ratio"),
            latest_at=Max("sampled_at"),
            worst_recent=Max("compliance", filter=Q(sampled_at__gte=year_ago)),
        )
        .order_by("parameter")
    )
    return [
        ParameterSummary(
            parameter=row["parameter"],
            unit=row["unit_name"],
            samples=row["samples"],
            exceeding=row["exceeding"],
            worst_ratio=row["worst_ratio"],
            latest_at=row["latest_at"],
            worst_recent=row["worst_recent"] or 0,
        )
        for row in rows
    ]


def chart_series(station: Station, item: ParameterSummary, user: Any) -> Series:
    """The series of ``item``'s parameter reduced for the chart (:meth:`Series.reduced`),
    read and reduced once per results version."""
    return _chart_series(station, item.parameter, can_see_unpublished(user))


def _chart_series(station: Station, parameter: str, everything: bool) -> Series:
    key = _cache_key(station, everything, "chart", parameter)
    reduced = cache.get(key)
    if reduced is None:
        reduced = _series(station, parameter, everything).reduced()
        cache.set(key, reduced, CACHE_SECONDS)
    return reduced


def series(station: Station, parameter: str, user: Any) -> Series:
    """Every result of ``parameter`` at ``station`` the user may see, oldest first."""
    return _series(station, parameter, can_see_unpublished(user))


def _series(station: Station, parameter: str, everything: bool) -> Series:
    return series_store.read(station.pk, [parameter], everything)[parameter].visible(everything)


def read_trends(station: Station, user: Any, parameters: list[str]) -> dict[str, Trend]:
    """The trend of each of ``parameters`` at the station the user may see."""
    return _trends(station, can_see_unpublished(user), parameters)


def _trends(station: Station, everything: bool, parameters: list[str]) -> dict[str, Trend]:
    trends = {}
    for parameter, columns in series_store.read(station.pk, parameters, everything).items():
        visible = columns.visible(everything)
        trends[parameter] = series_trend(visible.times, visible.values)
    return trends


def _version_key(station_id: int) -> str:
    return f"monitoring:readings:{CACHE_VERSION}:version:{station_id}"


# Stands for "any station" in :func:`results_version`: the site list and the map read
# every station's status, and are cached under this token.
ANY_STATION = 0


def results_version(station_id: int) -> str:
    """The token of the station's current results (made on first use); with
    :data:`ANY_STATION`, of all results."""
    key = _version_key(station_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, secrets.token_hex(8), None)
        version = cache.get(key) or ""
    return version


def results_changed(station_ids: Iterable[int]) -> None:
    """Says that results of these stations were added, removed, published, withdrawn or
    compared again: their cached summaries and charts are replaced, their results
    revision is raised in the current transaction (their stored series are out of date
    from its commit on), and once it commits the worker stores and computes them again."""
    ids = sorted(set(station_ids))
    if not ids:
        return

    def replace() -> None:
        tokens = {_version_key(pk): secrets.token_hex(8) for pk in [ANY_STATION, *ids]}
        cache.set_many(tokens, None)

    def replace_and_warm() -> None:
        replace()
        from minehub.monitoring.tasks import warm_station_pages

        warm_station_pages.enqueue(ids)

    # Now, for this connection, which reads its own uncommitted writes; and again at the
    # commit, because another reader may meanwhile have cached the old results under the
    # first new token.
    replace()
    Station.objects.filter(pk__in=ids).update(results_revision=F("results_revision") + 1)
    transaction.on_commit(replace_and_warm)


def warm(station_ids: Iterable[int]) -> int:
    """Stores the stations' series column-wise, then computes the station pages'
    summaries and charts for the public and for those who see unpublished results;
    returns how many charts were made."""
    ids = list(station_ids)
    series_store.store(ids)
    charts = 0
    for station in Station.objects.filter(pk__in=ids):
        for everything in (False, True):
            summary = _station_summary(station, everything)
            for item in summary:
                _chart_series(station, item.parameter, everything)
                charts += 1
    return charts


def _cache_key(station: Station, everything: bool, kind: str, *parts: str) -> str:
    scope = "all" if everything else "public"
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    version = results_version(station.pk)
    return f"monitoring:readings:{CACHE_VERSION}:{kind}:{station.pk}:{version}:{scope}:{digest}"

"""Reading results back: a station's per-parameter summary and the series of one
parameter, as the station page and its chart need them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from minehub.monitoring.charts import Series
from minehub.monitoring.models import Compliance, Measurement, Station
from minehub.monitoring.permissions import can_see_unpublished


@dataclass
class ParameterSummary:
    parameter: str
    unit: str
    samples: int
    exceeding: int
    worst_ratio: float | None
    latest_at: datetime
    worst_recent: int


def station_summary(station: Station, user: Any) -> list[ParameterSummary]:
    """Per parameter: samples, how many exceed a limit, the worst ratio to a limit, the
    latest sample and the worst standing in the last 12 months."""
    year_ago = timezone.now() - timedelta(days=365)
    rows = (
        Measurement.objects.visible_to(user)
        .filter(station=station)
        .values("parameter", "unit")
        .annotate(
            samples=Count("id"),
            exceeding=Count("id", filter=Q(compliance__gte=Compliance.EXCEEDS)),
            worst_ratio=Max("ratio"),
            latest_at=Max("sampled_at"),
            worst_recent=Max("compliance", filter=Q(sampled_at__gte=year_ago)),
        )
        .order_by("parameter")
    )
    return [ParameterSummary(**{**row, "worst_recent": row["worst_recent"] or 0}) for row in rows]


def series(station: Station, parameter: str, user: Any) -> Series:
    """Every result of ``parameter`` at ``station`` the user may see, oldest first.
    Read with one plain query (times as epoch seconds computed by the database), since
    a long series has hundreds of thousands of points."""
    epoch = (
        "CAST(strftime('%%s', sampled_at) AS INTEGER)"
        if connection.vendor == "sqlite"
        else "EXTRACT(EPOCH FROM sampled_at)"
    )
    public = "" if can_see_unpublished(user) else " AND is_public"
    sql = (
        f"SELECT {epoch}, value, non_detect, compliance FROM monitoring_measurement "  # noqa: S608 - constant parts
        f"WHERE station_id = %s AND parameter = %s{public} ORDER BY sampled_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [station.pk, parameter])
        rows = cursor.fetchall()
    if not rows:
        empty = np.array([], dtype=float)
        return Series(empty, empty, empty.astype(bool), empty.astype(bool))
    data = np.array(rows, dtype=float)
    return Series(
        data[:, 0],
        data[:, 1],
        data[:, 2].astype(bool),
        data[:, 3] >= Compliance.EXCEEDS,
    )

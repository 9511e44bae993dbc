"""The monitoring map: each site and station with its status, as rows for the page and as
GeoJSON for the map script, and the shipped admin-1 outlines simplified for the screen.

A station's *status* is the worst standing of the results of the last 12 months the
reader may see (:class:`~minehub.monitoring.models.Compliance`); a site's is the worst of
its stations'. The site list, the site page, the map and "near me" all read it from
:func:`status_by_station`, so they never disagree.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from django.core.cache import caches
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minehub.core.i18n import active_language
from minehub.core.middleware import CONTENT_SECURITY_POLICY
from minehub.core.taxonomy import ADMIN1_FILE
from minehub.monitoring.models import Compliance, Measurement, Site, Station
from minehub.monitoring.permissions import can_see_unpublished
from minehub.monitoring.readings import ANY_STATION, results_version

# How far back a status looks: a result older than a year no longer colours the map.
STATUS_WINDOW = timedelta(days=365)
STATUS_CACHE_SECONDS = 3600

# The words of ``monitoring/status.html``: the same msgids, so one translation serves both.
STATUS_WORDS = {
    Compliance.ALERT: gettext_lazy("Alert"),
    Compliance.EXCEEDS: gettext_lazy("Exceeds"),
    Compliance.INDETERMINATE: gettext_lazy("Indeterminate"),
    Compliance.COMPLIANT: gettext_lazy("Within limits"),
    Compliance.NO_LIMIT: gettext_lazy("No limit or no data"),
}
# Worst first, as the legend lists them.
LEGEND = (
    Compliance.ALERT,
    Compliance.EXCEEDS,
    Compliance.INDETERMINATE,
    Compliance.COMPLIANT,
    Compliance.NO_LIMIT,
)

# Outlines for the screen: Douglas–Peucker at 0.005° (about 500 m, within the hundreds of
# metres the Natural Earth 1:10m lines are accurate to) and 3 decimals cut the file from
# 62 KB to about 22 KB gzipped; at the zooms the map offers the difference is invisible.
SIMPLIFY_DEGREES = 0.005
OUTLINE_DECIMALS = 3
POINT_DECIMALS = 5


class StationStatus(NamedTuple):
    worst: int
    latest: datetime | None


NO_STATUS = StationStatus(Compliance.NO_LIMIT, None)


def status_window_start() -> datetime:
    return timezone.now() - STATUS_WINDOW


def status_word(status: int) -> str:
    return str(STATUS_WORDS.get(Compliance(status), STATUS_WORDS[Compliance.NO_LIMIT]))


def status_by_station(
    user: Any, station_ids: Iterable[int] | None = None
) -> dict[int, StationStatus]:
    """Station id → (worst standing of the last 12 months, latest sample), over the results
    ``user`` may see; for the stations ``station_ids`` only, when given. One query.
    Stations without results are absent (read them as :data:`NO_STATUS`).

    It reads every result in reach, so it is cached until results change anywhere (the
    site list and the map ask for all stations) or for an hour, which moves the 12-month
    window along."""
    everything = can_see_unpublished(user)
    ids = None if station_ids is None else sorted(set(station_ids))
    scope = "all" if everything else "public"
    which = "every" if ids is None else hashlib.sha256(repr(ids).encode()).hexdigest()[:16]
    key = f"monitoring:status:{results_version(ANY_STATION)}:{scope}:{which}"
    status = caches["default"].get(key)
    if status is None:
        status = _status_by_station(user, ids)
        caches["default"].set(key, status, STATUS_CACHE_SECONDS)
    return status


def _status_by_station(user: Any, station_ids: list[int] | None) -> dict[int, StationStatus]:
    rows = Measurement.objects.visible_to(user)
    if station_ids is not None:
        rows = rows.filter(station_id__in=list(station_ids))
    rows = (
        rows.values("station_id")
        .annotate(
            worst=Max("compliance", filter=Q(sampled_at__gte=status_window_start())),
            latest=Max("sampled_at"),
        )
        .order_by()
    )
    return {
        row["station_id"]: StationStatus(row["worst"] or Compliance.NO_LIMIT, row["latest"])
        for row in rows
    }


def status_by_site(
    status: Mapping[int, StationStatus], stations: Iterable[tuple[int, int]]
) -> dict[int, int]:
    """Site id → the worst status of its stations; ``stations`` are (station id, site id)
    pairs."""
    worst: dict[int, int] = {}
    for station_id, site_id in stations:
        worst[site_id] = max(worst.get(site_id, 0), status.get(station_id, NO_STATUS).worst)
    return worst


@dataclass
class StationPlace:
    station: Station
    status: int
    latest: datetime | None


@dataclass
class SitePlace:
    site: Site
    status: int
    stations: list[StationPlace] = field(default_factory=list)


def monitoring_places(user: Any) -> list[SitePlace]:
    """Every site with its stations and their statuses as ``user`` may see them, by country
    and code. Three queries, whatever the number of stations."""
    sites = list(Site.objects.select_related("region").order_by("country", "code"))
    stations = list(Station.objects.order_by("code"))
    status = status_by_station(user)
    by_site = status_by_site(status, ((station.pk, station.site_id) for station in stations))
    places = {site.pk: SitePlace(site, by_site.get(site.pk, Compliance.NO_LIMIT)) for site in sites}
    for station in stations:
        place = places[station.site_id]
        station.site = place.site  # spares a query per popup's site name
        worst, latest = status.get(station.pk, NO_STATUS)
        place.stations.append(StationPlace(station, worst, latest))
    return list(places.values())


def _point(latitude: float, longitude: float) -> dict[str, Any]:
    return {
        "type": "Point",
        "coordinates": [round(longitude, POINT_DECIMALS), round(latitude, POINT_DECIMALS)],
    }


def site_geometry(place: SitePlace) -> dict[str, Any] | None:
    """The site's outline, else its point, else the middle of its stations (many
    registries give sites no coordinates of their own); ``None`` when nothing places it."""
    site = place.site
    if site.boundary:
        return site.boundary
    if site.latitude is not None and site.longitude is not None:
        return _point(site.latitude, site.longitude)
    located = [
        item.station
        for item in place.stations
        if item.station.latitude is not None and item.station.longitude is not None
    ]
    if not located:
        return None
    return _point(
        sum(station.latitude for station in located) / len(located),
        sum(station.longitude for station in located) / len(located),
    )


def feature_collection(places: Iterable[SitePlace]) -> dict[str, Any]:
    """Sites, then stations (drawn above them), as a GeoJSON FeatureCollection whose
    properties carry what a popup says, already in the reader's language."""
    sites: list[dict[str, Any]] = []
    stations: list[dict[str, Any]] = []
    for place in places:
        site = place.site
        geometry = site_geometry(place)
        if geometry is not None:
            sites.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {
                        "kind": "site",
                        "code": site.code,
                        "name": site.name,
                        "detail": site.get_kind_display(),
                        "status": place.status,
                        "status_word": status_word(place.status),
                        "url": reverse("monitoring:site-detail", args=[site.code]),
                    },
                }
            )
        for item in place.stations:
            station = item.station
            if station.latitude is None or station.longitude is None:
                continue
            detail = station.get_medium_display()
            if item.latest is not None:
                detail = _("%(medium)s · latest sample %(date)s") % {
                    "medium": detail,
                    "date": timezone.localtime(item.latest).date().isoformat(),
                }
            stations.append(
                {
                    "type": "Feature",
                    "geometry": _point(station.latitude, station.longitude),
                    "properties": {
                        "kind": "station",
                        "code": station.code,
                        "name": station.name,
                        "detail": detail,
                        "site": site.name,
                        "status": item.status,
                        "status_word": status_word(item.status),
                        "url": reverse("monitoring:station-detail", args=[station.code]),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": sites + stations}


def tile_source(url: str) -> str:
    """The Content-Security-Policy source that admits a tile URL template's images:
    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` → ``https://*.tile.example.org``."""
    parts = urlsplit(url)
    host = parts.netloc
    if "{" in host:
        first, _dot, rest = host.partition(".")
        # CSP allows a wildcard only as the leftmost label; elsewhere admit the scheme.
        host = f"*.{rest}" if "{" in first and "{" not in rest and rest else ""
    return f"{parts.scheme}://{host}" if host else f"{parts.scheme}:"


def policy_with_tiles(url: str) -> str:
    """The hub's Content-Security-Policy with the tile server admitted for images."""
    directives = []
    for directive in CONTENT_SECURITY_POLICY.split("; "):
        if directive.startswith("img-src "):
            directive = f"{directive} {tile_source(url)}"
        directives.append(directive)
    return "; ".join(directives)


# --- Outlines ------------------------------------------------------------------------------


def _segment_distance(point: list[float], start: list[float], end: list[float]) -> float:
    """How far ``point`` lies from the segment (not the whole line) from start to end."""
    (x, y), (x1, y1), (x2, y2) = point[:2], start[:2], end[:2]
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if not length2 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length2))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas–Peucker: the points of a line or ring whose removal would move it by more
    than ``tolerance``; the first and last points are always kept. Distances are to the
    segment, not its line, so a spike that doubles back is kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = -1.0, -1
        for i in range(first + 1, last):
            distance = _segment_distance(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _screen_ring(ring: list[list[float]]) -> list[list[float]] | None:
    rounded: list[list[float]] = []
    for lon, lat, *_rest in simplify(ring, SIMPLIFY_DEGREES):
        point = [round(lon, OUTLINE_DECIMALS), round(lat, OUTLINE_DECIMALS)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    # A ring smaller than the tolerance (an islet, a sliver) would not show anyway.
    return rounded if len(rounded) >= 4 else None


@cache
def _outlines() -> tuple[tuple[str, dict[str, Any]], ...]:
    """(admin-1 code, simplified MultiPolygon), read once per process."""
    with ADMIN1_FILE.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    outlines = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        simplified = []
        for outer, *holes in polygons:
            ring = _screen_ring(outer)
            if ring is not None:
                simplified.append([ring, *filter(None, (_screen_ring(hole) for hole in holes))])
        code = feature["properties"]["admin1_code"]
        outlines.append((code, {"type": "MultiPolygon", "coordinates": simplified}))
    return tuple(outlines)


def outlines_geojson() -> bytes:
    """The admin-1 outlines of Mongolia and Kyrgyzstan, simplified for the screen, with
    each region's name in the reader's language."""
    from minehub.core.models import Region

    language = active_language()
    names = {
        code: local or english
        for code, local, english in Region.objects.values_list(
            "code", f"name_{language}", "name_en"
        )
    }
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": names.get(code, code)},
                "geometry": geometry,
            }
            for code, geometry in _outlines()
        ],
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()

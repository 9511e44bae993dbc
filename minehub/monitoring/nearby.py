"""Stations "near me": those within a distance of a settlement or a point, each with its
status and its results of the last 12 months above a limit, summed up in plain sentences
in the reader's language.

Distances are great-circle distances on a sphere of the Earth's mean radius (haversine);
the ellipsoid would change them by at most 0.5 %, far below what "within 10 km" means.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from minehub.core.i18n import active_language
from minehub.core.taxonomy import GEO_DIR
from minehub.core.transliterate import latin_slug
from minehub.monitoring.maps import NO_STATUS, status_by_station, status_window_start
from minehub.monitoring.models import Compliance, Measurement, Station
from minehub.monitoring.parameters import parameter_name

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
SETTLEMENTS_FILE = GEO_DIR / "settlements.geojson"

# Eight compass points, clockwise from north, for "3.2 km north-east".
DIRECTIONS = (
    gettext_lazy("north"),
    gettext_lazy("north-east"),
    gettext_lazy("east"),
    gettext_lazy("south-east"),
    gettext_lazy("south"),
    gettext_lazy("south-west"),
    gettext_lazy("west"),
    gettext_lazy("north-west"),
)


# --- Geometry (pure) -----------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in kilometres between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    # Rounding can push ``a`` a hair outside [0, 1] for antipodal or identical points.
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def bearing_degrees(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The initial compass bearing (0–360°, 0 = north) from the first point to the second."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlambda = math.radians(lon2 - lon1)
    x = math.sin(dlambda) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlambda)
    return math.degrees(math.atan2(x, y)) % 360


def direction_word(bearing: float) -> str:
    return str(DIRECTIONS[round(bearing / 45) % 8])


@dataclass(frozen=True)
class Box:
    """A latitude/longitude box; ``west > east`` when it crosses the 180th meridian."""

    south: float
    north: float
    west: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        if not self.south <= latitude <= self.north:
            return False
        if self.west <= self.east:
            return self.west <= longitude <= self.east
        return longitude >= self.west or longitude <= self.east

    def as_q(self, prefix: str = "") -> Q:
        """The same test as a query filter on ``latitude`` and ``longitude`` fields."""
        q = Q(**{f"{prefix}latitude__range": (self.south, self.north)})
        if self.west <= self.east:
            return q & Q(**{f"{prefix}longitude__range": (self.west, self.east)})
        return q & (
            Q(**{f"{prefix}longitude__gte": self.west})
            | Q(**{f"{prefix}longitude__lte": self.east})
        )


def bounding_box(latitude: float, longitude: float, radius_km: float) -> Box:
    """The smallest latitude/longitude box holding every point within ``radius_km`` of the
    point: the database filters on it (indexable ranges) before the exact distance."""
    angle = radius_km / EARTH_RADIUS_KM  # the radius as an angle, in radians
    dlat = math.degrees(angle)
    south, north = latitude - dlat, latitude + dlat
    if south <= -90 or north >= 90 or angle >= math.pi / 2:
        # The circle holds a pole: every longitude is in reach.
        return Box(max(south, -90.0), min(north, 90.0), -180.0, 180.0)
    # The widest longitude of the circle is where its edge touches a meridian.
    ratio = math.sin(angle) / math.cos(math.radians(latitude))
    if ratio >= 1:
        return Box(south, north, -180.0, 180.0)
    dlon = math.degrees(math.asin(ratio))
    west, east = longitude - dlon, longitude + dlon
    if west < -180:
        west += 360
    if east > 180:
        east -= 360
    return Box(south, north, west, east)


# --- Settlements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Settlement:
    key: str
    country: str
    region: str
    name_en: str
    name_ru: str
    latitude: float
    longitude: float

    @property
    def name(self) -> str:
        """The name in the reader's language. The shipped list has English and Russian
        names only: Mongolian and Kyrgyz readers get the Cyrillic (Russian) spelling."""
        if active_language() == "en" or not self.name_ru:
            return self.name_en
        return self.name_ru


@cache
def settlements() -> dict[str, Settlement]:
    """The shipped settlements (Natural Earth populated places) by key, largest first."""
    with SETTLEMENTS_FILE.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    found: dict[str, Settlement] = {}
    features = sorted(
        collection["features"], key=lambda feature: -(feature["properties"]["pop_max"] or 0)
    )
    for feature in features:
        properties = feature["properties"]
        longitude, latitude = feature["geometry"]["coordinates"][:2]
        key = latin_slug(properties["name_en"])
        if key in found:  # two places of one name: the smaller one is told by its region
            key = f"{key}-{properties['admin1_code'].lower()}"
        found[key] = Settlement(
            key=key,
            country=properties["iso_a2"],
            region=properties["admin1_code"],
            name_en=properties["name_en"],
            name_ru=properties["name_ru"] or "",
            latitude=latitude,
            longitude=longitude,
        )
    return found


def settlement_label(settlement: Settlement) -> str:
    """The settlement as the form lists it: its name, then the Latin one if different."""
    name = settlement.name
    if name == settlement.name_en:
        return name
    return f"{name} ({settlement.name_en})"


# --- Stations near a point -----------------------------------------------------------------


@dataclass(frozen=True)
class ParameterExceedances:
    parameter: str
    name: str
    times: int


@dataclass
class NearbyStation:
    station: Station
    distance_km: float
    direction: str
    status: int
    latest: datetime | None
    exceedances: list[ParameterExceedances] = field(default_factory=list)

    @property
    def exceedance_count(self) -> int:
        return sum(item.times for item in self.exceedances)


@dataclass
class Nearby:
    latitude: float
    longitude: float
    radius_km: int
    stations: list[NearbyStation]
    summary: list[str]


def stations_near(latitude: float, longitude: float, radius_km: int, user: Any) -> Nearby:
    """The stations within ``radius_km`` of the point, nearest first, with their status and
    their results of the last 12 months above a limit, as ``user`` may see them; and the
    plain-language summary. Three queries, whatever the number of stations."""
    box = bounding_box(latitude, longitude, radius_km)
    candidates = Station.objects.select_related("site").filter(box.as_q())
    found: list[NearbyStation] = []
    for station in candidates:
        distance = haversine_km(latitude, longitude, station.latitude, station.longitude)
        if distance <= radius_km:
            bearing = bearing_degrees(latitude, longitude, station.latitude, station.longitude)
            # Within 50 m a direction says nothing (and at 0 m it has none).
            direction = direction_word(bearing) if distance >= 0.05 else ""
            found.append(NearbyStation(station, distance, direction, 0, None))
    found.sort(key=lambda item: (item.distance_km, item.station.code))
    if found:
        ids = [item.station.pk for item in found]
        status = status_by_station(user, ids)
        exceeded = _exceedances_by_station(user, ids)
        for item in found:
            item.status, item.latest = status.get(item.station.pk, NO_STATUS)
            item.exceedances = exceeded.get(item.station.pk, [])
    return Nearby(latitude, longitude, radius_km, found, summary_sentences(found, radius_km))


def _exceedances_by_station(user: Any, ids: list[int]) -> dict[int, list[ParameterExceedances]]:
    """Station id → its parameters with results above a limit in the last 12 months and how
    many such results, most first. Counts results, not limits: one sample above both a
    national and a WHO limit is one exceedance to a reader."""
    rows = (
        Measurement.objects.visible_to(user)
        .filter(
            station_id__in=ids,
            sampled_at__gte=status_window_start(),
            compliance__gte=Compliance.EXCEEDS,
        )
        .values("station_id", "parameter")
        .annotate(times=Count("id"))
        .order_by("station_id", "-times", "parameter")
    )
    language = active_language()
    found: dict[int, list[ParameterExceedances]] = {}
    for row in rows:
        found.setdefault(row["station_id"], []).append(
            ParameterExceedances(
                row["parameter"], parameter_name(row["parameter"], language), row["times"]
            )
        )
    return found


def _in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: "Arsenic" → "arsenic", but "pH" and "PM10"
    stay as they are."""
    if len(name) > 1 and name[0].isupper() and name[1:2].islower():
        return name[0].lower() + name[1:]
    return name


def summary_sentences(stations: list[NearbyStation], radius_km: int) -> list[str]:
    """What the list says, in a few plain sentences in the reader's language."""
    total = len(stations)
    if not total:
        return [
            _("No monitoring point lies within %(distance)s km.") % {"distance": radius_km},
        ]
    sentences = [
        ngettext(
            "%(count)s monitoring point within %(distance)s km.",
            "%(count)s monitoring points within %(distance)s km.",
            total,
        )
        % {"count": total, "distance": radius_km}
    ]
    exceeding = [item for item in stations if item.exceedances]
    with_recent = [item for item in stations if item.status != Compliance.NO_LIMIT]
    if exceeding:
        details = [
            ngettext(
                "%(parameter)s in %(medium)s at %(station)s (%(count)s time)",
                "%(parameter)s in %(medium)s at %(station)s (%(count)s times)",
                item.times,
            )
            % {
                "parameter": _in_sentence(item.name),
                "medium": _in_sentence(str(nearby.station.get_medium_display())),
                "station": nearby.station.code,
                "count": item.times,
            }
            for nearby in exceeding
            for item in nearby.exceedances
        ]
        sentences.append(
            ngettext(
                "At %(count)s of them, results in the last 12 months exceeded a limit: "
                "%(details)s.",
                "At %(count)s of them, results in the last 12 months exceeded a limit: "
                "%(details)s.",
                len(exceeding),
            )
            % {"count": len(exceeding), "details": "; ".join(details)}
        )
    elif with_recent:
        sentences.append(_("No result of the last 12 months exceeded a limit at any of them."))
    without = total - len(with_recent)
    if without:
        sentences.append(
            ngettext(
                "For %(count)s of them, no result of the last 12 months can be compared "
                "with a limit.",
                "For %(count)s of them, no result of the last 12 months can be compared "
                "with a limit.",
                without,
            )
            % {"count": without}
        )
    return sentences

"""Keeps the shipped starter taxonomy in the database.

Runs after every ``migrate`` (see ``apps.py``), so a fresh database, a test database and
an upgraded one all hold the starter terms. It adds missing terms and fills empty names;
it never overwrites a name a data steward has edited, and never deletes anything.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models, transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
GEO_DIR = Path(__file__).resolve().parent / "geo"
ADMIN1_FILE = GEO_DIR / "mongolia_kyrgyzstan_admin1.geojson"
NAME_FIELDS = ("name_en", "name_mn", "name_ky", "name_ru")


def _load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _names(names: dict[str, str]) -> dict[str, str]:
    return {f"name_{code}": names.get(code, "").strip() for code in ("en", "mn", "ky", "ru")}


def _upsert(model: type[models.Model], key: dict[str, Any], values: dict[str, Any]) -> None:
    obj = model.objects.filter(**key).first()
    if obj is None:
        model.objects.create(**key, **values)
        return
    changed = [field for field, value in values.items() if value and not getattr(obj, field)]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        obj.save(update_fields=changed)


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float]:
    """Area-weighted centroid of a polygon ring (shoelace formula), as (lon, lat)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if abs(area) < 1e-12:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    return cx / (3 * area), cy / (3 * area)


@cache
def region_centroids() -> dict[str, tuple[float, float]]:
    """Centroid (lat, lon) of each admin-1 unit's largest polygon, by ISO code."""
    with ADMIN1_FILE.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    centroids: dict[str, tuple[float, float]] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        outer = max((polygon[0] for polygon in polygons), key=len)
        lon, lat = _ring_centroid(outer)
        centroids[feature["properties"]["admin1_code"]] = (round(lat, 5), round(lon, 5))
    return centroids


@cache
def _region_polygons() -> tuple[tuple[str, tuple[list[list[list[float]]], ...]], ...]:
    with ADMIN1_FILE.open(encoding="utf-8") as handle:
        collection = json.load(handle)
    shapes = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        shapes.append((feature["properties"]["admin1_code"], tuple(polygons)))
    return tuple(shapes)


def _in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray casting: whether (lon, lat) lies inside ``ring``."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def region_at(latitude: float, longitude: float) -> str | None:
    """The ISO code of the admin-1 unit containing the point, from the shipped outlines
    (``None`` outside Mongolia and Kyrgyzstan)."""
    for code, polygons in _region_polygons():
        for outer, *holes in polygons:
            if _in_ring(longitude, latitude, outer) and not any(
                _in_ring(longitude, latitude, hole) for hole in holes
            ):
                return code
    return None


@transaction.atomic
def sync_taxonomy() -> None:
    """Adds the shipped starter terms that are missing; idempotent."""
    from minehub.core.models import Mineral, Region, SustainableDevelopmentGoal, Topic

    for position, item in enumerate(_load("topics.json")):
        _upsert(Topic, {"slug": item["slug"]}, {**_names(item["names"]), "position": position})
    for position, item in enumerate(_load("minerals.json")):
        _upsert(
            Mineral,
            {"slug": item["slug"]},
            {**_names(item["names"]), "symbol": item.get("symbol") or "", "position": position},
        )
    for item in _load("sdgs.json"):
        _upsert(SustainableDevelopmentGoal, {"number": item["number"]}, _names(item["names"]))
    centroids = region_centroids()
    for code, names in _load("region_names.json").items():
        lat, lon = centroids.get(code, (None, None))
        _upsert(
            Region,
            {"code": code},
            {**_names(names), "country": code[:2], "latitude": lat, "longitude": lon},
        )

"""Loading sites and stations in bulk: ``minehub import_stations FILE``.

Three layouts: the JSON registry layout (``{"sites": [...], "stations": [...]}``), a CSV
of stations (one row per station, its site's fields in ``site_*`` columns), and GeoJSON
(Point features are stations; Polygon and MultiPolygon features with a ``site_code`` are
site outlines). Items are matched on their codes, so loading a file again changes nothing.
The whole file is checked first and saved only when every item is valid: a registry half
loaded would send results of the missing stations to ``unknown_station``.

Where a file is silent, the site's country and region come from its coordinates (or its
first station's) and the shipped boundaries; ``water`` means surface water; a site of
unstated kind is an active mine; air stations report 24-hour means.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from minehub.core.models import Mineral, Region
from minehub.core.taxonomy import region_at
from minehub.directory.models import Organisation
from minehub.monitoring.importing import Problem, default_catalogue
from minehub.monitoring.importing.keys import match_key
from minehub.monitoring.importing.reading import detect_encoding
from minehub.monitoring.models import (
    Averaging,
    Site,
    SiteKind,
    SiteStatus,
    Station,
    StationMedium,
    StationPosition,
    UseClass,
)

SITE_FIELDS = ("name", "kind", "status", "country", "region", "operator", "licence_number")
STATION_FIELDS = ("name", "medium", "position", "use_class", "averaging", "description")
# Spellings of the fields in files (keys folded by ``match_key``).
_FIELD_ALIASES = {
    "station_code": "code",
    "lat": "latitude",
    "lng": "longitude",
    "lon": "longitude",
    "licence": "licence_number",
    "license_number": "licence_number",
}


@dataclass
class StationImport:
    """What loading a file did, or would do (``dry_run``)."""

    sites_added: int = 0
    sites_updated: int = 0
    stations_added: int = 0
    stations_updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False


class StationFileError(ValueError):
    """The file cannot be read as any of the three layouts."""


def read_station_file(data: bytes, filename: str) -> tuple[list[dict], list[dict]]:
    """(sites, stations) as plain dicts with normalised keys."""
    if filename.lower().endswith((".json", ".geojson")) or data.lstrip()[:1] in (b"{", b"["):
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise StationFileError(
                _("The file is not valid JSON: %(error)s") % {"error": error}
            ) from None
        if isinstance(document, dict) and document.get("type") == "FeatureCollection":
            return _from_geojson(document)
        if isinstance(document, dict) and ("stations" in document or "sites" in document):
            return (
                [_normalise(item) for item in _items(document.get("sites", []))],
                [_normalise(item) for item in _items(document.get("stations", []))],
            )
        raise StationFileError(
            _("Expected a GeoJSON FeatureCollection or an object with “sites” and “stations”.")
        )
    return _from_csv(data)


def _items(value: Any) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise StationFileError(_("“sites” and “stations” must be lists of objects."))
    return value


def _normalise(item: Mapping[str, Any]) -> dict[str, Any]:
    normal = {}
    for key, value in item.items():
        name = match_key(str(key)).replace(" ", "_")
        normal[_FIELD_ALIASES.get(name, name)] = value.strip() if isinstance(value, str) else value
    return normal


def _from_geojson(document: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    sites, stations = [], []
    for feature in document.get("features") or []:
        properties = _normalise(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Point":
            coordinates = geometry.get("coordinates") or [None, None]
            properties.setdefault("longitude", coordinates[0])
            properties.setdefault("latitude", coordinates[1])
            stations.append(properties)
        elif kind in ("Polygon", "MultiPolygon"):
            properties.setdefault("site_code", properties.get("code"))
            properties["boundary"] = geometry
            sites.append(properties)
    return sites, stations


def _from_csv(data: bytes) -> tuple[list[dict], list[dict]]:
    try:
        encoding, _broken = detect_encoding(data)
    except Problem as problem:
        raise StationFileError(problem.message) from None
    text = data.decode(encoding, errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t", "|"), key=first_line.count)
    rows = [_normalise(row) for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]
    if rows and "code" not in rows[0]:
        raise StationFileError(_("The CSV file needs a “code” or “station_code” column."))
    sites: dict[str, dict] = {}
    stations = []
    for row in rows:
        site = {"site_code": row.get("site_code")}
        for key, value in row.items():
            if key.startswith("site_") and key != "site_code":
                site[key.removeprefix("site_")] = value
        sites.setdefault(row.get("site_code") or "", site)
        stations.append(
            {k: v for k, v in row.items() if not k.startswith("site_") or k == "site_code"}
        )
    return [site for code, site in sites.items() if code], stations


def import_stations(data: bytes, filename: str, *, dry_run: bool = False) -> StationImport:
    """Loads the sites and stations of a file; nothing is saved unless all are valid."""
    result = StationImport(dry_run=dry_run)
    try:
        sites, stations = read_station_file(data, filename)
    except StationFileError as error:
        result.errors.append(str(error))
        return result
    with transaction.atomic():
        _Loader(result).load(sites, stations)
        if result.errors or dry_run:
            transaction.set_rollback(True)
    return result


class _Loader:
    def __init__(self, result: StationImport) -> None:
        self.result = result
        self.regions = {region.code: region for region in Region.objects.all()}
        self.sites = {site.code: site for site in Site.objects.all()}

    def error(self, where: str, message: str) -> None:
        self.result.errors.append(f"{where}: {message}")

    def load(self, sites: list[dict], stations: list[dict]) -> None:
        first_station: dict[str, dict] = {}
        for station in stations:
            first_station.setdefault(str(station.get("site_code") or ""), station)
        for index, item in enumerate(sites, 1):
            self.load_site(item, _("site %(number)s") % {"number": index}, first_station)
        for index, item in enumerate(stations, 1):
            self.load_station(item, _("station %(number)s") % {"number": index})

    def load_site(self, item: dict, where: str, first_station: Mapping[str, dict]) -> None:
        code = str(item.get("site_code") or item.get("code") or "").strip()
        if not code:
            return self.error(where, _("the site has no code."))
        where = f"{where} ({code})"
        site = self.sites.get(code) or Site(code=code)
        before = _state(site)
        if item.get("name"):
            site.name = str(item["name"])
        for name, choices in (("kind", SiteKind), ("status", SiteStatus)):
            if item.get(name):
                chosen = _choice(item[name], choices)
                if chosen is None:
                    return self.error(
                        where,
                        _("unknown %(field)s “%(value)s”.") % {"field": name, "value": item[name]},
                    )
                setattr(site, name, chosen)
        for name in ("licence_number", "description"):
            if item.get(name):
                setattr(site, name, str(item[name]))
        if item.get("boundary"):
            site.boundary = item["boundary"]
        try:
            self.place(site, item, first_station.get(code, {}))
            if item.get("operator"):
                site.operator = Organisation.objects.get(slug=item["operator"])
        except (ValueError, Organisation.DoesNotExist) as error:
            return self.error(where, str(error) or _("unknown operator."))
        if not site.kind:
            site.kind = SiteKind.ACTIVE_MINE
        if not self.save(site, where, before, "site"):
            return None
        minerals = _split(item.get("minerals"))
        if minerals:
            found = list(Mineral.objects.filter(slug__in=minerals))
            if len(found) != len(set(minerals)):
                return self.error(
                    where, _("unknown mineral in “%(value)s”.") % {"value": ", ".join(minerals)}
                )
            site.minerals.add(*found)
        self.sites[code] = site
        return None

    def place(self, site: Site, item: Mapping[str, Any], station: Mapping[str, Any]) -> None:
        """Coordinates, region and country: as given, else from where the site lies."""
        latitude, longitude = _coordinates(item)
        if latitude is not None:
            site.latitude, site.longitude = latitude, longitude
        if item.get("region"):
            region = self.regions.get(str(item["region"]))
            if region is None:
                raise ValueError(_("unknown region “%(value)s”.") % {"value": item["region"]})
            site.region = region
        if site.region_id is None:
            point = (site.latitude, site.longitude)
            if point[0] is None:
                point = _coordinates(station)
            code = region_at(*point) if point[0] is not None else None
            site.region = self.regions.get(code or "")
        if item.get("country"):
            site.country = str(item["country"]).upper()
        elif not site.country and site.region is not None:
            site.country = site.region.country
        if site.country not in ("MN", "KG"):
            raise ValueError(_("the country is unknown: give “country” (MN or KG) or coordinates."))

    def load_station(self, item: dict, where: str) -> None:
        code = str(item.get("code") or "").strip()
        if not code:
            return self.error(where, _("the station has no code."))
        where = f"{where} ({code})"
        site = self.sites.get(str(item.get("site_code") or "").strip())
        if site is None or site.pk is None:
            return self.error(
                where, _("unknown site “%(value)s”.") % {"value": item.get("site_code")}
            )
        station = Station.objects.filter(code=code).first() or Station(code=code)
        before = _state(station)
        station.site = site
        if item.get("name"):
            station.name = str(item["name"])
        if item.get("medium"):
            medium = station_medium(str(item["medium"]))
            if medium is None:
                return self.error(
                    where, _("unknown medium “%(value)s”.") % {"value": item["medium"]}
                )
            station.medium = medium
        for name, choices in (
            ("position", StationPosition),
            ("use_class", UseClass),
            ("averaging", Averaging),
        ):
            if item.get(name):
                chosen = _choice(item[name], choices)
                if chosen is None:
                    return self.error(
                        where,
                        _("unknown %(field)s “%(value)s”.") % {"field": name, "value": item[name]},
                    )
                setattr(station, name, chosen)
        if item.get("description"):
            station.description = str(item["description"])
        try:
            latitude, longitude = _coordinates(item)
        except ValueError as error:
            return self.error(where, str(error))
        if latitude is not None:
            station.latitude, station.longitude = latitude, longitude
        if station.medium == StationMedium.AIR and not item.get("averaging") and station.pk is None:
            station.averaging = Averaging.DAY  # dust and gas samplers report daily means
        self.save(station, where, before, "station")
        return None

    def save(self, obj: models.Model, where: str, before: dict[str, Any], kind: str) -> bool:
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as error:
            messages = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in error.message_dict.items()
            )
            self.error(where, messages)
            return False
        added = obj.pk is None
        if not added and _state(obj) == before:
            self.result.unchanged += 1
            return True
        obj.save()
        counter = f"{kind}s_{'added' if added else 'updated'}"
        setattr(self.result, counter, getattr(self.result, counter) + 1)
        return True


def station_medium(text: str) -> str | None:
    """The station medium ``text`` names: a code, an English label, or any spelling of a
    catalogue medium (``water`` and ``вода`` are surface water)."""
    chosen = _choice(text, StationMedium)
    if chosen is not None:
        return chosen
    medium = default_catalogue().medium(text)
    if medium == "water":
        return StationMedium.SURFACE_WATER
    return medium if medium in StationMedium.values else None


def _choice(value: Any, choices: type[models.TextChoices]) -> str | None:
    """The choice ``value`` names by its code or its label in English or the active
    language ("surface_water", "Surface water")."""
    key = match_key(str(value)).replace(" ", "_")
    for option in choices:
        labels = {str(option.label)}
        with translation.override("en"):
            labels.add(str(option.label))
        if key == option.value or key in {match_key(label).replace(" ", "_") for label in labels}:
            return option.value
    return None


def _coordinates(item: Mapping[str, Any]) -> tuple[float | None, float | None]:
    latitude, longitude = item.get("latitude"), item.get("longitude")
    if latitude in (None, "") and longitude in (None, ""):
        return None, None
    try:
        lat = float(str(latitude).replace(",", "."))
        lon = float(str(longitude).replace(",", "."))
    except ValueError:
        raise ValueError(
            _("coordinates “%(lat)s, %(lon)s” are not numbers.")
            % {"lat": latitude, "lon": longitude}
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(
            _("coordinates “%(lat)s, %(lon)s” are off the globe.") % {"lat": lat, "lon": lon}
        )
    return lat, lon


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in str(value or "").replace(";", ",").split(",") if part.strip()]


def _state(obj: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

"""Loading sites and stations: ``minehub import_stations`` with JSON, CSV and GeoJSON."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from minehub.monitoring.models import Site, Station
from minehub.monitoring.sites import import_stations
from minehub.monitoring.tests.helpers import DEV

pytestmark = pytest.mark.django_db


def test_the_reference_registry_loads_and_loading_it_again_changes_nothing() -> None:
    data = (DEV / "stations.json").read_bytes()
    first = import_stations(data, "stations.json")
    assert (first.sites_added, first.stations_added, first.errors) == (4, 16, [])
    again = import_stations(data, "stations.json")
    assert (
        again.sites_added,
        again.stations_added,
        again.sites_updated,
        again.stations_updated,
    ) == (0, 0, 0, 0)
    assert again.unchanged == 20
    assert Station.objects.count() == 16


def test_country_and_region_come_from_the_coordinates(registry: None) -> None:
    zaamar = Site.objects.get(code="MN-ZAA")
    assert (zaamar.country, zaamar.region.code) == ("MN", "MN-047")  # Töv
    mailuu_suu = Site.objects.get(code="KG-MLS")
    assert (mailuu_suu.country, mailuu_suu.region.code) == ("KG", "KG-J")  # Jalal-Abad
    assert Station.objects.get(code="MN-ZAA-W01").medium == "surface_water"
    assert Station.objects.get(code="MN-ZAA-S01").medium == "soil"


def test_air_stations_report_daily_means_unless_told(registry: None) -> None:
    air = Station.objects.filter(medium="air")
    assert air.exists() and set(air.values_list("averaging", flat=True)) == {"24h"}


def test_a_csv_of_stations_creates_their_sites_in_cp1251() -> None:
    text = (
        "site_code;site_name;site_kind;site_country;code;name;medium;lat;lon;position;use_class\n"
        "KG-TST;Тестовый рудник;tailings;KG;KG-TST-W1;Скважина 1;groundwater;41,30;72,45;downstream;drinking\n"
        "KG-TST;Тестовый рудник;tailings;KG;KG-TST-A1;Пост 1;воздух;41.31;72.46;;\n"
    )
    result = import_stations(text.encode("cp1251"), "stations.csv")
    assert result.errors == []
    site = Site.objects.get(code="KG-TST")
    assert (site.name, site.kind, site.region.code) == ("Тестовый рудник", "tailings", "KG-J")
    well = Station.objects.get(code="KG-TST-W1")
    assert (well.medium, well.position, well.use_class, well.latitude) == (
        "groundwater",
        "downstream",
        "drinking",
        41.3,
    )
    assert Station.objects.get(code="KG-TST-A1").medium == "air"


def test_geojson_points_are_stations_and_polygons_site_outlines() -> None:
    ring = [[104.5, 48.1], [104.7, 48.1], [104.7, 48.3], [104.5, 48.1]]
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"site_code": "MN-GEO", "name": "Geo site", "kind": "asm_area"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [104.6, 48.2]},
                "properties": {
                    "code": "MN-GEO-1",
                    "site_code": "MN-GEO",
                    "name": "Well",
                    "medium": "drinking water",
                },
            },
        ],
    }
    result = import_stations(json.dumps(document).encode(), "sites.geojson")
    assert result.errors == []
    site = Site.objects.get(code="MN-GEO")
    assert site.boundary["type"] == "Polygon" and site.country == "MN" and site.kind == "asm_area"
    station = Station.objects.get(code="MN-GEO-1")
    assert (station.latitude, station.longitude, station.medium) == (48.2, 104.6, "drinking_water")


def test_one_bad_item_saves_nothing_and_names_the_item() -> None:
    layout = {
        "sites": [{"site_code": "MN-A", "name": "A", "country": "MN"}],
        "stations": [
            {"code": "MN-A-1", "site_code": "MN-A", "name": "ok", "medium": "water"},
            {"code": "MN-A-2", "site_code": "MN-A", "name": "bad", "medium": "lava"},
            {"code": "MN-A-3", "site_code": "MN-NOPE", "name": "orphan", "medium": "air"},
            {
                "code": "MN-A-4",
                "site_code": "MN-A",
                "name": "far",
                "medium": "air",
                "lat": 95,
                "lon": 0,
            },
        ],
    }
    result = import_stations(json.dumps(layout).encode(), "x.json")
    assert len(result.errors) == 3
    assert "MN-A-2" in result.errors[0] and "lava" in result.errors[0]
    assert "MN-NOPE" in result.errors[1]
    assert "MN-A-4" in result.errors[2]
    assert not Site.objects.exists() and not Station.objects.exists()


def test_a_site_without_country_or_coordinates_is_refused() -> None:
    result = import_stations(
        b'{"sites": [{"site_code": "X", "name": "X"}], "stations": []}', "x.json"
    )
    assert result.errors and "country" in result.errors[0]


def test_malformed_json_gets_a_clear_error() -> None:
    result = import_stations(b'{"sites": [', "x.json")
    assert result.errors and "JSON" in result.errors[0]


def test_the_command_reports_and_fails_loudly(tmp_path: Path) -> None:
    out = StringIO()
    call_command("import_stations", str(DEV / "stations.json"), "--dry-run", stdout=out)
    assert "16" in out.getvalue() and not Station.objects.exists()
    bad = tmp_path / "bad.json"
    bad.write_text('{"sites": [], "stations": [{"code": "Q", "site_code": "none"}]}')
    with pytest.raises(CommandError):
        call_command("import_stations", str(bad), stdout=StringIO(), stderr=StringIO())

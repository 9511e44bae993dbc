"""The monitoring map: the list it shows without JavaScript, its GeoJSON (who sees which
status), the shipped outlines, the optional tile layer and what the page weighs."""

from __future__ import annotations

import gzip
import json
import math
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from minehub.core.testing import browser_test
from minehub.monitoring import maps
from minehub.monitoring.models import Compliance, Measurement, Site, Station

MAP = "/en/monitoring/map/"
FEATURES = "/en/monitoring/map/features.geojson"
OUTLINES = "/en/monitoring/map/outlines.geojson"
PAGE_BUDGET = 150 * 1024  # DESIGN.md: other pages ≤ 150 KB transferred


def _site(code: str = "KG-OSH", **values: Any) -> Site:
    return Site.objects.create(
        code=code, name=values.pop("name", "Osh test mine"), kind="active_mine", country="KG",
        **values,
    )  # fmt: skip


def _station(site: Site, code: str, latitude: float | None, longitude: float | None) -> Station:
    return Station.objects.create(
        site=site, code=code, name=f"Well {code}", medium="drinking_water",
        latitude=latitude, longitude=longitude,
    )  # fmt: skip


def _result(
    station: Station,
    compliance: int,
    *,
    days_ago: int = 30,
    public: bool = True,
    parameter: str = "As",
) -> Measurement:
    return Measurement.objects.create(
        station=station, parameter=parameter, unit="mg/L", value=0.02,
        sampled_at=timezone.now() - timedelta(days=days_ago), sample_id=f"S-{days_ago}",
        compliance=compliance, is_public=public,
    )  # fmt: skip


@pytest.fixture
def osh(db: None) -> dict[str, Station]:
    """A site without coordinates of its own, two located wells and one unlocated."""
    site = _site()
    return {
        "bad": _station(site, "OSH-DW-01", 40.55, 72.80),
        "good": _station(site, "OSH-DW-02", 40.53, 72.78),
        "lost": _station(site, "OSH-DW-03", None, None),
    }


def _features(client: Any) -> dict[str, dict[str, Any]]:
    response = client.get(FEATURES)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    return {feature["properties"]["code"]: feature for feature in collection["features"]}


def test_the_map_page_lists_sites_and_stations_with_status_words_without_javascript(
    osh: dict[str, Station], client: Any
) -> None:
    _result(osh["bad"], Compliance.EXCEEDS)
    _result(osh["good"], Compliance.COMPLIANT)
    page = client.get(MAP).content.decode()
    # The map itself waits for its script; the list stands on its own.
    assert re.search(r'<figure class="monitoring-map" hidden', page)
    assert reverse("monitoring:station-detail", args=["OSH-DW-01"]) in page
    assert reverse("monitoring:site-detail", args=["KG-OSH"]) in page
    rows = re.findall(r'<tr class="map-station">(.*?)</tr>', page, re.S)
    by_code = {re.search(r"OSH-DW-0\d", row).group(): row for row in rows}
    assert "Exceeds" in by_code["OSH-DW-01"]
    assert "Within limits" in by_code["OSH-DW-02"]
    assert (
        "No limit or no data" in by_code["OSH-DW-03"] and "no coordinates" in by_code["OSH-DW-03"]
    )
    site_row = re.search(r'<tr class="map-site">(.*?)</tr>', page, re.S).group(1)
    assert "Exceeds" in site_row  # a site is as bad as its worst station
    assert "Alert" in page and "Indeterminate" in page  # the legend names every status


def test_the_features_endpoint_returns_geojson_with_each_status(
    osh: dict[str, Station], client: Any
) -> None:
    _result(osh["bad"], Compliance.ALERT)
    _result(osh["good"], Compliance.COMPLIANT)
    features = _features(client)
    assert set(features) == {"KG-OSH", "OSH-DW-01", "OSH-DW-02"}  # the unlocated well is not
    bad = features["OSH-DW-01"]
    assert bad["geometry"] == {"type": "Point", "coordinates": [72.8, 40.55]}
    assert bad["properties"]["status"] == Compliance.ALERT
    assert bad["properties"]["status_word"] == "Alert"
    assert bad["properties"]["url"] == reverse("monitoring:station-detail", args=["OSH-DW-01"])
    assert features["OSH-DW-02"]["properties"]["status"] == Compliance.COMPLIANT
    site = features["KG-OSH"]
    assert site["properties"]["status"] == Compliance.ALERT
    # A site without coordinates sits amid its located stations.
    lon, lat = site["geometry"]["coordinates"]
    assert math.isclose(lat, 40.54) and math.isclose(lon, 72.79)


def test_a_site_with_an_outline_is_drawn_as_its_polygon(db: None, client: Any) -> None:
    ring = [[72.7, 40.5], [72.9, 40.5], [72.9, 40.6], [72.7, 40.5]]
    _site("KG-OUT", boundary={"type": "Polygon", "coordinates": [ring]})
    _site("KG-PNT", latitude=41.0, longitude=73.0)
    features = _features(client)
    assert features["KG-OUT"]["geometry"] == {"type": "Polygon", "coordinates": [ring]}
    assert features["KG-PNT"]["geometry"] == {"type": "Point", "coordinates": [73.0, 41.0]}


def test_unpublished_results_colour_the_map_for_inspectors_but_not_the_public(
    osh: dict[str, Station], personas: Any
) -> None:
    _result(osh["bad"], Compliance.EXCEEDS, public=False)
    _result(osh["bad"], Compliance.COMPLIANT, days_ago=60)
    public = _features(personas.client("anonymous"))
    assert public["OSH-DW-01"]["properties"]["status"] == Compliance.COMPLIANT
    assert public["KG-OSH"]["properties"]["status"] == Compliance.COMPLIANT
    assert (
        "Exceeds"
        not in personas.client("member").get(MAP).content.decode().split('<h2 id="places">')[1]
    )
    for name in ("inspector", "data_steward"):
        seen = _features(personas.client(name))
        assert seen["OSH-DW-01"]["properties"]["status"] == Compliance.EXCEEDS, name
        assert seen["KG-OSH"]["properties"]["status"] == Compliance.EXCEEDS, name


def test_a_result_older_than_a_year_no_longer_colours_the_map(
    osh: dict[str, Station], client: Any
) -> None:
    _result(osh["bad"], Compliance.EXCEEDS, days_ago=400)
    properties = _features(client)["OSH-DW-01"]["properties"]
    assert properties["status"] == Compliance.NO_LIMIT
    assert "latest sample" in properties["detail"]  # the old sample is still the latest


def test_the_features_answer_is_private_and_revalidated(
    osh: dict[str, Station], client: Any
) -> None:
    response = client.get(FEATURES)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    again = client.get(FEATURES, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_outlines_are_simplified_closed_rings_and_cacheable(db: None, client: Any) -> None:
    response = client.get(OUTLINES, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    collection = json.loads(gzip.decompress(response.content))
    codes = {feature["properties"]["code"] for feature in collection["features"]}
    assert len(codes) == 30 and {"MN-1", "KG-GB", "KG-O"} <= codes
    names = {f["properties"]["code"]: f["properties"]["name"] for f in collection["features"]}
    assert names["MN-1"] == "Ulaanbaatar"
    for feature in collection["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
    # Simplified: a third of the shipped file's gzipped 62 KB.
    assert len(response.content) < 30 * 1024
    again = client.get(OUTLINES, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_outlines_carry_region_names_in_the_readers_language(db: None, client: Any) -> None:
    collection = json.loads(client.get("/mn/monitoring/map/outlines.geojson").content)
    names = {f["properties"]["code"]: f["properties"]["name"] for f in collection["features"]}
    assert names["MN-1"] == "Улаанбаатар"


def _distance_to_segment(point: list[float], start: list[float], end: list[float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


coordinates = st.floats(min_value=-50, max_value=50, allow_nan=False)
lines = st.lists(
    st.lists(coordinates, min_size=2, max_size=2), min_size=2, max_size=40, unique_by=tuple
)


@given(lines)
def test_simplifying_keeps_the_ends_and_moves_no_point_beyond_the_tolerance(
    points: list[list[float]],
) -> None:
    tolerance = 0.5
    simplified = maps.simplify(points, tolerance)
    assert simplified[0] == points[0] and simplified[-1] == points[-1]
    kept = [points.index(point) for point in simplified]
    assert kept == sorted(kept)  # original points, in their order
    for first, last in zip(kept, kept[1:], strict=False):
        for dropped in points[first + 1 : last]:
            assert _distance_to_segment(dropped, points[first], points[last]) <= tolerance + 1e-9


def test_no_tile_layer_is_used_unless_configured(osh: dict[str, Station], client: Any) -> None:
    response = client.get(MAP)
    assert "data-tiles" not in response.content.decode()
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]


@override_settings(
    MINEHUB_MAP_TILES_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    MINEHUB_MAP_TILES_ATTRIBUTION="© Example <contributors>",
)
def test_a_configured_tile_layer_is_offered_and_admitted_by_the_policy(
    osh: dict[str, Station], client: Any
) -> None:
    response = client.get(MAP)
    page = response.content.decode()
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-tiles-attribution="© Example &lt;contributors&gt;"' in page
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in policy
    assert "script-src 'self';" in policy  # nothing else is loosened


def test_tile_sources_for_the_policy() -> None:
    assert maps.tile_source("https://tile.example.org/{z}/{x}/{y}.png") == (
        "https://tile.example.org"
    )
    assert maps.tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert maps.tile_source("https://t-{s}.example.org/{z}/{x}/{y}.png") == "https://*.example.org"
    # A wildcard may stand only for the leftmost label: elsewhere the scheme is admitted.
    assert maps.tile_source("https://maps.{s}.example.org/{z}/{x}/{y}.png") == "https:"


def _static_path(url: str) -> str:
    found = finders.find(url.removeprefix("/static/"))
    assert found, f"{url} is not a static file of the hub"
    return found


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def test_the_map_page_loads_nothing_from_other_hosts(osh: dict[str, Station], client: Any) -> None:
    page = client.get(MAP).content.decode()
    loaded = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert any(url.endswith("vendor/leaflet/leaflet.js") for url in loaded)
    assert any(url.endswith("vendor/leaflet/leaflet.css") for url in loaded)
    assert all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded
    assert "unpkg" not in page and "cdn" not in page.lower()
    for url in loaded:
        _static_path(url)


def test_the_map_page_with_leaflet_stays_within_the_page_weight_budget(
    osh: dict[str, Station], client: Any, capsys: Any
) -> None:
    for station in osh.values():
        _result(station, Compliance.EXCEEDS)
    html = client.get(MAP).content
    page = html.decode()
    weights = {"HTML": _gzip_size(html)}
    for url in re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', page):
        with open(_static_path(url), "rb") as handle:
            weights[url.rsplit("/", 1)[-1]] = _gzip_size(handle.read())
    for name, url in (("features", FEATURES), ("outlines", OUTLINES)):
        response = client.get(url, headers={"accept-encoding": "gzip"})
        weights[name] = len(response.content)  # as sent: the views gzip their answers
    total = sum(weights.values())
    with capsys.disabled():
        print("\nmap page, gzipped bytes:", weights, "total", total)
    assert total <= PAGE_BUDGET


def test_the_map_stays_within_the_query_budget(
    db: None, client: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        site = _site(f"KG-{number}", name=f"Site {number}")
        for index in range(8):
            station = _station(site, f"KG-{number}-{index}", 41 + index / 10, 72 + number / 10)
            _result(station, Compliance.EXCEEDS if index % 3 == 0 else Compliance.COMPLIANT)
    with django_assert_max_num_queries(6):
        assert len(_features(client)) == 45
    with django_assert_max_num_queries(6):
        client.get(MAP)


def test_the_site_list_and_the_map_agree_on_a_sites_status(
    osh: dict[str, Station], client: Any
) -> None:
    _result(osh["good"], Compliance.INDETERMINATE)
    rows = client.get(reverse("monitoring:site-list")).context["rows"]
    assert [(site.code, status) for site, status in rows] == [("KG-OSH", Compliance.INDETERMINATE)]
    assert _features(client)["KG-OSH"]["properties"]["status"] == Compliance.INDETERMINATE


@pytest.fixture
def two_stations(transactional_db: None) -> None:
    # Made before the browser starts (a fixture listed before ``page``): rows written
    # while Playwright's event loop runs leave a connection open on PostgreSQL that
    # outlives the test and keeps the test database from being dropped.
    site = _site()
    _result(_station(site, "OSH-DW-01", 40.55, 72.80), Compliance.EXCEEDS)
    _station(site, "OSH-DW-02", 40.53, 72.78)


@browser_test
@pytest.mark.django_db(transaction=True)
def test_the_map_draws_outlines_and_coloured_stations_in_a_browser(
    two_stations: None, page: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/en/monitoring/map/")
    page.wait_for_selector("path.map-station.map-status-3")
    assert page.locator("path.map-station").count() == 2
    # The outlines arrive in their own request, maybe after the stations.
    page.wait_for_function("document.querySelectorAll('path.map-outline').length >= 30")
    page.locator("path.map-station.map-status-3").click(force=True)
    popup = page.locator(".map-popup")
    assert "OSH-DW-01" in popup.inner_text() and "Exceeds" in popup.inner_text()

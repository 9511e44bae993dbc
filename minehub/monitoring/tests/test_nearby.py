"""Stations "near me": distances, the stations within reach of a settlement or a point, their
status and exceedances, the plain-language summary, and the form's answers to bad input."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from minehub.monitoring import nearby
from minehub.monitoring.forms import NearForm
from minehub.monitoring.models import Compliance, Measurement, Site, Station

NEAR = "/en/monitoring/near/"
OSH = (40.54041, 72.79002)  # the shipped settlement


def _station(site: Site, code: str, latitude: float, longitude: float, medium: str) -> Station:
    return Station.objects.create(
        site=site, code=code, name=f"Point {code}", medium=medium,
        latitude=latitude, longitude=longitude,
    )  # fmt: skip


def _results(
    station: Station, parameter: str, compliances: list[int], *, public: bool = True
) -> None:
    now = timezone.now()
    Measurement.objects.bulk_create(
        Measurement(
            station=station, parameter=parameter, unit="mg/L", value=0.02,
            sampled_at=now - timedelta(days=20 + 30 * number), sample_id=f"{parameter}-{number}",
            compliance=compliance, is_public=public,
        )
        for number, compliance in enumerate(compliances)
    )  # fmt: skip


@pytest.fixture
def around_osh(db: None) -> dict[str, Station]:
    """Stations 1.1 km east, 4.4 km north and 30 km south of Osh, and one in Bishkek."""
    site = Site.objects.create(code="KG-OSH", name="Osh test mine", kind="tailings", country="KG")
    return {
        "east": _station(site, "OSH-GW-01", OSH[0], OSH[1] + 0.013, "groundwater"),
        "north": _station(site, "OSH-DW-02", OSH[0] + 0.04, OSH[1], "drinking_water"),
        "far": _station(site, "OSH-SW-03", OSH[0] - 0.27, OSH[1], "surface_water"),
        "bishkek": _station(site, "BSK-AIR-01", 42.875, 74.583, "air"),
    }


# --- Distances -----------------------------------------------------------------------------

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


def test_known_distances() -> None:
    # One degree of the equator and a quarter meridian on the mean-radius sphere.
    assert math.isclose(nearby.haversine_km(0, 0, 0, 1), 111.195, abs_tol=0.001)
    assert math.isclose(nearby.haversine_km(0, 0, 90, 0), 10_007.557, abs_tol=0.001)
    assert math.isclose(nearby.haversine_km(0, 179.5, 0, -179.5), 111.195, abs_tol=0.001)
    # Bishkek to Osh: the WGS84 geodesic (Vincenty) is 299.17 km; the sphere is 0.02 % off.
    assert math.isclose(nearby.haversine_km(42.87503, 74.58326, *OSH), 299.17, abs_tol=0.1)


@given(points, points)
def test_distance_is_symmetric_and_never_more_than_half_the_globe(
    a: tuple[float, float], b: tuple[float, float]
) -> None:
    there = nearby.haversine_km(*a, *b)
    assert math.isclose(there, nearby.haversine_km(*b, *a), abs_tol=1e-6)
    assert 0 <= there <= math.pi * nearby.EARTH_RADIUS_KM + 1e-6


@given(points)
def test_a_point_is_at_no_distance_from_itself(a: tuple[float, float]) -> None:
    assert nearby.haversine_km(*a, *a) == 0


@given(points, points, points)
def test_distance_obeys_the_triangle_inequality(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> None:
    assert nearby.haversine_km(*a, *c) <= (
        nearby.haversine_km(*a, *b) + nearby.haversine_km(*b, *c) + 1e-6
    )


def _destination(latitude: float, longitude: float, bearing: float, km: float) -> tuple:
    """The point ``km`` from the start along the initial ``bearing`` (degrees)."""
    phi, lam, theta = map(math.radians, (latitude, longitude, bearing))
    delta = km / nearby.EARTH_RADIUS_KM
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@given(
    st.floats(min_value=-89, max_value=89),
    longitudes,
    st.floats(min_value=0, max_value=360),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([5, 10, 25, 50, 2000]),
)
def test_the_prefilter_box_holds_every_point_within_the_radius(
    latitude: float, longitude: float, bearing: float, share: float, radius: int
) -> None:
    target = _destination(latitude, longitude, bearing, radius * share * 0.999)
    assume(nearby.haversine_km(latitude, longitude, *target) <= radius)
    assert nearby.bounding_box(latitude, longitude, radius).contains(*target)


def test_the_box_wraps_the_date_line_and_opens_at_the_poles() -> None:
    box = nearby.bounding_box(65.0, 179.9, 50)
    assert box.west > box.east and box.contains(65.0, -179.9) and not box.contains(65.0, 0)
    polar = nearby.bounding_box(89.9, 10, 50)
    assert (polar.west, polar.east, polar.north) == (-180, 180, 90)


def test_directions_read_as_compass_words() -> None:
    assert nearby.direction_word(nearby.bearing_degrees(40, 72, 41, 72)) == "north"
    assert nearby.direction_word(nearby.bearing_degrees(40, 72, 40, 73)) == "east"
    assert nearby.direction_word(nearby.bearing_degrees(40, 72, 39.9, 71.9)) == "south-west"


# --- Settlements and the form --------------------------------------------------------------


def test_every_shipped_settlement_can_be_chosen_by_a_key_of_its_own() -> None:
    places = nearby.settlements()
    assert len(places) == 38
    assert places["osh"].country == "KG" and places["ulaanbaatar"].region == "MN-1"
    choices = [key for _group, options in NearForm().fields["settlement"].choices[1:]
               for key, _label in options]  # fmt: skip
    assert sorted(choices) == sorted(places)


def test_settlements_are_named_in_the_readers_language(db: None, client: Any) -> None:
    page = client.get("/ru/monitoring/near/").content.decode()
    assert "Ош (Osh)" in page and "Эрдэнэт (Erdenet)" in page
    assert ">Osh</option>" in client.get(NEAR).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("latitude=95&longitude=72", "A latitude lies between -90 and 90 degrees."),
        ("latitude=40&longitude=-181", "A longitude lies between -180 and 180 degrees."),
        ("latitude=abc&longitude=72", "Enter the latitude in decimal degrees"),
        ("latitude=nan&longitude=72", "Enter the latitude in decimal degrees"),
        ("latitude=40.5", "Enter both the latitude and the longitude."),
        ("settlement=osh&latitude=40&longitude=72", "Choose a settlement or enter coordinates, not both."),
        ("settlement=atlantis", "Select a valid choice."),
        ("settlement=osh&distance=7", "Select a valid choice."),
        ("distance=10", "Choose a settlement or enter coordinates."),
    ],
)  # fmt: skip
def test_bad_input_gets_a_message_not_an_error_page(
    db: None, client: Any, query: str, message: str
) -> None:
    response = client.get(f"{NEAR}?{query}")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["result"] is None


def test_a_plain_visit_shows_the_forms_without_complaint(db: None, client: Any) -> None:
    response = client.get(f"{NEAR}?utm_source=newsletter")
    page = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist"' not in page
    assert (
        "data-locate" in page and 'id="place-settlement"' in page and 'id="point-latitude"' in page
    )


# --- Stations near a place -----------------------------------------------------------------


def test_near_a_settlement_lists_the_stations_in_reach_nearest_first_with_a_summary(
    around_osh: dict[str, Station], client: Any
) -> None:
    _results(
        around_osh["north"], "As", [Compliance.EXCEEDS, Compliance.ALERT, Compliance.COMPLIANT]
    )
    _results(around_osh["north"], "Pb", [Compliance.COMPLIANT])
    _results(around_osh["east"], "As", [Compliance.COMPLIANT])
    _results(around_osh["far"], "Cd", [Compliance.EXCEEDS])  # beyond 10 km
    response = client.get(f"{NEAR}?settlement=osh&distance=10")
    result = response.context["result"]
    assert [item.station.code for item in result.stations] == ["OSH-GW-01", "OSH-DW-02"]
    east, north = result.stations
    assert math.isclose(east.distance_km, 1.1, abs_tol=0.05) and east.direction == "east"
    assert math.isclose(north.distance_km, 4.45, abs_tol=0.05) and north.direction == "north"
    assert east.status == Compliance.COMPLIANT and north.status == Compliance.ALERT
    assert [(e.parameter, e.name, e.times) for e in north.exceedances] == [("As", "Arsenic", 2)]
    assert east.exceedances == [] and north.exceedance_count == 2
    assert result.summary == [
        "2 monitoring points within 10 km.",
        "At 1 of them, results in the last 12 months exceeded a limit: "
        "arsenic in drinking water at OSH-DW-02 (2 times).",
    ]
    page = response.content.decode()
    assert "Near Osh, within 10 km" in page and "1.1 km east" in page
    assert "arsenic in drinking water at OSH-DW-02 (2 times)" in page


def test_a_wider_distance_reaches_further_and_says_what_has_no_recent_results(
    around_osh: dict[str, Station], client: Any
) -> None:
    _results(around_osh["east"], "As", [Compliance.COMPLIANT])
    _results(around_osh["far"], "Cd", [Compliance.EXCEEDS])
    result = client.get(f"{NEAR}?settlement=osh&distance=50").context["result"]
    assert [item.station.code for item in result.stations] == [
        "OSH-GW-01",
        "OSH-DW-02",
        "OSH-SW-03",
    ]
    assert result.summary == [
        "3 monitoring points within 50 km.",
        "At 1 of them, results in the last 12 months exceeded a limit: "
        "cadmium in surface water at OSH-SW-03 (1 time).",
        "For 1 of them, no result of the last 12 months can be compared with a limit.",
    ]


def test_near_a_point_given_with_decimal_commas(
    around_osh: dict[str, Station], client: Any
) -> None:
    _results(around_osh["bishkek"], "PM10", [Compliance.COMPLIANT])
    response = client.get(f"{NEAR}?latitude=42,87&longitude=74,58&distance=5")
    result = response.context["result"]
    assert [item.station.code for item in result.stations] == ["BSK-AIR-01"]
    assert result.summary == [
        "1 monitoring point within 5 km.",
        "No result of the last 12 months exceeded a limit at any of them.",
    ]
    assert "Near 42.8700, 74.5800, within 5 km" in response.content.decode()


def test_nothing_in_reach_is_said_plainly(around_osh: dict[str, Station], client: Any) -> None:
    result = client.get(f"{NEAR}?settlement=ulaanbaatar").context["result"]
    assert result.stations == [] and result.radius_km == 10
    assert result.summary == ["No monitoring point lies within 10 km."]


def test_results_older_than_a_year_count_neither_as_status_nor_exceedance(
    around_osh: dict[str, Station], client: Any
) -> None:
    Measurement.objects.create(
        station=around_osh["east"], parameter="As", unit="mg/L", value=0.5,
        sampled_at=timezone.now() - timedelta(days=400), compliance=Compliance.ALERT,
    )  # fmt: skip
    result = client.get(f"{NEAR}?settlement=osh&distance=5").context["result"]
    east = result.stations[0]
    assert east.status == Compliance.NO_LIMIT and east.exceedances == []
    assert east.latest is not None


def test_unpublished_exceedances_are_told_to_inspectors_only(
    around_osh: dict[str, Station], personas: Any
) -> None:
    _results(around_osh["north"], "As", [Compliance.EXCEEDS], public=False)
    _results(around_osh["north"], "Pb", [Compliance.COMPLIANT])
    url = f"{NEAR}?settlement=osh&distance=10"
    public = personas.client("anonymous").get(url).context["result"]
    assert (
        public.stations[1].exceedances == [] and public.stations[1].status == Compliance.COMPLIANT
    )
    assert not any("exceeded a limit:" in sentence for sentence in public.summary)
    inspector = personas.client("inspector").get(url).context["result"]
    assert inspector.stations[1].exceedance_count == 1
    assert "arsenic in drinking water at OSH-DW-02 (1 time)" in inspector.summary[1]


def test_near_me_stays_within_the_query_budget_however_many_stations(
    db: None, client: Any, django_assert_max_num_queries: Any
) -> None:
    site = Site.objects.create(code="KG-OSH", name="Osh test mine", kind="tailings", country="KG")
    for number in range(30):
        station = _station(
            site, f"OSH-{number:02}", OSH[0] + number / 1000, OSH[1], "drinking_water"
        )
        _results(station, "As", [Compliance.EXCEEDS, Compliance.COMPLIANT])
    with django_assert_max_num_queries(5):
        response = client.get(f"{NEAR}?settlement=osh&distance=10")
    assert len(response.context["result"].stations) == 30


def test_the_near_me_page_loads_nothing_from_other_hosts(
    around_osh: dict[str, Station], client: Any
) -> None:
    page = client.get(f"{NEAR}?settlement=osh").content.decode()
    loaded = re.findall(r'<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert any(url.endswith("monitoring/near.js") for url in loaded)
    assert all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded

"""The standards registry: shipped, cited limits; history; which limits apply where."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minehub.monitoring.models import Limit, LimitChange, Site, Standard, Station
from minehub.monitoring.standards import LimitBook, load_shipped_standards, record_change

pytestmark = pytest.mark.django_db


def test_the_shipped_standards_are_loaded_with_their_sources() -> None:
    who = Standard.objects.get(code="who-drinking-water-2022")
    assert "fourth edition" in who.citation and who.url.startswith("https://www.who.int/")
    arsenic = who.limits.get(parameter="As")
    assert arsenic.maximum == Decimal("0.01") and arsenic.unit == "mg/L"
    assert arsenic.note == "provisional guideline value" and arsenic.verified
    pm25 = Standard.objects.get(code="mns-4585-2016").limits.get(parameter="PM2.5", averaging="24h")
    assert (pm25.maximum, pm25.alert_multiple, pm25.unit) == (Decimal(50), Decimal(10), "µg/m3")
    assert Standard.objects.get(code="who-air-quality-2021").limits.get(
        parameter="PM2.5", averaging="annual"
    ).maximum == Decimal(5)


def test_values_from_secondary_sources_ship_marked_unverified() -> None:
    unverified = set(Limit.objects.filter(verified=False).values_list("parameter", flat=True))
    assert unverified == {"Fe", "SO4"}


def test_every_shipped_limit_is_in_the_history() -> None:
    assert LimitChange.objects.filter(action="added").count() == Limit.objects.count() > 30


def test_reloading_keeps_a_data_stewards_edits_and_removals() -> None:
    arsenic = Limit.objects.get(standard__code="who-drinking-water-2022", parameter="As")
    arsenic.maximum = Decimal("0.05")
    arsenic.save()
    Limit.objects.filter(parameter="Cd").delete()
    assert load_shipped_standards() == 0
    arsenic.refresh_from_db()
    assert arsenic.maximum == Decimal("0.05")
    assert not Limit.objects.filter(parameter="Cd").exists()


def test_a_change_is_recorded_with_before_and_after_and_a_no_op_is_not() -> None:
    limit = Limit.objects.get(standard__code="who-drinking-water-2022", parameter="Pb")
    from minehub.monitoring.standards import limit_state

    before = limit_state(limit)
    assert record_change(limit, LimitChange.Action.CHANGED, before) is None
    limit.maximum = Decimal("0.005")
    change = record_change(limit, LimitChange.Action.CHANGED, before)
    assert change is not None
    assert (change.before["maximum"], change.after["maximum"]) == ("0.01", "0.005")


def _station(medium: str, country: str, use_class: str = "") -> Station:
    site = Site.objects.create(
        code=f"S-{medium}-{country}", name="s", kind="active_mine", country=country
    )
    return Station.objects.create(
        site=site, code=f"{site.code}-1", name="x", medium=medium, use_class=use_class
    )


def test_limits_apply_by_medium_country_use_class_and_averaging() -> None:
    book = LimitBook.load()
    mongolian_air = _station("air", "MN")
    kyrgyz_air = _station("air", "KG")
    day = {str(limit.standard.code) for limit in book.limits_for(mongolian_air, "PM10", "24h")}
    assert day == {"who-air-quality-2021", "mns-4585-2016"}
    assert {limit.standard.code for limit in book.limits_for(kyrgyz_air, "PM10", "24h")} == {
        "who-air-quality-2021"
    }
    assert book.limits_for(mongolian_air, "PM10", "sample") == []
    assert book.limits_for(_station("surface_water", "MN"), "As", "sample") == []
    drinking = _station("drinking_water", "KG")
    assert [limit.maximum for limit in book.limits_for(drinking, "As", "sample")] == [
        Decimal("0.01")
    ]


def test_a_use_class_limit_applies_only_to_stations_of_that_class() -> None:
    standard = Standard.objects.create(
        code="pdk-test", title="PDK (test)", country="KG", citation="test"
    )
    Limit.objects.create(
        standard=standard,
        parameter="Hg",
        medium="surface_water",
        use_class="fishery",
        maximum=Decimal("0.00001"),
    )
    book = LimitBook.load()
    assert book.limits_for(_station("surface_water", "KG", "fishery"), "Hg", "sample")
    assert not LimitBook.load().limits_for(
        _station("groundwater", "KG", "household"), "Hg", "sample"
    )


def test_superseded_standards_do_not_apply() -> None:
    Standard.objects.filter(code="mns-4585-2016").update(is_active=False)
    codes = {
        limit.standard.code
        for limit in LimitBook.load().limits_for(_station("air", "MN"), "PM10", "24h")
    }
    assert codes == {"who-air-quality-2021"}

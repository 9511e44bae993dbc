"""Stored comparisons follow the rules: after a limit or a station changes, results are
compared again (in the background) and their exceedances brought up to date."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import TestCase
from django.utils import timezone

from minehub.core.testing import client_for, make_persona
from minehub.exchange.models import Notification
from minehub.monitoring import ingest
from minehub.monitoring.models import (
    AlertSubscription,
    Compliance,
    Exceedance,
    Limit,
    Measurement,
    Site,
    Station,
)
from minehub.monitoring.reassess import reassess
from minehub.monitoring.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def _well_with_arsenic(value: str) -> Station:
    site = Site.objects.get(code="KG-CHT")
    well = Station.objects.create(
        site=site, code="KG-CHT-DW1", name="Village well", medium="drinking_water"
    )
    day = (timezone.now() - timedelta(days=2)).date().isoformat()
    batch = ingest.receive(
        csv_bytes(f"KG-CHT,KG-CHT-DW1,W-1,{day},water,As,{value},mg/L,,,,,"), "w.csv"
    )
    ingest.check(batch)
    ingest.commit(batch)
    return well


def _who_arsenic() -> Limit:
    return Limit.objects.get(
        standard__code="who-drinking-water-2022", parameter="As", medium="drinking_water"
    )


def test_a_relaxed_limit_clears_the_exceedance_and_a_stricter_one_raises_it(
    registry: None,
) -> None:
    _well_with_arsenic("0.025")  # 2.5 × WHO 0.01 mg/L
    assert Exceedance.objects.count() == 1
    limit = _who_arsenic()
    limit.maximum = Decimal("0.05")
    limit.save()
    outcome = reassess(parameters=["As"])
    assert (outcome.results, outcome.changed, outcome.exceedances_removed) == (1, 1, 1)
    result = Measurement.objects.get()
    assert result.compliance == Compliance.COMPLIANT and result.ratio == pytest.approx(0.5)
    assert not Exceedance.objects.exists()
    limit.maximum = Decimal("0.002")
    limit.save()
    reassess(parameters=["As"])
    exceedance = Exceedance.objects.get()
    assert exceedance.ratio == pytest.approx(12.5) and exceedance.alerted_at is not None
    # Nothing changed since: a second run changes nothing.
    again = reassess()
    assert (again.changed, again.exceedances_added, again.exceedances_removed) == (0, 0, 0)


def test_a_rule_change_alerts_nobody(registry: None) -> None:
    user = make_persona("member")
    site = Site.objects.get(code="KG-CHT")
    AlertSubscription.objects.create(user=user, site=site)
    _well_with_arsenic("0.005")  # within the WHO limit
    limit = _who_arsenic()
    limit.maximum = Decimal("0.001")
    limit.save()
    with TestCase.captureOnCommitCallbacks(execute=True):
        reassess(parameters=["As"])
        from minehub.monitoring.alerts import announce

        announce()
    assert Exceedance.objects.count() == 1 and not Notification.objects.exists()


def test_changing_a_stations_use_in_the_admin_compares_its_results_again(
    registry: None,
) -> None:
    well = _well_with_arsenic("0.025")
    steward = client_for(make_persona("data_steward"))
    form = {key: ("" if value is None else value) for key, value in model_to_dict(well).items()}
    form["medium"] = "groundwater"  # not a drinking-water source after all
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = steward.post(f"/en/admin/monitoring/station/{well.pk}/change/", form)
    assert response.status_code == 302, response.content
    assert Measurement.objects.get().compliance == Compliance.NO_LIMIT
    assert not Exceedance.objects.exists()

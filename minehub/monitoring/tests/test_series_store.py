"""Series stored column-wise: the worker stores them after a change, readers use a copy
only while it is current and read the results otherwise."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from minehub.monitoring import ingest, readings, series_store
from minehub.monitoring.models import ImportBatch, Measurement, SeriesChunk, Site, Station
from minehub.monitoring.tests.helpers import csv_bytes

CODE = "KG-CHT-DW1"


@pytest.fixture
def well(registry: None) -> Station:
    return Station.objects.create(
        site=Site.objects.get(code="KG-CHT"),
        code=CODE,
        name="Village well",
        medium="drinking_water",
    )


def _import(lines: list[str], publish: bool = True, *, stored: Any = None) -> ImportBatch:
    """Imports the lines; with ``stored`` (django_capture_on_commit_callbacks) the worker's
    preparation after the commit runs too."""
    batch = ingest.receive(csv_bytes(*lines), "t.csv", publish=publish)
    ingest.check(batch)
    if stored is None:
        return ingest.commit(batch)
    with stored(execute=True):
        return ingest.commit(batch)


def _lines(parameter: str, values: list[Any], year: int = 2024) -> list[str]:
    return [
        f"KG-CHT,{CODE},{parameter}-{year}-{i},{year}-01-01T{i // 60:02d}:{i % 60:02d}:00Z,"
        f"water,{parameter},{value},mg/L,,,Lab,,"
        for i, value in enumerate(values)
    ]


def _reads_results(action: Any) -> tuple[Any, bool]:
    with CaptureQueriesContext(connection) as queries:
        outcome = action()
    return outcome, any("monitoring_measurement" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db
def test_after_an_import_the_series_are_stored_and_read_back_as_the_results_give_them(
    well: Station, django_capture_on_commit_callbacks: Any
) -> None:
    _import(_lines("As", [0.004, "<0.001", 0.02, 0.003]), stored=django_capture_on_commit_callbacks)
    _import(_lines("Pb", [0.002, 0.05]), publish=False, stored=django_capture_on_commit_callbacks)
    assert SeriesChunk.objects.filter(station=well).count() == 2
    for everything in (True, False):
        direct = series_store.from_results(well.pk, ["As", "Pb"], everything)
        stored, read_results = _reads_results(lambda: series_store.read(well.pk, ["As", "Pb"]))
        assert not read_results
        for parameter in ("As", "Pb"):
            kept, read = direct.get(parameter), stored[parameter].visible(everything)
            if kept is None:  # unpublished Pb, seen by the public
                assert not everything and parameter == "Pb" and len(read) == 0
                continue
            expected = kept.visible(everything)
            assert np.array_equal(read.times, expected.times)
            assert np.array_equal(read.values, expected.values)
            assert np.array_equal(read.non_detect, expected.non_detect)
            assert np.array_equal(read.exceeding, expected.exceeding)
    as_read = series_store.read(well.pk, ["As"])["As"].visible(True)
    assert as_read.values.tolist() == [0.004, 0.001, 0.02, 0.003]
    assert as_read.non_detect.tolist() == [False, True, False, False]
    assert as_read.exceeding.tolist() == [False, False, True, False]  # WHO 0.01 mg/L


@pytest.mark.django_db
def test_a_change_the_worker_has_not_stored_yet_is_read_from_the_results(
    well: Station, django_capture_on_commit_callbacks: Any
) -> None:
    _import(_lines("As", [0.004, 0.005]), stored=django_capture_on_commit_callbacks)
    later = _import(_lines("As", [0.004, 0.005, 0.006]))  # no worker: one result added
    assert later.rows_added == 1
    series, read_results = _reads_results(lambda: readings.series(well, "As", None))
    assert read_results and series.values.tolist() == [0.004, 0.005, 0.006]
    # Withdrawn without the worker: the public no longer sees the batch's result.
    ingest.set_public(later, False)
    assert readings.series(well, "As", None).values.tolist() == [0.004, 0.005]


@pytest.mark.django_db
def test_a_copy_missing_a_part_is_not_used(
    well: Station, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(series_store, "CHUNK_POINTS", 2)
    values = [0.001 * (i + 1) for i in range(5)]
    _import(_lines("As", values), stored=django_capture_on_commit_callbacks)
    assert list(SeriesChunk.objects.values_list("seq", "total")) == [(0, 5), (1, 5), (2, 5)]
    assert series_store.stored(well.pk, ["As"])["As"].values.tolist() == values
    SeriesChunk.objects.filter(seq=1).delete()
    assert series_store.stored(well.pk, ["As"]) == {}
    assert readings.series(well, "As", None).values.tolist() == values


@pytest.mark.django_db
def test_a_copy_made_while_the_results_changed_is_not_stored(
    well: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(_lines("As", [0.004]))
    read = series_store.from_results

    def read_then_change(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        Station.objects.filter(pk=well.pk).update(results_revision=F("results_revision") + 1)
        return found

    monkeypatch.setattr(series_store, "from_results", read_then_change)
    assert series_store.store([well.pk]) == 0
    assert not SeriesChunk.objects.exists()


@pytest.mark.django_db
def test_results_compared_again_raise_the_revision(well: Station) -> None:
    from minehub.monitoring.reassess import reassess

    _import(_lines("As", [0.004]))
    before = Station.objects.get(pk=well.pk).results_revision
    Measurement.objects.update(compliance=0, ratio=None)  # as if the limits had changed
    reassess()
    assert Station.objects.get(pk=well.pk).results_revision == before + 1


@pytest.mark.django_db
def test_the_parameters_of_a_station_are_listed_in_order_once_each(well: Station) -> None:
    _import(_lines("Pb", [0.002, 0.003]) + _lines("As", [0.004, 0.001]) + _lines("Cd", [0.001]))
    assert series_store.parameters_of(well.pk) == ["As", "Cd", "Pb"]
    assert series_store.parameters_of(well.pk + 1000) == []
    assert series_store.read(well.pk, []) == {}


@pytest.mark.django_db
def test_a_migration_has_the_worker_store_the_series_of_stations_without_a_current_copy(
    well: Station,
) -> None:
    from django.apps import apps

    from minehub.monitoring.apps import _after_migrate

    _import(_lines("As", [0.004]))  # stored by no worker, as after an upgrade
    Station.objects.create(site=well.site, code="KG-CHT-DW2", name="Empty", medium="air")
    assert series_store.unstored_stations() == [well.pk]
    _after_migrate(apps.get_app_config("monitoring"))  # the worker runs at once in tests
    assert series_store.unstored_stations() == []
    assert series_store.stored(well.pk, ["As"])["As"].values.tolist() == [0.004]


@pytest.mark.django_db
def test_saving_a_station_loaded_before_its_results_changed_keeps_the_new_revision(
    well: Station, django_capture_on_commit_callbacks: Any
) -> None:
    _import(_lines("As", [0.004]), stored=django_capture_on_commit_callbacks)
    edited = Station.objects.get(pk=well.pk)  # an editor opens the station…
    _import(_lines("As", [0.004, 0.005]))  # …results arrive; the worker has not run
    edited.name = "Village well (new pump)"
    edited.save()
    assert Station.objects.get(pk=well.pk).name == "Village well (new pump)"
    # The stored copy lacks the new result: it must stay out of date.
    assert series_store.stored(well.pk, ["As"]) == {}
    assert readings.series(well, "As", None).values.tolist() == [0.004, 0.005]

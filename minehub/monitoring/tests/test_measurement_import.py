"""Importing result files into the database: ``minehub import_measurements`` and the
check → commit service behind the web upload."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from minehub.monitoring import bulk, ingest
from minehub.monitoring.models import (
    BatchStatus,
    Compliance,
    Exceedance,
    ImportBatch,
    Measurement,
    Site,
    Station,
)
from minehub.monitoring.tests.helpers import DEV, csv_bytes, load_json

FILES = sorted(load_json("expected.json")["files"])
pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[dict[str, Any], int]:
    out = StringIO()
    try:
        call_command("import_measurements", *args, "--json", stdout=out)
        status = 0
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    return json.loads(out.getvalue()), status


@pytest.mark.parametrize("name", FILES)
def test_the_dry_run_json_reports_every_reference_file_as_expected(
    name: str, registry: None, expected: dict[str, Any]
) -> None:
    report, status = run(str(DEV / name), "--dry-run")
    spec = expected["files"][name]
    wanted = {(row["row"], row["error"]) for row in spec["invalid_rows"]}
    got = {(error["row"], error["code"]) for error in report["errors"]}
    # Uranium and antimony are catalogue parameters (see test_importing_files).
    accepted = wanted - got
    assert all(code == "unknown_parameter" for _row, code in accepted)
    assert got <= wanted
    assert report["rows_total"] == spec["rows_total"]
    assert report["rows_valid"] == spec["rows_valid"] + len(accepted)
    assert report["rows_invalid"] == len(got)
    for error in report["errors"]:
        assert list(error) == ["row", "column", "code", "message"] and error["message"]
    assert status == (1 if got else 0)
    assert not Measurement.objects.exists() and not ImportBatch.objects.exists()


def test_importing_every_file_twice_adds_its_rows_once(registry: None) -> None:
    added = {}
    for name in FILES:
        report, _status = run(str(DEV / name))
        assert report["rows_added"] == report["rows_valid"], name
        added[name] = report["rows_added"]
    total = Measurement.objects.count()
    assert total == sum(added.values())
    for name in FILES:
        report, _status = run(str(DEV / name))
        assert (report["rows_added"], report["rows_present"]) == (0, added[name]), name
    assert Measurement.objects.count() == total


def test_a_non_detect_keeps_its_detection_limit_never_zero(registry: None) -> None:
    run(str(DEV / "01_baseline_clean.csv"))
    mercury = Measurement.objects.get(station__code="MN-ZAA-W01", parameter="Hg", line=3)
    assert (mercury.non_detect, mercury.qualifier, mercury.value) == (True, "<", 0.0001)
    assert mercury.detection_limit == 0.0001
    assert not Measurement.objects.filter(value=0, non_detect=True).exists()


def test_units_are_converted_to_the_canonical_unit(registry: None) -> None:
    run(str(DEV / "04_unit_chaos.csv"))
    units = set(
        Measurement.objects.filter(station__medium="surface_water").values_list("unit", flat=True)
    )
    assert units <= {"mg/L", "pH units", "µS/cm", "NTU"}


def test_times_without_offset_are_local_to_the_sites_country(registry: None) -> None:
    data = csv_bytes(
        "MN-ZAA,MN-ZAA-W01,T-1,2024-06-12,water,As,0.004,mg/L,,,,,",
        "MN-ZAA,MN-ZAA-W01,T-2,2024-06-12T10:00:00+02:00,water,As,0.004,mg/L,,,,,",
        "KG-CHT,KG-CHT-W01,T-3,12.06.2024 10:00,water,As,0.004,mg/L,,,,,",
    )
    batch = ingest.receive(data, "t.csv")
    ingest.check(batch)
    ingest.commit(batch)
    times = dict(Measurement.objects.values_list("sample_id", "sampled_at"))
    assert times["T-1"] == datetime(2024, 6, 11, 16, 0, tzinfo=UTC)  # Ulaanbaatar, UTC+8
    assert times["T-2"] == datetime(2024, 6, 12, 8, 0, tzinfo=UTC)  # its own offset
    assert times["T-3"] == datetime(2024, 6, 12, 4, 0, tzinfo=UTC)  # Bishkek, UTC+6


def _drinking_well() -> Station:
    site = Site.objects.get(code="KG-CHT")
    return Station.objects.create(
        site=site, code="KG-CHT-DW1", name="Village well", medium="drinking_water"
    )


def test_results_are_compared_with_the_limits_of_their_station(registry: None) -> None:
    _drinking_well()
    data = csv_bytes(
        "KG-CHT,KG-CHT-DW1,W-1,2024-06-12,water,As,0.025,mg/L,,,,,",  # 2.5 × WHO 0.01
        "KG-CHT,KG-CHT-DW1,W-2,2024-06-12,water,As,<0.05,mg/L,,,,,",  # DL above the limit
        "KG-CHT,KG-CHT-DW1,W-3,2024-06-12,water,As,<0.001,mg/L,,,,,",
        "KG-CHT,KG-CHT-DW1,W-4,2024-06-12,water,Zn,5,mg/L,,,,,",  # no WHO value for zinc
    )
    batch = ingest.receive(data, "well.csv")
    report = ingest.check(batch)
    assert report.exceedance_count == 2
    assert {(item["row"], item["level"]) for item in report.exceedances} == {
        (1, "exceeds"),
        (2, "indeterminate"),
    }
    batch = ingest.commit(batch)
    standing = dict(Measurement.objects.values_list("sample_id", "compliance"))
    assert standing == {
        "W-1": Compliance.EXCEEDS,
        "W-2": Compliance.INDETERMINATE,
        "W-3": Compliance.COMPLIANT,
        "W-4": Compliance.NO_LIMIT,
    }
    exceedance = Exceedance.objects.get(measurement__sample_id="W-1")
    assert (exceedance.level, exceedance.ratio, exceedance.limit.standard.code) == (
        "exceeds",
        2.5,
        "who-drinking-water-2022",
    )
    assert batch.exceedances == 2 and Exceedance.objects.count() == 2


def test_air_results_are_compared_as_daily_means_with_national_and_who_limits(
    registry: None,
) -> None:
    report, _status = run(str(DEV / "06_air_pm.csv"))
    assert report["exceedance_count"] > 0
    for measurement in Measurement.objects.filter(compliance__gte=Compliance.EXCEEDS):
        assert measurement.averaging == "24h"
        assert measurement.exceedances.exists()
    for exceedance in Exceedance.objects.select_related("measurement", "limit"):
        if exceedance.ratio is not None:
            assert exceedance.ratio == pytest.approx(
                exceedance.measurement.value / float(exceedance.limit.maximum)
            )


def test_a_crash_mid_import_leaves_nothing_and_the_batch_can_be_retried(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 5)
    real_write = bulk.BulkWriter.insert
    calls = []

    def failing_write(self: bulk.BulkWriter, rows: list[Any]) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("disk full")
        real_write(self, rows)

    monkeypatch.setattr(bulk.BulkWriter, "insert", failing_write)
    with pytest.raises(OSError, match="disk full"):
        ingest.commit(batch)
    assert not Measurement.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED
    monkeypatch.setattr(bulk.BulkWriter, "insert", real_write)
    assert ingest.commit(batch).rows_added == 17


def test_the_background_import_records_a_failure(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minehub.monitoring.tasks import commit_import

    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(bulk.BulkWriter, "insert", broken)
    with pytest.raises(RuntimeError):
        commit_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "database went away" in batch.message
    assert not Measurement.objects.exists()


def test_committing_twice_imports_once(registry: None) -> None:
    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)
    first = ingest.commit(batch)
    second = ingest.commit(batch)
    assert (first.status, second.status, second.rows_added) == ("imported", "imported", 17)
    assert Measurement.objects.count() == 17


def test_an_import_renews_the_cached_results_of_exactly_its_stations(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed: list[set[int]] = []
    monkeypatch.setattr(ingest.readings, "results_changed", lambda ids: changed.append(set(ids)))
    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)
    ingest.commit(batch)
    assert changed == [set(Measurement.objects.values_list("station_id", flat=True))]
    assert len(changed[0]) > 1
    again = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01-again.csv")
    ingest.check(again)
    ingest.commit(again)
    assert len(changed) == 1  # nothing added: nothing to renew


def test_an_unpublished_import_is_hidden_from_the_public(registry: None, personas: Any) -> None:
    batch = ingest.receive((DEV / "06_air_pm.csv").read_bytes(), "06.csv")
    ingest.check(batch)
    ingest.commit(batch)
    ingest.set_public(batch, False)
    assert not Measurement.objects.visible_to(AnonymousUser()).exists()
    assert not Exceedance.objects.filter(is_public=True).exists()
    assert Measurement.objects.visible_to(personas["inspector"]).count() == 14
    ingest.set_public(batch, True)
    assert Measurement.objects.visible_to(AnonymousUser()).count() == 14


def test_the_check_keeps_a_report_in_every_language(registry: None) -> None:
    batch = ingest.receive((DEV / "05_broken_rows.csv").read_bytes(), "05.csv")
    ingest.check(batch)
    batch.refresh_from_db()
    assert (batch.rows_total, batch.rows_valid, batch.status) == (20, 8, "checked")
    first = batch.summary["errors"][0]
    assert set(first["messages"]) == {"en", "mn", "ky", "ru"}
    assert sum(batch.summary["error_counts"].values()) == 12
    assert batch.summary["encoding"] in ("utf-8", "utf-8-sig")


def test_an_unreadable_file_imports_nothing_and_exits_2(registry: None, tmp_path: Any) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    report, status = run(str(path))
    assert status == 2 and report["errors"][0]["row"] is None
    assert not Measurement.objects.exists()


def test_a_file_read_in_a_second_process_imports_the_same_rows(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 4)  # several chunks through the pipe
    batch = ingest.receive((DEV / "05_broken_rows.csv").read_bytes(), "05.csv")
    ingest.check(batch)
    batch = ingest.commit(batch, parallel=True)
    assert (batch.rows_total, batch.rows_valid, batch.rows_invalid, batch.rows_added) == (
        20,
        8,
        12,
        8,
    )
    assert Measurement.objects.count() == 8


def test_an_import_through_the_second_process_stores_what_one_in_this_process_does(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stored() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        fields = [field for field in bulk.COLUMNS if field != "batch_id"]
        rows = list(Measurement.objects.order_by("line").values_list("id", *fields))
        breaches = list(
            Exceedance.objects.order_by("measurement__line", "limit_id").values_list(
                "measurement_id", "limit_id", "level", "ratio", "station_id", "sampled_at"
            )
        )
        return rows, breaches

    name = "06_air_pm.csv"
    data = (DEV / name).read_bytes()
    batch = ingest.receive(data, name)
    ingest.check(batch)
    batch = ingest.commit(batch, parallel=False)
    expected = stored()
    assert expected[1], "the file should raise exceedances"
    Exceedance.objects.all().delete()
    Measurement.objects.all().delete()
    # Many chunks of two rows each through the pipe and the taking thread.
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 2)
    again = ingest.receive(data, "again-" + name)
    ingest.check(again)
    again = ingest.commit(again, parallel=True)
    rows, breaches = stored()
    first = expected[0][0][0]
    # The same rows and exceedances, with ids counted on from the first import's.
    shift = rows[0][0] - first
    assert [(pk - shift, *rest) for pk, *rest in rows] == expected[0]
    assert [(pk - shift, *rest) for pk, *rest in breaches] == expected[1]
    assert (again.rows_added, again.exceedances) == (batch.rows_added, batch.exceedances)


def test_a_reader_failure_in_the_second_process_fails_the_import_whole(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 4)
    real_convert = bulk.RowConverter.convert
    calls = []

    def broken(self: bulk.RowConverter, rows: Any, size: int) -> bulk.Chunk:
        calls.append(size)
        if len(calls) == 2:  # the second chunk, in the reading process
            raise MemoryError("out of memory")
        return real_convert(self, rows, size)

    monkeypatch.setattr(bulk.RowConverter, "convert", broken)
    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)
    with pytest.raises(RuntimeError, match="MemoryError: out of memory"):
        ingest.commit(batch, parallel=True)
    assert not Measurement.objects.exists()


def test_a_writer_failure_stops_the_reading_process_and_fails_the_import_whole(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny chunks: the reader fills the pipe and the queue and waits, and must still end.
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 1)
    monkeypatch.setattr(bulk, "RECEIVED_CHUNKS", 1)
    real_insert = bulk.BulkWriter.insert
    written = []

    def broken(self: bulk.BulkWriter, chunk: bulk.Chunk) -> None:
        written.append(chunk)
        if len(written) == 2:
            raise OSError("disk full")
        real_insert(self, chunk)

    monkeypatch.setattr(bulk.BulkWriter, "insert", broken)
    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)
    with pytest.raises(OSError, match="disk full"):
        ingest.commit(batch, parallel=True)
    assert not Measurement.objects.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith("minehub-import")]


def _well_results(*lines: str) -> bytes:
    """Arsenic results at a drinking-water well (WHO limit 0.01 mg/L)."""
    return csv_bytes(*(f"KG-CHT,KG-CHT-DW1,{line},water,As,{rest}" for line, rest in lines))


@pytest.mark.parametrize("parallel", [False, True])
def test_exceedances_are_stored_only_for_the_results_an_import_adds(
    registry: None, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    _drinking_well()
    monkeypatch.setattr(bulk, "INSERT_CHUNK", 2)  # chunks mixing stored and new results
    first = ingest.receive(_well_results(("W-1,2024-06-01", "0.02,mg/L,,,,,")), "a.csv")
    ingest.check(first)
    ingest.commit(first, parallel=parallel)
    data = _well_results(
        ("W-1,2024-06-01", "0.5,mg/L,,,,,"),  # stored already (with 0.02): skipped
        ("W-2,2024-06-02", "0.03,mg/L,,,,,"),
        ("W-2,2024-06-02", "0.9,mg/L,,,,,"),  # the same result again in the file: skipped
        ("W-3,2024-06-03", "0.001,mg/L,,,,,"),
        ("W-4,2024-06-04", "<0.05,mg/L,,,,,"),
    )
    second = ingest.receive(data, "b.csv")
    ingest.check(second)
    second = ingest.commit(second, parallel=parallel)
    assert (second.rows_valid, second.rows_added, second.rows_present) == (5, 3, 2)
    assert second.exceedances == 2
    stored = {
        (e.measurement.sample_id, e.level, e.ratio, e.measurement.batch_id)
        for e in Exceedance.objects.select_related("measurement")
    }
    assert stored == {
        ("W-1", "exceeds", 2.0, first.pk),
        ("W-2", "exceeds", 3.0, second.pk),
        ("W-4", "indeterminate", None, second.pk),
    }
    for exceedance in Exceedance.objects.select_related("measurement"):
        measurement = exceedance.measurement
        assert (exceedance.station_id, exceedance.sampled_at, exceedance.is_public) == (
            measurement.station_id,
            measurement.sampled_at,
            measurement.is_public,
        )
    assert Measurement.objects.get(sample_id="W-2").value == 0.03
    # Missing numbers are stored as NULL, flags as booleans.
    non_detect = Measurement.objects.get(sample_id="W-4")
    assert (non_detect.detection_limit, non_detect.ratio, non_detect.non_detect) == (
        None,
        None,
        True,
    )
    assert not Measurement.objects.filter(ratio__isnull=False, non_detect=True).exists()


def test_an_import_into_a_table_with_results_gives_new_ids_after_the_last(
    registry: None,
) -> None:
    run(str(DEV / "01_baseline_clean.csv"))
    last = Measurement.objects.order_by("-id").first()
    report, _status = run(str(DEV / "06_air_pm.csv"))
    added = Measurement.objects.filter(id__gt=last.pk)
    assert added.count() == report["rows_added"] == 14
    assert Measurement.objects.count() == 17 + 14
    # The exceedances point at the results that raised them.
    for exceedance in Exceedance.objects.select_related("measurement"):
        assert exceedance.measurement.compliance >= Compliance.INDETERMINATE
        assert exceedance.sampled_at == exceedance.measurement.sampled_at


def test_the_collector_runs_again_after_an_import_even_a_failed_one(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    batch = ingest.receive((DEV / "01_baseline_clean.csv").read_bytes(), "01.csv")
    ingest.check(batch)

    def broken(*args: Any, **kwargs: Any) -> None:
        assert not gc.isenabled()
        raise OSError("disk full")

    monkeypatch.setattr(bulk.BulkWriter, "insert", broken)
    with pytest.raises(OSError, match="disk full"):
        ingest.commit(batch)
    assert gc.isenabled()


@pytest.mark.django_db(transaction=True)
def test_an_import_in_its_own_transaction_leaves_foreign_keys_checked(
    registry: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError, connection, transaction

    def references_checked() -> None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            Exceedance.objects.create(
                measurement_id=10**9, limit_id=10**9, level="exceeds", station_id=10**9,
                sampled_at=datetime(2024, 1, 1, tzinfo=UTC),
            )  # fmt: skip

    failing = ingest.receive((DEV / "06_air_pm.csv").read_bytes(), "06.csv")
    ingest.check(failing)
    real_insert = bulk.BulkWriter.insert

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(bulk.BulkWriter, "insert", broken)
    with pytest.raises(OSError, match="disk full"):
        ingest.commit(failing)
    references_checked()
    monkeypatch.setattr(bulk.BulkWriter, "insert", real_insert)
    batch = ingest.commit(failing)
    breaching = Exceedance.objects.values("measurement").distinct().count()
    assert batch.rows_added == 14 and batch.exceedances == breaching > 0
    references_checked()
    # Every reference the import wrote holds.
    assert not Exceedance.objects.exclude(measurement__batch=batch).exists()
    assert not Measurement.objects.exclude(station__in=Station.objects.all()).exists()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []

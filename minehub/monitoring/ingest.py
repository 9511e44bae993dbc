"""Importing lab and sensor result files: check, then commit.

1. :func:`receive` stores an uploaded file as an :class:`ImportBatch` and :func:`check`
   validates it against the registry: the report (counts, errors with messages in every
   hub language, the exceedances the valid rows would raise) is kept on the batch.
   Nothing else is saved.
2. :func:`commit` reads the stored file again against the registry as it is then and
   inserts the valid rows in **one transaction**: a crash leaves no partial import. A row
   whose station, parameter, time and sample are already stored is not added again, so
   importing a file twice adds nothing, and committing a batch twice does nothing.
   Each row is compared with the limits that apply to its station on the way in; the
   exceedances are stored with it.

Speed (:mod:`.bulk`): rows are inserted with one prepared ``INSERT … ON CONFLICT DO
NOTHING`` over chunks of tuples on SQLite and by ``COPY`` on PostgreSQL, not through the
ORM; a large file is read and validated in a second process while this one inserts, and
that process also works out the exceedances. ``bench/measurement_import.py`` times it
against a raw insert of the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from minehub.monitoring import alerts, bulk, readings
from minehub.monitoring.bulk import ConvertedRows, RowConverter
from minehub.monitoring.compliance import Rule, assess, compliant_range
from minehub.monitoring.importing import (
    Catalogue,
    MeasurementRow,
    Report,
    collector,
    default_catalogue,
    iter_valid_rows,
)
from minehub.monitoring.importing import Station as CatalogueStation
from minehub.monitoring.models import (
    BatchSource,
    BatchStatus,
    Compliance,
    Exceedance,
    ImportBatch,
    Measurement,
    Station,
)
from minehub.monitoring.standards import LimitBook

# Files up to this size are checked and imported while the uploader waits (about 20,000
# rows, well under a second); larger ones go to the background worker.
SYNC_BYTES = 2 * 1024 * 1024
# Errors and exceedances kept on the batch for its report page; the CSV has them all.
SUMMARY_ITEMS = 200
PROGRESS_EVERY = 50_000
# The latest calendar date in the hub's countries: a sample taken today in Ulaanbaatar is
# not "in the future" on a server whose clock runs in UTC.
_EASTERNMOST = ZoneInfo("Asia/Ulaanbaatar")

Progress = Callable[[int, int], None]


def import_day(moment: datetime | None = None) -> date:
    """The date after which a sample time is in the future."""
    return (moment or timezone.now()).astimezone(_EASTERNMOST).date()


def registry_catalogue() -> tuple[Catalogue, dict[str, Station]]:
    """The import catalogue with the registered stations, and those stations by code."""
    stations = {station.code: station for station in Station.objects.select_related("site")}
    catalogue = default_catalogue(
        CatalogueStation(station.code, station.site.code, frozenset({station.catalogue_medium}))
        for station in stations.values()
    )
    return catalogue, stations


def receive(
    data: bytes,
    filename: str,
    *,
    user: Any = None,
    source: str = BatchSource.UPLOAD,
    publish: bool = True,
    **origin: Any,
) -> ImportBatch:
    """Stores ``data`` as a new batch (not yet checked); ``publish``: whether its results
    become public once imported; ``origin``: the sensor ``token`` and ``client_id`` of
    a pushed batch."""
    batch = ImportBatch(
        filename=filename[:255],
        publish=publish,
        **origin,
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    batch.file.save(filename, ContentFile(data), save=False)
    batch.save()
    return batch


def validate_file(data: bytes, filename: str, today: date | None = None) -> Report:
    """The report of ``data`` against the registry, with the exceedances its valid rows
    would raise (``report.exceedances``, the first few; ``report.exceedance_count``).
    Saves nothing: the dry run of the command line, and the check of a batch."""
    catalogue, stations = registry_catalogue()
    report = Report(filename)
    preview = _ExceedancePreview(stations, LimitBook.load())
    add = preview.add
    with collector.paused():
        for row in iter_valid_rows(data, catalogue, today or import_day(), report):
            add(row)
    report.exceedances = preview.items
    report.exceedance_count = preview.count
    return report


def check(batch: ImportBatch) -> Report:
    """Validates the batch's file and keeps its report on the batch."""
    report = validate_file(_read(batch), batch.filename, import_day(batch.created_at))
    count = report.exceedance_count
    batch.rows_total = report.rows_total
    batch.rows_valid = report.rows_valid
    batch.rows_invalid = report.rows_invalid
    batch.exceedances = count
    batch.summary = summarise(report, count)
    batch.save()
    return report


def summarise(report: Report, exceedance_count: int) -> dict[str, Any]:
    """What the report page shows: counts by code and the first errors (their messages in
    every hub language, since the reader's language is not known yet)."""
    file_error = report.file_error
    errors = []
    for error in report.errors[:SUMMARY_ITEMS]:
        messages = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                messages[code] = error.message
        errors.append(
            {
                "row": error.row,
                "line": error.line,
                "column": error.column,
                "code": error.code,
                "messages": messages,
            }
        )
    layout = report.layout
    return {
        "format": layout.format if layout else None,
        "encoding": layout.encoding if layout else None,
        "delimiter": layout.delimiter if layout else None,
        "header_line": layout.header_line if layout else None,
        "decode_errors": layout.decode_errors if layout else 0,
        "error_counts": dict(report.error_counts().most_common()),
        "errors": errors,
        "file_error": None if file_error is None else file_error.code,
        "exceedances": report.exceedances[:SUMMARY_ITEMS],
        "exceedance_count": exceedance_count,
    }


class _ExceedancePreview:
    """The exceedances valid rows would raise, for the report (the first few in full)."""

    def __init__(self, stations: dict[str, Station], book: LimitBook) -> None:
        self.stations = stations
        self.book = book
        self.items: list[dict[str, Any]] = []
        self.count = 0
        # (station, parameter) → (rules, low, high): a measured value within [low, high]
        # meets every rule (compliance.compliant_range), the common case.
        self._targets: dict[tuple[str, str], tuple[tuple[Rule, ...], float, float]] = {}

    def add(self, row: MeasurementRow) -> None:
        key = (row.station_code, row.parameter)
        target = self._targets.get(key)
        if target is None:
            station = self.stations[row.station_code]
            rules = self.book.rules(station, row.parameter, station.averaging)
            low, high, _divisor = compliant_range(rules)
            target = self._targets[key] = (rules, low, high)
        rules, low, high = target
        if not rules:
            return
        value = float(row.value)
        qualifier = row.qualifier or ""
        if not row.non_detect and qualifier != ">" and low <= value <= high:
            return
        result = assess(value, row.non_detect, qualifier, rules)
        if result.compliance < Compliance.INDETERMINATE:
            return
        self.count += 1
        if len(self.items) >= SUMMARY_ITEMS:
            return
        station = self.stations[row.station_code]
        limits = self.book.limits_for(station, row.parameter, station.averaging)
        by_id = {limit.pk: limit for limit in limits}
        for breach in result.breaches:
            limit = by_id[breach.limit_id]
            self.items.append(
                {
                    "row": row.row,
                    "station_code": row.station_code,
                    "parameter": row.parameter,
                    "sampled_at": row.sampled_at,
                    "value": float(row.value),
                    "non_detect": row.non_detect,
                    "unit": row.unit,
                    "standard": limit.standard.code,
                    "maximum": None if limit.maximum is None else float(limit.maximum),
                    "minimum": None if limit.minimum is None else float(limit.minimum),
                    "averaging": limit.averaging,
                    "level": breach.level,
                    "ratio": None if breach.ratio is None else round(breach.ratio, 3),
                }
            )


def progress_key(batch_id: int) -> str:
    return f"monitoring-import-{batch_id}"


def read_progress(batch_id: int) -> tuple[int, int] | None:
    """(rows written, rows to write) of a running import, if it reported any."""
    value = caches["progress"].get(progress_key(batch_id))
    return None if value is None else tuple(value)


def commit(
    batch: ImportBatch, *, progress: Progress | None = None, parallel: bool | None = None
) -> ImportBatch:
    """Imports the valid rows of a checked batch, all or nothing; a batch already
    imported (or discarded) is left as it is. Returns the batch as it now stands.
    ``parallel`` (default: for files over :data:`SYNC_BYTES`) reads and validates the
    file in a second process while this one inserts."""
    publish_progress = _progress_reporter(batch.pk, progress)
    with bulk.references_trusted(), transaction.atomic():
        # The lock makes a double-clicked commit wait, then find the batch imported.
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status not in (BatchStatus.CHECKED, BatchStatus.QUEUED, BatchStatus.FAILED):
            return batch
        data = _read(batch)
        if parallel is None:
            parallel = len(data) > SYNC_BYTES
        catalogue, stations = registry_catalogue()
        book = LimitBook.load()
        with collector.paused(), bulk.write_session() as writer:
            converter = RowConverter(
                batch.pk, batch.publish, stations, book, first_id=writer.first_id()
            )
            source = ConvertedRows(data, catalogue, import_day(batch.created_at), converter)
            for chunk in source.chunks(parallel=parallel):
                writer.insert(chunk)
                publish_progress(writer.written, batch.rows_valid)
        batch.rows_total, batch.rows_valid, batch.rows_invalid = source.counts
        batch.rows_added = writer.added
        batch.rows_present = batch.rows_valid - writer.added
        batch.exceedances = writer.breaching
        batch.status = BatchStatus.IMPORTED
        batch.imported_at = timezone.now()
        batch.save()
        if batch.rows_added:
            readings.results_changed(writer.stations)
        if batch.exceedances and batch.publish:
            alerts.announce_later()
    caches["progress"].delete(progress_key(batch.pk))
    return batch


def _progress_reporter(batch_id: int, also: Progress | None) -> Progress:
    reported = [0]

    def publish(done: int, total: int) -> None:
        if done - reported[0] < PROGRESS_EVERY:
            return
        reported[0] = done
        caches["progress"].set(progress_key(batch_id), (done, total), 24 * 3600)
        if also is not None:
            also(done, total)

    return publish


def discard(batch: ImportBatch) -> None:
    """Drops a checked batch that will not be imported, and its stored file."""
    if batch.status not in (BatchStatus.CHECKED, BatchStatus.FAILED):
        return
    if batch.file:
        batch.file.delete(save=False)
    batch.status = BatchStatus.DISCARDED
    batch.save(update_fields=["status", "file"])


@transaction.atomic
def set_public(batch: ImportBatch, public: bool) -> None:
    """Publishes or withdraws the results a batch added (and their exceedances)."""
    batch.publish = public
    batch.save(update_fields=["publish"])
    Measurement.objects.filter(batch=batch).update(is_public=public)
    Exceedance.objects.filter(measurement__batch=batch).update(is_public=public)
    readings.results_changed(batch_stations(batch))
    if public:
        alerts.announce_later()


def batch_stations(batch: ImportBatch) -> list[int]:
    """The stations that have results of the batch."""
    return list(
        Measurement.objects.filter(batch=batch).values_list("station_id", flat=True).distinct()
    )


def _read(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()

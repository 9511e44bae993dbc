"""Writing a file's valid rows into the measurement table quickly.

Two halves that can run in two processes:

* :class:`ConvertedRows` reads and validates the file and turns each valid row into the
  parameters of one ``INSERT`` (:class:`RowConverter`: station id, time in UTC in the
  database's form, canonical value, standing against the limits). Pure Python, no
  database: for a large file it runs in a forked process and sends chunks of tuples
  through a pipe.
* :class:`BulkWriter` inserts the chunks with one prepared ``INSERT … ON CONFLICT DO
  NOTHING`` per chunk, inside the caller's transaction, then stores the exceedances of
  the rows it added.

Why two processes: validation and insertion each cost about as much per row (a few µs),
and both are bound to one core — the interpreter's for validation, SQLite's for the
insert. On a machine with two cores the import then takes about as long as the insert
alone (bench/measurement_import.py), instead of the sum of both.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from minehub.monitoring.compliance import NO_LIMIT, Rule, assess
from minehub.monitoring.importing import Catalogue, MeasurementRow, Report, iter_valid_rows
from minehub.monitoring.models import Compliance, Exceedance, Measurement, Station
from minehub.monitoring.standards import LimitBook

INSERT_CHUNK = 5_000
# SQLite page cache for a bulk write, in KiB (the default, 2 MiB, makes a large insert
# re-read index pages it just wrote). Set for the write only.
SQLITE_BULK_CACHE_KIB = 65_536

COLUMNS = (
    "station_id",
    "parameter",
    "sampled_at",
    "sample_id",
    "averaging",
    "value",
    "unit",
    "non_detect",
    "qualifier",
    "detection_limit",
    "lab",
    "method",
    "comment",
    "batch_id",
    "line",
    "is_public",
    "compliance",
    "ratio",
)

Target = tuple[int, str, tuple[Rule, ...], ZoneInfo]


class RowConverter:
    """Valid rows → insert parameters in :data:`COLUMNS` order. Works from data loaded
    beforehand (stations with their sites, the limit book), so a forked copy of it needs
    no database connection."""

    def __init__(
        self, batch_id: int, public: bool, stations: dict[str, Station], book: LimitBook
    ) -> None:
        self.batch_id = batch_id
        self.public = public
        self.stations = stations
        self.book = book
        self._codes = {station.pk: code for code, station in stations.items()}
        self._targets: dict[tuple[str, str], Target] = {}
        self._times: dict[tuple[str, ZoneInfo], Any] = {}

    def target(self, station_code: str, parameter: str) -> Target:
        """(station id, averaging, limit rules, time zone) for a station and parameter."""
        key = (station_code, parameter)
        target = self._targets.get(key)
        if target is None:
            station = self.stations[station_code]
            rules = self.book.rules(station, parameter, station.averaging)
            target = (station.pk, station.averaging, rules, station.site.time_zone)
            self._targets[key] = target
        return target

    def rules_by_station_id(self, station_id: int, parameter: str) -> tuple[Rule, ...]:
        return self.target(self._codes[station_id], parameter)[2]

    def time(self, text: str, zone: ZoneInfo) -> Any:
        """A sample time (ISO, with or without offset) as the database stores it."""
        key = (text, zone)
        value = self._times.get(key)
        if value is None:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            value = connection.ops.adapt_datetimefield_value(moment)
            if len(self._times) > 500_000:
                self._times.clear()
            self._times[key] = value
        return value

    def values(self, row: MeasurementRow) -> tuple[Any, ...]:
        station_id, averaging, rules, zone = self.target(row.station_code, row.parameter)
        value = float(row.value)
        qualifier = row.qualifier or ""
        result = assess(value, row.non_detect, qualifier, rules) if rules else NO_LIMIT
        limit = row.detection_limit
        return (
            station_id,
            row.parameter,
            self.time(row.sampled_at, zone),
            row.sample_id,
            averaging,
            value,
            row.unit,
            row.non_detect,
            qualifier,
            None if limit is None else float(limit),
            row.lab,
            row.method,
            row.comment,
            self.batch_id,
            row.line,
            self.public,
            result.compliance,
            result.ratio,
        )


class ConvertedRows:
    """A file's valid rows as chunks of insert parameters, with the file's counts
    (``counts``: total, valid, invalid) once the chunks are exhausted."""

    def __init__(self, data: bytes, catalogue: Catalogue, today: date, converter: RowConverter):
        self.data = data
        self.catalogue = catalogue
        self.today = today
        self.converter = converter
        self.counts = (0, 0, 0)

    def _produce(self) -> Iterator[list[tuple[Any, ...]]]:
        report = Report("")
        values = self.converter.values
        rows = iter_valid_rows(self.data, self.catalogue, self.today, report)
        while chunk := list(islice(rows, INSERT_CHUNK)):
            yield [values(row) for row in chunk]
        self.counts = (report.rows_total, report.rows_valid, report.rows_invalid)

    def chunks(self, *, parallel: bool = False) -> Iterator[list[tuple[Any, ...]]]:
        """The chunks, produced here or (``parallel``) by a forked process."""
        if not parallel:
            yield from self._produce()
            return
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=self._send, args=(sender,), daemon=True)
        process.start()
        sender.close()
        try:
            while True:
                try:
                    message = receiver.recv()
                except EOFError:
                    raise RuntimeError("The file reader stopped without a word.") from None
                kind, payload = message
                if kind == "rows":
                    yield payload
                elif kind == "done":
                    self.counts = payload
                    break
                else:
                    raise RuntimeError(f"Reading the file failed: {payload}")
        finally:
            receiver.close()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()

    def _send(self, sender: Any) -> None:
        # In the forked process: never touch the parent's database connection.
        try:
            for chunk in self._produce():
                sender.send(("rows", chunk))
            sender.send(("done", self.counts))
        except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
            sender.send(("error", f"{type(error).__name__}: {error}"))
        finally:
            sender.close()


def insert_sql(*, skip_present: bool = True) -> str:
    """The measurement ``INSERT`` (SQLite and PostgreSQL); by default a row whose
    identity is stored already is skipped."""
    quote = connection.ops.quote_name
    table = quote(Measurement._meta.db_table)
    columns = ", ".join(quote(column) for column in COLUMNS)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    return sql + " ON CONFLICT DO NOTHING" if skip_present else sql


class BulkWriter:
    """Inserts chunks of measurement rows; counts what it added."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.sql = insert_sql()
        self.written = 0
        self.added = 0

    def insert(self, chunk: list[tuple[Any, ...]]) -> None:
        self.cursor.executemany(self.sql, chunk)
        self.written += len(chunk)
        # executemany's rowcount is the rows inserted (skipped conflicts not counted).
        self.added += max(self.cursor.rowcount, 0)

    def store_exceedances(self, batch_id: int, converter: RowConverter) -> int:
        """An exceedance per breached limit for the rows the batch added; returns how
        many of those rows breach a limit."""
        quote = connection.ops.quote_name
        self.cursor.execute(
            f"SELECT id, station_id, parameter, sampled_at, value, non_detect, qualifier, is_public "  # noqa: S608
            f"FROM {quote(Measurement._meta.db_table)} WHERE batch_id = %s AND compliance >= %s",
            [batch_id, int(Compliance.INDETERMINATE)],
        )
        exceeding = self.cursor.fetchall()
        exceedances = []
        for (
            pk,
            station_id,
            parameter,
            sampled_at,
            value,
            non_detect,
            qualifier,
            public,
        ) in exceeding:
            rules = converter.rules_by_station_id(station_id, parameter)
            for breach in assess(value, bool(non_detect), qualifier, rules).breaches:
                exceedances.append(
                    (
                        pk,
                        breach.limit_id,
                        breach.level,
                        breach.ratio,
                        station_id,
                        sampled_at,
                        public,
                    )
                )
        table = quote(Exceedance._meta.db_table)
        sql = (
            f"INSERT INTO {table} (measurement_id, limit_id, level, ratio, station_id, "  # noqa: S608
            f"sampled_at, is_public) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
        )
        for start in range(0, len(exceedances), INSERT_CHUNK):
            self.cursor.executemany(sql, exceedances[start : start + INSERT_CHUNK])
        return len(exceeding)


@contextmanager
def write_session() -> Iterator[BulkWriter]:
    """A :class:`BulkWriter` on the default connection, with a larger SQLite page cache
    for the duration. The caller holds the transaction."""
    with connection.cursor() as cursor:
        sqlite = connection.vendor == "sqlite"
        if sqlite:
            cursor.execute("PRAGMA cache_size")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
        try:
            yield BulkWriter(cursor)
        finally:
            if sqlite:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")

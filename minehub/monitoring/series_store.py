"""Each station-parameter series also kept column-wise: packed arrays of times, values and
flags, a few rows however long the series.

Reading a long series row by row is slow whatever the query: the database driver builds
a Python tuple per row, about 250 ms for the 350,000 results of a 20-minute logger on
SQLite, where the database itself finds and reads them in 45 ms
(bench/monitoring_charts.py). So after every change to a station's results the worker
stores each of its series as :class:`~minehub.monitoring.models.SeriesChunk` rows of up to
:data:`CHUNK_POINTS` points, and charts and trends read those.

A stored copy is used only while it is current. Every change to a station's results
raises the station's ``results_revision`` in the same transaction
(:func:`minehub.monitoring.readings.results_changed`), each chunk records the revision it
was made from, and one query reads the chunks with the station's revision, so a reader
sees a copy and its revision as of the same moment. A reader that finds no current copy
reads the rows instead; it never stores one (a reader must not wait for a writer's lock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction

from minehub.monitoring.charts import Series
from minehub.monitoring.importing import collector
from minehub.monitoring.models import Compliance, Measurement, SeriesChunk, Station

# 512 KiB of times and as much of values per chunk: rows stay small for the database.
CHUNK_POINTS = 65_536
# Stored little-endian whatever the machine, so a backup reads the same anywhere.
NUMBER = np.dtype("<f8")
NON_DETECT, EXCEEDING, PUBLIC = 1, 2, 4


@dataclass
class Columns:
    """Every result of one series, both published and not, oldest first: times in epoch
    seconds, values, and flags (:data:`NON_DETECT`, :data:`EXCEEDING`, :data:`PUBLIC`)."""

    times: np.ndarray
    values: np.ndarray
    flags: np.ndarray

    def __len__(self) -> int:
        return len(self.times)

    def visible(self, everything: bool) -> Series:
        """The series as a reader sees it: with ``everything`` False, published results
        only."""
        times, values, flags = self.times, self.values, self.flags
        if not everything:
            public = (flags & PUBLIC) > 0
            if not public.all():
                times, values, flags = times[public], values[public], flags[public]
        return Series(times, values, (flags & NON_DETECT) > 0, (flags & EXCEEDING) > 0)


EMPTY = Columns(np.empty(0), np.empty(0), np.empty(0, dtype=np.uint8))


def read(station_id: int, parameters: list[str], everything: bool = True) -> dict[str, Columns]:
    """The series of ``parameters`` at the station: the stored copy where it is current,
    else read from the results (published only, unless ``everything``). A parameter
    without results maps to an empty series."""
    found = stored(station_id, parameters)
    missing = [parameter for parameter in parameters if parameter not in found]
    if missing:
        found.update(from_results(station_id, missing, everything))
    return {parameter: found.get(parameter, EMPTY) for parameter in parameters}


def stored(station_id: int, parameters: list[str]) -> dict[str, Columns]:
    """The current stored copies of those of ``parameters`` that have one."""
    if not parameters:
        return {}
    chunk = connection.ops.quote_name(SeriesChunk._meta.db_table)
    station = connection.ops.quote_name(Station._meta.db_table)
    marks = ", ".join(["%s"] * len(parameters))
    sql = (
        f"SELECT c.parameter, c.revision = s.results_revision, c.total, "  # noqa: S608
        f"c.times, c.vals, c.flags FROM {chunk} c JOIN {station} s ON s.id = c.station_id "
        f"WHERE c.station_id = %s AND c.parameter IN ({marks}) ORDER BY c.parameter, c.seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [station_id, *parameters])
        rows = cursor.fetchall()
    found = {}
    for parameter in parameters:
        parts = [row for row in rows if row[0] == parameter]
        # All chunks from the current revision, and all of them there.
        if not parts or not all(part[1] for part in parts):
            continue
        times = np.concatenate([np.frombuffer(part[3], dtype=NUMBER) for part in parts])
        if len(times) != parts[0][2]:
            continue
        values = np.concatenate([np.frombuffer(part[4], dtype=NUMBER) for part in parts])
        flags = np.concatenate([np.frombuffer(part[5], dtype=np.uint8) for part in parts])
        found[parameter] = Columns(times, values, flags)
    return found


def from_results(
    station_id: int, parameters: list[str], everything: bool = True
) -> dict[str, Columns]:
    """The series of ``parameters`` read from the results: one query whose every column
    is a number (each row names its parameter by its position in ``parameters``, the
    time as epoch seconds computed by the database, the flags folded into one), read into
    numpy without per-row Python work — with hundreds of thousands of rows, each value
    handed over counts."""
    if not parameters:
        return {}
    public = "" if everything else " AND is_public"
    if len(parameters) == 1:
        position, named, chosen, only = "0", [], " AND parameter = %s", list(parameters)
    else:
        # All the station's rows, in the index's order (a list of parameters is not).
        cases = " ".join(["WHEN %s THEN %s"] * len(parameters))
        position, chosen, only = f"CASE parameter {cases} ELSE -1 END", "", []
        named = [value for pair in enumerate(parameters) for value in pair[::-1]]
    flags = (
        f"CASE WHEN non_detect THEN {NON_DETECT} ELSE 0 END"
        f" + CASE WHEN compliance >= {int(Compliance.EXCEEDS)} THEN {EXCEEDING} ELSE 0 END"
        f" + CASE WHEN is_public THEN {PUBLIC} ELSE 0 END"
    )
    table = connection.ops.quote_name(Measurement._meta.db_table)
    sql = (
        f"SELECT {position}, {_epoch_sql()}, value, {flags} FROM {table} "  # noqa: S608
        f"WHERE station_id = %s{chosen}{public} ORDER BY parameter, sampled_at"
    )
    arguments = [*named, station_id, *only]
    data = _numbers(sql, arguments, 4)
    where = data[:, 0].astype(np.int64)
    found = {}
    for index, parameter in enumerate(parameters):
        # Rows come grouped by parameter, so each parameter's rows are one slice.
        rows = np.flatnonzero(where == index)
        if len(rows):
            block = slice(rows[0], rows[-1] + 1)
            found[parameter] = Columns(
                np.round(data[block, 1], 3), data[block, 2], data[block, 3].astype(np.uint8)
            )
    return found


def parameters_of(station_id: int) -> list[str]:
    """The parameters with results at the station, in order: one index look-up each
    (a ``DISTINCT`` would read every result)."""
    found: list[str] = []
    results = Measurement.objects.filter(station_id=station_id).order_by("parameter")
    while True:
        after = results.filter(parameter__gt=found[-1]) if found else results
        following = after.values_list("parameter", flat=True).first()
        if following is None:
            return found
        found.append(following)


def store(station_ids: Iterable[int]) -> int:
    """Stores the current series of each station; returns how many series were stored."""
    stored_series = 0
    for station_id in station_ids:
        stored_series += _store_station(station_id)
    return stored_series


def _store_station(station_id: int) -> int:
    # The revision is read before the results: the copy may then hold newer results
    # than its revision says (it is then merely not used), never older ones.
    revision = _revision(station_id)
    if revision is None:
        return 0
    series = from_results(station_id, parameters_of(station_id))
    chunks = [
        SeriesChunk(
            station_id=station_id,
            parameter=parameter,
            revision=revision,
            seq=seq,
            total=len(columns),
            times=columns.times[start : start + CHUNK_POINTS].astype(NUMBER).tobytes(),
            vals=columns.values[start : start + CHUNK_POINTS].astype(NUMBER).tobytes(),
            flags=columns.flags[start : start + CHUNK_POINTS].tobytes(),
        )
        for parameter, columns in series.items()
        for seq, start in enumerate(range(0, len(columns), CHUNK_POINTS))
    ]
    try:
        with transaction.atomic():
            # Results changed meanwhile: their own preparation follows; this copy is
            # already out of date.
            if _revision(station_id) != revision:
                return 0
            SeriesChunk.objects.filter(station_id=station_id).delete()
            SeriesChunk.objects.bulk_create(chunks)
    except IntegrityError:
        return 0  # another worker stored this station's series at the same moment
    return len(series)


def unstored_stations() -> list[int]:
    """Stations with results and no current stored copy (after an upgrade, or a restore
    that left the copies out)."""
    from django.db.models import Exists, OuterRef

    current = SeriesChunk.objects.filter(
        station=OuterRef("pk"), revision=OuterRef("results_revision")
    )
    results = Measurement.objects.filter(station=OuterRef("pk"))
    return list(
        Station.objects.filter(Exists(results))
        .exclude(Exists(current))
        .values_list("pk", flat=True)
    )


def _revision(station_id: int) -> int | None:
    return Station.objects.filter(pk=station_id).values_list("results_revision", flat=True).first()


def _numbers(sql: str, arguments: list[Any], columns: int) -> np.ndarray:
    """The rows of a query whose every column is a number, as a float array.

    With the cyclic collector paused: hundreds of thousands of row tuples alive at once
    set off full collections that walk them all, again and again (up to 200 ms each in
    bench/monitoring_charts.py), and nothing here makes a cycle."""
    with collector.paused():
        with connection.cursor() as cursor:
            cursor.execute(sql, arguments)
            rows = cursor.fetchall()
        numbers = np.fromiter(chain.from_iterable(rows), dtype=float, count=columns * len(rows))
        # Freed before the collector is back, or its next pass walks every row.
        del rows
    return numbers.reshape(-1, columns)


def _epoch_sql() -> str:
    if connection.vendor == "sqlite":
        # Times are stored as UTC text; julianday() reads it twice as fast as strftime('%s').
        return "(julianday(sampled_at) - 2440587.5) * 86400.0"
    # date_part gives a float; EXTRACT gives a numeric, which the driver makes a Decimal.
    return "date_part('epoch', sampled_at)"

"""Writing a file's valid rows into the measurement table quickly.

Two halves that run in two processes for a large file:

* :class:`ConvertedRows` reads and validates the file and turns each valid row into the
  parameters of one ``INSERT`` (:class:`RowConverter`: station id, time in UTC in the
  database's form, canonical value, standing against the limits) and its exceedances.
  Pure Python, no database: for a large file it runs in a forked process and sends
  chunks of plain tuples through a pipe (``marshal``: for tuples of numbers and text it
  is several times quicker to load than ``pickle``, and the receiving process is the
  busier one).
* :class:`BulkWriter` writes the chunks inside the caller's transaction: on SQLite one
  prepared ``INSERT … ON CONFLICT DO NOTHING`` per chunk with ids given by the reader
  (so the reader can also name the measurement of each exceedance, and the exceedances
  follow in a second ``executemany``); on PostgreSQL ``COPY`` into temporary tables and
  one statement that inserts the new rows and the exceedances of those it added.

Why two processes: validation and insertion each cost a few µs per row, and both are
bound to one core — the interpreter's for validation, the database's for the insert. On
a machine with two cores the import then takes about as long as the slower half
(bench/measurement_import.py), instead of the sum of both. The writer's process does no
Python work it can leave to the reader: while the writing thread holds the interpreter
between two rows, any other thread of its process that wants it makes the writing wait
(a thread switch is only forced every few milliseconds), so a second thread there that
loaded or converted chunks slowed the inserts more than it saved.

The cyclic garbage collector is paused while a file streams through (see
:func:`~minehub.monitoring.importing.collector.paused`): nothing in the loop makes
cycles, and a full collection would walk every cached cell, over and over.
"""

from __future__ import annotations

import fcntl
import gc
import marshal
import math
import multiprocessing
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection

from minehub.monitoring.compliance import Breach, Rule, assess, compliant_range
from minehub.monitoring.importing import Catalogue, MeasurementRow, Report, iter_valid_rows
from minehub.monitoring.models import (
    Compliance,
    Exceedance,
    ExceedanceLevel,
    Measurement,
    Station,
)
from minehub.monitoring.standards import LimitBook

INSERT_CHUNK = 5_000
# What the pipe between the reader and the writer may hold (see _widen), and how many
# chunks the writer's side keeps received ahead of the writing.
PIPE_BYTES = 4 * 1024 * 1024
RECEIVED_CHUNKS = 8
# SQLite page cache for a bulk write, in KiB (the default, 2 MiB, makes a large insert
# re-read index pages it just wrote). Set for the write only.
SQLITE_BULK_CACHE_KIB = 65_536
# Sample times remembered per time zone, and assessments per station and parameter,
# before that memory is dropped and rebuilt.
TIME_CACHE_LIMIT = 500_000
ASSESSMENT_CACHE_LIMIT = 100_000

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
IDENTITY = ("station_id", "parameter", "sampled_at", "sample_id")
EXCEEDANCE_COLUMNS = (
    "measurement_id",
    "limit_id",
    "level",
    "ratio",
    "station_id",
    "sampled_at",
    "is_public",
)
_COMPLIANT = int(Compliance.COMPLIANT)
_NO_LIMIT = int(Compliance.NO_LIMIT)
# Levels as plain text (a chunk holds plain data only).
_LEVELS = {level: str(level.value) for level in ExceedanceLevel}


class Target(NamedTuple):
    """What the rows of one station and parameter share."""

    station_id: int
    averaging: str
    rules: tuple[Rule, ...]
    # Measured values in [low, high] are compliant with ratio value / divisor.
    low: float
    high: float
    divisor: float | None
    zone: ZoneInfo
    times: dict[str, str]
    # (value, non-detect, qualifier) → (compliance, ratio, breaches) of the other values.
    assessed: dict[tuple[float, bool, str], tuple[int, float | None, tuple[Breach, ...]]]


class Chunk(NamedTuple):
    """Rows ready to insert (``id`` and :data:`COLUMNS`), the exceedances they raise
    (:data:`EXCEEDANCE_COLUMNS`) and how many of the rows raise one. On SQLite a row
    comes with its id and an exceedance names its measurement by that id; on PostgreSQL
    the database gives the ids, the id is ``None`` and an exceedance names its
    measurement by its line in the file."""

    rows: list[tuple[Any, ...]]
    exceedances: list[tuple[Any, ...]]
    breaching: int


# Where the id, the station and the line are in a row.
_ID, _STATION, _LINE = 0, 1, 15
_station_of = itemgetter(_STATION)


class RowConverter:
    """Valid rows → insert parameters: the row's id (on SQLite, counted up from
    ``first_id``), then :data:`COLUMNS`. Works from data loaded beforehand (stations
    with their sites, the limit book), so a forked copy of it needs no database
    connection.

    The parameters are in the form that binds quickest: booleans as 0 and 1, and on
    SQLite a missing number as NaN, which SQLite stores as NULL. (The sqlite3 module
    binds int, float and str directly, but looks for an adapter for anything else,
    ``None`` and ``bool`` included, which cost as much as the rest of the row.)"""

    def __init__(
        self,
        batch_id: int,
        public: bool,
        stations: dict[str, Station],
        book: LimitBook,
        *,
        first_id: int | None = None,
    ) -> None:
        self.batch_id = batch_id
        self.public = int(public)
        self.stations = stations
        self.book = book
        self.next_id = first_id
        self._targets: dict[tuple[str, str], Target] = {}
        self._times: dict[ZoneInfo, dict[str, str]] = {}
        # The database's form of a time: text either way, so a chunk stays plain data.
        self._sqlite = connection.vendor == "sqlite"
        self._adapt = connection.ops.adapt_datetimefield_value
        self._null = math.nan if self._sqlite else None

    def target(self, station_code: str, parameter: str) -> Target:
        """What rows of ``parameter`` at a station share: its id, averaging, limit rules,
        time zone."""
        key = (station_code, parameter)
        target = self._targets.get(key)
        if target is None:
            station = self.stations[station_code]
            rules = self.book.rules(station, parameter, station.averaging)
            zone = station.site.time_zone
            target = Target(
                station.pk,
                station.averaging,
                rules,
                *compliant_range(rules),
                zone,
                self._times.setdefault(zone, {}),
                {},
            )
            self._targets[key] = target
        return target

    def time(self, text: str, target: Target) -> str:
        """A sample time (ISO, with or without offset) as the database stores it."""
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=target.zone)
        value = self._adapt(moment)
        if not self._sqlite:
            value = value.isoformat(sep=" ")
        times = target.times
        if len(times) >= TIME_CACHE_LIMIT:
            times.clear()
        times[text] = value
        return value

    def convert(self, rows: Iterator[MeasurementRow], size: int) -> Chunk:
        """The next ``size`` rows (fewer at the end) as a :class:`Chunk`: each row's
        insert parameters, and the exceedances of the limits it breaks (or cannot be
        shown to meet). One loop with everything it reads in local names: it runs for
        every row of a large file."""
        targets = self._targets
        pk = self.next_id
        key = _ID if pk is not None else _LINE
        batch_id, public, null = self.batch_id, self.public, self._null
        params_of_rows: list[tuple[Any, ...]] = []
        add_row = params_of_rows.append
        exceedances: list[tuple[Any, ...]] = []
        breaching = 0
        for (
            _row,
            line,
            _site,
            station_code,
            sample,
            sampled_at,
            _utc,
            _medium,
            parameter,
            number,
            unit,
            non_detect,
            qualifier,
            limit,
            lab,
            method,
            comment,
        ) in islice(rows, size):
            target = targets.get((station_code, parameter)) or self.target(station_code, parameter)
            when = target.times.get(sampled_at) or self.time(sampled_at, target)
            value = float(number)
            qualifier = qualifier or ""
            breaches: tuple[Breach, ...] = ()
            if not target.rules:
                compliance, ratio = _NO_LIMIT, null
            elif not non_detect and qualifier != ">" and target.low <= value <= target.high:
                # Within every limit: the common case, without going through each rule.
                divisor = target.divisor
                compliance, ratio = _COMPLIANT, null if divisor is None else value / divisor
            else:
                # Results breaking a limit repeat their values often enough (half of them
                # in the benchmark file) to remember the assessments.
                known = target.assessed.get((value, non_detect, qualifier))
                if known is None:
                    known = self._assess(target, value, non_detect, qualifier)
                compliance, ratio, breaches = known
            params = (
                pk,
                target.station_id,
                parameter,
                when,
                sample,
                target.averaging,
                value,
                unit,
                1 if non_detect else 0,
                qualifier,
                null if limit is None else float(limit),
                lab,
                method,
                comment,
                batch_id,
                line,
                public,
                compliance,
                ratio,
            )
            add_row(params)
            if pk is not None:
                pk += 1
            if breaches:
                breaching += 1
                exceedances += [
                    (
                        params[key],
                        breach.limit_id,
                        _LEVELS[breach.level],
                        null if breach.ratio is None else breach.ratio,
                        target.station_id,
                        when,
                        public,
                    )
                    for breach in breaches
                ]
        self.next_id = pk
        return Chunk(params_of_rows, exceedances, breaching)

    def _assess(
        self, target: Target, value: float, non_detect: bool, qualifier: str
    ) -> tuple[int, float | None, tuple[Breach, ...]]:
        """(compliance, ratio, breaches) of a value outside the compliant range,
        remembered for the target."""
        result = assess(value, non_detect, qualifier, target.rules)
        known = (
            int(result.compliance),
            self._null if result.ratio is None else result.ratio,
            result.breaches,
        )
        if len(target.assessed) >= ASSESSMENT_CACHE_LIMIT:
            target.assessed.clear()
        target.assessed[(value, non_detect, qualifier)] = known
        return known


class ConvertedRows:
    """A file's valid rows as :class:`Chunk` s, with the file's counts (``counts``:
    total, valid, invalid) once the chunks are exhausted."""

    def __init__(self, data: bytes, catalogue: Catalogue, today: date, converter: RowConverter):
        self.data = data
        self.catalogue = catalogue
        self.today = today
        self.converter = converter
        self.counts = (0, 0, 0)

    def _produce(self) -> Iterator[Chunk]:
        report = Report("")
        rows = iter_valid_rows(self.data, self.catalogue, self.today, report)
        while (chunk := self.converter.convert(rows, INSERT_CHUNK)).rows:
            yield chunk
        self.counts = (report.rows_total, report.rows_valid, report.rows_invalid)

    def chunks(self, *, parallel: bool = False) -> Iterator[Chunk]:
        """The chunks, produced here or (``parallel``) by a forked process."""
        if not parallel:
            yield from self._produce()
            return
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        _widen(receiver)
        process = context.Process(target=self._send, args=(sender,), daemon=True)
        process.start()
        sender.close()
        # A thread takes the chunks off the pipe while this thread writes, so the reader
        # never waits for a full pipe to be emptied; this thread loads them.
        received: queue.Queue[bytes] = queue.Queue(maxsize=RECEIVED_CHUNKS)
        halt = threading.Event()
        taker = threading.Thread(
            target=_take,
            args=(receiver, received, halt),
            name="minehub-import-taker",
            daemon=True,
        )
        taker.start()
        finished = False
        try:
            while True:
                message = received.get()
                kind, payload = message[:1], marshal.loads(memoryview(message)[1:])  # noqa: S302 - from our own child
                if kind == _ROWS:
                    yield Chunk(*payload)
                elif kind == _DONE:
                    self.counts = tuple(payload)
                    finished = True
                    break
                else:
                    raise RuntimeError(f"Reading the file failed: {payload}")
        finally:
            # Stopped early (the writing failed): the reader is not needed any more.
            if not finished:
                process.kill()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
            # With the reader gone the taker reads the end of the pipe, or gives up
            # waiting for room in the queue. The pipe is closed after the taker is done
            # with it, never under it.
            halt.set()
            taker.join()
            receiver.close()

    def _send(self, sender: Any) -> None:
        # In the forked process: never touch the parent's database connection. It ends
        # with the file, so the collector can stay off (see the module's docstring).
        gc.disable()
        try:
            for chunk in self._produce():
                sender.send_bytes(_ROWS + marshal.dumps(tuple(chunk)))
            sender.send_bytes(_DONE + marshal.dumps(self.counts))
        except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
            sender.send_bytes(_failure(f"{type(error).__name__}: {error}"))
        finally:
            sender.close()


# What a message between the reader and the writer holds, by its first byte: a chunk,
# the file's counts (the last message), or why reading failed (the last message).
_ROWS, _DONE, _FAILED = b"r", b"d", b"f"


def _failure(reason: str) -> bytes:
    return _FAILED + marshal.dumps(reason)


def _take(receiver: Any, received: queue.Queue[bytes], halt: threading.Event) -> None:
    """Moves the messages of the pipe into the queue as they come, until the last one
    (or until ``halt``: the writer stopped taking them). Loading them is left to the
    writing thread: this one only waits on the pipe, which lets go of the interpreter,
    so it never holds up the writing thread between two rows (see the module's
    docstring)."""
    last = False
    while not last:
        try:
            message = receiver.recv_bytes()
        except (EOFError, OSError):
            message = _failure("the file reader stopped without a word")
        last = message[:1] != _ROWS
        while True:
            try:
                received.put(message, timeout=0.1)
                break
            except queue.Full:
                if halt.is_set():
                    return


def _widen(end: Any) -> None:
    """Lets the pipe hold a few chunks (Linux; elsewhere it stays as it is): with the
    default 64 KiB the reader waits for each chunk to be taken before it reads on, so
    both processes go in lockstep and each waits whenever the other is slower on a
    chunk. Bounded by the system's limit for unprivileged processes (1 MiB by default)."""
    try:
        with open("/proc/sys/fs/pipe-max-size") as limit:
            size = min(int(limit.read()), PIPE_BYTES)
        fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, size)
    except (AttributeError, OSError, ValueError):
        pass


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def insert_sql(*, skip_present: bool = True, with_id: bool = False) -> str:
    """The measurement ``INSERT`` (SQLite and PostgreSQL) of :data:`COLUMNS` (preceded
    by ``id`` if ``with_id``); by default a row whose identity is stored already is
    skipped."""
    table = _quote(Measurement._meta.db_table)
    names = ("id", *COLUMNS) if with_id else COLUMNS
    columns = ", ".join(map(_quote, names))
    placeholders = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    if not skip_present:
        return sql
    # The conflict target names the identity, so a clash of ids is an error, not a skip.
    return sql + f" ON CONFLICT ({', '.join(map(_quote, IDENTITY))}) DO NOTHING"


class BulkWriter:
    """Inserts chunks of measurement rows and their exceedances; counts the rows it
    wrote, the rows it added and the added rows that breach a limit, and notes the
    stations the rows are at (``stations``: reading them back from a million stored rows
    would take a while)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.sqlite = connection.vendor == "sqlite"
        self.written = 0
        self.added = 0
        self.breaching = 0
        self.stations: set[int] = set()
        self.sql = insert_sql(with_id=True)
        self.exceedance_sql = _exceedance_insert_sql()
        self._postgres: _PostgresStage | None = None

    def first_id(self) -> int | None:
        """On SQLite the id of the first row to insert (rows carry their ids); the
        caller holds the write lock, so no other writer can take it."""
        if not self.sqlite:
            return None
        self.cursor.execute(f"SELECT MAX(id) FROM {_quote(Measurement._meta.db_table)}")  # noqa: S608
        (last,) = self.cursor.fetchone()
        return (last or 0) + 1

    def insert(self, chunk: Chunk) -> None:
        """Writes one chunk: its new rows, and the exceedances of those."""
        if self.sqlite:
            added, breaching = self._insert_sqlite(chunk)
        else:
            if self._postgres is None:
                self._postgres = _PostgresStage(self.cursor)
            added, breaching = self._postgres.insert(chunk)
        self.written += len(chunk.rows)
        self.stations.update(map(_station_of, chunk.rows))
        self.added += added
        self.breaching += breaching

    def _insert_sqlite(self, chunk: Chunk) -> tuple[int, int]:
        cursor = self.cursor
        rows, exceedances = chunk.rows, chunk.exceedances
        cursor.executemany(self.sql, rows)
        # executemany's rowcount is the rows inserted (skipped conflicts not counted).
        added = max(cursor.rowcount, 0)
        breaching = chunk.breaching
        if exceedances and added < len(rows):
            # Some rows were stored already: only the exceedances of the added ones.
            cursor.execute(
                f"SELECT id FROM {_quote(Measurement._meta.db_table)} WHERE id BETWEEN %s AND %s",  # noqa: S608
                [rows[0][0], rows[-1][0]],
            )
            present = {pk for (pk,) in cursor.fetchall()}
            exceedances = [item for item in exceedances if item[0] in present]
            breaching = len({item[0] for item in exceedances})
        if exceedances:
            cursor.executemany(self.exceedance_sql, exceedances)
        return added, breaching

    def finish(self) -> None:
        """Drops what the writer set up for itself (after the last chunk)."""
        if self._postgres is not None:
            self._postgres.drop()
            self._postgres = None


def _exceedance_insert_sql() -> str:
    table = _quote(Exceedance._meta.db_table)
    columns = ", ".join(map(_quote, EXCEEDANCE_COLUMNS))
    placeholders = ", ".join(["%s"] * len(EXCEEDANCE_COLUMNS))
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model


class _PostgresStage:
    """PostgreSQL: each chunk is copied into two temporary tables (rows; exceedances by
    file line, which is unique in a file), then one statement inserts the rows in file
    order, skipping those stored already, and the exceedances of the rows it added.
    ``COPY`` costs the server a fraction of what one ``INSERT`` per row does."""

    ROWS = "minehub_import_rows"
    EXCEEDANCES = "minehub_import_exceedances"

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        measurements = _quote(Measurement._meta.db_table)
        exceedances = _quote(Exceedance._meta.db_table)
        columns = ", ".join(map(_quote, COLUMNS))
        breach_columns = ", ".join(map(_quote, EXCEEDANCE_COLUMNS))
        # Columns typed as the tables' own (the row's id stays empty: the sequence gives
        # it); dropped when the import is done, or with the rest of it rolled back.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.ROWS} AS "  # noqa: S608 - names from the model
            f"SELECT id, {columns} FROM {measurements} WITH NO DATA"
        )
        cursor.execute(
            f"CREATE TEMPORARY TABLE {self.EXCEEDANCES} AS "  # noqa: S608
            f"SELECT {breach_columns} FROM {exceedances} WITH NO DATA"
        )
        # The order they were copied in: a measurement's exceedances in its limits' order.
        cursor.execute(
            f"ALTER TABLE {self.EXCEEDANCES} ADD COLUMN position bigint "
            f"GENERATED ALWAYS AS IDENTITY"
        )
        self.copy_rows = f"COPY {self.ROWS} (id, {columns}) FROM STDIN"
        self.copy_exceedances = f"COPY {self.EXCEEDANCES} ({breach_columns}) FROM STDIN"
        identity = ", ".join(map(_quote, IDENTITY))
        self.statement = (
            f"WITH added AS (INSERT INTO {measurements} ({columns}) "  # noqa: S608
            f"SELECT {columns} FROM {self.ROWS} ORDER BY line "
            f"ON CONFLICT ({identity}) DO NOTHING RETURNING id, line, compliance), "
            f"breaches AS (INSERT INTO {exceedances} ({breach_columns}) "
            f"SELECT added.id, e.limit_id, e.level, e.ratio, e.station_id, e.sampled_at, "
            f"e.is_public FROM {self.EXCEEDANCES} e "
            f"JOIN added ON added.line = e.measurement_id ORDER BY e.position) "
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE compliance >= %s) FROM added"
        )

    def insert(self, chunk: Chunk) -> tuple[int, int]:
        cursor = self.cursor
        with cursor.copy(self.copy_rows) as copy:
            for row in chunk.rows:
                copy.write_row(row)
        if chunk.exceedances:
            with cursor.copy(self.copy_exceedances) as copy:
                for item in chunk.exceedances:
                    copy.write_row(item)
        cursor.execute(self.statement, [int(Compliance.INDETERMINATE)])
        added, breaching = cursor.fetchone()
        cursor.execute(f"TRUNCATE {self.ROWS}, {self.EXCEEDANCES}")
        return added, breaching

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE {self.ROWS}, {self.EXCEEDANCES}")


@contextmanager
def references_trusted() -> Iterator[None]:
    """On SQLite, foreign keys unchecked for a transaction opened inside the block (a
    tenth of an import's time goes to looking up the station, batch, limit and
    measurement of every row otherwise). Safe for an import: every reference it writes
    is to a row read in the same write transaction (stations, limits, the batch) or
    written by it (the measurement of an exceedance), and SQLite keeps other writers
    out until the commit, so none can go missing. Inside a transaction opened earlier
    SQLite ignores the switch and checks as usual; PostgreSQL always checks."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.constraint_checks_disabled():
        yield


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
            writer = BulkWriter(cursor)
            yield writer
            # Not after an error: on PostgreSQL the transaction is aborted then, and its
            # rollback drops the temporary tables anyway.
            writer.finish()
        finally:
            if sqlite:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")

"""Measurement import into the database, against a raw bulk insert of the same rows.

The bar (DESIGN.md): importing a 1M-row CSV with full validation runs at ≥ 100k rows/s
and at ≥ 0.5 × the speed of a raw bulk insert of the same rows into the same table in the
same run, on SQLite; PostgreSQL is reported too.

Each database is measured in its own process (``python -m bench.measurement_import
[DATABASE_URL]``), in a fresh installation: 360 registered stations (a fifth of the water
stations are drinking-water wells, so WHO limits apply; air stations report daily means,
so WHO and MNS limits apply), the file of ``bench.measurement_validation`` (default
1,000,000 rows, ``MINEHUB_BENCH_MEASUREMENT_ROWS``).

* **import**: ``ingest.commit`` of the stored file — reading, validating, converting,
  comparing with limits, inserting, storing exceedances — in one transaction;
* **raw insert**: the rows the import inserted, as ready-made tuples, inserted again
  into the emptied table in one transaction, in the same chunks, the quickest plain way
  each database offers: ``executemany`` of a plain ``INSERT`` on SQLite, ``COPY`` on
  PostgreSQL (what the import itself uses there). Nothing but the database's own work.

The CPU time of the import's two halves is printed too (the reading process, and this
process with the thread that loads the chunks): on a shared machine it is steadier than
wall time, and it tells which half the import waits for.

Figures are printed, never asserted.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import time

from bench.environment import configure, each_database
from bench.measurement_validation import DEFAULT_ROWS, generate, stations


def _register() -> None:
    from minehub.monitoring.models import Averaging, Site, Station

    sites = {}
    for code, site_code, medium in stations():
        if site_code not in sites:
            country = site_code[:2]
            sites[site_code] = Site.objects.create(
                code=site_code, name=site_code, kind="active_mine", country=country
            )
        if medium == "water":
            kind = "drinking_water" if code.endswith("W00") else "surface_water"
        else:
            kind = medium
        Station.objects.create(
            site=sites[site_code],
            code=code,
            name=code,
            medium=kind,
            averaging=Averaging.DAY if medium == "air" else Averaging.SAMPLE,
        )


def measure(database_url: str | None) -> list[str]:
    """Runs in a fresh process: sets up the installation, imports, inserts raw."""
    configure("minehub-bench-import-", database_url=database_url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from minehub.monitoring import bulk, ingest
    from minehub.monitoring.models import Exceedance, Measurement

    call_command("migrate", verbosity=0)
    _register()
    rows = int(os.environ.get("MINEHUB_BENCH_MEASUREMENT_ROWS", DEFAULT_ROWS))
    data = generate(rows)
    batch = ingest.receive(data, "bench.csv")

    started = time.perf_counter()
    ingest.check(batch)
    check = time.perf_counter() - started

    started, children = time.perf_counter(), _children_cpu()
    writing_started = time.process_time()
    batch = ingest.commit(batch)
    imported = time.perf_counter() - started
    # CPU time of each half (the reading process, and this one with its taker thread):
    # steadier than wall time on a shared machine, and it shows which half is slower.
    writing_cpu = time.process_time() - writing_started
    reading_cpu = _children_cpu() - children

    # The same rows, ready to insert: what the import inserted, read back in its order.
    columns = bulk.COLUMNS
    with connection.cursor() as cursor:
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        cursor.execute(
            f"SELECT {names} FROM monitoring_measurement ORDER BY id"  # noqa: S608 - constant
        )
        ready = [tuple(row) for row in cursor.fetchall()]
    if connection.vendor == "sqlite":
        # Bound the way the import binds them (bulk.RowConverter): the sqlite3 module
        # binds int, float and str directly but looks for an adapter for bool and None.
        ready = [
            tuple(
                int(value) if type(value) is bool else math.nan if value is None else value
                for value in row
            )
            for row in ready
        ]
    with transaction.atomic():
        Exceedance.objects.all().delete()
        Measurement.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    plain = bulk.insert_sql(skip_present=False)
    copy_sql = f"COPY monitoring_measurement ({names}) FROM STDIN"
    started = time.perf_counter()
    # The same session (page cache) and chunks as the import's writer.
    with transaction.atomic(), bulk.write_session() as writer:
        for start in range(0, len(ready), bulk.INSERT_CHUNK):
            chunk = ready[start : start + bulk.INSERT_CHUNK]
            if connection.vendor == "sqlite":
                writer.cursor.executemany(plain, chunk)
            else:
                with writer.cursor.copy(copy_sql) as copy:
                    for row in chunk:
                        copy.write_row(row)
    raw = time.perf_counter() - started

    total, added = batch.rows_total, batch.rows_added
    return [
        f"\nMeasurement import, {connection.vendor}: {total:,}-row CSV "
        f"({len(data) / 2**20:.0f} MiB), {added:,} rows added, "
        f"{batch.exceedances:,} results over a limit",
        f"  import with full validation: {imported:.2f} s = {total / imported:,.0f} rows/s "
        f"of file ({added / imported:,.0f} rows/s inserted)",
        f"  raw bulk insert of the same {added:,} rows: {raw:.2f} s = "
        f"{added / raw:,.0f} rows/s; import / raw speed = {raw / imported:.2f}",
        f"  check before import (the report): {check:.2f} s = {total / check:,.0f} rows/s",
        f"  import CPU time: reading side {reading_cpu:.2f} s, writing side {writing_cpu:.2f} s",
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run() -> list[str]:
    """Measures SQLite, then PostgreSQL when it answers, each in a fresh process (its own
    Django set-up and database); returns the lines to print."""
    return each_database("bench.measurement_import", "minehub_bench_import")


if __name__ == "__main__":
    for line in measure(sys.argv[1] if len(sys.argv) > 1 else None):
        print(line)

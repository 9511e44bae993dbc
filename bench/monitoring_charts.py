"""A station's chart, page and downloads with one long series (DESIGN.md, "Budgets").

Builds a fresh installation with an air station at a Mongolian site holding 350,000
results of one parameter (SO2 from a 20-minute logger over 13 years: a daily cycle on a
slowly rising level, noise, 1 % non-detects and a few hundred releases over the MNS
20-minute limit) and two monthly lab series, plus a water station with ten years of
monthly lab results of twelve parameters, the size of the demo stations. Rows are inserted
in bulk (a prepared ``INSERT`` in chunks; ``COPY`` on PostgreSQL). Then it measures, as
median and p95 of repeated runs, wall clock and process CPU time (the CPU figure tells a
busy machine from a slow program):

* **chart data, from the database**: reading the series (``readings.series``, from the
  column-wise copy the worker stores after each change: ``series_store``), reducing it
  (LTTB plus every exceedance and the peak) and scaling it (``charts.build_chart``) — what
  the station page does the first time it shows the series. Budget: p95 ≤ 100 ms. Also
  timed: the same from the results' rows, as when a change is not stored yet, and the
  worker storing the station's series;
* **chart data, as the page gets it**: the reduced series from the cache under the
  station's results version (``readings.chart_series``), scaled — every view, since
  after each change the worker prepares it (``readings.warm``, also timed);
* **summary**: the per-parameter summary query with its cached trends; and the trends
  computed afresh (one read of the station's results, monthly medians, Mann–Kendall);
* **station page**: the whole request with ``?parameter=`` through the test client, with
  its SQL query count (budget: p95 ≤ 50 ms, ≤ 15 queries), for both stations, as every
  view after the first and (cache emptied) as the first;
* **downloads**: the series as CSV and as XLSX, read to the end.

``python -m bench.monitoring_charts [DATABASE_URL]`` measures one database in this process
(SQLite when no URL is given; ``MINEHUB_BENCH_CHART_POINTS`` changes the series length).
``run()`` (``make bench``) measures SQLite, then PostgreSQL when it answers, each in a
fresh process. Figures are printed, never asserted.
"""

from __future__ import annotations

import gc
import io
import math
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from bench.environment import configure, each_database

DEFAULT_POINTS = 350_000
LOGGER = "MN-BENCH-A01"
LAB = "MN-BENCH-W01"
PARAMETER = "SO2"
LIMIT = 450.0  # MNS 4585:2016, SO2, 20-minute average, µg/m³
START = datetime(2013, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=20)
LAB_PARAMETERS = {
    "As": 0.004, "Cd": 0.001, "Cu": 0.05, "Fe": 0.2, "Hg": 0.0005, "Mn": 0.05, "Ni": 0.01,
    "Pb": 0.005, "SO4": 80.0, "U": 0.01, "F": 0.6, "NO3": 8.0,
}  # fmt: skip
SEED = 20261121
BUDGET_CHART_MS = 100.0
BUDGET_PAGE_P95_MS = 50.0
BUDGET_QUERIES = 15


def _logger_rows(points: int, station_id: int, adapt: Callable[[datetime], Any]) -> Iterator[tuple]:
    """The long series and two monthly lab series at the air station, in ``bulk.COLUMNS``
    order."""
    from minehub.monitoring.models import Compliance

    rng = random.Random(SEED)
    per_day = timedelta(days=1) / STEP
    for n in range(points):
        level = 60 * (1 + 0.5 * n / points) * (1 + 0.6 * math.sin(2 * math.pi * n / per_day))
        value = max(0.5, rng.gauss(level, 15))
        if rng.random() < 0.001:
            value = LIMIT * rng.uniform(1.05, 3)  # a release
        non_detect = rng.random() < 0.01
        if non_detect:
            value = 5.0  # the logger's reporting limit
        compliance = Compliance.EXCEEDS if value > LIMIT else Compliance.COMPLIANT
        yield (
            station_id, PARAMETER, adapt(START + n * STEP), "", "20min", value, "µg/m³",
            non_detect, "<" if non_detect else "", 5.0 if non_detect else None, "Logger", "",
            "", None, None, True, int(compliance), round(value / LIMIT, 4),
        )  # fmt: skip
    months = points * STEP // timedelta(days=30)
    for parameter, base in (("NO2", 40.0), ("PM10", 80.0)):
        for month in range(months):
            yield (
                station_id, parameter, adapt(START + timedelta(days=30 * month, hours=10)),
                f"L-{parameter}-{month}", "20min", max(1.0, rng.gauss(base, base / 4)),
                "µg/m³", False, "", None, "Lab «Tuul»", "", "", None, None, True,
                int(Compliance.NO_LIMIT), None,
            )  # fmt: skip


def _lab_rows(station_id: int, adapt: Callable[[datetime], Any]) -> Iterator[tuple]:
    """Ten years of monthly lab results of twelve parameters at the water station."""
    from minehub.monitoring.models import Compliance

    rng = random.Random(SEED + 1)
    for month in range(120):
        at = datetime(2015 + month // 12, month % 12 + 1, 14, 3, tzinfo=UTC)
        for parameter, base in LAB_PARAMETERS.items():
            value = max(base / 20, rng.gauss(base * (1 + month / 240), base / 4))
            yield (
                station_id, parameter, adapt(at), f"W-{month}", "sample", value, "mg/L", False,
                "", None, "Lab «Tuul»", "ICP-MS", "", None, None, True,
                int(Compliance.COMPLIANT), None,
            )  # fmt: skip


def populate(points: int) -> None:
    """The site, its two stations and their results."""
    from django.db import connection, transaction

    from minehub.monitoring import bulk
    from minehub.monitoring.models import Averaging, Site, Station

    site = Site.objects.create(code="MN-BENCH", name="Bench mine", kind="active_mine", country="MN")
    logger = Station.objects.create(
        site=site, code=LOGGER, name="Bench air logger", medium="air", averaging=Averaging.MIN20
    )
    lab = Station.objects.create(site=site, code=LAB, name="Bench well", medium="drinking_water")
    adapt = connection.ops.adapt_datetimefield_value
    rows = [_logger_rows(points, logger.pk, adapt), _lab_rows(lab.pk, adapt)]
    if connection.vendor == "postgresql":
        columns = ", ".join(bulk.COLUMNS)
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY monitoring_measurement ({columns}) FROM STDIN") as copy:
                for row in (row for source in rows for row in source):
                    copy.write_row(row)
            cursor.execute("ANALYZE monitoring_measurement")
        return
    sql = bulk.insert_sql(skip_present=False)
    with transaction.atomic(), bulk.write_session() as writer:
        for source in rows:
            while chunk := list(islice(source, bulk.INSERT_CHUNK)):
                writer.cursor.executemany(sql, chunk)


@dataclass
class Timing:
    median: float
    p95: float
    cpu: float
    result: Any

    def text(self) -> str:
        return f"median {self.median:7.1f} ms, p95 {self.p95:7.1f} ms, cpu {self.cpu:7.1f} ms"


def _timed(
    action: Callable[[], Any],
    runs: int,
    before: Callable[[], Any] | None = None,
    warm_up: bool = True,
) -> Timing:
    """Medians of ``runs`` runs (after one warm-up run); ``before`` runs untimed before each."""
    if warm_up:
        action()
    wall, cpu, result = [], [], None
    for _ in range(runs):
        if before:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    p95 = statistics.quantiles(wall, n=20)[-1] if runs >= 2 else wall[0]
    return Timing(statistics.median(wall), p95, statistics.median(cpu), result)


def measure(database_url: str | None) -> list[str]:
    """Runs in a fresh process: sets up the installation, loads the results, measures."""
    folder = configure("minehub-bench-charts-", database_url=database_url)
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from minehub.monitoring import series_store
    from minehub.monitoring.charts import LimitLine, build_chart
    from minehub.monitoring.models import Station
    from minehub.monitoring.readings import (
        chart_series,
        read_trends,
        series,
        station_summary,
    )
    from minehub.monitoring.readings import warm as prepare_station
    from minehub.monitoring.standards import load_shipped_standards

    call_command("setup", "--no-demo", stdout=io.StringIO())
    load_shipped_standards()
    points = int(os.environ.get("MINEHUB_BENCH_CHART_POINTS", DEFAULT_POINTS))
    started = time.perf_counter()
    populate(points)
    loaded = time.perf_counter() - started
    logger = Station.objects.select_related("site").get(code=LOGGER)
    lines = [LimitLine(LIMIT, "MNS 4585:2016")]

    rows_chart = _timed(lambda: build_chart(series(logger, PARAMETER, None), lines), 10)
    stored = _timed(lambda: series_store.store([logger.pk]), 3)
    cold_chart = _timed(lambda: build_chart(series(logger, PARAMETER, None), lines), 20)
    summary = station_summary(logger, None)
    item = next(entry for entry in summary if entry.parameter == PARAMETER)
    warm_chart = _timed(lambda: build_chart(chart_series(logger, item, None), lines), 50)
    warm_summary = _timed(lambda: station_summary(logger, None), 20)
    parameters = [entry.parameter for entry in summary]
    fresh_trends = _timed(lambda: read_trends(logger, None, parameters), 5)
    worker = _timed(lambda: (cache.clear(), prepare_station([logger.pk])), 3)
    chart = cold_chart.result

    anonymous = Client()

    def page(url: str) -> Callable[[], Any]:
        def get() -> Any:
            response = anonymous.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    def queries(url: str, cold: bool) -> int:
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            page(url)()
        return len(captured.captured_queries)

    def download(url: str) -> Callable[[], int]:
        def fetch() -> int:
            response = page(url)()
            return sum(len(part) for part in response.streaming_content)

        return fetch

    with translation.override("en"):
        logger_page = (
            reverse("monitoring:station-detail", args=[LOGGER]) + f"?parameter={PARAMETER}"
        )
        lab_page = reverse("monitoring:station-detail", args=[LAB]) + "?parameter=As"
        csv_url = reverse("monitoring:station-data", args=[LOGGER]) + f"?parameter={PARAMETER}"
        xlsx_url = (
            reverse("monitoring:station-data-xlsx", args=[LOGGER]) + f"?parameter={PARAMETER}"
        )
    # As a web process does once it has started (minehub/wsgi.py): what lives on is left
    # out of the cyclic collector's full passes, which otherwise pause a request now and
    # then for 60-90 ms on this machine.
    gc.freeze()
    pages = []
    for label, url in ((f"{points // 1000}k-result logger", logger_page), ("lab well", lab_page)):
        warm = _timed(page(url), 30)
        warm_queries = queries(url, cold=False)
        cold = _timed(page(url), 5, before=cache.clear)
        cold_queries = queries(url, cold=True)
        pages.append((label, warm, warm_queries, cold, cold_queries))
    # Seconds each: no warm-up run (nothing in them gets warmer).
    csv_download = _timed(download(csv_url), 3, warm_up=False)
    xlsx_download = _timed(download(xlsx_url), 2, warm_up=False)

    def verdict(ok: bool) -> str:
        return "ok" if ok else "OVER"

    result = [
        f"\nStation chart, page and downloads, {connection.vendor}: {points:,} results of "
        f"{PARAMETER} at one station (+ 2 lab series), a lab well with "
        f"{120 * len(LAB_PARAMETERS):,} results; loaded in {loaded:.1f} s; load average "
        + " ".join(f"{load:.2f}" for load in os.getloadavg()),
        f"  chart data from the database (read the stored series + LTTB + build, "
        f"{chart.shown:,} of {chart.points:,} points drawn): {cold_chart.text()}  "
        f"{verdict(cold_chart.p95 <= BUDGET_CHART_MS)} (budget p95 <= {BUDGET_CHART_MS:.0f} ms)",
        f"  chart data from the results' rows (a change the worker has not stored yet):  "
        f"{rows_chart.text()}",
        f"  worker storing the station's series column-wise:                            "
        f"{stored.text()}",
        f"  chart data as the page gets it (prepared by the worker, + build):          "
        f"{warm_chart.text()}  {verdict(warm_chart.median <= BUDGET_CHART_MS)}",
        f"  summary query with cached trends:                                           "
        f"{warm_summary.text()}",
        f"  trends computed afresh ({len(parameters)} parameters, monthly medians, "
        f"Mann–Kendall):            {fresh_trends.text()}",
        f"  worker preparing the station after a change (public + inspectors):          "
        f"{worker.text()}",
    ]
    for label, warm, warm_queries, cold, cold_queries in pages:
        budget = warm.p95 <= BUDGET_PAGE_P95_MS and warm_queries <= BUDGET_QUERIES
        result += [
            f"  station page, {label}, later views: {warm.text()}, {warm_queries} queries  "
            f"{verdict(budget)}",
            f"  station page, {label}, first view:  {cold.text()}, {cold_queries} queries",
        ]
    result += [
        f"  CSV download of the series:  {csv_download.text()}, "
        f"{csv_download.result / 2**20:.1f} MiB",
        f"  XLSX download of the series: {xlsx_download.text()}, "
        f"{xlsx_download.result / 2**20:.1f} MiB",
    ]
    connection.close()
    shutil.rmtree(folder, ignore_errors=True)  # 60 MB of throw-away database and files
    return result


def run() -> list[str]:
    """Measures SQLite, then PostgreSQL when it answers, each in a fresh process (its own
    Django set-up and database); returns the lines to print."""
    return each_database("bench.monitoring_charts", "minehub_bench_charts")


if __name__ == "__main__":
    for line in measure(sys.argv[1] if len(sys.argv) > 1 else None):
        print(line)

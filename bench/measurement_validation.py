"""Measurement-file validation throughput, in rows per second (DESIGN.md, "Budgets").

Generates a CSV of ``MINEHUB_BENCH_MEASUREMENT_ROWS`` rows (default 1,000,000) in memory,
shaped like a merged Russian/Mongolian lab and sensor export: UTF-8 with Cyrillic names,
``;`` delimiter, decimal commas and points, dd.mm.yyyy and ISO dates, hourly air readings
with UTC offsets, water results in mg/L, µg/L and мкг/л, soil and sediment in mg/kg,
non-detects (``<0,001``, ``н.о.``, ``ND`` with a detection limit), and about 3 % bad rows of
every kind (unknown station, parameter or unit, unparseable value, bad and future dates,
empty values, duplicates). Validates it with the shipped catalogue in this one process,
streaming the valid rows as an import would (they are built, not kept), and prints rows/s
and memory. Figures are printed, never asserted. ``python -m bench.measurement_validation``.
"""

from __future__ import annotations

import io
import os
import random
import resource
import time
from datetime import date, datetime, timedelta

from bench.environment import ensure_django

DEFAULT_ROWS = 1_000_000
TODAY = date(2026, 11, 21)
HEADER = (
    "site_code;station_code;sample_id;sampled_at;medium;parameter;value;unit;qualifier;"
    "detection_limit;lab;method;comment\n"
)
SITES = [f"MN-S{site:02d}" for site in range(20)] + [f"KG-S{site:02d}" for site in range(20)]
LABS = ["Tuul Analytica LLC", "ИЛ «Чаткал-Эко»", "Selenge EcoLab LLC", "Boroo Env. Dept."]
WATER = [("As", "Мышьяк"), ("Hg", "Ртуть"), ("Cd", "Cd"), ("Pb", "Свинец"), ("Cu", "Медь")]
WATER += [("Zn", "Цинк"), ("SO4", "Сульфаты"), ("CN", "CN"), ("TSS", "TSS"), ("Fe", "Железо")]
WATER_UNITS = [("mg/L", 1), ("мг/л", 1), ("µg/L", 1000), ("мкг/л", 1000), ("mg/dm3", 1)]


def stations() -> list[tuple[str, str, str]]:
    """(code, site, medium) of the generated stations: 5 water, 2 air, 1 soil, 1 sediment
    per site."""
    result = []
    for site in SITES:
        result += [(f"{site}-W{n:02d}", site, "water") for n in range(5)]
        result += [(f"{site}-A{n:02d}", site, "air") for n in range(2)]
        result += [(f"{site}-S01", site, "soil"), (f"{site}-D01", site, "sediment")]
    return result


def _number(value: float, comma: bool) -> str:
    text = f"{value:.4g}"
    return text.replace(".", ",") if comma else text


def _lab_row(rng: random.Random, station: tuple[str, str, str], day: date) -> str:
    code, site, medium = station
    comma = rng.random() < 0.5
    sampled = day.strftime("%d.%m.%Y") if comma else day.isoformat()
    lab = rng.choice(LABS)
    sample = f"{code}-{day:%y%m%d}"
    if medium == "water":
        parameter, name = rng.choice(WATER)
        unit, scale = rng.choice(WATER_UNITS)
        shown = name if comma else parameter
        if rng.random() < 0.1:
            limit = _number(0.001 * scale, comma)
            value = rng.choice([f"<{limit}", "н.о.", "ND"])
            return f"{site};{code};{sample};{sampled};вода;{shown};{value};{unit};;{limit};{lab};ISO 11885;\n"
        value = _number(rng.lognormvariate(-4, 1.5) * scale, comma)
        limit = _number(0.001 * scale, comma)
        return f"{site};{code};{sample};{sampled};water;{shown};{value};{unit};;{limit};{lab};ISO 17294-2;\n"
    if medium in ("soil", "sediment"):
        parameter = rng.choice(["As", "Pb", "Cu", "Zn", "Cd"])
        value = _number(rng.lognormvariate(2, 1), comma)
        return f"{site};{code};{sample};{sampled};{medium};{parameter};{value};mg/kg;;0,5;{lab};ISO 11466;composite 0-20 cm\n"
    if rng.random() < 0.5:
        return f"{site};{code};{sample};{sampled};water;pH;{_number(rng.uniform(6, 9), comma)};;;;{lab};ISO 10523;\n"
    return f"{site};{code};{sample};{sampled};water;pH;{_number(rng.uniform(6, 9), comma)};pH;;;{lab};ISO 10523;\n"


def _air_row(rng: random.Random, station: tuple[str, str, str], moment: datetime) -> str:
    code, site, _medium = station
    offset = "+08:00" if site.startswith("MN") else "+06:00"
    parameter = rng.choice(["PM10", "PM2.5", "PM 2.5", "SO2", "NO2"])
    value, unit = rng.lognormvariate(3.5, 0.8), "µg/m3"
    if rng.random() < 0.2:
        value, unit = value / 1000, "mg/m3"
    return (
        f"{site};{code};{code}-{moment:%Y%m%d%H};{moment:%Y-%m-%dT%H:%M:%S}{offset};air;"
        f"{parameter};{value:.3g};{unit};;;{site} monitoring;BAM-1020;1-h mean\n"
    )


BAD_EDITS = [
    lambda cells: cells.__setitem__(1, cells[1] + "X"),  # unknown_station
    lambda cells: cells.__setitem__(7, "mg/ll"),  # unknown_unit
    lambda cells: cells.__setitem__(6, "0..12"),  # unparseable_value
    lambda cells: cells.__setitem__(6, "#VALUE!"),  # unparseable_value
    lambda cells: cells.__setitem__(3, "2031-01-05"),  # future_date
    lambda cells: cells.__setitem__(3, "2024-02-30"),  # bad_date
    lambda cells: cells.__setitem__(5, "Unobtainium"),  # unknown_parameter
    lambda cells: cells.__setitem__(6, ""),  # missing_required
]


def generate(rows: int, seed: int = 7) -> bytes:
    """``rows`` data rows of realistic, varied results with about 3 % bad rows."""
    rng = random.Random(seed)
    every = stations()
    air = [station for station in every if station[2] == "air"]
    lab = [station for station in every if station[2] != "air"]
    out = io.BytesIO()
    out.write(HEADER.encode())
    start = datetime(2024, 1, 1)
    batch: list[str] = []
    previous = ""
    for index in range(rows):
        if index % 2:
            line = _air_row(rng, rng.choice(air), start + timedelta(hours=index // 200))
        else:
            line = _lab_row(rng, rng.choice(lab), date(2023, 1, 1) + timedelta(days=index % 900))
        roll = rng.random()
        if roll < 0.025:
            cells = line.rstrip("\n").split(";")
            rng.choice(BAD_EDITS)(cells)
            line = ";".join(cells) + "\n"
        elif roll < 0.03 and previous:
            line = previous  # duplicate_row
        previous = line
        batch.append(line)
        if len(batch) == 10_000:
            out.write("".join(batch).encode())
            batch.clear()
    out.write("".join(batch).encode())
    return out.getvalue()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run() -> list[str]:
    """Generates the file, validates it; returns the lines to print."""
    ensure_django()
    from minehub.monitoring.importing import Station, default_catalogue, validate

    rows = int(os.environ.get("MINEHUB_BENCH_MEASUREMENT_ROWS", DEFAULT_ROWS))
    catalogue = default_catalogue(
        Station(code, site, frozenset([medium])) for code, site, medium in stations()
    )
    data = generate(rows)
    before = _rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    report = validate(data, "bench.csv", catalogue, TODAY, keep_rows=False)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = ", ".join(f"{code} {n}" for code, n in sorted(report.error_counts().items()))
    return [
        f"Measurement validation ({report.rows_total:,} rows, {len(data) / 2**20:.0f} MiB CSV, "
        f"streamed, one process): {report.rows_total / elapsed:,.0f} rows/s ({elapsed:.2f} s); "
        # CPU time: the figure without other processes competing for the cores.
        f"by CPU time {report.rows_total / cpu:,.0f} rows/s ({cpu:.2f} s)",
        f"  valid {report.rows_valid:,}, invalid {report.rows_invalid:,}: {counts}",
        f"  memory: {before:.0f} MiB RSS with the file loaded, peak {peak:.0f} MiB RSS",
    ]


if __name__ == "__main__":
    for line in run():
        print(line)

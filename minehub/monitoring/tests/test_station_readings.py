"""A station's readings: trends (Mann–Kendall, Sen's slope), the reduced chart series, the
station page's summary and budget, and the XLSX download."""

from __future__ import annotations

import csv
import gc
import io
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from minehub.monitoring import ingest, readings
from minehub.monitoring.charts import LimitLine, Series, build_chart, lttb
from minehub.monitoring.models import ImportBatch, Site, Station
from minehub.monitoring.tests.helpers import csv_bytes
from minehub.monitoring.trends import (
    MIN_PERIODS,
    Direction,
    mann_kendall,
    monthly_medians,
    sens_slope,
    trend,
)

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _months(count: int) -> np.ndarray:
    return np.arange(648, 648 + count)  # from January 2024


# --- Mann–Kendall and Sen's slope --------------------------------------------------------


def test_mann_kendall_matches_the_values_worked_by_hand() -> None:
    # Pairs of 1, 2, 2, 3: five rise, one tie. n = 4: 4·3·13 = 156, less 2·1·9 = 18 for
    # the tied pair, over 18: 7.667. z = (5 - 1) / √7.667 = 1.4446, two-sided p = 0.1486.
    test = mann_kendall([1, 2, 2, 3])
    assert test.s == 5
    assert test.variance == pytest.approx(138 / 18)
    assert test.z == pytest.approx(1.44463, abs=1e-5)
    assert test.p_value == pytest.approx(0.1486, abs=1e-4)


def test_eight_rising_months_give_the_textbook_statistic() -> None:
    # S = 8·7/2 = 28, var = 8·7·21/18 = 65.33, z = 27/√65.33 = 3.3404, p = 0.00084.
    test = mann_kendall(range(8))
    assert (test.s, test.variance) == (28, pytest.approx(65.3333, abs=1e-4))
    assert test.z == pytest.approx(3.3404, abs=1e-4)
    assert test.p_value == pytest.approx(0.00084, abs=1e-5)


def test_sens_slope_is_the_median_of_the_pairwise_slopes() -> None:
    # Slopes 1, 1/2, 2/3, 0, 1/2, 1: median (1/2 + 2/3) / 2.
    assert sens_slope([0, 1, 2, 3], [1, 2, 2, 3]) == pytest.approx(7 / 12)


@given(st.lists(st.floats(min_value=1e-3, max_value=1e3), min_size=MIN_PERIODS - 1, max_size=60))
def test_a_strictly_increasing_series_is_rising(steps: list[float]) -> None:
    medians = np.cumsum([0.0, *steps])
    result = trend(_months(len(medians)), medians)
    assert result.direction == Direction.RISING
    assert result.slope_per_year is not None and result.slope_per_year > 0


@given(values, st.integers(min_value=MIN_PERIODS, max_value=60))
def test_a_constant_series_has_no_trend(level: float, count: int) -> None:
    result = trend(_months(count), np.full(count, level))
    assert result.direction == Direction.NONE
    assert result.slope_per_year == 0


@given(st.lists(values, min_size=MIN_PERIODS, max_size=40))
def test_reversing_a_series_flips_its_direction(medians: list[float]) -> None:
    months = _months(len(medians))
    forward, backward = trend(months, np.array(medians)), trend(months, np.array(medians[::-1]))
    flipped = {
        Direction.RISING: Direction.FALLING,
        Direction.FALLING: Direction.RISING,
        Direction.NONE: Direction.NONE,
    }
    assert backward.direction == flipped[forward.direction]
    assert backward.p_value == pytest.approx(forward.p_value)
    assert backward.slope_per_year == pytest.approx(-forward.slope_per_year, rel=1e-9, abs=1e-9)


@given(st.lists(values, min_size=2, max_size=40), st.floats(min_value=0.01, max_value=100), values)
def test_the_test_depends_only_on_the_order_of_the_values(
    medians: list[float], scale: float, shift: float
) -> None:
    data = np.array(medians)
    rescaled = data * scale + shift
    # Values too close to tell apart once rescaled are a different series; skip them.
    if np.array_equal(
        np.sign(np.subtract.outer(data, data)), np.sign(np.subtract.outer(rescaled, rescaled))
    ):
        assert mann_kendall(rescaled) == mann_kendall(data)


@given(values, st.floats(min_value=-1e3, max_value=1e3), st.integers(min_value=2, max_value=40))
def test_sens_slope_recovers_the_rate_of_a_straight_line(
    start: float, rate: float, count: int
) -> None:
    times = np.arange(count, dtype=float)
    assert sens_slope(times, start + rate * times) == pytest.approx(rate, rel=1e-6, abs=1e-3)


def test_fewer_months_than_needed_is_not_enough_data() -> None:
    result = trend(_months(MIN_PERIODS - 1), np.arange(MIN_PERIODS - 1.0))
    assert result.direction == Direction.NOT_ENOUGH_DATA
    assert result.periods == MIN_PERIODS - 1 and result.slope_per_year is None
    assert trend(np.array([]), np.array([])).direction == Direction.NOT_ENOUGH_DATA


def test_monthly_medians_take_each_calendar_month_in_utc() -> None:
    january = 1_704_067_200  # 2024-01-01 00:00 UTC
    february = january + 31 * 86_400
    times = np.array([february + 60, january, january + 86_400, february - 1, february])
    readings = np.array([7.0, 1.0, 5.0, 3.0, np.nan])
    months, medians = monthly_medians(times, readings)
    assert months.tolist() == [648, 649]  # January and February 2024, counted from 1970
    assert medians.tolist() == [3.0, 7.0]  # the two middle January values are averaged


# --- Chart reduction ----------------------------------------------------------------------


@given(
    st.lists(st.floats(min_value=0, max_value=1e4), min_size=3, max_size=300),
    st.integers(min_value=3, max_value=60),
)
def test_lttb_keeps_the_largest_triangle_of_each_bucket(heights: list[float], keep: int) -> None:
    x = [1_700_000_000 + 600.0 * i for i in range(len(heights))]
    kept = lttb(np.array(x), np.array(heights), keep).tolist()
    n = len(x)
    if keep >= n:
        assert kept == list(range(n))
        return
    # Steinarsson (2013): the first and last points, then per bucket the point that makes
    # the largest triangle with the point kept before it and the next bucket's average.
    every = (n - 2) / (keep - 2)
    edges = [int(k * every) + 1 for k in range(keep - 1)]
    edges[-1] = n - 1
    nexts = [*edges[1:], n]
    assert len(kept) == keep and kept[0] == 0 and kept[-1] == n - 1
    for bucket in range(keep - 2):
        start, end, after = edges[bucket], edges[bucket + 1], nexts[bucket + 1]
        a, chosen = kept[bucket], kept[bucket + 1]
        assert start <= chosen < end
        avg_x = sum(x[end:after]) / (after - end)
        avg_y = sum(heights[end:after]) / (after - end)
        areas = [
            abs((x[a] - avg_x) * (heights[i] - heights[a]) - (x[a] - x[i]) * (avg_y - heights[a]))
            for i in range(start, end)
        ]
        assert areas[chosen - start] == pytest.approx(max(areas), rel=1e-9, abs=1e-3)


def test_a_reduced_chart_keeps_every_exceedance_and_the_peak() -> None:
    rng = np.random.default_rng(7)
    count = 20_000
    readings = rng.normal(50, 5, count)
    over = rng.choice(count, 40, replace=False)
    readings[over] = 500
    readings[123] = 2_000
    exceeding = np.zeros(count, dtype=bool)
    exceeding[over] = True
    series = Series(
        np.arange(count) * 1200.0 + 1.7e9, readings, np.zeros(count, dtype=bool), exceeding
    )
    reduced = series.reduced()
    assert len(reduced) < 1_100 and reduced.results == count
    assert reduced.exceeding.sum() == 40 and reduced.values.max() == 2_000
    chart = build_chart(reduced, [LimitLine(100.0, "limit")])
    assert chart.points == count and chart.shown == len(reduced)
    assert len(chart.exceeding) == 40


# --- Station page ------------------------------------------------------------------------


def _well() -> Station:
    return Station.objects.create(
        site=Site.objects.get(code="KG-CHT"),
        code="KG-CHT-DW1",
        name="Village well",
        medium="drinking_water",
    )


def _imported(*lines: str, publish: bool = True) -> ImportBatch:
    batch = ingest.receive(csv_bytes(*lines), "t.csv", publish=publish)
    ingest.check(batch)
    return ingest.commit(batch)


def _monthly(first: int, values: list[Any], year: int = 2024) -> list[str]:
    """Arsenic at the well on the 12th of consecutive months, from month ``first``."""
    return [
        f"KG-CHT,KG-CHT-DW1,As-{year}-{first + i},{year}-{first + i:02d}-12,water,As,{value},"
        "mg/L,,,Lab,,"
        for i, value in enumerate(values)
    ]


def _page(client: Any, parameter: str = "") -> Any:
    url = reverse("monitoring:station-detail", args=["KG-CHT-DW1"])
    return client.get(url + (f"?parameter={parameter}" if parameter else ""))


@pytest.mark.django_db
def test_the_summary_states_a_rising_trend_with_its_slope_per_year(
    registry: None, client: Any
) -> None:
    _well()
    _imported(*_monthly(1, [0.001 * (i + 1) for i in range(12)]))
    response = _page(client)
    item = response.context["summary"][0][0]
    assert item.trend.direction == Direction.RISING
    assert item.trend.slope_per_year == pytest.approx(0.012)
    page = response.content.decode()
    assert "Rising" in page
    assert "+0.0120 mg/L per year, 2024-01 to 2024-12 (12 months)" in page
    assert "2 (16.7 %)" in page  # 0.011 and 0.012 are above the WHO 0.01 mg/L


@pytest.mark.django_db
def test_a_station_with_few_months_of_results_has_not_enough_data_for_a_trend(
    registry: None, client: Any
) -> None:
    _well()
    _imported(*_monthly(1, [0.001, 0.002, 0.003]))
    page = _page(client).content.decode()
    assert "Not enough data" in page and "results in 3 months; 8 needed" in page
    assert "Rising" not in page


@pytest.mark.django_db
def test_a_new_import_updates_the_trend_and_the_chart_at_once(registry: None, client: Any) -> None:
    _well()
    _imported(*_monthly(1, [0.004] * 6))
    first = _page(client, "As")
    assert first.context["summary"][0][0].trend.direction == Direction.NOT_ENOUGH_DATA
    assert first.context["chart"].points == 6
    _imported(*_monthly(7, [0.001, 0.001, 0.0005, 0.0005, 0.0002, 0.0001]))
    second = _page(client, "As")
    assert second.context["summary"][0][0].trend.direction == Direction.FALLING
    assert second.context["chart"].points == 12


@pytest.mark.django_db
def test_withdrawing_a_batch_takes_its_results_off_the_public_chart(
    registry: None, personas: Any
) -> None:
    _well()
    _imported(*_monthly(1, [0.004] * 4))
    later = _imported(*_monthly(5, [0.005] * 4))
    anonymous, inspector = personas.client("anonymous"), personas.client("inspector")
    assert _page(anonymous, "As").context["chart"].points == 8
    assert _page(inspector, "As").context["chart"].points == 8
    ingest.set_public(later, False)
    assert _page(anonymous, "As").context["chart"].points == 4
    assert _page(inspector, "As").context["chart"].points == 8


@pytest.mark.django_db
def test_the_station_page_with_a_chart_and_trends_stays_within_the_query_budget(
    registry: None, personas: Any, django_assert_max_num_queries: Any
) -> None:
    _well()
    _imported(*_monthly(1, [0.001 * (i + 1) for i in range(12)]))
    _imported(*_monthly(1, [0.002] * 12, year=2023))
    for persona in ("anonymous", "inspector"):
        client = personas.client(persona)
        for _ in ("first view, nothing cached", "second view"):
            with django_assert_max_num_queries(15):
                assert _page(client, "As").status_code == 200


# --- XLSX download -------------------------------------------------------------------------


def _xlsx_rows(response: Any) -> list[list[Any]]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.django_db
def test_the_xlsx_download_holds_the_rows_and_columns_of_the_csv(
    registry: None, client: Any
) -> None:
    _well()
    _imported(*_monthly(1, [0.004, 0.025, "<0.001"]))
    url = reverse("monitoring:station-data-xlsx", args=["KG-CHT-DW1"]) + "?parameter=As"
    response = client.get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="KG-CHT-DW1-As.xlsx"'
    rows = _xlsx_rows(response)
    csv_response = client.get(reverse("monitoring:station-data", args=["KG-CHT-DW1"]))
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == csv_rows[0] and len(rows) == len(csv_rows) == 4
    assert [row[4] for row in rows[1:]] == [0.004, 0.025, 0.001]
    assert [row[6] for row in rows[1:]] == [None, None, "<"]
    assert rows[2][11] == "exceeds a limit" and rows[2][12] == pytest.approx(2.5)
    # Times are real spreadsheet dates, in UTC as the header says (Bishkek is UTC+6).
    assert rows[1][2].isoformat() == "2024-01-11T18:00:00"


@pytest.mark.django_db
def test_the_xlsx_download_escapes_formulas(registry: None, client: Any) -> None:
    _well()
    _imported(
        'KG-CHT,KG-CHT-DW1,W-1,2024-06-12,water,As,0.004,mg/L,,,"=HYPERLINK(""http://x"")",,'
        "@SUM(A1)"
    )
    response = client.get(reverse("monitoring:station-data-xlsx", args=["KG-CHT-DW1"]))
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    lab, comment = sheet.cell(row=2, column=9), sheet.cell(row=2, column=11)
    assert lab.value == '\'=HYPERLINK("http://x")' and lab.data_type == "s"
    assert comment.value == "'@SUM(A1)" and comment.data_type == "s"
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.django_db
def test_the_public_xlsx_download_leaves_out_unpublished_results(
    registry: None, personas: Any
) -> None:
    _well()
    _imported(*_monthly(1, [0.004]))
    _imported(*_monthly(2, [0.025]), publish=False)
    url = reverse("monitoring:station-data-xlsx", args=["KG-CHT-DW1"])
    assert len(_xlsx_rows(personas.client("anonymous").get(url))) == 2
    assert len(_xlsx_rows(personas.client("inspector").get(url))) == 3


@pytest.mark.django_db
def test_the_station_page_links_both_downloads(registry: None, client: Any) -> None:
    _well()
    _imported(*_monthly(1, [0.004]))
    page = _page(client, "As").content.decode()
    assert reverse("monitoring:station-data-xlsx", args=["KG-CHT-DW1"]) + "?parameter=As" in page
    assert reverse("monitoring:station-data", args=["KG-CHT-DW1"]) + "?parameter=As" in page


@pytest.mark.django_db
def test_after_an_import_the_worker_prepares_the_station_page(
    registry: None, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _well()
    with django_capture_on_commit_callbacks(execute=True):
        _imported(*_monthly(1, [0.004, 0.02, 0.003]))
    with CaptureQueriesContext(connection) as queries:
        page = _page(client, "As")
    assert page.context["chart"].points == 3
    # Summary, trends and chart came ready-made: no result was read for this view.
    assert not [q for q in queries.captured_queries if "monitoring_measurement" in q["sql"]]


@pytest.mark.django_db
def test_a_series_is_read_whole_with_the_collector_back_on_after(registry: None) -> None:
    _well()
    values = [0.001 * (i + 1) for i in range(12)]
    _imported(*_monthly(1, values))
    station = Station.objects.get(code="KG-CHT-DW1")
    assert gc.isenabled()
    read = readings.series(station, "As", None)
    assert gc.isenabled()
    assert read.values.tolist() == pytest.approx(values)
    assert np.all(np.diff(read.times) > 0)

"""Monitoring pages: who sees what, the upload → report → commit flow, station charts,
exports and exceedance lists."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from minehub.core.exports import safe_cell
from minehub.core.testing import check_permission_matrix
from minehub.monitoring import ingest
from minehub.monitoring.models import BatchStatus, ImportBatch, Measurement, Site, Station
from minehub.monitoring.tests.helpers import DEV, csv_bytes

pytestmark = pytest.mark.django_db

EVERYONE = dict.fromkeys(
    ["anonymous", "member", "editor", "moderator", "community_monitor", "inspector",
     "data_steward", "administrator", "suspended"],
    200,
)  # fmt: skip
IMPORTERS = {**dict.fromkeys(EVERYONE, 403), "anonymous": 302, "suspended": 302,
             "inspector": 200, "administrator": 200}  # fmt: skip


def _well() -> Station:
    site = Site.objects.get(code="KG-CHT")
    return Station.objects.create(
        site=site, code="KG-CHT-DW1", name="Village well", medium="drinking_water"
    )


def _imported(
    data: bytes, name: str = "t.csv", user: Any = None, publish: bool = True
) -> ImportBatch:
    batch = ingest.receive(data, name, user=user, publish=publish)
    ingest.check(batch)
    return ingest.commit(batch)


def test_public_monitoring_pages_are_open_to_everyone(registry: None, personas: Any) -> None:
    _imported((DEV / "06_air_pm.csv").read_bytes())
    station = Measurement.objects.first().station
    for url in (
        reverse("monitoring:site-list"),
        reverse("monitoring:site-detail", args=[station.site.code]),
        reverse("monitoring:station-detail", args=[station.code]),
        reverse("monitoring:exceedance-list"),
        reverse("monitoring:standard-list"),
        reverse("monitoring:standard-detail", args=["who-drinking-water-2022"]),
    ):
        assert check_permission_matrix(personas, url, EVERYONE) == []


def test_only_inspectors_upload_results(registry: None, personas: Any) -> None:
    assert check_permission_matrix(personas, reverse("monitoring:import-upload"), IMPORTERS) == []


def test_an_import_report_is_for_its_uploader_and_administrators(
    registry: None, personas: Any
) -> None:
    batch = ingest.receive(
        (DEV / "05_broken_rows.csv").read_bytes(), "05.csv", user=personas["inspector"]
    )
    ingest.check(batch)
    expected = {**IMPORTERS}
    for url in (
        reverse("monitoring:import-detail", args=[batch.pk]),
        reverse("monitoring:import-errors", args=[batch.pk]),
    ):
        assert check_permission_matrix(personas, url, expected) == []
    other = personas.client("inspector")
    batch.uploaded_by = personas["administrator"]
    batch.save()
    assert other.get(reverse("monitoring:import-detail", args=[batch.pk])).status_code == 403
    assert other.post(reverse("monitoring:import-commit", args=[batch.pk])).status_code == 403


def test_an_inspector_uploads_reads_the_report_in_russian_and_commits(
    registry: None, personas: Any
) -> None:
    _well()
    client = personas.client("inspector")
    data = (DEV / "02_russian_lab_cp1251.csv").read_bytes()
    response = client.post(
        reverse("monitoring:import-upload"),
        {"file": SimpleUploadedFile("лаборатория.csv", data), "publish": "on"},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{batch.pk}/")
    page = client.get(f"/ru/monitoring/imports/{batch.pk}/").content.decode()
    assert "bad_date" in page and "07.13.2024" in page
    assert "cp1251" in page
    assert not Measurement.objects.exists()
    response = client.post(f"/ru/monitoring/imports/{batch.pk}/commit/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED and batch.rows_added == batch.rows_valid == 21
    again = client.post(f"/ru/monitoring/imports/{batch.pk}/commit/")  # a double click
    assert again.status_code == 302 and Measurement.objects.count() == 21


def test_the_error_csv_lists_every_problem_in_the_readers_language(
    registry: None, personas: Any
) -> None:
    client = personas.client("inspector")
    client.post(
        reverse("monitoring:import-upload"),
        {"file": SimpleUploadedFile("05.csv", (DEV / "05_broken_rows.csv").read_bytes())},
    )
    batch = ImportBatch.objects.get()
    response = client.get(f"/en/monitoring/imports/{batch.pk}/errors.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "line", "column", "code", "message"]
    assert len(rows) - 1 == batch.rows_invalid == 12


def test_a_file_of_the_wrong_kind_is_refused_with_a_clear_message(
    registry: None, personas: Any
) -> None:
    client = personas.client("inspector")
    response = client.post(
        reverse("monitoring:import-upload"),
        {"file": SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff")},
    )
    assert response.status_code == 200 and ".xlsx" in response.content.decode()
    response = client.post(
        reverse("monitoring:import-upload"),
        {"file": SimpleUploadedFile("fake.csv", b"\x89PNG\r\n\x1a\n\x00\x00")},
    )
    batch = ImportBatch.objects.get()
    assert batch.summary["file_error"] == "unreadable_file" and batch.rows_valid == 0
    page = client.get(reverse("monitoring:import-detail", args=[batch.pk])).content.decode()
    assert reverse("monitoring:import-commit", args=[batch.pk]) not in page  # nothing to import


def test_the_station_page_charts_the_exceedance_with_its_limit(registry: None, client: Any) -> None:
    _well()
    _imported(
        csv_bytes(
            "KG-CHT,KG-CHT-DW1,W-1,2024-05-12,water,As,0.004,mg/L,,,,,",
            "KG-CHT,KG-CHT-DW1,W-2,2024-06-12,water,As,0.025,mg/L,,,,,",
            "KG-CHT,KG-CHT-DW1,W-3,2024-07-12,water,As,<0.001,mg/L,,,,,",
        )
    )
    page = client.get(
        reverse("monitoring:station-detail", args=["KG-CHT-DW1"]) + "?parameter=As"
    ).content.decode()
    assert "<svg" in page and 'class="exceeding"' in page and 'class="non-detect"' in page
    assert "who-drinking-water-2022 0.01" in page  # the limit line's label
    assert page.count('class="exceeding"') == 1


def test_unpublished_results_are_hidden_from_the_public_pages(
    registry: None, personas: Any
) -> None:
    _well()
    _imported(csv_bytes("KG-CHT,KG-CHT-DW1,W-1,2024-06-12,water,As,0.025,mg/L,,,,,"), publish=False)
    url = reverse("monitoring:station-detail", args=["KG-CHT-DW1"])
    assert "<svg" not in personas.client("anonymous").get(url).content.decode()
    assert "<svg" in personas.client("inspector").get(url).content.decode()
    exceedances = reverse("monitoring:exceedance-list")
    assert personas.client("anonymous").get(exceedances).context["page"].paginator.count == 0
    assert personas.client("inspector").get(exceedances).context["page"].paginator.count == 1


def test_the_results_download_escapes_formulas(registry: None, client: Any) -> None:
    _well()
    _imported(
        csv_bytes(
            'KG-CHT,KG-CHT-DW1,W-1,2024-06-12,water,As,0.004,mg/L,,,"=HYPERLINK(""http://x"")",,@SUM(A1)'
        )
    )
    response = client.get(reverse("monitoring:station-data", args=["KG-CHT-DW1"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert '\'=HYPERLINK("http://x")' in row and "'@SUM(A1)" in row
    assert row[4] == "0.004"


def test_safe_cell_leaves_numbers_and_plain_text_alone() -> None:
    assert safe_cell(-3.5) == -3.5 and safe_cell("Tuul") == "Tuul" and safe_cell("-1") == "'-1"
    assert safe_cell(None) == "" and safe_cell("+7") == "'+7"


def test_exceedances_filter_by_site_parameter_and_level(registry: None, client: Any) -> None:
    _imported((DEV / "06_air_pm.csv").read_bytes())
    everything = client.get(reverse("monitoring:exceedance-list")).context["page"].paginator.count
    assert everything > 0
    pm10 = client.get(reverse("monitoring:exceedance-list") + "?parameter=PM10").context["page"]
    assert all(item.limit.parameter == "PM10" for item in pm10.object_list)
    none = client.get(reverse("monitoring:exceedance-list") + "?level=alert&since=2031-01-01")
    assert none.context["page"].paginator.count == 0


def test_the_station_page_stays_within_the_query_budget(
    registry: None, client: Any, django_assert_max_num_queries: Any
) -> None:
    _imported((DEV / "01_baseline_clean.csv").read_bytes())
    with django_assert_max_num_queries(15):
        client.get(reverse("monitoring:station-detail", args=["MN-ZAA-W01"]))
    with django_assert_max_num_queries(15):
        client.get(reverse("monitoring:site-list"))


def test_the_exceedance_list_shows_times_local_to_the_site(registry: None, client: Any) -> None:
    _well()
    _imported(csv_bytes("KG-CHT,KG-CHT-DW1,W-1,05.07.2024 10:40,water,As,0.05,mg/L,,,,,"))
    page = client.get(reverse("monitoring:exceedance-list")).content.decode()
    assert "2024-07-05 10:40" in page  # Bishkek time, as the lab wrote it

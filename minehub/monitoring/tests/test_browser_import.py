"""The inspector's journey in a real browser (Playwright on Debian's chromium): upload the
Russian lab's CP1251 export, read the report, import it, and find the exceedance on the
station's chart, in English and in Russian; importing the same file again adds nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from minehub.core.testing import BROWSER_MARKS, PASSWORD, make_persona
from minehub.monitoring.importing import default_catalogue
from minehub.monitoring.models import ExceedanceLevel, Limit, Standard
from minehub.monitoring.tests.helpers import DEV, load_json

RUSSIAN_LAB = DEV / "02_russian_lab_cp1251.csv"
pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"  # the uploaded files land here
    return settings.MEDIA_ROOT


@pytest.fixture
def inspector(registry: None) -> Any:
    return make_persona("inspector")


@pytest.fixture
def river_limit(db: None) -> Limit:
    """A sulfate limit for Kyrgyz rivers, as a data steward would add it. The shipped
    standards limit drinking water and air only, so without it the lab's river samples
    break no limit at all. 100 mg/L is the sulfate value of the fishery-water norms used
    in the region; the file has 168.2 and 412.5 mg/L in its two rivers."""
    standard = Standard.objects.create(
        code="kg-river-water-test",
        title="Surface water quality (test)",
        country="KG",
        citation="Test registry entry",
    )
    return Limit.objects.create(
        standard=standard, parameter="SO4", medium="surface_water", maximum=Decimal("100")
    )


def log_in(page: Any, base: str, email: str) -> None:
    """Signs in through the login form, as a person would."""
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/"))


def upload(page: Any, base: str, path: Path) -> None:
    """Checks ``path`` through the import page and waits for its report."""
    page.goto(f"{base}/en/monitoring/imports/")
    page.get_by_label("Results file").set_input_files(path)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url(re.compile(r"/monitoring/imports/\d+/$"))
    # A small file is checked while the uploader waits; a large one would show a page
    # that refreshes itself until the report is there.
    page.get_by_role("term").filter(has_text=re.compile(r"^Valid$")).wait_for(timeout=30_000)


def commit(page: Any) -> None:
    """Imports the checked file from its report and waits for the imported batch."""
    page.get_by_role("button", name=re.compile(r"^Import \d+ valid rows?$")).click()
    # The report and the imported batch share their address: wait for what only the
    # imported one shows.
    page.get_by_role("term").filter(has_text=re.compile(r"^Added$")).wait_for()


def facts(page: Any) -> dict[str, str]:
    """The report's figures: each term of the facts list with its value."""
    return page.eval_on_selector(
        "dl.facts",
        """list => Object.fromEntries([...list.querySelectorAll("dt")].map(
            term => [term.textContent.trim(), term.nextElementSibling.textContent.trim()]))""",
    )


def table_after(page: Any, heading: str) -> Any:
    """The table that follows the section heading ``heading``."""
    return page.get_by_role("heading", name=heading, exact=True).locator(
        "xpath=following-sibling::table[1]"
    )


def expected_counts(spec: dict[str, Any], shown_codes: set[tuple[int, str]]) -> dict[str, str]:
    """Rows, valid and invalid as expected.json gives them; a row the fixture calls an
    unknown parameter may be accepted by a catalogue that knows it (see its conventions)."""
    wanted = {(row["row"], row["error"]) for row in spec["invalid_rows"]}
    accepted = wanted - shown_codes
    assert all(code == "unknown_parameter" for _row, code in accepted), accepted
    return {
        "Rows": str(spec["rows_total"]),
        "Valid": str(spec["rows_valid"] + len(accepted)),
        "Invalid": str(spec["rows_invalid"] - len(accepted)),
    }


# The database is set up by fixtures listed before ``page`` and not touched after it:
# Playwright's sync API runs an event loop, Django then keeps a connection per context,
# and on PostgreSQL one opened there outlives the test and blocks dropping the database.
def test_an_inspector_imports_the_russian_lab_file_and_sees_its_exceedance_on_the_chart(
    inspector: Any, river_limit: Limit, media: Path, page: Any, live_server: Any
) -> None:
    base = live_server.url
    spec = load_json("expected.json")["files"][RUSSIAN_LAB.name]
    log_in(page, base, inspector.email)
    upload(page, base, RUSSIAN_LAB)

    # The report: the problem rows with their codes, the counts, the exceedances to come.
    problems = table_after(page, "Problems")
    shown = set()
    for line in problems.locator("tbody tr").all():
        cells = line.get_by_role("cell").all_inner_texts()
        shown.add((int(cells[0]), cells[3]))
    assert shown, "the report shows no problem row"
    assert shown <= {(row["row"], row["error"]) for row in spec["invalid_rows"]}
    bad_date = next(row for row in spec["invalid_rows"] if row["error"] == "bad_date")
    assert (bad_date["row"], "bad_date") in shown
    assert (
        problems.get_by_role("row")
        .filter(has=page.get_by_role("cell", name="bad_date", exact=True))
        .get_by_role("cell")
        .nth(4)
        .inner_text()
        .strip()
    )  # a message says what is wrong
    report = facts(page)
    counts = expected_counts(spec, shown)
    assert {term: report[term] for term in counts} == counts
    assert report["Read as"].startswith("csv, cp1251")
    over = {
        (row["row"], row["station_code"], row["parameter"])
        for row in spec["valid_rows"]
        if row["parameter"] == river_limit.parameter and row["value"] > river_limit.maximum
    }
    assert over and report["Results over a limit"] == str(len(over))
    listed = [
        line.get_by_role("cell").all_inner_texts()
        for line in table_after(page, "Exceedances").locator("tbody tr").all()
    ]
    assert {(int(cells[0]), cells[1], cells[2]) for cells in listed} == over
    assert all(cells[5].startswith(str(ExceedanceLevel.EXCEEDS.label)) for cells in listed), listed
    _row, station_code, parameter = min(over)

    # Import, then follow the exceedance from the public list to its station.
    commit(page)
    after = facts(page)
    assert (after["Added"], after["Already stored"]) == (counts["Valid"], "0")
    batch_url = page.url
    page.get_by_role("navigation", name="Main sections").get_by_role(
        "link", name="Monitoring", exact=True
    ).click()
    page.get_by_role("navigation", name="Monitoring").get_by_role(
        "link", name="Exceedances", exact=True
    ).click()
    listed = (
        page.get_by_role("row")
        .filter(has_text=station_code)
        .filter(has=page.get_by_role("cell", name=parameter, exact=True))
    )
    assert listed.count() >= 1
    listed.first.get_by_role("link", name=station_code).click()
    page.wait_for_url(re.compile(rf"/monitoring/stations/{re.escape(station_code)}/\?"))
    assert page.locator("figure.chart svg circle.exceeding").count() >= 1

    # From the station's site back to the station, then pick the parameter by hand.
    page.locator("nav.breadcrumbs").get_by_role("link").last.click()
    page.wait_for_url(re.compile(r"/monitoring/sites/[^/]+/$"))
    page.get_by_role("row").filter(has_text=station_code).get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/monitoring/stations/{re.escape(station_code)}/$"))
    name = default_catalogue().parameters[parameter].names["en"]
    summary = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    assert summary.get_attribute("aria-current") is None  # it opens on another parameter
    summary.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(r"\?parameter="))
    assert summary.get_attribute("aria-current") == "true"
    assert int(summary.get_by_role("cell").nth(2).inner_text().split()[0]) >= 1
    assert page.get_by_role("heading", name=name, exact=True).is_visible()
    chart = page.locator("figure.chart svg")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("circle.exceeding").count() >= 1
    assert chart.locator("g.limit line").count() >= 1

    # The station page and the batch's report in Russian.
    page.goto(f"{base}/ru/monitoring/stations/{station_code}/?parameter={parameter}")
    assert page.locator("html").get_attribute("lang") == "ru"
    with translation.override("ru"):
        heading = gettext("Compliance by parameter")
        key = gettext("exceeds a limit")
        section = gettext("Exceedances")
        level = str(ExceedanceLevel.EXCEEDS.label)
    assert heading != "Compliance by parameter" and level != "exceeds the limit"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator("figure.chart figcaption").get_by_text(key).is_visible()
    assert page.locator("figure.chart svg circle.exceeding").count() >= 1
    page.goto(batch_url.replace("/en/", "/ru/"))
    assert page.locator("html").get_attribute("lang") == "ru"
    rows = table_after(page, section).locator("tbody tr")
    assert rows.count() == len(over)
    assert all(text.startswith(level) for text in rows.locator("td:nth-child(6)").all_inner_texts())


def test_importing_the_same_file_again_adds_nothing(
    inspector: Any, media: Path, page: Any, live_server: Any
) -> None:
    base = live_server.url
    log_in(page, base, inspector.email)
    upload(page, base, RUSSIAN_LAB)
    commit(page)
    first = facts(page)
    assert int(first["Added"]) == int(first["Valid"]) > 0

    upload(page, base, RUSSIAN_LAB)
    commit(page)
    again = facts(page)
    assert (again["Added"], again["Already stored"]) == ("0", first["Valid"])
    message = f"0 results imported, {first['Valid']} were already stored."
    assert page.get_by_text(message).is_visible()

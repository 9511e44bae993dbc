"""Donor project profiles: the list with its filters, the profile page, access."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from minehub.core.models import Region, SustainableDevelopmentGoal, Topic
from minehub.core.testing import check_permission_matrix, make_organisation
from minehub.directory.models import Project
from minehub.directory.project_views import (
    budget_amount,
    outcomes_for_display,
    points_for_display,
)
from minehub.publishing.content import Status
from minehub.publishing.testing import EDITORS_ONLY, OPEN_TO_ALL, listed_titles, make_item

pytestmark = pytest.mark.django_db

EVERYONE = OPEN_TO_ALL


def make_project(title: str, *, donors=(), implementers=(), m2m=None, **fields) -> Project:
    project = make_item(Project, title, m2m=m2m, **fields)
    project.donors.set(donors)
    project.implementers.set(implementers)
    return project


@pytest.fixture
def undp_profile() -> Project:
    """The 2024 UNDP Kyrgyzstan environmental monitoring project, as a profile."""
    gef = make_organisation(
        "gef", name_en="Global Environment Facility", acronym="GEF", kind="donor"
    )
    undp = make_organisation(
        "undp-kg",
        name_en="UNDP Kyrgyzstan",
        name_ky="БУУӨП Кыргызстан",
        acronym="UNDP",
        kind="international",
        country="KG",
    )
    ministry = make_organisation(
        "mnr-kg",
        name_en="Ministry of Natural Resources, Ecology and Technical Supervision",
        kind="government",
        country="KG",
    )
    return make_project(
        "UNDP Kyrgyzstan environmental monitoring 2024",
        summary="Community and state monitoring of water and soil near mine sites.",
        objectives="Build **participatory environmental monitoring** in three oblasts.",
        outcomes=[
            "Monitoring groups trained in 12 villages",
            "Water quality data published monthly",
            "  ",
        ],
        points=[
            {"label": "Kumtor tailings", "lat": 41.8617, "lon": 78.1956},
            {"label": "Chatkal valley", "lat": "41.9", "lon": 70.95},
        ],
        budget=Decimal("1250000.00"),
        currency="USD",
        starts_on=datetime.date(2024, 3, 1),
        ends_on=datetime.date(2026, 12, 31),
        project_status="ongoing",
        website="https://www.undp.org/kyrgyzstan",
        donors=[gef],
        implementers=[undp, ministry],
        m2m={
            "regions": [Region.objects.get(code="KG-J"), Region.objects.get(code="KG-Y")],
            "sdgs": [
                SustainableDevelopmentGoal.objects.get(number=6),
                SustainableDevelopmentGoal.objects.get(number=15),
            ],
            "topics": [Topic.objects.get(slug="community-monitoring")],
        },
    )


def test_a_project_profile_shows_who_when_where_how_much_and_what_for(client, undp_profile):
    response = client.get(f"/en/directory/projects/{undp_profile.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "UNDP Kyrgyzstan environmental monitoring 2024" in html
    assert "Global Environment Facility" in html
    assert "UNDP Kyrgyzstan" in html
    assert "Ministry of Natural Resources, Ecology and Technical Supervision" in html
    assert 'href="/en/directory/organisations/gef/"' in html
    assert "1,250,000 USD" in html
    assert "Ongoing" in html
    assert 'datetime="2024-03-01"' in html and 'datetime="2026-12-31"' in html
    assert "<strong>participatory environmental monitoring</strong>" in html
    assert "<li>Monitoring groups trained in 12 villages</li>" in html
    assert "<li>Water quality data published monthly</li>" in html
    assert "Kumtor tailings: " in html
    assert "latitude 41.8617, longitude 78.1956" in html
    assert "latitude 41.9, longitude 70.95" in html
    assert "Jalal-Abad" in html and "Issyk-Kul" in html
    assert "6. Clean water and sanitation" in html
    assert response.context["active_section"] == "directory"


def test_the_profile_uses_the_interface_language_for_names_and_numbers(client, undp_profile):
    html = client.get(f"/ky/directory/projects/{undp_profile.slug}/").content.decode()
    assert "БУУӨП Кыргызстан" in html
    assert "USD" in html
    # Coordinates keep a decimal point in every language, so they stay unambiguous.
    assert "41.8617" in html


def test_budgets_without_currency_and_fractions_are_shown_as_given(client):
    project = make_project("Small grant", budget=Decimal("15000.50"))
    html = client.get(f"/en/directory/projects/{project.slug}/").content.decode()
    assert "15,000.50" in html
    assert budget_amount(Decimal("2000.00")) == Decimal("2000")
    assert budget_amount(None) is None


def test_malformed_outcomes_and_points_are_skipped_not_fatal():
    assert outcomes_for_display("not a list") == []
    assert outcomes_for_display(["A", "", 3]) == ["A", "3"]
    assert points_for_display({"lat": 1}) == []
    assert points_for_display(
        [{"label": "ok", "lat": 1, "lon": 2}, {"lat": "x", "lon": 2}, "bad", {"lat": 1}]
    ) == [{"label": "ok", "lat": 1.0, "lon": 2.0, "lat_text": "1", "lon_text": "2"}]


@pytest.fixture
def projects() -> None:
    gef = make_organisation("gef", name_en="Global Environment Facility", kind="donor")
    sdc = make_organisation("sdc", name_en="Swiss Agency for Development and Cooperation")
    make_project(
        "AMEP phase 2",
        donors=[sdc],
        starts_on=datetime.date(2019, 1, 1),
        project_status="completed",
        m2m={
            "topics": [Topic.objects.get(slug="mercury")],
            "regions": [Region.objects.get(code="MN-035")],
        },
    )
    make_project(
        "Chatkal water monitoring",
        donors=[gef],
        starts_on=datetime.date(2024, 3, 1),
        m2m={
            "regions": [Region.objects.get(code="KG-J")],
            "sdgs": [SustainableDevelopmentGoal.objects.get(number=6)],
        },
    )
    make_project("Проект без даты", language="ru")
    make_project("Draft project", status=Status.DRAFT, donors=[gef])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Chatkal water monitoring", "AMEP phase 2", "Проект без даты"]),
        ("status=completed", ["AMEP phase 2"]),
        ("donor=gef", ["Chatkal water monitoring"]),
        ("donor=sdc", ["AMEP phase 2"]),
        ("topic=mercury", ["AMEP phase 2"]),
        ("region=KG-J", ["Chatkal water monitoring"]),
        ("sdg=6", ["Chatkal water monitoring"]),
        ("language=ru", ["Проект без даты"]),
        ("year=2019", ["AMEP phase 2"]),
        ("status=completed&donor=gef", []),
    ],
)
def test_project_filters_combine_and_undated_projects_come_last(client, projects, query, expected):
    response = client.get(f"/en/directory/projects/?{query}")
    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_the_donor_filter_offers_only_organisations_that_fund_projects(client, projects):
    make_organisation("bystander", name_en="Bystander")
    response = client.get("/en/directory/projects/")
    slugs = [value for value, _label in response.context["form"].fields["donor"].choices]
    assert slugs == ["", "gef", "sdc"]
    assert (
        "Select a valid choice"
        in client.get("/en/directory/projects/?donor=bystander").content.decode()
    )


def test_the_project_list_is_paginated(client):
    for number in range(23):
        make_project(f"Project {number}", project_status="planned")
    first = client.get("/en/directory/projects/?status=planned")
    assert len(first.context["page"].object_list) == 20
    assert "status=planned&amp;page=2" in first.content.decode()
    second = client.get("/en/directory/projects/?status=planned&page=2")
    assert len(second.context["page"].object_list) == 3


def test_the_project_list_stays_within_the_query_budget(client, django_assert_max_num_queries):
    donors = [make_organisation(f"donor-{n}", name_en=f"Donor {n}") for n in range(3)]
    topic = Topic.objects.get(slug="water")
    for number in range(30):
        make_project(f"Project {number}", donors=donors, m2m={"topics": [topic]})
    with django_assert_max_num_queries(15):
        response = client.get("/en/directory/projects/?topic=water")
    assert len(listed_titles(response)) == 20
    assert "Donor 1" in response.content.decode()


def test_published_projects_are_readable_by_everyone(personas, undp_profile):
    for url in (reverse("directory:project-list"), undp_profile.get_absolute_url()):
        assert check_permission_matrix(personas, url, EVERYONE) == []


def test_draft_projects_are_hidden_from_all_but_their_organisations_editors(personas):
    draft = make_project("Draft project", status=Status.DRAFT)
    assert check_permission_matrix(personas, draft.get_absolute_url(), EDITORS_ONLY) == []


def test_an_unknown_project_is_not_found(client):
    assert client.get("/en/directory/projects/nope/").status_code == 404


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, attrs))


def test_hostile_markdown_in_body_and_objectives_is_neutralised(client):
    hostile = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))"
    )
    project = make_project(
        "Hostile", body=hostile, objectives=hostile, outcomes=["<script>alert(4)</script>"]
    )
    html = client.get(project.get_absolute_url()).content.decode()
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    collector = _TagCollector()
    collector.feed(article)
    for tag, attrs in collector.tags:
        assert tag != "script"
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").lower().startswith("javascript:")
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in article


def test_related_projects_share_a_topic_or_region(client, undp_profile):
    make_project(
        "Talas community monitoring",
        m2m={"topics": [Topic.objects.get(slug="community-monitoring")]},
    )
    make_project("Unrelated")
    response = client.get(undp_profile.get_absolute_url())
    assert [item.title for item in response.context["related"]] == ["Talas community monitoring"]


def test_the_directory_links_to_projects_and_organisations_list_theirs(client, undp_profile):
    html = client.get("/en/directory/").content.decode()
    assert 'href="/en/directory/projects/"' in html
    make_project("Hidden draft", status=Status.DRAFT, donors=undp_profile.donors.all())
    donor_page = client.get("/en/directory/organisations/gef/").content.decode()
    assert "As donor" in donor_page
    assert undp_profile.get_absolute_url().replace("/mn/", "/en/") in donor_page
    assert "Hidden draft" not in donor_page
    assert "/en/directory/projects/?donor=gef" in donor_page
    implementer_page = client.get("/en/directory/organisations/undp-kg/").content.decode()
    assert "As implementing organisation" in implementer_page
    assert "UNDP Kyrgyzstan environmental monitoring 2024" in implementer_page
    assert "As donor" not in implementer_page
    bystander = make_organisation("bystander", name_en="Bystander")
    assert (
        "Projects"
        not in client.get(bystander.get_absolute_url()).content.decode().split("<main", 1)[1]
    )


def test_an_organisation_can_be_both_donor_and_implementer(client):
    undp = make_organisation("undp", name_en="UNDP")
    other = make_organisation("other", name_en="Other implementer")
    project = make_project("Own programme", donors=[undp], implementers=[undp, other])
    response = client.get(f"/en/directory/projects/{project.slug}/")
    assert [o.slug for o in response.context["donors"]] == ["undp"]
    assert [o.slug for o in response.context["implementers"]] == ["other", "undp"]


def test_a_project_profile_stays_within_the_query_budget(
    client, undp_profile, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = client.get(f"/en/directory/projects/{undp_profile.slug}/")
    assert response.status_code == 200

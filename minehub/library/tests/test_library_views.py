"""Reading the library: listings, filters, translations, legal act versions, access."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from minehub.core.models import Region, Topic
from minehub.core.testing import active_content, check_permission_matrix
from minehub.library.models import Document, LegalAct
from minehub.publishing.content import Status
from minehub.publishing.testing import EDITORS_ONLY, OPEN_TO_ALL, listed_titles, make_item

pytestmark = pytest.mark.django_db

EVERYONE = OPEN_TO_ALL


def test_the_library_lists_published_documents_only(client):
    make_item(Document, "Published guide")
    make_item(Document, "Draft guide", status=Status.DRAFT)
    make_item(Document, "Archived guide", status=Status.ARCHIVED)
    response = client.get(reverse("library:document-list"))
    assert listed_titles(response) == ["Published guide"]


def test_a_listing_shows_each_item_once_in_the_readers_language_when_translated(client):
    original = make_item(Document, "Мөнгөн ус", language="mn")
    make_item(Document, "Mercury", language="en", translation_of=original)
    make_item(Document, "Only in Russian", language="ru")
    english = client.get("/en/library/")
    assert sorted(listed_titles(english)) == ["Mercury", "Only in Russian"]
    kyrgyz = client.get("/ky/library/")
    assert sorted(listed_titles(kyrgyz)) == ["Only in Russian", "Мөнгөн ус"]
    # Asking for a language shows that language's items only.
    mongolian_only = client.get("/en/library/?language=mn")
    assert listed_titles(mongolian_only) == ["Мөнгөн ус"]


def test_a_detail_page_names_the_other_languages_and_links_the_readers_one(client):
    original = make_item(Document, "Мөнгөн ус", language="mn")
    english = make_item(Document, "Mercury", language="en", translation_of=original)
    html = client.get(f"/en/library/documents/{original.slug}/").content.decode()
    assert "Also available in:" in html
    assert f'href="/en/library/documents/{english.slug}/"' in html
    assert 'lang="mn"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=mercury", ["Mercury guide"]),
        ("region=MN-035", ["Orkhon study"]),
        ("kind=study", ["Orkhon study"]),
        ("year=2015", ["Orkhon study"]),
        ("language=ru", ["Russian report"]),
        ("topic=mercury&region=MN-035", []),
    ],
)
def test_filters_combine(client, query, expected):
    make_item(
        Document,
        "Mercury guide",
        kind="guideline",
        publication_date="2019",
        m2m={"topics": [Topic.objects.get(slug="mercury")]},
    )
    make_item(
        Document,
        "Orkhon study",
        kind="study",
        publication_date="2015-04",
        m2m={"regions": [Region.objects.get(code="MN-035")]},
    )
    make_item(Document, "Russian report", language="ru", publication_date="2021")
    response = client.get(f"/en/library/?{query}")
    assert listed_titles(response) == expected


def test_listing_is_paginated_and_keeps_filters_in_page_links(client):
    for number in range(25):
        make_item(Document, f"Report {number}", kind="report")
    first = client.get("/en/library/?kind=report")
    assert len(first.context["page"].object_list) == 20
    assert "kind=report&amp;page=2" in first.content.decode()
    second = client.get("/en/library/?kind=report&page=2")
    assert len(second.context["page"].object_list) == 5


def test_the_library_list_stays_within_the_query_budget(client, django_assert_max_num_queries):
    for number in range(30):
        make_item(Document, f"Report {number}", m2m={"topics": [Topic.objects.first()]})
    with django_assert_max_num_queries(15):
        client.get("/en/library/?topic=" + Topic.objects.first().slug)


def test_drafts_are_hidden_from_all_but_their_organisations_editors(personas):
    draft = make_item(Document, "Draft", status=Status.DRAFT)
    expected = EDITORS_ONLY
    url = reverse("library:document-detail", args=[draft.slug])
    assert check_permission_matrix(personas, url, expected) == []


def test_published_and_archived_items_are_readable_by_everyone(personas):
    published = make_item(Document, "Published")
    archived = make_item(LegalAct, "Old act", status=Status.ARCHIVED)
    for url in (
        reverse("library:document-list"),
        reverse("library:legal-act-list"),
        published.get_absolute_url(),
        archived.get_absolute_url(),
    ):
        assert check_permission_matrix(personas, url, EVERYONE) == []


def test_hostile_markdown_is_neutralised_on_the_page(client):
    body = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[click](javascript:alert(3)) <a href='javascript:alert(4)'>x</a>\n\n"
        "<iframe src='https://evil.example'></iframe><svg onload=alert(5)></svg>"
    )
    document = make_item(Document, "Hostile", body=body)
    html = client.get(document.get_absolute_url()).content.decode()
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    assert active_content("<article" + article) == []


def test_acts_in_force_on_a_day(client):
    make_item(
        LegalAct,
        "Minerals Law 1997",
        in_force_from=datetime.date(1997, 7, 1),
        in_force_until=datetime.date(2006, 8, 26),
        act_status="repealed",
    )
    make_item(LegalAct, "Minerals Law 2006", in_force_from=datetime.date(2006, 8, 26))
    make_item(LegalAct, "Draft amendment", act_status="draft")

    def in_force(day: str) -> list[str]:
        return listed_titles(client.get(f"/en/library/legal-acts/?in_force_on={day}"))

    assert in_force("2000-01-01") == ["Minerals Law 1997"]
    assert in_force("2006-08-26") == ["Minerals Law 2006"]
    assert in_force("1990-01-01") == []


def test_a_legal_act_shows_its_versions_and_points_to_the_current_one(client):
    first = make_item(
        LegalAct,
        "Law on Minerals 1997",
        in_force_from=datetime.date(1997, 7, 1),
        in_force_until=datetime.date(2006, 8, 26),
        act_status="repealed",
    )
    second = make_item(
        LegalAct, "Law on Minerals 2006", in_force_from=datetime.date(2006, 8, 26), replaces=first
    )
    amendment = make_item(LegalAct, "Amendment 2014", amends=second, kind="law")
    old_page = client.get(first.get_absolute_url()).content.decode()
    assert "A newer version of this act exists" in old_page
    assert second.get_absolute_url() in old_page
    new_page = client.get(second.get_absolute_url()).content.decode()
    assert "Versions of this act" in new_page
    assert amendment.get_absolute_url() in new_page
    assert "A newer version" not in new_page


def test_related_items_share_topics(client):
    mercury = Topic.objects.get(slug="mercury")
    first = make_item(Document, "Retorts", m2m={"topics": [mercury]})
    make_item(Document, "Mercury in rivers", m2m={"topics": [mercury]})
    make_item(Document, "Unrelated")
    response = client.get(first.get_absolute_url())
    assert [item.title for item in response.context["related"]] == ["Mercury in rivers"]

"""The results page, the JSON API, hostile input and the editors' statistics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minehub.core.testing import check_permission_matrix
from minehub.library.models import Document
from minehub.publishing.testing import make_item
from minehub.search import analytics
from minehub.search.models import QueryStat

pytestmark = pytest.mark.django_db

HOSTILE = [
    "", "   ", "x" * 10_000, '"', '"unbalanced', "gold*", "NEAR(gold mercury)", "title:gold",
    "(gold", "-gold", "gold AND OR NOT", "'; DROP TABLE search_entry; --", "%_\\", "💎⛏️",
    "gold\u200b\u200fmercury\u202e", "алт gold 金", "{title} : x", "^gold", "gold NEAR/2 x",
    "\x00\x01", "<script>alert(1)</script>",
]  # fmt: skip


@pytest.fixture
def indexed(reindex: Any) -> Any:
    item = make_item(
        Document, "Mercury-free gold processing", external_id="ext-1",
        body="Gravity concentration replaces <b>mercury</b> amalgamation.",
    )  # fmt: skip
    plain = make_item(Document, "Gold traders and prices")
    reindex()
    return item, plain


def test_results_page_shows_highlighted_snippets_facets_and_languages(
    client: Client, indexed: Any
) -> None:
    response = client.get("/en/search/", {"q": "mercury"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>mercury</mark>" in html
    assert "<b>mercury" not in html  # the author's markup is shown as text, escaped
    assert 'href="/en/library/' in html
    assert "?q=mercury&amp;lang=en" in html  # a facet link keeps the query
    assert 'class="lang-badge"' in html


def test_results_page_suggests_a_correction(client: Client, indexed: Any) -> None:
    html = client.get("/mn/search/", {"q": "mercyry"}).content.decode()
    assert "?q=mercury" in html


def test_results_page_is_server_rendered(client: Client, indexed: Any) -> None:
    html = client.get("/ru/search/", {"q": "gold", "sort": "newest"}).content.decode()
    assert "Gold traders and prices" in html and "Mercury-free gold processing" in html
    assert html.index("Gold traders") < html.index("Mercury-free")  # newest first


def test_bad_filter_values_get_a_clear_message(client: Client, indexed: Any) -> None:
    response = client.get("/en/search/", {"q": "gold", "topic": "no-such-topic", "page": "x"})
    assert response.status_code == 400
    assert "Unknown topic." in response.content.decode()
    api = client.get("/api/v1/search", {"q": "gold", "region": "XX-1"})
    assert api.status_code == 400
    assert "Unknown region." in api.json()["detail"]


def test_api_returns_the_documented_shape(client: Client, indexed: Any) -> None:
    item, plain = indexed
    data = client.get("/api/v1/search", {"q": "gold", "lang": "en", "type": "document"}).json()
    assert set(data) == {"total", "results", "facets"}
    assert data["total"] == 2
    by_title = {result["title"]: result for result in data["results"]}
    first = by_title[item.title]
    assert set(first) == {"type", "id", "external_id", "title", "url", "language", "snippet",
                          "score"}  # fmt: skip
    assert first["type"] == "document" and first["id"] == item.pk
    assert first["external_id"] == "ext-1"
    assert by_title[plain.title]["external_id"] is None
    assert first["url"].startswith("http://testserver/") and first["url"].endswith(
        item.get_absolute_url().split("/", 2)[2]
    )
    assert "&lt;b&gt;" in first["snippet"]  # text, escaped: safe to insert as HTML
    mercury = client.get("/api/v1/search", {"q": "mercury"}).json()["results"][0]
    assert "<mark>mercury</mark>" in mercury["snippet"]
    assert data["facets"]["language"] == [{"value": "en", "label": "English", "count": 2}]


def test_api_pages(client: Client, reindex: Any) -> None:
    for number in range(25):
        make_item(Document, f"Uranium tailings report {number}")
    reindex()
    first = client.get("/api/v1/search", {"q": "uranium"}).json()
    second = client.get("/api/v1/search", {"q": "uranium", "page": 2}).json()
    assert first["total"] == second["total"] == 25
    assert len(first["results"]) == 20 and len(second["results"]) == 5
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 25


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_an_answer_not_an_error(
    client: Client, indexed: Any, query: str
) -> None:
    api = client.get("/api/v1/search", {"q": query})
    if "\x00" in query:  # refused with a reason, like any form field
        assert api.status_code == 400 and "Null characters" in api.json()["detail"]
    else:
        assert api.status_code == 200, api.content
        assert set(api.json()) == {"total", "results", "facets"}
    page = client.get("/en/search/", {"q": query})
    assert page.status_code in (200, 400)
    assert "<script>alert" not in page.content.decode()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=120))
def test_any_text_is_a_valid_query(indexed: Any, query: str) -> None:
    from minehub.search.engine import search

    results = search(query)
    assert results.total >= len(results.hits)


def test_statistics_keep_counts_but_no_personal_data(client: Client, indexed: Any) -> None:
    for _ in range(2):
        client.get("/en/search/", {"q": "  Gold  "})
        client.get("/en/search/", {"q": "zzzqqq"})
    client.get("/en/search/", {"q": "gold", "page": 2})  # paging is not a new search
    rows = {row.query: row for row in QueryStat.objects.all()}
    assert rows["gold"].searches == 2 and rows["gold"].zero_results == 0
    assert rows["zzzqqq"].zero_results == 2
    fields = {field.name for field in QueryStat._meta.get_fields()}
    assert fields == {"id", "day", "query", "searches", "zero_results"}


# A statement that changes rows (savepoints, SET LOCAL and cursors change none).
WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|REPLACE\s+INTO)\b", re.I)


@pytest.fixture
def kept_counts(settings: Any) -> Iterator[None]:
    """Counts kept in memory, as in a web process (written every few seconds)."""
    settings.MINEHUB_SEARCH_STATS_SECONDS = 3600
    yield
    analytics._pending.clear()


def test_a_search_writes_nothing_to_the_database(
    client: Client, indexed: Any, kept_counts: None
) -> None:
    # A write would wait for any other writer: on SQLite, for a whole import.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/search", {"q": "gold"}).status_code == 200
        assert client.get("/en/search/", {"q": "zzzqqq"}).status_code == 200
    assert queries.captured_queries
    writes = [query["sql"] for query in queries if WRITE.search(query["sql"])]
    assert not writes
    assert not QueryStat.objects.exists()
    assert analytics.flush()
    rows = {row.query: (row.searches, row.zero_results) for row in QueryStat.objects.all()}
    assert rows == {"gold": (1, 0), "zzzqqq": (1, 1)}


def test_counts_a_failed_write_could_not_store_are_written_next_time(
    client: Client, indexed: Any, kept_counts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/api/v1/search", {"q": "gold"})
    real_add = analytics._add

    def locked(*args: Any) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(analytics, "_add", locked)
    assert not analytics.flush()
    client.get("/api/v1/search", {"q": "gold"})
    monkeypatch.setattr(analytics, "_add", real_add)
    assert analytics.flush()
    assert QueryStat.objects.get(query="gold").searches == 2
    assert not analytics._pending


def test_statistics_page_permissions(personas: Any, indexed: Any) -> None:
    Client().get("/en/search/", {"q": "gold"})
    Client().get("/en/search/", {"q": "gold"})
    assert not check_permission_matrix(
        personas,
        "/en/search/statistics/",
        {"anonymous": 403, "member": 403, "editor": 200, "moderator": 200,
         "community_monitor": 403, "inspector": 403, "data_steward": 200,
         "administrator": 200, "suspended": 403},
    )  # fmt: skip


def test_data_stewards_edit_the_thesaurus_in_the_admin(personas: Any) -> None:
    from minehub.search.models import Concept

    concept = Concept.objects.get(code="mercury")
    assert not check_permission_matrix(
        personas,
        f"/en/admin/search/concept/{concept.pk}/change/",
        {"anonymous": 302, "member": 302, "editor": 302, "moderator": 403,
         "community_monitor": 302, "inspector": 302, "data_steward": 200,
         "administrator": 200, "suspended": 302},
    )  # fmt: skip

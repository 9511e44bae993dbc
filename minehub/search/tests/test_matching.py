"""Asking the full-text index what clauses match: all of a query's clauses in one round
trip, answering exactly what one question per clause and field would (on SQLite and on
PostgreSQL alike)."""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from minehub.core.models import Topic
from minehub.library.models import Document
from minehub.publishing.testing import make_item
from minehub.search import snapshot, warmup
from minehub.search.backends import Clause, Matches, get_backend
from minehub.search.engine import search
from minehub.search.matching import ClauseCache
from minehub.search.models import Entry, QueryStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(reindex: Any) -> dict[str, int]:
    mercury = Topic.objects.get(slug="mercury")
    items = {
        "title": make_item(Document, "Open pit safety", body="Rules for benches and roads."),
        "body": make_item(Document, "Site report", body="The open pit was flooded in spring."),
        "reversed": make_item(Document, "Pit lakes", body="A pit left open after mining."),
        # "open" ends the title and "pit" starts the body: no phrase across fields.
        "apart": make_item(Document, "Roads kept open", body="Pit walls were checked."),
        "keywords": make_item(Document, "Mercury use", m2m={"topics": [mercury]}),
    }
    reindex()
    return {
        name: Entry.objects.get(kind="document", object_id=item.pk).pk
        for name, item in items.items()
    }


def entry_ids(found: np.ndarray) -> set[int]:
    return set(found.tolist())


CLAUSES = [
    Clause(("open",)),
    Clause(("pit",)),
    Clause(("open", "pit")),
    Clause(("pit", "open")),
    Clause(("mercuri",)),
    Clause(("mercury",)),
    Clause(("open",), exact=True),
    Clause(("nothingatall",)),
    Clause(("nothingatall",), exact=True),
]


def test_one_lookup_answers_what_one_question_per_clause_and_field_does(
    indexed: dict[str, int],
) -> None:
    backend = get_backend()
    answers = backend.lookup(CLAUSES)
    assert len(answers) == len(CLAUSES)
    for clause, found in zip(CLAUSES, answers, strict=True):
        assert entry_ids(found.matched) == entry_ids(backend.match_ids([clause])), clause
        for field in ("title", "keywords"):
            alone = set() if clause.exact else entry_ids(backend.match_ids([clause], field))
            assert entry_ids(getattr(found, field)) == alone, (clause, field)
    assert backend.lookup([]) == []


def test_a_phrase_matches_its_words_in_order_inside_one_field(indexed: dict[str, int]) -> None:
    found = get_backend().lookup([Clause(("open", "pit")), Clause(("pit",))])
    assert entry_ids(found[0].matched) == {indexed["title"], indexed["body"]}
    assert entry_ids(found[0].title) == {indexed["title"]}
    assert entry_ids(found[0].keywords) == set()
    assert entry_ids(found[1].title) == {indexed["title"], indexed["reversed"]}


def test_lookup_only_reports_entries_newer_than_asked(indexed: dict[str, int]) -> None:
    found = get_backend().lookup([Clause(("pit",))], after=indexed["reversed"])
    assert entry_ids(found[0].matched) == {indexed["apart"]}


def test_keywords_match_in_their_own_field(indexed: dict[str, int]) -> None:
    clauses = [Clause(("mercuri",)), Clause(("mercury",))]
    found = get_backend().lookup(clauses)
    assert set().union(*(entry_ids(one.keywords) for one in found)) == {indexed["keywords"]}


class CountingBackend:
    """The real backend, counting the round trips it is asked for."""

    def __init__(self) -> None:
        self.backend = get_backend()
        self.lookups: list[int] = []

    def lookup(self, clauses: Any, after: int = 0) -> list[Matches]:
        self.lookups.append(len(clauses))
        return self.backend.lookup(clauses, after)


def test_the_cache_asks_for_all_missing_clauses_together(indexed: dict[str, int]) -> None:
    snap = snapshot.current()
    backend = CountingBackend()
    cache = ClauseCache()
    cache.rows(snap, backend, Clause(("open",)))
    found = cache.rows_of(snap, backend, CLAUSES)
    assert backend.lookups == [1, len(CLAUSES) - 1]  # "open" was kept
    assert set(found) == set(CLAUSES)
    cache.rows_of(snap, backend, CLAUSES)
    assert len(backend.lookups) == 2


def test_a_search_asks_the_index_in_one_round_trip(
    indexed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = CountingBackend()
    monkeypatch.setattr("minehub.search.engine.get_backend", lambda: backend)
    hits = search("open pit mercury").hits
    assert {hit.entry.id for hit in hits} >= {indexed["title"], indexed["keywords"]}
    assert len(backend.lookups) == 1


def test_warm_up_caches_the_clauses_of_the_most_frequent_queries(
    indexed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    today = timezone.localdate()
    QueryStat.objects.create(day=today, query="open pit", searches=5)
    QueryStat.objects.create(day=today, query="mercury", searches=3)
    QueryStat.objects.create(day=today - datetime.timedelta(days=30), query="roads", searches=9)
    assert warmup.frequent_queries() == ["open pit", "mercury"]
    snapshot.reset()
    assert warmup.warm_up() > 0
    backend = CountingBackend()
    monkeypatch.setattr("minehub.search.engine.get_backend", lambda: backend)
    assert search("open pit").total == 4  # every entry with either word
    assert search("mercury").total == 1
    assert backend.lookups == []  # answered from the warmed cache
    search("roads")
    assert len(backend.lookups) == 1


def test_the_warm_up_is_off_with_zero_queries(settings: Any) -> None:
    settings.MINEHUB_SEARCH_WARMUP_QUERIES = 0
    QueryStat.objects.create(day=timezone.localdate(), query="open pit", searches=5)
    assert warmup.frequent_queries() == []
    assert warmup.warm_up_in_background() is None


def test_the_warm_up_calls_back_when_done_even_after_a_failure(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MINEHUB_SEARCH_WARMUP_QUERIES = 5
    called = []

    def broken() -> int:
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(warmup, "warm_up", broken)
    thread = warmup.warm_up_in_background(then=lambda: called.append(True))
    assert thread is not None
    thread.join(timeout=30)
    assert called == [True]

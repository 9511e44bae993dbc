"""Ranking (BM25F over where clauses match) and the per-process clause cache."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from minehub.library.models import Document
from minehub.publishing.testing import make_item
from minehub.search import indexer, ranking, snapshot
from minehub.search.backends import Clause, Matches, get_backend
from minehub.search.engine import search
from minehub.search.matching import ClauseCache, ClauseRows

pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    return [hit.entry.title for hit in search(query).hits]


FILLER = "Notes from the field visit about roads, water and pasture. " * 3


def test_a_match_in_the_title_outranks_one_in_the_body(reindex: Any) -> None:
    make_item(Document, "Field visit notes", body=FILLER + "Antimony was found.")
    make_item(Document, "Antimony in river sediments", body=FILLER)
    reindex()
    assert titles("antimony") == ["Antimony in river sediments", "Field visit notes"]


def test_an_entry_matching_more_of_the_query_ranks_higher(reindex: Any) -> None:
    make_item(Document, "Report one", body=FILLER + "Antimony levels.")
    make_item(Document, "Report two", body=FILLER + "Antimony and bismuth levels.")
    reindex()
    assert titles("antimony bismuth") == ["Report two", "Report one"]


def test_the_word_as_typed_outranks_another_form_of_it(reindex: Any) -> None:
    make_item(Document, "Тайлан нэг", language="mn", body=FILLER + "уурхайд ажилласан")
    make_item(Document, "Тайлан хоёр", language="mn", body=FILLER + "уурхайн ажилчид")
    reindex()
    assert titles("уурхайн") == ["Тайлан хоёр", "Тайлан нэг"]


def test_equal_scores_list_the_newest_entry_first(reindex: Any) -> None:
    make_item(Document, "Tungsten", slug="older")
    make_item(Document, "Tungsten", slug="newer")
    reindex()
    hits = search("tungsten").hits
    assert [hit.entry.id for hit in hits] == sorted((hit.entry.id for hit in hits), reverse=True)


def test_top_keeps_every_tie_at_the_cut_off_and_orders_them_by_id() -> None:
    scores = np.array([1.0, 3.0, 2.0, 2.0, 2.0, 0.5], dtype=np.float32)
    ids = np.array([10, 11, 12, 13, 14, 15])
    candidates = np.arange(6)
    assert ranking.top(candidates, scores, ids, 3) == [(11, 3.0), (14, 2.0), (13, 2.0)]
    assert ranking.top(candidates, scores, ids, 0) == []


def test_rarer_clauses_weigh_more() -> None:
    assert ranking.idf(1, 1000) > ranking.idf(100, 1000) > ranking.idf(900, 1000) > 0


def _rows(
    matched: list[int], title: tuple[int, ...] = (), keywords: tuple[int, ...] = ()
) -> ClauseRows:
    def array(rows: Any) -> np.ndarray:
        return np.array(rows, dtype=np.int32)

    return ClauseRows(array(matched), array(title), array(keywords), seen=0)


def test_scores_follow_bm25f_per_group_and_skip_removed_entries() -> None:
    stem, other, alone = (Clause((text,)) for text in ("stem", "other", "alone"))
    exact = Clause(("raw",), exact=True)
    found = {
        stem: _rows([0, 1, 2], title=(1,), keywords=(1, 2)),
        other: _rows([0, 3]),
        exact: _rows([2]),
        alone: _rows([3]),
    }
    norm = np.full(5, 1.0, dtype=np.float32)
    alive = np.array([True, True, True, True, False])

    def expected(weight: float, frequency: int, live: int = 4) -> float:
        return ranking.idf(frequency, live) * weight * (ranking.K1 + 1) / (weight + 1.0)

    result = ranking.scores([[stem, other, exact], [alone]], found, norm, alive)
    assert result[1] == pytest.approx(expected(5, 3))  # body + title + keywords
    assert result[2] == pytest.approx(expected(2, 3) + expected(0.5, 1))  # + the typed form
    # Row 0 matches two clauses of one group: it counts the better one (the rarer) once.
    assert result[0] == pytest.approx(max(expected(1, 3), expected(1, 2)))
    assert result[3] == pytest.approx(expected(1, 2) + expected(1, 1))  # two groups add up
    assert result[4] == 0
    # With an entry removed, the live ones score as if it had never been there.
    alive[3] = False
    found[other] = _rows([0, 3, 4])
    assert ranking.scores([[other]], found, norm, alive)[0] == pytest.approx(expected(1, 1, live=3))


class CountingBackend:
    """The real backend, counting the questions it is asked."""

    def __init__(self) -> None:
        self.backend = get_backend()
        self.calls = 0

    def lookup(self, *args: Any, **kwargs: Any) -> list[Matches]:
        self.calls += 1
        return self.backend.lookup(*args, **kwargs)


def test_the_clause_cache_asks_the_index_once_and_then_only_for_newer_entries(
    reindex: Any,
) -> None:
    first = make_item(Document, "Bismuth survey")
    reindex()
    snap = snapshot.current()
    backend = CountingBackend()
    cache = ClauseCache()
    clause = Clause(("bismuth",))
    assert len(cache.rows(snap, backend, clause).matched) == 1
    asked = backend.calls
    cache.rows(snap, backend, clause)
    assert backend.calls == asked  # answered from the cache

    second = make_item(Document, "Bismuth prices")
    indexer.index_by_key("document", second.pk)
    snap = snapshot.current()
    found = cache.rows(snap, backend, clause)
    assert backend.calls > asked
    assert sorted(snap.ids[found.matched].tolist()) == sorted(
        snap.ids[snap.known_rows(np.array(snap.ids))].tolist()
    )
    assert first.pk != second.pk


def test_the_clause_cache_forgets_the_least_recently_used_clauses(reindex: Any) -> None:
    for title in ("Bismuth one", "Bismuth two", "Cobalt one", "Cobalt two", "Nickel one"):
        make_item(Document, title)
    reindex()
    snap = snapshot.current()
    backend = get_backend()
    cache = ClauseCache(limit=6)
    cache.rows(snap, backend, Clause(("bismuth",)))  # 2 matched + 2 in titles
    cache.rows(snap, backend, Clause(("cobalt",)))
    assert len(cache) == 1  # bismuth made way
    cache.rows(snap, backend, Clause(("nickel",)))  # 1 + 1: both fit
    assert len(cache) == 2


def test_an_entry_removed_by_another_process_is_not_found(reindex: Any) -> None:
    from minehub.search.models import Entry, IndexState

    make_item(Document, "Gallium recovery")
    reindex()
    assert titles("gallium") == ["Gallium recovery"]  # now cached in this process
    Entry.objects.all().delete()  # what a remove() in another process leaves behind
    IndexState.bump("removals")
    assert titles("gallium") == []

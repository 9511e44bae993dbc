"""Search: lexical (full text with thesaurus expansion) and dense (vectors) retrieval,
fused by reciprocal rank, with filters, facet counts, sorting and pagination.

The result set is every full-text match plus the vector neighbours similar enough to the
query; filters and facets apply to that set. The full-text index only says which entries
each clause matches (``matching``); ranking is computed here over those sets
(``ranking``). The two rankings are fused by weighted reciprocal rank (see RRF_K and
DENSE_WEIGHT): the full-text ranking leads, an item both rank high comes first."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from minehub.search import embeddings, ranking, snapshot
from minehub.search.backends import Backend, Clause, get_backend
from minehub.search.matching import ClauseRows
from minehub.search.models import Entry, IndexState
from minehub.search.query import Plan, plan
from minehub.search.snippets import snippet

PAGE_SIZE = 20
# Reciprocal rank fusion: an item scores weight / (RRF_K + rank) in each list. The usual
# k=60 suits fusing runs 1000 deep; here a page shows 10-20 results and the dense list
# holds at most DENSE_CANDIDATES, so a smaller k lets the top ranks of each list count.
RRF_K = 20
# The full-text ranking leads (it sees the exact words, the thesaurus and the fields); the
# vector neighbours reorder it where they agree and add the few items it missed. With this
# weight a dense-only item enters just below the full-text items of similar rank, and an
# item ranked by both passes one ranked by the full text alone. Measured on the development
# set from 0.25 to 0.5 with RRF_K 10-30: the figures move little (bench/search_quality.py).
DENSE_WEIGHT = 0.3
DENSE_CANDIDATES = 20
# A vector neighbour counts as a result when its similarity (centred by language, see
# ``snapshot.Snapshot.similarities``: 0 is the average passage) is at least this share of
# the closest one's. A relative floor holds whatever the corpus and the query length;
# further down, neighbours share the subject only loosely.
DENSE_RELATIVE_FLOOR = 0.5


class Mode(StrEnum):
    HYBRID = "hybrid"
    LEXICAL = "lexical"  # full text only, no thesaurus
    THESAURUS = "thesaurus"  # full text with thesaurus expansion
    DENSE = "dense"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"


@dataclass
class Filters:
    kind: str | None = None
    language: str | None = None
    topic: int | None = None
    region: int | None = None
    organisation: int | None = None
    year: int | None = None

    def active(self) -> bool:
        return any(value is not None for value in vars(self).values())


@dataclass
class Hit:
    entry: Entry
    score: float
    snippet: str = ""


@dataclass
class Results:
    plan: Plan
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[object, int]]] = field(default_factory=dict)
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _filter_mask(snap: snapshot.Snapshot, filters: Filters) -> np.ndarray:
    mask = np.ones(snap.size, dtype=bool)
    if filters.kind is not None:
        code = snap.kinds.by_value.get(filters.kind, -1)
        mask &= snap.kind == code
    if filters.language is not None:
        code = snap.languages.by_value.get(filters.language, -1)
        mask &= snap.language == code
    if filters.organisation is not None:
        mask &= snap.organisation == filters.organisation
    if filters.year is not None:
        mask &= snap.year == filters.year
    if filters.topic is not None:
        mask &= snap.topics.mask_having(filters.topic, snap.size)
    if filters.region is not None:
        mask &= snap.regions.mask_having(filters.region, snap.size)
    return mask


def _facets(snap: snapshot.Snapshot, selected: np.ndarray) -> dict[str, list[tuple[object, int]]]:
    def counted(values: np.ndarray, names: list[str] | None = None) -> list[tuple[object, int]]:
        found, counts = np.unique(values[selected], return_counts=True)
        pairs = [
            (names[value] if names else value, int(count))
            for value, count in zip(found.tolist(), counts.tolist(), strict=True)
            if names or value
        ]
        return sorted(pairs, key=lambda pair: (-pair[1], str(pair[0])))

    def top(counts: dict[int, int]) -> list[tuple[object, int]]:
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))

    return {
        "type": counted(snap.kind, snap.kinds.values),
        "language": counted(snap.language, snap.languages.values),
        "topic": top(snap.topics.counts(selected)),
        "region": top(snap.regions.counts(selected)),
        "organisation": counted(snap.organisation),
        "year": sorted(counted(snap.year), key=lambda pair: -int(pair[0])),
    }


def _similarities(snap: snapshot.Snapshot, text: str) -> np.ndarray | None:
    """Similarity of the query to each entry of ``snap``, or None with nothing to embed."""
    vector = embeddings.embed_query(text)
    return snap.similarities(vector) if vector is not None and snap.size else None


def _dense(similarities: np.ndarray, allowed: np.ndarray) -> list[tuple[int, float]]:
    """(row, similarity) of the nearest allowed entries above the relative floor, best
    first."""
    scores = np.where(allowed, similarities, -1.0)
    count = min(DENSE_CANDIDATES, len(scores))
    rows = np.argpartition(-scores, count - 1)[:count]
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    best = float(scores[rows[0]])
    if best <= 0:  # nothing closer than the average passage: no neighbour means anything
        return []
    floor = DENSE_RELATIVE_FLOOR * best
    return [(int(row), float(scores[row])) for row in rows if scores[row] >= floor]


def search(
    text: str,
    filters: Filters | None = None,
    *,
    sort: Sort = Sort.RELEVANCE,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    mode: Mode = Mode.HYBRID,
) -> Results:
    filters = filters or Filters()
    backend = get_backend()
    epoch, thesaurus_version, removals = IndexState.read()
    snap = snapshot.current(epoch, removals)

    def matches(clauses: list[Clause]) -> bool:
        return snap.clauses.any_alive(snap, backend, clauses)

    query_plan = plan(
        text,
        matches=matches,
        use_thesaurus=mode != Mode.LEXICAL,
        thesaurus_version=thesaurus_version,
    )
    results = Results(plan=query_plan, page=max(1, page), page_size=page_size)
    if not query_plan.words:
        return results
    allowed = _filter_mask(snap, filters) & snap.alive

    lexical = mode != Mode.DENSE
    groups = query_plan.ranked_groups if lexical else []
    found = _clause_rows(snap, backend, groups)
    selected = np.zeros(snap.size, dtype=bool)
    for rows in found.values():
        selected[rows.matched] = True
    selected &= allowed

    dense: list[tuple[int, float]] = []
    # In this thread, after the full-text part: embedding the query in a thread beside it
    # gained nothing measurable on two busy cores and kept ~20 MB more resident (the
    # model's buffers in a second malloc arena).
    dense_wanted = mode in (Mode.HYBRID, Mode.DENSE) and embeddings.enabled()
    similarities = _similarities(snap, query_plan.text) if dense_wanted else None
    if similarities is not None:
        dense = _dense(similarities, allowed)
        for row, _score in dense:
            selected[row] = True

    results.total = int(selected.sum())
    results.facets = _facets(snap, selected)
    wanted = results.page * page_size
    if sort == Sort.NEWEST:
        rows = np.flatnonzero(selected)
        order = np.lexsort((-snap.ids[rows], -snap.published[rows]))
        ranked = [(int(snap.ids[row]), 0.0) for row in rows[order][:wanted]]
    else:
        dense_ranking = [(int(snap.ids[row]), score) for row, score in dense]
        if not lexical:
            ranked = dense_ranking
        else:
            norm = ranking.length_norm(snap.length, snap.alive)
            row_scores = ranking.scores(groups, found, norm, snap.alive)
            candidates = np.flatnonzero(selected & (row_scores > 0))
            lexical_ranking = ranking.top(candidates, row_scores, snap.ids, max(wanted, 100))
            ranked = (
                fuse([lexical_ranking, dense_ranking], [1.0, DENSE_WEIGHT])
                if dense_ranking
                else lexical_ranking
            )
    page_ids = ranked[(results.page - 1) * page_size : wanted]
    results.hits = _hits(page_ids, query_plan)
    return results


def _clause_rows(
    snap: snapshot.Snapshot, backend: Backend, groups: list[list[Clause]]
) -> dict[Clause, ClauseRows]:
    return snap.clauses.rows_of(snap, backend, [clause for group in groups for clause in group])


def fuse(
    rankings: list[list[tuple[int, float]]], weights: list[float], k: int = RRF_K
) -> list[tuple[int, float]]:
    """Weighted reciprocal rank fusion: each list adds weight / (k + rank) to its items."""
    scores: dict[int, float] = {}
    for one_ranking, weight in zip(rankings, weights, strict=True):
        for rank, (entry_id, _score) in enumerate(one_ranking, start=1):
            scores[entry_id] = scores.get(entry_id, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], -pair[0]))


def _hits(page: list[tuple[int, float]], query_plan: Plan) -> list[Hit]:
    entries = Entry.objects.in_bulk([entry_id for entry_id, _score in page])
    terms = query_plan.highlight_terms
    exact = set(query_plan.words) | set(query_plan.corrections.values())
    hits = []
    for entry_id, score in page:
        entry = entries.get(entry_id)
        if entry is None:
            continue  # removed a moment ago
        text = entry.text or entry.title
        hits.append(Hit(entry, round(score, 6), snippet(text, entry.language, terms, exact)))
    return hits

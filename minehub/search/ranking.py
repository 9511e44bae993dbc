"""Lexical ranking: BM25F over where a clause matches (title, keywords, body, words as
written), computed with numpy for every matching entry at once.

FTS5's ``bm25()`` and PostgreSQL's ``ts_rank`` score one row at a time: about 1.2 µs per
matching row plus a scan of every clause's posting list per query, which is over 100 ms for
a common word in 100k entries. Here a query costs a few array operations per clause over
the rows the clause matches (``matching`` keeps those), and both databases rank
identically because they only supply the match sets.

The price is term frequency: a clause counts once per field, however often it occurs. Each
field has its weight (title 4, keywords 2, body 1, words as written 0.5, as in
``backends.WEIGHTS``), the sum is saturated and normalised by text length as in BM25, and
multiplied by the clause's rarity (idf).

Clauses come in groups, one per query word (its stems in each language and its Latin or
Cyrillic spellings) and one per thesaurus concept (its labels in four languages). Within a
group an entry scores by its best clause, so a word with five spellings does not count
five times, and the word as typed adds its exact-form bonus on top. Groups add up, so an
entry matching more of the query ranks higher."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from minehub.search.backends import WEIGHTS, Clause
from minehub.search.matching import ClauseRows

K1 = 1.2
B = 0.75
_BODY = WEIGHTS["body"]
_TITLE_EXTRA = WEIGHTS["title"] - WEIGHTS["body"]  # ``matched`` already counts the body
_KEYWORDS_EXTRA = WEIGHTS["keywords"] - WEIGHTS["body"]
_RAW = np.float32(WEIGHTS["raw"])


def length_norm(length: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """BM25's per-entry denominator term ``k1 * (1 - b + b * length / average)``."""
    average = float(length[alive].mean()) if alive.any() else 1.0
    return (K1 * (1 - B + B * length / max(average, 1.0))).astype(np.float32)


def idf(document_frequency: int, total: int) -> float:
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def _clause_scores(
    found: ClauseRows,
    clause: Clause,
    norm: np.ndarray,
    alive: np.ndarray | None,
    total: int,
    field_weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, score) of the live entries the clause matches (``alive`` None: every entry
    is). ``field_weight`` is a zeroed scratch array over all rows, left zeroed."""
    rows = found.matched if alive is None else found.matched[alive[found.matched]]
    if not len(rows):
        return rows, np.empty(0, dtype=np.float32)
    if clause.exact:
        weight: np.ndarray | np.float32 = _RAW
    else:
        field_weight[rows] = _BODY
        field_weight[found.title] += _TITLE_EXTRA
        field_weight[found.keywords] += _KEYWORDS_EXTRA
        weight = field_weight[rows]
        for written in (rows, found.title, found.keywords):
            field_weight[written] = 0
    # float32 throughout, in this order: rankings must not depend on how it is computed.
    score = weight * np.float32(idf(len(rows), total))
    score = score * np.float32(K1 + 1)
    score /= weight + norm[rows]
    return rows, score


def scores(
    groups: Sequence[Sequence[Clause]],
    found: dict[Clause, ClauseRows],
    norm: np.ndarray,
    alive: np.ndarray,
) -> np.ndarray:
    """The score of every snapshot row (0 where nothing matches).

    A long query has a hundred clauses matching half a million rows between them, so the
    work is kept to the matched rows: three scratch arrays over all rows are made once and
    zeroed after use, instead of fresh ones per clause and group."""
    size = len(alive)
    total = int(np.count_nonzero(alive))
    live = None if total == size else alive  # no entry removed since the snapshot: no mask
    result = np.zeros(size, dtype=np.float32)
    best, exact, field_weight = (np.zeros(size, dtype=np.float32) for _ in range(3))
    for group in groups:
        for clause in group:
            rows, clause_scores = _clause_scores(
                found[clause], clause, norm, live, total, field_weight
            )
            # Rows are distinct within a clause; ``at`` keeps the best over the group.
            np.maximum.at(exact if clause.exact else best, rows, clause_scores)
        best += exact
        result += best
        best[:] = 0
        exact[:] = 0
    return result


def top(
    candidates: np.ndarray, row_scores: np.ndarray, ids: np.ndarray, count: int
) -> list[tuple[int, float]]:
    """The ``count`` best candidate rows as (entry id, score), ties broken newest first."""
    if not len(candidates) or count <= 0:
        return []
    candidate_scores = row_scores[candidates]
    if len(candidates) > count:
        # Everything scoring at least the count-th best score, so ties at the cut-off are
        # decided by id below and not by the partition's arbitrary order.
        cut = np.partition(candidate_scores, len(candidates) - count)[len(candidates) - count]
        keep = candidate_scores >= cut
        candidates, candidate_scores = candidates[keep], candidate_scores[keep]
    order = np.lexsort((-ids[candidates], -candidate_scores))[:count]
    return [
        (int(entry_id), float(score))
        for entry_id, score in zip(
            ids[candidates[order]].tolist(), candidate_scores[order].tolist(), strict=True
        )
    ]

"""Which entries each clause matches, and where, kept per process.

Ranking needs, for every clause of a query, the entries it matches and whether it matches
in their title or keywords. The full-text index answers in about a millisecond per clause
and field for a common word over 100k entries, and common words are exactly what queries
share. So the answers are kept, as snapshot rows, in a least-recently-used cache bounded
by the rows it holds.

A kept answer stays right because entries never change (a changed item gets a new entry):
it is only extended with entries newer than the newest it has seen, and entries removed
since are masked by the snapshot's ``alive``. A rebuilt index gets a new snapshot and so a
new, empty cache."""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from minehub.search.backends import Backend, Clause

if TYPE_CHECKING:
    from minehub.search.snapshot import Snapshot

# Fields looked up separately for ranking: a stemmed clause's ``matched`` covers them and
# the body. Exact clauses only ever look in the words-as-written column.
FIELDS = ("title", "keywords")
# About 32 MB of int32 rows: the common words of a few thousand distinct queries.
MAX_CACHED_ROWS = 8_000_000
_EMPTY = np.empty(0, dtype=np.int32)


@dataclass(frozen=True)
class ClauseRows:
    """Snapshot rows an entry matches a clause in: anywhere, in the title, in keywords."""

    matched: np.ndarray
    title: np.ndarray
    keywords: np.ndarray
    seen: int  # the newest entry id these rows account for

    @property
    def size(self) -> int:
        return len(self.matched) + len(self.title) + len(self.keywords)

    def extended(self, newer: ClauseRows) -> ClauseRows:
        return ClauseRows(
            np.concatenate([self.matched, newer.matched]),
            np.concatenate([self.title, newer.title]),
            np.concatenate([self.keywords, newer.keywords]),
            newer.seen,
        )


def _rows(snap: Snapshot, entry_ids: np.ndarray) -> np.ndarray:
    return snap.known_rows(entry_ids).astype(np.int32, copy=False)


def fetch(
    snap: Snapshot, backend: Backend, clauses: Sequence[Clause], after: int = 0
) -> list[ClauseRows]:
    """Asks the full-text index, in one go, for the clauses' entries newer than ``after``."""
    return [
        ClauseRows(
            _rows(snap, found.matched),
            _rows(snap, found.title),
            _rows(snap, found.keywords),
            snap.last_entry_id,
        )
        for found in backend.lookup(clauses, after)
    ]


class ClauseCache:
    def __init__(self, limit: int = MAX_CACHED_ROWS) -> None:
        self.limit = limit
        self._items: OrderedDict[Clause, ClauseRows] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, clause: Clause) -> bool:
        return clause in self._items

    def rows(self, snap: Snapshot, backend: Backend, clause: Clause) -> ClauseRows:
        return self.rows_of(snap, backend, [clause])[clause]

    def rows_of(
        self, snap: Snapshot, backend: Backend, clauses: Sequence[Clause]
    ) -> dict[Clause, ClauseRows]:
        """The rows of each clause: kept ones as they are, the others (and the newer
        entries of kept ones) asked for together, one round trip per kind of question."""
        result: dict[Clause, ClauseRows] = {}
        # Clauses to ask for, by the newest entry already accounted for (0: not kept).
        missing: dict[int, list[tuple[Clause, ClauseRows | None]]] = defaultdict(list)
        with self._lock:
            for clause in dict.fromkeys(clauses):
                cached = self._items.get(clause)
                if cached is not None:
                    self._items.move_to_end(clause)
                    if cached.seen >= snap.last_entry_id:
                        result[clause] = cached
                        continue
                missing[cached.seen if cached is not None else 0].append((clause, cached))
        fetched: list[tuple[Clause, ClauseRows]] = []
        for after, items in missing.items():
            answers = fetch(snap, backend, [clause for clause, _cached in items], after)
            for (clause, cached), found in zip(items, answers, strict=True):
                fetched.append((clause, found if cached is None else cached.extended(found)))
        with self._lock:
            for clause, found in fetched:
                result[clause] = found
                previous = self._items.pop(clause, None)
                self._held -= previous.size if previous is not None else 0
                self._items[clause] = found
                self._held += found.size
            while self._held > self.limit and len(self._items) > 1:
                _clause, evicted = self._items.popitem(last=False)
                self._held -= evicted.size
        return result

    def any_alive(self, snap: Snapshot, backend: Backend, clauses: Sequence[Clause]) -> bool:
        """Whether any of ``clauses`` matches an entry still in the index."""
        found = self.rows_of(snap, backend, clauses)
        return any(snap.alive[rows.matched].any() for rows in found.values())

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
from collections import OrderedDict
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


def fetch(snap: Snapshot, backend: Backend, clause: Clause, after: int = 0) -> ClauseRows:
    """Asks the full-text index for the clause's entries newer than ``after``."""
    matched = _rows(snap, backend.match_ids([clause], after=after))
    if clause.exact or not len(matched):
        return ClauseRows(matched, _EMPTY, _EMPTY, snap.last_entry_id)
    by_field = [_rows(snap, backend.match_ids([clause], field, after)) for field in FIELDS]
    return ClauseRows(matched, *by_field, snap.last_entry_id)


class ClauseCache:
    def __init__(self, limit: int = MAX_CACHED_ROWS) -> None:
        self.limit = limit
        self._items: OrderedDict[Clause, ClauseRows] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def rows(self, snap: Snapshot, backend: Backend, clause: Clause) -> ClauseRows:
        with self._lock:
            cached = self._items.get(clause)
            if cached is not None:
                self._items.move_to_end(clause)
        if cached is not None and cached.seen >= snap.last_entry_id:
            return cached
        if cached is None:
            found = fetch(snap, backend, clause)
        else:
            found = cached.extended(fetch(snap, backend, clause, after=cached.seen))
        with self._lock:
            previous = self._items.pop(clause, None)
            self._held -= previous.size if previous is not None else 0
            self._items[clause] = found
            self._held += found.size
            while self._held > self.limit and len(self._items) > 1:
                _clause, evicted = self._items.popitem(last=False)
                self._held -= evicted.size
        return found

    def any_alive(self, snap: Snapshot, backend: Backend, clauses: Sequence[Clause]) -> bool:
        """Whether any of ``clauses`` matches an entry still in the index."""
        return any(snap.alive[self.rows(snap, backend, clause).matched].any() for clause in clauses)

"""The index's filter values and vectors, held in memory as numpy arrays.

Facet counts over tens of thousands of matches, filters, "newest first" and the vector
search all run here in a millisecond or two instead of as SQL joins. Entries are never
updated in place (a changed item gets a new entry id), so keeping up is cheap: each search
loads only entries and embeddings newer than the last ones seen. Entries removed since
stay in the arrays but are masked out by ``alive``, re-read whenever
``IndexState.removals`` moves, so they are never returned. A full reload happens when the index is rebuilt (``IndexState.epoch``) or when a
quarter of the arrays are such leftovers.

Memory at 100k entries: ~38 MB of int8 vectors, ~6 MB of arrays, and the clause cache
(``matching``, at most ~32 MB)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from minehub.search.embeddings import DIMENSIONS
from minehub.search.matching import ClauseCache
from minehub.search.models import Embedding, Entry, IndexState

_CHUNK = 16_384  # rows per matrix product: bounds the float32 temporary to 25 MB
_LEFTOVER_SHARE = 0.25


@dataclass
class Facet:
    """A many-valued attribute (topics, regions) as parallel (entry row, value) arrays."""

    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))
    values: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int32))

    def extend(self, first_row: int, value_lists: list[list[int]]) -> None:
        rows = [first_row + offset for offset, values in enumerate(value_lists) for _ in values]
        values = [value for values in value_lists for value in values]
        self.rows = np.concatenate([self.rows, np.asarray(rows, dtype=np.int32)])
        self.values = np.concatenate([self.values, np.asarray(values, dtype=np.int32)])

    def mask_having(self, value: int, size: int) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[self.rows[self.values == value]] = True
        return mask

    def counts(self, selected: np.ndarray) -> dict[int, int]:
        """Counts of each value over the selected rows (a boolean mask)."""
        values = self.values[selected[self.rows]]
        found, counts = np.unique(values, return_counts=True)
        return dict(zip(found.tolist(), counts.tolist(), strict=True))


class Codes:
    """Small integer codes for strings (types, languages) so they fit numpy arrays."""

    def __init__(self) -> None:
        self.by_value: dict[str, int] = {}
        self.values: list[str] = []

    def code(self, value: str) -> int:
        if value not in self.by_value:
            self.by_value[value] = len(self.values)
            self.values.append(value)
        return self.by_value[value]


class Snapshot:
    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.removals = -1  # IndexState.removals when ``alive`` was last read
        self.clauses = ClauseCache()
        self.last_entry_id = 0
        self.last_embedding_id = 0
        self.kinds = Codes()
        self.languages = Codes()
        self.ids = np.empty(0, dtype=np.int64)
        self.kind = np.empty(0, dtype=np.int16)
        self.language = np.empty(0, dtype=np.int16)
        self.organisation = np.empty(0, dtype=np.int64)
        self.year = np.empty(0, dtype=np.int32)
        self.published = np.empty(0, dtype=np.float64)
        self.passage_hash = np.empty(0, dtype=np.int64)
        self.length = np.empty(0, dtype=np.float32)  # characters of stored text, for ranking
        self.alive = np.empty(0, dtype=bool)
        self.topics = Facet()
        self.regions = Facet()
        # Vectors, sorted by passage hash so entries find theirs by binary search.
        self.vector_hashes = np.empty(0, dtype=np.int64)
        self.vectors = np.empty((0, DIMENSIONS), dtype=np.int8)
        self.scales = np.empty(0, dtype=np.float32)
        self.vector_row = np.empty(0, dtype=np.int64)  # per entry; -1 without a vector

    @property
    def size(self) -> int:
        return len(self.ids)

    def known_rows(self, entry_ids: np.ndarray) -> np.ndarray:
        """Array positions of those ``entry_ids`` the snapshot holds (an entry indexed a
        moment after the snapshot refreshed is left for the next search)."""
        if not self.size:
            return np.empty(0, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.ids, entry_ids), self.size - 1)
        return rows[self.ids[rows] == entry_ids]

    def load_entries(self) -> bool:
        new = list(
            Entry.objects.filter(id__gt=self.last_entry_id)
            .order_by("id")
            .values_list(
                "id",
                "kind",
                "language",
                "organisation_id",
                "year",
                "published_at",
                "passage_hash",
                "topic_ids",
                "region_ids",
                "length",
            )
        )
        if not new:
            return False
        first_row = self.size
        columns = list(zip(*new, strict=True))
        self.ids = np.concatenate([self.ids, np.asarray(columns[0], dtype=np.int64)])
        kinds = [self.kinds.code(kind) for kind in columns[1]]
        self.kind = np.concatenate([self.kind, np.asarray(kinds, dtype=np.int16)])
        languages = [self.languages.code(language) for language in columns[2]]
        self.language = np.concatenate([self.language, np.asarray(languages, dtype=np.int16)])
        organisations = [value or 0 for value in columns[3]]
        self.organisation = np.concatenate([self.organisation, np.asarray(organisations)])
        self.year = np.concatenate([self.year, np.asarray([y or 0 for y in columns[4]])])
        published = [moment.timestamp() if moment else 0.0 for moment in columns[5]]
        self.published = np.concatenate([self.published, np.asarray(published)])
        self.passage_hash = np.concatenate([self.passage_hash, np.asarray(columns[6])])
        self.topics.extend(first_row, list(columns[7]))
        self.regions.extend(first_row, list(columns[8]))
        self.length = np.concatenate([self.length, np.asarray(columns[9], dtype=np.float32)])
        self.alive = np.concatenate([self.alive, np.ones(len(new), dtype=bool)])
        self.last_entry_id = int(self.ids[-1])
        return True

    def load_vectors(self) -> bool:
        new = list(
            Embedding.objects.filter(id__gt=self.last_embedding_id)
            .order_by("id")
            .values_list("id", "passage_hash", "vector", "scale")
        )
        if not new:
            return False
        self.last_embedding_id = new[-1][0]
        hashes = np.concatenate([self.vector_hashes, np.asarray([row[1] for row in new])])
        vectors = np.frombuffer(b"".join(bytes(row[2]) for row in new), dtype=np.int8)
        vectors = np.concatenate([self.vectors, vectors.reshape(len(new), DIMENSIONS)])
        scales = np.concatenate([self.scales, np.asarray([row[3] for row in new], np.float32)])
        order = np.argsort(hashes, kind="stable")
        self.vector_hashes, self.vectors, self.scales = hashes[order], vectors[order], scales[order]
        return True

    def link_vectors(self) -> None:
        rows = np.searchsorted(self.vector_hashes, self.passage_hash)
        rows = np.minimum(rows, max(len(self.vector_hashes) - 1, 0))
        found = len(self.vector_hashes) > 0
        matches = (self.vector_hashes[rows] == self.passage_hash) if found else rows < 0
        self.vector_row = np.where(matches, rows, -1)

    def load_alive(self, removals: int) -> None:
        """Marks the entries removed from the index since the snapshot was loaded."""
        if removals == self.removals:
            return
        live = np.fromiter(Entry.objects.values_list("id", flat=True), dtype=np.int64)
        self.alive = np.isin(self.ids, live)
        self.removals = removals

    @property
    def mostly_leftovers(self) -> bool:
        return self.size > 0 and np.count_nonzero(self.alive) < (1 - _LEFTOVER_SHARE) * self.size

    def refresh(self, removals: int) -> None:
        if self.removals < 0:  # a new snapshot: everything it loads is alive
            self.removals = removals
        self.load_alive(removals)
        entries_changed = self.load_entries()
        vectors_changed = self.load_vectors()
        if entries_changed or vectors_changed:
            self.link_vectors()

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of ``query`` to each entry (-1 for entries without a vector)."""
        by_vector = np.empty(len(self.vectors), dtype=np.float32)
        for start in range(0, len(self.vectors), _CHUNK):
            chunk = self.vectors[start : start + _CHUNK].astype(np.float32)
            by_vector[start : start + _CHUNK] = chunk @ query
        by_vector *= self.scales
        scores = np.full(self.size, -1.0, dtype=np.float32)
        has_vector = self.vector_row >= 0
        scores[has_vector] = by_vector[self.vector_row[has_vector]]
        return scores


_current: Snapshot | None = None
_lock = threading.Lock()


def current(epoch: int | None = None, removals: int | None = None) -> Snapshot:
    """The process's snapshot, brought up to date with the database (``epoch`` and
    ``removals`` as the caller already read them from ``IndexState``, saving a query)."""
    global _current
    with _lock:
        if epoch is None or removals is None:
            epoch, _version, removals = IndexState.read()
        snapshot = _current
        if snapshot is None or snapshot.epoch != epoch:
            snapshot = Snapshot(epoch)
        snapshot.refresh(removals)
        if snapshot.mostly_leftovers:
            snapshot = Snapshot(epoch)
            snapshot.refresh(removals)
        _current = snapshot
        return snapshot


def reset() -> None:
    """Forgets the snapshot (tests, and after a rebuild in this process)."""
    global _current
    with _lock:
        _current = None

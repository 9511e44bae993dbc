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

import json
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from minehub.search.embeddings import DIMENSIONS
from minehub.search.matching import ClauseCache
from minehub.search.models import Embedding, Entry, IndexState

_CHUNK = 4_096  # vectors converted to float32 at a time (6 MB) to compute centres
_LEFTOVER_SHARE = 0.25
_VECTOR_BATCH = 5_000
# A language's own mean vector is used as its centre from this many vectors on; below, the
# mean of all vectors (a handful of passages say little about a language's direction).
_CENTRE_MIN_VECTORS = 10
# Centres are recomputed when the number of entries with a vector has changed by this share
# since (a mean over many vectors hardly moves; a new entry need not cost a full pass).
_CENTRE_DRIFT = 1 / 16


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


def _id_lists(values: Sequence[object]) -> list[list[int]]:
    """JSON lists of ids as the database returns them (text), parsed in one go."""
    texts = [value if isinstance(value, str) else json.dumps(value or []) for value in values]
    return json.loads("[" + ",".join(texts) + "]")


def _timestamps(values: Sequence[object]) -> np.ndarray:
    """POSIX timestamps (0 for none) of datetimes as the database returns them: aware
    datetimes, or on SQLite UTC text, which numpy parses in one go."""
    if any(isinstance(value, str) for value in values):
        moments = np.array(values, dtype="datetime64[us]")
        micro = moments.astype(np.int64)
        return np.where(np.isnat(moments), 0.0, micro / 1e6)
    return np.asarray([moment.timestamp() if moment else 0.0 for moment in values])


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
        # Vectors in the order they were loaded, with their passage hashes; ``hash_order``
        # sorts the hashes so that entries find their vector by binary search (sorting
        # the vectors themselves would copy them all at every load).
        self.vector_hashes = np.empty(0, dtype=np.int64)
        self.hash_order = np.empty(0, dtype=np.int64)
        self.vectors = np.empty((0, DIMENSIONS), dtype=np.int8)
        self.scales = np.empty(0, dtype=np.float32)
        self.vector_row = np.empty(0, dtype=np.int64)  # per entry; -1 without a vector
        # Per language code, the vector subtracted from its passages (see ``similarities``),
        # and how many entries had a vector when it was computed.
        self.centres = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.centred_count = -1
        # ``_linked``'s answer, with the two arrays it was worked out from.
        self._linkage: tuple[np.ndarray, ...] | None = None

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
        # Plain SQL: Django's per-value converters (JSON lists, SQLite datetimes) took
        # two thirds of a 100k-entry load; ``_id_lists`` and ``_timestamps`` convert
        # whole columns at once.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, kind, language, organisation_id, year, published_at, passage_hash,"
                " topic_ids, region_ids, length FROM search_entry WHERE id > %s ORDER BY id",
                [self.last_entry_id],
            )
            new = cursor.fetchall()
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
        self.published = np.concatenate([self.published, _timestamps(columns[5])])
        self.passage_hash = np.concatenate([self.passage_hash, np.asarray(columns[6])])
        self.topics.extend(first_row, _id_lists(columns[7]))
        self.regions.extend(first_row, _id_lists(columns[8]))
        self.length = np.concatenate([self.length, np.asarray(columns[9], dtype=np.float32)])
        self.alive = np.concatenate([self.alive, np.ones(len(new), dtype=bool)])
        self.last_entry_id = int(self.ids[-1])
        return True

    def load_vectors(self) -> bool:
        """Appends the embeddings stored since the last call. Read in batches straight
        into arrays of the final size: 100k rows as Python objects would take ~100 MB at
        once, and a second copy of the vectors another 38 MB."""
        newer = Embedding.objects.filter(id__gt=self.last_embedding_id).order_by("id")
        expected = newer.count()
        if not expected:
            return False
        known = len(self.vector_hashes)
        hashes = np.concatenate([self.vector_hashes, np.empty(expected, dtype=np.int64)])
        vectors = np.empty((known + expected, DIMENSIONS), dtype=np.int8)
        vectors[:known] = self.vectors
        scales = np.concatenate([self.scales, np.empty(expected, dtype=np.float32)])
        filled = known
        while filled < len(vectors):
            batch = list(
                newer.filter(id__gt=self.last_embedding_id).values_list(
                    "id", "passage_hash", "vector", "scale"
                )[: min(_VECTOR_BATCH, len(vectors) - filled)]
            )
            if not batch:  # some were deleted since they were counted
                break
            end = filled + len(batch)
            self.last_embedding_id = batch[-1][0]
            hashes[filled:end] = [row[1] for row in batch]
            raw = b"".join(bytes(row[2]) for row in batch)
            vectors[filled:end] = np.frombuffer(raw, dtype=np.int8).reshape(-1, DIMENSIONS)
            scales[filled:end] = [row[3] for row in batch]
            filled = end
        self.vector_hashes, self.vectors, self.scales = (
            hashes[:filled],
            vectors[:filled],
            scales[:filled],
        )
        self.hash_order = np.argsort(self.vector_hashes, kind="stable")
        return True

    def link_vectors(self) -> None:
        if not len(self.vector_hashes):
            self.vector_row = np.full(self.size, -1, dtype=np.int64)
            return
        ordered = self.vector_hashes[self.hash_order]
        found = np.minimum(np.searchsorted(ordered, self.passage_hash), len(ordered) - 1)
        matches = ordered[found] == self.passage_hash
        self.vector_row = np.where(matches, self.hash_order[found], -1)

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

    def language_centres(self) -> np.ndarray:
        """Per language code, the mean passage vector of that language (or of all
        passages, for a language with few), brought up to date when the index has grown
        or shrunk noticeably since they were last computed."""
        _rows, rows, codes = self._linked()
        count = len(rows)
        drift = abs(count - self.centred_count) > _CENTRE_DRIFT * max(self.centred_count, 0)
        if not drift and len(self.centres) == len(self.languages.values):
            return self.centres
        languages = len(self.languages.values)
        sums = np.zeros((languages, DIMENSIONS), dtype=np.float64)
        for start in range(0, len(rows), _CHUNK):
            part = rows[start : start + _CHUNK]
            chunk = self.vectors[part].astype(np.float32) * self.scales[part, None]
            part_codes = codes[start : start + _CHUNK]
            for code in np.unique(part_codes):
                sums[code] += chunk[part_codes == code].sum(axis=0)
        counts = np.bincount(codes, minlength=languages).astype(np.float64)
        overall = sums.sum(axis=0) / max(count, 1)
        centres = np.tile(overall, (languages, 1))
        enough = counts >= _CENTRE_MIN_VECTORS
        centres[enough] = sums[enough] / counts[enough, None]
        self.centres = centres.astype(np.float32)
        self.centred_count = count
        return self.centres

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Similarity of ``query`` to each entry, -1 for entries without a vector: the
        cosine minus the cosine to the mean passage of the entry's language.

        multilingual-e5 vectors carry a strong language component: a query scores passages
        in its own language above passages on its subject in another language (on the
        development set, 1 in 3 relevant items in another language came in the top 10;
        5 in 6 with this correction). Taking each language's mean out (Libovický et al.,
        "On the Language Neutrality of Pre-trained Multilingual Representations", 2020)
        leaves the subject; 0 is then "as close as the average passage of that
        language"."""
        # One einsum over the int8 matrix: it converts in small buffers of its own, so no
        # float copy of the vectors. ``@`` on float chunks was slower: BLAS threads spin
        # while they wait, which on a busy two-core server made the scan of 100k vectors
        # 3-10 times slower (measured).
        by_vector = _scan(self.vectors, query.astype(np.float32))
        by_vector *= self.scales
        scores = np.full(self.size, -1.0, dtype=np.float32)
        rows, vector_rows, codes = self._linked()
        if not len(rows):
            return scores
        offsets = self.language_centres() @ query
        scores[rows] = by_vector[vector_rows] - offsets[codes]
        return scores

    def _linked(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(entry rows with a vector, their vector rows, their language codes): what every
        dense search needs, worked out again only when ``vector_row`` or ``language`` is
        replaced (loading makes new arrays), not per search."""
        kept = self._linkage
        if kept is None or kept[0] is not self.vector_row or kept[1] is not self.language:
            rows = np.flatnonzero(self.vector_row >= 0)
            kept = (
                self.vector_row,
                self.language,
                rows,
                self.vector_row[rows],
                self.language[rows],
            )
            self._linkage = kept
        return kept[2], kept[3], kept[4]


# einsum lets go of the GIL, so halves of a large matrix are scanned on two cores at once
# (100k vectors: 15 ms on one thread, 8.5 ms on two, measured on the 2-core machine).
_SCAN_SPLIT_ROWS = 20_000
_scan_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vector-scan")


def _scan(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    def part(rows: np.ndarray) -> np.ndarray:
        return np.einsum("ij,j->i", rows, query, dtype=np.float32, casting="unsafe")

    if len(vectors) < _SCAN_SPLIT_ROWS or (os.cpu_count() or 1) < 2:
        return part(vectors)
    half = len(vectors) // 2
    # This thread scans one half while a pool thread scans the other.
    second = _scan_pool.submit(part, vectors[half:])
    return np.concatenate([part(vectors[:half]), second.result()])


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

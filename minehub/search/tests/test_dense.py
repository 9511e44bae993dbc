"""Dense retrieval and its fusion with the full-text ranking, with a stand-in model whose
vectors are known (the real model is exercised in ``test_index_admin``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from minehub.library.models import Document
from minehub.publishing.testing import make_item
from minehub.search import embeddings, indexer, snapshot
from minehub.search.embeddings import DIMENSIONS
from minehub.search.engine import Mode, fuse, search

# Words the stand-in model reads as a subject, whatever the language.
SUBJECTS = {"mercury": 0, "hydrargyrum": 0, "мөнгөн": 0, "coal": 1, "tailings": 2}


class SubjectModel:
    """Embeds a text as the normalised sum of its subjects' axes (plus a shared axis, so
    that no vector is zero); counts the queries it embeds."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def vector(self, text: str) -> np.ndarray:
        vector = np.zeros(DIMENSIONS, dtype=np.float32)
        vector[DIMENSIONS - 1] = 0.5
        for word, axis in SUBJECTS.items():
            if word in text.lower():
                vector[axis] += 1.0
        return vector / np.linalg.norm(vector)

    def query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return self.vector(text)

    def passage(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vector(text) for text in texts])


@pytest.fixture
def model(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SubjectModel]:
    settings.MINEHUB_SEARCH_EMBEDDINGS = True
    stand_in = SubjectModel()
    monkeypatch.setattr(embeddings, "_model", lambda: stand_in)
    embeddings._cached_query_vector.cache_clear()
    yield stand_in
    embeddings._cached_query_vector.cache_clear()


@pytest.fixture
def embedded(model: SubjectModel, reindex: Any, db: None) -> dict[str, Document]:
    items = {
        "tailings": make_item(Document, "Tailings dam safety", body="Dam inspections."),
        "mercury": make_item(
            Document, "Мөнгөн усны хордлого", language="mn", body="Амальгам шатаах."
        ),
        "coal": make_item(Document, "Coal dust on roads", body="Trucks and dust."),
    }
    reindex()
    assert embeddings.embed_missing() == 3
    return items


def titles(query: str, mode: Mode = Mode.HYBRID) -> list[str]:
    return [hit.entry.title for hit in search(query, mode=mode).hits]


def test_a_neighbour_the_full_text_misses_joins_the_results(embedded: Any) -> None:
    assert titles("tailings hydrargyrum", mode=Mode.THESAURUS) == ["Tailings dam safety"]
    found = titles("tailings hydrargyrum")
    assert found == ["Tailings dam safety", "Мөнгөн усны хордлого"]  # not the coal item


def test_a_query_only_the_vectors_understand_still_finds_its_subject(embedded: Any) -> None:
    assert titles("hydrargyrum", mode=Mode.THESAURUS) == []
    assert titles("hydrargyrum") == ["Мөнгөн усны хордлого"]
    assert titles("hydrargyrum", mode=Mode.DENSE) == ["Мөнгөн усны хордлого"]


def test_search_is_full_text_only_when_embeddings_are_off(embedded: Any, settings: Any) -> None:
    settings.MINEHUB_SEARCH_EMBEDDINGS = False
    assert not embeddings.enabled()
    assert titles("hydrargyrum") == []
    assert titles("tailings") == titles("tailings", mode=Mode.THESAURUS)


def test_the_full_text_leader_stays_first_when_the_vectors_agree() -> None:
    lexical = [(1, 9.0), (2, 5.0), (3, 4.0)]
    fused = fuse([lexical, [(1, 0.1), (7, 0.08)]], [1.0, 0.3])
    assert [entry_id for entry_id, _score in fused] == [1, 2, 3, 7]


def test_an_item_both_rankings_place_high_passes_one_only_the_full_text_has() -> None:
    fused = fuse([[(1, 9.0), (2, 8.0)], [(2, 0.1)]], [1.0, 0.3])
    assert [entry_id for entry_id, _score in fused] == [2, 1]


def test_a_query_is_embedded_once_per_process_and_cut_to_its_first_words(
    model: SubjectModel,
) -> None:
    first = embeddings.embed_query("coal   dust")
    again = embeddings.embed_query(" coal dust ")
    assert first is again and model.queries == ["coal dust"]
    assert not first.flags.writeable  # shared between searches: nobody may change it
    embeddings.embed_query("word " * 200)
    assert len(model.queries[-1].split()) == embeddings.QUERY_WORDS
    embeddings.embed_query("x" * 5000)
    assert len(model.queries[-1]) <= 300
    assert embeddings.embed_query("   ") is None


def test_languages_are_compared_by_subject_not_by_their_own_direction() -> None:
    """Each language's passages share a direction; the query's own language must not win
    over a passage on the query's subject in another language."""
    rng = np.random.default_rng(0)
    snap = snapshot.Snapshot(epoch=1)
    language_axis = {"en": 10, "mn": 11}
    subject_axis = 20
    vectors, languages = [], []
    for language, axis in language_axis.items():
        for number in range(12):
            vector = rng.normal(0, 0.05, DIMENSIONS)
            vector[axis] += 1.0
            if language == "mn" and number == 0:
                vector[subject_axis] += 0.6  # the one passage on the subject
            vectors.append(vector / np.linalg.norm(vector))
            languages.append(snap.languages.code(language))
    snap.ids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    snap.language = np.asarray(languages, dtype=np.int16)
    snap.vectors, snap.scales = embeddings.quantize(np.asarray(vectors))
    snap.vector_row = np.arange(len(vectors))
    query = np.zeros(DIMENSIONS, dtype=np.float32)
    query[language_axis["en"]], query[subject_axis] = 1.0, 0.5  # an English query
    query /= np.linalg.norm(query)
    raw = (snap.vectors.astype(np.float32) * snap.scales[:, None]) @ query
    assert snap.language[np.argmax(raw)] == snap.languages.by_value["en"]  # the bias
    assert np.argmax(snap.similarities(query)) == 12  # the Mongolian passage on it


def test_vectors_stored_after_the_snapshot_are_found_by_the_next_search(
    embedded: Any,
) -> None:
    assert titles("hydrargyrum") == ["Мөнгөн усны хордлого"]
    second = make_item(Document, "Мөнгөн усгүй баяжуулалт", language="mn", body="Реторт.")
    indexer.index_by_key("document", second.pk)
    assert embeddings.embed_missing() == 1
    assert sorted(titles("hydrargyrum")) == ["Мөнгөн усгүй баяжуулалт", "Мөнгөн усны хордлого"]
    assert len(snapshot.current().vectors) == 4

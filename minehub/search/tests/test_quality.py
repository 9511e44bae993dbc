"""A floor under search quality on the development set (80 items, 40 judged queries):
lexical + thesaurus search, on whichever database the tests run. ``bench.search_quality``
prints the full table, with dense and hybrid retrieval."""

from __future__ import annotations

import pytest

from bench import search_quality

pytestmark = pytest.mark.django_db


def test_lexical_and_thesaurus_search_finds_the_relevant_items() -> None:
    search_quality.load_corpus()
    table = search_quality.evaluate("thesaurus")
    recall, reciprocal_rank = table["overall"]
    assert recall >= 0.9, table
    assert reciprocal_rank >= 0.8, table
    assert table["cross-lingual"][0] >= 0.8, table
    assert search_quality.evaluate("lexical")["overall"][0] < recall  # the thesaurus helps

"""Snippets: the densest passage of a result, escaped, with the matched words marked."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from minehub.search import analysis
from minehub.search.snippets import WINDOW_WORDS, snippet
from minehub.search.text import normalize

MARK = re.compile(r"</?mark>")


def _terms(*words: str, language: str = "en") -> set[str]:
    return {analysis.term(normalize(word), language) for word in words}


def test_the_window_opens_at_the_densest_cluster_of_matched_words() -> None:
    filler = " ".join(f"word{number}" for number in range(200))
    text = f"mercury once. {filler} mercury and mercury near mercury waters. {filler}"
    result = snippet(text, "en", _terms("mercury"), set())
    assert result.startswith("…") and result.endswith("…")
    assert result.count("<mark>mercury</mark>") == 3  # the cluster, not the lone first one
    assert len(MARK.sub("", result).split()) <= WINDOW_WORDS


def test_inflected_forms_are_marked_through_the_index_analysis() -> None:
    result = snippet(
        "Мөнгөн усны бохирдол уурхайн ойролцоо", "mn", _terms("уурхай", language="mn"), set()
    )
    assert "<mark>уурхайн</mark>" in result


def test_hostile_text_is_escaped_around_and_inside_the_marks() -> None:
    text = "<script>alert(1)</script> mercury & \"gold\" 'x' <b>mercury</b>"
    result = snippet(text, "en", _terms("mercury"), set())
    assert "<script>" not in result and "<b>" not in result
    assert "&lt;/script&gt;" in result and "&amp;" in result and "&#x27;x&#x27;" in result
    assert result.count("<mark>mercury</mark>") == 2


def test_a_text_without_words_gives_an_empty_snippet() -> None:
    assert snippet("… — !!", "en", _terms("gold"), set()) == ""


@given(
    st.lists(
        st.sampled_from(["gold", "mercury", "water", "<i>", "&", "'", " ", "\n", "уран", "1,5"]),
        max_size=120,
    ),
    st.sets(st.sampled_from(["gold", "mercury", "уран"])),
)
def test_a_snippet_is_a_passage_of_the_text_with_only_marks_as_markup(
    pieces: list[str], words: set[str]
) -> None:
    text = " ".join(pieces)
    result = str(snippet(text, "en", _terms(*words), set()))
    assert "<" not in MARK.sub("", result)
    passage = html.unescape(MARK.sub("", result)).strip("…")
    assert passage in text
    for marked in re.findall(r"<mark>(.*?)</mark>", result):
        assert normalize(marked) in words

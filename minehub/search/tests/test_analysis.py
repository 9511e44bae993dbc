"""The analysis pipeline: normalisation, folding, stemming, transliteration."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from minehub.search import analysis
from minehub.search.backends import Clause
from minehub.search.backends.postgres import compile_clauses as compile_tsquery
from minehub.search.backends.sqlite import compile_clauses as compile_fts5
from minehub.search.query import word_clauses
from minehub.search.text import fold, normalize, word_list

TERM = re.compile(r"^[^\W_]+$")


def test_normalize_removes_invisible_characters_and_folds_case() -> None:
    assert normalize("Ур\u200bан\u200f ЁЛКА\ufeff") == "уран елка"
    assert word_list("ＰＭ２.５ and\u00adsoft") == ["pm2", "5", "andsoft"]


def test_fold_merges_letters_people_type_without_marks() -> None:
    assert fold("мөнгөн") == fold("монгон")
    assert fold("үүрхай") == fold("уурхай")
    assert fold("кең") == "кэнг"  # ң as its Latin spelling ng
    assert fold("ömnögovi") == "omnogovi"
    assert fold("йод") == "йод"  # й is a letter, not a decorated и


def test_russian_and_english_inflections_share_a_term() -> None:
    assert analysis.term("месторождений", "ru") == analysis.term("месторождение", "ru")
    assert analysis.term("reclaimed", "en") == analysis.term("reclaiming", "en")


def test_mongolian_and_kyrgyz_inflections_share_a_term() -> None:
    assert analysis.term("уурхайн", "mn") == analysis.term("уурхай", "mn")
    assert analysis.term("хаягдлын", "mn") == analysis.term("хаягдал", "mn")
    assert analysis.term("кендердин", "ky") == analysis.term("кен", "ky")


def test_latin_typed_mongolian_reaches_the_cyrillic_term() -> None:
    for latin, cyrillic in [("uurkhai", "уурхай"), ("mongon", "мөнгөн"), ("bichil", "бичил")]:
        assert analysis.term(cyrillic, "mn") in analysis.query_alternatives(latin)
    # Informal spellings: h and x for х.
    assert analysis.term("хаягдал", "mn") in analysis.query_alternatives("xayagdal")
    assert analysis.term("уурхай", "mn") in analysis.query_alternatives("uurhai")


def test_cyrillic_place_name_reaches_its_romanisation() -> None:
    assert analysis.term("kumtor", "en") in analysis.query_alternatives("кумтор")


def test_query_words_drop_stopwords_unless_nothing_else_is_left() -> None:
    assert analysis.query_words("the mercury in gold") == ["mercury", "gold"]
    assert analysis.query_words("the") == ["the"]


@given(st.text(max_size=300))
def test_document_terms_are_plain_words_whatever_the_text(text: str) -> None:
    for language in analysis.LANGUAGES:
        for term in analysis.document_terms(text, language):
            assert TERM.match(term), term


@given(st.text(max_size=200))
def test_query_clauses_compile_to_quoted_terms_only(text: str) -> None:
    clauses = [clause for word in analysis.query_words(text) for clause in word_clauses(word)]
    fts5 = compile_fts5(clauses)
    tsquery = compile_tsquery(clauses)
    for clause in clauses:
        for term in clause.terms:
            assert TERM.match(term), term
    # Nothing from the input can close a quote or add an operator.
    assert fts5.count('"') == 2 * len(clauses)
    assert tsquery.count("'") == 2 * sum(len(clause.terms) for clause in clauses)


def test_phrase_clauses_compile_for_both_backends() -> None:
    clauses = [Clause(("бичил", "уурхай")), Clause(("gold",), exact=True)]
    assert compile_fts5(clauses) == '"бичил уурхай" OR "gold"'
    assert compile_fts5(clauses[:1], "title") == 'title : "бичил уурхай"'
    assert compile_tsquery(clauses) == "('бичил' <-> 'уурхай') | ('gold')"

"""The one analysis pipeline: the terms a document is indexed under and the terms a query
word may match. Both search backends index and query exactly these strings, which is why
SQLite and PostgreSQL find the same documents.

A document word becomes one *term*: normalised, stemmed by the document's language
(Snowball for Russian and English, our suffix strippers for Mongolian and Kyrgyz; Latin
words in any document are stemmed as English) and then folded (``text.fold``).

A query word is not tied to a language: a reader in Bishkek may type Russian into the
Mongolian interface. So a query word becomes the *set* of terms it could stand for: its
stem in each Cyrillic language, its Cyrillic spellings when typed in Latin letters, and its
romanisation when typed in Cyrillic (place names in English texts).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import snowballstemmer

from minehub.core.language_detect import STOPWORDS
from minehub.search import translit
from minehub.search.morphology import stem_ky, stem_mn
from minehub.search.text import fold, normalize, script, word_list

LANGUAGES = ("mn", "ky", "ru", "en")
CYRILLIC_LANGUAGES = ("mn", "ky", "ru")

_english = snowballstemmer.stemmer("english")
_russian = snowballstemmer.stemmer("russian")

STEMMERS: dict[str, Callable[[str], str]] = {
    "en": _english.stemWord,
    "ru": _russian.stemWord,
    "mn": stem_mn,
    "ky": stem_ky,
}

# Words too common to help find anything: dropped from queries (not from the index, so
# phrases keep their positions). A query made only of them is kept as typed.
QUERY_STOPWORDS = frozenset().union(*STOPWORDS.values())

# Indexing stops here: beyond a few hundred pages more text adds little to ranking and a
# lot to the index (PostgreSQL also caps a tsvector at 1 MB).
MAX_INDEXED_CHARS = 200_000


@lru_cache(maxsize=300_000)
def stem(word: str, language: str) -> str:
    """The stem of a normalised word in ``language``, before folding."""
    kind = script(word)
    if kind == "latin":
        return _english.stemWord(word)
    if kind == "cyrillic":
        return STEMMERS[language if language in CYRILLIC_LANGUAGES else "ru"](word) or word
    return word


def term(word: str, language: str) -> str:
    """The index term of a normalised word in a text written in ``language``."""
    return fold(stem(word, language))


def document_terms(text: str, language: str) -> list[str]:
    """The terms of ``text`` in order (positions matter for phrases)."""
    return [term(word, language) for word in word_list(text[:MAX_INDEXED_CHARS])]


def surface_words(text: str) -> list[str]:
    """Normalised words as written: the index's exact-form column and the vocabulary of
    "did you mean"."""
    return word_list(text)


@lru_cache(maxsize=50_000)
def query_alternatives(word: str) -> frozenset[str]:
    """Every term a normalised query word may match in a document of any language."""
    kind = script(word)
    alternatives: set[str] = set()
    if kind == "cyrillic":
        alternatives.update(term(word, language) for language in CYRILLIC_LANGUAGES)
        latin = translit.cyrillic_to_latin(word)
        if len(latin) >= 4:  # a place name in an English text; short words only add noise
            alternatives.add(term(latin, "en"))
    elif kind == "latin":
        alternatives.add(term(word, "en"))
        for spelling in translit.latin_to_cyrillic(word):
            alternatives.add(fold(spelling))
            alternatives.update(term(spelling, language) for language in CYRILLIC_LANGUAGES)
    else:
        alternatives.add(word)
    return frozenset(alternatives)


def query_words(query: str) -> list[str]:
    """The normalised words of a query that carry meaning (stopwords dropped unless the
    query has nothing else)."""
    found = word_list(query)
    meaningful = [word for word in found if word not in QUERY_STOPWORDS]
    return meaningful or found


def phrase_terms(label: str, language: str) -> tuple[str, ...]:
    """A multi-word label (thesaurus, taxonomy) as the term sequence it is indexed as."""
    return tuple(term(word, language) for word in word_list(label))


__all__ = [
    "LANGUAGES",
    "document_terms",
    "normalize",
    "phrase_terms",
    "query_alternatives",
    "query_words",
    "stem",
    "surface_words",
    "term",
]

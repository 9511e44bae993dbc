"""Snippets: the passage of a result where the query's words are densest, with those
words marked. Matching uses the same analysis as the index, so "уурхайн" is marked for a
query "уурхай" and "mercury" in a Russian text for "ртуть"'s thesaurus expansion."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from html import escape
from itertools import islice

from django.utils.safestring import SafeString, mark_safe

from minehub.search import analysis
from minehub.search.text import normalize

_WORD = re.compile(r"[^\W_]+")
WINDOW_WORDS = 32
_SCAN_WORDS = 600  # snippets come from the opening: scanning more costs more than it finds


@lru_cache(maxsize=200_000)
def _forms(word: str, language: str) -> tuple[str, str]:
    """(normalised word, index term) of a word as it appears in a text: the same words
    recur across texts and snippets, so analysing each once pays off."""
    normalized = normalize(word)
    return normalized, analysis.term(normalized, language)


def snippet(text: str, language: str, terms: set[str], exact: set[str]) -> SafeString:
    """HTML: escaped text with matched words in ``<mark>``. A results page cuts twenty of
    these, so the loop does little per word: one cached lookup and two set tests."""
    spans: list[tuple[int, int]] = []
    hits: list[int] = []  # positions in ``spans`` of the matched words
    forms = _forms
    for number, match in enumerate(islice(_WORD.finditer(text), _SCAN_WORDS)):
        normalized, term = forms(match.group(), language)
        if normalized in exact or term in terms:
            hits.append(number)
        spans.append(match.span())
    if not spans:
        return mark_safe("")  # noqa: S308 - empty
    start = max(0, _densest(hits) - 3) if hits else 0
    window = spans[start : start + WINDOW_WORDS]
    begin, end = window[0][0], window[-1][1]
    pieces = ["…" if begin > 0 else ""]
    position = begin
    for number in hits[bisect_left(hits, start) : bisect_left(hits, start + len(window))]:
        word_start, word_end = spans[number]
        pieces += (
            escape(text[position:word_start]),
            "<mark>",
            escape(text[word_start:word_end]),
            "</mark>",
        )
        position = word_end
    pieces += (escape(text[position:end]), "…" if end < len(text) else "")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped above


def _densest(hits: list[int]) -> int:
    """The matched word (position, ascending ``hits``) that opens the window of
    WINDOW_WORDS words holding the most matched words; the first of equals."""
    return max(
        hits, key=lambda first: bisect_left(hits, first + WINDOW_WORDS) - bisect_left(hits, first)
    )

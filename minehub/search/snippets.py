"""Snippets: the passage of a result where the query's words are densest, with those
words marked. Matching uses the same analysis as the index, so "уурхайн" is marked for a
query "уурхай" and "mercury" in a Russian text for "ртуть"'s thesaurus expansion."""

from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
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


def _matches(word: str, language: str, terms: set[str], exact: set[str]) -> bool:
    normalized, term = _forms(word, language)
    return normalized in exact or term in terms


def snippet(text: str, language: str, terms: set[str], exact: set[str]) -> SafeString:
    """HTML: escaped text with matched words in ``<mark>``."""
    tokens = []
    for number, match in enumerate(_WORD.finditer(text)):
        if number >= _SCAN_WORDS:
            break
        tokens.append((match.start(), match.end(), _matches(match.group(), language, terms, exact)))
    if not tokens:
        return mark_safe("")  # noqa: S308 - empty
    hits = [index for index, token in enumerate(tokens) if token[2]]
    start = 0
    if hits:
        best = max(
            hits, key=lambda first: sum(1 for h in hits if first <= h < first + WINDOW_WORDS)
        )
        start = max(0, best - 3)
    window = tokens[start : start + WINDOW_WORDS]
    begin, end = window[0][0], window[-1][1]
    pieces = ["…" if begin > 0 else ""]
    position = begin
    for token_start, token_end, hit in window:
        pieces.append(escape(text[position:token_start]))
        word = escape(text[token_start:token_end])
        pieces.append(f"<mark>{word}</mark>" if hit else word)
        position = token_end
    pieces.append("…" if end < len(text) else "")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped above

"""Corrections for misspelt query words ("did you mean"), from the words of the index.

Candidates share the first letter and have a similar length (typos rarely hit the first
letter, and this keeps the lookup to one indexed range of the vocabulary); the closest by
edit distance wins, the more frequent word on a tie."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from minehub.search.models import VocabularyWord

MIN_LENGTH = 4


def max_distance(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def correct(word: str) -> str | None:
    """The most likely intended word for ``word`` (normalised), if one is close enough."""
    if len(word) < MIN_LENGTH or word.isdigit():
        return None
    limit = max_distance(word)
    candidates = VocabularyWord.objects.filter(
        initial=word[0], length__range=(len(word) - limit, len(word) + limit)
    ).values_list("word", "entries")
    best: tuple[int, int, str] | None = None
    for candidate, entries in candidates.iterator(chunk_size=5000):
        distance = Levenshtein.distance(word, candidate, score_cutoff=limit)
        if distance > limit or candidate == word:
            continue
        key = (distance, -entries, candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None

"""From what a reader typed to the clauses the backends match.

No query syntax is interpreted: quotes, ``*``, ``-``, ``NEAR``, ``:`` and brackets are
just characters between words. That keeps every input valid (nothing to leak as an FTS
syntax error) and suits readers who never learnt a query language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from minehub.search import analysis, spelling, thesaurus
from minehub.search.backends import Clause
from minehub.search.models import VocabularyWord
from minehub.search.text import word_list

MAX_QUERY_CHARS = 500
MAX_WORDS = 16
MAX_CLAUSES = 300


@dataclass
class Plan:
    text: str  # the query as used (possibly shortened)
    words: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)  # the words themselves
    expansions: list[Clause] = field(default_factory=list)  # thesaurus labels
    # The same clauses as ranking sees them: one group per word (with its correction)
    # and one per thesaurus concept.
    groups: list[list[Clause]] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    concept_ids: list[int] = field(default_factory=list)
    shortened: bool = False

    @property
    def all_clauses(self) -> list[Clause]:
        return [clause for group in self.ranked_groups for clause in group]

    @property
    def ranked_groups(self) -> list[list[Clause]]:
        """``groups`` cut to MAX_CLAUSES clauses in all."""
        kept, room = [], MAX_CLAUSES
        for group in self.groups:
            if room <= 0:
                break
            kept.append(group[:room])
            room -= len(kept[-1])
        return kept

    @property
    def suggestion(self) -> str:
        """The query with misspelt words corrected ("" when nothing was corrected)."""
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(word, word) for word in self.words)

    @property
    def highlight_terms(self) -> set[str]:
        return {term for clause in self.all_clauses if not clause.exact for term in clause.terms}


def word_clauses(word: str) -> list[Clause]:
    clauses = [Clause((term,)) for term in sorted(analysis.query_alternatives(word))]
    return [*clauses, Clause((word,), exact=True)]


def plan(
    text: str,
    *,
    matches: Callable[[Sequence[Clause]], bool],
    use_thesaurus: bool = True,
    correct: bool = True,
    thesaurus_version: int | None = None,
) -> Plan:
    shortened = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    all_words = word_list(text)
    words = analysis.query_words(text)
    if len(words) > MAX_WORDS:
        words, shortened = words[:MAX_WORDS], True
    result = Plan(text=text, words=words, shortened=shortened)
    # A word of the vocabulary is in the index as written; only the others (typos, or
    # words found through their stems or transliteration) need a full-text check.
    known = known_words(words) if correct else set()
    for word in words:
        group = word_clauses(word)
        result.clauses.extend(group)
        if correct and word not in known and not matches(group):
            corrected = spelling.correct(word)
            if corrected:
                result.corrections[word] = corrected
                group = group + word_clauses(corrected)
                result.clauses.extend(word_clauses(corrected))
        result.groups.append(group)
    if use_thesaurus:
        matcher = thesaurus.matcher(thesaurus_version)
        alternatives = [
            analysis.query_alternatives(result.corrections.get(word, word))
            for word in all_words[: MAX_WORDS * 2]
        ]
        for match in matcher.find(alternatives):
            result.concept_ids.append(match.concept_id)
            group = [Clause(phrase) for phrase in sorted(matcher.phrases[match.concept_id])]
            result.expansions.extend(group)
            result.groups.append(group)
    return result


def known_words(words: list[str]) -> set[str]:
    return set(VocabularyWord.objects.filter(word__in=words).values_list("word", flat=True))

"""Topic suggestions from the thesaurus: the thesaurus that expands queries also tags.

Each concept may name the site topic it belongs to (``Concept.topic``; the seed's
``data/thesaurus_topics.tsv``, editable by data stewards). A text is analysed like the
index analyses it (same stemming and folding, so "мөнгөн усыг" counts for the concept
"mercury"), its concept labels counted, and each topic scores the mentions of its
concepts, a mention in the title counting more. Topics mentioned only in passing, or far
less than the text's main topic, are not suggested: a suggestion an editor has to untick
costs more than one they have to add.

Used by the editing forms ("suggested from the text") and by ``minehub suggest_topics``,
which tags items imported without topics."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from minehub.core.models import Topic
from minehub.search import thesaurus
from minehub.search.analysis import document_terms
from minehub.search.models import Concept, IndexState

TITLE_WEIGHT = 3
# A topic needs this many mentions (a title mention counts TITLE_WEIGHT)...
MIN_SCORE = 3
# ...and this share of the best topic's score.
MIN_SHARE = 0.25
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Suggestion:
    topic: Topic
    score: int


_topics: tuple[int, dict[int, int]] | None = None
_lock = threading.Lock()


def _topic_of_concept(version: int) -> dict[int, int]:
    """concept id → topic id, re-read when a data steward changed the thesaurus."""
    global _topics
    with _lock:
        if _topics is None or _topics[0] != version:
            pairs = Concept.objects.filter(topic__isnull=False).values_list("pk", "topic_id")
            _topics = (version, dict(pairs))
        return _topics[1]


def topic_scores(title: str, text: str, language: str) -> Counter[int]:
    """topic id → score for a text in ``language``."""
    version = IndexState.read()[1]
    matcher = thesaurus.matcher(version)
    topic_of = _topic_of_concept(version)
    mentions: Counter[int] = Counter()
    for concept_id, count in matcher.count(document_terms(title, language)).items():
        mentions[concept_id] += TITLE_WEIGHT * count
    mentions.update(matcher.count(document_terms(text, language)))
    scores: Counter[int] = Counter()
    for concept_id, score in mentions.items():
        topic_id = topic_of.get(concept_id)
        if topic_id is not None:
            scores[topic_id] += score
    return scores


def suggest(
    title: str, text: str, language: str, *, exclude: Iterable[int] = ()
) -> list[Suggestion]:
    """The topics a text is about, best first (at most ``MAX_SUGGESTIONS``), leaving out
    the ids in ``exclude`` (topics the item already has)."""
    scores = topic_scores(title, text, language)
    if not scores:
        return []
    floor = max(MIN_SCORE, MIN_SHARE * max(scores.values()))
    excluded = set(exclude)
    ranked = [
        (topic_id, score)
        for topic_id, score in scores.most_common()
        if score >= floor and topic_id not in excluded
    ][:MAX_SUGGESTIONS]
    topics = Topic.objects.in_bulk([topic_id for topic_id, _score in ranked])
    return [Suggestion(topics[topic_id], score) for topic_id, score in ranked if topic_id in topics]


def reset() -> None:
    global _topics
    with _lock:
        _topics = None

"""The multilingual thesaurus: concepts with labels in Mongolian, Kyrgyz, Russian and
English, used to expand queries across languages ("mercury" also finds "мөнгөн ус",
"ртуть" and "сымап").

The seed lives in the repository (``data/thesaurus.tsv``, see ``data/THESAURUS.md``) and is
loaded after every migrate without overwriting or deleting what data stewards changed in
the admin. Edits take effect in running processes at their next search (they compare
``IndexState.thesaurus_version``)."""

from __future__ import annotations

import csv
import threading
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from minehub.core.models import Topic
from minehub.search.analysis import phrase_terms
from minehub.search.models import Concept, ConceptLabel, IndexState

SEED = Path(__file__).with_name("data") / "thesaurus.tsv"
# The site topic each concept belongs to, for tagging (see ``tagging``); kept apart from the
# labels so the mapping can be revised without touching them.
SEED_TOPICS = Path(__file__).with_name("data") / "thesaurus_topics.tsv"
LANGUAGE_COLUMNS = ("en", "mn", "ky", "ru")
LABEL_SEPARATOR = "|"


def read_seed(path: Path = SEED) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_seed_topics(path: Path = SEED_TOPICS) -> dict[str, str]:
    """concept code → topic slug (concepts without a topic left out)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["id"].strip(): row["site_topic"].strip() for row in rows if row["site_topic"]}


def load_seed(path: Path = SEED, topics_path: Path = SEED_TOPICS) -> tuple[int, int]:
    """Adds concepts and labels of the seed file that the database lacks, and gives a
    concept without a topic the seed's one. Returns (new concepts, new labels).
    Idempotent; a topic a data steward chose is never replaced."""
    topics = dict(Topic.objects.values_list("slug", "pk"))
    seed_topics = read_seed_topics(topics_path)
    concepts = dict(Concept.objects.values_list("code", "pk"))
    existing = set(ConceptLabel.objects.values_list("concept_id", "language", "label"))
    preferred = set(
        ConceptLabel.objects.filter(preferred=True).values_list("concept_id", "language")
    )
    new_concepts = 0
    new_labels: list[ConceptLabel] = []
    with transaction.atomic():
        for row in read_seed(path):
            code = row["id"].strip()
            if not code:
                continue
            if code not in concepts:
                concept = Concept.objects.create(
                    code=code, topic_id=topics.get(seed_topics.get(code, ""))
                )
                concepts[code] = concept.pk
                new_concepts += 1
            concept_id = concepts[code]
            for language in LANGUAGE_COLUMNS:
                labels = [label.strip() for label in (row.get(language) or "").split("|")]
                for position, label in enumerate(filter(None, labels)):
                    key = (concept_id, language, label[:200])
                    if key in existing:
                        continue
                    existing.add(key)
                    is_preferred = position == 0 and (concept_id, language) not in preferred
                    preferred.add((concept_id, language))
                    new_labels.append(
                        ConceptLabel(
                            concept_id=concept_id,
                            language=language,
                            label=label[:200],
                            preferred=is_preferred,
                        )
                    )
        ConceptLabel.objects.bulk_create(new_labels)
        topics_given = 0
        for code, slug in seed_topics.items():
            if code in concepts and slug in topics:
                topics_given += Concept.objects.filter(
                    pk=concepts[code], topic__isnull=True
                ).update(topic_id=topics[slug])
    if new_concepts or new_labels or topics_given:
        mark_changed()
    return new_concepts, len(new_labels)


def mark_changed() -> None:
    IndexState.bump("thesaurus_version")


@dataclass(frozen=True)
class Match:
    concept_id: int
    start: int  # position of the first query word the label covers
    length: int


class Matcher:
    """Finds concept labels in analysed queries and lists the labels to expand them with."""

    def __init__(self, labels: Sequence[tuple[int, str, str]]) -> None:
        self.phrases: dict[int, set[tuple[str, ...]]] = defaultdict(set)
        self.by_first_term: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        for concept_id, language, label in labels:
            terms = phrase_terms(label, language)
            if not terms:
                continue
            self.phrases[concept_id].add(terms)
            self.by_first_term[terms[0]].append((terms, concept_id))

    def find(self, alternatives: Sequence[frozenset[str]]) -> list[Match]:
        """Concepts whose label covers consecutive query words; ``alternatives[i]`` are the
        terms query word i may stand for. Longest labels win where labels overlap."""
        found: dict[int, Match] = {}
        for start, terms in enumerate(alternatives):
            for first in terms:
                for phrase, concept_id in self.by_first_term.get(first, ()):
                    end = start + len(phrase)
                    if end > len(alternatives):
                        continue
                    if all(phrase[i] in alternatives[start + i] for i in range(1, len(phrase))):
                        match = Match(concept_id, start, len(phrase))
                        known = found.get(concept_id)
                        if known is None or known.length < match.length:
                            found[concept_id] = match
        matches = sorted(found.values(), key=lambda match: -match.length)
        covered: set[int] = set()
        kept = []
        for match in matches:
            span = set(range(match.start, match.start + match.length))
            if match.length == 1 and span <= covered:
                continue  # "mercury" inside "mercury-free" is already expanded by the longer
            covered |= span
            kept.append(match)
        return kept

    def count(self, terms: Sequence[str]) -> Counter[int]:
        """How often each concept's labels occur in a document's term sequence: the
        longest label at each position, matches not overlapping. A label two concepts
        share once stemmed ("cyanide", "cyanidation") counts for both."""
        found: Counter[int] = Counter()
        position = 0
        while position < len(terms):
            longest, concepts = 0, set()
            for phrase, concept_id in self.by_first_term.get(terms[position], ()):
                length = len(phrase)
                if length < longest or tuple(terms[position : position + length]) != phrase:
                    continue
                if length > longest:
                    longest, concepts = length, set()
                concepts.add(concept_id)
            found.update(concepts)
            position += longest or 1
        return found


_matcher: tuple[int, Matcher] | None = None
_lock = threading.Lock()


def matcher(version: int | None = None) -> Matcher:
    """The process's matcher, rebuilt when a data steward changed the thesaurus
    (``version`` as the caller already read it from ``IndexState``, saving a query)."""
    global _matcher
    version = IndexState.read()[1] if version is None else version
    with _lock:
        if _matcher is None or _matcher[0] != version:
            labels = ConceptLabel.objects.values_list("concept_id", "language", "label")
            _matcher = (version, Matcher(list(labels)))
        return _matcher[1]


def reset() -> None:
    global _matcher
    with _lock:
        _matcher = None

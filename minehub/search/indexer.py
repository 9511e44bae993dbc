"""Writes the index: one entry and one full-text row per findable item.

Every write goes through here, in a transaction, so an entry never exists without its
full-text row or the other way round. Re-indexing an item replaces its entry with a new
one (new id); see ``models`` for why."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice

from django.db import models, transaction

from minehub.search import analysis
from minehub.search.backends import Row, get_backend
from minehub.search.models import Entry, IndexState, VocabularyWord
from minehub.search.registry import SEARCHABLE, STORED_TEXT_CHARS, Document, Searchable

# Words offered as corrections: long enough to be worth correcting, short enough to be words.
VOCABULARY_LENGTHS = range(3, 40)


def _terms(text: str, language: str) -> str:
    return " ".join(analysis.document_terms(text, language))


def index_row(entry_id: int, document: Document) -> Row:
    keywords = " ".join(_terms(label, language) for label, language in document.keywords)
    return Row(
        entry_id=entry_id,
        title=_terms(document.title, document.language),
        keywords=keywords,
        body=_terms(document.text, document.language),
        raw=" ".join(analysis.surface_words(f"{document.title}\n{document.text}")),
    )


def new_entry(searchable: Searchable, item: models.Model, document: Document) -> Entry:
    return Entry(
        kind=searchable.key,
        object_id=item.pk,
        language=document.language,
        title=document.title[:500],
        path=document.path[:500],
        external_id=document.external_id,
        organisation_id=document.organisation_id,
        year=document.published_at.year if document.published_at else None,
        published_at=document.published_at,
        topic_ids=document.topic_ids,
        region_ids=document.region_ids,
        text=document.text[:STORED_TEXT_CHARS],
        length=len(document.text[:STORED_TEXT_CHARS]),
        passage_hash=document.passage_hash,
    )


def remove(kind: str, object_id: int) -> None:
    """Takes an item out of the index at once (unpublished, hidden or deleted)."""
    with transaction.atomic():
        ids = list(
            Entry.objects.filter(kind=kind, object_id=object_id).values_list("id", flat=True)
        )
        if ids:
            get_backend().delete(ids)
            Entry.objects.filter(id__in=ids).delete()
            # Tells every process to forget these entries (their match sets are cached).
            IndexState.bump("removals")


def index_item(searchable: Searchable, item: models.Model) -> Entry | None:
    """Indexes ``item`` as it is now: replaces its entry, or removes it when the item must
    not be found. Returns the new entry, if any."""
    document = searchable.document(item)
    with transaction.atomic():
        remove(searchable.key, item.pk)
        if document is None:
            return None
        entry = new_entry(searchable, item, document)
        entry.save()
        row = index_row(entry.pk, document)
        get_backend().write([row])
        remember_words(row.raw.split())
    return entry


def index_by_key(kind: str, object_id: int) -> Entry | None:
    searchable = SEARCHABLE.get(kind)
    if searchable is None:
        return None
    item = searchable.model._default_manager.filter(pk=object_id).first()
    if item is None:
        remove(kind, object_id)
        return None
    return index_item(searchable, item)


def remember_words(words: Iterable[str]) -> None:
    """Adds new words to the vocabulary; counts are refreshed by ``refresh_vocabulary``."""
    unique = {word for word in words if len(word) in VOCABULARY_LENGTHS and not word.isdigit()}
    VocabularyWord.objects.bulk_create(
        [VocabularyWord(word=word, initial=word[0], length=len(word)) for word in unique],
        ignore_conflicts=True,
        batch_size=500,
    )


def refresh_vocabulary() -> int:
    """Rebuilds the vocabulary with exact counts from the full-text index."""
    backend = get_backend()
    with transaction.atomic():
        VocabularyWord.objects.all().delete()
        words = (
            VocabularyWord(word=word, initial=word[0], length=len(word), entries=count)
            for word, count in backend.vocabulary()
            if len(word) in VOCABULARY_LENGTHS and not word.isdigit()
        )
        total = 0
        while batch := list(islice(words, 2000)):
            VocabularyWord.objects.bulk_create(batch)
            total += len(batch)
    return total


def _published_items(searchable: Searchable) -> Iterator[models.Model]:
    queryset = searchable.model._default_manager.all()
    if hasattr(queryset, "published"):
        # Publishable content: only published items can be found, so skip the rest early
        # and load the terms every document needs in a few queries per batch.
        queryset = queryset.published().select_related("organisation")
        queryset = queryset.prefetch_related("topics", "minerals", "regions")
    return queryset.order_by("pk").iterator(chunk_size=500)


def count_items() -> int:
    total = 0
    for searchable in SEARCHABLE.values():
        queryset = searchable.model._default_manager.all()
        total += (queryset.published() if hasattr(queryset, "published") else queryset).count()
    return total


def _write_batch(batch: Sequence[tuple[Searchable, models.Model, Document]]) -> None:
    entries = Entry.objects.bulk_create(
        [new_entry(searchable, item, document) for searchable, item, document in batch]
    )
    rows = [
        index_row(entry.pk, document)
        for entry, (_s, _i, document) in zip(entries, batch, strict=True)
    ]
    get_backend().write(rows)


def rebuild(advance: Callable[[int], None] = lambda steps: None, batch_size: int = 200) -> int:
    """Replaces the whole index with the published items of every registered type.

    Runs in one transaction: readers keep the old index until the new one is complete."""
    backend = get_backend()
    indexed = 0
    with transaction.atomic():
        backend.clear()
        Entry.objects.all().delete()
        IndexState.bump("epoch")
        for searchable in SEARCHABLE.values():
            batch: list[tuple[Searchable, models.Model, Document]] = []
            for item in _published_items(searchable):
                document = searchable.document(item)
                if document is not None:
                    batch.append((searchable, item, document))
                if len(batch) >= batch_size:
                    _write_batch(batch)
                    indexed += len(batch)
                    advance(len(batch))
                    batch = []
            if batch:
                _write_batch(batch)
                indexed += len(batch)
                advance(len(batch))
        backend.optimize()
    refresh_vocabulary()
    return indexed

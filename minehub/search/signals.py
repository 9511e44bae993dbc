"""Keeps the index in step with the content.

A saved item is re-indexed in the background, after the transaction commits, so editors do
not wait for analysis or embeddings. Taking an item out of the index (deleted, unpublished,
hidden) happens at once, in the same transaction: a withdrawn item must not be findable
even for the seconds a queue may take."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from minehub.search import indexer, thesaurus
from minehub.search.models import Concept, ConceptLabel
from minehub.search.registry import SEARCHABLE, searchable_for


def _saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    searchable = searchable_for(sender)
    if searchable is None or kwargs.get("raw"):
        return
    if not _may_be_findable(instance):
        indexer.remove(searchable.key, instance.pk)
        return
    from minehub.search.tasks import index_item

    key, pk = searchable.key, instance.pk
    transaction.on_commit(lambda: index_item.enqueue(key, pk))


def _may_be_findable(instance: models.Model) -> bool:
    """A cheap check before the full document is built in the background: a held or
    hidden contribution leaves the index at once, like an unpublished item."""
    if getattr(instance, "is_visible", True) is False:
        return False
    status = getattr(instance, "status", None)
    if status is None:
        return True
    from minehub.publishing.content import Status

    return status == Status.PUBLISHED


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    searchable = searchable_for(sender)
    if searchable is not None:
        indexer.remove(searchable.key, instance.pk)


def _thesaurus_changed(**kwargs: Any) -> None:
    transaction.on_commit(thesaurus.mark_changed)


def _file_text_changed(sender: Any, stored_file_id: int, **kwargs: Any) -> None:
    """Re-indexes the items a file is attached to (its text was extracted or corrected)."""
    from minehub.library.models import Attachment
    from minehub.search.tasks import index_item

    for attachment in Attachment.objects.filter(file_id=stored_file_id).select_related(
        "content_type"
    ):
        searchable = searchable_for(attachment.content_type.model_class())
        if searchable is not None:
            key, pk = searchable.key, attachment.object_id
            transaction.on_commit(lambda key=key, pk=pk: index_item.enqueue(key, pk))


def connect() -> None:
    from minehub.library.extract import file_text_changed

    file_text_changed.connect(_file_text_changed, dispatch_uid="minehub.search.file_text")
    for searchable in SEARCHABLE.values():
        uid = f"minehub.search.{searchable.key}"
        post_save.connect(_saved, sender=searchable.model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_deleted, sender=searchable.model, dispatch_uid=f"{uid}.delete")
    for model in (Concept, ConceptLabel):
        post_save.connect(_thesaurus_changed, sender=model, dispatch_uid=f"thesaurus.{model}.s")
        post_delete.connect(_thesaurus_changed, sender=model, dispatch_uid=f"thesaurus.{model}.d")

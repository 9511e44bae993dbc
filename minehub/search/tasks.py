"""Background work of search: index an item after it changed, embed new passages."""

from __future__ import annotations

from django_tasks import task

from minehub.search import embeddings, indexer


@task()
def index_item(kind: str, object_id: int) -> bool:
    """Brings one item's index entry up to date; True when the item is findable."""
    entry = indexer.index_by_key(kind, object_id)
    if entry is not None and embeddings.enabled():
        embed_missing.enqueue()
    return entry is not None


@task()
def embed_missing() -> int:
    """Embeds the passages that have no vector yet (several edits share one run)."""
    return embeddings.embed_missing()

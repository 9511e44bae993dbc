"""What is searchable, and how an item becomes an index document.

Every content type of ``publishing.registry.CONTENT_TYPES`` is registered when the app
starts. A content type that is not publishable content registers itself in its app's
``ready()``::

    from minehub.search.registry import register
    register(Post, document=post_document)

where ``post_document(post)`` returns a ``Document`` (or ``None`` when the item must not
be found, e.g. hidden by a moderator). Saving and deleting such items then updates the index
by itself (``signals``)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import nh3
from django.conf import settings
from django.db import models
from django.utils import translation

from minehub.core.markdown import render_markdown
from minehub.search.analysis import LANGUAGES

# Snippets are cut from the first part of the text; the rest is indexed but not stored.
STORED_TEXT_CHARS = 20_000
# The embedding model reads about 512 tokens; a passage is the title and the opening.
PASSAGE_CHARS = 1_500


@dataclass
class Document:
    """An item as search sees it: texts to analyse and values to filter and show."""

    title: str
    language: str
    path: str
    text: str
    keywords: list[tuple[str, str]] = field(default_factory=list)  # (label, its language)
    external_id: str | None = None
    organisation_id: int | None = None
    published_at: datetime | None = None
    topic_ids: list[int] = field(default_factory=list)
    region_ids: list[int] = field(default_factory=list)

    @property
    def passage(self) -> str:
        return f"{self.title}\n{self.text[:PASSAGE_CHARS]}"

    @property
    def passage_hash(self) -> int:
        digest = hashlib.sha256(self.passage.encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


DocumentBuilder = Callable[[models.Model], Document | None]


@dataclass(frozen=True)
class Searchable:
    key: str
    model: type[models.Model]
    document: DocumentBuilder


SEARCHABLE: dict[str, Searchable] = {}


def register(
    model: type[models.Model], *, document: DocumentBuilder, key: str | None = None
) -> None:
    key = key or getattr(model, "content_type_key", "") or model._meta.model_name
    SEARCHABLE[key] = Searchable(key=key, model=model, document=document)


def searchable_for(model: type[models.Model]) -> Searchable | None:
    for entry in SEARCHABLE.values():
        if entry.model is model:
            return entry
    return None


def markdown_text(source: str) -> str:
    """What a reader sees of Markdown, as plain text."""
    return html.unescape(nh3.clean(str(render_markdown(source)), tags=set()))


def language_neutral_path(item: models.Model) -> str:
    """The item's address without the language prefix, so one entry serves every
    interface language."""
    with translation.override(settings.LANGUAGE_CODE):
        path = item.get_absolute_url()
    prefix = f"/{settings.LANGUAGE_CODE}/"
    return "/" + path[len(prefix) :] if path.startswith(prefix) else path


def taxonomy_keywords(terms: list[models.Model]) -> list[tuple[str, str]]:
    """Every language's name of each term: an item tagged "mercury" is found by "мөнгөн
    ус", "ртуть" and "сымап" whatever language it is written in."""
    return [
        (name, language)
        for term in terms
        for language in LANGUAGES
        if (name := getattr(term, f"name_{language}", ""))
    ]


def publishable_document(item: models.Model) -> Document | None:
    """The index document of publishable content; ``None`` unless it is published."""
    from minehub.library.extract import searchable_text
    from minehub.publishing.content import Status

    if item.status != Status.PUBLISHED:
        return None
    topics = list(item.topics.all())
    regions = list(item.regions.all())
    parts = [item.summary, markdown_text(item.body), searchable_text(item)]
    keywords = taxonomy_keywords([*topics, *item.minerals.all(), *regions])
    if item.organisation_id:
        keywords += taxonomy_keywords([item.organisation])
    return Document(
        title=item.title,
        language=item.language,
        path=language_neutral_path(item),
        text="\n\n".join(part.strip() for part in parts if part and part.strip()),
        keywords=keywords,
        external_id=item.external_id,
        organisation_id=item.organisation_id,
        published_at=item.published_at,
        topic_ids=[topic.pk for topic in topics],
        region_ids=[region.pk for region in regions],
    )


def register_publishable_content() -> None:
    from minehub.publishing.registry import CONTENT_TYPES

    for entry in CONTENT_TYPES.values():
        register(entry.model, document=publishable_document, key=entry.key)

"""Search: the index (one entry per published item), stored embeddings, the thesaurus and
anonymous query statistics.

The full-text part of the index is a table per backend created by the migrations
(``search_fts``: an FTS5 table on SQLite, a tsvector table on PostgreSQL) and keyed by
``Entry.id``. An item that changes gets a new entry (a new id), never an updated one:
processes that hold the index in memory then only ever need to load entries newer than
the last one they saw (see ``snapshot``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Entry(models.Model):
    kind = models.CharField(_("type"), max_length=40)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=500)
    # The item's address without the interface-language prefix ("/library/…/").
    path = models.CharField(max_length=500)
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 - API says null
    organisation_id = models.PositiveBigIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    topic_ids = models.JSONField(default=list)
    region_ids = models.JSONField(default=list)
    # Plain text (no Markdown), capped: snippets are cut from it.
    text = models.TextField(blank=True)
    # Characters of ``text``: ranking normalises by length, without reading the texts.
    length = models.PositiveIntegerField(default=0)
    # Identifies the passage the embedding was computed from (see ``embeddings``).
    passage_hash = models.BigIntegerField(db_index=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_item")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class Embedding(models.Model):
    """A passage vector, int8-quantised: ``vector[i] * scale`` is the unit-length float.
    Shared by entries whose passages are identical, and kept across re-indexing so that
    only changed text is embedded again."""

    passage_hash = models.BigIntegerField(unique=True)
    vector = models.BinaryField()
    scale = models.FloatField()
    model = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")

    def __str__(self) -> str:
        return f"{self.passage_hash:x}"


class IndexState(models.Model):
    """One row. ``epoch`` changes when the whole index is rebuilt, ``thesaurus_version``
    when a data steward edits the thesaurus, ``removals`` when entries leave the index:
    processes compare them with what they hold."""

    epoch = models.PositiveIntegerField(default=0)
    thesaurus_version = models.PositiveIntegerField(default=0)
    removals = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index state")

    def __str__(self) -> str:
        return f"epoch {self.epoch}"

    @classmethod
    def read(cls) -> tuple[int, int, int]:
        """(epoch, thesaurus version, removals) in one query; zeros before the first index."""
        row = cls.objects.filter(pk=1).values_list("epoch", "thesaurus_version", "removals").first()
        return row or (0, 0, 0)

    @classmethod
    def bump(cls, counter: str) -> None:
        """Adds one to ``counter`` (a field name), creating the row if needed."""
        if not cls.objects.filter(pk=1).update(**{counter: F(counter) + 1}):
            cls.objects.get_or_create(pk=1)
            cls.objects.filter(pk=1).update(**{counter: F(counter) + 1})


class VocabularyWord(models.Model):
    """Words of the indexed texts as written, with the number of entries containing them:
    "did you mean" picks its corrections here."""

    word = models.CharField(max_length=100, primary_key=True)
    initial = models.CharField(max_length=1)
    length = models.PositiveSmallIntegerField()
    entries = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("vocabulary word")
        verbose_name_plural = _("vocabulary")
        indexes = [models.Index(fields=["initial", "length"], name="search_vocab_bucket")]

    def __str__(self) -> str:
        return self.word


class Concept(models.Model):
    """A thesaurus concept: one meaning with its labels in the four languages. Queries are
    expanded with the labels of the concepts they mention."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    topic = models.ForeignKey(
        "core.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concepts",
    )
    note = models.TextField(_("scope note"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("thesaurus", "concept")
        verbose_name_plural = pgettext_lazy("thesaurus", "concepts")

    def __str__(self) -> str:
        return self.code


class ConceptLabel(models.Model):
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    label = models.CharField(_("label"), max_length=200)
    preferred = models.BooleanField(_("preferred label"), default=False)

    class Meta:
        ordering = ["concept", "language", "-preferred", "label"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "language", "label"], name="search_label_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class QueryStat(models.Model):
    """How often a normalised query was searched on a day and how often it found nothing.
    No user, session, address or time of day is kept: only the words and the counts."""

    day = models.DateField()
    query = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    zero_results = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search statistic")
        verbose_name_plural = _("search statistics")
        constraints = [
            models.UniqueConstraint(fields=["day", "query"], name="search_querystat_day_query")
        ]

    def __str__(self) -> str:
        return self.query

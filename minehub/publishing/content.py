"""The base every publishable content type shares (DESIGN.md, "Content model").

Documents, legal acts, news, events and donor projects are all *items*: a title and
Markdown body in one content language, a translation group joining the same item in other
languages, a workflow status, an owning organisation, the shared taxonomy, a version number
for optimistic locking and a revision history (``publishing.Revision``).
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minehub.accounts.roles import Role, editor_organisation_ids, has_role


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


def editable_organisation_ids(user: Any) -> set[int]:
    """Organisations ``user`` edits for (cached on the user object for the request)."""
    return editor_organisation_ids(user)


class PublishableQuerySet(models.QuerySet):
    def published(self) -> PublishableQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user: Any) -> PublishableQuerySet:
        """Published items for everyone, archived ones by link, and all the work of the
        organisations ``user`` edits for (administrators see everything)."""
        if has_role(user, Role.ADMINISTRATOR):
            return self
        visible = Q(status__in=[Status.PUBLISHED, Status.ARCHIVED])
        organisations = editable_organisation_ids(user)
        if organisations:
            visible |= Q(organisation_id__in=organisations)
        return self.filter(visible)

    def one_per_translation_group(self, language: str) -> PublishableQuerySet:
        """Keeps, of each translation group, the item in ``language`` when there is one,
        else the original; for listings where a reader wants each item once."""
        translated = self.model.objects.filter(
            translation_group=OuterRef("translation_group"),
            language=language,
            status=Status.PUBLISHED,
        )
        return self.filter(
            Q(language=language) | (Q(translation_of__isnull=True) & ~Exists(translated))
        )

    def for_listing(self) -> PublishableQuerySet:
        return self.select_related("organisation").defer("body")


class Publishable(models.Model):
    """Abstract base of all publishable content. Subclasses set ``content_type_key`` (the
    name used in URLs, the importer and search) and ``detail_url_name``."""

    content_type_key: ClassVar[str] = ""
    detail_url_name: ClassVar[str] = ""
    # Fields copied into a revision and compared to tell "what changed".
    revision_exclude: ClassVar[tuple[str, ...]] = (
        "id", "version", "created_at", "updated_at", "status", "published_at",
    )  # fmt: skip

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("short name in the address"),
        max_length=100,
        help_text=_("Latin letters, digits and hyphens; made from the title when left empty."),
    )
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown is supported."))
    language = models.CharField(
        _("language of the content"), max_length=2, choices=settings.LANGUAGES
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("this is a translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations_made",
    )
    # Shared by an original and all its translations; equal to the original's own group.
    translation_group = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_owned",
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="%(app_label)s_%(class)s"
    )
    minerals = models.ManyToManyField(
        "core.Mineral",
        verbose_name=_("minerals"),
        blank=True,
        related_name="%(app_label)s_%(class)s",
    )
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions"), blank=True, related_name="%(app_label)s_%(class)s"
    )
    sdgs = models.ManyToManyField(
        "core.SustainableDevelopmentGoal",
        verbose_name=_("Sustainable Development Goals"),
        blank=True,
        related_name="%(app_label)s_%(class)s",
    )
    cover = models.ForeignKey(
        "library.StoredFile",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    external_id = models.CharField(
        _("external identifier"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifier in the system this item was imported from."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-published_at", "-id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["slug"], name="%(app_label)s_%(class)s_unique_slug")
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["status", "-published_at"], name="%(app_label)s_%(class)s_list"),
            models.Index(
                fields=["translation_group", "language", "status"],
                name="%(app_label)s_%(class)s_tr",
            ),
            # Lets SQLite count a listing (one item per translation group) from the index
            # alone; keep the column order (measured in bench/library.py at 100k items).
            models.Index(
                fields=["status", "translation_of", "language", "translation_group"],
                name="%(app_label)s_%(class)s_count",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def translations(self) -> PublishableQuerySet:
        """The other published language versions of this item."""
        return (
            type(self)
            .objects.published()
            .filter(translation_group=self.translation_group)
            .exclude(pk=self.pk)
            .only("id", "slug", "title", "language")
            # Ordering by language lets SQLite use the translation index, not a scan.
            .order_by("language")
        )

    def related(
        self,
        limit: int = 5,
        topic_ids: list[int] | None = None,
        region_ids: list[int] | None = None,
    ) -> list[Publishable]:
        """Published items of the same type sharing topics or regions, most shared first.

        Scores candidates from the link tables (the newest 300 links per term list) rather
        than joining the item table, which would scan every published item. Pass the ids
        when the caller has loaded the terms already."""
        model = type(self)
        wanted = {
            "topics": topic_ids if topic_ids is not None else None,
            "regions": region_ids if region_ids is not None else None,
        }
        scores: Counter[int] = Counter()
        for name, ids in wanted.items():
            if ids is None:
                ids = list(getattr(self, name).values_list("id", flat=True))
            if not ids:
                continue
            field = model._meta.get_field(name)
            source, target = field.m2m_column_name(), field.m2m_reverse_name()
            links = (
                field.remote_field.through.objects.filter(**{f"{target}__in": ids})
                .exclude(**{source: self.pk})
                .order_by(f"-{source}")
                .values_list(source, flat=True)[:300]
            )
            scores.update(links)
        if not scores:
            return []
        best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[: limit * 4]
        candidates = [
            item
            for item in model.objects.filter(pk__in=best)
            .order_by()
            .only("id", "slug", "title", "language", "published_at", "status", "translation_group")
            if item.status == Status.PUBLISHED and item.translation_group != self.translation_group
        ]
        candidates.sort(key=lambda item: (-scores[item.pk], -item.pk))
        return candidates[:limit]

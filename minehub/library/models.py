"""Library: documents, legal acts, and the files attached to any item.

Files are stored once per content (SHA-256, see ``files.py``); an ``Attachment`` ties a
stored file to an item under the name the uploader gave it. Text extraction (``extract.py``)
works on the stored file, so the same bytes attached twice are read once.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minehub.core.partial_dates import PartialDate, PartialDateError, parse_partial_date
from minehub.publishing.content import Publishable, PublishableQuerySet, Status


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Extracting")
    DONE = "done", _("Text extracted")
    NO_TEXT = "no_text", _("Text not extracted")
    FAILED = "failed", _("Extraction failed")


class StoredFile(models.Model):
    """One file's bytes, stored under their SHA-256, with the text extracted from them."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    blob = models.FileField(_("file"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    kind = models.CharField(_("file type"), max_length=10)
    media_type = models.CharField(_("media type"), max_length=120)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    extraction_status = models.CharField(
        _("text extraction"),
        max_length=10,
        choices=ExtractionStatus.choices,
        default=ExtractionStatus.PENDING,
    )
    extraction_progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    extraction_message = models.CharField(_("extraction note"), max_length=500, blank=True)
    extracted_at = models.DateTimeField(_("extracted"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    text = models.TextField(_("extracted text"), blank=True)
    text_language = models.CharField(_("language of the text"), max_length=2, blank=True)
    ocr_used = models.BooleanField(_("read by OCR"), default=False)
    text_corrected = models.BooleanField(
        _("text corrected by an editor"),
        default=False,
        help_text=_("Corrected text is kept when extraction runs again."),
    )

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.kind})"

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


class Attachment(models.Model):
    """A stored file attached to an item (document, legal act, news, event, project)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    download_count = models.PositiveIntegerField(_("downloads"), default=0)
    created_at = models.DateTimeField(_("attached"), auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["content_type", "object_id"])]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "file"], name="library_attachment_once"
            )
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.filename

    def get_absolute_url(self) -> str:
        return reverse(
            "library:attachment-download", kwargs={"pk": self.pk, "filename": self.filename}
        )


def validate_partial_date(value: str) -> None:
    try:
        parse_partial_date(value)
    except PartialDateError as error:
        raise ValidationError(str(error)) from error


class PartialDateField(models.CharField):
    """A year, year-month or full date stored as ISO text ("2017", "2017-05", "2017-05-20")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [validate_partial_date])
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        try:
            parsed = parse_partial_date(value)
        except PartialDateError:
            return value  # the validator reports it
        return str(parsed) if parsed else ""

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs


class DocumentKind(models.TextChoices):
    GUIDELINE = "guideline", _("Guideline")
    REPORT = "report", _("Report")
    STUDY = "study", _("Study")
    TRAINING = "training", _("Training material")
    MANUAL = "manual", _("Manual")
    POLICY_BRIEF = "policy_brief", _("Policy brief")
    LESSONS = "lessons", _("Lessons learned")
    NEWSLETTER = "newsletter", _("Newsletter")
    PRESENTATION = "presentation", _("Presentation")
    OTHER = "other", _("Other")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC_BY_NC = "CC-BY-NC-4.0", _("Creative Commons Attribution-NonCommercial 4.0")
    CC0 = "CC0-1.0", _("Public domain dedication (CC0)")
    OFFICIAL = "official", _("Official text, free to reproduce")
    RESERVED = "reserved", _("All rights reserved")
    UNKNOWN = "unknown", _("Not stated")


def year_of(partial: str) -> int | None:
    return int(partial[:4]) if partial else None


class Document(Publishable):
    content_type_key = "document"
    detail_url_name = "library:document-detail"

    kind = models.CharField(_("type"), max_length=15, choices=DocumentKind.choices)
    authors = models.TextField(_("authors"), blank=True, help_text=_("One per line."))
    publisher = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("publisher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents_published",
    )
    publication_date = PartialDateField(
        _("publication date"), help_text=_("A year (2017), a month (2017-05) or a day.")
    )
    # Derived from publication_date (or the publishing date) for the year filter.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    licence = models.CharField(
        _("licence"), max_length=15, choices=Licence.choices, default=Licence.UNKNOWN
    )
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)

    class Meta(Publishable.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = year_of(self.publication_date) or (
            self.published_at.year if self.published_at else None
        )
        super().save(*args, **kwargs)

    @property
    def author_list(self) -> list[str]:
        return [line.strip() for line in self.authors.splitlines() if line.strip()]

    @property
    def publication(self) -> PartialDate | None:
        return parse_partial_date(self.publication_date)


class LegalActKind(models.TextChoices):
    LAW = "law", _("Law")
    REGULATION = "regulation", _("Regulation")
    RESOLUTION = "resolution", _("Resolution")
    ORDER = "order", _("Order")
    STANDARD = "standard", _("Standard")
    DECREE = "decree", _("Decree")


class LegalActStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("In force as amended")
    REPEALED = "repealed", _("Repealed")
    # Not the workflow's "Draft": a draft law is a "bill" (төсөл, проект, долбоор).
    DRAFT = "draft", pgettext_lazy("legal act status", "Draft")


class LegalActQuerySet(PublishableQuerySet):
    def in_force_on(self, day: datetime.date) -> LegalActQuerySet:
        """Acts that had entered into force by ``day`` and had not yet been repealed or
        replaced on that day (acts whose start is unknown are left out)."""
        return self.exclude(act_status=LegalActStatus.DRAFT).filter(
            Q(in_force_from__lte=day),
            Q(in_force_until__isnull=True) | Q(in_force_until__gt=day),
        )


class LegalAct(Publishable):
    content_type_key = "legal_act"
    detail_url_name = "library:legal-act-detail"

    kind = models.CharField(_("type"), max_length=12, choices=LegalActKind.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    issuing_body = models.CharField(
        _("issuing body"), max_length=300, help_text=_("E.g. State Great Khural, Government.")
    )
    adopted_on = PartialDateField(_("adopted"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    in_force_until = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_("The day it was repealed or replaced; empty while in force."),
    )
    act_status = models.CharField(
        _("legal status"),
        max_length=10,
        choices=LegalActStatus.choices,
        default=LegalActStatus.IN_FORCE,
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("amends"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="amended_by",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )

    objects = LegalActQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-in_force_from", "-id"]
        verbose_name = _("legal act")
        verbose_name_plural = _("legal acts")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = year_of(self.adopted_on)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.in_force_from and self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValidationError(
                {"in_force_until": _("An act cannot cease before it enters into force.")}
            )
        for field in ("amends", "replaces"):
            target = getattr(self, f"{field}_id")
            if target and self.pk and target == self.pk:
                raise ValidationError({field: _("An act cannot refer to itself.")})

    def version_chain(self) -> list[LegalAct]:
        """Every version of this act, oldest first: the acts it replaces, itself, and the
        acts that replace it (one query per step; chains are short)."""
        earlier: list[LegalAct] = []
        seen = {self.pk}
        current = self.replaces
        while current is not None and current.pk not in seen:
            earlier.append(current)
            seen.add(current.pk)
            current = current.replaces
        later: list[LegalAct] = []
        current = self
        while True:
            successor = (
                LegalAct.objects.filter(replaces=current, status=Status.PUBLISHED)
                .exclude(pk__in=seen)
                .first()
            )
            if successor is None:
                break
            later.append(successor)
            seen.add(successor.pk)
            current = successor
        return [*reversed(earlier), self, *later]

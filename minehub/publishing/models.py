"""News (incl. newsletters and stories), events, and the revision history of every item."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minehub.publishing.content import Publishable, Status


class RevisionAction(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted for review")
    APPROVE = "approve", _("Approved and published")
    PUBLISH = "publish", _("Published")
    SEND_BACK = "send_back", _("Sent back")
    ARCHIVE = "archive", _("Archived")
    UNPUBLISH = "unpublish", _("Returned to draft")
    RESTORE = "restore", _("Restored an earlier revision")
    IMPORT = "import", _("Imported")


class Revision(models.Model):
    """One saved state of an item: who, when, what changed, and the full snapshot."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=12, choices=RevisionAction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} v{self.version} {self.action}"


class NewsKind(models.TextChoices):
    NEWS = "news", _("News")
    NEWSLETTER = "newsletter", _("Newsletter")
    STORY = "story", _("Story")


class News(Publishable):
    content_type_key = "news"
    detail_url_name = "publishing:news-detail"

    kind = models.CharField(_("type"), max_length=12, choices=NewsKind.choices, default="news")

    class Meta(Publishable.Meta):
        verbose_name = _("news item")
        verbose_name_plural = _("news")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a time zone."), params={"value": value})


class Event(Publishable):
    content_type_key = "event"
    detail_url_name = "publishing:event-detail"

    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Ulaanbaatar",
        validators=[validate_time_zone],
        help_text=_("Where the event happens, e.g. Asia/Ulaanbaatar or Asia/Bishkek."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    organiser = models.CharField(
        _("organiser"),
        max_length=300,
        blank=True,
        help_text=_("When it is not the publishing organisation alone."),
    )
    registration_url = models.URLField(_("registration link"), blank=True)

    class Meta(Publishable.Meta):
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The event cannot end before it starts.")})
        if not self.place and not self.online_url:
            raise ValidationError(_("Give a place, an online meeting link, or both."))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> Any:
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self) -> Any:
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def is_upcoming(self) -> bool:
        return self.ends_at >= timezone.now()
